"""Known mistakes of the ``rnn`` assignment (see :mod:`autograder.mistakes`).

Each one is a text replacement on the solution; if the solution's wording changes, update the
``replace`` pairs here (``tests/autograder/test_mistakes.py`` fails when one no longer
applies).
"""

from autograder.mistakes import Mistake

_LOSS_UNITS = ["temporal_softmax_loss", "train_step", "train_tbptt"]
_LOSS_LINE = "loss = -tf.reduce_sum(picked * weights) / tf.cast(tf.shape(x)[0], x.dtype)"

MISTAKES = [
    Mistake(
        title="the tanh derivative is missing: the gradient through next_h = tanh(z) is "
              "dnext_h * (1 - next_h**2)",
        cell="rnn_step_backward_code",
        replace=[("dz = dnext_h * (1 - next_h**2)", "dz = dnext_h")],
        units=["rnn_step_backward", "rnn_backward"],
    ),
    Mistake(
        title="the tanh derivative is written 1 - next_h instead of 1 - next_h**2",
        cell="rnn_step_backward_code",
        replace=[("(1 - next_h**2)", "(1 - next_h)")],
        units=["rnn_step_backward", "rnn_backward"],
    ),
    Mistake(
        title="tanh is applied again in its derivative: next_h already is tanh(z), so the "
              "derivative is 1 - next_h**2, not 1 - tanh(next_h)**2",
        cell="rnn_step_backward_code",
        replace=[("(1 - next_h**2)", "(1 - tf.tanh(next_h)**2)")],
        units=["rnn_step_backward", "rnn_backward"],
    ),
    Mistake(
        title="the gradient arriving from step t+1 (dprev_h) is not added to dh[:, t]",
        cell="rnn_backward_code",
        replace=[("dh[:, t, :] + dprev_h", "dh[:, t, :]")],
        units=["rnn_backward"],
    ),
    Mistake(
        title="the mask is ignored: steps whose target is <NULL> (mask False) must not count",
        cell="temporal_softmax_loss_code",
        replace=[(_LOSS_LINE, "loss = -tf.reduce_sum(picked) / tf.cast(tf.shape(x)[0], x.dtype)")],
        units=_LOSS_UNITS,
    ),
    Mistake(
        title="the loss is averaged over time (divided by N * T) instead of summed over time "
              "and averaged over the batch (divided by N)",
        cell="temporal_softmax_loss_code",
        replace=[(_LOSS_LINE, "loss = -tf.reduce_sum(picked * weights) / "
                              "tf.cast(tf.shape(x)[0] * tf.shape(x)[1], x.dtype)")],
        units=_LOSS_UNITS,
    ),
    Mistake(
        title="the loss is divided by the number of unmasked steps instead of by the batch "
              "size N",
        cell="temporal_softmax_loss_code",
        replace=[(_LOSS_LINE, "loss = -tf.reduce_sum(picked * weights) / tf.reduce_sum(weights)")],
        units=_LOSS_UNITS,
    ),
    Mistake(
        title="the loss is summed over the batch instead of averaged (divide by N)",
        cell="temporal_softmax_loss_code",
        replace=[(_LOSS_LINE, "loss = -tf.reduce_sum(picked * weights)")],
        units=_LOSS_UNITS,
    ),
    Mistake(
        title="initial_state is ignored: the layer always starts from zeros",
        cell="VanillaRNN_code",
        replace=[("if initial_state is None:", "if True:")],
        units=["VanillaRNN", "CharRNN"],
    ),
    Mistake(
        title="the state is not carried across chunks: every chunk starts again from h0 "
              "instead of the state the previous chunk ended in",
        cell="train_tbptt_code",
        replace=[("tbptt_step(model, optimizer, inputs, targets, h, max_norm)",
                  "tbptt_step(model, optimizer, inputs, targets, h0, max_norm)")],
        units=["train_tbptt"],
    ),
    Mistake(
        title="the temperature is not applied: divide the scores by it before drawing",
        cell="sample_code",
        replace=[("last / temperature", "last")],
        units=["sample"],
    ),
]
