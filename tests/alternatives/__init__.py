"""Correct answers written another way, per chapter: each must score full marks.

A chapter's module here, tests/alternatives/NN_name.py, holds a list ALTERNATIVES of
Alt(name, cells={grade_id: code}): the code of those answer cells replaced, in the
solution notebook, by an independently written answer (loops where the solution
vectorises, other helper names, the lecture's own idioms, minbpe's code). Each is
graded by tests/test_chapters.py in the chapter's batch and must get every point:
a check enforces only what the task statement says.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Alternative:
    name: str
    cells: dict = field(default_factory=dict)    # grade_id of an answer cell -> its code

    def __str__(self):
        return self.name

    def apply(self, nb):
        """nb (the solution notebook) with these answer cells rewritten."""
        found = set()
        for c in nb.cells:
            gid = c.metadata.get("nbgrader", {}).get("grade_id")
            if gid in self.cells:
                c.source = self.cells[gid]
                found.add(gid)
        missing = set(self.cells) - found
        assert not missing, f"alternative {self.name!r}: no answer cell {sorted(missing)}"
        return nb


def Alt(name, **cells):
    return Alternative(name, dict(cells))


def load() -> dict[str, list[Alternative]]:
    """{chapter: [Alternative, ...]} from every tests/alternatives/NN_name.py."""
    import importlib
    from pathlib import Path
    found = {}
    for path in sorted(Path(__file__).parent.glob("[0-9][0-9]_*.py")):
        found[path.stem] = importlib.import_module(f"alternatives.{path.stem}").ALTERNATIVES
    return found


ALTERNATIVES = load()
