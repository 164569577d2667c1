"""Generate the student and solution notebooks of a chapter from its source.

    python -m autograder build            # every chapter -> exercises/, solutions/
    python -m autograder build --check    # fail if a committed notebook drifted

The student notebook goes through nbgrader's own generate_assignment
preprocessors (solutions replaced by a stub, hidden tests removed, cells locked,
checksums computed); the solution notebook keeps the solutions and drops the
hidden tests. Both get the same header: an "Open in Colab" badge and a setup
cell that defines `SCALE` and `load_text` (autograder/data.py, pasted in).
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat
import yaml
from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearMarkScheme,
                                    ClearOutput, ClearSolutions, ComputeChecksums, LockCells)
from traitlets.config import Config

from .source import ROOT, Source, chapters, read_source, source_path

STUB = ("# YOUR CODE HERE\n"
        "raise NotImplementedError(\"replace this line with your code, then run the tests below\")")
SETUP_ID = "zth-setup"


CONFIG = ROOT / "_config.yml"


def config(path: Path = CONFIG) -> dict:
    """The book's _config.yml (YAML), where the course's two repositories are named."""
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def release_repository(cfg: dict | None = None) -> tuple[str, str]:
    """(OWNER/NAME, branch) of the public student repository: `zth: release_repository`
    and `release_branch` in _config.yml. The exercises' Colab links open from it."""
    zth = (config() if cfg is None else cfg).get("zth") or {}
    repo = str(zth.get("release_repository") or "").strip().strip("/")
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
        raise ValueError(f"_config.yml: zth: release_repository must be OWNER/NAME, not {repo!r}")
    return repo, str(zth.get("release_branch") or "main")


def instructor_repository(cfg: dict | None = None) -> tuple[str, str]:
    """(OWNER/NAME, branch) of this repository (`repository: url` in _config.yml): the
    solution notebooks' Colab links open from it (Colab asks for access to a private one)."""
    repo = (config() if cfg is None else cfg).get("repository") or {}
    url = str(repo.get("url") or "").rstrip("/")
    if not url.startswith("https://github.com/"):
        raise ValueError(f"_config.yml: repository: url must be https://github.com/OWNER/NAME, "
                         f"not {url!r}")
    return url.removeprefix("https://github.com/"), str(repo.get("branch") or "main")


def colab_url(folder: str, name: str, repository: tuple[str, str] | None = None) -> str:
    """The Colab link of FOLDER/NAME.ipynb: exercises open from the student repository,
    solutions from this one (or from `repository`, (OWNER/NAME, branch), if given)."""
    if repository is None:
        repository = release_repository() if folder == "exercises" else instructor_repository()
    path, branch = repository
    return f"https://colab.research.google.com/github/{path}/blob/{branch}/{folder}/{name}.ipynb"


def setup_code() -> str:
    data = (ROOT / "autograder" / "data.py").read_text()
    return ("# Setup: run this cell first, here and in Colab. It needs only the standard library.\n"
            "import os\n"
            "# How big the training runs are: \"colab\" (minutes on a CPU), \"grading\" (what the\n"
            "# grader runs: smaller, same code), \"full\" (the lecture's settings; wants a GPU).\n"
            "SCALE = os.environ.get(\"ZTH_SCALE\", \"colab\")\n"
            "SEED = int(os.environ.get(\"ZTH_SEED\", \"1337\"))  # seed every random generator from this\n\n"
            + data)


def setup_cell() -> nbformat.NotebookNode:
    """The locked first code cell of every notebook: SCALE, SEED and load_text."""
    setup = nbformat.v4.new_code_cell(setup_code())
    setup.id = SETUP_ID
    setup.metadata.nbgrader = {"grade": False, "grade_id": "zth_setup", "locked": True,
                               "schema_version": 3, "solution": False}
    setup.metadata.editable = False
    setup.metadata.deletable = False
    return setup


SCALE_NOTE = (
    "The setup cell below is locked. It sets `SCALE`, how big the training runs are: "
    "`\"colab\"` (the default: a few minutes on Colab's free CPU), `\"grading\"` (what the "
    "grader runs: smaller, the same code) or `\"full\"` (the lecture's settings). To try "
    "another scale, run `%env ZTH_SCALE=full` in a new cell, then run the setup cell again; "
    "for `full`, first switch Colab to a GPU (*Runtime → Change runtime type → T4 GPU*). "
    "Grading ignores this: the grader always runs its own scale.")


