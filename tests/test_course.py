"""Running a real course: LMS file names, the roster, superseded files, import
formats, re-grading when what decides a score changes, and course.toml.

Everything but the last test works without running a notebook (grade_file is
replaced by a stand-in); the last grades a Canvas-style download end to end."""
import csv
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder import batch, config, export, intake, lms, store
from autograder.grade import Result
from autograder.roster import Roster

ROOT = Path(__file__).resolve().parent.parent
CH = "01_micrograd"
EXERCISE = (ROOT / "exercises" / f"{CH}.ipynb").read_bytes()


# --- student ids from LMS file names ---------------------------------------------

@pytest.mark.parametrize("lms_name,rel,student,name,late,submission,attempt", [
    ("canvas", "smithjohn_12345_67890_01_micrograd.ipynb", "12345", "smithjohn", False, 67890, 0),
    ("canvas", "smithjohn_LATE_12345_67999_01_micrograd-1.ipynb", "12345", "smithjohn", True, 67999, 1),
    ("canvas", "dl.zip/studenttest_7_8_Copy of 01_micrograd (2).ipynb", "7", "studenttest", False, 8, 0),
    ("moodle", "Ann Lee_4711_assignsubmission_file/01_micrograd.ipynb", "4711", "Ann Lee", False, None, 0),
    ("moodle", "Ann Lee_4711_assignsubmission_file_01_micrograd.ipynb", "4711", "Ann Lee", False, None, 0),
    ("moodle", "export.zip/Ann Lee_4711_assignsubmission_file/sub/nb.ipynb", "4711", "Ann Lee",
     False, None, 0),
    ("gradescope", "export/submission_123/01_micrograd.ipynb", "submission_123", "", False, 123, 0),
])
def test_lms_presets_read_the_student_from_the_file_name(lms_name, rel, student, name, late,
                                                        submission, attempt):
    who = lms.identify(rel, CH, lms.compile_pattern(lms.PRESETS[lms_name]))
    assert (who.student, who.name, who.late, who.submission, who.attempt) == (
        student, name, late, submission, attempt)


def test_a_name_the_pattern_does_not_match_is_rejected_with_the_pattern():
    with pytest.raises(lms.Rejected, match="does not match the id pattern"):
        lms.identify("alice.ipynb", CH, lms.compile_pattern(lms.PRESETS["canvas"]))


@pytest.mark.parametrize("pattern,message", [("(", "not a regular expression"),
                                             (r"(?P<name>\w+)", "no \\(\\?P<student>")])
def test_a_bad_id_pattern_says_why(pattern, message):
    with pytest.raises(ValueError, match=message):
        lms.compile_pattern(pattern)


def test_gradescope_metadata_maps_submissions_to_students_and_groups():
    meta = lms.gradescope_metadata("""
submission_1:
  :submitters:
  - :name: Ann Lee
    :sid: '1001'
    :email: ann@example.edu
  :created_at: 2026-11-30 10:00:00.123456000 -08:00
  :score: 3.0
submission_2:
  :submitters:
  - :name: Bo Kim
    :email: bo@example.edu
  - :name: Cy Ray
    :sid: '1003'
  :created_at: !ruby/object:ActiveSupport::TimeWithZone 2026-11-30 11:00:00
""")
    assert meta["submission_1"].student == "1001" and meta["submission_1"].timestamp.startswith("2026")
    assert meta["submission_2"].student == "bo@example.edu" and meta["submission_2"].others == ["1003"]
    who = lms.identify("x/submission_2/nb.ipynb", CH, lms.compile_pattern(lms.PRESETS["gradescope"]),
                       meta)
    assert (who.student, who.name, who.submission) == ("bo@example.edu", "Bo Kim", 2)


# --- the roster ------------------------------------------------------------------

def test_roster_reads_plain_columns_and_canvas_gradebook_exports():
    plain = Roster.parse(io.StringIO("id,name,email\nalice,Alice A,a@x\n"))
    assert plain["alice"].email == "a@x"
    canvas = Roster.parse(io.StringIO(
        'Student,ID,SIS User ID,SIS Login ID,Section,HW1 (5)\n'
        '    Points Possible,,,,,10\n"Lee, Ann",81,s81,alee,A,7\n'))
    assert list(canvas) == ["81"] and canvas["81"].section == "A"
    with pytest.raises(ValueError, match="no id column"):
        Roster.parse(io.StringIO("who,what\nx,y\n"))


