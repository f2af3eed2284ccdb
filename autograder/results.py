"""What grading produces: per-test results and the whole grade, in Gradescope's schema."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TestResult:
    """One graded unit's result (one entry of Gradescope's ``tests``)."""

    name: str
    score: float
    max_score: float
    output: str
    visibility: str = "visible"

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score


@dataclass
class GradeResult:
    """The grade of one notebook.

    Attributes:
        notebook: the graded file.
        assignment: which assignment it was graded as (None if that could not be told).
        tests: one result per graded unit.
        execution_time: wall time of grading, in seconds.
        output: general feedback (cells that raised, protections not available...).
        peak_memory: the largest resident memory of the process that ran the student's code,
            in bytes (for the gradebook and benchmarks; not part of the results file).
        isolation: how the student's code was confined (``mode``, ``required``,
            ``protections``, ``missing``, ``reasons``: see
            :meth:`autograder.sandbox.Sandbox.isolation`), or None when nothing said.
    """

    notebook: str
    assignment: str | None
    tests: list[TestResult] = field(default_factory=list)
    execution_time: float = 0.0
    output: str = ""
    peak_memory: int = 0
    isolation: dict | None = None

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    def to_gradescope(self) -> dict:
        """Gradescope's results.json: ``score``, ``execution_time``, ``output``, ``tests``, and
        ``isolation`` (an extra top-level key, which Gradescope allows and ignores)."""
        data = {
            "score": self.score,
            "execution_time": round(self.execution_time, 3),
            "output": self.output,
            "tests": [
                {"name": t.name, "score": t.score, "max_score": t.max_score,
                 "output": t.output, "visibility": t.visibility}
                for t in self.tests
            ],
        }
        if self.isolation is not None:
            data["isolation"] = self.isolation
        return data
