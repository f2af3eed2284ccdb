"""nbgrader stays a working path, and its grades are the sandboxed autograder's.

One real nbgrader course directory (module fixture): ``generate_assignment`` and
``autograde`` run from ``.venv/bin/nbgrader`` with the environment *not* activated (no venv on
PATH), three students are autograded in one call (the solution, the untouched release, and the
release with the five-line cheat that gave full marks when the hidden tests ran in the
student's kernel), then ``generate_feedback``. A second course keeps nbgrader's ``Execute``
(``RNN_COURSE_NBGRADER_EXECUTE=1``): the student's kernel runs, its outputs are kept, and the
grades are still the sandbox's.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder import paths
from autograder.nbgrader_filters import filter_log_lines
from autograder.nbgrader_grading import (RESOURCE_KEY, NotGraded, RestoreSandboxVerdicts,
                                         SandboxGrades, apply_verdicts, autograde_preprocessors)

A = "rnn"
BIN = Path(sys.executable).parent
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


# -- the preprocessors, without nbgrader's converter ----------------------------------------------

def _test_cell(gid: str, points: float, outputs=()):
    cell = new_code_cell(f"check_{gid}({gid})")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": gid, "points": points}
    cell.outputs = list(outputs)
    return cell


def test_verdicts_become_the_outputs_nbgrader_scores():
    from nbgrader.utils import determine_grade

    kernel_said = [new_output("stream", name="stdout", text="all checks passed, promise\n")]
    nb = new_notebook(cells=[_test_cell("won", 2, kernel_said), _test_cell("lost", 3, kernel_said),
                             _test_cell("half", 4, kernel_said),
                             _test_cell("unknown", 5, kernel_said)])
    verdicts = {"won": {"score": 2.0, "max_score": 2.0, "output": "all 5 checks passed\nok   a"},
                "lost": {"score": 0.0, "max_score": 3.0,
                         "output": "1 of 2 checks passed; all must pass\nFAIL b\n  h: off by 3"},
                "half": {"score": 1.5, "max_score": 4.0, "output": "partly"}}
    apply_verdicts(nb, verdicts, general="cell 4: NameError")
    grades = [determine_grade(c)[0] for c in nb.cells]
    assert grades == [2.0, 0, 1.5, 0]
    won, lost = nb.cells[0].outputs, nb.cells[1].outputs
    assert won[0].text.startswith("all 5 checks passed")
    assert lost[0].output_type == "error" and "h: off by 3" in "\n".join(lost[0].traceback)
    assert "cell 4: NameError" in "\n".join(lost[0].traceback)  # why, with the unit's feedback
    assert "not graded" in nb.cells[3].outputs[0].evalue  # a test cell the grader does not know


def test_restoring_verdicts_without_the_sandbox_fails_closed():
    nb = new_notebook(cells=[_test_cell("won", 2)])
    with pytest.raises(NotGraded):
        RestoreSandboxVerdicts().preprocess(nb, {"nbgrader": {"assignment": A}})
    nb.cells[0].outputs = []  # what an executed kernel may leave: nothing, i.e. full marks
    resources = {RESOURCE_KEY: {"verdicts": {}, "general": ""}}
    RestoreSandboxVerdicts().preprocess(nb, resources)
    assert nb.cells[0].outputs[0].output_type == "error"


def test_the_assignment_comes_from_nbgrader_not_from_the_notebook():
    grader = SandboxGrades()
    assert grader.assignment_of({"nbgrader": {"assignment": A, "notebook": "x"}}) == A
    assert grader.assignment_of({"nbgrader": {"assignment": "week1", "notebook": A}}) == A
    with pytest.raises(NotGraded):
        grader.assignment_of({"nbgrader": {"assignment": "week1", "notebook": "notes"}})


def _configured_chain(execute: bool) -> list:
    code = ("import json, os, sys\n"
            "from traitlets.config.loader import PyFileConfigLoader\n"
            "c = PyFileConfigLoader('nbgrader_config.py', path=sys.argv[1]).load_config()\n"
            "print(json.dumps([p.__name__ for p in c.Autograde.autograde_preprocessors]))\n"
            "print(os.environ['PATH'].split(os.pathsep)[0])\n")
    env = dict(os.environ, PATH="/usr/bin:/bin")
    env.pop("RNN_COURSE_NBGRADER_EXECUTE", None)
    if execute:
        env["RNN_COURSE_NBGRADER_EXECUTE"] = "1"
    proc = subprocess.run([sys.executable, "-c", code, str(paths.course_root())], env=env,
                          capture_output=True, text=True, check=True)
    names, first_on_path = proc.stdout.splitlines()[-2:]
    return json.loads(names), first_on_path


def test_the_shipped_config_grades_in_the_sandbox_and_finds_alembic():
    chain, first_on_path = _configured_chain(execute=False)
    assert "Execute" not in chain and "IgnorePattern" not in chain
    assert chain.index("SandboxGrades") < chain.index("FilterLogLines")
    assert chain.index("RestoreSandboxVerdicts") == chain.index("SaveAutoGrades") - 1
    assert Path(first_on_path) == BIN  # nbgrader runs alembic from PATH
    chain, _ = _configured_chain(execute=True)
    assert chain.index("SandboxGrades") < chain.index("Execute") < chain.index(
        "RestoreSandboxVerdicts") == chain.index("SaveAutoGrades") - 1
    with pytest.raises(RuntimeError):
        autograde_preprocessors([])


def test_the_hook_in_the_kernel_loads_no_plan():
    code = ("import sys\n"
            "from autograder.nbgrader_hidden import run_hidden_tests\n"
            "run_hidden_tests('rnn', 'rnn_step_forward', {})\n"
            "loaded = [m for m in sys.modules if m.startswith(('autograder.', 'rnnlab'))]\n"
            "assert loaded == ['autograder.nbgrader_hidden'], loaded\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "run by the course's autograder, in its sandbox" in proc.stdout


# -- the round trip, with real nbgrader ------------------------------------------------------------

def _cheat(name: str = "five_line_cheat") -> bytes:
    sys.path.insert(0, str(paths.course_root() / "tests" / "adversarial"))
    from adversarial_cases import CORPUS

    return next(e for e in CORPUS if e.name == name).build(A)


KERNEL_CHEATS = ["five_line_cheat", "disable_hook_and_checks", "swallow_errors",
                 "hide_tracebacks", "patch_compare"]


def _course(root: Path, students: dict, env_extra: dict | None = None, feedback=True) -> dict:
    """A course directory with ``students`` ({id: notebook bytes}) submitted and autograded."""
    course = root / "course"
    (course / "solutions").mkdir(parents=True)
    shutil.copy(paths.course_root() / "nbgrader_config.py", course)
    shutil.copytree(paths.solution_notebook(A).parent, course / "solutions" / A)
    db = f"--db=sqlite:///{course}/gradebook.db"
    # Not activated: PATH has no virtualenv, nbgrader is started by its path.
    env = {k: v for k, v in os.environ.items() if k != "RNN_COURSE_NBGRADER_EXECUTE"}
    env.update(PATH="/usr/bin:/bin", RNNLAB_FAST="1", **(env_extra or {}))
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # let TensorFlow log as it does for a real course
    run = lambda *args: subprocess.run(  # noqa: E731
        [str(BIN / "nbgrader"), *args, db], cwd=course, env=env, capture_output=True, text=True,
        timeout=1800)
    proc = run("generate_assignment", A, "--force")
    assert proc.returncode == 0, proc.stderr[-3000:]
    for student, data in students.items():
        target = course / "submitted" / student / A
        target.mkdir(parents=True)
        (target / f"{A}.ipynb").write_bytes(data)
    t0 = time.monotonic()
    autograde = run("autograde", A, "--create", "--force")
    seconds = time.monotonic() - t0
    fb = run("generate_feedback", A, "--force") if feedback else None
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gb:
        for student in students:
            sub = gb.find_submission(A, student)
            scores[student] = (sub.score, sub.max_score)
    return {"course": course, "autograde": autograde, "feedback": fb, "scores": scores,
            "seconds": seconds}


def _autograded(course: Path, student: str) -> nbformat.NotebookNode:
    return nbformat.read(str(course / "autograded" / student / A / f"{A}.ipynb"), as_version=4)


def _test_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"
            and c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata.get("nbgrader", {}).get("solution")]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    students = {"solution": paths.solution_notebook(A).read_bytes(),
                "release": paths.release_notebook(A).read_bytes(),
                "cheat": _cheat()}
    return _course(tmp_path_factory.mktemp("nbgrader"), students)


@pytest.mark.slow
def test_autograde_and_feedback_run_without_the_environment_activated(course):
    assert course["autograde"].returncode == 0, course["autograde"].stderr[-3000:]
    assert course["feedback"].returncode == 0, course["feedback"].stderr[-3000:]
    assert "alembic" not in course["autograde"].stderr
    for student in ("solution", "release", "cheat"):
        assert "Sandbox verdict for " + student in course["autograde"].stderr


@pytest.mark.slow
def test_the_solution_gets_full_marks(course):
    score, max_score = course["scores"]["solution"]
    assert max_score > 0 and score == max_score


@pytest.mark.slow
def test_the_release_gets_zero(course):
    score, max_score = course["scores"]["release"]
    assert max_score > 0 and score == 0


@pytest.mark.slow
def test_the_five_line_cheat_gets_zero(course):
    score, max_score = course["scores"]["cheat"]
    assert max_score > 0 and score == 0
    text = json.dumps(_autograded(course["course"], "cheat"))
    assert "No module named 'autograder'" in text or "is not defined" in text


@pytest.mark.slow
def test_every_test_cell_holds_the_sandbox_verdict(course):
    from autograder.plan import load_plan

    units = {u.name: u for u in load_plan(A).units}
    for student in ("solution", "release", "cheat"):
        cells = _test_cells(_autograded(course["course"], student))
        assert sorted(c.metadata.nbgrader.grade_id for c in cells) == sorted(units)
        for cell in cells:
            (out,) = cell.outputs
            if student == "solution":
                n = len(units[cell.metadata.nbgrader.grade_id].cases)
                assert out.output_type == "stream" and out.text.startswith(
                    f"all {n} checks passed")
            else:
                assert out.output_type == "error" and out.ename == "HiddenTestsFailed"


@pytest.mark.slow
def test_the_gradebook_and_the_feedback_carry_the_graders_verdicts(course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course['course']}/gradebook.db") as gb:
        grades = {g.name: g for g in gb.find_submission_notebook(A, A, "release").grades}
    assert grades and all(g.auto_score == 0 and not g.needs_manual_grade
                          for g in grades.values())
    html = {s: (course["course"] / "feedback" / s / A / f"{A}.html").read_text()
            for s in ("solution", "release")}
    assert "checks passed; all must pass for the points" in html["release"]
    assert "not implemented yet" in html["release"]  # the grader's own words on the stubs
    assert "all 5 checks passed" in html["solution"]


@pytest.mark.slow
def test_with_nbgrader_executing_the_notebook_the_grades_are_still_the_sandboxs(tmp_path):
    students = {"solution": paths.solution_notebook(A).read_bytes(),
                **{name: _cheat(name) for name in KERNEL_CHEATS}}
    run = _course(tmp_path, students, {"RNN_COURSE_NBGRADER_EXECUTE": "1"}, feedback=False)
    assert run["autograde"].returncode == 0, run["autograde"].stderr[-3000:]
    assert run["scores"]["solution"][0] == run["scores"]["solution"][1] > 0
    printed = {}
    for name in KERNEL_CHEATS:
        assert run["scores"][name][0] == 0, name
        nb = _autograded(run["course"], name)
        printed[name] = json.dumps([c.outputs for c in nb.cells if c.cell_type == "code"])
        assert all(c.outputs[0].output_type == "error" for c in _test_cells(nb)), name
    # the kernel did run the cheats (in vain)
    assert "checks and hidden tests disabled" in printed["five_line_cheat"]
    assert "IPython: every exception is swallowed" in printed["swallow_errors"]
    assert "IPython: tracebacks hidden" in printed["hide_tracebacks"]
    assert "rnnlab.compare always says ok" in printed["patch_compare"]
