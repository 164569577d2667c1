"""The sandbox itself: what code inside it can and cannot reach."""
import subprocess
import sys
from pathlib import Path

from autograder import sandbox

ROOT = Path(__file__).resolve().parent.parent


def run_inside(code: str, tmp_path) -> subprocess.CompletedProcess:
    cmd = sandbox.command([sys.executable, "-c", code], job=tmp_path)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_sandbox_is_available():
    assert sandbox.available() is None, sandbox.available()


def test_runs_python_with_torch_in_job_folder(tmp_path):
    r = run_inside("import torch, os; open('out.txt', 'w').write('hi'); print(os.getcwd(), os.getuid())", tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["/job", "1000"]
    assert (tmp_path / "out.txt").read_text() == "hi"


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
