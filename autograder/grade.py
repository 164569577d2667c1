"""Grade one submission: run it in the sandbox, then score its exports.

For each submitted notebook (batch.py walks a folder of them): read it
(submission.read), put the student's answers into the instructor's notebook (submission.assemble), execute that in the sandbox
(execute, runner), and score every task by running the instructor's check on the
values its hidden test exported while its test cell ran (check), on hidden inputs
drawn for this file from the instructor's secret (secret, kernel). One result per file.
"""
from __future__ import annotations

import copy
import dataclasses
import shutil
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import data
from .check import STUDENT_TEXT, Checks, Exports, Missing, run_check
from .execute import Options, Run, execute
from .kernel import draw_inputs
from .secret import seed_for
from .source import Source
from .store import RESULT_VERSION
from .submission import Rejected, assemble, read

__all__ = ["Options", "Result", "GradingError", "grade_file", "prepare_data"]


class GradingError(Exception):
    """Grading cannot start (no sandbox, no secret): the CLI prints it and exits."""


@dataclass
class Result:
    student: str
    file: str
    assignment: str
    status: str                     # graded | partial | rejected | error, or from the
                                    # batch: superseded | unknown student | missing
    error: str = ""
    scores: dict[str, float] = field(default_factory=dict)
    points: dict[str, float] = field(default_factory=dict)
    messages: dict[str, list[str]] = field(default_factory=dict)
    diagnoses: dict[str, list[dict]] = field(default_factory=dict)  # task -> known mistakes
                                    # its answer behaves like: {id, says, see} (check.diagnose)
    cell_errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    sandboxed: bool = True
    inputs_seed: int | None = None  # the hidden inputs this file met (see secret.py)
    limits: str = ""                # which resource limits held: cgroup v2 / v1 / rlimit
    isolation: str = ""             # bubblewrap | privilege separation | none (see sandbox.py)
    name: str = ""                  # the student's name (roster, else the LMS file name)
    late: bool = False              # the LMS marked the file late
    submitted: str = ""             # when it was handed in, if the LMS says (ISO 8601)
    archive: str = ""               # for a zip member: the archive it came from
    member: str = ""                # for a zip member: its path in the archive
    group: list[str] = field(default_factory=list)   # the other students of a group submission
    note: str = ""                  # what the batch found (superseded, not in the roster)
    run_status: str = ""            # the status grading gave, before the batch's flags
    key: str = ""                   # what the score depends on (see store.py)
    version: int = RESULT_VERSION

    @classmethod
    def failed(cls, src: Source, student: str, file: str, status: str, error: str,
               sandboxed: bool) -> "Result":
        """A result where every task scores 0, with the reason."""
        return cls(student, file, src.name, status, error, sandboxed=sandboxed,
                   scores={t.name: 0.0 for t in src.tasks},
                   points={t.name: t.points for t in src.tasks})

    @classmethod
    def from_json(cls, d: dict) -> "Result":
        """A saved result; fields this version does not know are dropped."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    @property
    def total(self) -> float:
        return round(sum(self.scores.values()), 2)

    @property
    def max_score(self) -> float:
        return sum(self.points.values())


def prepare_data(root: Path) -> Path:
    """A folder holding every course data file we can get (the sandbox has no network)."""
    folder = root / "data"
    folder.mkdir(exist_ok=True)
    for name in data.DATASETS:
        try:
            shutil.copyfile(data.data_path(name), folder / name)
        except (OSError, ValueError, RuntimeError) as e:  # notebooks needing it will fail
            print(f"warning: data set {name} is not available to the notebooks: {e}",
                  file=sys.stderr, flush=True)
    return folder


def run_submission(nb: nbformat.NotebookNode, src: Source, template: nbformat.NotebookNode,
                   workroot: Path, datadir: Path, opt: Options,
                   inputs_seed: int) -> tuple[Run, list[str]]:
    """Assemble a submission into the graded template and execute it; return what the
    run reported and notes about answer cells that were not found."""
    nb, notes = assemble(nb, src, template)
    return execute(nb, workroot, datadir, opt, inputs_seed), notes


def score(src: Source, run: Run, inputs_seed: int) -> tuple[dict, dict]:
    """(task -> fraction of its checks passed, task -> Checks) from a run's records.
    Each task sees only what its own test cell recorded; a check that breaks on an
    odd recorded value costs that task alone."""
    fractions, checks = {}, {}
    drawn = draw_inputs(src.inputs, inputs_seed) if src.inputs else None   # drawn once
    for task in src.tasks:
        exports = Exports.parse(run.records(task.name))
        if (why := nothing_recorded(exports)) is not None:
            t = Checks()                   # every comparison would fail: say it once
            t.fail(why, "no hidden test got a value from your code")
            fractions[task.name], checks[task.name] = 0.0, t
            continue
        hidden = copy.deepcopy(drawn)      # each task gets its own copy
        try:
            t = run_check(src.checks[task.name], task.name, exports, src.name, hidden,
                          src.mistakes.get(task.name, ""), lambda: copy.deepcopy(drawn))
        except Exception as e:
            print(f"warning: the check of {src.name}/{task.name} broke ({type(e).__name__}: "
                  f"{e}); the task scores 0", file=sys.stderr, flush=True)
            t = Checks()
            t.fail(None, "your recorded values", "could not be checked (they have an "
                   "unexpected type or shape; see the messages of your test cell)")
        fractions[task.name], checks[task.name] = t.fraction, t
    return fractions, checks


def nothing_recorded(x: Exports) -> Missing | None:
    """Why no probe of a task recorded a value (each raised, or none ran), or None if
    one did. Such a task scores 0 whatever its check (any comparison with a Missing
    fails), so the check is not run and the feedback says why once.

    >>> nothing_recorded(Exports.parse('{"k": "a", "v": {"__error__": "ValueError: no"}}'))
    Missing('your code raised an error')
    >>> nothing_recorded(Exports.parse('{"k": "a", "v": 1}')) is None
    True
    """
    values = [v for k, v in x.items() if not k.startswith("record/")]
    if any(not isinstance(v, Missing) for v in values):
        return None
    return next((v for v in values if v.raised), None) or \
        Missing("no value was recorded (the test cell raised an error or never ran)")


def _excerpt(etype: str, msg: str, room: int) -> str:
    """An exception shown in a test cell, type first, at most `room` characters of text."""
    text = f"{etype}: {msg}" if msg else etype
    return text if len(text) <= room else text[:max(room, len(etype))] + "..."


def grade_file(path: Path, src: Source, student: str, workroot: Path, datadir: Path,
               opt: Options, template: nbformat.NotebookNode, secret: bytes) -> Result:
    res = Result(student, str(path), src.name, "graded", sandboxed=opt.sandbox,
                 points={t.name: t.points for t in src.tasks})
    start = time.monotonic()
    try:
        nb = read(path)
        res.inputs_seed = seed_for(secret, src.name, path.read_bytes())
        run, notes = run_submission(nb, src, template, workroot, datadir, opt, res.inputs_seed)
        res.limits, res.isolation = run.limits, run.isolation
        res.sandboxed = run.isolation == "bubblewrap"
        fractions, checks = score(src, run, res.inputs_seed)
        errors = run.errors()
        for task in src.tasks:
            t = checks[task.name]
            res.scores[task.name] = round(task.points * fractions[task.name], 2)
            res.messages[task.name] = t.messages
            if t.diagnoses:
                res.diagnoses[task.name] = [m.as_dict() for m in t.diagnoses]
            if task.name in errors:
                res.cell_errors[task.name] = _excerpt(*errors[task.name],
                                                      max(0, STUDENT_TEXT - t.shown))
        if run.problem:
            res.status = "partial"
        res.error = "; ".join(filter(None, [run.problem or run.interrupted, *notes]))
    except Rejected as e:
        res = Result.failed(src, student, str(path), "rejected", str(e), opt.sandbox)
    except Exception as e:  # a grader bug: say so, keep going with the batch
        res = Result.failed(src, student, str(path), "error",
                            f"grader error: {type(e).__name__}: {e}", opt.sandbox)
        traceback.print_exc()
    res.seconds = round(time.monotonic() - start, 2)
    return res
