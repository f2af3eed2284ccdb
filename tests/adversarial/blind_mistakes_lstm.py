"""Blind corpus of student mistakes for assignment 2 (lstm).

Written 2026-12-01 from the solution notebook (solutions/lstm/lstm.ipynb) and from what students
typically get wrong with LSTMs and GRUs, *without* seeing the declared known mistakes, the other
corpora (common mistakes, alternatives) or any of the grader's diagnoses. It exists to measure
how well the autograder names mistakes it was never tuned for.

Each entry maps a grade_id of a solution cell to plain text replacements applied to that cell's
source (every occurrence of `old` is replaced). One mistake per entry, phrased the way a student
would write it.
"""

MISTAKES = {
    # --- gradient_flow ------------------------------------------------------------------------
    "gradient_flow: loss summed over every step instead of the last one": {
        "gradient_flow_code": [
            ("last = out[:, -1] if len(out.shape) == 3 else out", "last = out"),
        ],
    },
    # --- lstm_step_forward --------------------------------------------------------------------
    "lstm_step_forward: hand-written sigmoid with np.exp (values right, no gradient)": {
        "lstm_step_forward_code": [
            ("    i, f, o, g = tf.sigmoid(a_i), tf.sigmoid(a_f), tf.sigmoid(a_o), tf.tanh(a_g)\n",
             "    sigmoid = lambda z: 1 / (1 + np.exp(-z))\n"
             "    i, f, o, g = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o), np.tanh(a_g)\n"),
        ],
    },
    "lstm_step_forward: gates split in the order i, f, g, o": {
        "lstm_step_forward_code": [
            ("a_i, a_f, a_o, a_g = tf.split(a, 4, axis=1)",
             "a_i, a_f, a_g, a_o = tf.split(a, 4, axis=1)"),
        ],
    },
    "lstm_step_forward: no tanh on the cell state in h": {
        "lstm_step_forward_code": [
            ("next_h = o * tf.tanh(next_c)", "next_h = o * next_c"),
        ],
    },
    # --- lstm_step_backward -------------------------------------------------------------------
    "lstm_step_backward: gate derivatives written with the pre-activations": {
        "lstm_step_backward_code": [
            ("da = tf.concat([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g**2)],",
             "da = tf.concat([di * a_i * (1 - a_i), df * a_f * (1 - a_f), do * a_o * (1 - a_o),"
             " dg * (1 - a_g**2)],"),
        ],
    },
    "lstm_step_backward: dprev_c from dnext_c only (the path through h forgotten)": {
        "lstm_step_backward_code": [
            ("dprev_c = dc * f", "dprev_c = dnext_c * f"),
        ],
    },
    "lstm_step_backward: gate gradients concatenated as i, f, g, o": {
        "lstm_step_backward_code": [
            ("da = tf.concat([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g**2)],",
             "da = tf.concat([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)],"),
        ],
    },
    # --- lstm_forward -------------------------------------------------------------------------
    "lstm_forward: h and c swapped when unpacking the step": {
        "lstm_forward_code": [
            ("prev_h, prev_c = lstm_step_forward(x_t, prev_h, prev_c, Wx, Wh, b)",
             "prev_c, prev_h = lstm_step_forward(x_t, prev_h, prev_c, Wx, Wh, b)"),
        ],
    },
    # --- lstm_backward ------------------------------------------------------------------------
    "lstm_backward: cell-state gradient not carried to the previous step": {
        "lstm_backward_code": [
            ("dh[:, t] + dprev_h, dprev_c, x[:, t]", "dh[:, t] + dprev_h, tf.zeros_like(h0), x[:, t]"),
        ],
    },
    "lstm_backward: previous cell state taken at t instead of t-1": {
        "lstm_backward_code": [
            ("prev_c = c[:, t - 1] if t > 0 else tf.zeros_like(h0)",
             "prev_c = c[:, t] if t > 0 else tf.zeros_like(h0)"),
        ],
    },
    # --- LSTM layer ---------------------------------------------------------------------------
    "LSTM: bias initialised to zeros (forget-gate bias of one missing)": {
        "lstm_layer_code": [
            ('initializer=forget_bias_initializer, name="b"', 'initializer="zeros", name="b"'),
        ],
    },
    # --- lstm_weights_to_keras ----------------------------------------------------------------
    "lstm_weights_to_keras: kernels reordered but the bias left as i, f, o, g": {
        "lstm_weights_to_keras_code": [
            ("kernel, recurrent_kernel, bias = reorder(Wx), reorder(Wh), reorder(b)",
             "kernel, recurrent_kernel, bias = reorder(Wx), reorder(Wh), b"),
        ],
    },
    # --- gru_step_forward ---------------------------------------------------------------------
    "gru_step_forward: z and 1 - z swapped (z weights the candidate)": {
        "gru_step_forward_code": [
            ("next_h = z * prev_h + (1 - z) * n", "next_h = (1 - z) * prev_h + z * n"),
        ],
    },
    "gru_step_forward: reset gate applied before the hidden product (paper form)": {
        "gru_step_forward_code": [
            ("    n = tf.tanh(x_n + r * h_n)\n",
             "    H = prev_h.shape[-1]\n"
             "    n = tf.tanh(x_n + (r * prev_h) @ Wh[:, 2 * H:])\n"),
        ],
    },
    # --- gru_step_backward --------------------------------------------------------------------
    "gru_step_backward: dz with the sign flipped (n - prev_h)": {
        "gru_step_backward_code": [
            ("dz = dnext_h * (prev_h - n)", "dz = dnext_h * (n - prev_h)"),
        ],
    },
    "gru_step_backward: direct path dnext_h * z missing from dprev_h": {
        "gru_step_backward_code": [
            ("dprev_h = dnext_h * z + da_h @ tf.transpose(Wh)", "dprev_h = da_h @ tf.transpose(Wh)"),
        ],
    },
    "gru_step_backward: same pre-activation gradient for both products (r left out of the n block)": {
        "gru_step_backward_code": [
            ("da_h = tf.concat([da_z, da_r, r * da_n], axis=1)", "da_h = da_x"),
        ],
    },
    # --- gru_forward --------------------------------------------------------------------------
    "gru_forward: states stacked without axis (time-first)": {
        "gru_forward_code": [
            ("h = tf.stack(hs, axis=1)", "h = tf.stack(hs)"),
        ],
    },
    # --- GRU layer ----------------------------------------------------------------------------
    "GRU: zero initial state created in the default float32": {
        "gru_layer_code": [
            ("initial_state = tf.zeros(tf.stack([tf.shape(x)[0], self.units]), dtype=x.dtype)",
             "initial_state = tf.zeros((tf.shape(x)[0], self.units))"),
        ],
    },
    # --- gru_weights_to_keras -----------------------------------------------------------------
    "gru_weights_to_keras: bias put in the recurrent row (inside the reset gate)": {
        "gru_weights_to_keras_code": [
            ("bias = tf.stack([b, tf.zeros_like(b)])", "bias = tf.stack([tf.zeros_like(b), b])"),
        ],
    },
}

VALUE_PRESERVING = {}
