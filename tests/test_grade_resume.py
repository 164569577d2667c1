"""A grader killed mid-batch resumes where it stopped: no row lost, none twice."""
import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_killed_batch_resumes(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    exercise = (ROOT / "exercises" / "01_micrograd.ipynb").read_bytes()
    for name in ("ann", "ben", "cat", "dan"):
        (subs / f"{name}.ipynb").write_bytes(exercise)
    cmd = [sys.executable, "-m", "autograder", "grade", "01_micrograd", str(subs), "-o", str(out)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list((out / "results").glob("*.json"))) < 1:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = {p: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    assert 1 <= len(done) < 4, "kill the batch while it is half done"
    assert not (out / "grades.csv").exists()

    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    rows = list(csv.DictReader(open(out / "grades.csv")))
    assert sorted(r["student"] for r in rows) == ["ann", "ben", "cat", "dan"]
    for p, mtime in done.items():
        assert p.stat().st_mtime_ns == mtime, "a finished submission was graded again"
