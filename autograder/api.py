"""The programmatic API: grade a notebook, load a notebook's definitions."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from rnnlab.compare import compare_outputs
from rnnlab.notebook import NotebookError, describe_cell, read_notebook, run_definitions

from autograder import paths
from autograder.plan import GradingPlan, PlannedUnit, load_plan
from autograder.results import GradeResult, TestResult
from autograder.runner import (CaseError, Limits, ProtocolViolation, Timeout, WorkerFailed,
                               WorkerSession)
from autograder.sandbox import Sandbox, SandboxError


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
        if isinstance(meta, dict) and meta.get("assignment") in paths.ASSIGNMENTS:
            return meta["assignment"]
    stem = re.sub(r"[^a-z0-9]", "", path.stem.lower())
    for name in sorted(paths.ASSIGNMENTS, key=len, reverse=True):
        if stem.startswith(name):
            return name
    return None


def _zero_result(path: Path, plan: GradingPlan, why: str, t0: float) -> GradeResult:
    tests = [TestResult(u.name, 0.0, u.points, why) for u in plan.units]
    return GradeResult(str(path), plan.assignment, tests, time.monotonic() - t0, why)


class Budget:
    """The wall time left for one submission's cases."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()


def grade_unit(session: WorkerSession, unit: PlannedUnit, known=None,
               budget: Budget | None = None) -> TestResult:
    """Runs every case of one unit; all of them must pass for the unit's points.

    Args:
        session: the worker holding the submission.
        unit: the planned unit (cases and reference values).
        known: the assignment's :class:`~autograder.mistakes.KnownMistakes` (or None): a
            failure whose values match a known mistake's says so.
        budget: the submission's remaining wall time.
    """
    lines, passed, errors, failures = [], 0, [], []
    n = len(unit.cases)
    for i, (case, expected) in enumerate(zip(unit.cases, unit.expected)):
        timeout = session.limits.case_timeout
        if budget is not None:
            if budget.left() <= 0:
                lines.append(f"FAIL {case.name}: not run: the grading time budget of "
                             f"{budget.seconds:.0f} s ran out"
                             + (f" ({n - i - 1} more case(s) not run)" if n - i - 1 else ""))
                errors.append("budget")
                break
            timeout = max(1.0, min(timeout, budget.left()))
        try:
            got = session.run_case(case, timeout=timeout)
        except WorkerFailed as exc:  # a time-out or a crash: the unit is lost, skip the rest
            lines.append(f"FAIL {case.name}: {exc}")
            skipped = n - i - 1
            if skipped:
                cause = ("after the time-out" if isinstance(exc, Timeout)
                         else "" if isinstance(exc, ProtocolViolation)
                         or str(exc).startswith("not run") else "after the crash")
                lines.append(f"     ({skipped} more case(s) not run{' ' + cause if cause else ''})")
            errors.append(str(exc))
            break
        except CaseError as exc:
            errors.append(str(exc))
            lines.append(f"FAIL {case.name}: {exc}")
            continue
        comparisons = compare_outputs(got, expected, case.dtype)
        extra = sorted(set(got) - set(expected))
        if all(c.ok for c in comparisons):
            passed += 1
            lines.append(f"ok   {case.name}")
        else:
            failures.append((i, got))
            lines.append(f"FAIL {case.name}")
            lines.extend(f"       {c.message}" for c in comparisons if not c.ok)
        if extra:
            lines.append(f"       (ignored unexpected values: {', '.join(extra)})")
    ok = passed == n
    if errors and len(errors) == n and len(set(errors)) == 1:
        lines = [f"FAIL every case: {errors[0]}"]  # the same error each time: say it once
    summary = (f"all {passed} checks passed" if ok
               else f"{passed} of {n} checks passed; all must pass for the points")
    out = [summary] + lines
    if not ok and known is not None and failures and not errors:
        mistake = known.diagnose(unit, failures)
        if mistake is not None:
            out.append(f"Likely mistake: {mistake.title}. (Your values equal those of the "
                       f"reference solution with that mistake, on every check you failed.)")
    return TestResult(unit.name, unit.points if ok else 0.0, unit.points, "\n".join(out))


_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
_TMP = re.compile(r"/tmp/autograder-[A-Za-z0-9_]+")


def stable_text(text: str) -> str:
    """Feedback without what differs from run to run (memory addresses, scratch folders)."""
    return _TMP.sub("<scratch>", _ADDRESS.sub("0x...", text))


