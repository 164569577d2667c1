"""Every chapter, end to end through the real grading command, in one batch per chapter:
the solution scores full marks, the untouched exercise scores zero on every task (and
still runs), each typical wrong answer loses points on exactly the tasks it breaks,
each correct answer written another way gets full marks, and each attack on assembly
or on the kernel (tests/attacks.py) gains nothing."""
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import attacks
from alternatives import ALTERNATIVES
from autograder.build import build
from autograder.check import STUDENT_TEXT
from autograder.source import chapters, read_source, source_path
from mutants import MUTANTS

ROOT = Path(__file__).resolve().parent.parent


def apply(mutant, nb):
    hits = [c for c in nb.cells if mutant.old in c.source]
    assert len(hits) == 1 and hits[0].source.count(mutant.old) == 1, \
        f"mutant {mutant.name!r}: its text must occur exactly once in the solution"
    hits[0].source = hits[0].source.replace(mutant.old, mutant.new)
    return nb


def solution(chapter):
    return nbformat.read(ROOT / "solutions" / f"{chapter}.ipynb", 4)


def exercise(chapter):
    return nbformat.read(ROOT / "exercises" / f"{chapter}.ipynb", 4)


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """graded(chapter) -> {submission name: result}: solution, exercise, every mutant,
    alternative and attack of the chapter, graded in one batch by `python -m autograder
    grade --jobs 2` (once per chapter and session)."""
    cache = {}

    def grade(chapter):
        if chapter in cache:
            return cache[chapter]
        tmp = tmp_path_factory.mktemp(f"grade-{chapter}")
        subs, out = tmp / "subs", tmp / "out"
        subs.mkdir()
        files = {"solution": nbformat.writes(solution(chapter)),
                 "exercise": (ROOT / "exercises" / f"{chapter}.ipynb").read_text()}
        for i, m in enumerate(MUTANTS.get(chapter, [])):
            files[f"mutant{i}"] = nbformat.writes(apply(m, solution(chapter)))
        for i, a in enumerate(ALTERNATIVES.get(chapter, [])):
            files[f"alternative{i}"] = nbformat.writes(a.apply(solution(chapter)))
        for name, nb in attacks.attacks(exercise(chapter)).items():
            files[f"attack-{name}"] = attacks.dumps(nb)
        for name, text in files.items():
            (subs / f"{name}_{chapter}.ipynb").write_text(text)
        proc = subprocess.run([sys.executable, "-m", "autograder", "grade", chapter, str(subs),
                               "-o", str(out), "--jobs", "2"], cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-3000:]
        results = {}
        for f in (out / "results").glob("*.json"):
            r = json.loads(f.read_text())
            results[r["student"]] = r
        assert (out / "grades.csv").is_file()
        cache[chapter] = results
        return results

    return grade


@pytest.mark.parametrize("chapter", chapters())
def test_generated_notebooks_are_fresh(chapter):
    stale = build([chapter], check=True)
    assert not stale, f"regenerate with `python -m autograder build`: {stale}"


@pytest.mark.parametrize("chapter", chapters())
def test_solution_scores_full_marks(chapter, graded):
    r = graded(chapter)["solution"]
    assert r["status"] == "graded", r["error"]
    lost = {t: r["messages"][t] for t in r["points"] if r["scores"][t] != r["points"][t]}
    assert not lost, lost
    assert not r["cell_errors"], f"visible tests failed on the solution: {r['cell_errors']}"


@pytest.mark.parametrize("chapter", chapters())
def test_untouched_exercise_scores_zero_and_runs(chapter, graded):
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
    nb = exercise(chapter)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", shutdown_kernel="immediate",
                            resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError) as err:
        client.execute()
    assert "NotImplementedError" in str(err.value) and "replace this line" in str(err.value)
    failed = [c for c in nb.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(failed) == 1
    first_task = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    first_test = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    assert first_task <= nb.cells.index(failed[0]) <= first_test, "it should stop at the first task"


def _ids(table):
    return [f"{c}-{'-'.join(str(x).split())}" for c in table for x in table[c]]


@pytest.mark.parametrize("chapter,index", [(c, i) for c in MUTANTS for i in range(len(MUTANTS[c]))],
                         ids=_ids(MUTANTS))
def test_wrong_answer_loses_exactly_its_tasks(chapter, index, graded):
    m = MUTANTS[chapter][index]
    r = graded(chapter)[f"mutant{index}"]
    assert r["status"] == "graded", r["error"]
    lost = {t for t in r["points"] if r["scores"][t] < r["points"][t]}
    assert lost == set(m.breaks), f"{m.name}: lost points on {sorted(lost)}, expected {sorted(m.breaks)}"
    assert not m.diagnosis or m.diagnosis in {d["id"] for ds in r["diagnoses"].values() for d in ds}, \
        f"{m.name}: the feedback does not name the mistake {m.diagnosis!r} ({r['diagnoses']})"


@pytest.mark.parametrize("chapter,index",
                         [(c, i) for c in ALTERNATIVES for i in range(len(ALTERNATIVES[c]))],
                         ids=_ids(ALTERNATIVES))
def test_correct_answer_written_another_way_gets_full_marks(chapter, index, graded):
    a = ALTERNATIVES[chapter][index]
    r = graded(chapter)[f"alternative{index}"]
    assert r["status"] == "graded", r["error"]
    lost = {t: [m for m in r["messages"][t] if not m.endswith(": ok")]
            for t in r["points"] if r["scores"][t] != r["points"][t]}
    assert not lost, f"{a.name}: {lost}"


ATTACKS = ["onlyonecell", "stripped", "relabelled", "exporttrue", "exportnan", "hookappend",
           "jsonpatch", "leak"]


@pytest.mark.parametrize("chapter", chapters())
@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_on_the_exercise_gains_nothing(chapter, attack, graded):
    r = graded(chapter)[f"attack-{attack}"]
    assert r["status"] in ("graded", "partial"), r["error"]
    assert all(v == 0 for v in r["scores"].values()), (r["scores"], r["messages"])


@pytest.mark.parametrize("chapter", chapters())
def test_feedback_carries_a_bounded_excerpt_of_student_text(chapter, graded):
    """The LEAK attack raises 3,000 characters from every stub; each task's feedback
    carries at most STUDENT_TEXT of them."""
    r = graded(chapter)["attack-leak"]
    for task in r["points"]:
        text = "".join(r["messages"].get(task, [])) + r["cell_errors"].get(task, "")
        assert text.count(attacks.LEAK) <= STUDENT_TEXT, (task, text.count(attacks.LEAK))
    assert r["error"].count(attacks.LEAK) <= STUDENT_TEXT
