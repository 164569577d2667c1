"""The grader run as root (as CI runs it): student code gets a uid of its own, sees no
host secret, writes nothing outside its size-capped job folder, and a batch of odd
file names gives one row each. Bubblewrap and the privilege-separated fallback
(forced with ZTH_NO_BWRAP) are both graded, through `grade` and through the
Gradescope layout. One notebook tries every attack and reports what it got through
the only channel it has: the error its function raises, shown in the task's messages."""
import csv
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import execute, sandbox

ROOT = Path(__file__).resolve().parent.parent
CH = "01_micrograd"
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="these run as root, as CI does")

ATTACK = r'''
import os, signal
_zth_got = []
def _zth_try(tag, f):
    try:
        v = f()
        _zth_got.append(f"{tag}:GOT {str(v)[:24]!r}")
    except BaseException as e:
        _zth_got.append(f"{tag}:no")
def _zth_rewrite(p):
    with open(p) as f:
        old = f.read()
    with open(p, "w") as f:
        f.write(old)
    return "rewrote"
def _zth_kill():
    n = 0
    for p in os.listdir("/proc"):
        try:
            cmd = open(f"/proc/{p}/cmdline", "rb").read()
        except OSError:
            continue
        if KILLMARK.encode() in cmd and b"autograder" in cmd and int(p) != os.getpid():
            try:
                os.kill(int(p), signal.SIGKILL)
                n += 1
            except OSError:
                pass
    if not n:
        raise OSError("none")
    return n
def _zth_fill():
    try:
        with open("big", "wb") as f:
            for _ in range(DISK_MIB):
                f.write(b"\0" * 2**20)
    finally:
        os.remove("big")
    return "wrote"
def _zth_plant():
    for name in ("exports.jsonl", "out.ipynb", "results.json"):
        try:
            os.remove(name)
        except OSError:
            pass
        os.symlink(HOSTREC, name)
    raise OSError("planted, not a read")
_zth_try("shadow", lambda: open("/etc/shadow").read())
_zth_try("secret", lambda: open(SECRET).read())
_zth_try("source", lambda: open(SOURCE).read())
_zth_try("procsys", lambda: _zth_rewrite("/proc/sys/vm/overcommit_ratio"))
_zth_try("canary", lambda: open(CANARY, "w").write("owned"))
_zth_try("results", lambda: open(RESULTS, "w").write('{"score": 99}'))
_zth_try("kill", _zth_kill)
_zth_try("disk", _zth_fill)
_zth_try("mnt", lambda: [l.split()[3] for l in open("/proc/self/mountinfo") if l.split()[4] == os.getcwd()][0])
_zth_report = " ".join(_zth_got)
def grad_f(a, b, c):
    raise RuntimeError(_zth_report)
'''
TAGS = ["shadow", "secret", "source", "procsys", "canary", "results", "kill", "disk", "mnt"]


def attack_notebook(**paths) -> str:
    nb = nbformat.read(ROOT / "exercises" / f"{CH}.ipynb", 4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "grad_f")
    consts = "".join(f"{k} = {v!r}\n" for k, v in paths.items())
    cell.source = consts + ATTACK
    # links planted after the first test cell reported: the later cells' exports go
    # through them (nowhere), and the grader never opens anything in the job folder
    later = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "numeric_grad")
    later.source += "\ntry:\n    _zth_plant()\nexcept OSError:\n    pass\n"
    # and one cell that writes past the job folder's size without catching the error
    last = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "mlp")
    last.source += "\nwith open('filler', 'wb') as _f:\n    for _ in range(DISK_MIB):\n        _f.write(b'\\0' * 2**20)\n"
    return nbformat.writes(nb)


def report(row: dict) -> dict[str, str]:
    """tag -> what the attack got ('no' when nothing), from the task's messages."""
    text = " ".join(row["messages"]["analytic_grad"])
    assert "RuntimeError" in text and "shadow:" in text, text
    found = {}
    for tag in TAGS:
        part = text.split(f"{tag}:", 1)[1] if f"{tag}:" in text else "(cut)"
        found[tag] = part.split(None, 1)[0] if not part.startswith("GOT") else part[:40]
    return found


