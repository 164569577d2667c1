"""Who handed in a file, read from the name an LMS gave it.

A pattern is a regular expression searched in the file's path relative to the
submissions folder (a zip member: the archive's path, "/", the member's path in
the archive), like the `named_regexp` of nbgrader's ZipCollect. Named groups:

    student     the id the grades are keyed by (required)
    name        the student's name as the LMS wrote it (optional)
    late        present when the LMS marked the file late (optional)
    submission  the LMS's number of this upload: larger is later (optional)
    attempt     a resubmission counter, "-1" or " (1)" (optional)
    timestamp   when it was handed in, ISO 8601 (optional; nbgrader's timestamp)

Presets (`--lms`):

    canvas      smithjohn_12345_67890_01_micrograd.ipynb and, past the deadline,
                smithjohn_LATE_12345_67999_01_micrograd-1.ipynb: name, LATE,
                Canvas user id (the gradebook's "ID"), attachment id, the original
                file name with Canvas's "-N" for a file uploaded again
    moodle      "Full Name_12345_assignsubmission_file/01_micrograd.ipynb" (folders,
                Moodle 3.1+) or "Full Name_12345_assignsubmission_file_01_micrograd.ipynb":
                name, participant id
    gradescope  submission_NNN/01_micrograd.ipynb, with the export's
                submission_metadata.yml mapping submission_NNN to its submitters
                (student id `:sid:`, else the e-mail, else the name; `:created_at:`)
    plain       no pattern: the first-level folder, else the file name less the
                assignment name, "Copy of" and " (1)" (submission.student_id)

>>> who = identify("subs/smithjohn_LATE_12345_67999_01_micrograd-1.ipynb",
...                "01_micrograd", compile_pattern(PRESETS["canvas"]))
>>> who.student, who.name, who.late, who.submission, who.attempt
('12345', 'smithjohn', True, 67999, 1)
>>> identify("Ann Lee_81_assignsubmission_file/nb.ipynb", "01_micrograd",
...          compile_pattern(PRESETS["moodle"])).student
'81'
>>> identify("bob_01_micrograd (2).ipynb", "01_micrograd").attempt
2
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from .submission import Rejected, student_id

PRESETS: dict[str, str | None] = {
    "canvas": r"(?:^|/)(?P<name>[^_/]+)_(?:(?P<late>LATE)_)?(?P<student>\d+)_"
              r"(?P<submission>\d+)_(?P<file>[^/]+?)(?:-(?P<attempt>\d+))?(?:\.\w+)?$",
    "moodle": r"(?:^|/)(?P<name>[^_/]+)_(?P<student>\d+)_assignsubmission_file"
              r"[_/](?:.*/)?(?P<file>[^/]+)$",
    "gradescope": r"(?:^|/)(?P<student>submission_(?P<submission>\d+))/(?:.*/)?(?P<file>[^/]+)$",
    "plain": None,
}
GRADESCOPE_METADATA = "submission_metadata.yml"


@dataclass
class Who:
    """The student of one file, and what says how late it came."""
    student: str
    name: str = ""
    late: bool = False
    submission: int | None = None      # the LMS's upload number, if it gives one
    attempt: int = 0
    email: str = ""
    timestamp: str = ""                # submission time, if the LMS says (ISO 8601)
    others: list[str] = field(default_factory=list)   # further members of a group

    def order(self, mtime: float, rel: str) -> tuple:
        """The rule that picks the latest of a student's files: a file the LMS
        marked late beats one it did not; then the larger LMS submission number (a
        Canvas attachment id, a Gradescope submission id); then the larger
        resubmission counter; then the later LMS timestamp; then the later file
        time (a zip member's own date); then the path, so the choice never depends
        on the order of a listing."""
        return (self.late, self.submission if self.submission is not None else -1,
                self.attempt, self.timestamp, mtime, rel)


def compile_pattern(pattern: str) -> re.Pattern:
    """A pattern with a `student` group, or ValueError saying what is wrong."""
    try:
        rx = re.compile(pattern)
    except re.error as e:
        raise ValueError(f"the id pattern {pattern!r} is not a regular expression: {e}") from None
    if "student" not in rx.groupindex:
        raise ValueError(f"the id pattern {pattern!r} has no (?P<student>...) group")
    return rx


def _attempt(stem: str) -> int:
    m = re.search(r"\((\d+)\)\s*$", stem)
    return int(m.group(1)) if m else 0


def identify(rel: str, assignment: str, pattern: re.Pattern | None = None,
             metadata: dict[str, Who] | None = None, folder: str | None = None) -> Who:
    """The student of the file at `rel` (see the module docstring; `folder`, for the
    plain rule, is the student folder the file came from); raises Rejected when the
    pattern does not match or names no one."""
    if pattern is None:
        name = PurePosixPath(rel).name
        return Who(student_id(name, assignment, folder), attempt=_attempt(PurePosixPath(name).stem))
    m = pattern.search(rel)
    if not m or not m.group("student"):
        raise Rejected(f"the file name does not match the id pattern {pattern.pattern!r}: "
                       "whose file this is cannot be told")
    g = {k: v for k, v in m.groupdict().items() if v}
    who = Who(g["student"].strip(), g.get("name", "").strip(), "late" in g,
              int(g["submission"]) if g.get("submission", "").isdigit() else None,
              int(g["attempt"]) if g.get("attempt", "").isdigit() else 0,
              timestamp=g.get("timestamp", ""))
    if metadata is not None:
        if who.student not in metadata:
            raise Rejected(f"{who.student} is not in {GRADESCOPE_METADATA}")
        meta = metadata[who.student]
        return Who(meta.student, meta.name, meta.late, who.submission, who.attempt,
                   meta.email, meta.timestamp, meta.others)
    return who


def _timestamp(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value or "")


def gradescope_metadata(text: str) -> dict[str, Who]:
    """submission_NNN -> Who, from a Gradescope export's submission_metadata.yml
    (Ruby-style keys such as `:submitters:`; unknown YAML tags are read as plain
    values). A group submission is graded once, under its first submitter; the
    others are listed in `others`.

    >>> meta = gradescope_metadata('''
    ... submission_7:
    ...   :submitters:
    ...   - :name: Ann Lee
    ...     :sid: '1001'
    ...     :email: ann@example.edu
    ...   :created_at: 2026-01-30 15:00:00.123 -08:00
    ... ''')
    >>> meta["submission_7"].student, meta["submission_7"].name
    ('1001', 'Ann Lee')
    """
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def any_tag(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!", any_tag)
    try:
        data = yaml.load(text, Loader=Loader)
    except yaml.YAMLError as e:
        raise ValueError(f"{GRADESCOPE_METADATA} cannot be read: {e}") from None
    out: dict[str, Who] = {}
    for sub, entry in (data or {}).items() if isinstance(data, dict) else []:
        if not isinstance(entry, dict):
            continue
        people = [p for p in entry.get(":submitters", []) or [] if isinstance(p, dict)]
        ids = [str(p.get(":sid") or p.get(":email") or p.get(":name") or "").strip()
               for p in people]
        if not people or not ids[0]:
            continue
        first = people[0]
        out[str(sub)] = Who(ids[0], str(first.get(":name") or ""),
                            email=str(first.get(":email") or ""),
                            timestamp=_timestamp(entry.get(":created_at")),
                            others=[i for i in ids[1:] if i])
    return out