def _known_mistakes(assignment: str, plan: GradingPlan):
    try:
        from autograder.mistakes import load_known_mistakes

        return load_known_mistakes(assignment, plan)
    except Exception as exc:  # noqa: BLE001 - hints are optional; grading goes on without them
        print(f"autograder: warning: no known-mistake hints for {assignment}: {exc}",
              file=sys.stderr)
        return None


def grade_notebook(path: str | Path, assignment: str | None = None,
                   limits: Limits | None = None, *, sandbox: Sandbox | None = None,
                   hints: bool = True, isolation: str | None = None) -> GradeResult:
    """Grades one notebook against its assignment's hidden tests.

    Args:
        path: the submitted notebook.
        assignment: which assignment (default: from the notebook's metadata or file name).
        limits: resource limits for the process that runs the student's code.
        sandbox: how to confine it (default: the strongest available here, provided it is at
            least ``isolation``).
        hints: name known mistakes in the feedback (see :mod:`autograder.mistakes`).
        isolation: the weakest isolation accepted (``auto``, ``namespace``, ``user``,
            ``process``; default ``AUTOGRADER_SANDBOX``, else ``auto``: the namespace
            sandbox); see :meth:`Sandbox.require`.

    Returns:
        A :class:`GradeResult`, built only after every process that ran the student's code
        has ended. A notebook that cannot be read or run still gets one (zero, with the
        reason), since that is the student's grade.

    Raises:
        GradingError: the file does not exist, its assignment cannot be told, or the grader
            itself cannot work (no plan, or not the isolation asked for: it does not grade
            with less).
    """
    t0 = time.monotonic()
    path = Path(path)
    limits = limits or Limits()
    if not path.is_file():
        raise GradingError(f"no such notebook: {path}")
    try:
        nb, problem = read_notebook(path), None
    except NotebookError as exc:
        nb, problem = None, str(exc).replace(str(path), path.name)
    assignment = assignment or detect_assignment(nb, path)
    if assignment is None:
        raise GradingError(f"cannot tell which assignment {path} is for "
                           f"(pass --assignment, one of: {', '.join(paths.ASSIGNMENTS)})")
    try:
        plan = load_plan(assignment)
    except Exception as exc:  # noqa: BLE001 - any failure here is the grader's, not the student's
        raise GradingError(f"cannot load the grading plan of {assignment!r}: {exc}") from exc
    try:
        sandbox = sandbox or Sandbox.require(isolation)
    except SandboxError as exc:
        raise GradingError(str(exc)) from exc
    if problem:
        result = _zero_result(path, plan, f"Your notebook could not be read: {problem}", t0)
        result.isolation = sandbox.isolation()
        return result
    known = _known_mistakes(assignment, plan) if hints else None

    session = WorkerSession(path, limits, sandbox)
    try:
        report = session.start()
        if not report.ok:
            session.close()
            why = f"Your notebook could not be run: {report.error}"
            result = _zero_result(path, plan, stable_text(why), t0)
            result.output = stable_text("\n".join([why] + _printed(session.output())
                                                  + _notes(session)))
            result.peak_memory = session.peak_memory
            result.isolation = sandbox.isolation()
            return result
        budget = Budget(limits.grade_timeout)
        tests = [grade_unit(session, unit, known, budget) for unit in plan.units]
    finally:
        session.close()  # every process that ran student code is gone after this
    general = []
    if report.cell_errors:
        general.append("Cells that raised an error while your definitions were loaded "
                       "(the grader skipped them):")
        general.extend(f"  {describe_cell(nb, i)}: {err}" for i, err in report.cell_errors)
    general += _notes(session)
    for t in tests:
        t.output = stable_text(t.output)
    result = GradeResult(str(path), assignment, tests, time.monotonic() - t0,
                         stable_text("\n".join(general)))
    result.peak_memory = session.peak_memory
    result.isolation = sandbox.isolation()
    return result


# TensorFlow's start-up chatter on stderr, which says nothing about the student's code.
_NOISE = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\)|"
                    r"[IWE]0000 00:00:\S+ +\d+ (cudart_stub|cuda_platform|cuda_executor|"
                    r"cpu_feature_guard)\.cc|To enable the following instructions:)")


def _printed(output: str, keep: int = 3000) -> list[str]:
    output = "\n".join(ln for ln in output.splitlines() if not _NOISE.match(ln)).strip()
    if len(output) > keep:
        output = "... (earlier output left out) ...\n" + output[-keep:]
    return ["What your code printed:", output] if output else []


def _notes(session: WorkerSession) -> list[str]:
    notes = [f"Note: {n}" for n in session.sandbox.notes]
    if session.leftovers:
        notes.append(f"Note: {len(session.leftovers)} process(es) started by your code could "
                     f"not be ended")
    return notes
