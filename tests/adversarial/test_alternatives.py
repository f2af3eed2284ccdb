"""Correct code written differently must get full marks: the false-failure corpora, in process.

Every ``tests/adversarial/alternatives_<a>.py`` is picked up (``<a>`` is the assignment). It
defines ``SUBMISSIONS: dict[str, dict[str, str]]``, submission name -> {solution cell
grade_id: the whole cell's source}; cells not listed come from the solution. (A module without
``SUBMISSIONS`` contributes each module-level dict whose keys all end in ``_code``, named by
its variable in lower case.) Optional module attributes:

- ``UNIT_CELLS: dict[str, list[str]]``: graded unit -> further solution cells that hold its
  code besides the cells defining its targets (``rnn``: ``train_tbptt`` -> ``tbptt_step_code``,
  the helper it calls). (Not ``UNITS``: ``alternatives_seq2seq.py`` uses that name for
  submission -> the units it means to exercise, which this test does not need.)
- ``EXPECTED_FAILURES`` (or ``KNOWN_GRADER_DEFECTS``, the same shape):
  ``dict[str, dict[str, str]]``, submission -> {unit: why}: units that a known grader defect
  makes the submission lose. Such a submission is an expected failure
  (xfail) while it loses exactly those units (or fewer), and fails when it loses any other; when
  it loses none of them the test fails too, saying to delete the entry (the defect is fixed).

Tests:

- ``test_correct_alternative_gets_full_marks[<a>:<name>]``: builds the submission
  (``make_submission(a, Recipe(solved=["*"]))`` with the listed cells replaced), runs its
  definitions once and grades every unit with ``unit_outcomes`` (same probes and comparisons
  as the sandboxed grader). A failure lists each lost unit with the comparison message of every
  failing case (re-run with ``run_case`` and ``compare_outputs``) and any cell that raised.
- ``test_every_graded_unit_is_exercised[<a>]``: every graded unit (a test cell of the solution
  notebook) has a submission whose source differs from the solution in one of the unit's cells.
  A unit's cells are the solution cells that define (top-level ``def``/``class``) one of its
  targets in the spec (``Unit.targets``: ``CharRNN``, ``LSTM``, ``VQAModel``...), its
  ``<unit>_code`` cell if there is one, and ``UNIT_CELLS[unit]``. Every grade_id a submission
  lists must be a solution cell (a typo would silently leave the solution's code in place).

Numeric settings: run once with ``TF_ENABLE_ONEDNN_OPTS=0`` and once with ``=1`` (TensorFlow
reads it at import, so that is one pytest process each), and with ``RNNLAB_EAGER=1``, which calls
``tf.config.run_functions_eagerly(True)`` for this module's tests (every ``tf.function`` in the
submissions runs eagerly).
"""

from __future__ import annotations

import importlib
import os
import sys
from functools import cache
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from autograder import numerics  # noqa: E402
from autograder.examples import solution_code, unit_outcomes  # noqa: E402
from autograder.paths import solution_notebook  # noqa: E402
from rnnlab.notebook import read_notebook  # noqa: E402

PREFIX = "alternatives_"
ASSIGNMENTS = sorted(p.stem[len(PREFIX):] for p in HERE.glob(f"{PREFIX}*.py"))


def _meta(cell: dict) -> dict:
    return (cell.get("metadata") or {}).get("nbgrader") or {}


@cache
def alternatives_module(assignment: str):
    return importlib.import_module(PREFIX + assignment)


def submissions(assignment: str) -> dict[str, dict[str, str]]:
    module = alternatives_module(assignment)
    if hasattr(module, "SUBMISSIONS"):
        return dict(module.SUBMISSIONS)
    found = {}
    for name, value in vars(module).items():
        if (not name.startswith("_") and isinstance(value, dict) and value
                and all(isinstance(k, str) and k.endswith("_code") and isinstance(v, str)
                        for k, v in value.items())):
            found[name.lower()] = value
    return found


def expected_failures(assignment: str, name: str) -> dict[str, str]:
    module = alternatives_module(assignment)
    known = {}
    for attribute in ("EXPECTED_FAILURES", "KNOWN_GRADER_DEFECTS"):
        known.update(getattr(module, attribute, {}).get(name, {}))
    return known


@cache
def plan_of(assignment: str):
    from autograder.plan import load_plan

    return load_plan(assignment)


def failure_report(nb: dict, plan, units) -> str:
    """Each lost unit's failing cases with their comparison messages (or the exception), and the
    definition cells that raised: the definitions and the cases are run again."""
    from rnnlab.compare import compare_outputs
    from rnnlab.notebook import run_definitions
    from rnnlab.probes import run_case

    run = run_definitions(nb)
    lines = [f"cell {e.index} raised: {e.error[-600:]}" for e in run.errors]
    for name in units:
        unit = plan.unit(name)
        lines.append(f"{name}:")
        for case, expected in zip(unit.cases, unit.expected):
            try:
                got = run_case(run.namespace, case)
            except Exception as exc:  # noqa: BLE001 - a raising case is a failing case
                lines.append(f"  [{case.name}] raised {type(exc).__name__}: {str(exc)[:600]}")
                continue
            bad = [c.message for c in compare_outputs(got, expected, case.dtype) if not c.ok]
            if bad:
                lines.append(f"  [{case.name}] " + "; ".join(bad))
    return "\n".join(lines)


