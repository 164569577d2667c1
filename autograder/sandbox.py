"""Run a command in a bubblewrap sandbox: no network, a private /tmp, read-only
system and Python, one writable job folder, nothing else of the machine.

>>> import tempfile
>>> cmd = command(["python3", "-c", "import os; print(os.getcwd())"], job=tempfile.mkdtemp())
>>> subprocess.run(cmd, capture_output=True, text=True).stdout
'/job\\n'


What the sandboxed code can see: /usr, /etc, the Python installation, the data
folder (read-only) and the job folder (read-write, mounted at /job). It cannot
see the repository, the instructor source, other submissions or the results.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path


class SandboxUnavailable(RuntimeError):
    pass


def _python_roots() -> list[str]:
    """Folders the interpreter and its packages live in (venv and base install)."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    roots.add(str(Path(os.path.realpath(sys.executable)).parent.parent))
    return sorted(r for r in roots if r and Path(r).exists())


def command(argv: list[str], job: str | Path, data: str | Path | None = None,
            env: dict[str, str] | None = None) -> list[str]:
    """The bwrap command line that runs argv with /job as the only writable place."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session",
            "--uid", "1000", "--gid", "1000", "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for link in ("bin", "lib", "lib64", "sbin"):
        p = Path("/") / link
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            args += ["--ro-bind", str(p), str(p)]
    for root in _python_roots():
        if not root.startswith("/usr"):
            args += ["--ro-bind", root, root]
    args += ["--bind", str(job), "/job", "--chdir", "/job"]
    if data:
        args += ["--ro-bind", str(data), "/data"]
    args += ["--clearenv"]
    base = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": "/tmp/home", "IPYTHONDIR": "/tmp/ipython", "MPLCONFIGDIR": "/tmp/mpl",
            "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
    for k, v in {**base, **(env or {})}.items():
        args += ["--setenv", k, v]
    return args + ["--"] + argv


@lru_cache(maxsize=1)
def available() -> str | None:
    """None if the sandbox works here, else why not."""
    try:
        with_tmp = Path(os.environ.get("TMPDIR", "/tmp"))
        cmd = command([sys.executable, "-c", "print('ok')"], job=with_tmp)
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (SandboxUnavailable, OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    if out.returncode != 0 or out.stdout.strip() != "ok":
        return f"bwrap failed: {out.stderr.strip()[:300]}"
    return None
