"""Feedback that names the mistake: each catalogued mistake of a chapter (a mutant in
tests/mutants/NN_name.py with `diagnosis=`, and its oracle in the chapter source's
`# %% mistakes="task"` cell) is named when the mutant's answer is checked; the
solution, the untouched exercise and a wrong answer of another kind are not.

Cheap by design: a task's exports are computed in this process, by running only the
definitions of the (mutated) notebook and the hidden probes of that task's test cell
on hidden inputs drawn as the grader draws them; then the check and the diagnosis
run as grade.score runs them. One end-to-end batch (a few notebooks) proves that the
feedback page carries the diagnosis with a link to an existing section of the book.
"""
import ast
import copy
import json
import os
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import nbformat
import pytest

from autograder.build import graded_template
from autograder.check import Exports, mistake_registry, RAISES, run_check
from autograder.kernel import _zth_hidden
from autograder.source import read_source, source_path
from autograder.submission import assemble
from mutants import MUTANTS

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ["01_micrograd", "02_bigram", "03_mlp"]   # the chapters whose mistakes are named
TRAINED = {"mlp_train", "train"}   # tasks that check a trained model: not full marks in-process
SEED = int(os.environ.get("ZTH_DIAGNOSIS_SEED", 20261202))   # hidden inputs of these tests


@lru_cache(maxsize=None)
def source(chapter):
    return read_source(source_path(chapter))


def declared(chapter) -> dict[str, str]:
    """{mistake id: its task} as the chapter source's mistakes cells declare them."""
    found = {}
    for task, code in source(chapter).mistakes.items():
        reg, decorator = mistake_registry(chapter)
        exec(compile(code, f"<mistakes {task}>", "exec"),
             {"mistake": decorator, "RAISES": RAISES, "__name__": "zth_declare"})
        for mid in reg:
            assert mid not in found, f"{chapter}: mistake {mid!r} declared twice"
            found[mid] = task
    return found


def mistaken(chapter):
    """[(index, mutant)] of the chapter's mutants that name a diagnosis."""
    return [(i, m) for i, m in enumerate(MUTANTS[chapter]) if m.diagnosis]


def _defs_only(code: str) -> str:
    """The imports, functions and classes of a cell, without its statements."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    keep = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    tree.body = [n for n in tree.body if isinstance(n, keep)]
    return ast.unparse(tree)


def _hidden(code: str) -> str:
    m = re.search(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", code, re.S)
    return m.group(1) if m else ""


def exports_of(chapter, nb, task, seed=SEED, tmp=Path("/tmp")) -> Exports:
    """What the hidden test of `task` records for notebook `nb`, computed in-process:
    the grader's cells and the plain cells before the first test (data, vocabulary)
    run whole, every other cell contributes its definitions only (no training runs),
    and the task's test cell its hidden probes."""
    src = source(chapter)
    graded, _ = assemble(copy.deepcopy(nb), src, graded_template(src))
    out = tmp / f"zth-diag-{os.getpid()}.jsonl"
    out.write_text("")
    env = {"ZTH_INPUTS_SEED": str(seed), "ZTH_SCALE": "grading", "ZTH_EXPORT": str(out)}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    ns, tested = {"__name__": "__main__"}, False
    try:
        for cell in graded.cells:
            if cell.cell_type != "code":
                continue
            gb = cell.metadata.get("nbgrader", {})
            gid = gb.get("grade_id", "")
            if cell.metadata.get("zth_grader") or gid == "zth_setup":
                code = cell.source
            elif gid == f"test_{task}":
                out.write_text("")                 # only this cell's records count
                exec(compile(_hidden(cell.source), gid, "exec"), ns)
                break
            elif gid.startswith("test_"):
                code, tested = _defs_only(_hidden(cell.source)), True
            elif not tested and not gb.get("solution"):
                code = cell.source                 # the chapter's data and vocabulary
            else:
                code = _defs_only(cell.source)
            try:
                exec(compile(code, gid or cell.id, "exec"), ns)
            except Exception:                     # a broken answer: as in the notebook
                pass
            if isinstance(ns.get("CFG"), dict) and "steps" in ns["CFG"]:
                ns["CFG"]["steps"] = 1            # a test's own training run: one step
        return Exports.parse(out.read_text())
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
        out.unlink(missing_ok=True)


def solution(chapter):
    return nbformat.read(ROOT / "solutions" / f"{chapter}.ipynb", 4)


def exercise(chapter):
    return nbformat.read(ROOT / "exercises" / f"{chapter}.ipynb", 4)


