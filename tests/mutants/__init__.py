"""Typical wrong answers, per chapter: each is a text edit of the solution notebook
and the set of tasks it must lose points on (every other task keeps full marks).

Each chapter has a module here, tests/mutants/NN_name.py, with a list MUTANTS of M(...)
entries; tests/test_chapters.py grades them all. Adding a chapter adds a file.

A mutant that makes a catalogued mistake names it: `M(..., diagnosis="probs-dim0")`.
The id is declared, with the sentence the feedback says, the book section it links
and an oracle of what the mistaken code exports, in the chapter source's
`# %% mistakes="task"` cell (docs/ARCHITECTURE.md, "Diagnosis"). The catalogue of a
chapter is the pair: each declared id has a mutant here, each `diagnosis=` here is
declared there (tests/test_diagnosis.py), and grading that mutant names its mistake.
Mutants without a diagnosis are attacks and controls, not mistakes a student makes.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mutant:
    name: str
    old: str                     # text in the solution notebook (must occur exactly once)
    new: str
    breaks: frozenset = field(default_factory=frozenset)   # tasks that must lose points
    diagnosis: str = ""          # the id of the catalogued mistake it makes, if any

    def __str__(self):
        return self.name


def M(name, old, new, *breaks, diagnosis=""):
    return Mutant(name, old, new, frozenset(breaks), diagnosis)



def load() -> dict[str, list[Mutant]]:
    """{chapter: [Mutant, ...]} from every tests/mutants/NN_name.py."""
    import importlib
    from pathlib import Path
    found = {}
    for path in sorted(Path(__file__).parent.glob("[0-9][0-9]_*.py")):
        found[path.stem] = importlib.import_module(f"mutants.{path.stem}").MUTANTS
    return found


MUTANTS = load()
