"""Grading the captioning notebook: full marks for the solution, zero for the release, and
one-bug submissions that lose exactly the units the bug touches (directly, or through a unit
whose code calls the buggy code).

The one-bug submissions are graded in this process (same probes and comparisons as the
sandboxed grader); the solution and the release also go through the real grader.
"""

import re
import time

import pytest

from autograder.api import grade_notebook
from autograder.examples import Recipe, dependents, make_submission, unit_outcomes
from autograder.examples import lost_units as _lost_units
from autograder.paths import release_notebook, solution_notebook
from autograder.plan import load_plan
from rnnlab.notebook import cell_source, read_notebook, run_definitions

A = "captioning"

# Units whose code calls each unit's code, for the expectations below.
USED_BY = {
    # ImageEveryStepCaptioningRNN inherits CaptioningRNN's loss and sample.
    "captioning_rnn_loss": {"image_every_step"},
    "captioning_rnn_sample": {"image_every_step"},
    # The attention model and VQA call attention_weights and context_vector.
    "attention_weights": {"attention_captioning_loss", "attention_captioning_sample", "vqa_model"},
    "context_vector": {"attention_captioning_loss", "attention_captioning_sample", "vqa_model"},
    "attention_lstm_step": {"attention_captioning_loss", "attention_captioning_sample"},
    "vqa_question_encoder": {"vqa_model"},
}


def touched_by(unit: str) -> set[str]:
    return dependents(unit, USED_BY)


