"""Course data sets: download once from the canonical URL, cache, verify.

Order of places looked in for a file NAME:
  1. $ZTH_DATA_DIR/NAME          an override folder (CI points it at offline copies)
  2. $ZTH_CACHE_DIR/NAME         the cache (default ~/.cache/zero-to-hero)
  3. the canonical URL           downloaded into the cache, checked against sha256

>>> text = load_text("names.txt")
>>> text.splitlines()[:3]
['emma', 'olivia', 'ava']

This file is also pasted, as is, into the first cell of every exercise notebook,
so it must stay self-contained (standard library only).
"""
import hashlib
import os
import urllib.request
from pathlib import Path

DATASETS = {  # name: (canonical URL, sha256)
    "names.txt": (
        "https://raw.githubusercontent.com/karpathy/makemore/master/names.txt",
        "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"),
    "tinyshakespeare.txt": (
        "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
        "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"),
    "taylorswift.txt": (
        "https://raw.githubusercontent.com/karpathy/minbpe/master/tests/taylorswift.txt",
        "c2e39cb822d4ae0caac22152cefc306d466e31217a9c5524e493ad2b76792f57"),
    "cl100k_base.tiktoken": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"),
}


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def data_path(name):
    """Return a local path to the verified data file `name`, downloading if needed."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; known: {sorted(DATASETS)}")
    url, sha = DATASETS[name]
    override = os.environ.get("ZTH_DATA_DIR")
    if override and (Path(override) / name).is_file():
        path = Path(override) / name
        if _sha256(path) != sha:
            raise ValueError(f"{path} does not match the sha256 of {url}")
        return path
    cache = Path(os.environ.get("ZTH_CACHE_DIR", Path.home() / ".cache" / "zero-to-hero"))
    path = cache / name
    if path.is_file() and _sha256(path) == sha:
        return path
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            tmp.write_bytes(r.read())
    except OSError as e:
        raise RuntimeError(
            f"could not download {name} from {url} ({e}). Download it by hand and put it "
            f"in {cache}, or set ZTH_DATA_DIR to a folder that holds it.") from e
    if _sha256(tmp) != sha:
        tmp.unlink()
        raise ValueError(f"the download of {url} is corrupt (sha256 mismatch)")
    tmp.replace(path)
    return path


def load_text(name):
    """The contents of data file `name` as a string (UTF-8)."""
    return data_path(name).read_text(encoding="utf-8")
