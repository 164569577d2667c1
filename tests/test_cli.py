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


def test_try_prints_every_check_with_the_seed_that_reproduces_it():
    """`try` runs the graded path on one notebook: an untouched exercise scores 0, each
    task says once why, and the last line names the seed."""
    r = subprocess.run([sys.executable, "-m", "autograder", "try", "01_micrograd",
                        str(ROOT / "exercises" / "01_micrograd.ipynb"), "--seed", "5"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = r.stdout.splitlines()
    assert lines[-1].startswith("0/14 with --seed 5"), lines[-1]
    tasks = [ln for ln in lines if not ln.startswith(" ")][:-1]
    assert tasks == ["analytic_grad: 0/1", "numeric_grad: 0/2", "value_ops: 0/4",
                     "backward: 0/2", "softmax_nll: 0/2", "mlp_train: 0/3"], tasks
    fails = [ln for ln in lines if ln.startswith("    FAIL")]
    assert len(fails) == 6 and all("NotImplementedError" in ln for ln in fails), fails
