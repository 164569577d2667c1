"""Write what grading found: grades.csv (one row per file, and per missing student)
and one feedback page per file (scores, the checks' messages and at most
check.STUDENT_TEXT characters of student-produced text per task; never the hidden
tests).

CSV cells are neutralised for spreadsheets: a text cell that starts with `=`, `+`,
`-`, `@`, a tab or a carriage return (which Excel, LibreOffice and Google Sheets
could read as a formula) gets a leading apostrophe, e.g. `=HYPERLINK(...)` is
written `'=HYPERLINK(...)`. Numbers (scores, totals, seconds) are written as they are.

>>> cell("=1+1"), cell("-x"), cell("bob"), cell(3.5)
("'=1+1", "'-x", 'bob', 3.5)
"""
from __future__ import annotations

import csv
import hashlib
import html
import re
from pathlib import Path

from .grade import Result

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(v):
    """A CSV cell that no spreadsheet reads as a formula."""
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


COLUMNS_BEFORE = ["student", "name", "file", "archive", "member", "assignment"]
COLUMNS_AFTER = ["total", "max_score", "status", "note", "error", "late", "submitted",
                 "sandboxed", "isolation", "limits", "seconds"]


def write_csv(results: list[Result], path: Path) -> None:
    """grades.csv: one row per file (and per missing student), the score of each task."""
    tasks = list(results[0].points) if results else []
    with open(path, "w", newline="", encoding="utf-8", errors="backslashreplace") as f:
        w = csv.writer(f)
        w.writerow([*COLUMNS_BEFORE, *tasks, *COLUMNS_AFTER])
        for r in sorted(results, key=lambda r: (r.student, r.file)):
            w.writerow([cell(v) for v in (
                r.student, r.name, r.file, r.archive, r.member, r.assignment,
                *(r.scores.get(t, 0.0) for t in tasks), r.total, r.max_score, r.status, r.note,
                r.error, r.late, r.submitted, r.sandboxed, r.isolation, r.limits, r.seconds)])


NOT_ATTEMPTED = "no hidden test got a value from your code: your code raised NotImplementedError"


def _release() -> tuple[str, str] | None:
    """(OWNER/NAME, branch) of the student repository (_config.yml), or None."""
    try:
        import yaml
        from .source import ROOT
        zth = yaml.safe_load((ROOT / "_config.yml").read_text())["zth"]
        repo = str(zth["release_repository"]).strip("/")
        return (repo, str(zth.get("release_branch") or "main")) if repo.count("/") == 1 else None
    except Exception:
        return None


def book_url() -> str:
    """Where the book is published, ending in "/": $ZTH_BOOK_URL, else the GitHub Pages
    site of the student repository (`zth: release_repository` in _config.yml), else ""
    (links stay relative: book/NN_name.html#section)."""
    import os
    if os.environ.get("ZTH_BOOK_URL"):
        return os.environ["ZTH_BOOK_URL"].rstrip("/") + "/"
    if (rel := _release()) is None:
        return ""
    owner, name = rel[0].split("/")
    return f"https://{owner.lower()}.github.io/{name}/"


def _diagnosis(d: dict, base: str) -> str:
    """One catalogued mistake (check.diagnose), with its link to the book."""
    e = html.escape
    see = str(d.get("see", ""))
    link = (f' <a href="{e(base + see)}">Read about it in the book</a>.'
            if re.fullmatch(r"book/[\w.-]+\.html#[\w-]+", see) else "")
    return (f"<li class='diagnosis'><b>This looks like a known mistake:</b> "
            f"{e(str(d.get('says', '')))}{link}</li>")


def _bar(score: float, points: float) -> str:
    share = max(0.0, min(1.0, score / points)) if points else 0.0
    return (f"<span class='bar' title='{share:.0%}'><span style='width:{100 * share:.0f}%'>"
            "</span></span>")


def feedback_html(r: Result) -> str:
    e = html.escape
    base = book_url()
    rows, untouched = [], []
    for task, points in r.points.items():
        score = r.scores.get(task, 0.0)
        msgs = r.messages.get(task, [])
        if len(msgs) == 1 and msgs[0].startswith(NOT_ATTEMPTED) and score == 0:
            untouched.append(task)
            rows.append(f"<tr><td>{e(task)}</td><td>{_bar(0, points)} 0 / {points:g}</td>"
                        "<td>not attempted yet</td></tr>")
            continue
        notes = []
        for m in msgs:
            if not m.endswith(": ok") and m not in notes:
                notes.append(m)
        if len(notes) > 1 and len({n.split(": ", 1)[-1] for n in notes}) == 1:
            notes = [f"{len(notes)} checks failed with: {notes[0].split(': ', 1)[-1]}"]
        if task in r.cell_errors:
            notes.append(f"your test cell showed {r.cell_errors[task]}")
        if not notes and score == points:
            notes = ["all checks passed"]
        items = "".join(_diagnosis(d, base) for d in getattr(r, "diagnoses", {}).get(task, []))
        items += "".join(f"<li>{e(n)}</li>" for n in notes)
        rows.append(f"<tr><td>{e(task)}</td><td>{_bar(score, points)} {score:g} / {points:g}</td>"
                    f"<td><ul>{items}</ul></td></tr>")
    why = "; ".join(filter(None, [r.note, r.error]))
    status = f"<p><b>{e(r.status)}</b>: {e(why)}</p>" if why else ""
    if len(untouched) > 1:
        status += (f"<p>Not attempted yet ({len(untouched)} tasks: {e(', '.join(untouched))}): "
                    "their cells still raise NotImplementedError.</p>")
    chapter = ""
    if re.fullmatch(r"\w+", r.assignment):
        chapter = f"<p>The chapter: <a href=\"{e(base)}book/{e(r.assignment)}.html\">{e(r.assignment)}</a>"
        if (rel := _release()) is not None:
            chapter += (" &middot; the exercise: <a href=\"https://colab.research.google.com/github/"
                        f"{e(rel[0])}/blob/{e(rel[1])}/exercises/{e(r.assignment)}.ipynb\">"
                        "open in Colab</a>")
        chapter += "</p>"
    return (f"<!doctype html><meta charset='utf-8'><title>{e(r.assignment)}: {e(r.student)}</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
            "td{border-top:1px solid #ccc;padding:.3em .8em;vertical-align:top}"
            ".bar{display:inline-block;width:5em;height:.7em;background:#eee;margin-right:.4em}"
            ".bar span{display:block;height:100%;background:#4a8}"
            ".diagnosis{list-style:'\\27A4  '}</style>"
            f"<h1>{e(r.assignment)}: feedback for {e(r.student)}</h1>{status}"
            f"<p>Total: <b>{r.total:g} / {r.max_score:g}</b></p>{chapter}"
            f"<table><tr><th>task</th><th>score</th><th>notes</th></tr>{''.join(rows)}</table>")


def page_name(r: Result) -> str:
    """The feedback page's file name: readable, and unique per submitted file (names
    that sanitise alike differ in the hash of the row's file)."""
    readable = re.sub(r"[^\w.-]+", "_", f"{r.student}__{Path(r.file).stem}").strip("._")[:120]
    digest = hashlib.sha256(r.file.encode("utf-8", "backslashreplace")).hexdigest()[:10]
    return f"{readable or 'submission'}-{digest}.html"


def write_feedback(results: list[Result], folder: Path) -> None:
    """One page per row that has a file (a missing student gets none)."""
    folder.mkdir(parents=True, exist_ok=True)
    for r in results:
        if r.status == "missing":
            continue
        (folder / page_name(r)).write_text(feedback_html(r), encoding="utf-8")