@pytest.fixture(scope="module", autouse=True)
def eager_functions():
    """``RNNLAB_EAGER=1``: every ``tf.function`` runs eagerly during these tests."""
    if os.environ.get("RNNLAB_EAGER", "") not in ("1", "true", "yes"):
        yield
        return
    import tensorflow as tf

    before = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)
    try:
        yield
    finally:
        tf.config.run_functions_eagerly(before)


def _params() -> list:
    """One case per submission; a module that does not import is one failing case of its own
    (so another assignment's module being edited does not stop the collection of these)."""
    params = []
    for a in ASSIGNMENTS:
        try:
            names = list(submissions(a))
        except Exception:  # noqa: BLE001 - reported by the test itself
            names = [None]
        params += [pytest.param(a, name, id=f"{a}:{name or 'module'}") for name in names]
    return params


PARAMS = _params()


@pytest.mark.parametrize("assignment, name", PARAMS)
def test_correct_alternative_gets_full_marks(assignment, name):
    if name is None:
        alternatives_module.cache_clear()
        alternatives_module(assignment)  # raises the module's import error
        pytest.fail(f"alternatives_{assignment}.py defines no submission", pytrace=False)
    cells = submissions(assignment)[name]
    nb = numerics.with_cells(assignment, cells)
    plan = plan_of(assignment)
    outcomes = unit_outcomes(nb, plan)
    lost = [unit for unit, ok in outcomes.items() if not ok]
    known = expected_failures(assignment, name)
    unexpected = [unit for unit in lost if unit not in known]
    if unexpected:
        pytest.fail(f"{assignment}/{name} loses {', '.join(unexpected)}"
                    + (f" (and the known {', '.join(u for u in lost if u in known)})"
                       if len(unexpected) < len(lost) else "")
                    + ":\n" + failure_report(nb, plan, lost), pytrace=False)
    if known and not lost:
        pytest.fail(f"{assignment}/{name} now gets full marks: delete its EXPECTED_FAILURES "
                    f"entry ({', '.join(known)}), the grader defect is fixed", pytrace=False)
    if lost:
        pytest.xfail("known grader defect: " + "; ".join(f"{u}: {known[u]}" for u in lost)
                     + "\n" + failure_report(nb, plan, lost))


def unit_cells(assignment: str, code: dict[str, str]) -> dict[str, list[str]]:
    """Graded unit -> the solution cells holding its code: the cells that define (top-level
    ``def`` or ``class``) one of the unit's targets in the spec, its ``<unit>_code`` cell if
    there is one, and the module's ``UNIT_CELLS[unit]``."""
    import ast

    from autograder.specs import load_units

    defined_in: dict[str, list[str]] = {}
    for gid, source in code.items():
        try:
            body = ast.parse(source).body
        except SyntaxError:
            continue
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined_in.setdefault(node.name, []).append(gid)
    extra = getattr(alternatives_module(assignment), "UNIT_CELLS", {})
    cells = {}
    for unit in load_units(assignment):
        found = [gid for target in unit.targets for gid in defined_in.get(target, [])]
        if f"{unit.name}_code" in code:
            found.append(f"{unit.name}_code")
        found.extend(extra.get(unit.name, []))
        cells[unit.name] = list(dict.fromkeys(found))
    return cells


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_unit_is_exercised(assignment):
    solution = read_notebook(solution_notebook(assignment))
    code = {_meta(c)["grade_id"]: solution_code(c) for c in solution["cells"]
            if _meta(c).get("solution")}
    graded = [_meta(c)["grade_id"] for c in solution["cells"]
              if _meta(c).get("grade") and not _meta(c).get("solution")]
    cells_of = unit_cells(assignment, code)
    assert set(cells_of) == set(graded), (
        f"{assignment}: the spec's units and the solution's test cells differ")
    no_code = [u for u, cells in cells_of.items() if not cells]
    assert not no_code, (f"{assignment}: no solution cell defines the targets of {no_code}: "
                         "map them in UNIT_CELLS")
    not_cells = {u: [c for c in cells if c not in code] for u, cells in cells_of.items()}
    assert not any(not_cells.values()), (
        f"{assignment}: UNIT_CELLS names cells that are not solution cells: {not_cells}")
    subs = submissions(assignment)
    assert subs, f"alternatives_{assignment}.py defines no submission"
    unknown = {name: sorted(set(cells) - set(code)) for name, cells in subs.items()}
    assert not any(unknown.values()), (
        f"{assignment}: submissions list cells the solution does not have: {unknown}")
    exercised = {
        u: [name for name, cells in subs.items()
            if any(c in cells and cells[c].strip() != code[c].strip() for c in unit_code)]
        for u, unit_code in cells_of.items()
    }
    missing = {u: cells_of[u] for u, names in exercised.items() if not names}
    assert not missing, f"{assignment}: no submission varies the code of (unit -> cells) {missing}"
