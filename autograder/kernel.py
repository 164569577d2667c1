"""The code the grader runs first in the student's kernel, before any student code.

Its source text becomes the first cell of the graded notebook (this module is never
imported there: the sandbox has no autograder package), so it uses the standard
library only, and imports torch and numpy lazily. It defines two things:

* `_zth_export(key, value)`: record a value for the grader. `value` may be a
  callable: it is called, and an exception it raises is recorded for that key alone.
  Values are converted to plain JSON here; the grader trusts nothing but that JSON,
  and reads it back only for the keys of the test cell that was running (see
  runner.py), so a record written anywhere else counts for nothing.
* `_zth_hidden(code, seed)`: the chapter's hidden inputs, built by running the
  source's `inputs` code with `rng = random.Random(seed)`. The grader runs the same
  code with the same seed for the checks; the seed is drawn per submission from a
  secret the kernel never sees, so nothing in this repository predicts the inputs.

>>> import json, os, tempfile
>>> os.environ["ZTH_EXPORT"] = tempfile.mktemp()
>>> _zth_export("grad", [1.0, float("nan")])
>>> _zth_export("bad", lambda: 1 / 0)
>>> [json.loads(line) for line in open(os.environ["ZTH_EXPORT"])]
[{'k': 'grad', 'v': [1.0, {'__float__': 'nan'}]}, {'k': 'bad', 'v': {'__error__': 'ZeroDivisionError: division by zero'}}]
>>> _zth_hidden("xs = [rng.randint(0, 9) for _ in range(3)]", 7).xs
[5, 2, 6]
"""
import json
import math
import os

MAX_TEXT = 500   # characters of an exception recorded for the grader (it shows fewer)


def _zth_plain(v, depth=0):
    """v as plain JSON: numbers, strings, lists, dicts; tensors and arrays tagged."""
    if depth > 20:
        raise ValueError("nested too deeply")
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v) if math.isfinite(v) else {"__float__": repr(float(v))}
    try:
        import torch
        if isinstance(v, torch.Tensor):
            t = v.detach().cpu()
            t = t.to(torch.float64) if t.is_floating_point() else t
            return {"__tensor__": _zth_plain(t.tolist(), depth + 1), "dtype": str(v.dtype)}
    except ImportError:
        pass
    try:
        import numpy as np
        if isinstance(v, np.ndarray):
            return _zth_plain(v.tolist(), depth + 1)
        if isinstance(v, np.generic):
            return _zth_plain(v.item(), depth + 1)
    except ImportError:
        pass
    if isinstance(v, (list, tuple)):
        return [_zth_plain(u, depth + 1) for u in v]
    if isinstance(v, dict):
        return {str(k): _zth_plain(u, depth + 1) for k, u in v.items()}
    raise TypeError(f"cannot record a {type(v).__name__}")


def _zth_error(e):
    return {"__error__": f"{type(e).__name__}: {e}"[:MAX_TEXT]}


def _zth_export(key, value):
    """Record a value for the grader (grading only: this is not in your notebook)."""
    try:
        if callable(value):
            value = value()
        rec = {"k": str(key), "v": _zth_plain(value)}
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:
        rec = {"k": str(key), "v": _zth_error(e)}
    with open(os.environ["ZTH_EXPORT"], "a", encoding="utf-8") as f:
        f.write(json.dumps(rec) + "\n")


def _zth_hidden(code, seed):
    """The names that `code` defines when run with rng = random.Random(seed)."""
    import random
    import types
    ns = {"rng": random.Random(seed), "__name__": "zth_inputs"}
    exec(code, ns)
    return types.SimpleNamespace(**{k: v for k, v in ns.items()
                                    if not k.startswith("_") and k != "rng"
                                    and not isinstance(v, types.ModuleType)})


draw_inputs = _zth_hidden   # the grader's name for it: the same inputs, drawn outside the kernel
