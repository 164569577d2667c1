"""Verdicts, computed by the grader from values the student's notebook exported.

A hidden test runs *probes* in the student's kernel: `_zth_export(key, value)`
(or `_zth_export(key, lambda: ...)`, which records an exception instead of
raising). The kernel writes them as JSON lines; nothing else crosses over. The
grader reads them back as plain numbers, strings, lists and tensors and runs the
task's `check(x, t)` function from the instructor source, in its own process,
against an independent oracle. Student code can print, patch builtins or swallow
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

MAX_EXPORT_BYTES = 64 * 2**20

# The code the grader runs first in the student's kernel. It converts values to
# plain JSON in the kernel; the grader trusts nothing but the JSON it reads back.
EXPORTER = r'''
def _zth_export(key, value):
    """Record a value for the grader (grading only: this cell is not in your notebook)."""
    import json, os, math
    def plain(v, depth=0):
        if depth > 20: raise ValueError("nested too deeply")
        if callable(v) and depth == 0:
            try:
                v = v()
            except BaseException as e:
                if isinstance(e, (KeyboardInterrupt, SystemExit)): raise
                return {"__error__": f"{type(e).__name__}: {e}"[:500]}
        if v is None or isinstance(v, (bool, str)): return v
        if isinstance(v, int): return int(v)
        if isinstance(v, float):
            return float(v) if math.isfinite(v) else {"__float__": repr(float(v))}
        try:
            import torch
            if isinstance(v, torch.Tensor):
                t = v.detach().cpu().to(torch.float64) if v.is_floating_point() else v.detach().cpu()
                return {"__tensor__": plain(t.tolist(), depth + 1), "dtype": str(v.dtype)}
        except ImportError:
            pass
        try:
            import numpy as np
            if isinstance(v, np.ndarray): return plain(v.tolist(), depth + 1)
            if isinstance(v, np.generic): return plain(v.item(), depth + 1)
        except ImportError:
            pass
        if isinstance(v, (list, tuple)): return [plain(u, depth + 1) for u in v]
        if isinstance(v, dict): return {str(k): plain(u, depth + 1) for k, u in v.items()}
        raise TypeError(f"cannot record a {type(v).__name__}")
    try:
        rec = {"k": str(key), "v": plain(value)}
    except BaseException as e:
        if isinstance(e, (KeyboardInterrupt, SystemExit)): raise
        rec = {"k": str(key), "v": {"__error__": f"{type(e).__name__}: {e}"[:500]}}
    with open(os.environ["ZTH_EXPORT"], "a", encoding="utf-8") as f:
        f.write(json.dumps(rec) + "\n")
'''


class Missing:
    """A value the notebook did not record, or recorded as an exception."""

    def __init__(self, why: str):
        self.why = why

    def __repr__(self):
        return f"Missing({self.why!r})"


def _decode(v):
    if isinstance(v, list):
        return [_decode(u) for u in v]
    if isinstance(v, dict):
        if "__error__" in v:
            return Missing(f"your code raised {str(v['__error__'])[:300]}")
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
    """key -> plain value, from the JSON lines the kernel wrote; the last record wins."""

    @classmethod
    def parse(cls, text: str) -> "Exports":
        x = cls()
        for line in text.splitlines()[:100_000]:
            try:
                rec = json.loads(line)
                x[str(rec["k"])] = _decode(rec["v"])
            except (ValueError, KeyError, TypeError, RecursionError):
                continue   # a line the student's code mangled: ignore it
        return x

    def __missing__(self, key):
        return Missing("no value was recorded (the cell raised an error or never ran)")


def _numeric(v, depth=0) -> bool:
    if isinstance(v, (list, tuple)):
        return depth < 64 and all(_numeric(u, depth + 1) for u in v)
    return isinstance(v, (int, float, torch.Tensor))


def as_tensor(v) -> torch.Tensor | None:
    """v as a float64 tensor, or None if it is not numeric (nested strings, dicts...).

    >>> as_tensor([["", {}]]) is None, as_tensor([[1, 2]]).shape
    (True, torch.Size([1, 2]))
    """
    if not _numeric(v):
        return None
    try:
        return torch.as_tensor(v, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return None


@dataclass
class Checks:
    """Collects the outcome of each comparison a task's check makes."""
    results: list[tuple[bool, str]] = field(default_factory=list)

    def _add(self, ok: bool, msg: str) -> bool:
        self.results.append((bool(ok), msg))
        return bool(ok)

    def true(self, cond, what: str, hint: str = "") -> bool:
        if isinstance(cond, Missing):
            return self._add(False, f"{what}: {cond.why}")
        ok = cond is True or (isinstance(cond, (int, float)) and not isinstance(cond, bool) and bool(cond))
        return self._add(ok, f"{what}: ok" if ok else f"{what}: {hint or 'not as expected'}")

    def equal(self, actual, expected, what: str, hint: str = "") -> bool:
        if isinstance(actual, Missing):
            return self._add(False, f"{what}: {actual.why}")
        a, e = as_tensor(actual), as_tensor(expected)
        if a is not None and e is not None and not isinstance(expected, str):
            ok = a.shape == e.shape and bool(torch.equal(a, e))
        else:
            ok = type(actual) is type(expected) and actual == expected
        return self._add(ok, f"{what}: ok" if ok else f"{what}: {hint or 'not the expected value'}")

    def close(self, actual, expected, what: str, atol: float = 1e-6, rtol: float = 1e-5,
              hint: str = "") -> bool:
        if isinstance(actual, Missing):
            return self._add(False, f"{what}: {actual.why}")
        a, e = as_tensor(actual), as_tensor(expected)
        if a is None:
            return self._add(False, f"{what}: expected a number or tensor, got {type(actual).__name__}")
        if a.shape != e.shape:
            return self._add(False, f"{what}: shape {tuple(a.shape)} but {tuple(e.shape)} was expected")
        if not bool(torch.isfinite(a).all()):
            return self._add(False, f"{what}: contains nan or inf")
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


def run_check(code: str, task: str, exports: Exports, chapter: str = "") -> Checks:
    """Run the instructor's check code for `task` on the exports (trusted side).
    The code sees torch, math, and reference(scale) for its chapter's records."""
    ns = {"torch": torch, "math": math, "__name__": f"zth_check_{task}",
          "reference": lambda scale="grading": reference(chapter, scale)}
    exec(compile(code, f"<check {task}>", "exec"), ns)
    t = Checks()
    ns["check"](exports, t)
    if not t.results:
        raise RuntimeError(f"check for {task!r} made no comparison")
    return t
