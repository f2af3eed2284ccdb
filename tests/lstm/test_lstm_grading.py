"""Grading the lstm notebook: full marks for the solution, zero for the release, and one-bug
submissions that lose exactly the units the bug touches (directly, or through a unit that calls
the buggy code).

The one-bug submissions are graded in this process (same probes and comparisons as the
sandboxed grader, without a fresh TensorFlow per notebook); the solution and the release also
go through the real grader.
"""

import pytest

from autograder.api import grade_notebook
from autograder.examples import Recipe, dependents, make_submission, unit_outcomes
from autograder.examples import lost_units as _lost_units
from autograder.paths import release_notebook, solution_notebook
from autograder.plan import load_plan
from rnnlab.notebook import read_notebook

A = "lstm"

# Units that call each unit's code, for the expectations. The backward passes do not call the
# forward passes (the step recomputes its gates, the sequence gets h and c from the grader),
# and the conversion and gradient-flow probes run Keras' layers, not the student's.
USED_BY = {
    "lstm_step_forward": {"lstm_forward"},
    "lstm_forward": {"lstm_layer"},
    "lstm_step_backward": {"lstm_backward"},
    "gru_step_forward": {"gru_forward"},
    "gru_forward": {"gru_layer"},
}


def touched_by(unit: str) -> set[str]:
    return dependents(unit, USED_BY)


