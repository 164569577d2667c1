"""The public student repository, written from this (private) instructor repository.

    python -m autograder release OUT                   # OUT: a checkout of the release repository
    python -m autograder release OUT --repository OWNER/NAME

OUT gets the book (book/*.md, its _ext and _static, the top-level _config.yml and
_toc.yml), exercises/, a student README and requirements, and the one module the
chapters import, autograder/data.py (with an autograder/__init__.py and a
pyproject.toml that installs just that). Nothing else of the grader goes out: no
solutions/, no autograder/source/ (solutions, hidden tests, checks), no reference
records, no docs/. The instructor's performance page stays here too.

The release repository is named once, `zth: release_repository` in _config.yml;
`--repository` overrides it. Every Colab link of the release (chapter pages,
exercise badges) and its repository button point at it. Where OUT is a git checkout
whose `origin` is another GitHub repository, nothing is written.

What was there before of these paths in OUT is replaced; anything else OUT holds
other than dot-files (.git, .github) and a LICENSE stops the release before it
writes. Imports neither torch nor the grading modules.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import yaml

from .build import colab_url, config, dumps, release_repository
from .source import ROOT, chapters

WRITTEN = ("book", "exercises", "autograder", "_config.yml", "_toc.yml", "README.md",
           "requirements.txt", "pyproject.toml")
INSTRUCTOR_ONLY_PAGES = ("performance",)   # book/performance.md: the grader's timings
# what a student needs to build the book and run the exercises outside Colab
STUDENT_PACKAGES = ("torch", "numpy", "matplotlib", "tiktoken", "jupyter-book", "ipykernel")
BADGE = "zth-badge"


class ReleaseError(Exception):
    pass


def github_repository(url: str) -> str | None:
    """OWNER/NAME of a GitHub remote URL (https or ssh), else None."""
    m = re.fullmatch(r"(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)"
                     r"([\w.-]+/[\w.-]+?)(?:\.git)?/?", url.strip())
    return m.group(1) if m else None


def origin(out: Path) -> str | None:
    """The URL of OUT's git remote `origin`, if OUT is a git checkout that has one."""
    if not (out / ".git").exists():
        return None
    r = subprocess.run(["git", "-C", str(out), "remote", "get-url", "origin"],
                       capture_output=True, text=True)
    return r.stdout.strip() or None if r.returncode == 0 else None


def _prepare(out: Path) -> None:
    """Check OUT before anything is written, then remove what a release writes."""
    out = out.resolve()
    if out == ROOT or out in ROOT.parents:
        raise ReleaseError(f"{out} holds this instructor repository; release into another folder")
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"{out} is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    foreign = sorted(p.name for p in out.iterdir() if p.name not in WRITTEN
                     and not p.name.startswith(".") and not p.name.startswith("LICENSE"))
    if foreign:
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        raise ReleaseError(f"{out} holds {', '.join(foreign[:5])}{more}, which a release does not write: "
                           "release into an empty folder or a checkout of the release repository")
    for name in WRITTEN:
        p = out / name
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()


def _book(out: Path) -> list[str]:
    """Copy the chapters and the book's extension and static files; the pages released."""
    pages = []
    (out / "book").mkdir()
    for md in sorted((ROOT / "book").glob("*.md")):
        if md.stem not in INSTRUCTOR_ONLY_PAGES:
            shutil.copy(md, out / "book" / md.name)
            pages.append(md.stem)
    for folder in ("_ext", "_static"):
        shutil.copytree(ROOT / "book" / folder, out / "book" / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return pages


def _config(repo: str, branch: str) -> str:
    cfg = config()
    cfg["zth"] = {"release_repository": repo, "release_branch": branch}
    cfg["repository"] = {"url": f"https://github.com/{repo}", "branch": branch}
    cfg["exclude_patterns"] = [".*", "_build", "exercises", "autograder", "*.egg-info",
                               "README.md"]
    return ("# Jupyter Book configuration: `jupyter-book build .` (the chapters are in book/).\n"
            "# Written by `python -m autograder release` from the course's instructor\n"
            "# repository; `zth: release_repository` is this repository, where every\n"
            "# \"Open in Colab\" link opens the exercises from.\n"
            + yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))


def _toc() -> str:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    drop = {f"book/{p}" for p in INSTRUCTOR_ONLY_PAGES}

    def keep(entries):
        return [e for e in entries if e.get("file") not in drop]
    if "chapters" in toc:
        toc["chapters"] = keep(toc["chapters"])
    if "parts" in toc:          # a part left empty (the instructor appendix) goes too
        parts = [{**part, "chapters": keep(part.get("chapters", []))} for part in toc["parts"]]
        toc["parts"] = [part for part in parts if part["chapters"]]
    return yaml.safe_dump(toc, sort_keys=False)


