"""Hostile and malformed submissions, graded in one batch through the real grading
command: each asserts its exact outcome, and the batch completes with every
submission accounted for. (Chapter 1, whose notebooks run in seconds.)"""
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CH = "01_micrograd"


def exercise():
    return nbformat.read(ROOT / "exercises" / f"{CH}.ipynb", 4)


def solution():
    return nbformat.read(ROOT / "solutions" / f"{CH}.ipynb", 4)


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def with_code(nb, grade_id, code, before=True):
    """nb with `code` put before (or after) the code of a cell."""
    c = cell(nb, grade_id)
    c.source = code + "\n" + c.source if before else c.source + "\n" + code
    return nb


def dump(nb) -> bytes:
    return nbformat.writes(nb).encode()


FULL, ZERO = "full", "zero"   # expected totals: all 14 points / nothing

# name -> (bytes of the file, expected status, expected total or FULL/ZERO, text in error)
def cases():
    c = {}
    # --- malformed input: a clear rejection, nothing else affected
    c["empty"] = (b"", "rejected", ZERO, "empty")
    c["notjson"] = (b"this is my homework, sorry it is late", "rejected", ZERO, "not valid JSON")
    c["truncated"] = (dump(solution())[:5000], "rejected", ZERO, "truncated")
    c["binary"] = (bytes(range(256)) * 10, "rejected", ZERO, "not UTF-8")
    nb3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": []}]}
    c["nbformat3"] = (json.dumps(nb3).encode(), "rejected", ZERO, "format 3")
    other = solution()
    other.metadata["zth"]["assignment"] = "08_tokenizer"
    c["otherassignment"] = (dump(other), "rejected", ZERO, "08_tokenizer")
    c["jsonlist"] = (b"[1, 2, 3]", "rejected", ZERO, "not a Jupyter notebook")
    # --- damaged but gradable: the instructor's frame restores what is missing
    stripped = solution()
    for x in stripped.cells:
        x.metadata.pop("nbgrader", None)
    c["metadatastripped"] = (dump(stripped), "graded", FULL, "")
    bare = solution()
    for i, x in enumerate(bare.cells):
        x.metadata.pop("nbgrader", None)
        x.id = f"colab-{i}"
    c["metadataandids"] = (dump(bare), "rejected", ZERO, "metadata")
    notests = solution()
    notests.cells = [x for x in notests.cells if not x.metadata.get("nbgrader", {}).get("grade")]
    c["testsdeleted"] = (dump(notests), "graded", FULL, "")
    reordered = solution()
    tests = [x for x in reordered.cells if x.metadata.get("nbgrader", {}).get("grade")]
    rest = [x for x in reordered.cells if not x.metadata.get("nbgrader", {}).get("grade")]
    reordered.cells = tests[::-1] + rest
    c["testsreordered"] = (dump(reordered), "graded", FULL, "")
    edited = solution()
    cell(edited, "test_backward").source = "print('ok')  # all good, trust me"
    c["testsedited"] = (dump(edited), "graded", FULL, "")
    dup = json.loads(dump(solution()))
    for x in dup["cells"]:
        x["id"] = "same"
    c["duplicateids"] = (json.dumps(dup).encode(), "graded", FULL, "")
    big = solution()
    noisy = next(x for x in big.cells if x.cell_type == "code")
    noisy.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * (150 * 2**20))]
    c["hugeoutput"] = (dump(big), "graded", FULL, "")
    # --- faults in the student's code: the batch goes on, the row says what happened
    c["osexit"] = (dump(with_code(exercise(), "grad_f", "import os; os._exit(3)")),
                   "partial", ZERO, "kernel died")
    c["segfault"] = (dump(with_code(exercise(), "grad_f", "import ctypes; ctypes.string_at(0)")),
                     "partial", ZERO, "kernel died")
    c["oom"] = (dump(with_code(exercise(), "grad_f", "x = bytearray(8 * 2**30)")),
                "partial", ZERO, "memory")
    c["infiniteloop"] = (dump(with_code(solution(), "grad_f", "while True: pass", before=False)),
                         "graded", FULL, "interrupted")     # that cell is stopped; the rest runs
    c["ignoresigint"] = (dump(with_code(exercise(), "grad_f",
                                        "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                        "while True: time.sleep(0.1)")),
                         "partial", ZERO, "time limit")
    c["forkbomb"] = (dump(with_code(exercise(), "grad_f",
                                    "import os\nfor _ in range(64):\n    try:\n        os.fork()\n"
                                    "    except OSError:\n        break\nimport time; time.sleep(1)")),
                     None, ZERO, "")
    c["killparent"] = (dump(with_code(exercise(), "grad_f", "import os, signal; os.kill(os.getppid(), signal.SIGKILL)")),
                       "partial", ZERO, "")
    c["daemon"] = (dump(with_code(solution(), "grad_f",
                                  "import subprocess; subprocess.Popen(['sleep', '1000'], start_new_session=True)")),
                   "graded", FULL, "")
    # --- attempts to forge a verdict, starting from the untouched exercise: still zero
    c["swallowerrors"] = (dump(with_code(exercise(), "grad_f",
                                         "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: print('ok'))")),
                          "graded", ZERO, "")
    c["patchbuiltins"] = (dump(with_code(exercise(), "grad_f",
                                         "import builtins, math, torch\nbuiltins.abs = lambda x: 0\n"
                                         "torch.allclose = lambda *a, **k: True\nmath.isclose = lambda *a, **k: True\n"
                                         "builtins.AssertionError = type('Never', (Exception,), {})")),
                          "graded", ZERO, "")
    c["emptycells"] = (dump(with_code(exercise(), "grad_f",
                                      "get_ipython().input_transformers_post.append(lambda lines: [])")),
                       "graded", ZERO, "")
    c["alwaysequal"] = (dump(with_code(exercise(), "grad_f",
                                       "class Yes(float):\n    def __eq__(self, o): return True\n"
                                       "    def __sub__(self, o): return Yes(0)\n    def __abs__(self): return 0\n"
                                       "def grad_f(a, b, c): return [Yes(0), Yes(0), Yes(0)]", before=False)),
                        "graded", ZERO, "")
    c["forgeexports"] = (dump(with_code(exercise(), "grad_f",
                                        "import os, json\n"
                                        "def _zth_export(key, value):\n"
                                        "    with open(os.environ['ZTH_EXPORT'], 'a') as f:\n"
                                        "        f.write(json.dumps({'k': key, 'v': 'ok'}) + '\\n')\n"
                                        "get_ipython().user_ns['_zth_export'] = _zth_export", before=False)),
                         "graded", ZERO, "")
    c["snoop"] = (dump(with_code(solution(), "grad_f",
                                 "import glob, os, socket\n"
                                 "seen = glob.glob('/work/**', recursive=True) + glob.glob('/root/**', recursive=True)"
                                 " + glob.glob('/tmp/**', recursive=True) + glob.glob('/job/../**')\n"
                                 "if [p for p in seen if 'source' in p or 'results' in p or 'subs' in p]:\n"
                                 "    os._exit(1)\n"
                                 "try:\n    socket.create_connection(('1.1.1.1', 80), timeout=2)\n"
                                 "    os._exit(1)\nexcept OSError:\n    pass\n"
                                 "try:\n    open('/usr/owned', 'w')\n    os._exit(1)\nexcept OSError:\n    pass",
                                 before=False)),
                  "graded", FULL, "")
    c["printfake"] = (dump(with_code(exercise(), "test_analytic_grad", "print('ok'); raise SystemExit", before=True)),
                      "graded", ZERO, "")
    return c


@pytest.fixture(scope="session")
def batch(tmp_path_factory):
    """(rows, files unchanged?, grades.csv text, output folder) of the one batch."""
    tmp = tmp_path_factory.mktemp("adversarial")
    subs = tmp / "subs"
    subs.mkdir(parents=True)
    for name, (data, *_rest) in cases().items():
        (subs / f"{name}.ipynb").write_bytes(data)
    (subs / "report.pdf").write_bytes(b"%PDF-1.4 not a notebook")
    (subs / "dana").mkdir()
    (subs / "dana" / f"Copy of {CH}.ipynb").write_bytes(dump(solution()))
    (subs / "dana" / f"{CH} (1).ipynb").write_bytes(dump(exercise()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"erin/{CH}.ipynb", dump(solution()))
        z.writestr("frank_01_micrograd.ipynb", dump(exercise()))
        z.writestr("../../escape.ipynb", dump(exercise()))
    (subs / "lms_export.zip").write_bytes(buf.getvalue())
    (subs / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    before = {p: p.read_bytes() for p in subs.rglob("*") if p.is_file()}
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", CH, str(subs), "-o",
                           str(tmp / "out"), "--jobs", "2", "--cell-timeout", "20", "--timeout", "90"],
                          cwd=ROOT, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    after = {p: p.read_bytes() for p in subs.rglob("*") if p.is_file()}
    rows = [json.loads(f.read_text()) for f in (tmp / "out" / "results").glob("*.json")]
    return rows, before == after, (tmp / "out" / "grades.csv").read_text(), tmp / "out"


def row(batch, student):
    found = [r for r in batch[0] if r["student"] == student]
    assert len(found) == 1, f"{student}: {len(found)} rows"
    return found[0]


@pytest.mark.parametrize("name", list(cases()))
def test_hostile_submission(name, batch):
    _, status, total, text = cases()[name]
    r = row(batch, name)
    if status:
        assert r["status"] == status, (r["status"], r["error"])
    got = sum(r["scores"].values())
    want = {FULL: 14.0, ZERO: 0.0}.get(total, total)
    assert abs(got - want) < 1e-6, (got, r["scores"], r["error"])
    assert text.lower() in r["error"].lower(), r["error"]


def test_batch_accounts_for_every_file_and_changes_none(batch):
    rows, unchanged, csv, _ = batch
    assert unchanged, "a submission file was modified"
    n = len(cases()) + 1 + 2 + 3 + 1      # cases, pdf, dana x2, zip members, broken zip
    assert len(rows) == n and len(csv.strip().splitlines()) == n + 1


def test_non_notebook_and_zip_exports(batch):
    rows = batch[0]
    pdf = [r for r in rows if r["file"].endswith("report.pdf")][0]
    assert pdf["status"] == "rejected"
    assert row(batch, "erin")["status"] == "graded" and sum(row(batch, "erin")["scores"].values()) == 14.0
    assert row(batch, "frank")["status"] == "graded" and sum(row(batch, "frank")["scores"].values()) == 0.0
    assert row(batch, "escape")["status"] == "graded"          # extracted inside the work folder
    broken = [r for r in rows if r["file"].endswith("broken.zip")][0]
    assert broken["status"] == "rejected" and "zip" in broken["error"]


def test_two_files_for_one_student_only_the_latest_is_graded(batch):
    rows = {r["status"]: r for r in batch[0] if r["student"] == "dana"}
    assert sorted(rows) == ["graded", "superseded"]
    # " (1)", a browser's second download, is the later one (lms.Who.order)
    assert rows["graded"]["file"].endswith(f"{CH} (1).ipynb")
    assert "dana handed in 2 files" in rows["graded"]["note"]
    assert rows["superseded"]["seconds"] == 0 and sum(rows["superseded"]["scores"].values()) == 0
    assert batch[2].count("superseded") >= 2          # the status, and the note


def test_feedback_never_shows_hidden_tests_or_expected_values(batch):
    source = (ROOT / "autograder" / "source" / f"{CH}.py").read_text()
    hidden = [ln.strip() for ln in source.splitlines() if "_zth_" in ln and len(ln.strip()) > 20]
    pages = list((batch[3] / "feedback").glob("*.html"))
    assert len(pages) == len(batch[0])
    for page in pages:
        text = page.read_text()
        assert "_zth_" not in text and "HIDDEN" not in text, page.name
        assert not [ln for ln in hidden if ln in text], page.name
        assert "138.8338" not in text and "-0.8864503806" not in text   # no expected values
