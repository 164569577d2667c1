"""Verdicts, computed by the grader from values the student's notebook exported.

A hidden test runs *probes* in the student's kernel: `_zth_export(key, value)`
(or `_zth_export(key, lambda: ...)`, which records an exception instead of
raising). The kernel writes them as JSON lines, and the runner passes on those
written while each test cell ran (see runner.py); nothing else crosses over. The
grader reads a task's records back as plain numbers, strings, lists and tensors
and runs the task's `check(x, t)` function from the instructor source, in its own
process, on the same hidden inputs (`_zth_in`), against an independent oracle. Student code can print, patch builtins or swallow
exceptions as it likes: it never touches the comparison.

>>> x = Exports.parse('{"k": "grad", "v": [1.0, 2.0]}\\n')
>>> t = Checks()
>>> t.close(x["grad"], [1.0, 2.0], "the gradient")
True
>>> t.close(x["missing"], 1.0, "dL/da")
False
>>> t.fraction, t.messages[-1]
(0.5, 'dL/da: no value was recorded (the cell raised an error or never ran)')
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import torch

STUDENT_TEXT = 200   # characters of student-produced text the feedback shows per task


class Missing:
    """A value the notebook did not record, or recorded as an exception. `raised` is
    the student's exception text, if any: the feedback shows a bounded excerpt."""

    def __init__(self, why: str, raised: str = ""):
        self.why, self.raised = why, raised

    def __repr__(self):
        return f"Missing({self.why!r})"


def _decode(v):
    if isinstance(v, list):
        return [_decode(u) for u in v]
    if isinstance(v, dict):
        if "__error__" in v:
            return Missing("your code raised an error", raised=str(v["__error__"])[:1000])
        if "__float__" in v:
            return float(v["__float__"]) if v["__float__"] in ("nan", "inf", "-inf") else Missing("bad float")
        if "__tensor__" in v:
            try:
                return torch.tensor(v["__tensor__"], dtype=torch.float64 if "float" in str(v.get("dtype")) else None)
            except (TypeError, ValueError, RuntimeError) as e:
                return Missing(f"not a tensor ({e})")
        return {str(k): _decode(u) for k, u in v.items()}
    return v


class Exports(dict):
    """key -> plain value, from the JSON lines the kernel wrote while one test cell
    ran. A key recorded twice with different values is Missing: the hidden test
    records each key once, so a second record is not the probe's."""

    @classmethod
    def parse(cls, text: str | list[str]) -> "Exports":
        x, raw = cls(), {}
        lines = text.splitlines() if isinstance(text, str) else text
        for line in lines[:100_000]:
            try:
                rec = json.loads(line)
                key, value = str(rec["k"]), rec["v"]
            except (ValueError, KeyError, TypeError, RecursionError):
                continue   # a line the student's code mangled: ignore it
            if key in raw and raw[key] != value:
                x[key] = Missing("recorded more than once, with different values")
                continue
            raw[key] = value
            if not isinstance(x.get(key), Missing):
                try:
                    x[key] = _decode(value)
                except RecursionError:
                    x[key] = Missing("nested too deeply")
        return x

    last: str | None = None         # the key a check read last (see Checks.keys)

    def __getitem__(self, key):
        self.last = key
        return super().__getitem__(key)

    def __missing__(self, key):
        return Missing("no value was recorded (the cell raised an error or never ran)")


def _numeric(v, depth=0) -> bool:
    if isinstance(v, (list, tuple)):
        return depth < 64 and all(_numeric(u, depth + 1) for u in v)
    return isinstance(v, (int, float, torch.Tensor)) and not isinstance(v, bool)


