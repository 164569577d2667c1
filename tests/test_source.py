"""The source format: shared code comes in through `include`, `probes` and `checks`
cells, with clear errors."""
import nbformat
import pytest

from autograder import source
from autograder.build import graded_template
from autograder.check import Exports, run_check
from autograder.source import read_source
from autograder.submission import assemble


def write(tmp_path, body):
    path = tmp_path / "99_demo.py"
    path.write_text("# %% [markdown]\n# A demo.\n\n" + body)
    return path


@pytest.fixture
def includes(tmp_path, monkeypatch):
    folder = tmp_path / "include"
    folder.mkdir()
    (folder / "greet.py").write_text('name = "$who"\nprint({"hi": name})\n')
    (folder / "cash.py").write_text("price = '5 $'\n")
    monkeypatch.setattr(source, "INCLUDE_DIR", folder)
    return folder


def test_include_pastes_the_file_with_its_parameters(tmp_path, includes):
    src = read_source(write(tmp_path, '# %% include="greet" who="Ada"\n\n# %%\nx = 1\n'))
    code = [c for c in src.notebook.cells if c.cell_type == "code"]
    assert code[0].source == 'name = "Ada"\nprint({"hi": name})'
    assert code[0].metadata == {}          # a given cell, like any other
    assert code[1].source == "x = 1"


def test_locked_cell(tmp_path):
    src = read_source(write(tmp_path, "# %% locked\nx = 1\n"))
    assert src.notebook.cells[-1].metadata.nbgrader["locked"]


def test_unknown_header_word_is_an_error(tmp_path):
    with pytest.raises(ValueError, match=r"unknown cell header word\(s\) \['lockd'\]"):
        read_source(write(tmp_path, "# %% lockd\nx = 1\n"))


def test_include_can_be_locked(tmp_path, includes):
    src = read_source(write(tmp_path, '# %% include="greet" who="Ada" locked\n'))
    cell = src.notebook.cells[-1]
    assert cell.metadata.nbgrader["locked"] and cell.source.startswith('name = "Ada"')


@pytest.mark.parametrize("body, message", [
    ('# %% include="nope"\n', "include 'nope': no file nope.py"),
    ('# %% include="greet"\n', "include 'greet' needs a value for $who"),
    ('# %% include="greet" who="Ada"\nx = 1\n', "must be empty"),
    ('# %% include="cash"\n', "include 'cash': cash.py: Invalid placeholder"),
])
def test_bad_include_says_what_is_wrong(tmp_path, includes, body, message):
    with pytest.raises(ValueError, match="99_demo.py: .*" + message.replace("$", r"\$")):
        read_source(write(tmp_path, body))


def test_unreadable_cell_header_is_an_error(tmp_path):
    with pytest.raises(ValueError, match=r"cannot read the cell header '# %% test=grad'"):
        read_source(write(tmp_path, "# %% test=grad points=2\nassert True\n"))


def test_chapters_share_one_copy_of_the_names_data():
    """Chapters 4-6 build the names data from one file; the notebooks still hold it."""
    for name, block in (("04_batchnorm", 3), ("05_backprop_ninja", 3), ("06_wavenet", 8)):
        text = (source.SOURCE_DIR / f"{name}.py").read_text()
        assert f'# %% include="names_data" block_size={block}' in text
        assert "def build_dataset" not in text
        cells = [c.source for c in read_source(source.SOURCE_DIR / f"{name}.py").notebook.cells]
        assert sum(f"block_size = {block} " in c and "def build_dataset" in c for c in cells) == 1


SHARED = """# %% solution="double"
def double(x):
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION

# %% probes
def _zth_twice(f, x):
    return f(f(x))

# %% test="double" points=1
### BEGIN HIDDEN TESTS
_zth_export("double", _zth_twice(double, 3))
### END HIDDEN TESTS

# %% checks
def want(x):
    return 4 * x

# %% check="double"
def check(x, t):
    t.equal(x["double"], want(3), "double(double(3))")
"""


def test_probes_run_only_in_the_graded_notebook_and_checks_share_helpers(tmp_path):
    src = read_source(write(tmp_path, SHARED))
    assert all("def _zth_twice" not in c.source for c in src.notebook.cells)
    assert "def _zth_twice" in src.probes
    sol = graded_template(src)
    sol.cells = [c for c in sol.cells if not c.metadata.get("zth_grader")]
    for c in sol.cells:                     # a submission: the solution in every answer cell
        if c.metadata.get("nbgrader", {}).get("solution"):
            c.source = "def double(x):\n    return 2 * x"
    run, notes = assemble(sol, src, graded_template(src))
    assert not notes
    sources = [c.source for c in run.cells]
    first_student = next(i for i, c in enumerate(sources) if "def double" in c)
    assert sum("def _zth_twice" in c for c in sources[:first_student]) == 1
    assert run_check(src.checks["double"], "double", Exports({"double": 12})).fraction == 1
    assert run_check(src.checks["double"], "double", Exports({"double": 6})).fraction == 0


def test_old_task_header_is_refused_with_the_new_name(tmp_path):
    (tmp_path / "99_x.py").write_text('# %% task="double"\ndef double(x):\n    return 2 * x\n')
    with pytest.raises(ValueError, match='write solution="double"'):
        read_source(tmp_path / "99_x.py")
