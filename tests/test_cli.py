"""The command line: a console script, and commands that do not pay for torch."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("argv", [["list"], ["build", "--check", "01_micrograd"]])
def test_build_and_list_do_not_import_torch(argv):
    code = ("import sys; from autograder.cli import main; main(sys.argv[1:]); "
            "assert 'torch' not in sys.modules, 'torch was imported'")
    r = subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]


def test_zth_console_script_lists_the_assignments():
    zth = shutil.which("zth", path=str(Path(sys.executable).parent))
    assert zth, "the zth console script is not installed (pip install -e .)"
    r = subprocess.run([zth, "list"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("01_micrograd: 14 points"), r.stdout + r.stderr
