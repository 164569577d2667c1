import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
_shared = ROOT.parent / "shared" / "data"
if "ZTH_DATA_DIR" not in os.environ and _shared.is_dir():
    os.environ["ZTH_DATA_DIR"] = str(_shared)   # offline copies beside the checkout

if "ZTH_SECRET_FILE" not in os.environ:   # the tests' own secret, never the instructor's
    import tempfile
    os.environ["ZTH_SECRET_FILE"] = os.path.join(tempfile.mkdtemp(prefix="zth-secret-"), "secret")


def _nbval_cell(item) -> bool:
    return type(item).__module__.startswith("nbval")


# what the kernel of a solution notebook run by nbval gets: grading scale, and one
# torch thread, as grading gives it (threads beyond the free cores of a shared
# machine made a 40 s run take over 5 minutes)
NBVAL_ENV = {"ZTH_SCALE": "grading", "OMP_NUM_THREADS": "1"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """The solution notebooks (pytest.ini collects solutions/ with nbval) run top to
    bottom as a student runs them, at grading scale: the kernel that nbval starts while
    setting up a notebook's first cell gets NBVAL_ENV; nothing else does."""
    if not _nbval_cell(item):
        yield
        return
    old = {k: os.environ.get(k) for k in NBVAL_ENV}
    os.environ.update(NBVAL_ENV)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def pytest_collection_modifyitems(items):
    """nbval names its items "Cell 3": the same without the space."""
    for item in items:
        if _nbval_cell(item) and " " in item.name:
            item.name = item.name.replace(" ", "_")
            item._nodeid = item._nodeid.replace(" ", "_")


def pytest_make_parametrize_id(config, val, argname):
    """Test ids without spaces or newlines (`-k` and shells take them as they are)."""
    if isinstance(val, (str, bytes)):
        import re
        text = val.decode("ascii", "backslashreplace") if isinstance(val, bytes) else val
        return re.sub(r"\s+", "_", text)
    return None


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (selenium), for the tests of rendered pages."""
    import shutil
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
