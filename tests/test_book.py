"""The book builds without a warning, every chapter page renders in a real browser
(headless Chromium) with its title, its plots and its Colab button; the student
release's book builds too, its links on the release repository."""
import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from autograder.build import colab_url, release_repository

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"                      # the chapters; _config.yml and _toc.yml are in ROOT
HTML = ROOT / "_build" / "html"
PAGES = HTML / "book"                     # the page of book/NN_name.md is book/NN_name.html
SHOTS = ROOT / "_build" / "screenshots"
CHAPTERS = sorted(p.stem for p in BOOK.glob("[0-9][0-9]_*.md"))
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
# one torch thread per chapter, as grading runs notebooks: on a machine shared with
# other work, threads beyond the free cores made a chapter's training many times slower
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


@lru_cache(maxsize=1)
def build() -> subprocess.CompletedProcess:
    """The README's command: `jupyter-book build .` at the top of the repository."""
    return subprocess.run([str(JUPYTER_BOOK), "build", ".", "-W", "--keep-going"],
                          capture_output=True, text=True, cwd=ROOT, env=ENV)


def warnings(proc: subprocess.CompletedProcess) -> list[str]:
    log = proc.stdout + proc.stderr
    found = [ln for ln in log.splitlines() if re.search(r"\bWARNING\b|\bERROR\b", ln)]
    return found or ([log[-3000:]] if proc.returncode else [])


def test_book_builds_without_warnings():
    assert not warnings(build()), "\n".join(warnings(build()))


def test_only_the_book_is_built():
    """exercises/, solutions/, autograder/, docs/, the README: none is a page."""
    build()
    pages = {p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
             if "_static" not in p.parts}
    expected = {f"book/{p.stem}.html" for p in BOOK.glob("*.md")}
    assert pages == expected | {"index.html", "genindex.html", "search.html"}, pages ^ expected


def test_intro_lists_every_chapter():
    build()
    intro = (PAGES / "intro.html").read_text()
    for ch in CHAPTERS:
        assert f'href="{ch}.html"' in intro, f"intro does not link {ch}"


def test_performance_report_is_an_instructor_appendix():
    """The grader's timings sit apart from the chapters, under their own caption (and
    the student release leaves the page out: test_release_book_...)."""
    build()
    nav = (PAGES / "intro.html").read_text()
    assert "Instructor appendix" in nav and "Chapters" in nav
    assert nav.index("Instructor appendix") < nav.index('href="performance.html"')
    assert all(nav.index(f'href="{ch}.html"') < nav.index("Instructor appendix") for ch in CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_has_plots_and_colab_link(chapter):
    build()
    page = (PAGES / f"{chapter}.html").read_text()
    assert colab_url("exercises", chapter) in page, "no Open-in-Colab link to the exercise"
    images = re.findall(r'<img[^>]+src="([^"]+)"', page)
    assert images, "the chapter shows no plot"
    for src in images:
        assert (PAGES / src).is_file(), f"missing image {src}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_renders_in_browser(chapter, browser):
    build()
    b = browser
    b.get((PAGES / f"{chapter}.html").as_uri())
    h1 = b.execute_script("return document.querySelector('article h1, main h1')?.innerText || ''")
    assert h1.strip(), "the page shows no title"
    assert h1.strip().rstrip("#").strip() in b.title
    imgs = b.execute_script("return [...document.querySelectorAll('article img')]"
                            ".map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])")
    assert imgs, "no images in the article"
    broken = [src for src, ok in imgs if not ok]
    assert not broken, f"images that did not load: {broken}"
    wide = b.execute_script("return [...document.querySelectorAll('div.cell_input pre')]"
                            ".filter(p => p.scrollWidth > p.clientWidth + 1)"
                            ".map(p => p.innerText.split('\\n')[0])")
    assert not wide, f"code cells wider than the page (they scroll): {wide}"
    links = b.execute_script("return [...document.querySelectorAll('a.colab-badge')].map(a => a.href)")
    assert colab_url("exercises", chapter) in links
    SHOTS.mkdir(parents=True, exist_ok=True)
    b.save_screenshot(str(SHOTS / f"{chapter}.png"))


@pytest.fixture(scope="module")
def release_book(tmp_path_factory):
    """The student release, its book built as a student builds it. The instructor
    book's execution cache goes along, so that no chapter runs twice."""
    from autograder.release import release
    build()
    out = tmp_path_factory.mktemp("release") / "nn-zero-to-hero"
    release(out)
    cache = ROOT / "_build" / ".jupyter_cache"
    if cache.is_dir():
        shutil.copytree(cache, out / "_build" / ".jupyter_cache")
    proc = subprocess.run([str(JUPYTER_BOOK), "build", ".", "-W", "--keep-going"],
                          capture_output=True, text=True, cwd=out, env=ENV)
    return out, proc


def test_release_book_builds_and_links_the_release_repository(release_book):
    out, proc = release_book
    assert not warnings(proc), "\n".join(warnings(proc))
    repo, _ = release_repository()
    pages = out / "_build" / "html" / "book"
    assert not (pages / "performance.html").exists()
    for chapter in CHAPTERS:
        page = (pages / f"{chapter}.html").read_text()
        assert colab_url("exercises", chapter) in page
        assert f'href="https://github.com/{repo}"' in page, "no repository button"
