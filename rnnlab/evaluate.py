"""One judgement of a graded unit, for every place a student sees feedback.

The visible checks in the notebook, the course's autograder (directly or through nbgrader)
and the instructors' tools all judge a unit the same way: run each of its
cases in some way (in this process, or in the grader's sandboxed worker), compare what came
back with the expected values under :mod:`rnnlab.compare`, and name a known mistake when the
student's values are those of one. :func:`evaluate_unit` does that once, given a way to run
a case, and returns a :class:`UnitOutcome`; :meth:`UnitOutcome.lines` renders it, the same
words everywhere:

    2 of 4 checks passed; all must pass for the points
    FAIL float64: a batch of 3
           next_h: max relative error 4.1e-01 > 1e-07 at index (0, 2): expected ...
    ok   float32: a batch of 3
    Likely mistake: ... (Your values equal those of the reference solution with that
    mistake, on every check you failed.)

A case ends in one of :data:`STATUSES`: ``passed``; ``wrong`` (values off, with the
comparisons that failed); ``raised`` (the code raised or returned something that is not
numbers); ``timed out`` and ``crashed`` (the process running the code had to be ended: the
unit's remaining cases are ``not run``); ``not run`` (a time budget ran out, or an earlier
failure stopped the unit).

This module is public: it runs in the student's kernel for the visible checks. The known
mistakes it can name there are their values on the *public* cases only
(``rnnlab/fixtures/<assignment>.mistakes.npz``), which reveal nothing the public cases do not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from rnnlab.compare import Comparison, compare_outputs

PASSED, WRONG, RAISED, TIMED_OUT, CRASHED, NOT_RUN = (
    "passed", "wrong", "raised", "timed out", "crashed", "not run")
STATUSES = (PASSED, WRONG, RAISED, TIMED_OUT, CRASHED, NOT_RUN)

# How many wrong values of one case the feedback lists (outputs first); the rest are named.
SHOWN_VALUES = 3
# How many generated mistakes (one-site changes of the solution) one diagnosis names at most.
SHOWN_GENERATED = 2

MISTAKE_NOTE = ("(Your values equal those of the reference solution with that mistake, on "
                "every check you failed.)")
NO_GRADIENT = ("Likely mistake: every value that is off is exactly zero while the others are "
               "right: no gradient flows through your computation. Use TensorFlow operations "
               "throughout (not NumPy, `.numpy()`, Python floats or `tf.stop_gradient`), so "
               "that `tf.GradientTape` can differentiate it.")


class CaseRaised(Exception):
    """The code under test raised, or returned something that is not numbers; the message is
    what the student reads."""


class UnitStopped(Exception):
    """The case could not be finished and the unit's later cases are not run (the process
    running the code timed out or died). ``status`` is ``timed out``, ``crashed`` or ``not
    run``."""

    status = CRASHED
    after = " after the crash"  # what the feedback says of the cases not run after it


@dataclass
class CaseOutcome:
    """How one case ended (see the module docstring)."""

    name: str
    status: str
    why: str = ""
    comparisons: list[Comparison] = field(default_factory=list)
    values: dict | None = None
    ignored: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == PASSED

    @property
    def worst(self) -> float:
        return max([0.0] + [c.max_error for c in self.comparisons if c.ok])


@dataclass
class UnitOutcome:
    """Every case of one unit, and what the feedback adds to them.

    Attributes:
        unit: the unit's name (the grade_id of its test cell).
        cases: one :class:`CaseOutcome` per case, in order.
        mistake: the title of the known mistake whose values the student's equal, if any.
        hint: a diagnosis that needs no declared mistake: gradients that do not flow, or
            what the relations between the wrong values and the expected ones suggest
            (:mod:`rnnlab.diagnose`); one or more lines.
        depends: what to say about units this one uses that fail too (set by the caller,
            who knows the other units' outcomes).
    """

    unit: str
    cases: list[CaseOutcome]
    mistake: str | None = None
    hint: str | None = None
    depends: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.cases) and all(c.ok for c in self.cases)

    @property
    def passed(self) -> int:
        return sum(c.ok for c in self.cases)

    @property
    def worst(self) -> float:
        return max([0.0] + [c.worst for c in self.cases])

    def failures(self) -> list[tuple[int, dict]]:
        """(case index, the student's values) of the cases that failed on values."""
        return [(i, c.values) for i, c in enumerate(self.cases) if c.status == WRONG]

    def summary(self) -> str:
        n = len(self.cases)
        if self.ok:
            return f"all {n} checks passed"
        return f"{self.passed} of {n} checks passed; all must pass for the points"

    def lines(self) -> list[str]:
        """The feedback, top to bottom: the summary, each case, then the diagnosis."""
        out = [self.summary()]
        errors = [c.why for c in self.cases if c.status in (RAISED, TIMED_OUT, CRASHED)]
        if errors and len(errors) == len(self.cases) and len(set(errors)) == 1:
            out.append(f"FAIL every case: {errors[0]}")  # the same error each time: once
        else:
            out.extend(_case_lines(self.cases))
        out.extend(self.depends)
        if self.mistake:
            out.append(f"Likely mistake: {self.mistake}. {MISTAKE_NOTE}")
        elif self.hint:
            out.extend(self.hint.splitlines())
        return out

    def render(self) -> str:
        return "\n".join(self.lines())


def _case_lines(cases: Sequence[CaseOutcome]) -> list[str]:
    out = []
    for i, case in enumerate(cases):
        if case.status == NOT_RUN and case.why.startswith("after"):
            continue  # counted on the line of the case that stopped the unit
        if case.status == PASSED:
            out.append(f"ok   {case.name}")
        elif case.status == WRONG:
            out.append(f"FAIL {case.name}")
            bad = [c for c in case.comparisons if not c.ok]
            out.extend(f"       {c.message}" for c in bad[:SHOWN_VALUES])
            if len(bad) > SHOWN_VALUES:
                rest = [c.key for c in bad[SHOWN_VALUES:]]
                out.append(f"       ... and {', '.join(rest)} (off too)")
        else:
            line = f"FAIL {case.name}: {case.why}"
            rest = 0
            while i + 1 + rest < len(cases) and cases[i + 1 + rest].why.startswith("after"):
                rest += 1
            if rest and case.status == NOT_RUN:
                line += f" ({rest} more case(s) not run)"
            elif rest:
                out.append(line)
                line = f"     ({rest} more case(s) not run{cases[i + 1].why[len('after'):]})"
            out.append(line)
        if case.ignored:
            out.append(f"       (ignored unexpected values: {', '.join(case.ignored)})")
    return out


def _is_gradient(key: str) -> bool:
    """A probe names the gradient of a value ``x`` ``dx`` (``dWx``, ``dprev_h``...)."""
    return len(key) > 1 and key[0] == "d"


def _no_gradient(cases: Sequence[CaseOutcome]) -> bool:
    """Every value that is off is a gradient that is exactly zero, and an output that is not a
    gradient is right: the outputs flow, their gradients do not. (A hand-written backward
    pass, whose outputs are all gradients, never gets this hint.)"""
    wrong = [c for c in cases if c.status == WRONG]
    if not wrong or any(c.status not in (PASSED, WRONG) for c in cases):
        return False
    right_output = False
    for case in wrong:
        for comp in case.comparisons:
            if comp.ok:
                right_output |= not _is_gradient(comp.key)
                continue
            got = (case.values or {}).get(comp.key)
            if got is None or not _is_gradient(comp.key):
                return False
            got = np.asarray(got)
            if got.dtype.kind != "f" or got.size == 0 or np.any(got != 0):
                return False
    return right_output


Runner = Callable[..., dict]


def in_process(namespace: dict) -> Runner:
    """A runner for :func:`evaluate_unit` that runs cases on ``namespace`` in this process
    (the visible checks; instructors' tools on trusted code). No time limit."""
    from rnnlab.notebook import format_exception
    from rnnlab.probes import run_case

    def run(case, timeout=None):
        try:
            return run_case(namespace, case)
        except Exception as exc:  # noqa: BLE001 - the case fails with the student's error
            raise CaseRaised(format_exception(exc)) from None

    return run


def evaluate_unit(unit: str, cases: Sequence, expected: Sequence[dict], run: Runner, *,
                  budget=None, case_timeout: float | None = None,
                  diagnose: Callable[[list[tuple[int, dict]]], str | None] | None = None,
                  first_failure: bool = False) -> UnitOutcome:
    """Runs and judges every case of one unit.

    Args:
        unit: the unit's name.
        cases: its :class:`rnnlab.cases.Case` s.
        expected: the expected values of each case (name -> array).
        run: ``run(case, timeout)`` returns the case's values (name -> array), or raises
            :class:`CaseRaised` (this case fails, the next runs) or :class:`UnitStopped`
            (this case fails, the rest are not run).
        budget: an object with ``left()`` (seconds) and ``seconds``, the wall time left for
            the submission, or None.
        case_timeout: the longest one case may take (the budget may shorten it).
        diagnose: given the failures (case index, values), the title of the known mistake
            that explains them all, or None.
        first_failure: stop at the first case that does not pass (the rest are ``not run``):
            for tools that only need to know whether the unit passes.
    """
    outcomes: list[CaseOutcome] = []
    for i, (case, want) in enumerate(zip(cases, expected)):
        timeout = case_timeout
        if budget is not None:
            if budget.left() <= 0:
                why = f"not run: the grading time budget of {budget.seconds:.0f} s ran out"
                outcomes.append(CaseOutcome(case.name, NOT_RUN, why))
                outcomes.extend(CaseOutcome(c.name, NOT_RUN, "after") for c in cases[i + 1:])
                break
            if timeout is not None:
                timeout = max(1.0, min(timeout, budget.left()))
        try:
            got = run(case, timeout)
        except UnitStopped as exc:
            why = str(exc)
            status, after = ((NOT_RUN, "") if why.startswith("not run")
                             else (exc.status, exc.after))
            outcomes.append(CaseOutcome(case.name, status, why))
            outcomes.extend(CaseOutcome(c.name, NOT_RUN, "after" + after) for c in cases[i + 1:])
            break
        except CaseRaised as exc:
            outcomes.append(CaseOutcome(case.name, RAISED, str(exc)))
            if first_failure:
                outcomes.extend(CaseOutcome(c.name, NOT_RUN, "after") for c in cases[i + 1:])
                break
            continue
        comparisons = compare_outputs(got, want, case.dtype)
        ignored = sorted(set(got) - set(want))
        status = PASSED if all(c.ok for c in comparisons) else WRONG
        outcomes.append(CaseOutcome(case.name, status, "", comparisons, got, ignored))
        if first_failure and status != PASSED:
            outcomes.extend(CaseOutcome(c.name, NOT_RUN, "after") for c in cases[i + 1:])
            break
    result = UnitOutcome(unit, outcomes)
    failures = result.failures()
    clean = all(c.status in (PASSED, WRONG) for c in outcomes)
    if failures and clean and diagnose is not None:
        result.mistake = diagnose(failures)
    if result.mistake is None and clean and _no_gradient(outcomes):
        result.hint = NO_GRADIENT
    elif result.mistake is None and failures:
        from rnnlab.diagnose import relation_hints

        result.hint = "\n".join(relation_hints(cases, expected, outcomes)) or None
    return result


def matching_mistakes(records: Sequence[tuple[int, int, dict]], cases: Sequence,
                      failures: list[tuple[int, dict]]) -> list[int]:
    """The indices of the mistakes whose values the failures equal (the rule of
    :func:`match_mistakes`), in order."""
    by_mistake: dict[int, dict[int, dict]] = defaultdict(dict)
    for m, i, values in records:
        by_mistake[m][i] = values
    failing = {i for i, _ in failures}
    return [m for m, values in sorted(by_mistake.items()) if set(values) == failing and all(
        all(c.ok for c in compare_outputs(got, values[i], cases[i].dtype)) for i, got in failures)]


def match_mistakes(titles: Sequence[str], records: Sequence[tuple[int, int, dict]],
                   cases: Sequence, failures: list[tuple[int, dict]],
                   declared: int | None = None) -> str | None:
    """The known mistake that explains every failure, if one does.

    A mistake is named when the cases whose values it changes are exactly the cases that
    failed, and the student's values equal its values on each of them (same tolerance as
    grading). Two mistakes with the same values there are both named; a declared mistake
    (the first ``declared`` titles) is preferred to a generated one, and at most
    :data:`SHOWN_GENERATED` generated ones are named.

    Args:
        titles: one per mistake.
        records: (mistake index, case index, the mistake's values) where it differs from the
            expected values.
        cases: the unit's cases (their dtypes select the tolerance).
        failures: (case index, the student's values) of the cases that failed on values.
        declared: how many of the titles are declared mistakes (None: all).
    """
    matches = matching_mistakes(records, cases, failures)
    if not matches:
        return None
    first = [m for m in matches if declared is None or m < declared]
    chosen = [titles[m] for m in first] or [titles[m] for m in matches[:SHOWN_GENERATED]]
    others = "; or, with the same values on these checks: ".join(chosen[1:])
    return chosen[0] + (f" (or, with the same values on these checks: {others})" if others else "")


def depends_lines(unit: str, uses: Sequence[str], failed: dict[str, str],
                  diagnoses: dict[str, str | None] | None = None) -> list[str]:
    """What to say when units that ``unit`` uses fail too.

    Args:
        uses: the units whose code ``unit``'s code calls.
        failed: unit -> how to name it for the student (its notebook names), for the units
            that failed.
        diagnoses: unit -> what that unit's own feedback names as the likely mistake (one
            line), when it names one: repeated here, so that the student reads it where the
            failure shows.
    """
    named = [u for u in uses if u in failed]
    if not named:
        return []
    lines = [f"Note: this unit uses {', '.join(failed[u] for u in named)}, which "
             + ("fails its own checks too: fix it first"
                if len(named) == 1 else "fail their own checks too: fix them first")
             + ", this unit may then pass as it is."]
    for u in named:
        said = (diagnoses or {}).get(u)
        if said:
            lines.append(f"  ({failed[u]}: {said})")
    return lines


def diagnosis_line(outcome: UnitOutcome) -> str | None:
    """The one line that names a failed unit's likely mistake, if its feedback names one."""
    if outcome.mistake:
        return f"Likely mistake: {outcome.mistake}"
    if outcome.hint:
        return outcome.hint.splitlines()[0]
    return None


def link_dependencies(order: Sequence[str], outcomes: dict[str, UnitOutcome],
                      uses: dict[str, Sequence[str]], names: dict[str, str]) -> None:
    """Sets ``depends`` on every failed unit whose used units fail too, with their diagnoses
    (a unit without one of its own passes on that of a failed unit it uses). Such a unit's
    own hint is dropped: what its values say is about the unit it uses as much as about it;
    a declared mistake it matches is kept.

    Args:
        order: the units, each after the units it uses (the notebook's order).
        outcomes: unit -> its outcome (units not judged are left out).
        uses: unit -> the units its code calls.
        names: unit -> how to name it for the student.
    """
    said: dict[str, str | None] = {}
    for unit in order:
        outcome = outcomes.get(unit)
        if outcome is None or outcome.ok:
            continue
        failed = {u: names.get(u, u) for u in uses.get(unit, ())
                  if u in outcomes and not outcomes[u].ok}
        if failed and outcome.mistake is None:
            outcome.hint = None  # its values are those of a wrong unit it uses: no telling
        outcome.depends = depends_lines(unit, uses.get(unit, ()), failed,
                                        {u: said.get(u) for u in failed})
        said[unit] = diagnosis_line(outcome) or next(
            (said[u] for u in failed if said.get(u)), None)
