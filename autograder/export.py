"""Grades in the import formats of an LMS or of nbgrader: one row per student.

Each student's row is the one that counts for them: of their rows that are not
superseded, the one with the highest total (their graded notebook; a `missing`
row scores 0). Rows of files whose student is unknown, or not in the roster, are
left out (they stay in grades.csv for you to resolve).

canvas (Grades, Import in Canvas), as canvas-lms's GradebookImporter reads it:

    Student,ID,SIS User ID,SIS Login ID,Section,01_micrograd (123456)
    Points Possible,,,,,14.0
    "Lee, Ann",81,s0081,alee,A,12.5

  ID is the Canvas user id (the canvas preset's student id, a Canvas gradebook
  export's ID column); Canvas matches a row by ID, else SIS User ID, else SIS Login
  ID, else the name. The assignment column is "NAME (CANVAS ASSIGNMENT ID)" when
  the id is configured (course.toml: canvas_id), else NAME, which Canvas matches by
  title or offers to create. The "Points Possible" row sets the column's points.

nbgrader (the columns of `nbgrader export`, nbgrader/plugins/export.py):

    assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,
    late_submission_penalty,score,max_score

  A missing student gets an empty timestamp and 0.0, as in nbgrader; no late
  penalty is applied (0.0), score = raw_score.

>>> from autograder.grade import Result
>>> pts = {"x": 4.0}
>>> rows = [Result("81", "a.ipynb", "01_micrograd", "graded", scores={"x": 3.0}, points=pts),
...         Result("81", "b.ipynb", "01_micrograd", "superseded", scores={"x": 4.0}, points=pts)]
>>> counting(rows)["81"].file
'a.ipynb'
"""
from __future__ import annotations

import csv
from pathlib import Path

from .grade import Result
from .report import cell
from .roster import Roster, Student

CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
NBGRADER_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
                    "email", "raw_score", "late_submission_penalty", "score", "max_score"]
FORMATS = ("csv", "canvas", "nbgrader")
LEFT_OUT = ("superseded", "unknown student")


def counting(results: list[Result]) -> dict[str, Result]:
    """student -> the row that counts for them (see the module docstring)."""
    best: dict[str, Result] = {}
    for r in results:
        if r.student == "?" or r.status in LEFT_OUT:
            continue
        for student in [r.student, *r.group]:    # a group's row counts for each member
            if student not in best or r.total > best[student].total:
                best[student] = r
    return best


def _student(sid: str, r: Result, roster: Roster | None) -> Student:
    if roster is not None and sid in roster:
        return roster[sid]
    return Student(sid, r.name if sid == r.student else "")


def _names(s: Student) -> tuple[str, str]:
    """(last, first): the roster's, else split from "Last, First" or "First Last"."""
    if s.last_name or s.first_name:
        return s.last_name, s.first_name
    if "," in s.name:
        last, first = s.name.split(",", 1)
        return last.strip(), first.strip()
    first, _, last = s.name.rpartition(" ")
    return (last, first) if first else (s.name, "")


def _order(rows: dict[str, Result], roster: Roster | None) -> list[tuple[str, Result]]:
    """(student, row) in the roster's order, then the others by id."""
    rank = {sid: i for i, sid in enumerate(roster or [])}
    return sorted(rows.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))


def write_canvas(results: list[Result], path: Path, roster: Roster | None = None,
                 canvas_id: int | str | None = None) -> None:
    """A Canvas gradebook import file for the assignment of `results`."""
    rows = counting(results)
    if not results:
        return
    assignment, max_score = results[0].assignment, results[0].max_score
    column = f"{assignment} ({canvas_id})" if canvas_id not in (None, "") else assignment
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([*CANVAS_STUDENT_COLUMNS, column])
        w.writerow(["Points Possible", "", "", "", "", max_score])
        for sid, r in _order(rows, roster):
            s = _student(sid, r, roster)
            w.writerow([cell(v) for v in (s.name or r.name or s.id, s.id, s.sis_user_id,
                                          s.sis_login_id, s.section, r.total)])


def write_nbgrader(results: list[Result], path: Path, roster: Roster | None = None,
                   duedate: str = "") -> None:
    """The CSV `nbgrader export` writes, for the assignment of `results`."""
    rows = counting(results)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(NBGRADER_COLUMNS)
        for sid, r in _order(rows, roster):
            s = _student(sid, r, roster)
            last, first = _names(s)
            w.writerow([cell(v) for v in (
                r.assignment, duedate, r.submitted if r.status != "missing" else "", s.id, last,
                first, s.email, float(r.total), 0.0, float(r.total), float(r.max_score))])


def write(fmt: str, results: list[Result], out: Path, roster: Roster | None = None,
          canvas_id: int | str | None = None, duedate: str = "") -> Path | None:
    """Write one format into out/ (grades.csv is written apart); its path, or None
    for `csv`."""
    if fmt == "canvas":
        write_canvas(results, out / "canvas.csv", roster, canvas_id)
        return out / "canvas.csv"
    if fmt == "nbgrader":
        write_nbgrader(results, out / "nbgrader.csv", roster, duedate)
        return out / "nbgrader.csv"
    if fmt == "csv":
        return None
    raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