def mutant_notebook(chapter, m):
    nb = solution(chapter)
    hits = [c for c in nb.cells if m.old in c.source]
    assert len(hits) == 1 and hits[0].source.count(m.old) == 1, m.name
    hits[0].source = hits[0].source.replace(m.old, m.new)
    return nb


def check(chapter, task, x, seed=SEED):
    """The task's Checks, as grade.score makes them (check, then diagnosis)."""
    src = source(chapter)
    return run_check(src.checks[task], task, x, chapter, _zth_hidden(src.inputs, seed),
                     src.mistakes.get(task, ""))


@lru_cache(maxsize=None)
def solution_exports(chapter, task):
    return exports_of(chapter, solution(chapter), task)


def anchors(page: str) -> set[str]:
    """The section ids Sphinx gives the headings of book/<page>.md (docutils make_id)."""
    from docutils.nodes import make_id
    text = (ROOT / "book" / f"{page}.md").read_text()
    text = re.sub(r"```.*?```", "", text, flags=re.S)            # no comments in code
    return {make_id(re.sub(r"[`*$]", "", h)) for h in re.findall(r"^#{1,6} (.+)$", text, re.M)}


# -- the catalogue ----------------------------------------------------------------

@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_declared_mistake_has_a_mutant_and_each_diagnosis_a_declaration(chapter):
    ids = declared(chapter)
    named = {m.diagnosis for _, m in mistaken(chapter)}
    assert named <= set(ids), f"mutants name undeclared mistakes {sorted(named - set(ids))}"
    assert set(ids) <= named, f"mistakes without a mutant to test them {sorted(set(ids) - named)}"
    for _, m in mistaken(chapter):
        assert ids[m.diagnosis] in m.breaks, \
            f"{m.name}: its mistake is declared on task {ids[m.diagnosis]!r}, which it does not break"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_mistake_links_an_existing_section_of_the_book(chapter):
    for task, code in source(chapter).mistakes.items():
        reg, decorator = mistake_registry(chapter)
        exec(code, {"mistake": decorator, "RAISES": RAISES, "__name__": "zth_declare"})
        for m in reg.values():
            page, anchor = re.fullmatch(r"book/(\w+)\.html#([\w-]+)", m.see).groups()
            assert anchor in anchors(page), f"{m.id}: no section #{anchor} in book/{page}.md"
            assert m.says.endswith(".") and len(m.says) < 200 and "{" not in m.says, m.says


# -- each mistake is named; nothing else is -------------------------------------------

def _mutant_ids():
    return [f"{c}-{i}" for c in CHAPTERS for i, _ in mistaken(c)]


@pytest.mark.parametrize("chapter,index", [(c, i) for c in CHAPTERS for i, _ in mistaken(c)],
                         ids=_mutant_ids())
def test_catalogued_mistake_is_named(chapter, index):
    m = MUTANTS[chapter][index]
    task = declared(chapter)[m.diagnosis]
    t = check(chapter, task, exports_of(chapter, mutant_notebook(chapter, m), task))
    assert t.fraction < 1, f"{m.name}: {task} lost no points in-process"
    assert [d.id for d in t.diagnoses] == [m.diagnosis], (m.name, t.messages)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_and_exercise_get_no_diagnosis(chapter):
    ex = exercise(chapter)
    for task in source(chapter).mistakes:
        t = check(chapter, task, solution_exports(chapter, task))
        assert t.diagnoses == [] and (t.fraction == 1 or task in TRAINED), (task, t.messages)
        t = check(chapter, task, exports_of(chapter, ex, task))
        assert t.fraction == 0 and t.diagnoses == [], (task, t.messages)


