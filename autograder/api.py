"""The programmatic API: grade a notebook, load a notebook's definitions."""

from __future__ import annotations

import re
import time
from pathlib import Path

from rnnlab.compare import compare_outputs
from rnnlab.notebook import NotebookError, read_notebook, run_definitions

from autograder import paths
from autograder.plan import GradingPlan, PlannedUnit, load_plan
from autograder.results import GradeResult, TestResult
from autograder.runner import CaseError, Limits, Timeout, WorkerFailed, WorkerSession


class GradingError(Exception):
    """The notebook could not be graded at all (missing file, unknown assignment)."""


def load_definitions(notebook_path: str | Path) -> dict:
    """The objects a notebook's definition cells define, without its experiment cells.

    Runs in *this* process: use it on trusted notebooks (the solutions, your own tests).
    Cells that raise are skipped; their errors are in ``ns["__cell_errors__"]``.
    See :mod:`rnnlab.notebook` for which cells count as definitions.
    """
    run = run_definitions(read_notebook(notebook_path))
    run.namespace["__cell_errors__"] = [(e.index, e.error) for e in run.errors]
    return run.namespace


def detect_assignment(nb: dict | None, path: Path) -> str | None:
    """From the notebook's metadata (``rnnlab.assignment``) or its file name."""
    if nb is not None:
        meta = (nb.get("metadata") or {}).get("rnnlab") or {}
        if meta.get("assignment") in paths.ASSIGNMENTS:
            return meta["assignment"]
    stem = re.sub(r"[^a-z0-9]", "", path.stem.lower())
    for name in sorted(paths.ASSIGNMENTS, key=len, reverse=True):
        if stem.startswith(name):
            return name
    return None


def _zero_result(path: Path, plan: GradingPlan, why: str, t0: float) -> GradeResult:
    tests = [TestResult(u.name, 0.0, u.points, why) for u in plan.units]
    return GradeResult(str(path), plan.assignment, tests, time.monotonic() - t0, why)


def grade_unit(session: WorkerSession, unit: PlannedUnit) -> TestResult:
    """Runs every case of one unit; all of them must pass for the unit's points."""
    lines, passed, errors = [], 0, []
    for i, (case, expected) in enumerate(zip(unit.cases, unit.expected)):
        try:
            got = session.run_case(case)
        except Timeout as exc:
            lines.append(f"FAIL {case.name}: {exc}")
            skipped = len(unit.cases) - i - 1
            if skipped:
                lines.append(f"     ({skipped} more case(s) not run after the time-out)")
            break
        except (CaseError, WorkerFailed) as exc:
            errors.append(str(exc))
            lines.append(f"FAIL {case.name}: {exc}")
            continue
        comparisons = compare_outputs(got, expected, case.dtype)
        extra = sorted(set(got) - set(expected))
        if all(c.ok for c in comparisons):
            passed += 1
            lines.append(f"ok   {case.name}")
        else:
            lines.append(f"FAIL {case.name}")
            lines.extend(f"       {c.message}" for c in comparisons if not c.ok)
        if extra:
            lines.append(f"       (ignored unexpected values: {', '.join(extra)})")
    ok = passed == len(unit.cases)
    if errors and len(errors) == len(unit.cases) and len(set(errors)) == 1:
        lines = [f"FAIL every case: {errors[0]}"]  # the same error each time: say it once
    summary = (f"all {passed} checks passed" if ok
               else f"{passed} of {len(unit.cases)} checks passed; all must pass for the points")
    return TestResult(unit.name, unit.points if ok else 0.0, unit.points,
                      "\n".join([summary] + lines))


def grade_notebook(path: str | Path, assignment: str | None = None,
                   limits: Limits | None = None) -> GradeResult:
    """Grades one notebook against its assignment's hidden tests.

    Args:
        path: the submitted notebook.
        assignment: which assignment (default: from the notebook's metadata or file name).
        limits: resource limits for the process that runs the student's code.

    Returns:
        A :class:`GradeResult`. A notebook that cannot be read or run still gets one (zero,
        with the reason), since that is the student's grade.

    Raises:
        GradingError: the file does not exist, or its assignment cannot be told.
    """
    t0 = time.monotonic()
    path = Path(path)
    if not path.is_file():
        raise GradingError(f"no such notebook: {path}")
    try:
        nb, problem = read_notebook(path), None
    except NotebookError as exc:
        nb, problem = None, str(exc)
    assignment = assignment or detect_assignment(nb, path)
    if assignment is None:
        raise GradingError(f"cannot tell which assignment {path} is for "
                           f"(pass --assignment, one of: {', '.join(paths.ASSIGNMENTS)})")
    try:
        plan = load_plan(assignment)
    except Exception as exc:  # noqa: BLE001 - any failure here is the grader's, not the student's
        raise GradingError(f"cannot load the grading plan of {assignment!r}: {exc}") from exc
    if problem:
        return _zero_result(path, plan, f"Your notebook could not be read: {problem}", t0)

    with WorkerSession(path, limits) as session:
        report = session.start()
        notes = list(session.sandbox.notes)
        if not report.ok:
            output = session.output()
            why = f"Your notebook could not be run: {report.error}"
            result = _zero_result(path, plan, why, t0)
            result.output = "\n".join([why] + _printed(output) + _notes(notes))
            return result
        tests = [grade_unit(session, unit) for unit in plan.units]
        general = []
        if report.cell_errors:
            general.append("Cells that raised an error while your definitions were loaded "
                           "(the grader skipped them):")
            general.extend(f"  cell {i}: {err}" for i, err in report.cell_errors)
        general += _notes(notes)
    return GradeResult(str(path), assignment, tests, time.monotonic() - t0, "\n".join(general))


def _printed(output: str) -> list[str]:
    output = output.strip()
    return ["What your code printed:", output[-3000:]] if output else []


def _notes(notes: list[str]) -> list[str]:
    return [f"Note: {n}" for n in notes]
