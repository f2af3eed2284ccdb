"""Grading the rnn notebook: full marks, zero for the release, and one-bug submissions that lose
exactly the units the bug touches (directly, or through a unit that calls the buggy code).

The one-bug submissions are graded in this process (same probes and comparisons as the
sandboxed grader, without a fresh TensorFlow per notebook); the solution and the release also
go through the real grader.
"""

import pytest

from autograder.api import grade_notebook
from autograder.examples import dependents, unit_outcomes
from autograder.examples import lost_units as _lost_units
from autograder.paths import release_notebook, solution_notebook
from autograder.plan import load_plan

A = "rnn"

# Units that call each unit's code (directly or through another unit), for the expectations.
USED_BY = {
    "rnn_step_forward": {"rnn_forward"},
    "rnn_step_backward": {"rnn_backward"},
    "rnn_forward": {"VanillaRNN"},
    "VanillaRNN": {"MultilayerRNN", "CharRNN", "SentimentClassifier"},
    "MultilayerRNN": {"FrameClassifier"},
    "word_embedding_forward": {"CharRNN", "SentimentClassifier"},
    "temporal_affine_forward": {"CharRNN", "FrameClassifier"},
    "temporal_softmax_loss": {"train_step", "train_tbptt"},
}


def touched_by(unit: str) -> set[str]:
    return dependents(unit, USED_BY)


# (solution cell, [(solution text, buggy text)], units that must be lost)
BUGS = {
    "step forward without tanh": (
        "rnn_step_forward_code", [("tf.tanh(x @ Wx + prev_h @ Wh + b)", "x @ Wx + prev_h @ Wh + b")],
        touched_by("rnn_step_forward")),
    "BPTT drops the gradient from the next step": (
        "rnn_backward_code", [("dh[:, t, :] + dprev_h", "dh[:, t, :]")], {"rnn_backward"}),
    "BPTT stacks dx in backward order": (
        "rnn_backward_code", [("dx_steps[t] = dx_t", "dx_steps[T - 1 - t] = dx_t")],
        {"rnn_backward"}),
    "embedding looks up the wrong rows": (
        "word_embedding_forward_code", [("tf.gather(W_embed, x)", "tf.gather(W_embed, x % 3)")],
        touched_by("word_embedding_forward")),
    "temporal affine without bias": (
        "temporal_affine_forward_code", [('x, w) + b', 'x, w)')],
        touched_by("temporal_affine_forward")),
    "loss ignores the mask": (
        "temporal_softmax_loss_code", [("picked * weights", "picked")],
        # train_tbptt counts every step (mask all True): the bug cannot touch it.
        {"temporal_softmax_loss", "train_step"}),
    "VanillaRNN ignores initial_state": (
        "VanillaRNN_code", [("if initial_state is None:", "if True:")],
        # Only CharRNN passes a state on; the other models start from zeros.
        {"VanillaRNN", "CharRNN"}),
    "VanillaRNN.get_config forgets return_sequences": (
        "VanillaRNN_code", [(', "return_sequences": self.return_sequences})', "})")],
        {"VanillaRNN"}),
    "MultilayerRNN's top layer always returns sequences": (
        "MultilayerRNN_code", [("(k < last or self.return_sequences)", "True")],
        {"MultilayerRNN"}),
    "CharRNN's final state is the first one": (
        "CharRNN_code", [("final_state = h[:, -1, :]", "final_state = h[:, 0, :]")],
        {"CharRNN"}),
    "train_step clips each gradient on its own": (
        "train_step_code", [("grads, grad_norm = tf.clip_by_global_norm(grads, max_norm)",
                             ("grad_norm = tf.linalg.global_norm(grads)\n"
                              "    grads = [tf.clip_by_norm(g, max_norm) for g in grads]"))],
        {"train_step"}),
    "sample ignores the temperature": (
        "sample_code", [("last / temperature", "last")], {"sample"}),
    "sample does not feed the drawn character back": (
        "sample_code", [("model(next_ids[:, None], initial_state=h", "model(prefix[:, -1:], initial_state=h")],
        {"sample"}),
    "truncated BPTT restarts every chunk from h0": (
        "train_tbptt_code", [("loss, h = tbptt_step(model, optimizer, inputs, targets, h, max_norm)",
                              "loss, h = tbptt_step(model, optimizer, inputs, targets, h0, max_norm)")],
        {"train_tbptt"}),
    "truncated BPTT targets not shifted": (
        "train_tbptt_code", [("stream[:, c * k + 1:(c + 1) * k + 1]", "stream[:, c * k:(c + 1) * k]")],
        {"train_tbptt"}),
    "sentiment reads the state at the last padded step": (
        "SentimentClassifier_code", [("tf.gather(h, lengths - 1, batch_dims=1)", "h[:, -1, :]")],
        {"SentimentClassifier"}),
    "frames flattened in the wrong order": (
        "FrameClassifier_code", [("x = tf.reshape(frames, (-1, T, D))",
                                  "x = tf.reshape(tf.transpose(frames, [0, 1, *range(frames.shape.rank - 1, 1, -1)]), (-1, T, D))")],
        {"FrameClassifier"}),
}


@pytest.fixture(scope="module")
def plan():
    return load_plan(A)


def lost_units(bug: str, plan) -> set[str]:
    cell, edits, _ = BUGS[bug]
    return _lost_units(A, plan, cell, edits)


def test_bug_table_names_real_units(plan):
    names = {u.name for u in plan.units}
    for _, _, expected in BUGS.values():
        assert expected <= names
    assert set(USED_BY) <= names and set().union(*USED_BY.values()) <= names


def test_loss_mask_bug_loses_the_loss_and_train_step_only(plan):
    assert lost_units("loss ignores the mask", plan) == BUGS["loss ignores the mask"][2]


@pytest.mark.slow
@pytest.mark.parametrize("bug", [b for b in BUGS if b != "loss ignores the mask"])
def test_one_bug_loses_exactly_the_units_it_touches(bug, plan):
    assert lost_units(bug, plan) == BUGS[bug][2]


@pytest.mark.slow
def test_real_grader_gives_the_solution_full_marks_and_the_release_zero(plan):
    solved = grade_notebook(solution_notebook(A))
    assert solved.score == plan.max_score and all(t.passed for t in solved.tests)
    released = grade_notebook(release_notebook(A))
    assert released.score == 0 and released.max_score == plan.max_score
    assert all("not implemented yet" in t.output for t in released.tests)


def test_release_passes_no_unit_in_process(plan):
    from rnnlab.notebook import read_notebook

    outcomes = unit_outcomes(read_notebook(release_notebook(A)), plan)
    assert not any(outcomes.values())
