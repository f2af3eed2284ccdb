"""Visible checks of the ``rnn`` assignment (one per graded unit)."""

from rnnlab.checks import run_check


def check_rnn_step_forward(rnn_step_forward):
    """Checks `next_h` and its gradients w.r.t. every input, in float64 and float32."""
    run_check("rnn", "rnn_step_forward", rnn_step_forward=rnn_step_forward)


def check_rnn_step_backward(rnn_step_backward):
    """Checks `dx, dprev_h, dWx, dWh, db` from your hand-written backward pass."""
    run_check("rnn", "rnn_step_backward", rnn_step_backward=rnn_step_backward)


def check_rnn_forward(rnn_forward):
    """Checks the hidden states `h` of a whole sequence and their gradients."""
    run_check("rnn", "rnn_forward", rnn_forward=rnn_forward)


def check_temporal_softmax_loss(temporal_softmax_loss):
    """Checks the masked loss (summed over time, averaged over the batch) and `dx`."""
    run_check("rnn", "temporal_softmax_loss", temporal_softmax_loss=temporal_softmax_loss)