def as_tensor(v) -> torch.Tensor | None:
    """v as a float64 tensor, or None if it is not numeric (nested strings, dicts...).

    >>> as_tensor([["", {}]]) is None, as_tensor([[1, 2]]).shape, as_tensor([True])
    (True, torch.Size([1, 2]), None)
    """
    if not _numeric(v):
        return None
    try:
        return torch.as_tensor(v, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return None


@dataclass
class Checks:
    """Collects the outcome of each comparison a task's check makes.

    Student-produced text (an exception's message) appears in the messages only as
    one excerpt per task of at most STUDENT_TEXT characters, type first: the first
    failing key that raised shows it, the others say only that the code raised.

    >>> t = Checks()
    >>> t.true(1, "a count"), t.true(float("nan"), "nan"), t.true(2 > 1, "a comparison")
    (False, False, True)
    >>> t.fail(Missing("your code raised an error", "ValueError: " + "x" * 500), "grad")
    False
    >>> len(t.messages[-1]) < 260, t.messages[-1][:40]
    (True, 'grad: your code raised ValueError: xxxxx')
    """
    results: list[tuple[bool, str]] = field(default_factory=list)
    shown: int = 0                  # characters of student text shown so far
    reading: "Exports | None" = None   # the exports the check reads (run_check sets it)
    keys: list = field(default_factory=list)        # per result: the key read last before it
    diagnoses: list["Mistake"] = field(default_factory=list)   # known mistakes recognised

    def _add(self, ok: bool, msg: str) -> bool:
        self.results.append((bool(ok), msg))
        self.keys.append(getattr(self.reading, "last", None))
        return bool(ok)

    def diagnose(self, mistake: "Mistake") -> None:
        """Record that the answer behaves like a catalogued mistake (see diagnose())."""
        if all(m.id != mistake.id for m in self.diagnoses):
            self.diagnoses.append(mistake)

    def failed_keys(self) -> set:
        """The export keys some failed comparison was made on."""
        return {k for (ok, _), k in zip(self.results, self.keys) if not ok and k is not None}

    def _missing(self, m: "Missing", what: str) -> bool:
        if not m.raised:
            return self._add(False, f"{what}: {m.why}")
        room = STUDENT_TEXT - self.shown
        if room < 20:
            return self._add(False, f"{what}: your code raised {m.raised.split(':', 1)[0][:40]}")
        excerpt = m.raised[:room] + ("..." if len(m.raised) > room else "")
        self.shown += min(len(m.raised), room)
        return self._add(False, f"{what}: your code raised {excerpt}")

    def true(self, cond, what: str, hint: str = "") -> bool:
        """Passes only for the bool True, a verdict the check computed itself from the
        exports: never pass an exported value here (a student can export True)."""
        if isinstance(cond, Missing):
            return self._missing(cond, what)
        ok = cond is True
        return self._add(ok, f"{what}: ok" if ok else f"{what}: {hint or 'not as expected'}")

    def fail(self, value, what: str, hint: str = "") -> bool:
        """A failed check: the reason a Missing value gives, or else the hint."""
        if isinstance(value, Missing):
            return self._missing(value, what)
        return self._add(False, f"{what}: {hint or 'not as expected'}")

    def equal(self, actual, expected, what: str, hint: str = "") -> bool:
        if isinstance(actual, Missing):
            return self._missing(actual, what)
        a, e = as_tensor(actual), as_tensor(expected)
        if a is not None and e is not None and not isinstance(expected, str):
            ok = a.shape == e.shape and bool(torch.equal(a, e))
        else:
            try:
                ok = type(actual) is type(expected) and bool(actual == expected)
            except Exception:     # a value whose comparison breaks: not equal
                ok = False
        return self._add(ok, f"{what}: ok" if ok else f"{what}: {hint or 'not the expected value'}")

    def close(self, actual, expected, what: str, atol: float = 1e-6, rtol: float = 1e-5,
              hint: str = "") -> bool:
        if isinstance(actual, Missing):
            return self._missing(actual, what)
        a, e = as_tensor(actual), as_tensor(expected)
        if a is None:
            return self._add(False, f"{what}: expected a number or tensor, got {type(actual).__name__}")
        if a.shape != e.shape:
            return self._add(False, f"{what}: shape {tuple(a.shape)} is not the expected shape")
        if not bool(torch.isfinite(a).all()):
            return self._add(False, f"{what}: contains nan or inf")
        if e is None:
            raise TypeError(f"{what}: the expected value is not numeric")
        ok = bool(torch.allclose(a, e, atol=atol, rtol=rtol))
        if ok:
            return self._add(True, f"{what}: ok")
        err = float((a - e).abs().max())
        return self._add(False, f"{what}: off by up to {err:.3g} (tolerance {atol:g} + {rtol:g}*|expected|)"
                         + (f"; {hint}" if hint else ""))

    @property
    def fraction(self) -> float:
        if not self.results:
            return 0.0
        return sum(ok for ok, _ in self.results) / len(self.results)

    @property
    def messages(self) -> list[str]:
        return [m for _, m in self.results]


RECORDS = Path(__file__).resolve().parent / "records"


def reference(chapter: str, scale: str = "grading") -> dict:
    """The committed reference-run record of a chapter at a scale (see reference.py)."""
    path = RECORDS / chapter / f"{scale}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no reference record {path}: run "
                                f"`python -m autograder reference {chapter} --scale {scale}`")
    return json.loads(path.read_text())