# bug -> (solution cell, [(solution text, buggy text)], units that must be lost)
BUGS = {
    "gates read in Keras' order (i, f, c, o)": (
        "lstm_step_forward_code",
        [("a_i, a_f, a_o, a_g = tf.split(a, 4, axis=1)", "a_i, a_f, a_g, a_o = tf.split(a, 4, axis=1)")],
        touched_by("lstm_step_forward")),
    "the forget gate is ignored": (
        "lstm_step_forward_code", [("next_c = f * prev_c + i * g", "next_c = prev_c + i * g")],
        touched_by("lstm_step_forward")),
    "step backward drops the tanh derivative of the cell": (
        "lstm_step_backward_code", [("o * (1 - tanh_c**2)", "o")], touched_by("lstm_step_backward")),
    "step backward passes dc to the previous cell without the forget gate": (
        "lstm_step_backward_code", [("dprev_c = dc * f", "dprev_c = dc")],
        touched_by("lstm_step_backward")),
    "step backward uses the sigmoid derivative for g": (
        "lstm_step_backward_code", [("dg * (1 - g**2)", "dg * g * (1 - g)")],
        touched_by("lstm_step_backward")),
    "step backward's db is not summed over the batch": (
        "lstm_step_backward_code", [("db = tf.reduce_sum(da, axis=0)", "db = da[0]")],
        touched_by("lstm_step_backward")),
    "the forward pass starts the cell state from h0": (
        "lstm_forward_code", [("prev_h, prev_c = h0, tf.zeros_like(h0)", "prev_h, prev_c = h0, h0")],
        touched_by("lstm_forward")),
    "the forward pass returns the cell states as h": (
        "lstm_forward_code", [("h, c = tf.stack(hs, axis=1), tf.stack(cs, axis=1)",
                               "h, c = tf.stack(hs, axis=1), tf.stack(hs, axis=1)")],
        {"lstm_forward"}),  # only return_cells=True shows it; the layer never asks for c
    "BPTT drops the gradient from the next step": (
        "lstm_backward_code", [("dh[:, t] + dprev_h", "dh[:, t]")], {"lstm_backward"}),
    "BPTT restarts the cell gradient at every step": (
        "lstm_backward_code", [("dh[:, t] + dprev_h, dprev_c,", "dh[:, t] + dprev_h, 0 * dprev_c,")],
        {"lstm_backward"}),
    "BPTT gives every step the previous state of the last step": (
        "lstm_backward_code", [("prev_c = c[:, t - 1] if t > 0", "prev_c = c[:, -2] if t > 0")],
        {"lstm_backward"}),
    "the layer ignores initial_state": (
        "lstm_layer_code", [("h = lstm_forward(x, initial_state,", "h = lstm_forward(x, 0 * initial_state,")],
        {"lstm_layer"}),
    "the layer always returns the last step": (
        "lstm_layer_code", [("return h if self.return_sequences else h[:, -1]", "return h[:, -1]")],
        {"lstm_layer"}),
    "the layer's get_config forgets return_sequences": (
        "lstm_layer_code", [('"return_sequences": self.return_sequences}', "}")], {"lstm_layer"}),
    "the conversion keeps our gate order": (
        "lstm_weights_to_keras_code", [("tf.concat([i, f, g, o], axis=-1)", "tf.concat([i, f, o, g], axis=-1)")],
        {"lstm_weights_to_keras"}),
    "the conversion swaps input and forget gates": (
        "lstm_weights_to_keras_code", [("tf.concat([i, f, g, o], axis=-1)", "tf.concat([f, i, g, o], axis=-1)")],
        {"lstm_weights_to_keras"}),
    "GRU gates read as r, z, n": (
        "gru_step_forward_code",
        [("x_z, x_r, x_n = tf.split(", "x_r, x_z, x_n = tf.split("),
         ("h_z, h_r, h_n = tf.split(", "h_r, h_z, h_n = tf.split(")],
        touched_by("gru_step_forward")),
    "GRU reset gate applied before the hidden product": (
        "gru_step_forward_code",
        [("n = tf.tanh(x_n + r * h_n)", "n = tf.tanh(x_n + (r * prev_h) @ Wh[:, 2 * prev_h.shape[1]:])")],
        touched_by("gru_step_forward")),
    "GRU update gate keeps the candidate": (
        "gru_step_forward_code",
        [("next_h = z * prev_h + (1 - z) * n", "next_h = (1 - z) * prev_h + z * n")],
        touched_by("gru_step_forward")),
    "GRU bias inside the reset gate": (
        "gru_step_forward_code",
        [("x @ Wx + b, 3", "x @ Wx, 3"), ("prev_h @ Wh, 3", "prev_h @ Wh + b, 3")],
        touched_by("gru_step_forward")),
    "GRU step backward forgets the reset gate in the hidden product's gradient": (
        "gru_step_backward_code", [("[da_z, da_r, r * da_n]", "[da_z, da_r, da_n]")],
        {"gru_step_backward"}),
    "GRU step backward drops the direct path to prev_h": (
        "gru_step_backward_code", [("dprev_h = dnext_h * z + da_h", "dprev_h = da_h")],
        {"gru_step_backward"}),
    "GRU step backward uses the tanh derivative for the reset gate": (
        "gru_step_backward_code", [("da_n * h_n * r * (1 - r)", "da_n * h_n * (1 - r**2)")],
        {"gru_step_backward"}),
    "GRU step backward's db sums da_h": (
        "gru_step_backward_code", [("db = tf.reduce_sum(da_x, axis=0)", "db = tf.reduce_sum(da_h, axis=0)")],
        {"gru_step_backward"}),
    "GRU forward does not carry the state": (
        "gru_forward_code", [("prev_h = gru_step_forward(x_t, prev_h,", "h_t = gru_step_forward(x_t, h0,"),
                             ("hs.append(prev_h)", "hs.append(h_t)")],
        touched_by("gru_forward")),
    "GRU layer ignores initial_state": (
        "gru_layer_code", [("h = gru_forward(x, initial_state,", "h = gru_forward(x, 0 * initial_state,")],
        {"gru_layer"}),
    "GRU layer's bias starts at ones": (
        "gru_layer_code", [('shape=(3 * H,), initializer="zeros"', 'shape=(3 * H,), initializer="ones"')],
        {"gru_layer"}),
    "GRU layer's Wh is glorot": (
        "gru_layer_code", [('initializer="orthogonal"', 'initializer="glorot_uniform"')],
        {"gru_layer"}),
    "GRU conversion puts b in the recurrent row": (
        "gru_weights_to_keras_code", [("tf.stack([b, tf.zeros_like(b)])", "tf.stack([tf.zeros_like(b), b])")],
        {"gru_weights_to_keras"}),
    "GRU conversion puts b in both rows": (
        "gru_weights_to_keras_code", [("tf.stack([b, tf.zeros_like(b)])", "tf.stack([b, b])")],
        {"gru_weights_to_keras"}),
    "GRU conversion reorders the kernels like the LSTM's": (
        "gru_weights_to_keras_code", [("kernel, recurrent_kernel = Wx, Wh",
                                       "kernel, recurrent_kernel = (tf.concat(tf.split(w, 3, axis=1)[::-1], axis=1) for w in (Wx, Wh))")],
        {"gru_weights_to_keras"}),
    "gradient flow sums the loss over every step": (
        "gradient_flow_code", [("last = out[:, -1] if len(out.shape) == 3 else out", "last = out")],
        {"gradient_flow"}),
    "gradient flow averages instead of taking the norm": (
        "gradient_flow_code", [("tf.sqrt(tf.reduce_sum(dx**2, axis=[0, 2]))", "tf.reduce_mean(tf.abs(dx), axis=[0, 2])")],
        {"gradient_flow"}),
    "gradient flow takes the norm per example": (
        "gradient_flow_code", [("tf.sqrt(tf.reduce_sum(dx**2, axis=[0, 2]))", "tf.sqrt(tf.reduce_sum(dx**2, axis=2))")],
        {"gradient_flow"}),
}
FAST_BUGS = ["gates read in Keras' order (i, f, c, o)", "BPTT drops the gradient from the next step",
             "GRU reset gate applied before the hidden product", "GRU conversion puts b in the recurrent row"]


