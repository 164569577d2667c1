"""Grade submissions: run each in the sandbox, then score its exports.

    python -m autograder grade 01_micrograd submissions/ -o grades/

For each submitted notebook: read it (submission.read), put the student's answers
into the instructor's notebook (submission.assemble), execute that in the sandbox
(sandbox, runner), and score every task by running the instructor's check on the
values the hidden tests exported (check). One result per file, saved as JSON as
soon as it is known, so an interrupted batch resumes where it stopped.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from . import data, sandbox
from .limits import Limits
from .build import _header
from .check import MAX_EXPORT_BYTES, Exports, run_check
from .source import Source, read_source, source_path
from .submission import Rejected, assemble, read, student_id

RUNNER = Path(__file__).with_name("runner.py")


@dataclass
class Options:
    scale: str = "grading"          # ZTH_SCALE inside the notebook
    cell_timeout: int = 120         # seconds per cell
    timeout: int = 300              # seconds per notebook, kernel start included
    sandbox: bool = True            # False only with --no-sandbox; recorded in every row
    threads: int = 1                # torch/OpenMP threads per notebook
    seed: int | None = None         # ZTH_SEED inside the notebook (None: the notebook's default)
    gpu: bool = False               # let the notebook see CUDA devices (unsandboxed runs only)
    memory: int = 4 * 2**30         # bytes of memory per notebook
    pids: int = 512                 # processes and threads per notebook


@dataclass
class Result:
    student: str
    file: str
    assignment: str
    status: str                     # graded | partial | rejected | error
    error: str = ""
    scores: dict[str, float] = field(default_factory=dict)
    points: dict[str, float] = field(default_factory=dict)
    messages: dict[str, list[str]] = field(default_factory=dict)
    cell_errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    sandboxed: bool = True

    @classmethod
    def failed(cls, src: Source, student: str, file: str, status: str, error: str,
               sandboxed: bool) -> "Result":
        """A result where every task scores 0, with the reason."""
        return cls(student, file, src.name, status, error, sandboxed=sandboxed,
                   scores={t.name: 0.0 for t in src.tasks},
                   points={t.name: t.points for t in src.tasks})

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


def _execute(nb: nbformat.NotebookNode, job: Path, datadir: Path, opt: Options) -> str:
    """Run the notebook in job/ (executed copy: job/out.ipynb); return a problem or ""."""
    nbformat.write(nb, job / "run.ipynb")
    shutil.copyfile(RUNNER, job / "runner.py")
    (job / "exports.jsonl").write_text("")
    env = {"ZTH_SCALE": opt.scale, "ZTH_EXPORT": "exports.jsonl",
           "OMP_NUM_THREADS": str(opt.threads), "MKL_NUM_THREADS": str(opt.threads)}
    if opt.seed is not None:
        env["ZTH_SEED"] = str(opt.seed)
    if not opt.gpu:
        env["CUDA_VISIBLE_DEVICES"] = ""
    argv = [sys.executable, "runner.py", "run.ipynb", "out.ipynb", str(opt.cell_timeout)]
    if opt.sandbox:
        cmd = sandbox.command(argv, job=job, data=datadir, env={**env, "ZTH_DATA_DIR": "/data"})
        cwd, full_env = None, None
    else:
        cmd, cwd = argv, job
        full_env = {**os.environ, **env, "ZTH_DATA_DIR": str(datadir),
                    "ZTH_EXPORT": str(job / "exports.jsonl"), "MPLBACKEND": "Agg"}
    log = open(job / "runner.log", "wb")
    with log, Limits(job.name, memory=opt.memory, pids=opt.pids) as lim:
        proc = subprocess.Popen(lim.prefix + cmd, cwd=cwd, env=full_env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            proc.wait(timeout=opt.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            lim.kill()
            proc.wait()
            return f"the notebook ran past the {opt.timeout} s time limit and was stopped"
        oom = lim.oom_killed()
    if oom:
        return (f"the notebook used more than {opt.memory / 2**30:g} GiB of memory and was "
                "stopped; what ran before that was graded")
    if proc.returncode != 0:
        with open(job / "runner.log", "rb") as f:
            f.seek(max(0, f.seek(0, 2) - 2000))
            tail = f.read().decode("utf-8", "replace").strip().splitlines()[-1:]
        return (f"the notebook could not be run to the end (exit {proc.returncode}"
                + (f": {tail[0][:200]}" if tail else "") + ")")
    return ""


INTERRUPTED = "a cell ran past the per-cell time limit and was interrupted; the notebook went on"


def _cell_errors(path: Path) -> tuple[dict[str, str], str, str]:
    """From the executed notebook, for feedback only (untrusted): the errors shown in
    test cells by task, the runner's problem if it did not finish ("" if it did), and a
    note if some cell was interrupted by the per-cell time limit ("" if none)."""
    if not path.is_file() or path.stat().st_size > 64 * 2**20:
        return {}, "", ""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        return {}, "", ""
    errors, interrupted = {}, ""
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            if out.get("ename") == "KeyboardInterrupt":
                interrupted = INTERRUPTED
            if gid.startswith("test_"):
                errors[gid[5:]] = f"{out.get('ename', '')}: {out.get('evalue', '')}"[:500]
    status = str(nb.metadata.get("zth_run", {}).get("status", ""))
    return errors, "" if status == "ok" else status, interrupted


def run_submission(nb: nbformat.NotebookNode, src: Source, workroot: Path, datadir: Path,
                   opt: Options) -> tuple[Exports, str, dict[str, str], str]:
    """Assemble and execute a notebook; return (exports, problem, test-cell errors,
    interrupted): the problem says why the notebook did not run to the end, and
    interrupted that a cell hit the per-cell time limit and the notebook went on
    (each "" if not)."""
    nb = assemble(nb, src, _header(src, "exercises"))
    job = Path(tempfile.mkdtemp(prefix="job-", dir=workroot))
    try:
        problem = _execute(nb, job, datadir, opt)
        executed = job / "out.ipynb"
        exports_file = job / "exports.jsonl"
        size = exports_file.stat().st_size if exports_file.is_file() else 0
        if size > MAX_EXPORT_BYTES:
            raise Rejected("the notebook wrote more grading data than allowed")
        exports = Exports.parse(exports_file.read_text("utf-8", "replace") if size else "")
        cell_errors, run_status, interrupted = _cell_errors(executed)
        return exports, problem or run_status, cell_errors, interrupted
    finally:
        shutil.rmtree(job, ignore_errors=True)


def grade_file(path: Path, src: Source, student: str, workroot: Path, datadir: Path,
               opt: Options) -> Result:
    res = Result(student, str(path), src.name, "graded", sandboxed=opt.sandbox,
                 points={t.name: t.points for t in src.tasks})
    start = time.monotonic()
    try:
        exports, problem, res.cell_errors, interrupted = run_submission(read(path), src, workroot,
                                                                        datadir, opt)
        for task in src.tasks:
            t = run_check(src.checks[task.name], task.name, exports, src.name)
            res.scores[task.name] = round(task.points * t.fraction, 2)
            res.messages[task.name] = t.messages
        if problem:
            res.status = "partial"
        res.error = problem or interrupted
    except Rejected as e:
        res = Result.failed(src, student, str(path), "rejected", str(e), opt.sandbox)
    except Exception as e:  # a grader bug: say so, keep going with the batch
        res = Result.failed(src, student, str(path), "error",
                            f"grader error: {type(e).__name__}: {e}", opt.sandbox)
        traceback.print_exc()
    res.seconds = round(time.monotonic() - start, 2)
    return res


MAX_UNZIPPED = 1 * 2**30


def _unzip(path: Path, into: Path) -> list[tuple[Path, str | None]]:
    """The notebooks inside an LMS zip export, extracted safely (no paths outside
    `into`, no more than MAX_UNZIPPED bytes); folders inside name the student."""
    found, total = [], 0
    with zipfile.ZipFile(path) as z:
        for i, info in enumerate(z.infolist()):
            parts = [p for p in Path(info.filename).parts if p not in ("", ".", "..", "/")]
            if info.is_dir() or not parts or parts[-1].startswith(".") or "__MACOSX" in parts:
                continue
            total += info.file_size
            if total > MAX_UNZIPPED:
                raise Rejected("the zip archive unpacks to more than 1 GiB")
            dest = into / f"{i:04d}" / parts[-1]
            dest.parent.mkdir(parents=True, exist_ok=True)
            with z.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)
            found.append((dest, parts[-2] if len(parts) > 1 else None))
    return found


def find_submissions(folder: Path, assignment: str) -> list[tuple[Path, str | None]]:
    """(file, student folder or None) for every file under folder, hidden files aside."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(p.startswith(".") for p in rel.parts):
            continue
        found.append((path, rel.parts[0] if len(rel.parts) > 1 else None))
    return found


