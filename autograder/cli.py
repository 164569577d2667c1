"""python -m autograder (or zth) {build, grade, list, reference, gradescope, gradescope-run}

The only module that exits the process. `build` and `list` do not import torch: the
grading modules are imported by the commands that need them."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .source import chapters, read_source, source_path


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m autograder")
    sub = p.add_subparsers(dest="cmd", required=True)

    b = sub.add_parser("build", help="generate exercises/ and solutions/ from autograder/source/")
    b.add_argument("chapters", nargs="*", help="default: all")
    b.add_argument("--check", action="store_true", help="only report notebooks that drifted")

    g = sub.add_parser("grade", help="grade a folder of submitted notebooks")
    g.add_argument("assignment", help="e.g. 01_micrograd (see `list`)")
    g.add_argument("submissions", type=Path, help="folder of .ipynb files (or one folder per student)")
    g.add_argument("-o", "--out", type=Path, default=Path("grades"),
                   help="where grades.csv, feedback/ and results/ go (default: grades/)")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded at once")
    g.add_argument("--scale", default="grading", choices=["grading", "full"])
    g.add_argument("--timeout", type=int, default=300, help="seconds per notebook")
    g.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell")
    g.add_argument("--no-sandbox", action="store_true",
                   help="run student code without the sandbox (recorded in every row)")
    g.add_argument("--allow-no-process-limit", action="store_true",
                   help="grade even where no process limit can hold (no cgroup, not root)")

    r = sub.add_parser("reference", help="record a reference run of a chapter's solution")
    r.add_argument("chapter")
    r.add_argument("--scale", default="grading", choices=["grading", "colab", "full"])
    r.add_argument("--seeds", type=int, default=3, help="runs with ZTH_SEED=1337, 1338, ...")
    r.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    r.add_argument("--timeout", type=int, default=3600, help="seconds per run")
    r.add_argument("--no-sandbox", action="store_true")

    gs = sub.add_parser("gradescope", help="export a Gradescope autograder bundle (zip)")
    gs.add_argument("assignment")
    gs.add_argument("-o", "--out", type=Path, help="default: ASSIGNMENT_gradescope.zip")
    gr = sub.add_parser("gradescope-run", help="(inside Gradescope) grade /autograder/submission")
    gr.add_argument("assignment")
    gr.add_argument("root", type=Path, nargs="?", default=Path("/autograder"))

    sub.add_parser("list", help="the assignments and their tasks")
    a = p.parse_args(argv)

    if a.cmd == "build":
        from . import build as build_mod
        stale = build_mod.build(a.chapters or None, check=a.check)
        for path in stale:
            print(("stale: " if a.check else "wrote: ") + str(path))
        if a.check and stale:
            sys.exit("generated notebooks differ from their source: run `python -m autograder build`")
    elif a.cmd == "reference":
        from . import reference
        try:
            rec = reference.run(a.chapter, a.scale, [1337 + i for i in range(a.seeds)], a.device,
                                sandbox=not a.no_sandbox, timeout=a.timeout)
        except reference.ReferenceError as e:
            sys.exit(str(e))
        print(f"wrote {reference.write(rec)}")
    elif a.cmd == "gradescope":
        from . import gradescope
        print(f"wrote {gradescope.bundle(a.assignment, a.out or Path(f'{a.assignment}_gradescope.zip'))}")
    elif a.cmd == "gradescope-run":
        from . import gradescope
        try:
            out = gradescope.run(a.assignment, a.root)
        except gradescope.Unsafe as e:
            sys.exit(f"not graded: {e}")
        print(f"score {out['score']}")
    elif a.cmd == "list":
        for name in chapters():
            src = read_source(source_path(name))
            tasks = ", ".join(f"{t.name} ({t.points:g})" for t in src.tasks)
            print(f"{name}: {src.max_score:g} points: {tasks}")
    elif a.cmd == "grade":
        if a.assignment not in chapters():
            sys.exit(f"no assignment {a.assignment!r}; known: {', '.join(chapters())}")
        if not a.submissions.is_dir():
            sys.exit(f"{a.submissions} is not a folder")
        from .grade import GradingError, Options, grade_folder
        from .report import write_csv, write_feedback
        opt = Options(scale=a.scale, timeout=a.timeout, cell_timeout=a.cell_timeout,
                      sandbox=not a.no_sandbox, allow_no_process_limit=a.allow_no_process_limit)
        # one torch thread per notebook: exercise models are small, and threads beyond
        # the cores per job made them much slower when jobs share the CPU
        opt.threads = 1

        def progress(r, done, total):
            bar = "#" * round(20 * done / total)
            print(f"[{bar:<20}] {done:>3}/{total}  {r.student[:24]:<24} {r.total:g}/{r.max_score:g}"
                  f"  {r.status}  {r.seconds:.0f} s  {r.error[:60]}", flush=True)

        try:
            results = grade_folder(a.assignment, a.submissions, a.out, a.jobs, opt, progress)
        except GradingError as e:
            sys.exit(str(e))
        a.out.mkdir(parents=True, exist_ok=True)
        write_csv(results, a.out / "grades.csv")
        write_feedback(results, a.out / "feedback")
        print(f"graded {len(results)} submissions: {a.out / 'grades.csv'}, {a.out / 'feedback'}/")
