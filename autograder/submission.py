"""Take in a submitted notebook: who it belongs to, whether it is readable, and the
notebook the grader will actually run (the student's answers in the instructor's
frame: tests restored, hidden tests put back, the exporter cell first).

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

from .check import EXPORTER
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
    return nbg.get("grade_id") if isinstance(nbg, dict) else None


def assemble(sub: nbformat.NotebookNode, src: Source, header: list) -> nbformat.NotebookNode:
    """The notebook to run: the exporter and the hidden tests' helpers (src.probes),
    then the instructor's cells in the instructor's order, the student's code in each
    solution cell (and in unlocked cells they edited), and the student's own extra
    cells after the cell they followed."""
    other = sub.get("metadata", {}).get("zth", {}).get("assignment")
    if other and other != src.name:
        raise Rejected(f"this is a notebook of assignment {other!r}, not {src.name!r}")
    template = header + list(src.notebook.cells)
    by_key = {}                            # grade_id or cell id -> template key
    for c in template:
        key = _gid(c) or c.get("id")
        by_key[key] = key
        if c.get("id"):
            by_key[c["id"]] = key          # a notebook whose nbgrader metadata was stripped
    mine: dict[str, object] = {}           # template key -> the student's cell
    extras: dict[str | None, list] = {}    # template key they follow -> extra cells
    last = None
    for cell in sub.cells:
        key = by_key.get(_gid(cell)) or by_key.get(cell.get("id"))
        if key is not None and key not in mine:
            mine[key] = cell
            last = key
        elif cell.get("cell_type") in ("code", "markdown"):
            extras.setdefault(last, []).append(cell)
    solution_keys = {_gid(c) for c in src.notebook.cells if c.metadata.get("nbgrader", {}).get("solution")}
    if not solution_keys & set(mine):
        raise Rejected("none of the answer cells of this assignment was found (the nbgrader "
                       "metadata is missing): copy your answers into a fresh copy of the exercise")

    def code(cell) -> str:
        s = cell.get("source", "")
        return "".join(s) if isinstance(s, list) else str(s)

    def copy_of(cell):   # a student's extra cell, source only
        return (nbformat.v4.new_code_cell(code(cell)) if cell.get("cell_type") == "code"
                else nbformat.v4.new_markdown_cell(code(cell)))

    cells = [nbformat.v4.new_code_cell(EXPORTER)]
    if src.probes:                         # the hidden tests' shared helpers
        cells.append(nbformat.v4.new_code_cell(src.probes))
    cells += [copy_of(c) for c in extras.get(None, [])]
    for cell in template:
        key = _gid(cell) or cell.get("id")
        new = copy.deepcopy(cell)
        nbg = cell.metadata.get("nbgrader", {})
        editable = not nbg.get("locked") and not nbg.get("grade")
        if key in mine and editable and cell.cell_type == "code":
            new.source = code(mine[key])
        cells.append(new)
        cells += [copy_of(c) for c in extras.get(key, [])]
    for i, c in enumerate(cells):
        c.id = f"run-{i}"
        c.pop("outputs", None) if c.cell_type != "code" else c.update(outputs=[], execution_count=None)
    nb = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(src.notebook.metadata))
    return nb
