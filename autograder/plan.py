"""The grading plan of an assignment: its units, their points, cases and reference values.

A plan is compiled from three instructor-only sources: the hidden-test spec
(``autograder/specs/<a>.py``), the points of the solution notebook's test cells, and the
reference values obtained by running the solution notebook's definitions on every case, in
the same kind of worker process that runs student code (same code path).

Reference values are the float64 truth: a float64 case's own results, and for a float32 case
the results of its float64 twin (:func:`rnnlab.cases.truth_case`), never the reference's own
float32 numbers, which differ between CPUs and settings. Compiling also runs the solution on
every float32 case as it is and refuses the plan unless that run passes against the truth with
a margin of :data:`rnnlab.compare.MARGIN` (integer results such as sampled ids must be equal):
the tolerance is then wide enough for the solution on this machine with room to spare, and a
case whose float32 result is ill-conditioned (a near-tie in an argmax) cannot enter a plan.

Compiled plans are cached in ``.cache/autograder/`` under a key that covers everything they
depend on, so editing the solution or the spec recompiles them. A Gradescope package ships
compiled plans only (no spec, no solution): see :mod:`autograder.store`.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab.cases import LOW_PRECISION, Case, pack, truth_case, unpack
from rnnlab.compare import MARGIN, compare_outputs
from rnnlab.cells import grade_id, is_test_cell, points
from rnnlab.notebook import cell_source, definition_cells, read_notebook

from autograder import paths, store
from autograder.specs import load_units


# Bump when what a compiled plan holds changes (2: float64 truth for float32 cases; 3: values in
# the probe's order, a unit's outputs before their gradients; 4: the units each unit uses;
# 5: uses through helpers that are no unit's).
FORMAT = 5


class PlanError(Exception):
    """The plan cannot be compiled (the solution fails a case, points and spec disagree...)."""


@dataclass
class PlannedUnit:
    """One graded unit: its cases and, for each, the expected (float64 truth) values.

    ``spread`` holds, per case, the largest relative error of the solution's own run of the
    case against the truth (0 for float64 cases, which are their own truth): how far the
    reference itself is from the expected values under the tolerance policy.

    ``uses`` names the other units whose notebook names the solution's code of this unit
    refers to (:func:`unit_uses`): when they fail too, the feedback says so.
    """

    name: str
    points: float
    targets: list[str]
    cases: list[Case]
    expected: list[dict]
    spread: list[float] | None = None
    uses: list[str] | None = None


@dataclass
class GradingPlan:
    assignment: str
    units: list[PlannedUnit]

    @property
    def max_score(self) -> float:
        return sum(u.points for u in self.units)

    def unit(self, name: str) -> PlannedUnit:
        for u in self.units:
            if u.name == name:
                return u
        raise KeyError(f"{self.assignment} has no graded unit {name!r}")


def notebook_points(nb: dict) -> dict[str, float]:
    """grade_id -> points of the notebook's test cells (grade cells that are not solutions)."""
    return {grade_id(cell): points(cell) for cell in nb["cells"]
            if is_test_cell(cell) and grade_id(cell)}


