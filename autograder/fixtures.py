"""The public check fixtures: the visible checks' cases and expected values.

``make fixtures`` writes ``rnnlab/fixtures/<assignment>.npz`` from the compiled plan's public
cases (expected values come from running the solution). They hold no hidden case.
"""

from __future__ import annotations

from pathlib import Path

from rnnlab.cases import pack
from rnnlab.checks import FIXTURES

from autograder.plan import load_plan
from autograder.specs import load_units


def fixture_bytes(assignment: str) -> bytes:
    """The fixture file's exact bytes as they should be now."""
    plan = load_plan(assignment)
    public = {id(c) for u in load_units(assignment) for c in u.public}
    spec_public = [(u.name, c.name) for u in load_units(assignment) for c in u.public]
    del public
    cases, outputs = [], []
    for unit in plan.units:
        for case, expected in zip(unit.cases, unit.expected):
            if (unit.name, case.name) in spec_public:
                cases.append(case)
                outputs.append(expected)
    return pack(cases, outputs)


def write_fixtures(assignment: str, folder: Path = FIXTURES) -> Path:
    path = Path(folder) / f"{assignment}.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fixture_bytes(assignment))
    return path