def assert_nothing_gained(row: dict, mount_ok=("'/'",)) -> None:
    got = report(row)
    for tag in TAGS:
        if tag == "mnt":
            assert got[tag] == "no" or any(m in got[tag] for m in mount_ok), got
            assert "zth-" not in got[tag] and "job-" not in got[tag], got
        elif tag != "kill" or got[tag] != "(cut)":
            assert got[tag] == "no", (tag, got, row["error"])
    assert sum(row["scores"].values()) == 0.0, row["scores"]
    assert "wrote more than the job folder holds" in row["error"], row["error"]


def setup_paths(tmp: Path, results: Path, secret: Path, source: Path) -> dict:
    hostrec = tmp / "records.jsonl"          # valid-looking records a link points at
    lines = [json.dumps({"k": f"grad_f/{i}", "v": [1.0, 2.0, 3.0]}) for i in range(8)]
    hostrec.write_text("\n".join(lines) + "\n")
    hostrec.chmod(0o644)
    canary = tmp / "canary"
    canary.write_text("untouched")
    canary.chmod(0o666)                      # writable to anyone who can reach it
    for d in (tmp,):
        d.chmod(0o755)
    # KILLMARK: the attack kills only graders whose command line holds it (this test's
    # folders), so a run without isolation (the "before" measurement) harms no one else
    return {"SECRET": str(secret), "SOURCE": str(source), "RESULTS": str(results),
            "CANARY": str(canary), "HOSTREC": str(hostrec), "DISK_MIB": 600,
            "KILLMARK": str(tmp)}


def env_for(tmp: Path, secret: Path, **extra) -> dict:
    (tmp / "tmpdir").mkdir(exist_ok=True)
    return {**os.environ, "ZTH_SECRET_FILE": str(secret), "TMPDIR": str(tmp / "tmpdir"), **extra}


def make_secret(tmp: Path) -> Path:
    secret = tmp / "secret"
    secret.write_text("s3cr3t-" * 8 + "\n")
    secret.chmod(0o600)
    return secret


def grade(subs: Path, out: Path, env: dict, jobs: int = 1) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", CH, str(subs), "-o", str(out),
                           "--jobs", str(jobs), "--cell-timeout", "120", "--timeout", "500"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(f.read_text()) for f in (out / "results").glob("*.json")]


def test_batch_as_root_bubblewrap(tmp_path):
    """One grading call: an attacking notebook, a student folder with a notebook and a
    PDF, and files whose names are odd; every file one row, nothing gained, nothing
    left, the CSV safe for spreadsheets."""
    secret = make_secret(tmp_path)
    paths = setup_paths(tmp_path, tmp_path / "out" / "grades.csv", secret,
                        ROOT / "autograder" / "source" / f"{CH}.py")
    subs = tmp_path / "subs"
    (subs / "dana").mkdir(parents=True)
    (subs / "mallory_01_micrograd.ipynb").write_text(attack_notebook(**paths))
    shutil.copy(ROOT / "exercises" / f"{CH}.ipynb", subs / "dana" / f"{CH}.ipynb")
    (subs / "dana" / "notes.pdf").write_bytes(b"%PDF-1.4 not a notebook")
    junk = b"not a notebook"
    odd = [b"caf\xe9_01_micrograd.ipynb", b"new\nline_01_micrograd.ipynb", b".hidden.ipynb",
           b"..dots_01_micrograd.ipynb", b"a b_01_micrograd.ipynb", b"a_b_01_micrograd.ipynb",
           b"=HYPERLINK(1)_01_micrograd.ipynb", b"+cmd_01_micrograd.ipynb", b"-x_01_micrograd.ipynb",
           b"@x_01_micrograd.ipynb", b"\tx_01_micrograd.ipynb", b"\rx_01_micrograd.ipynb"]
    for name in odd:
        with open(os.path.join(os.fsencode(subs), name), "wb") as f:
            f.write(junk)
    (subs / "sub" / ".ipynb_checkpoints").mkdir(parents=True)
    (subs / "sub" / ".ipynb_checkpoints" / "x-checkpoint.ipynb").write_bytes(junk)
    files = [p for p in subs.rglob("*") if p.is_file()]
    out = tmp_path / "out"
    canary_before = Path(paths["CANARY"]).read_text()

    rows = grade(subs, out, env_for(tmp_path, secret), jobs=2)

    assert len(rows) == len(files) == 3 + len(odd) + 1
    assert len({r["file"] for r in rows}) == len(rows)
    table = list(csv.reader(open(out / "grades.csv", encoding="utf-8")))
    assert len(table) == len(rows) + 1 and "limits" in table[0] and "isolation" in table[0]
    for line in table[1:]:
        for value in line:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), line
    assert len(list((out / "feedback").glob("*.html"))) == len(rows)
    by_file = {r["file"]: r for r in rows}
    hidden = [r for f, r in by_file.items() if "hidden" in f or "dots" in f or "checkpoint" in f]
    assert len(hidden) == 3 and all("skipped" in r["error"] for r in hidden)
    dana = [r for r in rows if r["student"] == "dana"]
    nb = next(r for r in dana if r["file"].endswith(".ipynb"))
    pdf = next(r for r in dana if r["file"].endswith(".pdf"))
    assert nb["status"] == "graded" and "handed in" not in nb["error"], nb
    assert pdf["status"] == "rejected" and "not a notebook" in pdf["error"]
    assert any("\\xe9" in f for f in by_file) and any("new\\nline" in f for f in by_file)

    mallory = next(r for r in rows if r["student"] == "mallory")
    assert mallory["isolation"] == "bubblewrap" and mallory["limits"], mallory
    assert_nothing_gained(mallory)
    assert Path(paths["CANARY"]).read_text() == canary_before
    assert not list((tmp_path / "tmpdir").iterdir()), "the grader left files behind"


