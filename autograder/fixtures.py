"""The public check fixtures: the visible checks' cases, expected values and feedback.

``make fixtures`` writes, from the compiled plan and known mistakes:

- ``rnnlab/fixtures/<assignment>.npz``: the plan's public cases and their expected values
  (from running the solution). No hidden case.
- ``rnnlab/fixtures/<assignment>.feedback.npz``: what the visible checks need to say what the
  grader says: each unit's notebook names and the units it uses, the known mistakes' titles
  and their values on the *public* cases (where they differ from the expected values). Nothing
  there is not computable from the public cases and the release's text.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from rnnlab.cases import pack, pack_arrays
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


def feedback_bytes(assignment: str) -> bytes:
    """The feedback fixture's exact bytes as they should be now (see the module docstring)."""
    from autograder.mistakes import load_known_mistakes

    plan = load_plan(assignment)
    known = load_known_mistakes(assignment, plan)
    if known is not None and known.problems:
        raise ValueError(f"{assignment}: known mistakes that do not compile: {known.problems}")
    n_public = {u.name: len(u.public) for u in load_units(assignment)}
    records, arrays = [], {}
    for unit in plan.units:
        for m, i, values in (known.records.get(unit.name, []) if known else []):
            if i < n_public[unit.name]:
                r = len(records)
                records.append([unit.name, m, i, sorted(values)])
                arrays.update({f"{r}/{k}": np.asarray(v) for k, v in values.items()})
    shown = {m for _, m, _, _ in records}  # titles without public values are left out
    meta = {"units": {u.name: {"targets": list(u.targets), "uses": list(u.uses or [])}
                      for u in plan.units},
            "titles": [t if m in shown else "" for m, t in enumerate(known.titles)]
            if known else [], "records": records,
            "declared": known.declared if known else None}
    arrays["__meta__"] = np.array(json.dumps(meta, sort_keys=True))
    return pack_arrays(arrays)


def write_fixtures(assignment: str, folder: Path = FIXTURES) -> Path:
    path = Path(folder) / f"{assignment}.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fixture_bytes(assignment))
    (Path(folder) / f"{assignment}.feedback.npz").write_bytes(feedback_bytes(assignment))
    return path
