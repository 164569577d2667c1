import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
_shared = ROOT.parent / "shared" / "data"
if "ZTH_DATA_DIR" not in os.environ and _shared.is_dir():
    os.environ["ZTH_DATA_DIR"] = str(_shared)   # offline copies beside the checkout
