"""Grade submissions: run each in the sandbox, then score its exports.

    python -m autograder grade 01_micrograd submissions/ -o grades/

For each submitted notebook: read it (submission.read), put the student's answers
into the instructor's notebook (submission.assemble), execute that in the sandbox
(execute, runner), and score every task by running the instructor's check on the
values its hidden test exported while its test cell ran (check), on hidden inputs
drawn for this file from the instructor's secret (secret, kernel). One result per file, saved as JSON as
soon as it is known, so an interrupted batch resumes where it stopped.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import shutil
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from . import data, intake
from .build import graded_template
from .check import STUDENT_TEXT, Checks, Exports, run_check
from .execute import Options, Run, Unsafe, execute, preflight
from .kernel import _zth_hidden
from .secret import load_secret, seed_for
from .source import Source, read_source, source_path
from .submission import Rejected, assemble, read

__all__ = ["Options", "Result", "GradingError", "grade_file", "grade_folder", "prepare_data"]


class GradingError(Exception):
    """Grading cannot start (no sandbox, no secret): the CLI prints it and exits."""


@dataclass
class Result:
    student: str
    file: str
    assignment: str
    status: str                     # graded | partial | rejected | error | duplicate
    error: str = ""
    scores: dict[str, float] = field(default_factory=dict)
    points: dict[str, float] = field(default_factory=dict)
    messages: dict[str, list[str]] = field(default_factory=dict)
    cell_errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    sandboxed: bool = True
    inputs_seed: int | None = None  # the hidden inputs this file met (see secret.py)
    limits: str = ""                # which resource limits held: cgroup v2 / v1 / rlimit
    isolation: str = ""             # bubblewrap | privilege separation | none (see sandbox.py)

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
    drawn = _zth_hidden(src.inputs, inputs_seed) if src.inputs else None   # drawn once
    for task in src.tasks:
        exports = Exports.parse(run.records(task.name))
        hidden = copy.deepcopy(drawn)      # each task gets its own copy
        try:
            t = run_check(src.checks[task.name], task.name, exports, src.name, hidden)
        except Exception as e:
            print(f"warning: the check of {src.name}/{task.name} broke ({type(e).__name__}: "
                  f"{e}); the task scores 0", file=sys.stderr, flush=True)
            t = Checks()
            t.fail(None, "your recorded values", "could not be checked (they have an "
                   "unexpected type or shape; see the messages of your test cell)")
        fractions[task.name], checks[task.name] = t.fraction, t
    return fractions, checks


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


def grade_folder(assignment: str, folder: Path, out: Path, jobs: int = 1,
                 opt: Options | None = None, progress=None) -> list[Result]:
    """Grade every file in folder; results go to out/results/*.json (resumable)."""
    opt = opt or Options()
    try:
        preflight(opt)
    except Unsafe as e:
        raise GradingError(f"{e}. Install bubblewrap, or pass --no-sandbox to run student code "
                           "unconfined (recorded in every row).") from None
    src = read_source(source_path(assignment))
    template = graded_template(src)
    secret = load_secret()
    store = out / "results"
    store.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="zth-grade-"))
    datadir = prepare_data(work)

    def one(item: intake.Item) -> Result:
        saved = store / f"{item.key}.json"
        if saved.is_file():
            try:
                return Result.from_json(json.loads(saved.read_text()))
            except (ValueError, TypeError):
                pass                        # unreadable or from another version: re-grade
        try:
            student = intake.student_of(item, assignment)
        except Rejected as e:
            student = "?"
            res = Result.failed(src, "?", item.name, "rejected", str(e), opt.sandbox)
        if item.skip:
            res = Result.failed(src, student, item.name, "rejected", item.skip, opt.sandbox)
        elif student != "?":
            res = grade_file(item.path, src, student, work, datadir, opt, template, secret)
        res.file, res.isolation = item.name, res.isolation or opt.isolation
        tmp = saved.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(res), indent=1))
        tmp.replace(saved)
        if progress:
            with lock:
                counter[0] += 1
                progress(res, counter[0], len(items))
        return res

    lock, counter = threading.Lock(), [0]
    items = intake.find_submissions(folder, assignment, unzip_into=work / "zip")
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            results = list(pool.map(one, items))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    intake.flag_duplicates(results, items)
    return results
