"""Attacks that apply to every chapter, built from the untouched exercise: none solves
a task, so each must score 0 on every task (tests/test_chapters.py grades them in the
chapter's batch). They attack assembly (cells dropped, relabelled, stripped) and the
kernel (the exporter replaced, records forged by a hook, the JSON encoder patched),
and measure how much student text the feedback carries (LEAK)."""
import copy

import nbformat

LEAK = "Z"          # the leaked text is this letter repeated: its count in the feedback
                    # is the channel's width, whatever the text would have been


def _gid(c):
    return c.metadata.get("nbgrader", {}).get("grade_id")


def answer_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]


def test_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def _first_answer_prepended(nb, code):
    nb = copy.deepcopy(nb)
    first = answer_cells(nb)[0]
    first.source = code + "\n" + first.source
    return nb


def only_one_answer_cell(nb, index=0):
    """Nothing but one answer cell, untouched (the stub)."""
    nb = copy.deepcopy(nb)
    nb.cells = [answer_cells(nb)[index]]
    return nb


def without_answer_cell(nb, index):
    nb = copy.deepcopy(nb)
    drop = answer_cells(nb)[index]
    nb.cells = [c for c in nb.cells if c is not drop]
    return nb


def stripped(nb, index=0):
    """One answer cell's nbgrader metadata and id removed."""
    nb = copy.deepcopy(nb)
    c = answer_cells(nb)[index]
    c.metadata.pop("nbgrader", None)
    c.id = "colab-stripped"
    return nb


def relabelled(nb):
    """The first answer cell relabelled as the first test cell; the second answer cell
    given the first test cell's id; a test cell given an answer cell's grade_id."""
    nb = copy.deepcopy(nb)
    answers, tests = answer_cells(nb), test_cells(nb)
    tests[0].source = "print('ok')"
    answers[0].metadata["nbgrader"]["grade_id"] = _gid(tests[0])
    if len(answers) > 1:
        answers[1].metadata.pop("nbgrader", None)
        answers[1].id = tests[0].id
    tests[-1].metadata["nbgrader"]["grade_id"] = _gid(answers[-1])
    tests[-1].metadata["nbgrader"]["solution"] = True
    return nb


EXPORT_CONSTANT = """
import json as _j, os as _o
def _zth_export(key, value, _c={c}):
    with open(_o.environ['ZTH_EXPORT'], 'a') as f:
        f.write(_j.dumps({{'k': str(key), 'v': _c}}) + '\\n')
get_ipython().user_ns['_zth_export'] = _zth_export
"""

HOOK_APPEND = """
import json as _j, os as _o
def _forge(*a, **k):
    path = _o.environ['ZTH_EXPORT']
    keys = [_j.loads(l)['k'] for l in open(path) if l.strip()]
    with open(path, 'a') as f:
        for i, key in enumerate(keys):
            f.write(_j.dumps({'k': key, 'v': [True, 1.0, 0.0, {'__float__': 'nan'}][i % 4]}) + '\\n')
get_ipython().events.register('post_run_cell', _forge)
"""

JSON_PATCH = """
import json as _j
_dumps = _j.dumps
def _patched(obj, *a, **k):
    if isinstance(obj, dict) and isinstance(obj.get('v'), dict) and '__error__' in obj['v']:
        obj = {'k': obj['k'], 'v': 1.0}
    return _dumps(obj, *a, **k)
_j.dumps = _patched
"""

LEAK_CODE = """
class NotImplementedError(Exception):
    def __str__(self):
        return 'NotImplementedError ' + '""" + LEAK * 3000 + """'
import builtins as _b
_b.NotImplementedError = NotImplementedError
"""


def attacks(exercise) -> dict:
    """name -> attacked notebook; every one must score 0 on every task."""
    return {
        "onlyonecell": only_one_answer_cell(exercise),
        "stripped": stripped(exercise),
        "relabelled": relabelled(exercise),
        "exporttrue": _first_answer_prepended(exercise, EXPORT_CONSTANT.format(c="True")),
        "exportnan": _first_answer_prepended(exercise, EXPORT_CONSTANT.format(c="{'__float__': 'nan'}")),
        "hookappend": _first_answer_prepended(exercise, HOOK_APPEND),
        "jsonpatch": _first_answer_prepended(exercise, JSON_PATCH),
        "leak": _first_answer_prepended(exercise, LEAK_CODE),
    }


def dumps(nb) -> str:
    return nbformat.writes(nb)
