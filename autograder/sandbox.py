"""Where student code runs, and as whom.

Two isolations, chosen by `isolation()`:

* "bubblewrap": a bwrap sandbox: new user, pid, network, IPC and UTS namespaces; a
  file system of read-only /usr, a few /etc files Python and torch need (a made-up
  passwd and group: no shadow, no host secrets), the Python installation and the data
  folder, a private size-capped /tmp, and the job folder: a size-capped tmpfs at /job
  that exists only inside the sandbox (the notebook and runner are copied in through
  file descriptors, so no host path of it exists or shows in /proc/self/mountinfo).
  /proc/sys is read-only (bwrap covers it).
* "privilege separation": where bubblewrap cannot start (Docker's seccomp denies new
  user namespaces, as in Gradescope's container) but the grader is root: the notebook
  runs as an unprivileged host uid with rlimits, and, where root may make namespaces
  (`unshare` works), in its own mount, pid, network, IPC and UTS namespaces with the
  repository, /root, /home, the secret and the instructor folders hidden under empty
  tmpfs mounts and the job folder a size-capped tmpfs at /tmp/job.

Student code never runs with the grader's host uid when the grader is root: every
job drops to a uid of its own, `host_uid(slot)` = $ZTH_SANDBOX_UID (default
1900000000) + slot, owned by no account and shared with no other job or daemon, so
rlimits on processes count that job alone and the grader can kill whatever runs
under it. bwrap itself runs as that uid (setpriv in front of it): the uid map of the
sandbox, seen from outside, is "1000 <uid> 1". Where root's Python installation sits
under a folder that uid may not enter (/root is 0700), a root helper (`stage`, run in
a private mount namespace) mounts an empty tmpfs over that folder and binds back only
the installation, before dropping privileges.

>>> with Slot() as slot:
...     c = command(["python3", "-c", "import os; print(os.getcwd())"], uid=slot.uid)
...     c.run(capture_output=True, text=True).stdout
'/job\\n'
"""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JOB_SIZE = 512 * 2**20              # bytes of the job folder (and of /tmp), a tmpfs each
SANDBOX_UID = 1000                  # the uid student code sees inside bubblewrap
# /etc entries Python, torch, matplotlib and Jupyter read; nothing else of /etc is shown
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "host.conf",
       "hosts", "gai.conf", "mime.types", "os-release", "alternatives", "fonts", "protocols",
       "services", "timezone")
