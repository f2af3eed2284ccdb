"""End-to-end grading of rnn submissions: correct, empty, buggy, hostile."""

import json
import subprocess
import sys

import pytest

from autograder.api import GradingError, grade_notebook, load_definitions
from autograder.examples import Recipe, make_submission, write_notebook
from autograder.plan import load_plan
from autograder.runner import Limits

A = "rnn"


def scores(result):
    return {t.name: t.score for t in result.tests}


def submission(tmp_path, recipe=Recipe(solved=["*"]), extra_cells=(), name="sub.ipynb"):
    nb = make_submission(A, recipe)
    for source in extra_cells:
        nb["cells"].append({"cell_type": "code", "metadata": {}, "source": source,
                            "outputs": [], "execution_count": None})
    return write_notebook(nb, tmp_path / name)


@pytest.fixture(scope="module")
def plan():
    return load_plan(A)


@pytest.fixture(scope="module")
def solution_result():
    from autograder.paths import solution_notebook

    return grade_notebook(solution_notebook(A))


def test_solution_gets_full_marks(solution_result, plan):
    assert solution_result.score == plan.max_score > 0
    assert all(t.passed for t in solution_result.tests)
    assert [t.name for t in solution_result.tests] == [u.name for u in plan.units]


def test_release_gets_zero_and_says_not_implemented(plan):
    from autograder.paths import release_notebook

    result = grade_notebook(release_notebook(A))
    assert result.score == 0 and result.max_score == plan.max_score
    assert all("not implemented yet" in t.output for t in result.tests)


def test_one_bug_loses_exactly_its_unit(tmp_path, plan):
    recipe = Recipe(solved=["*"],
                    bugs={"rnn_step_backward_code": [("(1 - next_h**2)", "(1 - next_h)")]})
    result = grade_notebook(submission(tmp_path, recipe))
    lost = {t.name for t in result.tests if not t.passed}
    assert lost == {"rnn_step_backward", "rnn_backward"}  # rnn_backward calls rnn_step_backward
    out = next(t.output for t in result.tests if t.name == "rnn_step_backward")
    assert "max relative error" in out and "at index" in out


def test_results_file_has_gradescope_schema(tmp_path, solution_result):
    data = solution_result.to_gradescope()
    assert set(data) >= {"score", "execution_time", "tests"}
    for t in data["tests"]:
        assert set(t) >= {"name", "score", "max_score", "output", "visibility"}
    json.dumps(data)


def test_exception_wrong_shape_nan_and_hard_coded_dtype(tmp_path):
    recipe = Recipe(solved=["*"], bugs={
        "rnn_step_forward_code": [("next_h = tf.tanh(x @ Wx + prev_h @ Wh + b)",
                                   "next_h = tf.tanh(x @ Wx + prev_h @ Wh + b)[:, :-1]")],
        "rnn_step_backward_code": [("dz = dnext_h * (1 - next_h**2)",
                                    "raise ValueError('boom')")],
        "rnn_forward_code": [("h = tf.stack(states, axis=1)",
                              "h = tf.stack(states, axis=1) * float('nan')")],
        "temporal_softmax_loss_code": [("log_probs = tf.nn.log_softmax(x, axis=-1)",
                                        "log_probs = tf.nn.log_softmax(tf.cast(x, tf.float32), "
                                        "axis=-1)")],
    })
    result = grade_notebook(submission(tmp_path, recipe))
    out = {t.name: t.output for t in result.tests}
    assert all(scores(result)[unit.removesuffix("_code")] == 0 for unit in recipe.bugs)
    assert "expected shape" in out["rnn_step_forward"]
    assert "ValueError: boom" in out["rnn_step_backward"]
    assert "nan" in out["rnn_forward"].lower()
    # float32 cases pass, float64 cases fail (a cast error or a dtype message)
    assert "ok   " in out["temporal_softmax_loss"] and "FAIL" in out["temporal_softmax_loss"]


def test_infinite_loop_times_out_and_grading_goes_on(tmp_path):
    recipe = Recipe(solved=["*"], bugs={
        "rnn_forward_code": [("states = []", "states = []\n    while True:\n        pass")]})
    result = grade_notebook(submission(tmp_path, recipe), limits=Limits(case_timeout=3))
    got = scores(result)
    assert got["rnn_forward"] == 0
    assert got["rnn_step_forward"] > 0 and got["temporal_softmax_loss"] > 0
    assert "did not finish within 3 s" in next(t.output for t in result.tests
                                               if t.name == "rnn_forward")


