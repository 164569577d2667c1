"""What is in a submissions folder: one item, hence one row, for every file in it.

Every file under the folder becomes exactly one item, whatever its name: names that
are not UTF-8, hold newlines, start with a dot or look like `../` are shown escaped
(`printable`: one string per distinct name, so two files never share a row name).
An item is graded when it is a notebook (`.ipynb`; a `.zip` is unpacked, into a
folder of its own under OUT/unzipped/ that stays there, into one item per file inside
it, or stays one item if nothing can be taken out of it); anything else gets a
`rejected` row saying why it was not graded (hidden files, files that are not
notebooks).

`identify` finds each item's student (lms.py: the LMS's file names); `supersede`
keeps, of the notebooks a student handed in, the latest (lms.Who.order) and marks
the others superseded: they get a row, but are not graded. A rejected non-notebook
never supersedes a notebook.

>>> printable("ok.ipynb"), printable("a\\nb"), printable("caf\\udce9"), printable("x\\\\y")
('ok.ipynb', 'a\\\\nb', 'caf\\\\xe9', 'x\\\\\\\\y')
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import lms
from .lms import Who
from .submission import Rejected

MAX_UNZIPPED = 1 * 2**30
NOTEBOOK = ".ipynb"


def printable(name: str) -> str:
    """name with backslashes, control characters and undecodable bytes (surrogate
    escapes) written as escapes: injective, so distinct names stay distinct."""
    out = []
    for ch in name:
        if ch == "\\":
            out.append("\\\\")
        elif "\udc80" <= ch <= "\udcff":
            out.append(f"\\x{ord(ch) - 0xdc00:02x}")
        elif not ch.isprintable():
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


@dataclass
class Item:
    path: Path                  # the file to read (a zip member: where it was extracted)
    name: str                   # the row's `file`: printable, unique within the batch
    folder: str | None = None   # the student folder it came from (printable), if any
    skip: str = ""              # why it is not graded ("" when it is)
    member: str = ""            # for a zip member: its own file name in the archive
    rel: str = ""               # its path under the submissions folder ("/"; an
                                # archive's member: archive/member), what --id-pattern reads
    archive: str = ""           # for a zip member: the archive (printable)
    inner: str = ""             # for a zip member: its path in the archive (printable)
    mtime: float = 0.0          # the file's time (a zip member: its date in the archive)
    who: Who | None = None      # its student, once identify() found one
    why: str = ""               # why no student could be found
    superseded_by: "Item | None" = None

    @property
    def identity(self) -> str:
        """What names the file in its result's key: its path, or archive and member."""
        return f"{self.archive}/{self.inner}" if self.archive else self.name


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("._")[:80] or "member"


def _unzip(path: Path, into: Path, shown: str, rel: str) -> list[Item]:
    """The files inside an LMS zip export, extracted safely (no paths outside `into`,
    no more than MAX_UNZIPPED bytes) into `into`, which is emptied first; folders
    inside name the student."""
    found, total = [], 0
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    with zipfile.ZipFile(path) as z:
        for i, info in enumerate(z.infolist()):
            parts = [p for p in Path(info.filename).parts if p not in ("", ".", "..", "/")]
            if info.is_dir() or not parts or parts[-1].startswith(".") or "__MACOSX" in parts:
                continue
            total += info.file_size
            if total > MAX_UNZIPPED:
                raise Rejected("the zip archive unpacks to more than 1 GiB")
            dest = into / f"{i:04d}-{_safe(parts[-1])}"
            with z.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)
            try:
                when = datetime(*info.date_time).timestamp()
            except (ValueError, OverflowError):
                when = 0.0
            inner = "/".join(printable(p) for p in parts)
            found.append(Item(dest, printable(str(dest)),
                              printable(parts[-2]) if len(parts) > 1 else None,
                              member=parts[-1], rel=f"{rel}/{inner}", archive=shown,
                              inner=printable(info.filename), mtime=when))
    return found


def find_submissions(folder: Path, assignment: str, unzip_into: Path | None = None,
                     exclude: Path | None = None) -> list[Item]:
    """One item for every file under folder (zip exports unpacked into unzip_into),
    except under `exclude` (the output folder, when it lies inside `folder`)."""
    items = []
    skip_dir = exclude.resolve() if exclude is not None else None
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if (Path(dirpath) / d).resolve() != skip_dir)
        for fname in sorted(filenames):
            path = Path(dirpath) / fname
            rel = path.relative_to(folder)
            shown = printable(str(path))
            shown_rel = "/".join(printable(p) for p in rel.parts)
            student_folder = printable(rel.parts[0]) if len(rel.parts) > 1 else None
            try:
                mtime = path.lstat().st_mtime
            except OSError:
                mtime = 0.0
            item = Item(path, shown, student_folder, rel=shown_rel, mtime=mtime)
            if path.is_symlink() or not path.is_file():
                item.skip = "skipped: not a regular file (a link, a device or a pipe)"
            elif any(p.startswith(".") for p in rel.parts):
                item.skip = "skipped: a hidden file (its name or folder starts with '.')"
            elif path.suffix.lower() == ".zip" and unzip_into is not None:
                try:
                    into = unzip_into / hashlib.sha256(shown.encode()).hexdigest()[:16]
                    inside = _unzip(path, into, shown, shown_rel)
                except (Rejected, OSError, ValueError, zipfile.BadZipFile, EOFError):
                    inside = []
                for it in inside:
                    it.folder = it.folder or student_folder
                    if it.path.suffix.lower() != NOTEBOOK:
                        it.skip = _not_a_notebook(it.path.suffix)
                items += inside or [item]          # then rejected, with a message
                continue
            elif path.suffix.lower() not in (NOTEBOOK, ".zip"):
                item.skip = _not_a_notebook(path.suffix)
            items.append(item)
    return items


def _not_a_notebook(suffix: str) -> str:
    return (f"not a notebook ({printable(suffix) or 'no extension'}): only .ipynb files are "
            "graded; this file does not count as a submission")


def identify(items: list[Item], assignment: str, pattern: re.Pattern | None = None,
             metadata: dict[str, Who] | None = None) -> None:
    """Find each item's student (item.who), or say why none (item.why)."""
    for item in items:
        try:
            item.who = lms.identify(item.rel, assignment, pattern, metadata, item.folder)
        except Rejected as e:
            item.who, item.why = None, str(e)


def supersede(items: list[Item]) -> None:
    """Of the files a student handed in (notebooks, and archives nothing could be taken
    out of; not files that are skipped), keep the latest by Who.order and mark each
    other one superseded_by it: only the latest is graded."""
    by_student: dict[str, list[Item]] = {}
    for item in items:
        item.superseded_by = None
        if item.who is not None and not item.skip:
            by_student.setdefault(item.who.student, []).append(item)
    for group in by_student.values():
        latest = max(group, key=lambda it: it.who.order(it.mtime, it.rel))
        for item in group:
            if item is not latest:
                item.superseded_by = latest
