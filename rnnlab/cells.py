"""The nbgrader cell model of the course's notebooks, in one place.

A code cell's ``metadata.nbgrader`` says what it is:

- a **solution cell** (``solution: true``): code the student writes, between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (:data:`BEGIN`, :data:`END`; the release
  keeps what is outside them); its ``grade_id`` ends in ``_code``;
- a **test cell** (``grade: true``, ``solution: false``): the visible check and the
  hidden-test hook of one graded unit, whose name is its ``grade_id``, worth ``points``;
- anything else, a plain cell (definitions, experiments, cells a student adds).

Everything that reads notebooks (the grader, the release, the audit, nbgrader's
preprocessors, the student bundle) asks this module, so that the model has one definition.
"""

from __future__ import annotations

import re

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


def nbgrader(cell) -> dict:
    """A cell's nbgrader metadata (empty for a plain cell)."""
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def grade_id(cell) -> str | None:
    return nbgrader(cell).get("grade_id")


def is_solution_cell(cell) -> bool:
    return cell.get("cell_type") == "code" and bool(nbgrader(cell).get("solution"))


def is_test_cell(cell) -> bool:
    meta = nbgrader(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def points(cell) -> float:
    return float(nbgrader(cell).get("points", 0) or 0)


def test_cells(nb) -> list[tuple[int, str]]:
    """(cell index, unit name) of the notebook's test cells, in order."""
    return [(i, grade_id(c)) for i, c in enumerate(nb["cells"])
            if is_test_cell(c) and grade_id(c)]


def solution_cells_by_id(nb) -> dict[str, dict]:
    """grade_id -> solution cell."""
    return {grade_id(c): c for c in nb["cells"] if is_solution_cell(c) and grade_id(c)}


def source_of(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def solution_regions(source: str) -> list[tuple[int, int]]:
    """(first, last) line numbers (1-based) of the code inside each solution region."""
    regions, start = [], None
    for n, line in enumerate(source.splitlines(), 1):
        if line.strip() == BEGIN:
            start = n + 1
        elif line.strip() == END and start is not None:
            if n - 1 >= start:
                regions.append((start, n - 1))
            start = None
    return regions


def without_markers(source: str) -> str:
    """A solution cell's source with the BEGIN/END SOLUTION lines removed."""
    return MARKERS.sub("", source)
