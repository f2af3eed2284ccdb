"""Example submissions made from the release and the solution: for the demo and the tests.

A *partial* submission is what a student who finished some of the work would hand in: the
release notebook with some solution cells filled in from the solution (markers removed), one
of them with a deliberate bug, and the rest left as the release's stubs. They are built on
demand, so they never go stale as notebooks change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from autograder import paths
from rnnlab.cells import grade_id as _grade_id
from rnnlab.cells import solution_cells_by_id, without_markers
from rnnlab.notebook import cell_source, read_notebook


@dataclass
class Recipe:
    """How to make a submission from the release.

    Attributes:
        solved: grade_ids of solution cells to fill in from the solution (``"*"``: all).
        bugs: grade_id -> list of (old, new) text replacements applied to the filled-in code;
            a cell listed here is filled in too.
    """

    solved: list[str] = field(default_factory=list)
    bugs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


# The bundled partly-correct submissions. Assignments without an entry get every other
# solution cell filled in.
PARTIAL = {
    "rnn": Recipe(
        solved=["rnn_step_forward_code", "rnn_forward_code"],
        bugs={"rnn_step_backward_code": [("(1 - next_h**2)", "(1 - next_h)")]},
    ),
}


def solution_code(cell: dict) -> str:
    """A solution cell's source with the nbgrader markers removed."""
    return without_markers(cell_source(cell))


def make_submission(assignment: str, recipe: Recipe) -> dict:
    """The release notebook with the recipe's cells taken from the solution."""
    release = read_notebook(paths.release_notebook(assignment))
    solution = read_notebook(paths.solution_notebook(assignment))
    solved = solution_cells_by_id(solution)
    wanted = set(solved) if "*" in recipe.solved else set(recipe.solved) | set(recipe.bugs)
    unknown = wanted - set(solved)
    if unknown:
        raise ValueError(f"{assignment}: no solution cells named {sorted(unknown)}")
    for cell in release["cells"]:
        gid = _grade_id(cell)
        if gid in wanted:
            code = solution_code(solved[gid])
            for old, new in recipe.bugs.get(gid, []):
                if old not in code:
                    raise ValueError(f"{assignment}/{gid}: the bug's text {old!r} is not in the "
                                     "solution any more; update autograder/examples.py")
                code = code.replace(old, new)
            cell["source"] = code
    return release


def partial_recipe(assignment: str) -> Recipe:
    if assignment in PARTIAL:
        return PARTIAL[assignment]
    solution = read_notebook(paths.solution_notebook(assignment))
    ids = list(solution_cells_by_id(solution))
    return Recipe(solved=ids[::2])


def write_notebook(nb: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return path


def dependents(unit: str, used_by: dict[str, set[str]]) -> set[str]:
    """``unit`` and every unit whose code calls it, transitively (``used_by``: unit -> the
    units that call it directly). What a bug in ``unit`` should cost."""
    seen, todo = set(), [unit]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(used_by.get(name, ()))
    return seen


def unit_outcomes(nb: dict, plan, units=None) -> dict[str, bool]:
    """Grades a notebook dict in this process, without the sandbox: unit -> whether every
    case passes (optionally only ``units``). The same probes and comparisons as
    :func:`autograder.api.grade_notebook`, for tests that grade many variants quickly;
    never use it on untrusted code."""
    from rnnlab.evaluate import evaluate_unit, in_process
    from rnnlab.notebook import run_definitions

    run = in_process(run_definitions(nb).namespace)
    return {unit.name: evaluate_unit(unit.name, unit.cases, unit.expected, run,
                                     first_failure=True).ok
            for unit in plan.units if units is None or unit.name in units}


def lost_units(assignment: str, plan, cell: str, edits: list[tuple[str, str]]) -> set[str]:
    """The units a submission loses when it is the solution with ``edits`` in ``cell``."""
    nb = make_submission(assignment, Recipe(solved=["*"], bugs={cell: edits}))
    return {name for name, ok in unit_outcomes(nb, plan).items() if not ok}