def unit_uses(nb: dict, units) -> dict[str, list[str]]:
    """unit -> the other units whose targets the code defining its own targets refers to.

    Read from the source (the names a cell loads, and those of the cells defining the helpers
    it calls that are no unit's own), so that a unit that fails because a unit it builds on
    fails can say which one; a name that only a probe uses does not count.
    """
    defined_in: dict[str, int] = {}
    loads: dict[int, set[str]] = {}
    for cell in definition_cells(nb):
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined_in[node.name] = cell.index
        loads[cell.index] = {n.id for n in ast.walk(tree)
                             if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    graded = {t for unit in units for t in unit.targets}
    uses = {}
    for unit in units:
        mine = set(unit.targets)
        cells = {defined_in[t] for t in mine if t in defined_in}
        names: set[str] = set()
        todo = list(cells)
        while todo:  # through the helpers it calls that are no unit's (tbptt_step...)
            for name in loads.get(todo.pop(), set()) - names:
                names.add(name)
                cell = defined_in.get(name)
                if name not in graded and cell is not None and cell not in cells:
                    cells.add(cell)
                    todo.append(cell)
        uses[unit.name] = [other.name for other in units if other is not unit
                           and not mine & set(other.targets) and names & set(other.targets)]
    return uses


def _probe_sources_digest() -> str:
    import rnnlab.probes

    digest = hashlib.sha256()
    for path in sorted(Path(rnnlab.probes.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def plan_key(assignment: str) -> str:
    """A digest of everything the compiled plan depends on."""
    solution = paths.solution_notebook(assignment)
    nb = read_notebook(solution)
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    for cell in nb["cells"]:
        digest.update(cell.get("cell_type", "").encode())
        digest.update(cell_source(cell).encode())
        digest.update(json.dumps((cell.get("metadata") or {}).get("nbgrader"), sort_keys=True).encode())
    units = load_units(assignment)
    digest.update(pack([c for u in units for c in u.cases]))
    digest.update(_probe_sources_digest().encode())
    return digest.hexdigest()[:20]


def compile_plan(assignment: str, progress=None) -> GradingPlan:
    """Runs the solution notebook on every case and assembles the plan."""
    from autograder.runner import CaseError, WorkerFailed, WorkerSession

    solution = paths.solution_notebook(assignment)
    nb = read_notebook(solution)
    points = notebook_points(nb)
    units = load_units(assignment)
    spec_names = [u.name for u in units]
    if set(points) != set(spec_names):
        raise PlanError(
            f"{assignment}: the solution's test cells and the spec disagree: "
            f"cells without a spec unit: {sorted(set(points) - set(spec_names))}; "
            f"spec units without a test cell: {sorted(set(spec_names) - set(points))}"
        )
    planned = []
    with WorkerSession(solution) as session:
        report = session.start()
        if not report.ok or report.cell_errors:
            raise PlanError(f"{assignment}: the solution notebook does not load: "
                            f"{report.where() or report.cell_errors}\n{session.output()}")
        for unit in units:
            expected, spread = [], []
            for case in unit.cases:
                if progress:
                    progress(unit.name, case.name)
                where = f"{assignment}: {unit.name} / {case.name}"
                try:
                    truth = session.run_case(truth_case(case), timeout=300)
                    own = (session.run_case(case, timeout=300)
                           if case.dtype in LOW_PRECISION else truth)
                except (CaseError, WorkerFailed) as exc:
                    raise PlanError(f"{where}: the solution fails: {exc}\n{session.output()}"
                                    ) from None
                bad = [k for k, v in truth.items()
                       if v.dtype.kind == "f" and not np.all(np.isfinite(v))]
                if bad:
                    raise PlanError(f"{where}: the solution gives non-finite {bad}")
                spread.append(reference_spread(where, case, own, truth))
                expected.append(truth)
            planned.append(PlannedUnit(unit.name, points[unit.name], unit.targets,
                                       unit.cases, expected, spread))
    uses = unit_uses(nb, units)
    for unit in planned:
        unit.uses = uses[unit.name]
    return GradingPlan(assignment, planned)


def reference_spread(where: str, case: Case, own: dict, truth: dict) -> float:
    """How far the solution's own run of ``case`` is from the truth (its largest relative
    error); raises :class:`PlanError` unless it passes with the policy's margin.

    A float32 result must pass at ``tolerance / MARGIN``, in the case's dtype; integer results
    must equal the truth's (a float32 run that picks another id than the float64 one sits on a
    near-tie: choose other inputs).
    """
    if own is truth:
        return 0.0
    if set(own) != set(truth):
        raise PlanError(f"{where}: the float32 and float64 runs return different values "
                        f"({sorted(own)} against {sorted(truth)})")
    worst = 0.0
    for c in compare_outputs(own, truth, case.dtype, margin=MARGIN):
        if not c.ok:
            raise PlanError(f"{where}: the solution's own {case.dtype} run is not within the "
                            f"tolerance / {MARGIN:g} of its float64 truth: {c.message}. Choose "
                            "inputs whose result is well-conditioned in " + case.dtype)
        worst = max(worst, c.max_error)
    return worst


def save_plan(plan: GradingPlan, path: Path) -> None:
    cases = [c for u in plan.units for c in u.cases]
    outputs = [e for u in plan.units for e in u.expected]
    meta = {"assignment": plan.assignment, "format": FORMAT,
            "units": [{"name": u.name, "points": u.points, "targets": u.targets,
                       "cases": len(u.cases), "spread": u.spread, "uses": u.uses}
                      for u in plan.units]}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pack(cases, outputs))
    tmp.with_suffix(".json").write_text(json.dumps(meta, indent=1))
    os.replace(tmp.with_suffix(".json"), path.with_suffix(".json"))
    os.replace(tmp, path)


def read_plan(path: Path) -> GradingPlan:
    meta = json.loads(path.with_suffix(".json").read_text())
    if meta.get("format") != FORMAT:
        raise PlanError(f"{path} was compiled by another version of the grader (format "
                        f"{meta.get('format', 1)}, this one reads {FORMAT}): compile it again "
                        "with `autograder plan` (or rebuild the Gradescope package)")
    cases, outputs = unpack(str(path))
    units, i = [], 0
    for u in meta["units"]:
        n = u["cases"]
        units.append(PlannedUnit(u["name"], float(u["points"]), u["targets"],
                                 cases[i:i + n], outputs[i:i + n], u.get("spread"),
                                 u.get("uses")))
        i += n
    return GradingPlan(meta["assignment"], units)


def cached_plan_path(assignment: str) -> Path:
    return store.cached_path("plan", assignment, plan_key(assignment))


def load_plan(assignment: str, progress=None) -> GradingPlan:
    """The compiled plan: pinned (:mod:`autograder.store`), cached, or compiled now."""
    if store.pinned_dir() is not None:
        path = store.pinned_path("plan", assignment)
        if not path.exists():
            raise PlanError(f"no compiled plan for {assignment!r} at {path}")
        return read_plan(path)
    if assignment not in paths.ASSIGNMENTS and not paths.solution_notebook(assignment).exists():
        raise PlanError(f"unknown assignment {assignment!r}; known: {', '.join(paths.ASSIGNMENTS)}")
    path = cached_plan_path(assignment)
    if path.exists():
        return read_plan(path)
    plan = compile_plan(assignment, progress)
    save_plan(plan, path)
    store.replace_older("plan", assignment, keep=path)
    return plan