class _Raises:
    def __repr__(self):
        return "RAISES"


RAISES = _Raises()   # in a mistake's oracle: the mistaken code raises for this key


@dataclass
class Mistake:
    """A catalogued mistake of a task: what to tell the student, and oracles of what
    the mistaken code exports on the hidden inputs (see diagnose()). Declared in the
    source's `# %% mistakes="task"` cell with the `mistake` decorator; its id is the
    `diagnosis=` of the mutants in tests/mutants/NN_name.py that make it."""
    id: str                  # stable, e.g. "probs-dim0"
    says: str                # one sentence naming the mistake (no values, no inputs)
    see: str                 # the book section that explains it: book/NN_name.html#anchor
    atol: float = 1e-6
    rtol: float = 1e-5
    oracles: list = field(default_factory=list)   # () -> {key: the mistaken export}

    def as_dict(self) -> dict:
        return {"id": self.id, "says": self.says, "see": self.see}


def same(got, want, atol: float = 1e-6, rtol: float = 1e-5) -> bool:
    """Whether an exported value is what a mistake's oracle predicts: numbers and
    tensors within the tolerance, lists and dicts part by part, anything else equal;
    RAISES: the probe raised; a function: its verdict on the value.

    >>> same([1.0, 2.0], torch.tensor([1.0, 2.0 + 1e-9])), same(["a."], ["a"])
    (True, False)
    >>> same(Missing("your code raised an error", "RuntimeError: x"), RAISES)
    True
    >>> same([torch.zeros(2), [1.0]], [[0.0, 0.0], [1.0]]), same({"a": 1}, lambda v: "a" in v)
    (True, True)
    """
    if want is RAISES:
        return isinstance(got, Missing) and bool(got.raised)
    if isinstance(got, Missing) or want is None:
        return False
    if callable(want):               # a verdict on the value, for what no value pins down
        try:
            return want(got) is True
        except Exception:
            return False
    a, e = as_tensor(got), as_tensor(want)
    if a is not None and e is not None:
        return (a.shape == e.shape and bool(torch.isfinite(a).all())
                and bool(torch.allclose(a, e, atol=atol, rtol=rtol)))
    if isinstance(want, (list, tuple)) and not isinstance(want, str):   # ragged: by part
        return (isinstance(got, list) and len(got) == len(want)
                and all(same(g, w, atol, rtol) for g, w in zip(got, want)))
    if isinstance(want, dict):
        return (isinstance(got, dict) and set(got) == set(want)
                and all(same(got[k], w, atol, rtol) for k, w in want.items()))
    try:
        return bool(got == want)
    except Exception:
        return False


