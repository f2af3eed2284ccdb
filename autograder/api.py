"""The programmatic API: grade a notebook, load a notebook's definitions."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from rnnlab.evaluate import UnitOutcome, evaluate_unit, link_dependencies
from rnnlab.notebook import NotebookError, describe_cell, read_notebook, run_definitions
from rnnlab.quiet import NOISE

from autograder import paths
from autograder.plan import GradingPlan, PlannedUnit, load_plan
from autograder.results import GradeResult, TestResult
from autograder.runner import Limits, WorkerSession
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


def evaluate_planned(session: WorkerSession, unit: PlannedUnit, known=None,
                     budget: Budget | None = None) -> UnitOutcome:
    """Runs every case of one unit in the worker and judges it (:mod:`rnnlab.evaluate`).

    Args:
        session: the worker holding the submission.
        unit: the planned unit (cases and reference values).
        known: the assignment's :class:`~autograder.mistakes.KnownMistakes` (or None): a
            failure whose values match a known mistake's says so.
        budget: the submission's remaining wall time.
    """
    return evaluate_unit(
        unit.name, unit.cases, unit.expected,
        lambda case, timeout: session.run_case(case, timeout=timeout),
        budget=budget, case_timeout=session.limits.case_timeout,
        diagnose=(lambda failures: known.diagnose_title(unit, failures)) if known else None)


def unit_result(unit: PlannedUnit, outcome: UnitOutcome) -> TestResult:
    return TestResult(unit.name, unit.points if outcome.ok else 0.0, unit.points,
                      outcome.render())


def add_dependencies(plan: GradingPlan, outcomes: dict[str, UnitOutcome]) -> None:
    """Tells each failed unit which units it uses fail too (``PlannedUnit.uses``), and what
    their feedback names (:func:`rnnlab.evaluate.link_dependencies`)."""
    link_dependencies([u.name for u in plan.units], outcomes,
                      {u.name: list(u.uses or []) for u in plan.units},
                      {u.name: ", ".join(f"`{t}`" for t in u.targets) or u.name
                       for u in plan.units})


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
            why = ("Your notebook could not be run: "
                   + report.where(lambda i: describe_cell(nb, i)))
            result = _zero_result(path, plan, stable_text(why), t0)
            result.output = stable_text("\n".join([why] + _printed(session.output())
                                                  + _notes(session)))
            result.peak_memory = session.peak_memory
            result.isolation = sandbox.isolation()
            return result
        budget = Budget(limits.grade_timeout)
        outcomes = {unit.name: evaluate_planned(session, unit, known, budget)
                    for unit in plan.units}
    finally:
        session.close()  # every process that ran student code is gone after this
    general = []
    if report.cell_errors:
        general.append("Cells that raised an error while your definitions were loaded "
                       "(the grader skipped them):")
        general.extend(f"  {describe_cell(nb, i)}: {err}" for i, err in report.cell_errors)
    general += _notes(session)
    add_dependencies(plan, outcomes)
    tests = [unit_result(unit, outcomes[unit.name]) for unit in plan.units]
    for t in tests:
        t.output = stable_text(t.output)
    result = GradeResult(str(path), assignment, tests, time.monotonic() - t0,
                         stable_text("\n".join(general)))
    result.peak_memory = session.peak_memory
    result.isolation = sandbox.isolation()
    return result


def _printed(output: str, keep: int = 3000) -> list[str]:
    output = "\n".join(ln for ln in output.splitlines() if not NOISE.match(ln)).strip()
    if len(output) > keep:
        output = "... (earlier output left out) ...\n" + output[-keep:]
    return ["What your code printed:", output] if output else []


def _notes(session: WorkerSession) -> list[str]:
    notes = [f"Note: {n}" for n in session.sandbox.notes]
    if session.leftovers:
        notes.append(f"Note: {len(session.leftovers)} process(es) started by your code could "
                     f"not be ended")
    return notes
