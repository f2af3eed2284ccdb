"""Known mistakes of the ``lstm`` assignment (see :mod:`autograder.mistakes`).

Each one is a text replacement on the solution; if the solution's wording changes, update the
``replace`` pairs here (``tests/autograder/test_mutations.py`` fails when one no longer
applies).
"""

from autograder.mistakes import Mistake

_SPLIT = "a_i, a_f, a_o, a_g = tf.split(a, 4, axis=1)"
_STEP_UNITS = ["lstm_step_forward", "lstm_forward", "lstm_layer", "gradient_flow"]

MISTAKES = [
    Mistake(
        title="the gates are in the wrong order: the course's weights hold the blocks of the "
              "gates i, f, o, g in that order (Keras's own LSTM uses i, f, c, o)",
        cell="lstm_step_forward_code",
        replace=[(_SPLIT, "a_i, a_f, a_g, a_o = tf.split(a, 4, axis=1)")],
        units=_STEP_UNITS,
    ),
    Mistake(
        title="the input and forget gates are swapped (blocks i, f, o, g in that order)",
        cell="lstm_step_forward_code",
        replace=[(_SPLIT, "a_f, a_i, a_o, a_g = tf.split(a, 4, axis=1)")],
        units=_STEP_UNITS,
    ),
    Mistake(
        title="the output uses the cell state without tanh: next_h = o * tanh(next_c)",
        cell="lstm_step_forward_code",
        replace=[("next_h = o * tf.tanh(next_c)", "next_h = o * next_c")],
        units=_STEP_UNITS,
    ),
    Mistake(
        title="the gradient through tanh(next_c) is missing in dc: it is "
              "dnext_c + dnext_h * o * (1 - tanh(next_c)**2)",
        cell="lstm_step_backward_code",
        replace=[("dc = dnext_c + dnext_h * o * (1 - tanh_c**2)", "dc = dnext_c + dnext_h * o")],
        units=["lstm_step_backward", "lstm_backward"],
    ),
    Mistake(
        title="the gradient carried along the cell state (dprev_c = dc * f) is dropped",
        cell="lstm_step_backward_code",
        replace=[("dprev_c = dc * f", "dprev_c = tf.zeros_like(dc)")],
        units=["lstm_step_backward", "lstm_backward"],
    ),
    Mistake(
        title="the bias does not start with ones for the forget gate: build b with "
              "initializer=forget_bias_initializer",
        cell="lstm_layer_code",
        replace=[('initializer=forget_bias_initializer, name="b"', 'name="b"')],
        units=["lstm_layer"],
    ),
]