def test_privilege_separation_grades_where_bubblewrap_cannot_start(tmp_path):
    secret = make_secret(tmp_path)
    paths = setup_paths(tmp_path, tmp_path / "out" / "grades.csv", secret,
                        ROOT / "autograder" / "source" / f"{CH}.py")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "mallory_01_micrograd.ipynb").write_text(attack_notebook(**paths))
    rows = grade(subs, tmp_path / "out", env_for(tmp_path, secret, ZTH_NO_BWRAP="1"))
    assert len(rows) == 1 and rows[0]["isolation"] == "privilege separation", rows
    assert_nothing_gained(rows[0])
    assert not list((tmp_path / "tmpdir").iterdir()), "the grader left files behind"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    secret = make_secret(tmp_path_factory.mktemp("secret"))
    zpath = tmp_path_factory.mktemp("bundle") / "bundle.zip"
    r = subprocess.run([sys.executable, "-m", "autograder", "gradescope", CH, "-o", str(zpath)],
                       cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, "ZTH_SECRET_FILE": str(secret)})
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(zpath) as z:
        assert z.read("zth_secret").strip() == secret.read_bytes().strip()
    return zpath


def gradescope_layout(tmp: Path, zpath: Path) -> Path:
    ag = tmp / "autograder"
    with zipfile.ZipFile(zpath) as z:
        z.extractall(ag / "source")
    os.chmod(ag / "source" / "run_autograder", 0o755)
    (ag / "submission").mkdir()
    tmp.chmod(0o755)
    ag.chmod(0o755)
    return ag


def run_gradescope(ag: Path, **extra) -> subprocess.CompletedProcess:
    env = {**os.environ, "AUTOGRADER_ROOT": str(ag), "AUTOGRADER_PYTHON": sys.executable,
           "PYTHONPATH": str(ag / "source"), **extra}
    env.pop("ZTH_SECRET_FILE", None)
    return subprocess.run([str(ag / "source" / "run_autograder")], env=env, capture_output=True,
                          text=True, timeout=1800)