# --- intake: the latest of a student's files is graded ----------------------------

def write(path: Path, data: bytes, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def items_of(folder: Path, out: Path, preset: str = "plain") -> list:
    items = intake.find_submissions(folder, CH, unzip_into=out)
    pattern = lms.PRESETS[preset]
    intake.identify(items, CH, lms.compile_pattern(pattern) if pattern else None)
    intake.supersede(items)
    return items


def test_late_resubmission_supersedes_the_first_even_when_older_on_disk(tmp_path):
    subs = tmp_path / "subs"
    write(subs / "smithjohn_LATE_12_1107_01_micrograd-1.ipynb", EXERCISE, mtime=1000)
    write(subs / "smithjohn_12_1002_01_micrograd.ipynb", EXERCISE, mtime=2000)
    write(subs / "leeann_13_1001_01_micrograd.ipynb", EXERCISE)
    items = items_of(subs, tmp_path / "unzipped", "canvas")
    superseded = [it for it in items if it.superseded_by]
    assert [Path(it.rel).name for it in superseded] == ["smithjohn_12_1002_01_micrograd.ipynb"]
    assert "LATE" in superseded[0].superseded_by.rel


@pytest.mark.parametrize("first,second,latest", [
    ("Copy of 01_micrograd.ipynb", "01_micrograd (1).ipynb", "01_micrograd (1).ipynb"),  # attempt
    ("b.ipynb", "a.ipynb", "a.ipynb"),                                                   # file time
])
def test_plain_names_keep_the_resubmission_or_the_newer_file(tmp_path, first, second, latest):
    subs = tmp_path / "subs"
    write(subs / "dana" / first, EXERCISE, mtime=1000)
    write(subs / "dana" / second, EXERCISE, mtime=2000)
    write(subs / "dana" / "notes.pdf", b"%PDF", mtime=3000)      # never supersedes a notebook
    items = items_of(subs, tmp_path / "unzipped")
    kept = [it for it in items if not it.superseded_by and not it.skip]
    assert [Path(it.rel).name for it in kept] == [latest]


def test_zip_members_are_kept_under_the_output_folder_with_stable_names(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("a_1_10_01_micrograd.ipynb", (2026, 1, 2, 3, 4, 6)), EXERCISE)
        z.writestr("../../b_2_11_x.ipynb", EXERCISE)
    write(subs / "dl.zip", buf.getvalue())
    first = items_of(subs, out / "unzipped", "canvas")
    second = items_of(subs, out / "unzipped", "canvas")
    assert [it.name for it in first] == [it.name for it in second]
    assert all(it.path.is_file() and out in it.path.parents for it in second)
    assert [it.inner for it in first] == ["a_1_10_01_micrograd.ipynb", "../../b_2_11_x.ipynb"]
    assert [it.who.student for it in first] == ["1", "2"]
    assert first[0].mtime == time.mktime((2026, 1, 2, 3, 4, 6, 0, 0, -1))  # zip: even seconds


def test_an_output_folder_inside_the_submissions_is_not_read_as_submissions(tmp_path):
    subs = tmp_path / "subs"
    write(subs / "alice.ipynb", EXERCISE)
    write(subs / "grades" / "results" / "x.json", b"{}")
    items = intake.find_submissions(subs, CH, subs / "grades" / "unzipped", exclude=subs / "grades")
    assert [it.rel for it in items] == ["alice.ipynb"]


# --- the batch, with a stand-in for running notebooks ------------------------------

@pytest.fixture
def fake_grading(monkeypatch, tmp_path):
    """batch.grade_file replaced: a task scores 0 when its check holds "BROKEN", and
    every call is counted; the assignment's source is a copy we may edit."""
    source_dir = tmp_path / "source"
    source_dir.mkdir()
    src_file = source_dir / f"{CH}.py"
    src_file.write_text((ROOT / "autograder" / "source" / f"{CH}.py").read_text())
    monkeypatch.setattr("autograder.source.SOURCE_DIR", source_dir)
    monkeypatch.setattr(batch, "preflight", lambda opt: "none")
    monkeypatch.setattr(batch, "prepare_data", lambda root: root)
    calls = []

    def grade_file(path, src, student, work, datadir, opt, template, secret):
        calls.append(path.name)
        scores = {t.name: 0.0 if "BROKEN" in src.checks[t.name] else t.points for t in src.tasks}
        return Result(student, str(path), src.name, "graded", scores=scores,
                      points={t.name: t.points for t in src.tasks})

    monkeypatch.setattr(batch, "grade_file", grade_file)
    return src_file, calls


def run_batch(subs: Path, out: Path, **how) -> list[Result]:
    opt = batch.Options(sandbox=False)
    return batch.grade_folder(CH, subs, out, 1, opt, None, batch.Intake(**how))


def test_a_changed_check_regrades_without_force_and_nothing_else_does(tmp_path, fake_grading):
    src_file, calls = fake_grading
    subs, out = tmp_path / "subs", tmp_path / "out"
    write(subs / "ann.ipynb", EXERCISE)
    write(subs / "bob.ipynb", EXERCISE + b" ")
    assert {r.total for r in run_batch(subs, out)} == {14.0} and len(calls) == 2
    run_batch(subs, out)
    assert len(calls) == 2, "an unchanged batch was graded again"

    text = src_file.read_text()
    src_file.write_text(text.replace('# %% check="backward"\n', '# %% check="backward"\n# BROKEN\n'))
    rows = run_batch(subs, out)
    assert len(calls) == 4 and {r.scores["backward"] for r in rows} == {0.0}
    assert {r.total for r in rows} == {12.0}

    run_batch(subs, out, force=True)
    assert len(calls) == 6


def test_a_result_of_another_version_key_or_garbage_is_regraded_not_fatal(tmp_path, fake_grading):
    _, calls = fake_grading
    subs, out = tmp_path / "subs", tmp_path / "out"
    for name in ("ann", "bob", "cat"):
        write(subs / f"{name}.ipynb", EXERCISE + name.encode())
    run_batch(subs, out)
    saved = sorted((out / "results").glob("*.json"))
    old = json.loads(saved[0].read_text())
    saved[0].write_text(json.dumps({**old, "version": 1}))
    saved[1].write_text(json.dumps({**old, "key": "0" * 64, "scores": "nonsense"}))
    saved[2].write_text("{not json")
    calls.clear()
    rows = run_batch(subs, out)
    assert len(calls) == 3 and all(r.version == store.RESULT_VERSION for r in rows)


def test_run_options_and_the_secret_are_part_of_the_key():
    from autograder.execute import Options
    a = store.batch_key(CH, Options(), b"s" * 32)
    assert a == store.batch_key(CH, Options(), b"s" * 32)
    assert a != store.batch_key(CH, Options(timeout=301), b"s" * 32)
    assert a != store.batch_key(CH, Options(sandbox=False), b"s" * 32)
    assert a != store.batch_key(CH, Options(), b"t" * 32)


def test_roster_join_missing_unknown_superseded_and_results_agree_with_rows(tmp_path, fake_grading):
    _, calls = fake_grading
    subs, out = tmp_path / "subs", tmp_path / "out"
    write(subs / "smithjohn_12_1002_01_micrograd.ipynb", EXERCISE)
    write(subs / "smithjohn_LATE_12_1107_01_micrograd-1.ipynb", EXERCISE + b" ")
    write(subs / "leeann_13_1001_01_micrograd.ipynb", EXERCISE)
    write(subs / "stranger_99_1005_01_micrograd.ipynb", EXERCISE)
    write(subs / "readme.txt", b"hello")
    roster = Roster.parse(io.StringIO('Student,ID\n"Smith, John",12\n"Lee, Ann",13\n"Diaz, Ana",14\n'))
    rows = run_batch(subs, out, lms="canvas", roster=roster)
    status = {(r.student, Path(r.file).name): r.status for r in rows}
    assert status == {
        ("12", "smithjohn_12_1002_01_micrograd.ipynb"): "superseded",
        ("12", "smithjohn_LATE_12_1107_01_micrograd-1.ipynb"): "graded",
        ("13", "leeann_13_1001_01_micrograd.ipynb"): "graded",
        ("99", "stranger_99_1005_01_micrograd.ipynb"): "unknown student",
        ("?", "readme.txt"): "rejected",
        ("14", ""): "missing"}
    assert len(calls) == 3, "a superseded file was graded"
    john = next(r for r in rows if r.status == "graded" and r.student == "12")
    assert john.late and john.name == "Smith, John" and "handed in 2 files" in john.note
    saved = {(d["student"], d["file"]): d["status"]
             for d in map(json.loads, map(Path.read_text, (out / "results").glob("*.json")))}
    assert saved == {(r.student, r.file): r.status for r in rows}

    (subs / "stranger_99_1005_01_micrograd.ipynb").unlink()     # results follow the folder
    rows = run_batch(subs, out, lms="canvas", roster=roster)
    assert len(list((out / "results").glob("*.json"))) == len(rows) == 5 and len(calls) == 3


def test_gradescope_export_metadata_names_students_and_groups(tmp_path, fake_grading):
    subs, out = tmp_path / "subs", tmp_path / "out"
    write(subs / "export" / "submission_11" / f"{CH}.ipynb", EXERCISE)
    write(subs / "export" / "submission_12" / f"{CH}.ipynb", EXERCISE + b" ")
    write(subs / "export" / lms.GRADESCOPE_METADATA, b"""
submission_11:
  :submitters:
  - :name: Ann Lee
    :sid: '1001'
submission_12:
  :submitters:
  - :name: Bo Kim
    :sid: '1002'
  - :name: Cy Ray
    :sid: '1003'
""")
    roster = Roster.parse(io.StringIO("id,name\n1001,Ann Lee\n1002,Bo Kim\n1003,Cy Ray\n1004,Di Wu\n"))
    rows = run_batch(subs, out, lms="gradescope", roster=roster)
    assert sorted((r.student, r.status) for r in rows) == [
        ("1001", "graded"), ("1002", "graded"), ("1004", "missing")]
    assert next(r for r in rows if r.student == "1002").group == ["1003"]
    export.write_canvas(rows, tmp_path / "c.csv", roster)
    ids = [line[1] for line in csv.reader(open(tmp_path / "c.csv"))][2:]
    assert ids == ["1001", "1002", "1003", "1004"]


# --- import formats --------------------------------------------------------------

def rows_for_export() -> tuple[list[Result], Roster]:
    pts = {"a": 4.0, "b": 10.0}
    rows = [Result("81", "x.ipynb", CH, "graded", scores={"a": 4.0, "b": 5.5}, points=pts,
                   submitted="2026-11-30T10:00:00"),
            Result("81", "old.ipynb", CH, "superseded", scores={"a": 4.0, "b": 10.0}, points=pts),
            Result("82", "y.ipynb", CH, "graded", scores={"a": 0.0, "b": 0.0}, points=pts),
            Result("99", "z.ipynb", CH, "unknown student", scores={"a": 4.0, "b": 10.0}, points=pts),
            Result("83", "", CH, "missing", scores={"a": 0.0, "b": 0.0}, points=pts)]
    roster = Roster.parse(io.StringIO("ID,Student,SIS User ID,SIS Login ID,Section,email\n"
                                      '83,"Diaz, Ana",s83,adiaz,B,ad@x\n81,"Lee, Ann",s81,alee,A,\n'
                                      "82,Bo Kim,s82,bkim,A,\n"))
    return rows, roster


def test_canvas_import_has_canvas_columns_and_points_possible(tmp_path):
    rows, roster = rows_for_export()
    export.write_canvas(rows, tmp_path / "c.csv", roster, canvas_id=4242)
    table = list(csv.reader(open(tmp_path / "c.csv")))
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{CH} (4242)"]
    assert table[1] == ["Points Possible", "", "", "", "", "14.0"]
    assert table[2:] == [["Diaz, Ana", "83", "s83", "adiaz", "B", "0.0"],
                         ["Lee, Ann", "81", "s81", "alee", "A", "9.5"],
                         ["Bo Kim", "82", "s82", "bkim", "A", "0.0"]]


def test_nbgrader_export_has_the_columns_of_nbgrader_export(tmp_path):
    rows, roster = rows_for_export()
    export.write_nbgrader(rows, tmp_path / "n.csv", roster, duedate="2026-12-01T00:00:00")
    table = list(csv.DictReader(open(tmp_path / "n.csv")))
    # nbgrader/plugins/export.py, CsvExportPlugin.export: keys
    assert list(table[0]) == ["assignment", "duedate", "timestamp", "student_id", "last_name",
                              "first_name", "email", "raw_score", "late_submission_penalty",
                              "score", "max_score"]
    diaz, lee, kim = table
    assert (diaz["student_id"], diaz["last_name"], diaz["first_name"], diaz["email"],
            diaz["timestamp"], diaz["score"]) == ("83", "Diaz", "Ana", "ad@x", "", "0.0")
    assert (lee["raw_score"], lee["score"], lee["max_score"], lee["timestamp"]) == (
        "9.5", "9.5", "14.0", "2026-11-30T10:00:00")
    assert (kim["last_name"], kim["first_name"]) == ("Kim", "Bo")


# --- course.toml -----------------------------------------------------------------

def test_config_per_assignment_values_and_flags_over_them(tmp_path):
    path = tmp_path / "course.toml"
    path.write_text('[grade]\nlms = "canvas"\nroster = "r.csv"\nformat = "canvas"\ntimeout = 200\n'
                    '[assignments.03_mlp]\ntimeout = 900\nmemory_mb = 8192\ncanvas_id = 7\n')
    c = config.load(path)
    mlp = c.settings("03_mlp")
    assert (mlp.timeout, mlp.memory_mb, mlp.canvas_id, mlp.roster) == (900, 8192, 7, tmp_path / "r.csv")
    assert c.settings(CH).format == ("canvas",) and c.settings(CH).timeout == 200
    assert mlp.merge(timeout=60, lms=None).timeout == 60 and mlp.merge(lms=None).lms == "canvas"


def test_the_example_configuration_in_docs_is_valid():
    c = config.load(ROOT / "docs" / "course.example.toml")
    assert c.settings("03_mlp").timeout == 900


@pytest.mark.parametrize("text,message", [
    ("[grade]\ntimeot = 3\n", "unknown key"),
    ("[grade]\ntimeout = '3'\n", "whole number"),
    ("[grade]\nlms = 'blackboard'\n", "lms must be one of"),
    ("[grade]\nformat = ['excel']\n", "not one of"),
    ("[grade\n", "course.toml"),
    ("[assignments.03_mpl]\ntimeout = 3\n", "no such assignment"),
    ("[release]\nrepository = 'a/b'\n", "zth: release_repository"),
])
def test_config_mistakes_are_errors_that_say_where(tmp_path, text, message):
    with pytest.raises(config.ConfigError, match=message):
        config.parse(text)


# --- end to end ------------------------------------------------------------------

def test_canvas_download_round_trip_through_the_command(tmp_path):
    """A Canvas zip (a late resubmission, a student in the roster without a file), graded
    by `python -m autograder grade --lms canvas`: an import-ready Canvas CSV, and a
    second run grades nothing and rewrites no result."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("smithjohn_12_1002_01_micrograd.ipynb", EXERCISE)
        z.writestr("smithjohn_LATE_12_1107_01_micrograd-1.ipynb", EXERCISE + b"\n")
        z.writestr("leeann_13_1001_01_micrograd.ipynb", EXERCISE)
    write(subs / "submissions.zip", buf.getvalue())
    roster = write(tmp_path / "roster.csv",
                   b'Student,ID,SIS User ID,SIS Login ID,Section\n    Points Possible,,,,\n'
                   b'"Smith, John",12,s12,jsmith,A\n"Lee, Ann",13,s13,alee,A\n"Diaz, Ana",14,s14,adiaz,B\n')
    cmd = [sys.executable, "-m", "autograder", "grade", CH, str(subs), "-o", str(out), "--lms",
           "canvas", "--roster", str(roster), "--format", "canvas,nbgrader", "--jobs", "2",
           "--config", str(write(tmp_path / "course.toml", b"[assignments.01_micrograd]\ncanvas_id = 55\n"))]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = list(csv.reader(open(out / "canvas.csv")))
    assert table[0][-1] == f"{CH} (55)" and table[1][0] == "Points Possible"
    assert [r[:2] + r[-1:] for r in table[2:]] == [["Smith, John", "12", "0.0"],
                                                   ["Lee, Ann", "13", "0.0"],
                                                   ["Diaz, Ana", "14", "0.0"]]
    grades = list(csv.DictReader(open(out / "grades.csv")))
    assert sorted(r["status"] for r in grades) == ["graded", "graded", "missing", "superseded"]
    for r in grades:
        assert r["status"] == "missing" or Path(r["file"]).is_file(), r["file"]
        assert r["status"] == "missing" or r["archive"].endswith("submissions.zip")
    assert {r["member"] for r in grades} >= {"smithjohn_LATE_12_1107_01_micrograd-1.ipynb"}
    saved = {p: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    assert len(saved) == len(grades)

    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert {p: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")} == saved
    assert list(csv.DictReader(open(out / "grades.csv"))) == grades
