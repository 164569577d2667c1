"""Execute one assembled notebook in the sandbox and collect what its test cells recorded.

The notebook runs under runner.py in a fresh job folder, inside bubblewrap (sandbox)
and a cgroup (limits). The runner reports through a pipe that only it holds: for
each cell, the records the kernel exported while that cell ran. Nothing is read back
from the job folder, which student code could have filled with links or forged files.

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
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import sandbox
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


@dataclass
class Run:
    """What came back from one execution."""
    cells: list[dict] = field(default_factory=list)   # one report per code cell, in order
    problem: str = ""               # why the notebook did not run to the end ("" if it did)
    interrupted: str = ""           # INTERRUPTED if some cell hit the per-cell limit
    limits: str = ""                # which limits held: "cgroup v2", "cgroup v1" or "rlimit"

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


def execute(nb: nbformat.NotebookNode, workroot: Path, datadir: Path, opt: Options,
            inputs_seed: int) -> Run:
    """Run nb in a fresh job folder under workroot; the folder is gone afterwards."""
    job = Path(tempfile.mkdtemp(prefix="job-", dir=workroot))
    try:
        return _execute(nb, job, datadir, opt, inputs_seed)
    finally:
        shutil.rmtree(job, ignore_errors=True)


def _execute(nb, job: Path, datadir: Path, opt: Options, inputs_seed: int) -> Run:
    nbformat.write(nb, job / "run.ipynb")
    shutil.copyfile(RUNNER, job / "runner.py")
    (job / "exports.jsonl").write_text("")
    env = {"ZTH_SCALE": opt.scale, "ZTH_EXPORT": "exports.jsonl",
           "ZTH_INPUTS_SEED": str(inputs_seed),
           "OMP_NUM_THREADS": str(opt.threads), "MKL_NUM_THREADS": str(opt.threads)}
    if opt.seed is not None:
        env["ZTH_SEED"] = str(opt.seed)
    if not opt.gpu:
        env["CUDA_VISIBLE_DEVICES"] = ""
    report_r, report_w = os.pipe()
    log_r, log_w = os.pipe()
    argv = [sys.executable, "runner.py", "run.ipynb", str(opt.cell_timeout), str(report_w)]
    if opt.sandbox:
        cmd = sandbox.command(argv, job=job, data=datadir, env={**env, "ZTH_DATA_DIR": "/data"})
        cwd, full_env = None, None
    else:
        cmd, cwd = argv, job
        full_env = {**os.environ, **env, "ZTH_DATA_DIR": str(datadir),
                    "ZTH_EXPORT": str(job / "exports.jsonl"), "MPLBACKEND": "Agg"}
    with Limits(job.name, memory=opt.memory, pids=opt.pids) as lim:
        try:
            proc = subprocess.Popen(lim.prefix + cmd, cwd=cwd, env=full_env, stdout=log_w,
                                    stderr=log_w, stdin=subprocess.DEVNULL,
                                    start_new_session=True, pass_fds=(report_w,))
        finally:
            os.close(report_w)
            os.close(log_w)
        report, log = _Drain(report_r, MAX_REPORT_BYTES), _Drain(log_r, LOG_TAIL, tail=True)
        timed_out = False
        try:
            proc.wait(timeout=opt.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        _kill(proc, lim)
        report.join(10)
        log.join(10)
        oom = lim.oom_killed()
        kind = lim.kind
    run = _parse(bytes(report.data), report.overflow)
    run.limits = kind
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


def _kill(proc: subprocess.Popen, lim: Limits) -> None:
    """Stop whatever the notebook left running: its process group, then its cgroup."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    lim.kill()
    proc.wait()
