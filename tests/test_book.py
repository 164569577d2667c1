"""The book builds without a warning, every chapter page renders in a real browser
(headless Chromium) with its title, its plots and its Colab button."""
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from autograder.build import colab_url

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
HTML = BOOK / "_build" / "html"
SHOTS = BOOK / "_build" / "screenshots"
CHAPTERS = sorted(p.stem for p in BOOK.glob("[0-9][0-9]_*.md"))


@lru_cache(maxsize=1)
def build() -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "jupyter-book"
    return subprocess.run([str(exe), "build", str(BOOK), "-W", "--keep-going"],
                          capture_output=True, text=True, cwd=ROOT)


def test_book_builds_without_warnings():
    proc = build()
    log = proc.stdout + proc.stderr
    warnings = [ln for ln in log.splitlines() if re.search(r"\bWARNING\b|\bERROR\b", ln)]
    assert proc.returncode == 0 and not warnings, "\n".join(warnings) or log[-3000:]


def test_intro_lists_every_chapter():
    build()
    intro = (HTML / "intro.html").read_text()
    for ch in CHAPTERS:
        assert f'href="{ch}.html"' in intro, f"intro does not link {ch}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_has_plots_and_colab_link(chapter):
    build()
    page = (HTML / f"{chapter}.html").read_text()
    assert colab_url("exercises", chapter) in page, "no Open-in-Colab link to the exercise"
    images = re.findall(r'<img[^>]+src="([^"]+)"', page)
    assert images, "the chapter shows no plot"
    for src in images:
        assert (HTML / src).is_file(), f"missing image {src}"


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "install chromium and chromium-driver (scripts/install.sh does)"
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1280,2000"):
        opts.add_argument(flag)
    b = webdriver.Chrome(service=Service(driver), options=opts)
    yield b
    b.quit()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_renders_in_browser(chapter, browser):
    build()
    b = browser
    b.get((HTML / f"{chapter}.html").as_uri())
    h1 = b.execute_script("return document.querySelector('article h1, main h1')?.innerText || ''")
    assert h1.strip(), "the page shows no title"
    assert h1.strip().rstrip("#").strip() in b.title
    imgs = b.execute_script("return [...document.querySelectorAll('article img')]"
                            ".map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])")
    assert imgs, "no images in the article"
    broken = [src for src, ok in imgs if not ok]
    assert not broken, f"images that did not load: {broken}"
    links = b.execute_script("return [...document.querySelectorAll('a.colab-badge')].map(a => a.href)")
    assert colab_url("exercises", chapter) in links
    SHOTS.mkdir(parents=True, exist_ok=True)
    b.save_screenshot(str(SHOTS / f"{chapter}.png"))
