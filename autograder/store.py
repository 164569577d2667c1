"""Saved results, and when one still holds.

Each row of a batch is saved as OUT/results/NAME.json, NAME from the file it is about
(the assignment, the row's file or archive and member, its bytes), as soon as it is
known, so an interrupted batch resumes where it stopped. A saved result is used again
only if its `version` is RESULT_VERSION and its `key` equals the key of this run:
a hash of everything that decides a score, namely

* the submitted bytes and where they came from (archive and member for a zip member),
* the assignment's source file and the include files it names (its checks, probes
  and hidden inputs), and its reference records (autograder/records/NAME/),
* the options that change a run (scale, time limits, sandbox, memory, processes,
  disk, threads, seed, GPU),
* the grader's own code (the modules a score passes through) and RESULT_VERSION,
* a tag of the instructor's secret (another secret draws other hidden inputs).

Anything else (another version, another key, a file that does not parse) is graded
again; `--force` grades everything again.

>>> file_id("01_micrograd", "a.ipynb", b"{}") == file_id("01_micrograd", "a.ipynb", b"{}")
True
>>> file_id("01_micrograd", "a.ipynb", b"{}") == file_id("01_micrograd", "a.ipynb", b"{ }")
False
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import re
from pathlib import Path

from .source import INCLUDE_DIR, ROOT, source_path

RESULT_VERSION = 2
PACKAGE = ROOT / "autograder"
SCORING_CODE = ("build", "check", "data", "execute", "grade", "kernel", "limits", "runner",
                "sandbox", "secret", "source", "submission")
RUN_OPTIONS = ("scale", "cell_timeout", "timeout", "sandbox", "threads", "seed", "gpu",
               "memory", "pids", "disk")


def file_id(assignment: str, identity: str, data: bytes) -> str:
    """The name of a row's saved result: the same file saves to the same name."""
    h = hashlib.sha256(f"{assignment}\0{identity}\0".encode("utf-8", "backslashreplace"))
    h.update(data)
    return h.hexdigest()[:16]


def assignment_digest(assignment: str) -> str:
    """A hash of the assignment's source, its includes and its reference records."""
    src = source_path(assignment)
    h = hashlib.sha256(src.read_bytes())
    for name in sorted(set(re.findall(r'include="(\w+)"', src.read_text()))):
        inc = INCLUDE_DIR / f"{name}.py"
        h.update(name.encode() + b"\0" + (inc.read_bytes() if inc.is_file() else b""))
    for rec in sorted((PACKAGE / "records" / assignment).glob("*.json")):
        h.update(rec.name.encode() + b"\0" + rec.read_bytes())
    return h.hexdigest()


def grader_digest() -> str:
    """A hash of the grader's code that a score passes through, and RESULT_VERSION."""
    h = hashlib.sha256(f"v{RESULT_VERSION}".encode())
    for name in SCORING_CODE:
        h.update((PACKAGE / f"{name}.py").read_bytes())
    return h.hexdigest()


def batch_key(assignment: str, opt, secret: bytes) -> str:
    """What every result of a batch shares: assignment, options, grader, secret."""
    options = {k: getattr(opt, k) for k in RUN_OPTIONS}
    tag = hmac.new(secret, b"zth result key", hashlib.sha256).hexdigest()
    parts = [assignment_digest(assignment), grader_digest(),
             json.dumps(options, sort_keys=True), tag]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def result_key(batch: str, identity: str, data: bytes) -> str:
    """The key of one file's result in a batch."""
    h = hashlib.sha256(f"{batch}\0{identity}\0".encode("utf-8", "backslashreplace"))
    h.update(data)
    return h.hexdigest()


def load(path: Path, key: str, cls):
    """The result saved at path if it is of this version and key, else None."""
    try:
        d = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(d, dict) or d.get("version") != RESULT_VERSION or d.get("key") != key:
        return None
    try:
        return cls.from_json(d)
    except (TypeError, ValueError):
        return None


def save(path: Path, result) -> bool:
    """Write result to path (atomically) unless it holds exactly that already; True
    if it wrote."""
    text = json.dumps(dataclasses.asdict(result), indent=1)
    try:
        if path.read_text() == text:
            return False
    except OSError:
        pass
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return True


def prune(folder: Path, assignment: str, keep: set[Path]) -> list[Path]:
    """Remove saved results of `assignment` that are not in `keep` (files that left
    the submissions folder, rows of an earlier key): results/ then holds exactly the
    rows of the last batch. Returns what it removed."""
    gone = []
    for p in folder.glob("*.json"):
        if p in keep:
            continue
        try:
            d = json.loads(p.read_text())
        except (OSError, ValueError):
            d = None
        if not isinstance(d, dict) or d.get("assignment") == assignment:
            p.unlink(missing_ok=True)
            gone.append(p)
    return gone
