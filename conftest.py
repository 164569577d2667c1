import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
_shared = ROOT.parent / "shared" / "data"
if "ZTH_DATA_DIR" not in os.environ and _shared.is_dir():
    os.environ["ZTH_DATA_DIR"] = str(_shared)   # offline copies beside the checkout

if "ZTH_SECRET_FILE" not in os.environ:   # the tests' own secret, never the instructor's
    import tempfile
    os.environ["ZTH_SECRET_FILE"] = os.path.join(tempfile.mkdtemp(prefix="zth-secret-"), "secret")
