"""Typical wrong answers, per chapter: each is a text edit of the solution notebook
and the set of tasks it must lose points on (every other task keeps full marks).

Each chapter has a module here, tests/mutants/NN_name.py, with a list MUTANTS of M(...)
entries; tests/test_chapters.py grades them all. Adding a chapter adds a file.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mutant:
    name: str
    old: str                     # text in the solution notebook (must occur exactly once)
    new: str
    breaks: frozenset = field(default_factory=frozenset)   # tasks that must lose points

    def __str__(self):
        return self.name


def M(name, old, new, *breaks):
    return Mutant(name, old, new, frozenset(breaks))



def load() -> dict[str, list[Mutant]]:
    """{chapter: [Mutant, ...]} from every tests/mutants/NN_name.py."""
    import importlib
    from pathlib import Path
    found = {}
    for path in sorted(Path(__file__).parent.glob("[0-9][0-9]_*.py")):
        found[path.stem] = importlib.import_module(f"mutants.{path.stem}").MUTANTS
    return found


MUTANTS = load()
