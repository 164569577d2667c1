"""The sandbox itself: what code inside it can and cannot reach."""
import subprocess
import sys
from pathlib import Path

from autograder import sandbox

ROOT = Path(__file__).resolve().parent.parent


def run_inside(code: str, tmp_path, **kw) -> subprocess.CompletedProcess:
    """Run code in the sandbox; its job folder is a tmpfs that exists only inside it.
    The run holds a uid slot, as grading does, so that a grader running beside the
    tests never takes (and, at the end of its job, kills) the same uid."""
    with sandbox.Slot() as slot:
        cmd = sandbox.command([sys.executable, "-c", code], uid=slot.uid, **kw)
        return cmd.run(capture_output=True, text=True, timeout=300)


def test_sandbox_is_available():
    assert sandbox.available() is None, sandbox.available()


def test_runs_python_with_torch_in_job_folder(tmp_path):
    r = run_inside("import torch, os; open('out.txt', 'w').write('hi'); "
                   "print(os.getcwd(), os.getuid(), open('out.txt').read(), open('in.txt').read())",
                   tmp_path, files={"in.txt": b"given"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["/job", "1000", "hi", "given"]
    assert not (tmp_path / "out.txt").exists()


def test_job_folder_is_capped_and_its_host_path_unknown(tmp_path):
    r = run_inside("import os\n"
                   "mounts = {l.split()[4]: l.split()[3] for l in open('/proc/self/mountinfo')}\n"
                   "print(mounts['/job'])\n"
                   "try:\n    open('big', 'wb').write(b'x' * 2 * 2**20)\nexcept OSError as e:\n"
                   "    print('full', e.errno)", tmp_path, size=2**20)
    assert r.stdout.split() == ["/", "full", "28"], r.stdout + r.stderr


def test_etc_holds_only_what_python_needs(tmp_path):
    r = run_inside("import os; print(sorted(os.listdir('/etc')))\n"
                   "print(open('/etc/passwd').read().count(':x:'))", tmp_path)
    listed, users = r.stdout.splitlines()
    assert "shadow" not in listed and "gshadow" not in listed and "sudoers" not in listed, listed
    assert set(eval(listed)) <= set(sandbox.ETC) | {"passwd", "group"}
    assert users == "3"


def test_proc_sys_is_read_only(tmp_path):
    r = run_inside("try:\n    open('/proc/sys/kernel/hostname', 'w').write('x')\n    print('wrote')\n"
                   "except OSError:\n    print('refused')", tmp_path)
    assert r.stdout.strip() == "refused", r.stdout + r.stderr


def test_cannot_see_the_repository_or_home(tmp_path):
    code = (f"import os\nfor p in {[str(ROOT / 'autograder' / 'source'), str(ROOT / 'tests'), '/root/.cache']!r}:\n"
            "    assert not os.path.exists(p), p\nprint('hidden')")
    r = run_inside(code, tmp_path)
    assert r.returncode == 0 and "hidden" in r.stdout, r.stderr


def test_no_network(tmp_path):
    r = run_inside("import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=3)\n"
                   "    print('connected')\nexcept OSError as e:\n    print('refused')", tmp_path)
    assert r.stdout.strip() == "refused", r.stdout + r.stderr


def test_system_is_read_only(tmp_path):
    r = run_inside("import sys\nfor p in ['/usr/x', '/etc/x', sys.prefix + '/x']:\n"
                   "    try:\n        open(p, 'w'); print('wrote', p)\n    except OSError:\n        pass\n"
                   "print('done')", tmp_path)
    assert r.stdout.strip() == "done", r.stdout + r.stderr


def test_environment_is_cleared(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_TOKEN", "hunter2")
    r = run_inside("import os; print(os.environ.get('SECRET_TOKEN'))", tmp_path)
    assert r.stdout.strip() == "None"
