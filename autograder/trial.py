"""Development mode: run a chapter's hidden probes and checks against a notebook (the
solution by default) and show every check's verdict, not only the failures.

    python -m autograder try 01_micrograd              # the solution, fresh inputs
    python -m autograder try 01_micrograd my.ipynb --seed 7

It is the grading path itself (the graded template, assembly, the runner, the checks)
on one notebook, without a batch, a results folder or the instructor's secret: the
hidden inputs come from `--seed` (random when absent), so re-running with the seed a
failure printed reproduces it. By default the notebook runs unsandboxed: it is your
own code.
"""
from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .build import graded_template
from .execute import Options
from .grade import prepare_data, run_submission, score
from .source import read_source, source_path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Verdict:
    task: str
    points: float
    fraction: float         # of the task's checks that passed
    messages: list[str]     # every check, "...: ok" for the ones that passed
    cell_error: str         # what the task's test cell raised ("" if nothing)
    mistakes: list[str]     # the known mistakes the answer behaves like (what each says)


def try_notebook(chapter: str, notebook: Path | None = None, seed: int | None = None,
                 sandbox: bool = False) -> tuple[int, list[Verdict], str]:
    """(seed, one Verdict per task, problem) for `notebook` (default: the solution)."""
    src = read_source(source_path(chapter))
    path = notebook or ROOT / "solutions" / f"{chapter}.ipynb"
    nb = nbformat.read(path, as_version=4)
    seed = random.randrange(2**48) if seed is None else seed
    with tempfile.TemporaryDirectory(prefix="zth-try-") as tmp:
        opt = Options(sandbox=sandbox, allow_no_process_limit=not sandbox)
        run, notes = run_submission(nb, src, graded_template(src), Path(tmp),
                                    prepare_data(Path(tmp)), opt, seed)
    fractions, checks = score(src, run, seed)
    errors = run.errors()
    verdicts = [Verdict(t.name, t.points, fractions[t.name], checks[t.name].messages,
                        ": ".join(errors[t.name]) if t.name in errors else "",
                        [m.says for m in checks[t.name].diagnoses])
                for t in src.tasks]
    return seed, verdicts, "; ".join(filter(None, [run.problem, run.interrupted, *notes]))
