"""Grade a folder of submissions: one row per file, one per missing student.

    python -m autograder grade 01_micrograd submissions/ -o grades/ --lms canvas

1. intake: every file under the folder is an item (zip exports unpacked into
   OUT/unzipped/); lms.py finds each one's student from its name (a preset or
   --id-pattern); of a student's notebooks only the latest is graded, the others
   get a `superseded` row.
2. grading: each item not superseded is graded (grade.grade_file) unless OUT/results/
   holds its result under the same key (store.py), and saved there at once, so an
   interrupted batch resumes where it stopped.
3. the roster, if given: names and LMS ids are joined in, a student the roster does
   not know gets the status `unknown student` (graded all the same), and each roster
   student without a file a `missing` row.
4. every row is saved again where the batch changed it, and results of this
   assignment that are no longer rows are removed: results/*.json holds exactly the
   rows of grades.csv.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import intake, lms, store
from .build import graded_template
from .execute import Options, Unsafe, preflight
from .grade import GradingError, Result, grade_file, prepare_data
from .roster import Roster
from .secret import load_secret
from .source import read_source, source_path

GRADED = ("graded", "partial", "rejected", "error")   # what a run can give; kept in the store


@dataclass
class Intake:
    """How to read a submissions folder (see lms.py and roster.py)."""
    lms: str = "plain"                 # canvas | moodle | gradescope | plain
    pattern: str | None = None         # --id-pattern; None: the preset's
    roster: Roster | None = None
    force: bool = False                # grade everything again


def _pattern(how: Intake):
    text = how.pattern if how.pattern is not None else lms.PRESETS.get(how.lms)
    if how.lms not in lms.PRESETS:
        raise GradingError(f"unknown LMS {how.lms!r}; known: {', '.join(lms.PRESETS)}")
    try:
        return lms.compile_pattern(text) if text else None
    except ValueError as e:
        raise GradingError(str(e)) from None


def _metadata(items: list[intake.Item], how: Intake) -> dict | None:
    """Gradescope's submission_metadata.yml (taken out of the items), or None."""
    if how.lms != "gradescope":
        return None
    meta = [it for it in items if Path(it.rel).name == lms.GRADESCOPE_METADATA]
    if not meta:
        raise GradingError(f"--lms gradescope: no {lms.GRADESCOPE_METADATA} in the submissions "
                           "(unzip Gradescope's export into the folder, or put its zip there)")
    found: dict = {}
    for it in meta:
        items.remove(it)
        try:
            found.update(lms.gradescope_metadata(it.path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as e:
            raise GradingError(f"{it.name}: {e}") from None
    return found


def _describe(res: Result, item: intake.Item) -> None:
    """The row's file and what intake knows of its student."""
    res.file = item.name
    res.archive, res.member = item.archive, item.inner
    if item.who is not None:
        res.name, res.late, res.submitted = item.who.name, item.who.late, item.who.timestamp
        res.group = list(item.who.others)


def _flag(results: list[Result], items: list[intake.Item], roster: Roster | None) -> None:
    """The batch's verdicts: superseded files, students not in the roster."""
    for r, it in zip(results, items):
        if it.superseded_by is not None:
            r.status, r.note = "superseded", (f"not graded: {it.superseded_by.rel} was handed in "
                                              f"later by {r.student} and is graded instead")
        elif it.who is not None and not it.skip:
            older = [o.rel for o in items if o.superseded_by is it]
            if older:
                r.note = (f"{r.student} handed in {len(older) + 1} files; this one, the latest, "
                          f"is graded ({', '.join(older)} superseded)")
            if it.who.others:
                r.note = "; ".join(filter(None, [r.note, "a group submission, also of "
                                                 + ", ".join(it.who.others)]))
        for other in r.group if roster is not None and r.status != "superseded" else []:
            if other not in roster:
                r.note = "; ".join(filter(None, [r.note, f"group member {other} is not in "
                                                 "the roster"]))
        if roster is not None and r.student != "?":
            if r.student in roster:
                r.name = roster[r.student].name or r.name
            elif r.status != "superseded":
                r.status = "unknown student"
                r.note = "; ".join(filter(None, [f"{r.student} is not in the roster "
                                                 "(graded all the same)", r.note]))


def _missing(results: list[Result], roster: Roster | None, src) -> list[Result]:
    if roster is None:
        return []
    seen = {s for r in results for s in [r.student, *r.group]}
    return [Result(s.id, "", src.name, "missing", name=s.name, note="no file handed in",
                   scores={t.name: 0.0 for t in src.tasks}, run_status="missing",
                   points={t.name: t.points for t in src.tasks})
            for s in roster.values() if s.id not in seen]


def grade_folder(assignment: str, folder: Path, out: Path, jobs: int = 1,
                 opt: Options | None = None,
                 progress: Callable[[Result, int, int], None] | None = None,
                 how: Intake | None = None) -> list[Result]:
    """Grade every file in folder (see the module docstring); rows go to
    out/results/*.json. Raises GradingError when grading cannot start."""
    opt, how = opt or Options(), how or Intake()
    try:
        preflight(opt)
    except Unsafe as e:
        raise GradingError(f"{e}. Install bubblewrap, or pass --no-sandbox to run student code "
                           "unconfined (recorded in every row).") from None
    pattern = _pattern(how)
    src = read_source(source_path(assignment))
    template = graded_template(src)
    secret = load_secret()
    results_dir = out / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    items = intake.find_submissions(folder, assignment, out / "unzipped", exclude=out)
    intake.identify(items, assignment, pattern, _metadata(items, how))
    intake.supersede(items)
    batch = store.batch_key(assignment, opt, secret)
    work = Path(tempfile.mkdtemp(prefix="zth-grade-"))
    datadir = prepare_data(work)
    paths: dict[int, Path] = {}

    def one(item: intake.Item) -> Result:
        try:
            regular = item.path.is_file() and not item.path.is_symlink()
            data = item.path.read_bytes() if regular else b""
        except OSError:
            data = b""
        saved = results_dir / f"{store.file_id(assignment, item.identity, data)}.json"
        key = store.result_key(batch, item.identity, data)
        paths[id(item)] = saved
        student = item.who.student if item.who is not None else "?"
        res = None if how.force or item.superseded_by else store.load(saved, key, Result)
        if res is not None and res.run_status in GRADED:
            res.status, res.note = res.run_status, ""
        else:
            if item.superseded_by is not None:
                res = Result.failed(src, student, item.name, "superseded", "", opt.sandbox)
            elif item.who is None:
                res = Result.failed(src, "?", item.name, "rejected", item.why, opt.sandbox)
            elif item.skip:
                res = Result.failed(src, student, item.name, "rejected", item.skip, opt.sandbox)
            else:
                res = grade_file(item.path, src, student, work, datadir, opt, template, secret)
            res.isolation = res.isolation or opt.isolation
            res.run_status, res.key = res.status, key
            _describe(res, item)
            if res.run_status in GRADED:           # at once, so that a batch resumes
                store.save(saved, res)
        _describe(res, item)
        if progress:
            with lock:
                counter[0] += 1
                progress(res, counter[0], len(items))
        return res

    lock, counter = threading.Lock(), [0]
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            results = list(pool.map(one, items))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _flag(results, items, how.roster)
    missing = _missing(results, how.roster, src)
    keep = set()
    for r, it in zip(results, items):
        store.save(paths[id(it)], r)
        keep.add(paths[id(it)])
    for r in missing:
        p = results_dir / f"missing-{hashlib.sha256(r.student.encode()).hexdigest()[:16]}.json"
        store.save(p, r)
        keep.add(p)
    store.prune(results_dir, assignment, keep)
    return results + missing
