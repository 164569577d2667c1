"""Execute one assembled notebook in isolation and collect what its test cells recorded.

The notebook runs under runner.py in a fresh job folder, inside bubblewrap or, where
bubblewrap cannot start and the grader is root, under privilege separation (see
sandbox.py), in a cgroup (limits) and, as root, under a uid of its own with rlimits.
The runner reports through a pipe that only it holds: for each cell, the records the
kernel exported while that cell ran. Nothing is ever read back from the job folder
(no open() of any path in it), which student code could have filled with links or
forged files; the folder is a tmpfs that dies with the sandbox, or a host folder
removed afterwards.

>>> r = Run(cells=[{"grade_id": "test_a", "records": ['{"k": "x", "v": 1}'], "error": None}])
>>> r.records("a")
['{"k": "x", "v": 1}']
>>> r.records("b")
[]
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import sandbox
from .sandbox import JOB_SIZE
from .limits import Limits

RUNNER = Path(__file__).with_name("runner.py")
MAX_REPORT_BYTES = 80 * 2**20      # what the runner may send (records are capped at 64 MiB)
LOG_TAIL = 4000                     # bytes of the sandbox's output kept, for the error line
INTERRUPTED = "a cell ran past the per-cell time limit and was interrupted; the notebook went on"


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
    disk: int = JOB_SIZE            # bytes of the job folder (a tmpfs; /tmp gets as much)
    isolation: str = "auto"         # bubblewrap | privilege separation | none; auto: preflight()
    allow_no_process_limit: bool = False   # grade even where no process limit can hold
    hide: tuple = ()                # host folders a privilege-separated run must not see


@dataclass
class Run:
    """What came back from one execution."""
    cells: list[dict] = field(default_factory=list)   # one report per code cell, in order
    problem: str = ""               # why the notebook did not run to the end ("" if it did)
    interrupted: str = ""           # INTERRUPTED if some cell hit the per-cell limit
    limits: str = ""                # which limits held: "cgroup v2", "cgroup v1" or "rlimit"
    isolation: str = ""             # "bubblewrap", "privilege separation" or "none"

    def records(self, task: str) -> list[str]:
        """The JSON lines the kernel exported while the test cell of `task` ran."""
        return [line for c in self.cells if c.get("grade_id") == f"test_{task}"
                for line in c.get("records", []) if isinstance(line, str)]

    def errors(self) -> dict[str, tuple[str, str]]:
        """task -> (exception type, message) shown in its test cell (untrusted text)."""
        out = {}
        for c in self.cells:
            gid, err = str(c.get("grade_id", "")), c.get("error")
            if gid.startswith("test_") and isinstance(err, list) and len(err) == 2:
                out.setdefault(gid[5:], (str(err[0])[:100], str(err[1])[:1000]))
        return out


class _Drain(threading.Thread):
    """Reads a pipe to its end in the background, keeping at most `cap` bytes."""

    def __init__(self, fd: int, cap: int, tail: bool = False):
        super().__init__(daemon=True)
        self.f, self.cap, self.tail = os.fdopen(fd, "rb"), cap, tail
        self.data, self.overflow = bytearray(), False
        self.start()

    def run(self) -> None:
        with self.f:
            while chunk := self.f.read(65536):
                self.data += chunk
                if len(self.data) > self.cap:
                    self.overflow = True
                    if self.tail:
                        del self.data[:-self.cap]
                    else:
                        del self.data[self.cap:]


def _parse(report: bytes, overflow: bool) -> Run:
    run, status = Run(), None
    for line in report.decode("utf-8", "replace").splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if not isinstance(msg, dict):
            continue
        if "status" in msg:
            status = str(msg["status"])
        elif isinstance(msg.get("records"), list):
            run.cells.append(msg)
            if msg.get("interrupted"):
                run.interrupted = INTERRUPTED
    if overflow:
        run.problem = "the notebook recorded more grading data than allowed"
    elif status is None:
        run.problem = "the notebook could not be run to the end"
    elif status != "ok":
        run.problem = status
    return run


class Unsafe(RuntimeError):
    """Student code cannot be run safely here (no isolation, or no process limit)."""


def preflight(opt: Options) -> str:
    """Decide, once per batch, the isolation student code gets here (stored in
    opt.isolation) and check that a process limit holds; raises Unsafe if neither
    bubblewrap nor privilege separation can run (and opt.sandbox asks for one), or if
    no process limit can hold and opt.allow_no_process_limit is not set."""
    if opt.isolation == "auto":
        try:
            opt.isolation = sandbox.isolation(opt.sandbox)
        except sandbox.SandboxUnavailable as e:
            raise Unsafe(str(e)) from None
    with Limits(f"probe-{os.getpid()}-{time.monotonic_ns()}", memory=opt.memory,
                pids=opt.pids) as lim:
        kind = lim.kind
    per_uid = opt.isolation != sandbox.NONE and sandbox.host_uid(0) is not None
    if kind == "rlimit" and not per_uid and not opt.allow_no_process_limit:
        raise Unsafe("no process limit can hold here (no cgroup, and the grader is not root "
                     "so student code cannot get a uid of its own for RLIMIT_NPROC): a fork "
                     "bomb would reach the whole machine. Pass --allow-no-process-limit to "
                     "grade anyway.")
    return opt.isolation


def execute(nb: nbformat.NotebookNode, workroot: Path, datadir: Path, opt: Options,
            inputs_seed: int) -> Run:
    """Run nb in a fresh job folder; nothing of it is left afterwards."""
    if opt.isolation == "auto":
        preflight(opt)
    with sandbox.Slot() as slot:       # the job's own host uid (as root), no one else's
        return _execute(nb, workroot, datadir, opt, inputs_seed, slot.uid)


def kill_uid(uid: int) -> None:
    """SIGKILL every process whose real uid is `uid` (a job's own uid: nothing else runs
    under it), until none is left."""
    for _ in range(100):
        found = False
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if os.stat(entry.path).st_uid != uid:
                    continue
                with open(f"{entry.path}/status") as f:
                    real = next(ln for ln in f if ln.startswith("Uid:")).split()[1]
                if int(real) == uid:
                    os.kill(int(entry.name), signal.SIGKILL)
                    found = True
            except (OSError, StopIteration, ValueError):
                pass
        if not found:
            return
        time.sleep(0.02)


def _disk_note(run: Run, disk: int) -> str:
    for c in run.cells:
        err = c.get("error")
        if isinstance(err, list) and len(err) == 2 and any(
                s in str(err[1]) for s in ("No space left on device", "File too large",
                                           "Disk quota exceeded")):
            return (f"a cell wrote more than the job folder holds ({disk / 2**20:g} MiB) and "
                    f"stopped there with {str(err[0])[:40]}: {str(err[1])[:80]}; the notebook went on")
    return ""


def _execute(nb, workroot: Path, datadir: Path, opt: Options, inputs_seed: int,
             slot_uid: int | None) -> Run:
    files = {"run.ipynb": nbformat.writes(nb).encode(), "runner.py": RUNNER.read_bytes()}
    env = {"ZTH_SCALE": opt.scale, "ZTH_EXPORT": "exports.jsonl",
           "ZTH_INPUTS_SEED": str(inputs_seed),
           "OMP_NUM_THREADS": str(opt.threads), "MKL_NUM_THREADS": str(opt.threads)}
    if opt.seed is not None:
        env["ZTH_SEED"] = str(opt.seed)
    if not opt.gpu:
        env["CUDA_VISIBLE_DEVICES"] = ""
    iso = opt.isolation
    uid = slot_uid if iso != sandbox.NONE else None
    host_job: Path | None = None
    report_r, report_w = os.pipe()
    log_r, log_w = os.pipe()
    argv = [sys.executable, "runner.py", "run.ipynb", str(opt.cell_timeout), str(report_w)]
    quiet_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    try:
        if iso == sandbox.BUBBLEWRAP:
            cmd = sandbox.command(argv, data=datadir, env=env, files=files, size=opt.disk, uid=uid)
            cwd, full_env = None, quiet_env
        elif iso == sandbox.PRIVSEP:
            if not sandbox.unshare_works():     # a job folder on the host that only uid may enter
                for d in (workroot, datadir):
                    d.chmod(0o711 if d == workroot else 0o755)
                jobs = workroot / "jobs"
                jobs.mkdir(mode=0o711, exist_ok=True)
                host_job = Path(tempfile.mkdtemp(prefix="job-", dir=jobs))
            cmd = sandbox.command(argv, data=datadir, env=env, files=files, size=opt.disk, uid=uid,
                                  isolation=sandbox.PRIVSEP, hide=list(opt.hide), host_job=host_job)
            cwd, full_env = host_job, quiet_env
        else:
            host_job = Path(tempfile.mkdtemp(prefix="job-", dir=workroot))
            for name, content in {**files, "exports.jsonl": b""}.items():
                (host_job / name).write_bytes(content)
            cmd = sandbox.Command(argv, isolation=sandbox.NONE)
            cwd = host_job
            full_env = {**os.environ, **env, "ZTH_DATA_DIR": str(datadir),
                        "ZTH_EXPORT": str(host_job / "exports.jsonl"), "MPLBACKEND": "Agg"}
    except BaseException:
        for fd in (report_r, report_w, log_r, log_w):
            os.close(fd)
        if host_job:
            shutil.rmtree(host_job, ignore_errors=True)
        raise
    try:
        return _start(cmd, cwd, full_env, opt, uid, report_r, report_w, log_r, log_w)
    finally:
        if host_job:
            shutil.rmtree(host_job, ignore_errors=True)


def _start(cmd: sandbox.Command, cwd, full_env, opt: Options, uid: int | None,
           report_r: int, report_w: int, log_r: int, log_w: int) -> Run:
    with Limits(f"{os.getpid()}-{report_w}-{time.monotonic_ns()}", memory=opt.memory,
                pids=opt.pids) as lim:
        rlimits: list[str] = []
        if uid is not None:      # the job's own uid: RLIMIT_NPROC counts this job alone
            rlimits = ["prlimit", f"--nproc={opt.pids}", "--core=0"]
            if cmd.isolation == sandbox.PRIVSEP:
                rlimits += [f"--fsize={opt.disk}", f"--cpu={opt.timeout}"]
            rlimits.append("--")
        try:
            proc = cmd.popen(lim.prefix + rlimits, cwd=cwd, env=full_env, stdout=log_w,
                             stderr=log_w, stdin=subprocess.DEVNULL, start_new_session=True,
                             pass_fds=(report_w,))
        except BaseException:
            os.close(report_r)
            os.close(log_r)
            raise
        finally:
            os.close(report_w)
            os.close(log_w)
        report, log = _Drain(report_r, MAX_REPORT_BYTES), _Drain(log_r, LOG_TAIL, tail=True)
        timed_out = False
        try:
            proc.wait(timeout=opt.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        _kill(proc, lim, uid)
        report.join(10)
        log.join(10)
        oom = lim.oom_killed()
        kind = lim.kind
    run = _parse(bytes(report.data), report.overflow)
    run.isolation = cmd.isolation
    run.limits = kind if kind != "rlimit" else (
        "rlimit" if uid is not None else "rlimit (no process limit)")
    run.interrupted = "; ".join(filter(None, [run.interrupted, _disk_note(run, opt.disk)]))
    if timed_out:
        run.problem = f"the notebook ran past the {opt.timeout} s time limit and was stopped"
    elif oom:
        run.problem = (f"the notebook used more than {opt.memory / 2**30:g} GiB of memory and was "
                       "stopped; what ran before that was graded")
    elif proc.returncode != 0 and not run.problem:
        tail = bytes(log.data).decode("utf-8", "replace").strip().splitlines()[-1:]
        run.problem = (f"the notebook could not be run to the end (exit {proc.returncode}"
                       + (f": {tail[0][:200]}" if tail else "") + ")")
    elif proc.returncode != 0:
        run.problem += f" (exit {proc.returncode})"
    return run


def _kill(proc: subprocess.Popen, lim: Limits, uid: int | None) -> None:
    """Stop whatever the notebook left running: its process group, its cgroup, its uid."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    lim.kill()
    if uid is not None:
        kill_uid(uid)
    proc.wait()
