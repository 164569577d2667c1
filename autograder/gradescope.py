"""A Gradescope autograder bundle for an assignment, for courses larger than one machine.

    python -m autograder gradescope 01_micrograd -o 01_micrograd_gradescope.zip

The zip holds this package, the instructor source and the reference records, plus
Gradescope's two entry points: `setup.sh` (installs Python, bubblewrap and the
pinned requirements) and `run_autograder` (grades /autograder/submission/*.ipynb with
the same code as `python -m autograder grade` and writes
/autograder/results/results.json in Gradescope's format: score, output, and one test
per task with its score, max_score and the checks' messages).
"""
from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

from . import sandbox
from .build import graded_template
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
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission.
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
cd "$ROOT/source" && exec "$PY" -m autograder gradescope-run {assignment} "$ROOT"
"""


def bundle(assignment: str, out: Path) -> Path:
    read_source(source_path(assignment))          # fail early on an unknown assignment
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted((ROOT / "autograder").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                z.write(path, path.relative_to(ROOT).as_posix())
        for name in ("requirements.txt", "pyproject.toml", "book/_config.yml"):
            z.write(ROOT / name, name)
        for name, text in (("setup.sh", SETUP), ("run_autograder", RUN.format(assignment=assignment))):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            z.writestr(info, text)
    return out


def results_json(r: Result) -> dict:
    tests = [{"name": task, "score": r.scores.get(task, 0.0), "max_score": points,
              "output": "\n".join(m for m in r.messages.get(task, []) if not m.endswith(": ok"))
              or ("all checks passed" if r.scores.get(task) == points else "")}
             for task, points in r.points.items()]
    output = f"{r.status}: {r.error}" if r.error else ""
    return {"score": r.total, "output": output, "tests": tests, "visibility": "visible"}


def run(assignment: str, root: Path) -> dict:
    """Grade the one submission Gradescope put in root/submission."""
    src = read_source(source_path(assignment))
    notebooks = sorted((root / "submission").rglob("*.ipynb"))
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    if not notebooks:
        out = {"score": 0.0, "output": "No .ipynb file was submitted: upload the notebook "
                                       "you downloaded from Colab (File > Download > .ipynb).",
               "tests": [{"name": t.name, "score": 0.0, "max_score": t.points} for t in src.tasks]}
    else:
        # Gradescope isolates each submission in its own container; where user
        # namespaces are available we still add the bubblewrap sandbox.
        opt = Options(sandbox=sandbox.available() is None)
        work = Path(tempfile.mkdtemp(prefix="zth-gs-"))
        r = grade_file(notebooks[0], src, "submission", work, prepare_data(work), opt,
                       graded_template(src), load_secret(create=False))
        out = results_json(r)
        if len(notebooks) > 1:
            out["output"] = (f"{len(notebooks)} notebooks were submitted; graded "
                             f"{notebooks[0].name}. " + out["output"]).strip()
        if not opt.sandbox:
            out["output"] = (out["output"] + " (graded without the bubblewrap sandbox, inside "
                             "Gradescope's container)").strip()
    (results / "results.json").write_text(json.dumps(out, indent=1))
    return out