@pytest.mark.parametrize("forced", [{}, {"ZTH_NO_BWRAP": "1"}], ids=["bubblewrap", "privsep"])
def test_gradescope_attacks_gain_nothing(tmp_path, bundle, forced):
    ag = gradescope_layout(tmp_path, bundle)
    paths = setup_paths(tmp_path, ag / "results" / "results.json", ag / "source" / "zth_secret",
                        ag / "source" / "autograder" / "source" / f"{CH}.py")
    (ag / "submission" / f"{CH}.ipynb").write_text(attack_notebook(**paths))
    secret_before = (ag / "source" / "zth_secret").read_bytes()
    start = time.time()
    r = run_gradescope(ag, **forced)
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    res = json.loads((ag / "results" / "results.json").read_text())
    assert res["score"] == 0.0 and len(res["tests"]) == 6
    want = "privilege separation" if forced else "bubblewrap"
    assert res["extra_data"]["isolation"] == want, res
    assert (ag / "results" / "results.json").stat().st_mtime >= start
    assert (ag / "results" / "results.json").stat().st_uid == 0
    assert (ag / "source" / "zth_secret").read_bytes() == secret_before
    assert os.stat(ag / "source").st_mode & 0o077 == 0          # closed to other users
    text = next(t["output"] for t in res["tests"] if t["name"] == "analytic_grad")
    row = {"messages": {"analytic_grad": [text]}, "scores": {"all": res["score"]},
           "error": res["output"]}
    assert_nothing_gained(row)


def test_gradescope_refuses_when_nothing_isolates(tmp_path, bundle):
    ag = gradescope_layout(tmp_path, bundle)
    shutil.copy(ROOT / "solutions" / f"{CH}.ipynb", ag / "submission" / f"{CH}.ipynb")
    r = run_gradescope(ag, ZTH_NO_BWRAP="1", ZTH_NO_PRIVSEP="1")
    assert r.returncode != 0 and "not graded" in r.stderr, r.stderr[-2000:]
    res = json.loads((ag / "results" / "results.json").read_text())
    assert res["score"] == 0.0 and "could not be graded safely" in res["output"]


def test_student_code_has_a_host_uid_of_its_own(tmp_path):
    """Seen from outside: the sandboxed process's uid is the job's, its uid map
    '1000 <uid> 1'; inside: no shadow, read-only /proc/sys, a job folder of its size."""
    code = ("import os, time\n"
            "assert not os.path.exists('/etc/shadow') and open('/etc/passwd').read().count(':x:') == 3\n"
            "try:\n    open('/proc/sys/vm/overcommit_ratio', 'w').write('50')\nexcept OSError:\n"
            "    print('procsys-ro')\n"
            "try:\n    open('big', 'wb').write(b'x' * 3 * 2**20)\nexcept OSError as e:\n"
            "    print('full', e.errno)\n"
            "print('ready', flush=True); time.sleep(30)")
    slot = sandbox.Slot().__enter__()
    uid = slot.uid
    cmd = sandbox.command([sys.executable, "-c", code], size=2 * 2**20, uid=uid)
    p = cmd.popen(stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not lines or lines[-1] != "ready":
            line = p.stdout.readline()
            assert line, p.stderr.read()
            lines.append(line.strip())
        assert lines[:-1] == ["procsys-ro", "full 28"], lines
        assert uid != 0 and uid != os.getuid()
        mine = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if b"time.sleep(30)" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    mine.append(pid)
            except OSError:
                pass
        assert mine
        for pid in mine:
            status = Path(f"/proc/{pid}/status").read_text()
            uids = next(ln for ln in status.splitlines() if ln.startswith("Uid:")).split()[1:]
            assert set(uids) == {str(uid)}, uids
        assert any(Path(f"/proc/{pid}/uid_map").read_text().split() == ["1000", str(uid), "1"]
                   for pid in mine)
    finally:
        p.kill()
        p.wait()
        execute.kill_uid(uid)
        slot.__exit__()


def test_no_process_limit_is_refused_unless_allowed(monkeypatch):
    monkeypatch.setattr(sandbox, "host_uid", lambda slot=0: None)
    monkeypatch.setattr(execute.Limits, "_make", lambda self: (_ for _ in ()).throw(OSError("no")))
    opt = execute.Options(isolation="bubblewrap")
    with pytest.raises(execute.Unsafe, match="no process limit"):
        execute.preflight(opt)
    opt.allow_no_process_limit = True
    assert execute.preflight(opt) == "bubblewrap"