def test_patching_numpy_tensorflow_and_the_checker_changes_nothing(tmp_path):
    cheat = (
        "import numpy as np, tensorflow as tf, rnnlab.compare, rnnlab.probes\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "rnnlab.compare.compare_outputs = lambda *a, **k: []\n"
        "rnnlab.probes.to_numpy = lambda key, v: __import__('numpy').zeros(1)\n"
        "np.ndarray.__eq__ = lambda *a: True\n"
    )
    result = grade_notebook(submission(tmp_path, Recipe(), extra_cells=[cheat]))
    assert result.score == 0


def test_exiting_the_interpreter_in_a_cell_is_survived(tmp_path):
    result = grade_notebook(submission(tmp_path, extra_cells=["import sys\nsys.exit(3)"]))
    assert all(t.passed for t in result.tests)
    assert "SystemExit" in result.output


def test_os_exit_while_loading_scores_zero_with_a_reason(tmp_path):
    result = grade_notebook(submission(tmp_path, extra_cells=["import os\nos._exit(7)"]))
    assert result.score == 0
    assert "exited with status 7" in result.output


@pytest.mark.parametrize("content,expected", [
    (b"", "empty"),
    (b"{not json", "not valid JSON"),
    (b'{"cells": [], "nbformat": 3}', "nbformat 4"),
])
def test_unreadable_notebooks_get_zero_and_a_message(tmp_path, content, expected):
    path = tmp_path / "rnn.ipynb"
    path.write_bytes(content)
    result = grade_notebook(path)
    assert result.score == 0 and result.tests
    assert expected in result.tests[0].output


def test_cli_exit_codes(tmp_path):
    from autograder.paths import release_notebook

    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade",
                           str(release_notebook(A)), "--json", str(out), "--quiet"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())["score"] == 0
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade",
                           str(tmp_path / "missing.ipynb")], capture_output=True, text=True)
    assert proc.returncode == 2 and "no such notebook" in proc.stderr


def test_unknown_assignment_is_a_grading_error(tmp_path):
    path = tmp_path / "homework.ipynb"
    path.write_text(json.dumps({"cells": [], "nbformat": 4, "nbformat_minor": 4,
                                "metadata": {}}))
    with pytest.raises(GradingError, match="cannot tell which assignment"):
        grade_notebook(path)


def test_load_definitions_skips_experiments_and_test_cells(tmp_path):
    from autograder.paths import solution_notebook

    ns = load_definitions(solution_notebook(A))
    assert callable(ns["rnn_step_forward"]) and ns["__cell_errors__"] == []
    nb = make_submission(A, Recipe(solved=["*"]))
    nb["cells"].append({"cell_type": "code", "metadata": {"tags": ["experiment"]},
                        "source": "raise RuntimeError('experiments must not run')",
                        "outputs": [], "execution_count": None})
    ns = load_definitions(write_notebook(nb, tmp_path / "rnn.ipynb"))
    assert ns["__cell_errors__"] == []


def test_feedback_lists_a_units_outputs_before_their_gradients(plan):
    """The worker's payload sorts names (dWh < next_h); the grader keeps the probe's order, so
    a forgotten tanh reads next_h first. The plan (compiled through the worker) and the public
    fixtures hold that order."""
    from rnnlab.checks import _fixture

    for expected in plan.unit("rnn_step_forward").expected:
        keys = list(expected)
        assert keys[0] == "next_h" and all(k.startswith("d") for k in keys[1:]), keys
    cases, outputs = _fixture(A)
    for case, expected in zip(cases, outputs):
        if case.unit == "rnn_step_forward":
            assert list(expected)[0] == "next_h"


def test_cells_are_named_by_what_they_define():
    from rnnlab.notebook import describe_cell

    nb = {"cells": [
        {"cell_type": "markdown", "source": "# Title", "metadata": {}},
        {"cell_type": "code", "source": "import numpy as np", "metadata": {}},
        {"cell_type": "code", "source": "class MultilayerRNN:\n    pass\n\ndef helper():\n    pass",
         "metadata": {}},
        {"cell_type": "code", "source": "def broken(:\n", "metadata": {}},
    ]}
    assert describe_cell(nb, 2) == "the cell that defines `MultilayerRNN`, `helper` (code cell 2)"
    assert describe_cell(nb, 1) == "the cell starting `import numpy as np` (code cell 1)"
    assert describe_cell(nb, 3) == "the cell starting `def broken(:` (code cell 3)"
    assert describe_cell(None, 7) == "cell 7"


def test_a_cell_that_raises_is_named_by_what_it_defines(tmp_path):
    nb = make_submission(A, Recipe(solved=["rnn_step_forward_code"]))
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                        "execution_count": None,
                        "source": "def my_helper():\n    pass\n\nraise RuntimeError('oops')"})
    result = grade_notebook(write_notebook(nb, tmp_path / "rnn.ipynb"))
    assert "the cell that defines `my_helper` (code cell" in result.output
    assert "RuntimeError: oops" in result.output