def _key(path: Path) -> str:
    h = hashlib.sha256(str(path).encode() + b"\0" + path.read_bytes()).hexdigest()
    return h[:16]


def grade_folder(assignment: str, folder: Path, out: Path, jobs: int = 1,
                 opt: Options | None = None, progress=None) -> list[Result]:
    """Grade every file in folder; results go to out/results/*.json (resumable)."""
    opt = opt or Options()
    if opt.sandbox and (why := sandbox.available()):
        raise SystemExit(f"the sandbox cannot start here ({why}). Install bubblewrap, or pass "
                         "--no-sandbox to run student code unconfined (recorded in every row).")
    src = read_source(source_path(assignment))
    store = out / "results"
    store.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="zth-grade-"))
    datadir = prepare_data(work)

    def one(item: tuple[Path, str | None]) -> Result:
        path, folder_name = item
        saved = store / f"{_key(path)}.json"
        if saved.is_file():
            return Result(**json.loads(saved.read_text()))
        try:
            student = student_id(path.name, assignment, folder_name)
            res = grade_file(path, src, student, work, datadir, opt)
        except Rejected as e:
            res = Result.failed(src, "?", str(path), "rejected", str(e), opt.sandbox)
        tmp = saved.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(res), indent=1))
        tmp.replace(saved)
        if progress:
            with lock:
                counter[0] += 1
                progress(res, counter[0], len(items))
        return res

    lock, counter = threading.Lock(), [0]
    items = []
    for path, folder_name in find_submissions(folder, assignment):
        if path.suffix.lower() != ".zip":
            items.append((path, folder_name))
            continue
        try:
            items += [(p, f or folder_name) for p, f in _unzip(path, work / "zip" / _key(path))]
        except (Rejected, OSError, ValueError, zipfile.BadZipFile):
            items.append((path, folder_name))   # then rejected as a file, with a message
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            results = list(pool.map(one, items))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    by_student: dict[str, list[Result]] = {}
    for r in results:
        if r.status != "rejected" or r.student != "?":
            by_student.setdefault(r.student, []).append(r)
    for student, rs in by_student.items():
        if len(rs) > 1:
            files = ", ".join(Path(r.file).name for r in rs)
            for r in rs:
                r.error = (f"{student} handed in {len(rs)} files ({files}); each was graded: "
                           f"keep one. " + r.error).strip()
                r.status = "duplicate" if r.status == "graded" else r.status
    return results
