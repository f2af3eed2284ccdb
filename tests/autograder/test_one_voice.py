"""One judgement, one voice: the visible check, ``autograder grade`` and nbgrader's feedback say
the same thing, in the same words, about the same mistake."""

import pytest

from autograder.api import grade_notebook
from autograder.examples import Recipe, make_submission, write_notebook
from autograder.mistakes import declared_mistakes
from autograder.nbgrader_grading import verdict_outputs
from rnnlab.checks import CheckFailed, check_outcome, run_check
from rnnlab.evaluate import (CRASHED, NOT_RUN, PASSED, RAISED, TIMED_OUT, CaseRaised,
                             UnitStopped, evaluate_unit)
from rnnlab.notebook import run_definitions


def _one_bug(cell: str):
    """The first declared rnn mistake in ``cell``, and the first unit it costs."""
    mistake = next(m for m in declared_mistakes("rnn") if m.cell == cell)
    return mistake, mistake.units[0]


def _blocks(lines: list[str]) -> dict[str, list[str]]:
    """Case name -> its lines (``FAIL name`` / ``ok   name`` and what follows)."""
    blocks, current = {}, None
    for line in lines:
        if line.startswith(("FAIL ", "ok   ")):
            current = line[5:].split(": ")[0]
            blocks[current] = [line]
        elif current is not None and line.startswith(" "):
            blocks[current].append(line)
        else:
            current = None
    return blocks


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["rnn_step_backward_code", "temporal_softmax_loss_code"])
def test_the_check_the_grader_and_nbgrader_say_the_same(cell, tmp_path):
    mistake, unit = _one_bug(cell)
    nb = make_submission("rnn", Recipe(solved=["*"], bugs={cell: mistake.replace}))
    namespace = run_definitions(nb).namespace

    # The visible check, as the notebook shows it (CheckFailed's message).
    with pytest.raises(CheckFailed) as failed:
        run_check("rnn", unit, **namespace)
    check_lines = str(failed.value).splitlines()
    assert check_lines[0].startswith(f"{unit}: ")
    check_lines[0] = check_lines[0][len(unit) + 2:]

    # The grader, in its sandbox.
    result = grade_notebook(write_notebook(nb, tmp_path / "rnn.ipynb"), "rnn")
    graded = next(t for t in result.tests if t.name == unit)
    assert graded.score == 0
    grade_lines = graded.output.splitlines()

    # Same summary form, same words for every public case, same diagnosis.
    assert check_lines[0].endswith("checks passed; all must pass for the points")
    assert grade_lines[0].endswith("checks passed; all must pass for the points")
    check_blocks, grade_blocks = _blocks(check_lines), _blocks(grade_lines)
    assert check_blocks and set(check_blocks) <= set(grade_blocks)
    for name, block in check_blocks.items():
        assert block == grade_blocks[name], name
    said = [ln for ln in check_lines if ln.startswith("Likely mistake: ")]
    assert said and said == [ln for ln in grade_lines if ln.startswith("Likely mistake: ")]
    assert mistake.title in said[0]

    # nbgrader's feedback for that cell is the grader's text, line for line.
    outputs = verdict_outputs({"score": graded.score, "max_score": graded.max_score,
                               "output": graded.output})
    assert outputs[0]["output_type"] == "error"
    assert outputs[0]["traceback"] == grade_lines


