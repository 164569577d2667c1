"""Every chapter, end to end through the real grading command: the solution scores
full marks, the untouched exercise scores zero on every task (and still runs), and
each typical wrong answer loses points on exactly the tasks it breaks."""
import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import nbformat
import pytest

from autograder.build import build
from autograder.source import chapters, read_source, source_path
from mutants import MUTANTS

ROOT = Path(__file__).resolve().parent.parent


def apply(mutant, nb):
    hits = [c for c in nb.cells if mutant.old in c.source]
    assert len(hits) == 1 and hits[0].source.count(mutant.old) == 1, \
        f"mutant {mutant.name!r}: its text must occur exactly once in the solution"
    hits[0].source = hits[0].source.replace(mutant.old, mutant.new)
    return nb


@lru_cache(maxsize=None)
def graded(chapter, tmp=Path("/tmp") / "zth-test-grading"):
    """Grade solution, exercise and every mutant of a chapter in one batch, through
    `python -m autograder grade`; return {submission name: CSV-derived result}."""
    subs = tmp / chapter / "subs"
    out = tmp / chapter / "out"
    subprocess.run(["rm", "-rf", str(tmp / chapter)], check=True)
    subs.mkdir(parents=True)
    sol = nbformat.read(ROOT / "solutions" / f"{chapter}.ipynb", 4)
    (subs / f"solution_{chapter}.ipynb").write_text(nbformat.writes(sol))
    (subs / f"exercise_{chapter}.ipynb").write_bytes((ROOT / "exercises" / f"{chapter}.ipynb").read_bytes())
    for i, m in enumerate(MUTANTS.get(chapter, [])):
        nb = apply(m, nbformat.read(ROOT / "solutions" / f"{chapter}.ipynb", 4))
        (subs / f"mutant{i}_{chapter}.ipynb").write_text(nbformat.writes(nb))
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", chapter, str(subs),
                           "-o", str(out), "--jobs", "2"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = {}
    for f in (out / "results").glob("*.json"):
        r = json.loads(f.read_text())
        results[r["student"]] = r
    assert (out / "grades.csv").is_file()
    return results


@pytest.mark.parametrize("chapter", chapters())
def test_generated_notebooks_are_fresh(chapter):
    stale = build([chapter], check=True)
    assert not stale, f"regenerate with `python -m autograder build`: {stale}"


@pytest.mark.parametrize("chapter", chapters())
def test_solution_scores_full_marks(chapter):
    r = graded(chapter)["solution"]
    assert r["status"] == "graded", r["error"]
    lost = {t: r["messages"][t] for t in r["points"] if r["scores"][t] != r["points"][t]}
    assert not lost, lost
    assert not r["cell_errors"], f"visible tests failed on the solution: {r['cell_errors']}"


@pytest.mark.parametrize("chapter", chapters())
def test_untouched_exercise_scores_zero_and_runs(chapter):
    r = graded(chapter)["exercise"]
    assert r["status"] == "graded", r["error"]     # it executed to the end
    assert set(r["scores"]) == {t.name for t in read_source(source_path(chapter)).tasks}
    assert all(v == 0 for v in r["scores"].values()), r["scores"]


@pytest.mark.parametrize("chapter", chapters())
def test_exercise_stops_at_first_task_with_clear_message(chapter, tmp_path, monkeypatch):
    """A student running the fresh exercise top to bottom meets NotImplementedError
    in the first test cell, with the stub's message, and nothing before it fails."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    monkeypatch.setenv("ZTH_SCALE", "grading")
    nb = nbformat.read(ROOT / "exercises" / f"{chapter}.ipynb", 4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError) as err:
        client.execute()
    assert "NotImplementedError" in str(err.value) and "replace this line" in str(err.value)
    failed = [c for c in nb.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(failed) == 1
    first_task = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    first_test = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    assert first_task <= nb.cells.index(failed[0]) <= first_test, "it should stop at the first task"


@pytest.mark.parametrize("chapter,index", [(c, i) for c in MUTANTS for i in range(len(MUTANTS[c]))],
                         ids=[f"{c}-{m.name}" for c in MUTANTS for m in MUTANTS[c]])
def test_wrong_answer_loses_exactly_its_tasks(chapter, index):
    m = MUTANTS[chapter][index]
    r = graded(chapter)[f"mutant{index}"]
    assert r["status"] == "graded", r["error"]
    lost = {t for t in r["points"] if r["scores"][t] < r["points"][t]}
    assert lost == set(m.breaks), f"{m.name}: lost points on {sorted(lost)}, expected {sorted(m.breaks)}"
