"""The student release (`python -m autograder release OUT`): the book and the
exercises, their Colab links on the release repository, and not one line of a
solution or of a hidden test."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.build import colab_url, instructor_repository, release_repository
from autograder.release import ReleaseError, release
from autograder.source import ROOT, chapters, read_source, source_path

REGIONS = {"### BEGIN SOLUTION": "### END SOLUTION",
           "### BEGIN HIDDEN TESTS": "### END HIDDEN TESTS"}
TOP = {"book", "exercises", "autograder", "_config.yml", "_toc.yml", "README.md",
       "requirements.txt", "pyproject.toml", ".gitignore"}


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """The release, made by the command a course runs (which must not import torch)."""
    out = tmp_path_factory.mktemp("release") / "nn-zero-to-hero"
    code = ("import sys; from autograder.cli import main; main(['release', sys.argv[1]]); "
            "assert 'torch' not in sys.modules, 'release imported torch'")
    r = subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def regions(text: str) -> tuple[list[str], list[str]]:
    """(stripped lines inside solution and hidden-test regions, stripped lines outside)."""
    inside, outside, end = [], [], None
    for line in text.splitlines():
        s = line.strip()
        if end is None and s in REGIONS:
            end = REGIONS[s]
        elif end is not None and s == end:
            end = None
        else:
            (inside if end else outside).append(s)
    return inside, outside


def secret_lines() -> dict[str, str]:
    """line -> chapter: each line of a solution or hidden-test region of a chapter
    source, less the trivial (under 12 characters: `pass`, `return out`, `)`) and
    those that are public anyway: in a cell students get outside every region (in any
    chapter: chapter 4 hands out chapter 3's model), or in the book's lecture text,
    which builds the same code in the open. Matched as substrings, so a line also
    counts where it is embedded in a longer one."""
    secret, public = {}, []
    for ch in chapters():
        for s in regions(source_path(ch).read_text(encoding="utf-8"))[0]:
            secret.setdefault(s, ch)
        for cell in read_source(source_path(ch)).notebook.cells:
            public += regions(cell.source)[1]
    public += [ln.strip() for p in (ROOT / "book").glob("*.md")
               for ln in p.read_text(encoding="utf-8").splitlines()]
    public_text = "\n".join(public)
    return {s: ch for s, ch in secret.items() if len(s) >= 12 and s not in public_text}


def file_text(path: Path) -> str:
    """What a reader of the file sees, one stripped line each: a notebook's cell
    sources and outputs (in the .ipynb JSON a cell is one string), else the text."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        parts = []
        for cell in nb["cells"]:
            src = cell["source"]
            parts.append("".join(src) if isinstance(src, list) else src)
            for o in cell.get("outputs", []):
                parts.append(json.dumps(o, ensure_ascii=False))
        text = "\n".join(parts)
    return "\n".join(ln.strip() for ln in text.splitlines())


def leaks(root: Path, secret: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts):
        text = file_text(path)
        found += [(str(path.relative_to(root)), s) for s in secret if s in text]
    return found


def test_release_holds_the_book_and_the_exercises_only(released):
    assert {p.name for p in released.iterdir()} == TOP
    assert not [p for p in released.rglob("*") if p.name in ("solutions", "source", "records",
                                                             "docs", "tests")]
    assert {p.name for p in (released / "autograder").iterdir()} == {"__init__.py", "data.py"}
    assert ((released / "autograder" / "data.py").read_bytes()
            == (ROOT / "autograder" / "data.py").read_bytes())
    assert sorted(p.stem for p in (released / "exercises").iterdir()) == chapters()
    pages = {p.name for p in (released / "book").glob("*.md")}
    assert pages == {p.name for p in (ROOT / "book").glob("*.md")} - {"performance.md"}
    assert "performance" not in (released / "_toc.yml").read_text()
    assert "Instructor appendix" not in (released / "_toc.yml").read_text()


def test_no_solution_or_hidden_test_line_is_released(released):
    secret = secret_lines()
    # the check means something: every chapter has lines to find
    per_chapter = {ch: sum(1 for c in secret.values() if c == ch) for ch in chapters()}
    assert sum(per_chapter.values()) > 800 and min(per_chapter.values()) >= 40, per_chapter
    found = leaks(released, secret)
    assert not found, f"{len(found)} solution or hidden-test lines in the release: {found[:5]}"


def test_a_planted_solution_line_is_caught(released, tmp_path):
    secret = secret_lines()
    line = next(s for s, ch in secret.items() if ch == "03_mlp")
    copy = tmp_path / "release"
    shutil.copytree(released, copy)
    ex = copy / "exercises" / "03_mlp.ipynb"
    nb = nbformat.read(ex, as_version=4)
    nb.cells[-1].source += "\n    " + line          # one line, indented, inside a cell
    nbformat.write(nb, ex)
    assert leaks(copy, secret) == [("exercises/03_mlp.ipynb", line)]
    # and the instructor's own notebook, if it ever went out, is caught many times over
    shutil.copy(ROOT / "solutions" / "01_micrograd.ipynb", copy / "book" / "x.ipynb")
    assert len([f for f, _ in leaks(copy, secret) if f == "book/x.ipynb"]) > 40


def test_release_links_open_from_the_release_repository(released):
    repo, branch = release_repository()
    for name in chapters():
        nb = nbformat.read(released / "exercises" / f"{name}.ipynb", as_version=4)
        nbformat.validate(nb)
        badge = next(c for c in nb.cells if c.get("id") == "zth-badge")
        url = colab_url("exercises", name, (repo, branch))
        assert f"]({url})" in badge.source
        assert url in (released / "README.md").read_text()
    import yaml
    cfg = yaml.safe_load((released / "_config.yml").read_text())
    assert cfg["zth"] == {"release_repository": repo, "release_branch": branch}
    assert cfg["repository"] == {"url": f"https://github.com/{repo}", "branch": branch}
    instructor = instructor_repository()[0]
    assert not [p for p in released.rglob("*") if p.is_file() and instructor in p.read_text()]


def test_repository_option_moves_every_link(tmp_path):
    out = tmp_path / "fork"
    release(out, "someone/zth-fork", "course-2027")
    for name in chapters():
        nb = nbformat.read(out / "exercises" / f"{name}.ipynb", as_version=4)
        badge = next(c for c in nb.cells if c.get("id") == "zth-badge")
        assert ("https://colab.research.google.com/github/someone/zth-fork/blob/course-2027/"
                f"exercises/{name}.ipynb") in badge.source
    assert "someone/zth-fork" in (out / "_config.yml").read_text()
    default = release_repository()[0]
    assert not [p for p in out.rglob("*") if p.is_file() and default in p.read_text()]


def test_release_refuses_a_checkout_of_another_repository_and_foreign_files(tmp_path):
    out = tmp_path / "other"
    out.mkdir()
    subprocess.run(["git", "init", "-q", str(out)], check=True)
    subprocess.run(["git", "-C", str(out), "remote", "add", "origin",
                    "git@github.com:someone/else.git"], check=True)
    with pytest.raises(ReleaseError, match="someone/else"):
        release(out)
    assert [p.name for p in out.iterdir()] == [".git"]        # nothing written
    release(out, "someone/else")                              # the right repository: fine
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ReleaseError, match="notes.txt"):
        release(out, "someone/else")
    with pytest.raises(ReleaseError, match="instructor repository"):
        release(ROOT)