@pytest.fixture(scope="module")
def plan():
    return load_plan(A)


def lost_units(bug: str, plan) -> set[str]:
    cell, edits, _ = BUGS[bug]
    return _lost_units(A, plan, cell, edits)


def test_plan_has_the_issue_units_and_points(plan):
    assert [u.name for u in plan.units] == [
        "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
        "lstm_layer", "lstm_weights_to_keras", "gru_step_forward", "gru_step_backward",
        "gru_forward", "gru_layer", "gru_weights_to_keras", "gradient_flow"]
    assert plan.max_score == 27
    for unit in plan.units:
        assert {c.dtype for c in unit.cases} == {"float32", "float64"}, unit.name


def test_bug_table_names_real_units(plan):
    names = {u.name for u in plan.units}
    for _, _, expected in BUGS.values():
        assert expected <= names
    assert set(USED_BY) <= names and set().union(*USED_BY.values()) <= names
    assert set(FAST_BUGS) <= set(BUGS)


def test_solution_passes_every_unit_in_process(plan):
    outcomes = unit_outcomes(make_submission(A, Recipe(solved=["*"])), plan)
    assert all(outcomes.values()), outcomes


def test_release_passes_no_unit_in_process(plan):
    outcomes = unit_outcomes(read_notebook(release_notebook(A)), plan)
    assert not any(outcomes.values()), outcomes


@pytest.mark.parametrize("bug", FAST_BUGS)
def test_one_bug_loses_exactly_the_units_it_touches(bug, plan):
    assert lost_units(bug, plan) == BUGS[bug][2]


@pytest.mark.slow
@pytest.mark.parametrize("bug", [b for b in BUGS if b not in FAST_BUGS])
def test_every_bug_loses_exactly_the_units_it_touches(bug, plan):
    assert lost_units(bug, plan) == BUGS[bug][2]


@pytest.mark.slow
def test_real_grader_gives_the_solution_full_marks_and_the_release_zero(plan):
    solved = grade_notebook(solution_notebook(A))
    assert solved.score == plan.max_score and all(t.passed for t in solved.tests)
    released = grade_notebook(release_notebook(A))
    assert released.score == 0 and released.max_score == plan.max_score
    assert all("not implemented yet" in t.output for t in released.tests)
