"""nbgrader stays a working path: autograding the solution gives full marks."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import paths
from autograder.nbgrader_filters import filter_log_lines
from autograder.release import nbgrader_env

TF_LOG = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1795854926.879570    2177 cudart_stub.cc:31] Could not find cuda drivers on "
    "your machine, GPU will not be used.\n"
    "2026-11-28 08:00:01.123456: I tensorflow/core/util/port.cc:153] oneDNN custom operations "
    "are on. You may see slightly different numerical results.\n"
    # seen in a grade cell under nbgrader: without the filter it zeroes rnn_step_forward
    "E0000 00:00:1795856352.942522   10808 cuda_platform.cc:52] failed call to cuInit: "
    "INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)\n"
)


def test_filter_removes_exactly_the_log_lines():
    real = "UserWarning: something the student should see\n"
    assert filter_log_lines(TF_LOG) == ""
    assert filter_log_lines(TF_LOG + real) == real
    assert filter_log_lines("Traceback (most recent call last):\n") != ""


def _autograde(tmp_path: Path, assignment: str, submission: Path, env_extra: dict) -> float:
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    shutil.copy(paths.course_root() / "nbgrader_config.py", course)
    shutil.copytree(paths.solution_notebook(assignment).parent, course / "solutions" / assignment)
    db = f"--db=sqlite:///{course}/gradebook.db"
    env = {**nbgrader_env(), **env_extra}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # let TensorFlow log as it does for a real course
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "nbgrader", *args, db], cwd=course, env=env,
        capture_output=True, text=True)
    proc = run("generate_assignment", assignment, "--force")
    assert proc.returncode == 0, proc.stderr[-2000:]
    target = course / "submitted" / "student1" / assignment
    target.mkdir(parents=True)
    shutil.copy(submission, target / f"{assignment}.ipynb")
    proc = run("autograde", assignment, "--create", "--force")
    assert proc.returncode == 0, proc.stderr[-3000:]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course}/gradebook.db") as gb:
        sub = gb.find_submission(assignment, "student1")
        return sub.score, sub.max_score


@pytest.mark.slow
def test_nbgrader_autograde_gives_the_solution_full_marks(tmp_path):
    score, max_score = _autograde(tmp_path, "rnn", paths.solution_notebook("rnn"),
                                  {"RNNLAB_FAST": "1"})
    assert max_score > 0 and score == max_score


@pytest.mark.slow
def test_nbgrader_autograde_gives_the_release_zero(tmp_path):
    score, max_score = _autograde(tmp_path, "rnn", paths.release_notebook("rnn"),
                                  {"RNNLAB_FAST": "1"})
    assert max_score > 0 and score == 0
