"""The class list: who should have handed in, and what the LMS calls them.

A roster is a CSV file with a header row. Columns (case and spaces do not matter):

    id            required: the id intake finds in a file name (a Canvas user id, a
                  Moodle participant id, a Gradescope student id, or for plain
                  names the name itself); also read from "ID", "student_id", "sid"
    name          the student's name ("Student", "full_name" also work)
    first_name, last_name, email      optional (nbgrader's export columns)
    sis_user_id, sis_login_id, section   optional (Canvas's import columns)

A Canvas gradebook export (Grades, Export) is a roster as it is: its "Student",
"ID", "SIS User ID", "SIS Login ID" and "Section" columns are read and its
"Points Possible" row is skipped.

>>> import io
>>> r = Roster.parse(io.StringIO("Student,ID,SIS Login ID,Section\\n"
...                              "Points Possible,,,\\nLee, Ann,81,alee,A\\n"))
Traceback (most recent call last):
ValueError: roster line 3: 5 cells under 4 column names (quote names with commas)
>>> r = Roster.parse(io.StringIO('Student,ID,SIS Login ID,Section\\n'
...                              'Points Possible,,,\\n"Lee, Ann",81,alee,A\\n'))
>>> r["81"].name, r["81"].sis_login_id, len(r)
('Lee, Ann', 'alee', 1)
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO

ALIASES = {"id": "id", "student_id": "id", "sid": "id", "name": "name", "student": "name",
           "full_name": "name", "first_name": "first_name", "last_name": "last_name",
           "email": "email", "sis_user_id": "sis_user_id", "sis_login_id": "sis_login_id",
           "section": "section"}


@dataclass
class Student:
    id: str
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""


class Roster(dict):
    """id -> Student, in the roster's order."""

    @classmethod
    def parse(cls, f: IO[str], where: str = "roster") -> "Roster":
        rows = csv.reader(f)
        header = next(rows, None)
        if not header:
            raise ValueError(f"{where} is empty: it needs a header row with an id column")
        cols = [ALIASES.get(h.strip().lower().replace(" ", "_").lstrip("\ufeff"), "")
                for h in header]
        if "id" not in cols:
            raise ValueError(f"{where} has no id column (its columns: {', '.join(header)})")
        known = {f.name for f in fields(Student)}
        out = cls()
        for n, row in enumerate(rows, start=2):
            if len(row) > len(header):
                raise ValueError(f"{where} line {n}: {len(row)} cells under {len(header)} column "
                                 "names (quote names with commas)")
            values = {c: v.strip() for c, v in zip(cols, row) if c in known and c not in ("",)}
            if not values.get("id") or values.get("name", "").lower() == "points possible":
                continue
            out[values["id"]] = Student(**values)
        return out

    @classmethod
    def read(cls, path: Path) -> "Roster":
        """The roster in a CSV file; ValueError if it cannot be used."""
        try:
            with open(path, newline="", encoding="utf-8-sig") as f:
                return cls.parse(f, str(path))
        except OSError as e:
            raise ValueError(f"cannot read the roster {path}: {e.strerror}") from None
