"""python -m autograder (or zth) {build, release, grade, try, list, reference, gradescope, gradescope-run}

The only module that exits the process. `build`, `release` and `list` do not import torch: the
grading modules are imported by the commands that need them."""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from .source import chapters, read_source, source_path


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m autograder")
    sub = p.add_subparsers(dest="cmd", required=True)

    b = sub.add_parser("build", help="generate exercises/ and solutions/ from autograder/source/")
    b.add_argument("chapters", nargs="*", help="default: all")
    b.add_argument("--check", action="store_true", help="only report notebooks that drifted")

    rl = sub.add_parser("release", help="write the public student repository (book, exercises) into OUT")
    rl.add_argument("out", type=Path, help="a checkout of the release repository, or an empty folder")
    rl.add_argument("--repository", help="OWNER/NAME on GitHub (default: zth: release_repository "
                    "in _config.yml)")
    rl.add_argument("--branch", help="default: zth: release_branch in _config.yml, else main")

    g = sub.add_parser("grade", help="grade a folder of submitted notebooks",
                       description="Flags override course.toml (or --config); see README.")
    g.add_argument("assignment", help="e.g. 01_micrograd (see `list`)")
    g.add_argument("submissions", type=Path,
                   help="folder of .ipynb files, student folders or an LMS's zip export")
    g.add_argument("-o", "--out", type=Path, default=Path("grades"),
                   help="where grades.csv, feedback/ and results/ go (default: grades/)")
    g.add_argument("--config", type=Path, help="course configuration (default: course.toml "
                   "at the top of the repository, if there is one)")
    g.add_argument("--lms", choices=["canvas", "moodle", "gradescope", "plain"],
                   help="how the LMS names files: the student id comes from it (default: plain)")
    g.add_argument("--id-pattern", metavar="REGEX",
                   help="regex with (?P<student>...), optional name, late, submission, attempt "
                   "groups, searched in each file's path (instead of an --lms preset)")
    g.add_argument("--roster", type=Path, help="CSV of students (id, name, ...): adds rows for "
                   "missing students, flags unknown ones")
    g.add_argument("--format", help="besides grades.csv: canvas, nbgrader (comma-separated)")
    g.add_argument("--force", action="store_true", help="grade every file again, even if "
                   "results/ holds its result under the same key")
    g.add_argument("--jobs", type=int, help="submissions graded at once (default: 1)")
    g.add_argument("--scale", choices=["grading", "full"])
    g.add_argument("--timeout", type=int, help="seconds per notebook (default: 300)")
    g.add_argument("--cell-timeout", type=int, help="seconds per cell (default: 120)")
    g.add_argument("--memory-mb", type=int, help="memory per notebook (default: 4096)")
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

    t = sub.add_parser("try", help="run a chapter's hidden tests and checks on the solution "
                                    "(or a notebook) and print every check's verdict")
    t.add_argument("chapter")
    t.add_argument("notebook", type=Path, nargs="?", help="default: solutions/CHAPTER.ipynb")
    t.add_argument("--seed", type=int, help="hidden-input seed (default: a fresh one, printed)")
    t.add_argument("--sandbox", action="store_true", help="run it in the sandbox, as grading does")

    sub.add_parser("list", help="the assignments and their tasks")
    a = p.parse_args(argv)

    if a.cmd == "build":
        from . import build as build_mod
        stale = build_mod.build(a.chapters or None, check=a.check)
        for path in stale:
            print(("stale: " if a.check else "wrote: ") + str(path))
        if a.check and stale:
            sys.exit("generated notebooks differ from their source: run `python -m autograder build`")
    elif a.cmd == "release":
        from . import release
        try:
            done = release.release(a.out, a.repository, a.branch)
        except (release.ReleaseError, ValueError) as e:
            sys.exit(str(e))
        print(f"wrote {a.out}: {len(done['pages'])} pages, {len(done['exercises'])} exercises; "
              f"Colab links open from github.com/{done['repository']} ({done['branch']})")
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
    elif a.cmd == "try":
        from . import trial
        seed, verdicts, problem = trial.try_notebook(a.chapter, a.notebook, a.seed, a.sandbox)
        for v in verdicts:
            print(f"{v.task}: {v.points * v.fraction:g}/{v.points:g}")
            for m in v.messages:
                print(f"    {'ok  ' if m.endswith(': ok') else 'FAIL'} {m}")
            for m in v.mistakes:
                print(f"    MISTAKE {m}")
            if v.cell_error:
                print(f"    the test cell raised {v.cell_error}")
        print(f"{sum(v.points * v.fraction for v in verdicts):g}/{sum(v.points for v in verdicts):g}"
              f" with --seed {seed}" + (f"; {problem}" if problem else ""))
    elif a.cmd == "list":
        for name in chapters():
            src = read_source(source_path(name))
            tasks = ", ".join(f"{t.name} ({t.points:g})" for t in src.tasks)
            print(f"{name}: {src.max_score:g} points: {tasks}")
    elif a.cmd == "grade":
        _grade(a)


