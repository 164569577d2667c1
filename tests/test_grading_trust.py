"""Grades that can be trusted: the notebook that runs never holds solution code, and
the hidden inputs are fresh for each submission and secret.

The assembly tests need no execution: for every chapter and every answer cell, a
submission made from the exercise that (a) holds only that cell, (b) lacks it, (c)
relabels grade_ids or copies a test cell's id, (d) strips that cell's metadata and id,
is assembled, and not one line of solution code may be in the notebook that would run.
The secrecy tests grade chapter 1 notebooks through the real command."""
import copy
import json
import math
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import attacks
from autograder.build import graded_template
from autograder.kernel import draw_inputs as _zth_hidden
from autograder.secret import seed_for
from autograder.source import chapters, read_source, source_path
from autograder.submission import Rejected, assemble

ROOT = Path(__file__).resolve().parent.parent


def solution_lines(src) -> set[str]:
    """Lines of solution code (between the markers) that neither the exercise nor the
    hidden tests and their helpers hold."""
    exercise = (ROOT / "exercises" / f"{src.name}.ipynb").read_text()
    others = ["".join(c["source"]) for c in json.loads(exercise)["cells"]]
    others += [c.source for c in src.notebook.cells if not c.metadata.get("nbgrader", {}).get("solution")]
    given = "\n".join(others + [src.probes, src.inputs])
    lines, inside = set(), False
    for c in src.notebook.cells:
        for ln in c.source.splitlines():
            if ln.strip() == "### BEGIN SOLUTION":
                inside = True
            elif ln.strip() == "### END SOLUTION":
                inside = False
            elif inside and len(ln.strip()) > 12 and ln.strip() not in given:
                lines.add(ln.strip())
    return lines


def submissions(exercise):
    """name -> a notebook made from the exercise by one assembly attack."""
    out = {}
    for i, _ in enumerate(attacks.answer_cells(exercise)):
        out[f"only{i}"] = attacks.only_one_answer_cell(exercise, i)
        out[f"without{i}"] = attacks.without_answer_cell(exercise, i)
        out[f"stripped{i}"] = attacks.stripped(exercise, i)
    out["relabelled"] = attacks.relabelled(exercise)
    dup = copy.deepcopy(exercise)
    for c in dup.cells:
        c.id = attacks.test_cells(exercise)[0].id
    out["one-id-for-all"] = dup
    return out


@pytest.mark.parametrize("chapter", chapters())
def test_no_submission_assembles_solution_code(chapter):
    src = read_source(source_path(chapter))
    template = graded_template(src)
    secret = solution_lines(src)
    assert secret, "the solution must have lines the exercise does not show"
    exercise = nbformat.read(ROOT / "exercises" / f"{chapter}.ipynb", 4)
    for name, sub in submissions(exercise).items():
        try:
            nb, notes = assemble(sub, src, template)
        except Rejected:
            continue                         # nothing runs at all
        ran = "\n".join(c.source for c in nb.cells)
        leaked = [ln for ln in secret if ln in ran]
        assert not leaked, f"{name}: solution code in the graded notebook: {leaked[:3]}"
        if name.startswith(("only", "without", "stripped")):
            assert notes and "not found" in notes[0], name


@pytest.mark.parametrize("chapter", chapters())
def test_hidden_inputs_change_with_the_seed_and_only_with_it(chapter):
    src = read_source(source_path(chapter))
    assert src.inputs, f"{chapter} has no `# %% inputs` cell: its hidden inputs are fixed"
    def data(seed):        # the drawn values (functions the cell defines are not drawn)
        return {k: v for k, v in vars(_zth_hidden(src.inputs, seed)).items() if not callable(v)
                and not (isinstance(v, dict) and v and all(callable(u) for u in v.values()))}
    a, b, a2 = data(11), data(12), data(11)
    assert a, "the inputs cell defines no names"
    assert repr(a) == repr(a2), "the same seed must give the same inputs"
    assert repr(a) != repr(b), "another seed must give other inputs"


def test_seed_depends_on_secret_assignment_and_bytes():
    s1, s2 = b"a" * 32, b"b" * 32
    base = seed_for(s1, "01_micrograd", b"nb")
    assert base == seed_for(s1, "01_micrograd", b"nb")
    assert len({base, seed_for(s2, "01_micrograd", b"nb"), seed_for(s1, "02_bigram", b"nb"),
                seed_for(s1, "01_micrograd", b"nb ")}) == 4


