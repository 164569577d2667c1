"""The instructor's page for one batch: OUT/class.html.

What an instructor looks at after grading a folder: how the totals spread, how each
task went, which known mistakes came up most, which rows need attention (errors,
partial runs, time-outs, missing students, superseded or unknown files) and the
slowest submissions. Pictures are inline SVG: the page is one self-contained file.

Only rows that count for a student go into the figures (graded and partial runs);
the attention table lists everything else.

>>> from autograder.grade import Result
>>> rows = [Result("a", "a.ipynb", "x", "graded", scores={"t": 1.0}, points={"t": 2.0}),
...         Result("b", "", "x", "missing", points={"t": 2.0})]
>>> page = class_html(rows, "x")
>>> "1 graded" in page and "1 missing" in page and "<svg" in page
True
"""
from __future__ import annotations

import html
from collections import Counter
from pathlib import Path

from .grade import Result

COUNTED = ("graded", "partial")       # rows whose scores the figures show
BAR_W, BAR_H, GAP = 28, 120, 6        # one histogram bar, in pixels


def _histogram(values: list[float], top: float, caption: str) -> str:
    """An SVG histogram of values in [0, top], one bar per point (at most 20 bars)."""
    bins = max(1, min(20, int(round(top)) or 1))
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int(v / top * bins)) if top else 0] += 1
    peak = max(counts) or 1
    w = max(bins * (BAR_W + GAP) + 40, 40 + 7 * len(caption))
    base = 20 + BAR_H                          # the bars' bottom edge
    parts = [f'<svg class="hist" width="{w}" height="{base + 45}" role="img" '
             f'aria-label="{html.escape(caption)}">']
    for i, n in enumerate(counts):
        h = BAR_H * n / peak
        x = 30 + i * (BAR_W + GAP)
        lo, hi = top * i / bins, top * (i + 1) / bins
        parts.append(f'<rect x="{x}" y="{base - h:.1f}" width="{BAR_W}" height="{h:.1f}" '
                     f'fill="#4c72b0"><title>{lo:g} to {hi:g}: {n}</title></rect>')
        if n:
            parts.append(f'<text x="{x + BAR_W / 2}" y="{base - h - 4:.1f}" font-size="11" '
                         f'text-anchor="middle">{n}</text>')
        parts.append(f'<text x="{x + BAR_W / 2}" y="{base + 15}" font-size="10" '
                     f'text-anchor="middle">{lo:g}-{hi:g}</text>')
    parts.append(f'<text x="30" y="{base + 38}" font-size="12">{html.escape(caption)}</text></svg>')
    return "".join(parts)


def _task_bars(rows: list[Result], points: dict[str, float]) -> str:
    """One horizontal bar per task: the mean share of its points, and how many got all."""
    out = ['<table class="tasks"><tr><th>task</th><th>mean score</th><th></th>'
           '<th>full marks</th></tr>']
    for task, pts in points.items():
        got = [r.scores.get(task, 0.0) for r in rows]
        mean = sum(got) / len(got) if got else 0.0
        full = sum(1 for g in got if pts and g >= pts)
        share = mean / pts if pts else 0.0
        out.append(f'<tr><td>{html.escape(task)}</td><td>{mean:.2f} / {pts:g}</td>'
                   f'<td><svg width="200" height="14"><rect width="200" height="14" fill="#eee"/>'
                   f'<rect width="{200 * share:.0f}" height="14" fill="#55a868"/></svg></td>'
                   f'<td>{full} of {len(got)}</td></tr>')
    return "".join(out) + "</table>"


def _mistakes(rows: list[Result]) -> str:
    seen: Counter = Counter()
    says = {}
    for r in rows:
        for task, found in r.diagnoses.items():
            for m in found:
                seen[(task, m.get("id", ""))] += 1
                says[(task, m.get("id", ""))] = m.get("says", "")
    if not seen:
        return "<p>No known mistake was named in this batch.</p>"
    out = ["<table><tr><th>students</th><th>task</th><th>mistake</th></tr>"]
    for (task, mid), n in seen.most_common(15):
        out.append(f"<tr><td>{n}</td><td>{html.escape(task)}</td>"
                   f"<td>{html.escape(says[(task, mid)] or mid)}</td></tr>")
    return "".join(out) + "</table>"


def _attention(results: list[Result]) -> str:
    rows = [r for r in results if r.status != "graded" or r.error or r.note]
    if not rows:
        return "<p>Every file was graded without a problem.</p>"
    out = ["<table><tr><th>student</th><th>status</th><th>file</th><th>what happened</th></tr>"]
    for r in sorted(rows, key=lambda r: (r.status, r.student)):
        why = "; ".join(filter(None, [r.error, r.note]))
        out.append(f"<tr class=\"{html.escape(r.status.replace(' ', '-'))}\">"
                   f"<td>{html.escape(r.student)}</td><td>{html.escape(r.status)}</td>"
                   f"<td>{html.escape(r.file)}</td><td>{html.escape(why[:300])}</td></tr>")
    return "".join(out) + "</table>"


def _slowest(rows: list[Result], n: int = 5) -> str:
    out = ["<table><tr><th>seconds</th><th>student</th><th>file</th></tr>"]
    for r in sorted(rows, key=lambda r: -r.seconds)[:n]:
        out.append(f"<tr><td>{r.seconds:.0f}</td><td>{html.escape(r.student)}</td>"
                   f"<td>{html.escape(r.file)}</td></tr>")
    return "".join(out) + "</table>"


def class_html(results: list[Result], assignment: str) -> str:
    """The class report of one batch as a self-contained HTML page."""
    counted = [r for r in results if r.status in COUNTED]
    points = next((r.points for r in results if r.points), {})
    top = sum(points.values())
    status = Counter(r.status for r in results)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(status.items()))
    totals = [r.total for r in counted]
    mean = sum(totals) / len(totals) if totals else 0.0
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(assignment)}: class report</title>
<style>
body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 0.25em 0.75em; text-align: left; }}
tr.error td, tr.partial td, tr.missing td {{ background: #fff4e5; }}
</style></head><body>
<h1>{html.escape(assignment)}: class report</h1>
<p id="summary">{len(results)} rows: {html.escape(summary)}. Mean total of the
{len(counted)} graded or partial rows: {mean:.2f} / {top:g}.</p>
<h2>Totals</h2>
{_histogram(totals, top, f"total score out of {top:g} (students per bar)") if counted
 else "<p>No row was graded.</p>"}
<h2>Tasks</h2>
{_task_bars(counted, points)}
<h2>Known mistakes named most often</h2>
{_mistakes(counted)}
<h2>Rows that need attention</h2>
{_attention(results)}
<h2>Slowest submissions</h2>
{_slowest(counted)}
</body></html>
"""


def write_class_report(results: list[Result], assignment: str, path: Path) -> None:
    path.write_text(class_html(results, assignment), encoding="utf-8", errors="backslashreplace")
