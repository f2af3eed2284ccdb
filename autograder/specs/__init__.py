"""What each assignment's hidden tests run: one module per assignment.

A spec module ``autograder/specs/<assignment>.py`` defines ``units() -> list[Unit]``. A unit is
one graded thing (a function, a backward pass, a layer) whose name is the nbgrader
``grade_id`` of its test cell in the solution notebook; its points come from that cell, so the
notebook stays the one place where points are set.

``public`` cases are the ones the visible checks run (their inputs and expected values are
written to ``rnnlab/fixtures/`` by ``make fixtures``); ``hidden`` cases are only ever run by
the autograder. Grading runs both.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from rnnlab.cases import Case


@dataclass
class Unit:
    """One graded unit.

    Attributes:
        name: the grade_id of the unit's test cell.
        targets: the notebook names it grades (functions or classes), in the order the visible
            check takes them.
        public: cases the visible check runs.
        hidden: cases only the autograder runs.
    """

    name: str
    targets: list[str]
    public: list[Case] = field(default_factory=list)
    hidden: list[Case] = field(default_factory=list)

    @property
    def cases(self) -> list[Case]:
        return self.public + self.hidden


def load_units(assignment: str) -> list[Unit]:
    """The units of ``assignment``'s spec, validated."""
    try:
        module = importlib.import_module(f"autograder.specs.{assignment}")
    except ModuleNotFoundError:
        raise ValueError(f"no hidden-test spec for assignment {assignment!r} "
                         f"(expected autograder/specs/{assignment}.py)") from None
    units = module.units()
    seen = set()
    for unit in units:
        if unit.name in seen:
            raise ValueError(f"spec {assignment}: unit {unit.name!r} defined twice")
        seen.add(unit.name)
        for case in unit.cases:
            if case.unit != unit.name:
                raise ValueError(f"spec {assignment}: case {case.name!r} of unit {unit.name!r} "
                                 f"says unit {case.unit!r}")
    return units