# name -> (solution cell, [(solution text, buggy text)], units that must be lost)
BUGS = {
    "h0 without the projection's bias": (
        "captioning_rnn_code",
        [('h0 = features @ self.params["W_proj"] + self.params["b_proj"]',
          'h0 = features @ self.params["W_proj"]')],
        {"captioning_rnn_loss", "captioning_rnn_sample"}),
    "the LSTM step reads prev_h as its cell state": (
        "captioning_rnn_code",
        [('lstm_step(x, prev_h, prev_c, P["Wx"]', 'lstm_step(x, prev_h, prev_h, P["Wx"]')],
        {"captioning_rnn_loss", "captioning_rnn_sample"}),
    "loss ignores the mask": (
        "captioning_rnn_code", [("log_probs * mask", "log_probs")],
        {"captioning_rnn_loss", "image_every_step"}),
    "loss averages over time too": (
        "captioning_rnn_code",
        [("/ tf.cast(tf.shape(features)[0], features.dtype)",
          "/ tf.reduce_sum(mask)")],
        {"captioning_rnn_loss", "image_every_step"}),
    "sample keeps writing after <END>": (
        "captioning_rnn_code", [("word = tf.where(done, self._null, word)\n            words",
                                 "words")],
        {"captioning_rnn_sample", "image_every_step"}),
    "the every-step model forgets the image in its bias": (
        "image_every_step_code", [('bias = P["b"] + features @ P["W_img"]', 'bias = P["b"]')],
        {"image_every_step"}),
    "coordinate channels in the wrong order": (
        "image_encoder_code", [("[pixels, rows, cols]", "[pixels, cols, rows]")],
        {"image_encoder"}),
    "the grid flattened column-major": (
        "image_encoder_code",
        [("grid = tf.reshape(x, [N, x.shape[1] * x.shape[2], x.shape[3]])",
          "grid = tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [N, x.shape[1] * x.shape[2], x.shape[3]])")],
        {"image_encoder"}),
    "gradients clipped one by one": (
        "make_train_step_code",
        [("grads, _ = tf.clip_by_global_norm(grads, clip_norm)",
          "grads = [tf.clip_by_norm(g, clip_norm) for g in grads]")],
        {"make_train_step"}),
    "attention softmax over the batch": (
        "attention_weights_code", [("tf.nn.softmax(scores, axis=-1)", "tf.nn.softmax(scores, axis=0)")],
        touched_by("attention_weights")),
    "context vector averages instead of summing": (
        "context_vector_code", [("tf.reduce_sum(alpha[:, :, None] * grid, axis=1)",
                                 "tf.reduce_mean(alpha[:, :, None] * grid, axis=1)")],
        touched_by("context_vector")),
    "attention LSTM step ignores the context": (
        "attention_lstm_step_code", [("b + context @ Wz", "b")],
        touched_by("attention_lstm_step")),
    "attention loss ignores the mask": (
        "attention_captioning_code", [("log_probs * mask", "log_probs")],
        {"attention_captioning_loss"}),
    "attention sample keeps writing after <END>": (
        "attention_captioning_code",
        [("word = tf.where(done, self._null, word)\n            words", "words")],
        {"attention_captioning_sample"}),
    "locations from the weights, not the cumulative weights": (
        "sample_locations_code", [("cdf = tf.cumsum(alpha, axis=1)", "cdf = alpha")],
        {"sample_locations"}),
    "REINFORCE without stop_gradient": (
        "reinforce_loss_code", [("tf.stop_gradient(rewards - baseline)", "(rewards - baseline)")],
        {"reinforce_loss"}),
    "question padding updates the LSTM state": (
        "vqa_code", [("tf.where(real, next_h, h), tf.where(real, next_c, c)", "next_h, next_c")],
        touched_by("vqa_question_encoder")),
    "answers ignore what was seen": (
        "vqa_code", [('q @ P["W_q"] + z @ P["W_z"] + P["b_hidden"]', 'q @ P["W_q"] + P["b_hidden"]')],
        {"vqa_model"}),
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
        assert expected and expected <= names
    assert set(USED_BY) <= names and set().union(*USED_BY.values()) <= names


def test_every_unit_is_caught_by_some_bug(plan):
    covered = set().union(*(expected for _, _, expected in BUGS.values()))
    assert covered == {u.name for u in plan.units}


def test_reinforce_without_stop_gradient_loses_only_its_unit(plan):
    bug = "REINFORCE without stop_gradient"
    assert lost_units(bug, plan) == BUGS[bug][2]


@pytest.mark.slow
@pytest.mark.parametrize("bug", [b for b in BUGS if b != "REINFORCE without stop_gradient"])
def test_one_bug_loses_exactly_the_units_it_touches(bug, plan):
    assert lost_units(bug, plan) == BUGS[bug][2]


# The visible check cells (check_<unit>(Name)) must fail on the same one-bug submissions, so a
# student sees the bug before submitting. Documented exceptions (bug, unit) go here; there are
# none now that the every-step model's public cases sample with both cells.
VISIBLE_MISSES = set()


def visible_check_calls() -> dict[str, str]:
    """unit -> the name its check cell passes to ``check_<unit>``."""
    calls = {}
    for cell in read_notebook(solution_notebook(A))["cells"]:
        match = re.match(r"check_(\w+)\((\w+)\)", cell_source(cell))
        if match:
            calls[match[1]] = match[2]
    return calls


def test_every_unit_has_a_visible_check_cell(plan):
    assert set(visible_check_calls()) == {u.name for u in plan.units}


@pytest.mark.slow
@pytest.mark.parametrize("bug", list(BUGS))
def test_visible_checks_catch_each_bug(bug, capsys):
    from rnnlab.checks import CheckFailed
    from rnnlab.checks import captioning as checks

    cell, edits, lost = BUGS[bug]
    nb = make_submission(A, Recipe(solved=["*"], bugs={cell: edits}))
    namespace = run_definitions(nb).namespace
    calls = visible_check_calls()
    for unit in sorted(lost):
        check = getattr(checks, f"check_{unit}")
        if (bug, unit) in VISIBLE_MISSES:
            check(namespace[calls[unit]])  # the documented miss: still passes
            continue
        with pytest.raises(CheckFailed, match=unit):
            check(namespace[calls[unit]])
    capsys.readouterr()


def test_release_passes_no_unit_in_process(plan):
    outcomes = unit_outcomes(read_notebook(release_notebook(A)), plan)
    assert not any(outcomes.values())


@pytest.mark.slow
def test_real_grader_gives_the_solution_full_marks_within_the_time_limit(plan):
    start = time.monotonic()
    solved = grade_notebook(solution_notebook(A))
    assert solved.score == plan.max_score and all(t.passed for t in solved.tests)
    # The bound is 60 s of grading; allow slack for a loaded test machine.
    assert time.monotonic() - start < 180


@pytest.mark.slow
def test_real_grader_gives_the_release_zero(plan):
    released = grade_notebook(release_notebook(A))
    assert released.score == 0 and released.max_score == plan.max_score
    assert all("not implemented yet" in t.output for t in released.tests)
