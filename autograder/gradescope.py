"""A Gradescope autograder bundle for an assignment, for courses larger than one machine.

    python -m autograder gradescope 01_micrograd -o 01_micrograd_gradescope.zip

The zip holds this package, the instructor source and the reference records, the
instructor's hidden-input secret (`zth_secret`: the bytes of secret.load_secret(), so
Gradescope draws the same hidden inputs as local grading), plus Gradescope's two
entry points: `setup.sh` (installs Python, bubblewrap and the pinned requirements,
and closes /autograder/source to everyone but root) and `run_autograder` (grades
/autograder/submission/*.ipynb with the same code as `python -m autograder grade`,
ZTH_SECRET_FILE pointing at the bundled secret).

`gradescope-run` (as root, as Gradescope runs it) first closes the instructor files
(/autograder/source, the secret, the submission folder) and /autograder/results to
every other user, then runs the notebook in bubblewrap, or, where bubblewrap cannot
start (Docker's seccomp denies new user namespaces), under privilege separation (its
own unprivileged uid, rlimits, namespaces where root may make them: see sandbox.py).
It refuses, with a results.json saying so and a non-zero exit, only when neither can
run. results.json is written by the grader after the run, in Gradescope's format:
score, output, one test per task, and extra_data saying which isolation and limits held.
"""
from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

import os
import shutil

from .build import graded_template
from .execute import Unsafe, preflight
from .grade import Options, Result, grade_file, prepare_data
from .secret import load_secret
from .source import ROOT, read_source, source_path

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when the autograder image is built.
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q -r /autograder/source/requirements.txt
/autograder/venv/bin/pip install -q --no-deps -e /autograder/source
# instructor files: root only (student code runs as another user, see sandbox.py)
chown -R root:root /autograder/source && chmod 700 /autograder/source
chmod 600 /autograder/source/zth_secret
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission.
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
export ZTH_SECRET_FILE="$ROOT/source/{secret}"
cd "$ROOT/source" && exec "$PY" -m autograder gradescope-run {assignment} "$ROOT"
"""
SECRET = "zth_secret"


def bundle(assignment: str, out: Path) -> Path:
    read_source(source_path(assignment))          # fail early on an unknown assignment
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted((ROOT / "autograder").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                z.write(path, path.relative_to(ROOT).as_posix())
        for name in ("requirements.txt", "pyproject.toml"):
            z.write(ROOT / name, name)
        for name, text in (("setup.sh", SETUP),
                           ("run_autograder", RUN.format(assignment=assignment, secret=SECRET))):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            z.writestr(info, text)
        info = zipfile.ZipInfo(SECRET)
        info.external_attr = 0o600 << 16
        z.writestr(info, load_secret() + b"\n")
    return out


def results_json(r: Result) -> dict:
    tests = [{"name": task, "score": r.scores.get(task, 0.0), "max_score": points,
              "output": "\n".join(m for m in r.messages.get(task, []) if not m.endswith(": ok"))
              or ("all checks passed" if r.scores.get(task) == points else "")}
             for task, points in r.points.items()]
    output = f"{r.status}: {r.error}" if r.error else ""
    return {"score": r.total, "output": output, "tests": tests, "visibility": "visible"}


def lock_down(root: Path) -> None:
    """As root: the instructor files and the results folder belong to root, closed to
    everyone else (student code runs as another uid)."""
    if os.geteuid() != 0:
        return
    from .secret import secret_path
    (root / "results").mkdir(parents=True, exist_ok=True)
    for d, mode in ((root / "source", 0o700), (root / "submission", 0o700),
                    (root / "results", 0o755)):
        if d.is_dir():
            os.chown(d, 0, 0)
            d.chmod(mode)
    for f in (root / "results" / "results.json", secret_path()):
        if f.is_file() and not f.is_symlink():
            os.chown(f, 0, 0)
            f.chmod(0o600 if f != root / "results" / "results.json" else 0o644)


def _write(results: Path, out: dict) -> None:
    """results.json, written by the grader (never followed through a link)."""
    target = results / "results.json"
    tmp = results / ".results.json.tmp"
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(out, indent=1))
    os.replace(tmp, target)


def run(assignment: str, root: Path) -> dict:
    """Grade the one submission Gradescope put in root/submission. Raises Unsafe
    (after writing a results.json that says so) when student code cannot be isolated."""
    src = read_source(source_path(assignment))
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    lock_down(root)
    notebooks = sorted((root / "submission").rglob("*.ipynb"))
    zero = [{"name": t.name, "score": 0.0, "max_score": t.points} for t in src.tasks]
    if not notebooks:
        out = {"score": 0.0, "output": "No .ipynb file was submitted: upload the notebook "
                                       "you downloaded from Colab (File > Download > .ipynb).",
               "tests": zero}
        _write(results, out)
        return out
    opt = Options(hide=(root / "source", root / "submission", root / "results"))
    try:
        preflight(opt)
    except Unsafe as e:
        _write(results, {"score": 0.0, "tests": zero, "extra_data": {"isolation": "refused"},
                         "output": "This submission could not be graded safely on this machine "
                                   f"(no sandbox and no privilege separation: {e}). Nothing was "
                                   "run; please tell your instructor."})
        raise
    work = Path(tempfile.mkdtemp(prefix="zth-gs-"))
    try:
        r = grade_file(notebooks[0], src, "submission", work, prepare_data(work), opt,
                       graded_template(src), load_secret(create=False))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = results_json(r)
    r.isolation = r.isolation or opt.isolation
    out["extra_data"] = {"isolation": r.isolation, "limits": r.limits}
    if len(notebooks) > 1:
        out["output"] = (f"{len(notebooks)} notebooks were submitted; graded "
                         f"{notebooks[0].name}. " + out["output"]).strip()
    out["output"] = (out["output"] + f" (run under {r.isolation}; limits: {r.limits})").strip()
    _write(results, out)
    return out
