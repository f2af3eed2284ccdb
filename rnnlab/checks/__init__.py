"""Visible checks: instant feedback in the notebook, no solution needed.

Each check runs the public cases of one graded unit on the student's code, in the notebook's
own process, and compares the results with expected values stored in
``rnnlab/fixtures/<assignment>.npz`` (generated from the instructor's solutions by
``make fixtures``), under the same tolerance policy as the autograder
(:mod:`rnnlab.compare`). Passing them is necessary, not sufficient: the autograder also runs
hidden cases.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rnnlab.cases import unpack
from rnnlab.compare import compare_outputs

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


class CheckFailed(AssertionError):
    """A visible check found a wrong value; the message says which, by how much and where."""


@lru_cache(maxsize=None)
def _fixture(assignment: str):
    path = FIXTURES / f"{assignment}.npz"
    if not path.exists():
        raise FileNotFoundError(f"no check fixtures for {assignment!r} at {path} "
                                "(instructors: run `make fixtures`)")
    return unpack(str(path))


def run_check(assignment: str, unit: str, **objects) -> None:
    """Runs the public cases of ``unit`` on ``objects`` (notebook name -> object).

    Prints a one-line summary when everything matches; raises :class:`CheckFailed` with
    per-value feedback otherwise.
    """
    from rnnlab.probes import run_case

    cases, outputs = _fixture(assignment)
    selected = [(c, o) for c, o in zip(cases, outputs) if c.unit == unit]
    if not selected:
        raise KeyError(f"no visible checks for {assignment}/{unit}")
    failures, worst = [], 0.0
    for case, expected in selected:
        try:
            got = run_case(objects, case)
        except Exception as exc:  # noqa: BLE001 - report it, don't crash the check
            failures.append(f"- {case.name}: {type(exc).__name__}: {exc}")
            continue
        comparisons = compare_outputs(got, expected, case.dtype)
        bad = [c for c in comparisons if not c.ok]
        worst = max([worst] + [c.max_error for c in comparisons if c.ok])
        if bad:
            failures.append(f"- {case.name}:")
            failures.extend(f"    {c.message}" for c in bad)
    if failures:
        raise CheckFailed(
            f"{unit}: {sum(f.startswith('-') for f in failures)} of {len(selected)} checks "
            "failed\n" + "\n".join(failures)
        )
    print(f"{unit}: all {len(selected)} checks passed (max relative error {worst:.1e})")