def _grade(a: argparse.Namespace) -> None:
    """The grade command: settings from course.toml and flags, the batch, the reports."""
    if a.assignment not in chapters():
        sys.exit(f"no assignment {a.assignment!r}; known: {', '.join(chapters())}")
    if not a.submissions.is_dir():
        sys.exit(f"{a.submissions} is not a folder")
    from . import config, export
    from .batch import Intake, grade_folder
    from .grade import GradingError, Options
    from .classreport import write_class_report
    from .report import write_csv, write_feedback
    from .roster import Roster
    try:
        st = config.load(a.config).settings(a.assignment).merge(
            lms=a.lms, id_pattern=a.id_pattern, roster=a.roster, jobs=a.jobs, scale=a.scale,
            timeout=a.timeout, cell_timeout=a.cell_timeout, memory_mb=a.memory_mb,
            format=tuple(f.strip() for f in a.format.split(",") if f.strip()) if a.format else None)
        if a.lms and not a.id_pattern:          # a preset named on the command line wins
            st = dataclasses.replace(st, id_pattern=None)
        roster = Roster.read(st.roster) if st.roster else None
    except ValueError as e:                     # ConfigError, a roster that cannot be read
        sys.exit(str(e))
    unknown = set(st.format) - set(export.FORMATS)
    if unknown:
        sys.exit(f"unknown format {', '.join(sorted(unknown))}; known: {', '.join(export.FORMATS)}")
    opt = Options(scale=st.scale, timeout=st.timeout, cell_timeout=st.cell_timeout,
                  memory=st.memory_mb * 2**20, sandbox=not a.no_sandbox,
                  allow_no_process_limit=a.allow_no_process_limit)
    # one torch thread per notebook: exercise models are small, and threads beyond
    # the cores per job made them much slower when jobs share the CPU
    opt.threads = 1

    def progress(r, done, total):
        bar = "#" * round(20 * done / total)
        print(f"[{bar:<20}] {done:>3}/{total}  {r.student[:24]:<24} {r.total:g}/{r.max_score:g}"
              f"  {r.status}  {r.seconds:.0f} s  {r.error[:60]}", flush=True)

    how = Intake(lms=st.lms, pattern=st.id_pattern, roster=roster, force=a.force)
    try:
        results = grade_folder(a.assignment, a.submissions, a.out, st.jobs, opt, progress, how)
    except GradingError as e:
        sys.exit(str(e))
    a.out.mkdir(parents=True, exist_ok=True)
    write_csv(results, a.out / "grades.csv")
    write_feedback(results, a.out / "feedback")
    write_class_report(results, a.assignment, a.out / "class.html")
    wrote = [a.out / "grades.csv", a.out / "class.html"]
    for fmt in st.format:
        path = export.write(fmt, results, a.out, roster, st.canvas_id, st.duedate)
        wrote += [path] if path else []
    counts = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"{len(results)} rows ({summary}): {', '.join(map(str, wrote))}, {a.out / 'feedback'}/")
