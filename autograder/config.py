"""The instructor's course configuration: one TOML file, flags override it.

`course.toml` at the top of the repository is read when present; `--config FILE`
reads another. Every key is optional; paths are relative to the file. See
docs/course.example.toml:

    [grade]                      # every assignment
    lms = "canvas"               # canvas | moodle | gradescope | plain (see lms.py)
    id_pattern = '...'           # instead of a preset: a regex with (?P<student>...)
    roster = "roster.csv"        # see roster.py
    format = ["canvas"]          # besides grades.csv: canvas, nbgrader (export.py)
    jobs = 2
    timeout = 300                # seconds per notebook
    cell_timeout = 120           # seconds per cell
    memory_mb = 4096             # memory per notebook
    scale = "grading"

    [assignments.03_mlp]         # one assignment: any [grade] key, and
    timeout = 600
    canvas_id = 123456           # the Canvas assignment id (its import column)
    duedate = "2026-10-02T23:59:00Z"   # nbgrader export's duedate column

The release repository is not here: the book needs it too, so it is named once, as
`zth: release_repository` in _config.yml (see release.py).

>>> c = parse('[grade]\\ntimeout = 200\\n[assignments.03_mlp]\\ntimeout = 600\\n')
>>> c.settings("03_mlp").timeout, c.settings("01_micrograd").timeout
(600, 200)
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .source import ROOT, chapters

DEFAULT = ROOT / "course.toml"
LMS = ("canvas", "moodle", "gradescope", "plain")
FORMATS = ("csv", "canvas", "nbgrader")


class ConfigError(ValueError):
    """The configuration file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Settings:
    """How one assignment is graded: defaults, then [grade], then [assignments.NAME],
    then command-line flags (Settings.merge)."""
    lms: str = "plain"
    id_pattern: str | None = None
    roster: Path | None = None
    format: tuple[str, ...] = ()
    jobs: int = 1
    timeout: int = 300
    cell_timeout: int = 120
    memory_mb: int = 4096
    scale: str = "grading"
    canvas_id: int | str | None = None
    duedate: str = ""

    def merge(self, **flags) -> "Settings":
        """These settings with every flag that was given (not None) put over them."""
        return replace(self, **{k: v for k, v in flags.items() if v is not None})


KEYS = {f.name for f in fields(Settings)}


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    grade: dict = field(default_factory=dict)
    assignments: dict = field(default_factory=dict)

    def settings(self, assignment: str) -> Settings:
        """The settings of one assignment (before command-line flags)."""
        values = {**self.grade, **self.assignments.get(assignment, {})}
        if isinstance(values.get("format"), str):
            values["format"] = [values["format"]]
        if "format" in values:
            values["format"] = tuple(values["format"])
        if values.get("roster"):
            roster = Path(values["roster"]).expanduser()
            base = self.path.parent if self.path else Path.cwd()
            values["roster"] = roster if roster.is_absolute() else base / roster
        return Settings(**values)


def _check(table: dict, where: str, keys: set[str]) -> dict:
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = set(table) - keys
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(sorted(keys))})")
    types = {f.name: f.type for f in fields(Settings)}
    for k, v in table.items():
        want = types.get(k, "")
        whole = isinstance(v, int) and not isinstance(v, bool)
        if "int" in want and "str" not in want and not whole:
            raise ConfigError(f"{where}.{k} must be a whole number, not {v!r}")
    fmts = table.get("format", [])
    for fmt in [fmts] if isinstance(fmts, str) else fmts if isinstance(fmts, list) else [fmts]:
        if fmt not in FORMATS:
            raise ConfigError(f"{where}.format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if table.get("lms") is not None and table["lms"] not in LMS:
        raise ConfigError(f"{where}.lms must be one of {', '.join(LMS)}, not {table['lms']!r}")
    return table


def parse(text: str, path: Path | None = None) -> Config:
    """A configuration from TOML text; ConfigError if it does not fit."""
    try:
        import tomllib
    except ModuleNotFoundError:                     # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise ConfigError("reading course.toml needs Python 3.11+ or "
                              "`pip install tomli`") from None
    where = str(path or "course.toml")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{where}: {e}") from None
    if "release" in data:
        raise ConfigError(f"{where} [release]: name the release repository once, as "
                          "`zth: release_repository` in _config.yml (the book's links need it)")
    _check(data, where, {"grade", "assignments"})
    assignments = data.get("assignments", {})
    if not isinstance(assignments, dict):
        raise ConfigError(f"{where} [assignments] must be a table")
    known = chapters()
    for name, table in assignments.items():
        if name not in known:
            raise ConfigError(f"{where} [assignments.{name}]: no such assignment "
                              f"(known: {', '.join(known)})")
        _check(table, f"{where} [assignments.{name}]", KEYS)
    grade = _check(data.get("grade", {}), f"{where} [grade]", KEYS)
    return Config(path, grade, assignments)


def load(path: Path | None = None) -> Config:
    """The configuration in `path`, else in course.toml at the top of the repository,
    else an empty one. Raises ConfigError when a file given cannot be read or used."""
    if path is None:
        if not DEFAULT.is_file():
            return Config()
        path = DEFAULT
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read the configuration {path}: {e.strerror}") from None
    return parse(text, Path(path))
