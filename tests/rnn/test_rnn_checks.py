"""The visible checks of the rnn notebook pass on the solution and fail on common mistakes."""

import pytest

import rnnlab.checks.rnn as checks
from autograder.examples import Recipe, make_submission
from autograder.paths import solution_notebook
from rnnlab.checks import CheckFailed
from rnnlab.notebook import read_notebook, run_definitions

# unit -> (solution cell, [(solution text, buggy text)])
MISTAKES = {
    "rnn_backward": ("rnn_backward_code", [("dh[:, t, :] + dprev_h", "dh[:, t, :]")]),
    "word_embedding_forward": ("word_embedding_forward_code",
                               [("tf.gather(W_embed, x)", "tf.gather(W_embed, x % 3)")]),
    "temporal_affine_forward": ("temporal_affine_forward_code", [("x, w) + b", "x, w)")]),
    "VanillaRNN": ("VanillaRNN_code", [("if initial_state is None:", "if True:")]),
    "MultilayerRNN": ("MultilayerRNN_code", [("out = rnn_layer(out)", "out = rnn_layer(x)")]),
    "CharRNN": ("CharRNN_code", [("word_embedding_forward(ids, self.W_embed)",
                                  "word_embedding_forward(ids, tf.transpose(self.W_out))")]),
    "train_step": ("train_step_code", [
        ("grads, grad_norm = tf.clip_by_global_norm(grads, max_norm)",
         ("grad_norm = tf.linalg.global_norm(grads)\n"
          "    grads = [tf.clip_by_norm(g, max_norm) for g in grads]"))]),
    "sample": ("sample_code", [("last / temperature", "last")]),
    "train_tbptt": ("train_tbptt_code", [("inputs, targets, h, max_norm)",
                                          "inputs, targets, h0, max_norm)")]),
    "SentimentClassifier": ("SentimentClassifier_code",
                            [("tf.gather(h, lengths - 1, batch_dims=1)", "h[:, -1, :]")]),
    "FrameClassifier": ("FrameClassifier_code", [("self.rnn(x)", "self.rnn(x[:, ::-1])")]),
}


def check(unit):
    return getattr(checks, f"check_{unit}")


def test_every_unit_has_a_check():
    nb = read_notebook(solution_notebook("rnn"))
    units = {c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"]
             if c["metadata"].get("nbgrader", {}).get("grade")}
    assert all(callable(check(u)) for u in units)
    assert set(MISTAKES) <= units


@pytest.mark.parametrize("unit", sorted(MISTAKES))
def test_check_fails_on_a_common_mistake(unit):
    cell, edits = MISTAKES[unit]
    run = run_definitions(make_submission("rnn", Recipe(solved=["*"], bugs={cell: edits})))
    assert run.errors == []
    with pytest.raises(CheckFailed, match=unit):
        check(unit)(run.namespace[unit])


def test_checks_pass_on_the_solution(capsys):
    run = run_definitions(read_notebook(solution_notebook("rnn")))
    for unit in sorted(MISTAKES):
        check(unit)(run.namespace[unit])
    assert capsys.readouterr().out.count("checks passed") == len(MISTAKES)