def test_a_failed_check_shows_no_library_traceback_in_jupyter():
    """IPython renders ``_render_traceback_`` instead of the frames of rnnlab that raised."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("from rnnlab.checks.rnn import check_rnn_step_forward\n"
                   "import tensorflow as tf\n"
                   "def rnn_step_forward(x, prev_h, Wx, Wh, b):\n"
                   "    return tf.matmul(x, Wx) + tf.matmul(prev_h, Wh) + b  # no tanh\n")
    shown = []
    shell._showtraceback = lambda etype, evalue, stb: shown.append("\n".join(stb))
    result = shell.run_cell("check_rnn_step_forward(rnn_step_forward)")
    assert isinstance(result.error_in_exec, CheckFailed)
    text = shown[0]
    assert "Check failed: rnn_step_forward:" in text and "FAIL " in text
    assert "Traceback" not in text and "run_check" not in text and "rnnlab/" not in text
    assert "next_h: max relative error" in text  # the unit's output comes first


def test_an_unfinished_unit_that_another_uses_is_named():
    """A unit whose code calls a failing unit says which one (here ``rnn_forward`` on a step
    function that forgets the tanh)."""
    nb = make_submission("rnn", Recipe(solved=["*"], bugs={
        "rnn_step_forward_code": [("tf.tanh(", "tf.identity(")]}))
    namespace = run_definitions(nb).namespace
    outcome = check_outcome("rnn", "rnn_forward", namespace)
    assert not outcome.ok
    assert any("uses `rnn_step_forward`" in line for line in outcome.depends), outcome.render()
    assert check_outcome("rnn", "rnn_step_backward", namespace).ok  # graded on its own inputs


class _Case:
    def __init__(self, name):
        self.name, self.dtype = name, "float64"


def test_every_way_a_case_can_end_is_told():
    """passed / wrong / raised / timed out / crashed / not run, each in its own words."""
    import numpy as np

    cases = [_Case(f"case {i}") for i in range(5)]
    expected = [{"h": np.ones(2)} for _ in cases]

    def run(case, timeout):
        i = int(case.name[-1])
        if i == 1:
            raise CaseRaised("ValueError: boom (in `f`, line 2 of its cell)")
        if i == 2:
            return {"h": np.zeros(2)}
        if i == 3:
            stop = UnitStopped("did not finish within 30 s")
            stop.status, stop.after = TIMED_OUT, " after the time-out"
            raise stop
        return {"h": np.ones(2)}

    outcome = evaluate_unit("u", cases, expected, run, case_timeout=30)
    assert [c.status for c in outcome.cases] == [PASSED, RAISED, "wrong", TIMED_OUT, NOT_RUN]
    text = outcome.render()
    assert text.splitlines()[0] == "1 of 5 checks passed; all must pass for the points"
    assert "FAIL case 1: ValueError: boom" in text
    assert "FAIL case 2\n       h: max relative error" in text
    assert "FAIL case 3: did not finish within 30 s\n     (1 more case(s) not run after the time-out)" in text
    assert "case 4" not in text

    def crash(case, timeout):
        raise UnitStopped("the process running your code was killed by SIGKILL")

    crashed = evaluate_unit("u", cases[:2], expected[:2], crash)
    assert [c.status for c in crashed.cases] == [CRASHED, NOT_RUN]
    assert "(1 more case(s) not run after the crash)" in crashed.render()

    class Spent:
        seconds = 10

        def left(self):
            return 0

    spent = evaluate_unit("u", cases[:3], expected[:3], run, budget=Spent())
    assert spent.render().splitlines()[1] == (
        "FAIL case 0: not run: the grading time budget of 10 s ran out (2 more case(s) not run)")


def test_gradients_that_do_not_flow_get_a_hint():
    """A NumPy forward pass: right outputs, and every gradient exactly zero (the tape cannot
    see NumPy). The check says so, whatever the exact NumPy code is."""
    nb = make_submission("rnn", Recipe(solved=["*"], bugs={"rnn_step_forward_code": [(
        "next_h = tf.tanh(x @ Wx + prev_h @ Wh + b)",
        "next_h = tf.constant(np.tanh(np.dot(x, Wx) + np.dot(prev_h, Wh) + b))")]}))
    namespace = run_definitions(nb).namespace
    outcome = check_outcome("rnn", "rnn_step_forward", namespace)
    assert not outcome.ok
    text = outcome.render().lower()  # a declared mistake, or the generic hint below
    assert "no gradient flows" in text and "tensorflow operations" in text, text
    # Without a declared mistake to match, the generic diagnosis says the same.
    import numpy as np

    generic = evaluate_unit("u", [_Case("c")], [{"next_h": np.ones(3), "dx": np.full(3, 0.5)}],
                            lambda c, t: {"next_h": np.ones(3), "dx": np.zeros(3)})
    assert generic.mistake is None and "no gradient flows" in generic.render()
    # A wrong but flowing gradient gets no such hint.
    wrong = make_submission("rnn", Recipe(solved=["*"], bugs={"rnn_step_forward_code": [(
        "tf.tanh(x @ Wx + prev_h @ Wh + b)", "tf.sigmoid(x @ Wx + prev_h @ Wh + b)")]}))
    assert check_outcome("rnn", "rnn_step_forward", run_definitions(wrong).namespace).hint is None
