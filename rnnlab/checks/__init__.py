"""Visible checks: instant feedback in the notebook, no solution needed.

Each check runs the public cases of one graded unit on the student's code, in the notebook's
own process, and compares the results with expected values stored in
``rnnlab/fixtures/<assignment>.npz`` (generated from the instructor's solutions before
release), under the same tolerance policy as the autograder
(:mod:`rnnlab.compare`). Passing them is necessary, not sufficient: the autograder also runs
hidden cases.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from rnnlab.cases import unpack
from rnnlab.evaluate import (UnitOutcome, evaluate_unit, in_process, link_dependencies,
                             match_mistakes)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


class CheckFailed(AssertionError):
    """A visible check found a wrong value; the message says which, by how much and where.

    In Jupyter it shows as its message alone: the lines of library code that raised it
    (``run_check`` and friends) would say nothing about the student's code, which the message
    already names.
    """

    def _render_traceback_(self) -> list[str]:  # IPython renders this instead of a traceback
        red, reset = "\x1b[31m", "\x1b[0m"
        lines = str(self).splitlines() or [""]
        return [f"{red}Check failed: {lines[0]}{reset}"] + lines[1:]


@lru_cache(maxsize=None)
def _fixture(assignment: str):
    path = FIXTURES / f"{assignment}.npz"
    if not path.exists():
        raise FileNotFoundError(f"no check fixtures for {assignment!r} at {path} "
                                "(the course's rnnlab package is incomplete: reinstall it)")
    return unpack(str(path))


@dataclass
class Feedback:
    """What the visible checks know beyond the cases (``<assignment>.feedback.npz``)."""

    units: dict = field(default_factory=dict)  # unit -> {"targets": [...], "uses": [...]}
    titles: list = field(default_factory=list)
    records: dict = field(default_factory=dict)  # unit -> [(mistake, case index, values)]
    declared: int | None = None  # how many titles are declared mistakes (then generated ones)


@lru_cache(maxsize=None)
def _feedback(assignment: str) -> Feedback:
    path = FIXTURES / f"{assignment}.feedback.npz"
    if not path.exists():
        return Feedback()
    with np.load(path, allow_pickle=False) as npz:
        meta = json.loads(str(npz["__meta__"]))
        records: dict = {}
        for r, (unit, m, i, keys) in enumerate(meta["records"]):
            values = {k: npz[f"{r}/{k}"] for k in keys}
            records.setdefault(unit, []).append((int(m), int(i), values))
    return Feedback(meta["units"], meta["titles"], records, meta.get("declared"))


def _public(assignment: str, unit: str):
    cases, outputs = _fixture(assignment)
    selected = [(c, o) for c, o in zip(cases, outputs) if c.unit == unit]
    if not selected:
        raise KeyError(f"no visible checks for {assignment}/{unit}")
    return [c for c, _ in selected], [o for _, o in selected]


def _evaluate(assignment: str, unit: str, objects: dict, diagnose: bool) -> UnitOutcome:
    cases, expected = _public(assignment, unit)
    feedback = _feedback(assignment)
    records = feedback.records.get(unit, [])
    return evaluate_unit(
        unit, cases, expected, in_process(objects),
        diagnose=(lambda failures: match_mistakes(feedback.titles, records, cases, failures,
                                                  declared=feedback.declared))
        if diagnose else None)


def _namespace_of(objects: dict) -> dict:
    """The notebook namespace the checked objects live in (their functions' globals)."""
    for obj in objects.values():
        module = getattr(obj, "__module__", None)
        if isinstance(getattr(obj, "__globals__", None), dict):
            return obj.__globals__
        if module in sys.modules and module not in ("builtins",):
            return vars(sys.modules[module])
    return {}


def check_outcome(assignment: str, unit: str, namespace: dict) -> UnitOutcome:
    """Runs the public cases of ``unit`` on the objects in ``namespace`` and judges them the
    way the grader does (:mod:`rnnlab.evaluate`): known mistakes named on their public values,
    and the units it uses that fail their own checks named, with what their feedback names."""
    seen: dict[str, UnitOutcome] = {}
    finished: list[str] = []  # each unit after the units it uses
    _check_with_uses(assignment, unit, namespace, seen, finished)
    feedback = _feedback(assignment)
    uses = {u: list((feedback.units.get(u) or {}).get("uses", [])) for u in seen}
    names = {u: ", ".join(f"`{t}`" for t in (feedback.units.get(u) or {}).get("targets", []))
             or u for u in feedback.units}
    link_dependencies(finished, seen, uses, names)
    return seen[unit]


def _check_with_uses(assignment: str, unit: str, namespace: dict, seen: dict,
                     finished: list) -> None:
    """Judges ``unit`` and, when it fails, the units it uses (recursively)."""
    outcome = _evaluate(assignment, unit, namespace, diagnose=True)
    seen[unit] = outcome
    if not outcome.ok:
        feedback = _feedback(assignment)
        for other in (feedback.units.get(unit) or {}).get("uses", []):
            targets = (feedback.units.get(other) or {}).get("targets", [])
            if other in seen or not targets or not all(t in namespace for t in targets):
                continue
            try:
                _check_with_uses(assignment, other, namespace, seen, finished)
            except Exception:  # noqa: BLE001 - a note is optional; the check's verdict stands
                seen.pop(other, None)
    finished.append(unit)


def run_check(assignment: str, unit: str, **objects) -> None:
    """Runs the public cases of ``unit`` on ``objects`` (notebook name -> object).

    Prints a one-line summary when everything matches; raises :class:`CheckFailed` with
    per-value feedback otherwise, in the grader's words.
    """
    namespace = dict(_namespace_of(objects))
    namespace.update(objects)
    outcome = check_outcome(assignment, unit, namespace)
    if not outcome.ok:
        raise CheckFailed(f"{unit}: " + outcome.render())
    print(f"{unit}: {outcome.summary()} (max relative error {outcome.worst:.1e})")
