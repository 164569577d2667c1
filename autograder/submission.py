"""Take in a submitted notebook: who it belongs to, whether it is readable, and the
notebook the grader will actually run (the student's answers in the exercise's
frame: tests restored, hidden tests put back, the grader's cells first).

>>> student_id("Copy of 01_micrograd.ipynb", "01_micrograd", folder="alice")
'alice'
>>> student_id("bob_01_micrograd (1).ipynb", "01_micrograd")
'bob'
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat

from .source import Source

MAX_BYTES = 400 * 2**20


class Rejected(Exception):
    """A submission that cannot be graded; the message goes into the grades CSV."""


def student_id(filename: str, assignment: str, folder: str | None = None) -> str:
    """The student a file belongs to: its folder if it has one, else its name less
    the assignment name, Colab's "Copy of" and browsers' " (1)"."""
    if folder:
        return folder
    stem = Path(filename).stem
    stem = re.sub(r"^(copy of\s+)+", "", stem, flags=re.I)
    stem = re.sub(r"\s*\(\d+\)$", "", stem)
    stem = re.sub(re.escape(assignment), "", stem, flags=re.I)
    stem = re.sub(r"\s*\(\d+\)$", "", stem)
    stem = re.sub(r"^[\s_\-.]+|[\s_\-.]+$", "", stem)
    if not stem:
        raise Rejected("cannot tell whose notebook this is: put it in a folder named after "
                       "the student, or name it STUDENT_" + assignment + ".ipynb")
    return stem


def read(path: Path) -> nbformat.NotebookNode:
    """Parse a submission, or raise Rejected with a message a person can act on."""
    size = path.stat().st_size
    if size == 0:
        raise Rejected("the file is empty")
    if size > MAX_BYTES:
        raise Rejected(f"the file is {size / 2**20:.0f} MiB; the limit is {MAX_BYTES // 2**20} MiB "
                       "(clear the outputs before handing in)")
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise Rejected("a zip archive that could not be unpacked (damaged, or holds no notebook)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Rejected(f"the file is not UTF-8 text (byte {e.start}); is it a notebook?") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise Rejected(f"the file is not valid JSON ({e.msg} at line {e.lineno}); "
                       "it may be truncated: download it again") from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise Rejected("the file is JSON but not a Jupyter notebook")
    if data.get("nbformat") != 4 and "worksheets" in data or data.get("nbformat") in (1, 2, 3):
        raise Rejected(f"notebook format {data.get('nbformat')} is not supported; open it in "
                       "Jupyter or Colab and save it again (format 4)")
    if data.get("nbformat") != 4 or not isinstance(data.get("cells"), list):
        raise Rejected(f"notebook format {data.get('nbformat')} is not supported; open it in "
                       "Jupyter or Colab and save it again (format 4)")
    try:
        return nbformat.from_dict(data)
    except Exception as e:  # nbformat raises many kinds on odd input
        raise Rejected(f"the notebook is malformed ({type(e).__name__})") from None


def _gid(cell) -> str | None:
    nbg = cell.get("metadata", {}).get("nbgrader", {})
    gid = nbg.get("grade_id") if isinstance(nbg, dict) else None
    return gid if isinstance(gid, str) else None


def _code(cell) -> str:
    s = cell.get("source", "")
    return "".join(map(str, s)) if isinstance(s, list) else str(s)


def _copy_of(cell):
    """A student's extra cell, source only (no outputs, no metadata)."""
    return (nbformat.v4.new_code_cell(_code(cell)) if cell.get("cell_type") == "code"
            else nbformat.v4.new_markdown_cell(_code(cell)))


def assemble(sub: nbformat.NotebookNode, src: Source,
             template: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook to run, and notes for the student about answer cells not found.

    `template` is build.graded_template(src): the grader's own cells first, then the
    exercise with its stubs and every hidden test. A student's cell replaces the code
    of a template cell only where the student may edit it (a solution cell, matched by
    its nbgrader grade_id, or by its cell id where the metadata was stripped; an
    unlocked plain code cell, by its id). Test, locked and grader cells always come from
    the template, whatever the submission holds. An answer cell the submission lacks
    runs the exercise's stub: the notebook that runs never holds solution code. The
    student's other cells stay where they were, after the template cell they followed.
    """
    other = sub.get("metadata", {}).get("zth", {}).get("assignment")
    if other and other != src.name:
        raise Rejected(f"this is a notebook of assignment {other!r}, not {src.name!r}")
    grader = [c for c in template.cells if c.metadata.get("zth_grader")]
    cells = [c for c in template.cells if not c.metadata.get("zth_grader")]
    solution, editable, by_gid, by_id = set(), set(), {}, {}
    for c in cells:
        nbg = c.metadata.get("nbgrader", {})
        key = _gid(c) or c.get("id")
        if nbg.get("solution"):
            solution.add(key)
        if c.cell_type == "code" and (nbg.get("solution") or not (nbg.get("locked") or nbg.get("grade"))):
            editable.add(key)
        if _gid(c):
            by_gid[_gid(c)] = key
        if c.get("id"):
            by_id[c["id"]] = key
    mine: dict[str, object] = {}           # template key -> the student's cell
    extras: dict[str | None, list] = {}    # template key they follow -> extra cells
    last = None
    for cell in sub.cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown"):
            continue
        gid = _gid(cell)
        key = by_gid.get(gid) if gid else by_id.get(cell.get("id"))
        if key is not None and key in solution and cell.get("cell_type") != "code":
            key = None                     # a markdown cell labelled as an answer: extra
        if key is not None and key not in mine:
            mine[key] = cell
            last = key
        elif key is None or key in editable:
            extras.setdefault(last, []).append(cell)
    if not solution & set(mine):
        raise Rejected("none of the answer cells of this assignment was found (the nbgrader "
                       "metadata is missing): copy your answers into a fresh copy of the exercise")
    out = [copy.deepcopy(c) for c in grader]
    out += [_copy_of(c) for c in extras.get(None, [])]
    for cell in cells:
        key = _gid(cell) or cell.get("id")
        new = copy.deepcopy(cell)
        if key in mine and key in editable:
            new.source = _code(mine[key])
        out.append(new)
        out += [_copy_of(c) for c in extras.get(key, [])]
    for i, c in enumerate(out):
        c.id = f"run-{i}"
        c.pop("outputs", None) if c.cell_type != "code" else c.update(outputs=[], execution_count=None)
    nb = nbformat.v4.new_notebook(cells=out, metadata=copy.deepcopy(template.metadata))
    notes = []
    missing = sorted(solution - set(mine))
    if missing:
        notes.append("answer cell" + ("s " if len(missing) > 1 else " ") + ", ".join(missing)
                     + " not found in your notebook (its nbgrader metadata was lost, or it was "
                     "deleted): the exercise's empty version ran in its place")
    return nb, notes