PASSWD = ("root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
          f"student:x:{SANDBOX_UID}:{SANDBOX_UID}:student:/tmp/home:/bin/sh\n"
          "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
GROUP = f"root:x:0:\nstudent:x:{SANDBOX_UID}:\nnogroup:x:65534:\n"
BUBBLEWRAP, PRIVSEP, NONE = "bubblewrap", "privilege separation", "none"


class SandboxUnavailable(RuntimeError):
    pass


def is_root() -> bool:
    return os.geteuid() == 0


def host_uid(slot: int = 0) -> int | None:
    """The host uid job `slot` runs as when the grader is root (None when it is not:
    then bwrap's user namespace is all there is)."""
    if not is_root():
        return None
    return int(os.environ.get("ZTH_SANDBOX_UID", "1900000000")) + slot


LOCKS = Path(os.environ.get("ZTH_UID_LOCKS", "/run/zth-sandbox"))
MAX_SLOTS = 4096


class Slot:
    """A job's uid, held (an flock on LOCKS/<uid>) for as long as the job runs, so no
    two jobs of any grader process on this machine share a uid.

    >>> with Slot() as a, Slot() as b:
    ...     (a.uid is None) == (b.uid is None) and (a.uid != b.uid or a.uid is None)
    True
    """

    def __init__(self):
        self.uid: int | None = None
        self.fd: int | None = None

    def __enter__(self) -> "Slot":
        if not is_root():
            return self
        import fcntl
        LOCKS.mkdir(mode=0o700, parents=True, exist_ok=True)
        for slot in range(MAX_SLOTS):
            uid = host_uid(slot)
            fd = os.open(LOCKS / str(uid), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            self.uid, self.fd = uid, fd
            return self
        raise SandboxUnavailable(f"all {MAX_SLOTS} sandbox uids are in use")

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _python_roots() -> list[str]:
    """Folders the interpreter and its packages live in (venv and base install)."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    roots.add(str(Path(os.path.realpath(sys.executable)).parent.parent))
    return sorted(r for r in roots if r and Path(r).exists())


def _base_env(home: str) -> dict[str, str]:
    return {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": f"{home}/home", "IPYTHONDIR": f"{home}/ipython", "MPLCONFIGDIR": f"{home}/mpl",
            "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8",
            "USER": "student", "LOGNAME": "student"}


def _memfd(name: str, data: bytes) -> int:
    fd = os.memfd_create(name, 0)          # not inheritable until passed with pass_fds
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


@dataclass
class Command:
    """A command line plus the descriptors it reads (files copied into the job folder,
    the passwd it sees, folders bound by descriptor): start it with popen() or run()."""
    argv: list[str]
    fds: list[int] = field(default_factory=list)
    isolation: str = BUBBLEWRAP
    uid: int | None = None          # the host uid student code runs as (None: the grader's)
    job: str = "/job"               # the job folder as the runner sees it
    host_job: Path | None = None    # a job folder on the host (privilege separation without namespaces)

    def popen(self, prefix: list[str] = (), **kw) -> subprocess.Popen:
        """Start it (after `prefix`, e.g. the limits); its descriptors are closed here."""
        try:
            return subprocess.Popen([*prefix, *self.argv],
                                    pass_fds=(*self.fds, *kw.pop("pass_fds", ())), **kw)
        finally:
            self.close()

    def run(self, prefix: list[str] = (), timeout: float | None = None,
            capture_output: bool = False, **kw) -> subprocess.CompletedProcess:
        if capture_output:
            kw["stdout"] = kw["stderr"] = subprocess.PIPE
        with self.popen(prefix, **kw) as p:
            try:
                out, err = p.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                raise
            return subprocess.CompletedProcess(p.args, p.returncode, out, err)

    def close(self) -> None:
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = []


def _stage_prefix(spec: dict, namespaces: list[str]) -> list[str]:
    """Run `stage` (below) as root in new namespaces, then the rest of the line."""
    return ["unshare", "--mount", "--propagation", "private", *namespaces, "--",
            sys.executable, "-I", "-S", str(Path(__file__).resolve()), "stage", json.dumps(spec), "--"]


def _drop(uid: int) -> list[str]:
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
            "--inh-caps=-all", "--bounding-set=-all", "--pdeathsig=KILL", "--"]


def _hidden_for_privsep(hide: list[str | Path]) -> list[str]:
    """Folders hidden (empty tmpfs) from a privilege-separated run with namespaces."""
    from .secret import secret_path
    paths = [ROOT, "/root", "/home", secret_path().parent, *hide]
    return sorted({str(p) for p in paths if Path(p).is_dir() and str(p) not in ("/", "/tmp")})


def _closed_for_privsep(hide: list[str | Path]) -> list[str]:
    """What must be unreadable to the student uid when nothing can be hidden."""
    from .secret import secret_path
    return [str(p) for p in (ROOT / "autograder", secret_path(), *hide) if Path(p).exists()]


def command(argv: list[str], data: str | Path | None = None, env: dict[str, str] | None = None,
            files: dict[str, bytes] | None = None, size: int = JOB_SIZE, uid: int | None = -1,
            isolation: str = BUBBLEWRAP, hide: list[str | Path] = (),
            host_job: Path | None = None) -> Command:
    """The command that runs argv in the job folder (cwd), holding `files`, with
    `data` read-only at ZTH_DATA_DIR. uid: the host uid to run as when root (hold a
    Slot for it); -1: host_uid(0), for a quick look by hand."""
    uid = host_uid(0) if uid == -1 else uid
    files = {"exports.jsonl": b"", **(files or {})}
    if isolation == BUBBLEWRAP:
        return _bwrap(argv, data, env, files, size, uid)
    if isolation == PRIVSEP:
        if uid is None:
            raise SandboxUnavailable("privilege separation needs the grader to run as root")
        return _privsep(argv, data, env, files, size, uid, hide, host_job)
    raise ValueError(isolation)


def _bwrap(argv, data, env, files, size, uid) -> Command:
    bwrap = shutil.which("bwrap")
    if not bwrap or os.environ.get("ZTH_NO_BWRAP"):
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
                                 if not bwrap else "bubblewrap is turned off here (ZTH_NO_BWRAP)")
    cmd = Command([], isolation=BUBBLEWRAP, uid=uid)
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session",
            "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev",
            "--size", str(size), "--tmpfs", "/tmp", "--size", str(size), "--tmpfs", "/job",
            "--tmpfs", "/etc"]
    for name in ETC:
        if os.path.lexists(f"/etc/{name}"):
            args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for name, text in (("passwd", PASSWD), ("group", GROUP)):
        cmd.fds.append(_memfd(name, text.encode()))
        args += ["--ro-bind-data", str(cmd.fds[-1]), f"/etc/{name}"]
    for link in ("bin", "lib", "lib64", "sbin"):
        p = Path("/") / link
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            args += ["--ro-bind", str(p), str(p)]
    args += ["--remount-ro", "/etc"]
    roots = [r for r in _python_roots() if not r.startswith("/usr/")]
    for root in roots:
        args += ["--ro-bind", root, root]
    for name, content in files.items():
        cmd.fds.append(_memfd(name, content))
        args += ["--file", str(cmd.fds[-1]), f"/job/{name}"]
    args += ["--chdir", "/job"]
    if data:
        args += ["--ro-bind", str(data), "/data"]
    args += ["--clearenv"]
    for k, v in {**_base_env("/tmp"), "ZTH_DATA_DIR": "/data", **(env or {})}.items():
        args += ["--setenv", k, v]
    args += ["--", *argv]
    if uid is None:
        cmd.argv = args
        return cmd
    reach = [r for r in roots + ([str(data)] if data else []) if not _reachable(r, uid)]
    cmd.argv = _reach_prefix(reach, uid) + _drop(uid) + args
    return cmd


def _reach_prefix(reach: list[str], uid: int) -> list[str]:
    """A root shell, in a private mount namespace, that makes folders uid cannot get to
    reachable: an empty tmpfs over the highest folder above each that uid may not
    cross, the folder bound back from a descriptor opened before. (The same as
    `stage` for the bubblewrap path, without a Python start: util-linux and bash.)"""
    if not reach:
        return []
    script, closed = [], []
    for i, r in enumerate(reach):
        script.append(f'exec {200 + i}<"${i + 1}"')
        top = next((str(d) for d in [*reversed(Path(r).parents), Path(r)][1:]
                    if not _reachable(d, uid)), r)
        if top != r and top not in closed:
            closed.append(top)
    for top in closed:
        script.append(f"mount -t tmpfs -o mode=0755,size=1m,nosuid,nodev zth-empty {_q(top)}")
    for i, r in enumerate(reach):
        script += [f'mkdir -p "${i + 1}"',
                   f'mount --no-canonicalize --bind /proc/self/fd/{200 + i} "${i + 1}"',
                   f'mount -o remount,bind,ro,nosuid,nodev "${i + 1}"', f"exec {200 + i}<&-"]
    script.append(f'shift {len(reach)}; exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "--", "bash", "-euc",
            "\n".join(script), "zth-reach", *reach]


def _q(path: str) -> str:
    return "'" + path.replace("'", "'\\''") + "'"


def unshare_works() -> bool:
    """Whether root may make namespaces here (not in Docker without CAP_SYS_ADMIN)."""
    if not is_root() or os.environ.get("ZTH_NO_UNSHARE"):
        return False
    try:
        return subprocess.run(["unshare", "--mount", "--net", "--pid", "--ipc", "--uts", "--fork",
                               "--mount-proc", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _privsep(argv, data, env, files, size, uid, hide, host_job) -> Command:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    if unshare_works() and host_job is None:
        cmd = Command([], isolation=PRIVSEP, uid=uid, job="/tmp/job")
        spec = {"uid": uid, "reach": [r for r in _python_roots()] + ([str(data)] if data else []),
                "hide": _hidden_for_privsep(hide), "tmp": size, "files": {}, "data": str(data or "")}
        for name, content in files.items():
            cmd.fds.append(_memfd(name, content))
            spec["files"][name] = cmd.fds[-1]
        full_env = {**base, **_base_env("/tmp"), "ZTH_DATA_DIR": "/tmp/data", **(env or {})}
        ns = ["--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child", "--mount-proc"]
        cmd.argv = (["env", "-i", *(f"{k}={v}" for k, v in full_env.items())]
                    + _stage_prefix(spec, ns) + _drop(uid) + argv)
        return cmd
    # no namespaces: a job folder on the host, owned by uid, below a folder it may only cross
    if host_job is None:
        raise SandboxUnavailable("privilege separation without namespaces needs a job folder")
    for r in _python_roots() + ([str(data)] if data else []):
        if not _reachable(r, uid):
            raise SandboxUnavailable(f"uid {uid} cannot read {r} (a folder above it is closed)")
    for p in _closed_for_privsep(hide):
        if _reachable(p, uid, need=0o4):
            raise SandboxUnavailable(f"uid {uid} could read {p}: make it unreadable to others "
                                     f"(chmod o-rwx) or install bubblewrap")
    for name, content in files.items():
        (host_job / name).write_bytes(content)
    os.chown(host_job, uid, uid)
    for p in host_job.iterdir():
        os.chown(p, uid, uid)
    host_job.chmod(0o700)
    home = str(host_job / ".home")
    full_env = {**base, **_base_env(home), "ZTH_DATA_DIR": str(data or ""), **(env or {})}
    argv = ["env", "-i", *(f"{k}={v}" for k, v in full_env.items())] + _drop(uid) + argv
    return Command(argv, isolation=PRIVSEP, uid=uid, job=str(host_job), host_job=host_job)


def _reachable(path: str | Path, uid: int, need: int = 0o1) -> bool:
    """Whether uid (group uid, no other groups) can cross every folder above path, and
    has `need` (0o1 cross, 0o4 read) on path itself."""
    p = Path(path)
    chain = [*reversed(p.parents), p]
    for i, d in enumerate(chain):
        try:
            st = os.stat(d)
        except OSError:
            return False
        bits = need if i == len(chain) - 1 else 0o1
        shift = 6 if st.st_uid == uid else 3 if st.st_gid == uid else 0
        if (st.st_mode >> shift) & bits != bits:
            return False
    return True


@lru_cache(maxsize=1)
def available() -> str | None:
    """None if the bubblewrap sandbox (with the privilege drop, as root) works here,
    else why not."""
    try:
        with Slot() as slot:
            cmd = command([sys.executable, "-c", "import os; print('ok', os.getcwd())"], uid=slot.uid)
            out = cmd.run(capture_output=True, text=True, timeout=120)
    except (SandboxUnavailable, OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    if out.returncode != 0 or out.stdout.strip() != "ok /job":
        return f"bwrap failed: {out.stderr.strip()[:300]}"
    return None


@lru_cache(maxsize=1)
def privsep_available() -> str | None:
    """None if the privilege-separated fallback can run a Python here, else why not."""
    if not is_root():
        return "the grader is not root, so it cannot run student code as another user"
    if os.environ.get("ZTH_NO_PRIVSEP"):
        return "privilege separation is turned off here (ZTH_NO_PRIVSEP)"
    if not shutil.which("setpriv"):
        return "setpriv (util-linux) is not installed"
    import tempfile
    job = None
    slot = Slot().__enter__()
    try:
        if not unshare_works():
            job = Path(tempfile.mkdtemp(prefix="zth-probe-"))
            job.chmod(0o711)
            job = job / "job"
            job.mkdir()
        cmd = command([sys.executable, "-c", "import os; print('ok', os.getuid())"],
                      isolation=PRIVSEP, uid=slot.uid, host_job=job)
        out = cmd.run(capture_output=True, text=True, timeout=120, cwd=job)
    except (SandboxUnavailable, OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    finally:
        slot.__exit__()
        if job:
            shutil.rmtree(job.parent, ignore_errors=True)
    if out.returncode != 0 or out.stdout.split() != ["ok", str(slot.uid)]:
        return f"privilege separation failed: {out.stderr.strip()[:300]}"
    return None


def isolation(sandbox: bool = True) -> str:
    """The isolation student code gets here: BUBBLEWRAP, else PRIVSEP (root only), else
    NONE when sandbox is False; raises SandboxUnavailable when neither can run."""
    if not sandbox:
        return NONE
    why = available()
    if why is None:
        return BUBBLEWRAP
    why2 = privsep_available()
    if why2 is None:
        return PRIVSEP
    raise SandboxUnavailable(f"the sandbox cannot start here ({why}), nor privilege separation "
                             f"({why2})")


# ---------------------------------------------------------------- the root helper
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384


def _mount(src: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(src.encode(), target.encode(), fstype.encode() if fstype else None,
                  ctypes.c_ulong(flags), data.encode() if data else None) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"mount {src} on {target}: {os.strerror(e)}")


def _bind_ro(fd: int, target: str) -> None:
    _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)
    _mount("none", target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _empty(target: str) -> None:
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")


def _loopback_up() -> None:
    """Bring up lo (the kernel and the runner talk over 127.0.0.1), as `ip link set lo
    up` would, without needing iproute2."""
    import fcntl
    import socket
    import struct
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        flags = struct.unpack("16sH", fcntl.ioctl(sock, 0x8913, struct.pack("16sH", b"lo", 0)))[1]
        fcntl.ioctl(sock, 0x8914, struct.pack("16sH", b"lo", flags | 0x1))   # SIOCSIFFLAGS, IFF_UP


def stage(spec: dict, argv: list[str]) -> None:
    """As root, in a private mount namespace: hide spec["hide"] under empty tmpfs
    mounts, make every spec["reach"] folder visible (binding it back where a folder
    above it was hidden or closed to spec["uid"]); with spec["tmp"], a fresh /tmp of
    that size holding the job folder /tmp/job (the files copied in from descriptors,
    owned by the uid) and the data folder at /tmp/data. Then exec argv."""
    uid = spec["uid"]
    if spec.get("tmp"):
        _loopback_up()                  # a new network namespace starts with lo down
    fds = {r: os.open(r, os.O_PATH | os.O_DIRECTORY) for r in spec["reach"]}
    data_fd = os.open(spec["data"], os.O_PATH | os.O_DIRECTORY) if spec.get("data") else None
    for h in sorted(spec.get("hide", []), key=len):
        if os.path.isdir(h) and not os.path.islink(h):
            _empty(h)
    covered: list[str] = list(spec.get("hide", []))
    for r in spec["reach"]:
        if _reachable(r, uid) and os.path.isdir(r) and not any(
                r.startswith(c.rstrip("/") + "/") for c in covered):
            continue
        for d in [*reversed(Path(r).parents), Path(r)][1:]:
            if any(str(d).startswith(c.rstrip("/") + "/") or str(d) == c for c in covered):
                break
            if not _reachable(d, uid):
                if d == Path(r):
                    break
                _empty(str(d))
                covered.append(str(d))
                break
        os.makedirs(r, exist_ok=True)
        _bind_ro(fds[r], r)
    if spec.get("tmp"):
        _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={spec['tmp']}")
        os.mkdir("/tmp/job", 0o700)
        for name, fd in spec["files"].items():
            with open(fd, "rb", closefd=True) as src, open(f"/tmp/job/{name}", "wb") as out:
                shutil.copyfileobj(src, out)
            os.chown(f"/tmp/job/{name}", uid, uid)
        os.chown("/tmp/job", uid, uid)
        if data_fd is not None:
            os.mkdir("/tmp/data", 0o755)
            _bind_ro(data_fd, "/tmp/data")
        os.chdir("/tmp/job")
    for fd in fds.values():
        os.close(fd)
    os.execvp(argv[0], argv)


if __name__ == "__main__" and len(sys.argv) > 3 and sys.argv[1] == "stage" and sys.argv[3] == "--":
    stage(json.loads(sys.argv[2]), sys.argv[4:])
