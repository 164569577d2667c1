"""Read a chapter's instructor source: one jupytext percent file per chapter.

A source file `autograder/source/NN_name.py` is a notebook written as text.
Cells are marked with `# %%`, and the header of a cell says what it is:

    # %% [markdown]                     prose, given to everyone
    # %%                                code, given to everyone
    # %% locked                         code students may not edit (setup, data)
    # %% solution="grad"                an answer cell: the code between
                                        ### BEGIN SOLUTION / ### END SOLUTION
                                        is replaced by a stub for students
    # %% test="grad" points=2           the graded unit: visible asserts, then
                                        ### BEGIN HIDDEN TESTS ... ### END HIDDEN TESTS
                                        probes that call _zth_export(key, value)
    # %% check="grad"                   trusted checker code for test "grad": a
                                        function `check(x, t)` run by the grader,
                                        outside the student's process (see check.py)
    # %% probes                         helpers for the hidden tests, shared by them:
                                        run in the graded notebook only, first,
                                        before any student code; in no student
                                        notebook. Names start with _zth_.
    # %% mistakes="grad"                known mistakes of task "grad": each declared
                                        with @mistake(id, says, see=anchor) on an
                                        oracle of what the mistaken code exports;
                                        run by the grader after the check, when the
                                        task lost points (see check.diagnose)
    # %% checks                         trusted helpers shared by every check cell
                                        of the chapter (run before each check)
    # %% inputs                         the hidden inputs, drawn from `rng` (a
                                        random.Random seeded per submission from
                                        the instructor's secret): the names it
                                        defines are `_zth_in.NAME` in the probes
                                        (in the kernel) and in the checks (in the
                                        grader), so each input is written once
    # %% include="names_data" block_size=8
                                        code shared by chapters: the cell's body
                                        (which must be empty) becomes the file
                                        source/include/names_data.py, with $block_size
                                        replaced by 8; it combines with `locked`

>>> src = read_source(SOURCE_DIR / "01_micrograd.py")
>>> [t.name for t in src.tasks][:2]
['analytic_grad', 'numeric_grad']
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "autograder" / "source"
INCLUDE_DIR = SOURCE_DIR / "include"
FLAGS = {"locked", "probes", "checks", "inputs"}           # header words without a value
SCHEMA = 3


@dataclass
class Task:
    name: str            # "grad"; the nbgrader grade_id of its test cell is "test_grad"
    points: float


@dataclass
class Source:
    name: str                                   # "01_micrograd"
    notebook: nbformat.NotebookNode             # nbgrader source notebook (solutions + hidden tests)
    tasks: list[Task] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)   # task name -> checker code
    mistakes: dict[str, str] = field(default_factory=dict)  # task name -> its mistakes cell
    probes: str = ""                            # hidden-test helpers, run first when grading
    inputs: str = ""                            # code drawing the hidden inputs from `rng`

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tasks)


def chapters() -> list[str]:
    """Names of all chapters that have an instructor source, in order."""
    return sorted(p.stem for p in SOURCE_DIR.glob("[0-9][0-9]_*.py"))


def source_path(name: str) -> Path:
    path = SOURCE_DIR / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"no assignment {name!r}; known: {', '.join(chapters())}")
    return path


def _nbgrader(grade_id: str, *, solution=False, grade=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": SCHEMA, "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def include(name: str, params: dict, where: str = "") -> str:
    """The shared code `INCLUDE_DIR/name.py` with each $param replaced by its value.

    >>> print(include("names_data", {"block_size": 5}).splitlines()[6])
    block_size = 5                  # characters of context
    """
    path = INCLUDE_DIR / f"{name}.py"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in INCLUDE_DIR.glob("*.py")))
        raise ValueError(f"{where}include {name!r}: no file {path.name} in {INCLUDE_DIR} (known: {known})")
    try:
        return Template(path.read_text()).substitute({k: str(v) for k, v in params.items()}).rstrip("\n")
    except KeyError as e:
        raise ValueError(f"{where}include {name!r} needs a value for ${e.args[0]}, "
                         f"given {sorted(params) or 'none'}") from None
    except ValueError as e:      # a lone "$" in the file: write "$$" for a literal one
        raise ValueError(f"{where}include {name!r}: {path.name}: {e}") from None


def read_source(path: str | Path) -> Source:
    """Parse a source file into an nbgrader source notebook, its tasks and checks."""
    path = Path(path)
    text = jupytext.read(path, fmt="py:percent")
    src = Source(name=path.stem, notebook=nbformat.v4.new_notebook())
    seen: set[str] = set()
    cells, probes, common, inputs = [], [], [], []
    for cell in text.cells:
        meta = {k: v for k, v in cell.metadata.items() if k != "lines_to_next_cell"}
        if "incorrectly_encoded_metadata" in meta:
            raise ValueError(f"{path.name}: cannot read the cell header "
                             f"'# %% {meta['incorrectly_encoded_metadata']}': write key=value "
                             'pairs with quoted strings, as in # %% test="grad" points=2')
        flags = str(meta.pop("title", "")).split()   # jupytext reads "# %% locked" as a title
        if set(flags) - FLAGS:
            raise ValueError(f"{path.name}: unknown cell header word(s) "
                             f"{sorted(set(flags) - FLAGS)} (known: {sorted(FLAGS)})")
        meta.update(dict.fromkeys(flags))
        if "include" in meta:
            if cell.source.strip():
                raise ValueError(f"{path.name}: the include={meta['include']!r} cell must be "
                                 "empty; its code comes from the included file")
            params = {k: v for k, v in meta.items() if k != "include" and k not in FLAGS}
            cell.source = include(meta["include"], params, f"{path.name}: ")
        if "inputs" in meta:
            inputs.append(cell.source)
            continue
        if "probes" in meta or "checks" in meta:
            (probes if "probes" in meta else common).append(cell.source)
            continue
        graded_by = next((k for k in ("check", "mistakes") if k in meta), None)
        if graded_by:                    # grader-only code of one task
            table = src.checks if graded_by == "check" else src.mistakes
            name = meta[graded_by]
            if name in table:
                raise ValueError(f"{path.name}: two {graded_by} cells for task {name!r}")
            table[name] = cell.source
            continue
        new = (nbformat.v4.new_markdown_cell(cell.source) if cell.cell_type == "markdown"
               else nbformat.v4.new_code_cell(cell.source))
        if "task" in meta:
            raise ValueError(f"{path.name}: write solution={json.dumps(meta['task'])} for an "
                             "answer cell (task= was its old name)")
        if "solution" in meta:
            base = gid = meta["solution"]
            n = 2
            while gid in seen:
                gid, n = f"{base}_{n}", n + 1
            new.metadata.nbgrader = _nbgrader(gid, solution=True)
        elif "test" in meta:
            gid = f"test_{meta['test']}"
            if "points" not in meta:
                raise ValueError(f"{path.name}: test {meta['test']!r} has no points=")
            new.metadata.nbgrader = _nbgrader(gid, grade=True, locked=True,
                                              points=float(meta["points"]))
            src.tasks.append(Task(meta["test"], float(meta["points"])))
        elif "locked" in meta:
            gid = f"locked_{len(cells)}"
            new.metadata.nbgrader = _nbgrader(gid, locked=True)
        else:
            gid = f"cell_{len(cells)}"       # numbered by notebook position: stable
                                              # when check or probes cells come and go
        if gid in seen:
            raise ValueError(f"{path.name}: duplicate cell name {gid!r}")
        seen.add(gid)
        new.id = gid.replace("_", "-")
        cells.append(new)
    src.notebook.cells = cells
    src.probes = "\n\n\n".join(probes)
    src.inputs = "\n\n\n".join(inputs)
    if common:
        src.checks = {k: "\n\n\n".join(common + [v]) for k, v in src.checks.items()}
    missing = {t.name for t in src.tasks} - set(src.checks)
    extra = set(src.checks) - {t.name for t in src.tasks}
    if missing or extra:
        raise ValueError(f"{path.name}: tests without a check cell {sorted(missing)}, "
                         f"checks without a test cell {sorted(extra)}")
    if stray := set(src.mistakes) - {t.name for t in src.tasks}:
        raise ValueError(f"{path.name}: mistakes cells without a test cell {sorted(stray)}")
    src.notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "zth": {"assignment": src.name},
    }
    return src
