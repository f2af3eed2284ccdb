"""Visible checks of the ``lstm`` assignment (one per graded unit)."""

from rnnlab.checks import run_check


def check_lstm_step_forward(lstm_step_forward):
    """Checks `next_h`, `next_c` and their gradients w.r.t. every input, in float64 and float32."""
    run_check("lstm", "lstm_step_forward", lstm_step_forward=lstm_step_forward)


def check_lstm_step_backward(lstm_step_backward):
    """Checks `dx, dprev_h, dprev_c, dWx, dWh, db` from your hand-written backward pass."""
    run_check("lstm", "lstm_step_backward", lstm_step_backward=lstm_step_backward)


def check_lstm_forward(lstm_forward):
    """Checks the hidden states `h` of a whole sequence and their gradients."""
    run_check("lstm", "lstm_forward", lstm_forward=lstm_forward)


def check_lstm_backward(lstm_backward):
    """Checks `dx, dh0, dWx, dWh, db` from your hand-written backward pass over time."""
    run_check("lstm", "lstm_backward", lstm_backward=lstm_backward)


def check_lstm_layer(LSTM):
    """Checks the layer's outputs and gradients with given weights (`Wx`, `Wh`, `b`)."""
    run_check("lstm", "lstm_layer", LSTM=LSTM)


def check_lstm_weights_to_keras(lstm_weights_to_keras):
    """Runs `keras.layers.LSTM` on your converted weights and checks its hidden states."""
    run_check("lstm", "lstm_weights_to_keras", lstm_weights_to_keras=lstm_weights_to_keras)


def check_gradient_flow(gradient_flow):
    """Checks the gradient norms your function measures on Keras' SimpleRNN and LSTM."""
    run_check("lstm", "gradient_flow", gradient_flow=gradient_flow)


def check_gru_step_forward(gru_step_forward):
    """Checks `next_h` and its gradients w.r.t. every input, in float64 and float32."""
    run_check("lstm", "gru_step_forward", gru_step_forward=gru_step_forward)


def check_gru_step_backward(gru_step_backward):
    """Checks `dx, dprev_h, dWx, dWh, db` from your hand-written GRU backward pass."""
    run_check("lstm", "gru_step_backward", gru_step_backward=gru_step_backward)


def check_gru_forward(gru_forward):
    """Checks the GRU's hidden states `h` of a whole sequence and their gradients."""
    run_check("lstm", "gru_forward", gru_forward=gru_forward)


def check_gru_layer(GRU):
    """Checks the GRU layer's outputs and gradients with given weights (`Wx`, `Wh`, `b`)."""
    run_check("lstm", "gru_layer", GRU=GRU)


def check_gru_weights_to_keras(gru_weights_to_keras):
    """Runs `keras.layers.GRU` on your converted weights and checks its hidden states."""
    run_check("lstm", "gru_weights_to_keras", gru_weights_to_keras=gru_weights_to_keras)