# --- graded through the real command (chapter 1) -----------------------------------

CH = "01_micrograd"


def exercise_with(code: str) -> str:
    nb = nbformat.read(ROOT / "exercises" / f"{CH}.ipynb", 4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "grad_f")
    cell.source = code
    return nbformat.writes(nb)


def grade(tmp: Path, files: dict[str, str], secret: bytes) -> dict:
    subs, out = tmp / "subs", tmp / "out"
    subs.mkdir(parents=True)
    for name, text in files.items():
        (subs / f"{name}_{CH}.ipynb").write_text(text)
    (tmp / "secret").write_bytes(secret)
    env = {**__import__("os").environ, "ZTH_SECRET_FILE": str(tmp / "secret")}
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", CH, str(subs), "-o", str(out),
                           "--jobs", "2"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [json.loads(p.read_text()) for p in (out / "results").glob("*.json")]
    return {r["student"]: r for r in rows}


def exact_grad(a, b, c):
    return [-3 * a**2 - 0.5 * a**-0.5, 3 * math.cos(3 * b) + 2.5 * b**1.5, 1.0 / c**2]


def test_fresh_inputs_defeat_hard_coded_answers_and_the_secret_stays_outside(tmp_path):
    """One batch under secret A and one under secret B:
    - the same correct file scores the same under both secrets, with other inputs;
    - a file that hard-codes the answers of the inputs its previous version met (as
      if the feedback had shown them) gets nothing for that task: a new file is a new
      draw;
    - a file that reads the secret from where the grader keeps it finds nothing."""
    good = exercise_with("def grad_f(a, b, c):\n"
                         "    return [-3*a**2 - 0.5*a**-0.5, 3*math.cos(3*b) + 2.5*b**1.5, 1.0/c**2]")
    secret_a, secret_b = b"A" * 32, b"B" * 32
    previous = exercise_with("def grad_f(a, b, c):\n    return [0.0, 0.0, 0.0]")
    seen = _zth_hidden(read_source(source_path(CH)).inputs,
                       seed_for(secret_a, CH, previous.encode())).grad_points
    table = {tuple(p): exact_grad(*p) for p in seen}
    hardcoded = exercise_with(f"_T = {table!r}\n"
                              "def grad_f(a, b, c):\n    return _T.get((a, b, c), [0.0, 0.0, 0.0])")
    secret_file = tmp_path / "a" / "secret"
    snoop = exercise_with(
        "import glob, os\n_found = []\n"
        f"for _p in [{str(secret_file)!r}, os.path.expanduser('~/.config/zero-to-hero/secret')]"
        " + [q for d in ('/root', '/home', '/tmp', '/work', '/etc', '/autograder')"
        " for q in glob.glob(d + '/**/secret', recursive=True)]:\n"
        "    try:\n        _found.append(open(_p).read())\n    except OSError:\n        pass\n"
        "if os.environ.get('ZTH_SECRET_FILE') or _found:\n"
        "    def grad_f(a, b, c):\n"
        "        return [-3*a**2 - 0.5*a**-0.5, 3*math.cos(3*b) + 2.5*b**1.5, 1.0/c**2]\n")
    own = _zth_hidden(read_source(source_path(CH)).inputs,
                      seed_for(secret_a, CH, hardcoded.encode())).grad_points
    assert own != seen            # so the table misses: the attack is not vacuous
    files = {"good": good, "hardcoded": hardcoded, "snoop": snoop}
    under_a = grade(tmp_path / "a", files, secret_a)
    under_b = grade(tmp_path / "b", {"good": good}, secret_b)
    assert under_a["good"]["scores"]["analytic_grad"] == 1.0 == under_b["good"]["scores"]["analytic_grad"]
    assert under_a["good"]["inputs_seed"] != under_b["good"]["inputs_seed"]
    assert under_a["good"]["inputs_seed"] == seed_for(secret_a, CH, good.encode())
    assert under_a["hardcoded"]["scores"]["analytic_grad"] == 0.0, under_a["hardcoded"]["messages"]
    assert under_a["snoop"]["scores"]["analytic_grad"] == 0.0, "the secret was readable"
    assert sum(under_a["snoop"]["scores"].values()) == 0.0
