"""Resource limits for one sandboxed notebook: memory and number of processes.

Uses a cgroup of its own (v1 "pids" and "memory" controllers, or v2), created under
the grader's own cgroup, so a fork bomb or a memory hog is stopped inside it and
nothing else on the machine notices. Where no cgroup can be made (no permission),
falls back to rlimits (address space only) and says so.

>>> import subprocess
>>> with Limits("doctest", memory=2 * 2**30, pids=256) as lim:
...     subprocess.run(lim.prefix + ["true"]).returncode
0
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

CG = Path("/sys/fs/cgroup")


def _own(controller: str) -> str:
    """Our cgroup path within a v1 controller ('' for v2 when controller='')."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, ctrls, path = line.split(":", 2)
        if controller in ctrls.split(",") or (not controller and ctrls == ""):
            return path
    raise OSError(f"no {controller or 'v2'} cgroup")


class Limits:
    def __init__(self, name: str, memory: int, pids: int):
        self.name, self.memory, self.pids = name, memory, pids
        self.dirs: list[Path] = []
        self.prefix: list[str] = []
        self.kind = "none"

    def _make(self) -> None:
        if (CG / "pids" / "cgroup.procs").exists() and (CG / "memory" / "cgroup.procs").exists():
            pid_dir = CG / "pids" / _own("pids").lstrip("/") / f"zth-{self.name}"
            mem_dir = CG / "memory" / _own("memory").lstrip("/") / f"zth-{self.name}"
            for d in (pid_dir, mem_dir):
                d.mkdir()
                self.dirs.append(d)
            (pid_dir / "pids.max").write_text(str(self.pids))
            (mem_dir / "memory.limit_in_bytes").write_text(str(self.memory))
            try:
                (mem_dir / "memory.memsw.limit_in_bytes").write_text(str(self.memory))
            except OSError:
                pass  # no swap accounting: the memory limit alone
            self.kind = "cgroup v1"
        elif (CG / "cgroup.controllers").exists():
            d = CG / _own("").lstrip("/") / f"zth-{self.name}"
            d.mkdir()
            self.dirs.append(d)
            (d / "pids.max").write_text(str(self.pids))
            (d / "memory.max").write_text(str(self.memory))
            (d / "memory.swap.max").write_text("0")
            self.kind = "cgroup v2"
        else:
            raise OSError("no cgroup file system")
        procs = " ".join(str(d / "cgroup.procs") for d in self.dirs)
        self.prefix = ["sh", "-c", f'for f in {procs}; do echo $$ > "$f" || exit 99; done; exec "$@"', "sh"]

    def __enter__(self) -> "Limits":
        try:
            self._make()
        except OSError:
            self.close()
            self.kind = "rlimit"
            self.prefix = ["prlimit", f"--as={self.memory * 2}", "--"]
        return self

    def kill(self) -> None:
        """Kill every process still in the cgroup (e.g. one that left the process group)."""
        for d in self.dirs:
            for _ in range(50):
                try:
                    pids = [int(p) for p in (d / "cgroup.procs").read_text().split()]
                except OSError:
                    break
                if not pids:
                    break
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                time.sleep(0.05)

    def oom_killed(self) -> bool:
        for d in self.dirs:
            for name, key in (("memory.oom_control", "oom_kill "), ("memory.events", "oom_kill ")):
                f = d / name
                if f.is_file():
                    for line in f.read_text().splitlines():
                        if line.startswith(key) and int(line.split()[1]) > 0:
                            return True
            if (d / "memory.failcnt").is_file() and int((d / "memory.failcnt").read_text() or 0) > 0 \
                    and (d / "memory.max_usage_in_bytes").is_file() \
                    and int((d / "memory.max_usage_in_bytes").read_text()) >= self.memory * 0.98:
                return True
        return False

    def close(self) -> None:
        self.kill()
        for d in self.dirs:
            try:
                d.rmdir()
            except OSError:
                pass
        self.dirs = []

    def __exit__(self, *exc) -> None:
        self.close()
