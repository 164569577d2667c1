"""What is in a submissions folder: one item, hence one row, for every file in it.

Every file under the folder becomes exactly one item, whatever its name: names that
are not UTF-8, hold newlines, start with a dot or look like `../` are shown escaped
(`printable`: one string per distinct name, so two files never share a row name).
An item is graded when it is a notebook (`.ipynb`; a `.zip` is unpacked into one item
per notebook inside it, or stays one item if nothing can be taken out of it);
anything else gets a `rejected` row saying why it was not graded (hidden files,
files that are not notebooks), and such a row never makes its student's notebook a
`duplicate`.

>>> printable("ok.ipynb"), printable("a\\nb"), printable("caf\\udce9"), printable("x\\\\y")
('ok.ipynb', 'a\\\\nb', 'caf\\\\xe9', 'x\\\\\\\\y')
"""
from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .submission import Rejected, student_id

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

    @property
    def key(self) -> str:
        """Where its result is saved: the same file re-grades from the same key."""
        h = hashlib.sha256(self.name.encode() + b"\0")
        try:
            h.update(self.path.read_bytes())
        except OSError:
            pass
        return h.hexdigest()[:16]


def _unzip(path: Path, into: Path, shown: str) -> list[Item]:
    """The notebooks inside an LMS zip export, extracted safely (no paths outside
    `into`, no more than MAX_UNZIPPED bytes); folders inside name the student."""
    found, total = [], 0
    with zipfile.ZipFile(path) as z:
        for i, info in enumerate(z.infolist()):
            parts = [p for p in Path(info.filename).parts if p not in ("", ".", "..", "/")]
            if info.is_dir() or not parts or parts[-1].startswith(".") or "__MACOSX" in parts:
                continue
            total += info.file_size
            if total > MAX_UNZIPPED:
                raise Rejected("the zip archive unpacks to more than 1 GiB")
            dest = into / f"{i:04d}" / "member"
            dest.parent.mkdir(parents=True, exist_ok=True)
            with z.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)
            dest = dest.rename(dest.with_name(f"{i:04d}{Path(parts[-1]).suffix[:20]}"))
            found.append(Item(dest, f"{shown}/{printable(info.filename)}",
                              printable(parts[-2]) if len(parts) > 1 else None, member=parts[-1]))
    return found


def find_submissions(folder: Path, assignment: str, unzip_into: Path | None = None) -> list[Item]:
    """One item for every file under folder (zip exports unpacked into unzip_into)."""
    items = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for fname in sorted(filenames):
            path = Path(dirpath) / fname
            rel = path.relative_to(folder)
            shown = printable(str(path))
            student_folder = printable(rel.parts[0]) if len(rel.parts) > 1 else None
            if path.is_symlink() or not path.is_file():
                items.append(Item(path, shown, student_folder,
                                  "skipped: not a regular file (a link, a device or a pipe)"))
            elif any(p.startswith(".") for p in rel.parts):
                items.append(Item(path, shown, student_folder,
                                  "skipped: a hidden file (its name or folder starts with '.')"))
            elif path.suffix.lower() == ".zip" and unzip_into is not None:
                try:
                    inside = _unzip(path, unzip_into / hashlib.sha256(shown.encode()).hexdigest()[:16],
                                    shown)
                except (Rejected, OSError, ValueError, zipfile.BadZipFile, EOFError):
                    inside = []
                for it in inside:
                    it.folder = it.folder or student_folder
                items += inside or [Item(path, shown, student_folder)]  # then rejected, with a message
            elif path.suffix.lower() not in (NOTEBOOK, ".zip"):
                items.append(Item(path, shown, student_folder,
                                  f"not a notebook ({printable(path.suffix) or 'no extension'}): "
                                  "only .ipynb files are graded; this file does not count as a "
                                  "submission"))
            else:
                items.append(Item(path, shown, student_folder))
    return items


def student_of(item: Item, assignment: str) -> str:
    """The student of an item; raises Rejected when its name does not say."""
    return student_id(printable(item.member or item.path.name), assignment, item.folder)


def flag_duplicates(results: list, items: list[Item]) -> None:
    """Mark every graded notebook of a student who handed in more than one (rows of
    files that were skipped, or whose student is unknown, do not count)."""
    by_student: dict[str, list] = {}
    for r, item in zip(results, items):
        if not item.skip and not (r.status == "rejected" and r.student == "?"):
            by_student.setdefault(r.student, []).append(r)
    for student, rs in by_student.items():
        if len(rs) > 1:
            files = ", ".join(Path(r.file).name for r in rs)
            for r in rs:
                r.error = (f"{student} handed in {len(rs)} files ({files}); each was graded: "
                           f"keep one. " + r.error).strip()
                r.status = "duplicate" if r.status == "graded" else r.status
