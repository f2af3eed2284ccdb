"""The grading plan of an assignment: its units, their points, cases and reference values.

A plan is compiled from three instructor-only sources: the hidden-test spec
(``autograder/specs/<a>.py``), the points of the solution notebook's test cells, and the
reference values obtained by running the solution notebook's definitions on every case, in
the same kind of worker process that runs student code (same code path, same numerics).

Compiled plans are cached in ``.cache/autograder/`` under a key that covers everything they
depend on, so editing the solution or the spec recompiles them. A Gradescope package ships
compiled plans only (no spec, no solution): see ``AUTOGRADER_PLAN_DIR``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab.cases import Case, pack, unpack
from rnnlab.notebook import cell_source, read_notebook

from autograder import paths
from autograder.specs import load_units


class PlanError(Exception):
    """The plan cannot be compiled (the solution fails a case, points and spec disagree...)."""


@dataclass
class PlannedUnit:
    name: str
    points: float
    targets: list[str]
    cases: list[Case]
    expected: list[dict]


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
    points = {}
    for cell in nb["cells"]:
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        if meta.get("grade") and not meta.get("solution"):
            points[meta["grade_id"]] = float(meta.get("points", 0))
    return points


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
    digest = hashlib.sha256()
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
                            f"{report.error or report.cell_errors}\n{session.output()}")
        for unit in units:
            expected = []
            for case in unit.cases:
                if progress:
                    progress(unit.name, case.name)
                try:
                    expected.append(session.run_case(case, timeout=300))
                except (CaseError, WorkerFailed) as exc:
                    raise PlanError(f"{assignment}: the solution fails {unit.name} / {case.name}: "
                                    f"{exc}\n{session.output()}") from None
                bad = [k for k, v in expected[-1].items()
                       if v.dtype.kind == "f" and not np.all(np.isfinite(v))]
                if bad:
                    raise PlanError(f"{assignment}: the solution gives non-finite {bad} in "
                                    f"{unit.name} / {case.name}")
            planned.append(PlannedUnit(unit.name, points[unit.name], unit.targets,
                                       unit.cases, expected))
    return GradingPlan(assignment, planned)


def save_plan(plan: GradingPlan, path: Path) -> None:
    cases = [c for u in plan.units for c in u.cases]
    outputs = [e for u in plan.units for e in u.expected]
    meta = {"assignment": plan.assignment,
            "units": [{"name": u.name, "points": u.points, "targets": u.targets,
                       "cases": len(u.cases)} for u in plan.units]}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pack(cases, outputs))
    tmp.with_suffix(".json").write_text(json.dumps(meta, indent=1))
    os.replace(tmp.with_suffix(".json"), path.with_suffix(".json"))
    os.replace(tmp, path)


def read_plan(path: Path) -> GradingPlan:
    meta = json.loads(path.with_suffix(".json").read_text())
    cases, outputs = unpack(str(path))
    units, i = [], 0
    for u in meta["units"]:
        n = u["cases"]
        units.append(PlannedUnit(u["name"], float(u["points"]), u["targets"],
                                 cases[i:i + n], outputs[i:i + n]))
        i += n
    return GradingPlan(meta["assignment"], units)


def load_plan(assignment: str, progress=None) -> GradingPlan:
    """The compiled plan, from ``AUTOGRADER_PLAN_DIR``, the cache, or compiled now."""
    if "AUTOGRADER_PLAN_DIR" in os.environ:
        path = Path(os.environ["AUTOGRADER_PLAN_DIR"]) / f"{assignment}.npz"
        if not path.exists():
            raise PlanError(f"no compiled plan for {assignment!r} at {path}")
        return read_plan(path)
    if assignment not in paths.ASSIGNMENTS and not paths.solution_notebook(assignment).exists():
        raise PlanError(f"unknown assignment {assignment!r}; known: {', '.join(paths.ASSIGNMENTS)}")
    path = paths.cache_dir() / f"{assignment}-{plan_key(assignment)}.npz"
    if path.exists():
        return read_plan(path)
    plan = compile_plan(assignment, progress)
    for old in paths.cache_dir().glob(f"{assignment}-*.npz"):
        old.unlink(missing_ok=True)
        old.with_suffix(".json").unlink(missing_ok=True)
    save_plan(plan, path)
    return plan