def mistake_registry(chapter: str) -> tuple[dict, callable]:
    """({id: Mistake}, the `mistake` decorator a mistakes cell declares them with)."""
    found: dict[str, Mistake] = {}

    def mistake(id: str, says: str = "", see: str = "common-mistakes", **tol):
        page, _, anchor = see.rpartition("#") if "#" in see else ("", "", see)
        link = f"book/{page or chapter}.html#{anchor}"

        def register(oracle):
            if id not in found:
                if not says:
                    raise ValueError(f"mistake {id!r}: its first oracle must say what it is")
                found[id] = Mistake(id, says, link, **tol)
            found[id].oracles.append(oracle)
            return oracle
        return register

    return found, mistake


def diagnose(ns: dict, code: str, exports: Exports, t: Checks, fresh_inputs) -> None:
    """Name the known mistakes a failed task's answer behaves like (trusted side).

    `code` (the source's mistakes cell of the task) runs in the check's namespace and
    declares each mistake with oracles: functions returning {key: what the mistaken
    code exports on these hidden inputs}. A mistake is recorded in `t` when, for one of
    its oracles, every key it predicts holds that value, and a comparison of the check
    failed on one of those keys (so the mistake is not merely right by coincidence on
    these inputs). An oracle that breaks is skipped: it never costs the student."""
    found, ns["mistake"] = mistake_registry(ns.get("_zth_chapter", ""))
    ns["RAISES"] = RAISES
    exec(compile(code, f"<mistakes {ns.get('__name__', '')}>", "exec"), ns)
    failed = t.failed_keys()
    for m in found.values():
        for oracle in m.oracles:
            ns["_zth_in"] = fresh_inputs()
            try:
                want = oracle()
            except Exception as e:
                import sys
                print(f"warning: mistake {m.id}: its oracle broke ({type(e).__name__}: {e})",
                      file=sys.stderr, flush=True)
                continue
            if want and failed & set(want) and all(
                    same(exports[k], v, m.atol, m.rtol) for k, v in want.items()):
                t.diagnose(m)
                break


def run_check(code: str, task: str, exports: Exports, chapter: str = "",
              hidden=None, mistakes: str = "", fresh=None) -> Checks:
    """Run the instructor's check code for `task` on the exports (trusted side).
    The code sees torch, math, reference(scale) for its chapter's records, load_text
    for the course data, as_tensor, Missing, and `_zth_in`, the hidden inputs of this
    submission. When the task loses points and its source has a mistakes cell, the
    known mistakes its answer behaves like are named in `t.diagnoses` (diagnose()), on
    inputs from `fresh()` (an unaltered copy of the hidden inputs; by default a copy
    taken before the check runs, since a check may alter its own)."""
    import copy
    from .data import load_text
    if mistakes and fresh is None:
        pristine = copy.deepcopy(hidden)
        fresh = lambda: copy.deepcopy(pristine)      # noqa: E731
    ns = {"torch": torch, "math": math, "__name__": f"zth_check_{task}",
          "reference": lambda scale="grading": reference(chapter, scale), "_zth_chapter": chapter,
          "load_text": load_text, "_zth_in": hidden, "as_tensor": as_tensor, "Missing": Missing}
    exec(compile(code, f"<check {task}>", "exec"), ns)
    t = Checks(reading=exports)
    ns["check"](exports, t)
    if not t.results:
        raise RuntimeError(f"check for {task!r} made no comparison")
    if mistakes and t.fraction < 1:
        try:
            diagnose(ns, mistakes, exports, t, fresh)
        except Exception as e:   # a broken mistakes cell names nothing, costs nothing
            import sys
            print(f"warning: the mistakes of {chapter}/{task} broke ({type(e).__name__}: "
                  f"{e}); no diagnosis", file=sys.stderr, flush=True)
    return t
