"""Second blind corpus of student mistakes for assignment 2 (lstm).

Written on 2026-12-01 from the solution notebook and from what students typically get wrong,
without seeing the declared known mistakes, the other corpora or the grader's diagnoses. Each
entry is one mistake, written the way a student would write the code (their own phrasing), as
plain text replacements in the source of one graded solution cell.
"""

MISTAKES = {
    "gradient_flow: loss sums the outputs of every step, not only the last one": {
        "gradient_flow_code": [(
            "        last = out[:, -1] if len(out.shape) == 3 else out\n"
            "        loss = tf.reduce_sum(last)\n",
            "        loss = tf.reduce_sum(out)  # L = sum of the layer's output\n",
        )],
    },
    "lstm_step_forward: gates read in Keras' order i, f, g, o": {
        "lstm_step_forward_code": [(
            "    a_i, a_f, a_o, a_g = tf.split(a, 4, axis=1)\n"
            "    i, f, o, g = tf.sigmoid(a_i), tf.sigmoid(a_f), tf.sigmoid(a_o), tf.tanh(a_g)\n",
            "    H = prev_h.shape[1]\n"
            "    i = tf.sigmoid(a[:, :H])\n"
            "    f = tf.sigmoid(a[:, H:2 * H])\n"
            "    g = tf.tanh(a[:, 2 * H:3 * H])\n"
            "    o = tf.sigmoid(a[:, 3 * H:])\n",
        )],
    },
    "lstm_step_forward: tanh of the cell state missing in next_h": {
        "lstm_step_forward_code": [(
            "    next_h = o * tf.tanh(next_c)\n",
            "    next_h = o * next_c\n",
        )],
    },
    "lstm_step_backward: output gate's gradient from dc instead of dnext_h": {
        "lstm_step_backward_code": [(
            "    di, df, do, dg = dc * g, dc * prev_c, dnext_h * tanh_c, dc * i\n",
            "    di = dc * g\n"
            "    df = dc * prev_c\n"
            "    do = dc * tanh_c\n"
            "    dg = dc * i\n",
        )],
    },
    "lstm_step_backward: tanh derivative written with next_c instead of tanh(next_c)": {
        "lstm_step_backward_code": [(
            "    tanh_c = tf.tanh(f * prev_c + i * g)\n"
            "    dc = dnext_c + dnext_h * o * (1 - tanh_c**2)\n",
            "    next_c = f * prev_c + i * g\n"
            "    tanh_c = tf.tanh(next_c)\n"
            "    dc = dnext_c + dnext_h * o * (1 - next_c**2)\n",
        )],
    },
    "lstm_step_backward: dprev_c from the upstream dnext_c only (path through h dropped)": {
        "lstm_step_backward_code": [(
            "    dprev_c = dc * f\n",
            "    dprev_c = dnext_c * f\n",
        )],
    },
    "lstm_forward: initial cell state set to h0 instead of zeros": {
        "lstm_forward_code": [(
            "    prev_h, prev_c = h0, tf.zeros_like(h0)\n",
            "    prev_h = h0\n"
            "    prev_c = h0\n",
        )],
    },
    "lstm_backward: cell-state gradient not carried back (zeros at every step)": {
        "lstm_backward_code": [(
            "            dh[:, t] + dprev_h, dprev_c, x[:, t], prev_h, prev_c, Wx, Wh, b)\n",
            "            dh[:, t] + dprev_h, tf.zeros_like(dprev_c), x[:, t], prev_h, prev_c, Wx, Wh, b)\n",
        )],
    },
    "LSTM: bias initialised to zeros (forget-gate ones not used)": {
        "lstm_layer_code": [(
            "        self.b = self.add_weight(shape=(4 * H,), initializer=forget_bias_initializer, name=\"b\")\n",
            "        self.b = self.add_weight(shape=(4 * H,), initializer=\"zeros\", name=\"b\")\n",
        )],
    },
    "lstm_weights_to_keras: kernels reordered but the bias left in the order i, f, o, g": {
        "lstm_weights_to_keras_code": [(
            "    def reorder(w):\n"
            "        i, f, o, g = tf.split(w, 4, axis=-1)\n"
            "        return tf.concat([i, f, g, o], axis=-1)\n"
            "\n"
            "    kernel, recurrent_kernel, bias = reorder(Wx), reorder(Wh), reorder(b)\n",
            "    H = Wh.shape[0]\n"
            "\n"
            "    def to_keras(w):\n"
            "        return tf.concat([w[:, :2 * H], w[:, 3 * H:], w[:, 2 * H:3 * H]], axis=1)\n"
            "\n"
            "    kernel = to_keras(Wx)\n"
            "    recurrent_kernel = to_keras(Wh)\n"
            "    bias = b\n",
        )],
    },
    "gru_step_forward: reset gate applied before the hidden product (paper form)": {
        "gru_step_forward_code": [(
            "    n = tf.tanh(x_n + r * h_n)\n",
            "    Wh_n = Wh[:, 2 * prev_h.shape[1]:]\n"
            "    n = tf.tanh(x_n + tf.matmul(r * prev_h, Wh_n))\n",
        )],
    },
    "gru_step_forward: z and 1 - z swapped in the update": {
        "gru_step_forward_code": [(
            "    next_h = z * prev_h + (1 - z) * n\n",
            "    next_h = (1 - z) * prev_h + z * n\n",
        )],
    },
    "gru_step_backward: same pre-activation gradient for both products (r missing in da_h)": {
        "gru_step_backward_code": [(
            "    da_x = tf.concat([da_z, da_r, da_n], axis=1)\n"
            "    da_h = tf.concat([da_z, da_r, r * da_n], axis=1)\n",
            "    da = tf.concat([da_z, da_r, da_n], axis=1)\n"
            "    da_x, da_h = da, da\n",
        )],
    },
    "gru_step_backward: direct path dnext_h * z missing from dprev_h": {
        "gru_step_backward_code": [(
            "    dprev_h = dnext_h * z + da_h @ tf.transpose(Wh)\n",
            "    dprev_h = tf.matmul(da_h, Wh, transpose_b=True)\n",
        )],
    },
    "gru_forward: states stacked along axis 0, giving (T, N, H)": {
        "gru_forward_code": [(
            "    h = tf.stack(hs, axis=1)\n",
            "    h = tf.stack(hs)\n",
        )],
    },
    "GRU: initial_state argument ignored (always zeros)": {
        "gru_layer_code": [(
            "        if initial_state is None:\n"
            "            initial_state = tf.zeros(tf.stack([tf.shape(x)[0], self.units]), dtype=x.dtype)\n"
            "        h = gru_forward(x, initial_state, self.Wx, self.Wh, self.b)\n",
            "        h0 = tf.zeros((tf.shape(x)[0], self.units), dtype=x.dtype)\n"
            "        h = gru_forward(x, h0, self.Wx, self.Wh, self.b)\n",
        )],
    },
    "gru_weights_to_keras: bias put in the recurrent row (inside the reset gate)": {
        "gru_weights_to_keras_code": [(
            "    bias = tf.stack([b, tf.zeros_like(b)])\n",
            "    bias = tf.stack([tf.zeros_like(b), b], axis=0)\n",
        )],
    },
}

VALUE_PRESERVING = {}
