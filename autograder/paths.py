"""Where the course's files are: the instructor's repository, or an unpacked grader package."""

from __future__ import annotations

import os
from pathlib import Path

ASSIGNMENTS = ("rnn", "lstm", "seq2seq", "captioning")


def available_assignments() -> list[str]:
    """The assignments whose solution notebook exists, in course order."""
    return [a for a in ASSIGNMENTS if solution_notebook(a).exists()]


def course_root() -> Path:
    """The folder holding ``solutions/`` (``AUTOGRADER_COURSE_ROOT`` overrides)."""
    if "AUTOGRADER_COURSE_ROOT" in os.environ:
        return Path(os.environ["AUTOGRADER_COURSE_ROOT"])
    return Path(__file__).resolve().parents[1]


def solution_notebook(assignment: str) -> Path:
    return course_root() / "solutions" / assignment / f"{assignment}.ipynb"


def release_notebook(assignment: str) -> Path:
    return course_root() / "assignments" / assignment / f"{assignment}.ipynb"


def cache_dir() -> Path:
    """Where computed reference values are cached (``AUTOGRADER_CACHE`` overrides)."""
    if "AUTOGRADER_CACHE" in os.environ:
        return Path(os.environ["AUTOGRADER_CACHE"])
    return course_root() / ".cache" / "autograder"
