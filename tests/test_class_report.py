"""The instructor's class report (OUT/class.html): every status of a batch in one
page, looked at in a real browser."""
from pathlib import Path

from autograder.classreport import write_class_report
from autograder.grade import Result

POINTS = {"counts": 2.0, "probs": 2.0}
MISTAKE = {"id": "probs-dim0", "says": "Each column of P sums to 1 instead of each row.",
           "see": "book/02_bigram.html#common-mistakes"}


def batch() -> list[Result]:
    def row(student, status, scores=None, **kw):
        return Result(student, f"{student}.ipynb", "02_bigram", status,
                      scores=scores or {t: 0.0 for t in POINTS}, points=dict(POINTS), **kw)
    return [row("ann", "graded", {"counts": 2.0, "probs": 2.0}, seconds=12),
            row("bo", "graded", {"counts": 2.0, "probs": 0.0}, seconds=15,
                diagnoses={"probs": [MISTAKE]}),
            row("cy", "graded", {"counts": 2.0, "probs": 0.0}, seconds=14,
                diagnoses={"probs": [MISTAKE]}),
            row("di", "partial", {"counts": 2.0, "probs": 0.0}, seconds=300,
                error="the notebook ran past the 300 s time limit and was stopped"),
            row("ed", "rejected", error="not valid JSON"),
            row("fay", "error", error="grader error: RuntimeError: boom"),
            row("gus", "superseded", note="gus handed in 2 files: graded gus (1).ipynb"),
            row("hal", "unknown student", note="hal is not in the roster"),
            row("ivy", "missing", note="nothing handed in")]


def test_class_report_shows_every_status_and_the_mistakes(tmp_path, browser):
    page = tmp_path / "class.html"
    write_class_report(batch(), "02_bigram", page)
    browser.get(page.as_uri())
    summary = browser.find_element("id", "summary").text
    for status in ("3 graded", "1 partial", "1 rejected", "1 error", "1 superseded",
                   "1 unknown student", "1 missing"):
        assert status in summary, summary
    assert "Mean total of the 4 graded or partial rows: 2.50 / 4" in summary
    # the totals histogram: one bar per point, 4 students counted
    bars = browser.execute_script(
        "return [...document.querySelectorAll('svg.hist rect')].map(r => r.getAttribute('height'))")
    assert len(bars) == 4 and sum(1 for h in bars if float(h) > 0) == 2, bars
    tables = browser.execute_script(
        "return [...document.querySelectorAll('table')].map(t => t.innerText)")
    tasks, mistakes, attention, slowest = tables
    assert "probs" in tasks and "2.00 / 2" in tasks and "0.50 / 2" in tasks, tasks
    assert mistakes.split("\n")[1].split("\t") == ["2", "probs", MISTAKE["says"]], mistakes
    for who in ("di", "ed", "fay", "gus", "hal", "ivy"):
        assert f"\n{who}\t" in attention, attention
    assert "\nann\t" not in attention
    assert slowest.split("\n")[1].split("\t")[:2] == ["300", "di"], slowest
    browser.save_screenshot(str(tmp_path / "class.png"))
    assert (tmp_path / "class.png").stat().st_size > 10_000