def _header(src: Source, folder: str) -> list:
    badge = nbformat.v4.new_markdown_cell(
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"({colab_url(folder, src.name)})")
    badge.id = "zth-badge"
    note = nbformat.v4.new_markdown_cell(SCALE_NOTE)
    note.id = "zth-scale"
    return [badge, note, setup_cell()]


def _with_header(src: Source, folder: str) -> nbformat.NotebookNode:
    nb = copy.deepcopy(src.notebook)
    title = nb.cells[:1] if nb.cells and nb.cells[0].cell_type == "markdown" else []
    nb.cells = title + _header(src, folder) + nb.cells[len(title):]
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


KERNEL = Path(__file__).with_name("kernel.py")
GRADER_CELL = "zth-grader"   # id of the cells the grader puts first; never a student's


def graded_template(src: Source) -> nbformat.NotebookNode:
    """The notebook grading runs, before the student's answers go in: the exporter and
    the hidden inputs (seeded from $ZTH_INPUTS_SEED) first, then the hidden tests'
    helpers, then the exercise as students get it (setup cell, solution cells as
    stubs) with every hidden test kept. It holds no solution code, so an answer cell
    that a submission lacks runs the stub. No book configuration is read."""
    nb = copy.deepcopy(src.notebook)
    nb.cells = [setup_cell()] + nb.cells
    cfg = Config()
    cfg.ClearSolutions.code_stub = {"python": STUB}
    nb, _ = ClearSolutions(config=cfg).preprocess(nb, {})
    first = ["_zth_ns = {}\n"
             f"exec({KERNEL.read_text()!r}, _zth_ns)\n"
             "_zth_export, _zth_hidden = _zth_ns['_zth_export'], _zth_ns['_zth_hidden']\n"
             "del _zth_ns"]
    first.append("import os as _zth_os\n"
                 f"_zth_in = _zth_hidden({src.inputs!r}, int(_zth_os.environ['ZTH_INPUTS_SEED']))"
                 if src.inputs else "_zth_in = None")
    if src.probes:
        first.append(src.probes)
    grader = [nbformat.v4.new_code_cell(code) for code in first]
    for i, c in enumerate(grader):
        c.id = f"{GRADER_CELL}-{i}"
        c.metadata["zth_grader"] = True
    nb.cells = grader + nb.cells
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def student_notebook(src: Source) -> nbformat.NotebookNode:
    """The release version, made by nbgrader's generate_assignment preprocessors."""
    cfg = Config()
    cfg.ClearSolutions.code_stub = {"python": STUB}
    nb, res = _with_header(src, "exercises"), {}
    for pp in (LockCells, ClearSolutions, ClearOutput, CheckCellMetadata, ComputeChecksums,
               ClearHiddenTests, ClearMarkScheme, ComputeChecksums, CheckCellMetadata):
        nb, res = pp(config=cfg).preprocess(nb, res)
    return nb


def solution_notebook(src: Source) -> nbformat.NotebookNode:
    """The source with the solution markers taken out and the hidden tests removed."""
    nb, res = _with_header(src, "solutions"), {}
    nb, res = ClearHiddenTests().preprocess(nb, res)
    for cell in nb.cells:
        lines = [ln for ln in cell.source.split("\n")
                 if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
        cell.source = "\n".join(lines)
    return nb


def dumps(nb: nbformat.NotebookNode) -> str:
    nbformat.validate(nb)
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def outputs(name: str) -> dict[Path, str]:
    """What building chapter `name` writes: {path: text}."""
    src = read_source(source_path(name))
    return {ROOT / "exercises" / f"{name}.ipynb": dumps(student_notebook(src)),
            ROOT / "solutions" / f"{name}.ipynb": dumps(solution_notebook(src))}


def build(names: list[str] | None = None, check: bool = False) -> list[Path]:
    """Write (or with check=True, compare) the generated notebooks; return stale paths."""
    stale = []
    for name in names or chapters():
        for path, text in outputs(name).items():
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
                if not check:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text, encoding="utf-8")
    return stale
