"""Common student mistakes in the ``lstm`` assignment: the corpus of
``autograder.mistake_audit``.

Written from what students get wrong in LSTM code (gate order, the cell-state path, the
derivatives of sigmoid and tanh, carrying two states), independently of the declared known
mistakes (``autograder/mistakes/lstm.py``), in textual forms of their own. Format: see
``common_mistakes_rnn.py``.

Only the units that existed when this corpus was written: ``gradient_flow``, the LSTM step,
sequence, backward passes, the ``LSTM`` layer and ``lstm_weights_to_keras``. The GRU units
(``gru_*``) are being added by another engineer and are left out on purpose; add their
mistakes once they are settled.
"""

MISTAKES = {
    # gradient_flow
    "gradient_flow: squared norm (no sqrt)": {"gradient_flow_code": [
        ("norms = tf.sqrt(tf.reduce_sum(dx**2, axis=[0, 2]))",
         "norms = tf.reduce_sum(tf.square(dx), axis=[0, 2])")]},
    "gradient_flow: loss over every step": {"gradient_flow_code": [
        ("last = out[:, -1] if len(out.shape) == 3 else out", "last = out")]},
    "gradient_flow: mean of the last output": {"gradient_flow_code": [
        ("loss = tf.reduce_sum(last)", "loss = tf.reduce_mean(last)")]},
    "gradient_flow: norm over the wrong axes": {"gradient_flow_code": [
        ("axis=[0, 2]", "axis=[1, 2]")]},
    # lstm_step_forward
    "step: Keras gate order (i, f, g, o)": {"lstm_step_forward_code": [
        ("a_i, a_f, a_o, a_g = tf.split(a, 4, axis=1)", "a_i, a_f, a_g, a_o = tf.split(a, 4, axis=1)")]},
    "step: sigmoid on the candidate g": {"lstm_step_forward_code": [
        ("tf.tanh(a_g)", "tf.sigmoid(a_g)")]},
    "step: h without tanh of c": {"lstm_step_forward_code": [
        ("next_h = o * tf.tanh(next_c)", "next_h = o * next_c")]},
    "step: forget and input gates swapped": {"lstm_step_forward_code": [
        ("next_c = f * prev_c + i * g", "next_c = i * prev_c + f * g")]},
    "step: NumPy split": {"lstm_step_forward_code": [
        ("tf.split(a, 4, axis=1)", "np.split(a, 4, axis=1)")]},
    "step: no forget gate": {"lstm_step_forward_code": [
        ("next_c = f * prev_c + i * g", "next_c = prev_c + i * g")]},
    # lstm_step_backward
    "step backward: dnext_c dropped": {"lstm_step_backward_code": [
        ("dc = dnext_c + dnext_h * o * (1 - tanh_c**2)", "dc = dnext_h * o * (1 - tanh_c**2)")]},
    "step backward: no tanh derivative on c": {"lstm_step_backward_code": [
        ("dc = dnext_c + dnext_h * o * (1 - tanh_c**2)", "dc = dnext_c + dnext_h * o")]},
    "step backward: forget gate sigmoid derivative wrong": {"lstm_step_backward_code": [
        ("df * f * (1 - f)", "df * (1 - f)")]},
    "step backward: no tanh derivative on the candidate": {"lstm_step_backward_code": [
        ("dg * (1 - g**2)", "dg")]},
    "step backward: output gate gradient from dc": {"lstm_step_backward_code": [
        ("dnext_h * tanh_c, dc * i", "dc * tanh_c, dc * i")]},
    "step backward: dprev_c without the forget gate": {"lstm_step_backward_code": [
        ("dprev_c = dc * f", "dprev_c = dc")]},
    "step backward: db averaged": {"lstm_step_backward_code": [
        ("db = tf.reduce_sum(da, axis=0)", "db = tf.reduce_mean(da, axis=0)")]},
    # lstm_forward
    "forward: cell state not carried": {"lstm_forward_code": [
        ("prev_h, prev_c = lstm_step_forward(x_t, prev_h, prev_c, Wx, Wh, b)",
         "prev_h, prev_c = lstm_step_forward(x_t, prev_h, tf.zeros_like(h0), Wx, Wh, b)")]},
    "forward: h0 ignored": {"lstm_forward_code": [
        ("prev_h, prev_c = h0, tf.zeros_like(h0)", "prev_h, prev_c = tf.zeros_like(h0), tf.zeros_like(h0)")]},
    "forward: c0 = h0": {"lstm_forward_code": [
        ("prev_h, prev_c = h0, tf.zeros_like(h0)", "prev_h, prev_c = h0, h0")]},
    "forward: stack with the default axis": {"lstm_forward_code": [
        ("h, c = tf.stack(hs, axis=1), tf.stack(cs, axis=1)", "h, c = tf.stack(hs), tf.stack(cs)")]},
    "forward: steps in reverse": {"lstm_forward_code": [
        ("for x_t in tf.unstack(x, axis=1):", "for x_t in reversed(tf.unstack(x, axis=1)):")]},
    # lstm_backward
    "backward: loop forward in time": {"lstm_backward_code": [
        ("for t in reversed(range(T)):", "for t in range(T):")]},
    "backward: cell gradient not carried": {"lstm_backward_code": [
        ("dh[:, t] + dprev_h, dprev_c, x[:, t]", "dh[:, t] + dprev_h, tf.zeros_like(h0), x[:, t]")]},
    "backward: hidden gradient not carried": {"lstm_backward_code": [
        ("dh[:, t] + dprev_h, dprev_c", "dh[:, t], dprev_c")]},
    "backward: prev_c is this step's c": {"lstm_backward_code": [
        ("prev_c = c[:, t - 1] if t > 0 else tf.zeros_like(h0)", "prev_c = c[:, t]")]},
    # LSTM layer, lstm_weights_to_keras
    "layer: zero biases (no forget bias of one)": {"lstm_layer_code": [
        ("initializer=forget_bias_initializer", 'initializer="zeros"')]},
    "layer: initial_state ignored": {"lstm_layer_code": [
        ("        if initial_state is None:\n            initial_state = tf.zeros(",
         "        initial_state = tf.zeros(")]},
    "to_keras: no reordering": {"lstm_weights_to_keras_code": [
        ("return tf.concat([i, f, g, o], axis=-1)", "return tf.concat([i, f, o, g], axis=-1)")]},
    "to_keras: g and f swapped": {"lstm_weights_to_keras_code": [
        ("return tf.concat([i, f, g, o], axis=-1)", "return tf.concat([i, g, f, o], axis=-1)")]},
}

VALUE_PRESERVING = {}
