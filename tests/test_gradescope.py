"""The Gradescope bundle, run the way Gradescope runs it, on a local /autograder layout."""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bundle_runs_like_gradescope(tmp_path):
    zpath = tmp_path / "bundle.zip"
    r = subprocess.run([sys.executable, "-m", "autograder", "gradescope", "01_micrograd", "-o", str(zpath)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    ag = tmp_path / "autograder"                       # Gradescope's layout
    with zipfile.ZipFile(zpath) as z:
        names = z.namelist()
        assert {"setup.sh", "run_autograder", "requirements.txt", "zth_secret"} <= set(names)
        assert z.getinfo("zth_secret").external_attr >> 16 & 0o077 == 0   # the secret, owner only
        assert "autograder/source/01_micrograd.py" in names
        assert not [n for n in names if n.startswith("book/") or n.endswith(".yml")]  # no book config
        z.extractall(ag / "source")
    for name in ("run_autograder", "setup.sh"):
        os.chmod(ag / "source" / name, 0o755)
    (ag / "submission").mkdir()
    shutil.copy(ROOT / "solutions" / "01_micrograd.ipynb", ag / "submission" / "Copy of 01_micrograd.ipynb")
    env = {**os.environ, "AUTOGRADER_ROOT": str(ag), "AUTOGRADER_PYTHON": sys.executable,
           "PYTHONPATH": str(ag / "source")}
    r = subprocess.run([str(ag / "source" / "run_autograder")], env=env, capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    res = json.loads((ag / "results" / "results.json").read_text())
    assert res["score"] == 14.0
    assert [t["name"] for t in res["tests"]] == ["analytic_grad", "numeric_grad", "value_ops",
                                                 "backward", "softmax_nll", "mlp_train"]
    assert all(t["score"] == t["max_score"] for t in res["tests"])
    assert res["extra_data"]["isolation"] in ("bubblewrap", "privilege separation"), res

    # an empty submission folder still gives Gradescope a result
    shutil.rmtree(ag / "submission")
    (ag / "submission").mkdir()
    r = subprocess.run([str(ag / "source" / "run_autograder")], env=env, capture_output=True, text=True)
    res = json.loads((ag / "results" / "results.json").read_text())
    assert res["score"] == 0.0 and "No .ipynb" in res["output"]
