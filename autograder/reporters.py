"""Turning a :class:`~autograder.results.GradeResult` into a table or a results file."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.results import GradeResult


def _fmt(x: float) -> str:
    return f"{x:g}"


def console_table(result: GradeResult, details: bool = True) -> str:
    """A readable per-test table, with each failed test's feedback under it."""
    width = max([len(t.name) for t in result.tests] + [20])
    lines = [f"{result.notebook}  (assignment: {result.assignment or '?'})",
             f"  {'test':<{width}}  {'score':>9}"]
    for t in result.tests:
        mark = "ok  " if t.passed else "FAIL"
        lines.append(f"  {t.name:<{width}}  {_fmt(t.score):>4} / {_fmt(t.max_score):<4} {mark}")
        if details and not t.passed and t.output:
            lines.extend("      " + ln for ln in t.output.splitlines())
    lines.append(f"  {'total':<{width}}  {_fmt(result.score):>4} / {_fmt(result.max_score):<4}"
                 f"  ({result.execution_time:.1f} s)")
    if result.output:
        lines.extend("  " + ln for ln in result.output.splitlines())
    return "\n".join(lines)


def write_results_json(result: GradeResult, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.to_gradescope(), indent=2) + "\n")