def _exercises(out: Path, repo: tuple[str, str]) -> list[str]:
    """The committed exercise notebooks, their Colab badge pointed at the release."""
    (out / "exercises").mkdir()
    names = []
    for name in chapters():
        nb = nbformat.read(ROOT / "exercises" / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.get("id") == BADGE:
                cell.source = re.sub(r"\(https://colab\.research\.google\.com/github/[^)]*\)",
                                     f"({colab_url('exercises', name, repo)})", cell.source)
        (out / "exercises" / f"{name}.ipynb").write_text(dumps(nb), encoding="utf-8")
        names.append(name)
    return names


def _requirements() -> str:
    pins = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        m = re.match(r"([A-Za-z0-9_.-]+)\s*==", line)
        if m and m.group(1).lower() in STUDENT_PACKAGES:
            pins.append(line.split("#")[0].strip())
    return ("# To build the book and run the exercises on your own machine (Colab needs none\n"
            "# of this). torch: the CPU wheel of this version is a few hundred MB.\n"
            + "\n".join(pins) + "\n")


PYPROJECT = """[project]
name = "zero-to-hero-course"
version = "0.1.0"
description = "Neural Networks: Zero to Hero: the course data loader the book imports"
requires-python = ">=3.10"

[tool.setuptools]
packages = ["autograder"]

[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"
"""

INIT = '''"""The course's data sets (data.py): the book's chapters import `load_text` from here.
The grader itself is not part of this repository."""
'''

GITIGNORE = "_build/\n.venv/\n__pycache__/\n*.egg-info/\n.ipynb_checkpoints/\n"


def _readme(repo: str, branch: str, names: list[str]) -> str:
    rows = "\n".join(f"| {n} | [exercises/{n}.ipynb](exercises/{n}.ipynb) | "
                     f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
                     f"({colab_url('exercises', n, (repo, branch))}) |" for n in names)
    return f"""# Neural Networks: Zero to Hero

A course that builds neural networks from scratch, one idea at a time: from a scalar
autograd engine to a GPT and its tokenizer, following Andrej Karpathy's "Zero to Hero"
lectures. Each chapter of the book (`book/`) is a written lecture with executed code;
each comes with an exercise notebook (`exercises/`) that is graded automatically.

## Doing the exercises

| chapter | notebook | |
|---|---|---|
{rows}

1. Open the exercise in Google Colab (the badge above, or the orange button at the top
   of the chapter's page). It needs nothing but what Colab has; its first cell fetches
   the data. Save a copy to your Drive (*File → Save a copy in Drive*) to keep your work.
2. Work top to bottom: each task has a cell marked `# YOUR CODE HERE`, followed by
   tests that say what is still wrong. The grader runs hidden tests as well, on inputs
   you have not seen, so make your code correct in general, not just on the examples.
3. Download the notebook (*File → Download → .ipynb*; "Copy of ..." in its name is
   fine) and hand it in where your course says.

## Building the book on your own machine

With Python 3.10 or newer:

```bash
python3 -m venv .venv
.venv/bin/pip install -r requirements.txt
.venv/bin/pip install --no-deps -e .      # the data loader the chapters import
.venv/bin/jupyter-book build .            # executes every chapter: several minutes
```

The book is then at `_build/html/index.html`. The data sets are downloaded on first
use into `~/.cache/zero-to-hero` (set `ZTH_DATA_DIR` to a folder with offline copies).
To run an exercise locally, open it in Jupyter (`.venv/bin/pip install notebook`);
`ZTH_SCALE=grading` makes its training runs as small as the grader's.

This repository is generated from the course's instructor repository with
`python -m autograder release`; changes made here are overwritten by the next release.
"""


def release(out: Path, repository: str | None = None, branch: str | None = None) -> dict:
    """Write the student repository into OUT; return what was written."""
    repo, default_branch = release_repository()
    if repository:
        repo = repository.strip().strip("/").removeprefix("https://github.com/")
        release_repository({"zth": {"release_repository": repo}})       # validate OWNER/NAME
    branch = branch or default_branch
    url = origin(out) if out.is_dir() else None
    if url and github_repository(url) and github_repository(url).lower() != repo.lower():
        raise ReleaseError(f"{out} is a checkout of {github_repository(url)}, but the release "
                           f"repository is {repo}: set `zth: release_repository` in _config.yml "
                           f"or pass --repository")
    _prepare(out)
    pages = _book(out)
    names = _exercises(out, (repo, branch))
    (out / "autograder").mkdir()
    (out / "autograder" / "__init__.py").write_text(INIT)
    shutil.copy(ROOT / "autograder" / "data.py", out / "autograder" / "data.py")
    files = {"_config.yml": _config(repo, branch), "_toc.yml": _toc(),
             "requirements.txt": _requirements(), "pyproject.toml": PYPROJECT,
             "README.md": _readme(repo, branch, names)}
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    if not (out / ".gitignore").exists():
        (out / ".gitignore").write_text(GITIGNORE)
    return {"repository": repo, "branch": branch, "pages": pages, "exercises": names}