def _spoil(v):
    """A wrong value of the same shape: numbers moved, strings changed."""
    import torch
    if isinstance(v, torch.Tensor):
        return v * 1.1 + 0.37
    if isinstance(v, bool) or not isinstance(v, (int, float, str, list, dict)):
        return v
    if isinstance(v, (int, float)):
        return v * 1.1 + 0.37
    if isinstance(v, str):
        return v + "q"
    if isinstance(v, dict):
        return {k: _spoil(u) for k, u in v.items()}
    return [_spoil(u) for u in v]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_wrong_answer_of_no_known_kind_gets_the_plain_message(chapter):
    for task in source(chapter).mistakes:
        x = Exports({k: _spoil(v) for k, v in solution_exports(chapter, task).items()})
        t = check(chapter, task, x)
        assert t.fraction < 1 and t.diagnoses == [], (task, [d.id for d in t.diagnoses])


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_oracle_differs_from_the_right_answer(chapter):
    """A mistake's oracle predicts something a correct answer does not export (on
    these inputs): otherwise it could never tell the mistake apart."""
    from autograder.check import same
    src = source(chapter)
    for task, code in src.mistakes.items():
        x = solution_exports(chapter, task)
        ns = {"__name__": "zth_declare"}
        t = run_check(src.checks[task], task, x, chapter, _zth_hidden(src.inputs, SEED))
        assert t.fraction == 1 or task in TRAINED
        # the oracles, run in a check's namespace as diagnose() runs them
        from autograder.check import diagnose, Checks
        import torch, math
        from autograder.data import load_text
        from autograder.check import as_tensor, Missing, reference
        ns = {"torch": torch, "math": math, "_zth_chapter": chapter, "load_text": load_text,
              "as_tensor": as_tensor, "Missing": Missing, "_zth_in": _zth_hidden(src.inputs, SEED),
              "reference": lambda scale="grading": reference(chapter, scale)}
        exec(src.checks[task], ns)
        reg, ns["mistake"] = mistake_registry(chapter)
        ns["RAISES"] = RAISES
        exec(code, ns)
        for m in reg.values():
            for oracle in m.oracles:
                ns["_zth_in"] = _zth_hidden(src.inputs, SEED)
                want = oracle()
                assert want, f"{m.id}: an oracle predicts nothing"
                assert not all(same(x[k], v, m.atol, m.rtol) for k, v in want.items()), \
                    f"{m.id}: an oracle predicts the right answer"


# -- end to end: the feedback page -----------------------------------------------------

def test_feedback_page_names_the_mistake_with_a_link(tmp_path):
    """One small batch through `python -m autograder grade`: a mutant of chapter 2 gets
    its diagnosis in the result and on its feedback page, with a link to a section the
    book has; the untouched exercise gets none."""
    chapter = "02_bigram"
    i, m = next((i, m) for i, m in mistaken(chapter) if m.diagnosis == "probs-dim0")
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    (subs / f"mutant_{chapter}.ipynb").write_text(nbformat.writes(mutant_notebook(chapter, m)))
    (subs / f"exercise_{chapter}.ipynb").write_text(
        (ROOT / "exercises" / f"{chapter}.ipynb").read_text())
    secret = tmp_path / "secret"
    secret.write_text("a test secret, 32 characters or more")
    env = {**os.environ, "ZTH_SECRET_FILE": str(secret)}
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", chapter, str(subs),
                           "-o", str(out), "--jobs", "2"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = {r["student"]: r for r in (json.loads(f.read_text())
                                          for f in (out / "results").glob("*.json"))}
    assert [d["id"] for d in results["mutant"]["diagnoses"]["probs"]] == ["probs-dim0"]
    assert results["exercise"]["diagnoses"] == {}
    page = next((out / "feedback").glob("mutant*.html")).read_text()
    link = re.search(r'<a href="([^"]+)"[^>]*>', page[page.index("normalised over dimension 0"):])
    assert link, page
    url = link.group(1)
    assert re.search(r"book/02_bigram\.html#common-mistakes$", url), url
    assert "common-mistakes" in anchors("02_bigram")
    untouched = next((out / "feedback").glob("exercise*.html")).read_text()
    assert "known mistake" not in untouched and "Not attempted yet (12 tasks" in untouched


def test_feedback_page_shows_diagnosis_bars_and_untouched_tasks_once(monkeypatch):
    from autograder.grade import Result
    from autograder.report import NOT_ATTEMPTED, feedback_html
    monkeypatch.setenv("ZTH_BOOK_URL", "https://example.org/zth")
    raised = NOT_ATTEMPTED + ": replace this line with your code"
    r = Result("s1", "f.ipynb", "02_bigram", "graded",
               scores={"probs": 0.0, "vocab": 0.0, "counts": 0.0, "nll": 2.0},
               points={"probs": 2.0, "vocab": 1.0, "counts": 2.0, "nll": 2.0},
               messages={"probs": ["P (case 1 of 3): off by up to 0.3"], "vocab": [raised],
                         "counts": [raised], "nll": ["nll: ok"]},
               diagnoses={"probs": [{"id": "probs-dim0", "says": "P <b>sums</b> columns.",
                                     "see": "book/02_bigram.html#common-mistakes"},
                                    {"id": "x", "says": "no link", "see": "javascript:alert(1)"}]})
    page = feedback_html(r)
    assert "known mistake:</b> P &lt;b&gt;sums&lt;/b&gt; columns." in page
    assert page.count('href="https://example.org/zth/book/02_bigram.html#common-mistakes"') == 1
    assert "javascript" not in page
    assert page.count("Not attempted yet (2 tasks: vocab, counts)") == 1
    assert page.count("not attempted yet") == 2 and "NotImplementedError: replace" not in page
    assert "width:100%" in page and page.count("width:0%") == 3
