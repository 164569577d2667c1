"""Intake: who a file belongs to, and clear rejections of what cannot be graded."""
import json

import pytest

from autograder.check import Checks, Exports
from autograder.submission import Rejected, read, student_id


@pytest.mark.parametrize("name,folder,want", [
    ("alice.ipynb", None, "alice"),
    ("alice_01_micrograd.ipynb", None, "alice"),
    ("01_micrograd_alice.ipynb", None, "alice"),
    ("Copy of 01_micrograd - bob.ipynb", None, "bob"),
    ("Copy of Copy of carol-01_micrograd (2).ipynb", None, "carol"),
    ("Copy of 01_micrograd.ipynb", "dave", "dave"),
    ("anything.ipynb", "erin", "erin"),
])
def test_student_id(name, folder, want):
    assert student_id(name, "01_micrograd", folder) == want


def test_student_id_unknown():
    with pytest.raises(Rejected, match="cannot tell whose"):
        student_id("Copy of 01_micrograd.ipynb", "01_micrograd")


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"\xff\xfe\x00", "not UTF-8"),
    (b'{"cells": [', "not valid JSON"),
    (b'"just a string"', "not a Jupyter notebook"),
    (json.dumps({"nbformat": 3, "worksheets": []}).encode(), "format 3"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}}).encode(), "not a Jupyter notebook"),
])
def test_read_rejects_with_a_message(tmp_path, data, message):
    p = tmp_path / "x.ipynb"
    p.write_bytes(data)
    with pytest.raises(Rejected, match=message):
        read(p)


def test_exports_ignore_mangled_lines_and_report_errors():
    x = Exports.parse('{"k": "a", "v": 1.5}\nnot json\n{"k": "b", "v": {"__error__": "ValueError: no"}}\n'
                      '{"k": "t", "v": {"__tensor__": [[1.0, 2.0]], "dtype": "torch.float32"}}\n')
    t = Checks()
    assert t.close(x["a"], 1.5, "a")
    assert not t.close(x["b"], 1.0, "b") and "ValueError: no" in t.messages[-1]
    assert t.close(x["t"], [[1.0, 2.0]], "t")
    assert not t.close(x["t"], [1.0, 2.0], "t") and "shape" in t.messages[-1]
    assert not t.close("ok", 1.0, "a string") and not t.equal([1, 2], [1, 2, 3], "lists")
    assert t.fraction == 2 / 6
