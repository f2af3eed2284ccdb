"""Known mistakes of the ``lstm`` assignment (see :mod:`autograder.mistakes`).

Each one is a text replacement on the solution; if the solution's wording changes, update the
``replace`` pairs here (``tests/autograder/test_mutations.py`` fails when one no longer
applies). A mistake lists every unit whose values it changes, and changes a public case of
each (so that the visible check can name it too; ``python -m autograder.mistake_audit lstm
--declared`` checks both). The units that run the student's code of another unit share its
mistakes: ``lstm_forward`` runs ``lstm_step_forward``, the ``LSTM`` layer runs both,
``lstm_backward`` runs ``lstm_step_backward``. ``gradient_flow`` runs Keras's own layers, so
it shares none.
"""

from autograder.mistakes import Mistake

_SPLIT = "a_i, a_f, a_o, a_g = tf.split(a, 4, axis=1)"
_STEP_UNITS = ["lstm_step_forward", "lstm_forward", "lstm_layer"]
_FORWARD_UNITS = ["lstm_forward", "lstm_layer"]
_GRU_UNITS = ["gru_step_forward", "gru_forward", "gru_layer"]

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
    # gradient_flow ---------------------------------------------------------------------------
    Mistake(
        title="the norms are squared: each is the square root of the sum of squares of dL/dx_t "
              "(tf.sqrt, or tf.norm)",
        cell="gradient_flow_code",
        replace=[("norms = tf.sqrt(tf.reduce_sum(dx**2, axis=[0, 2]))",
                  "norms = tf.reduce_sum(tf.square(dx), axis=[0, 2])")],
        units=["gradient_flow"],
    ),
    Mistake(
        title="the loss sums the outputs of every step: L is the sum of the last step's output "
              "only (out[:, -1] when the output is 3-D)",
        cell="gradient_flow_code",
        replace=[("last = out[:, -1] if len(out.shape) == 3 else out", "last = out")],
        units=["gradient_flow"],
    ),
    Mistake(
        title="the loss averages the last step's output: L is its sum (tf.reduce_sum)",
        cell="gradient_flow_code",
        replace=[("loss = tf.reduce_sum(last)", "loss = tf.reduce_mean(last)")],
        units=["gradient_flow"],
    ),
    Mistake(
        title="the norm is taken over time and features: take it over the batch and the "
              "features (axes 0 and 2), one norm per step",
        cell="gradient_flow_code",
        replace=[("axis=[0, 2]", "axis=[1, 2]")],
        units=["gradient_flow"],
    ),
    # lstm_step_forward -----------------------------------------------------------------------
    Mistake(
        title="the candidate g goes through a sigmoid: it is tanh(a_g) (only i, f and o are "
              "sigmoids)",
        cell="lstm_step_forward_code",
        replace=[("tf.tanh(a_g)", "tf.sigmoid(a_g)")],
        units=_STEP_UNITS,
    ),
    Mistake(
        title="the forget gate is not applied: next_c = f * prev_c + i * g",
        cell="lstm_step_forward_code",
        replace=[("next_c = f * prev_c + i * g", "next_c = prev_c + i * g")],
        units=_STEP_UNITS,
    ),
    # lstm_step_backward ----------------------------------------------------------------------
    Mistake(
        title="the upstream cell gradient is dropped: dc = dnext_c + dnext_h * o * "
              "(1 - tanh(next_c)**2) starts with dnext_c",
        cell="lstm_step_backward_code",
        replace=[("dc = dnext_c + dnext_h * o * (1 - tanh_c**2)",
                  "dc = dnext_h * o * (1 - tanh_c**2)")],
        units=["lstm_step_backward", "lstm_backward"],
    ),
    Mistake(
        title="the forget gate's sigmoid derivative is written 1 - f: it is f * (1 - f)",
        cell="lstm_step_backward_code",
        replace=[("df * f * (1 - f)", "df * (1 - f)")],
        units=["lstm_step_backward", "lstm_backward"],
    ),
    Mistake(
        title="dprev_c is missing the forget gate: next_c = f * prev_c + i * g, so "
              "dprev_c = dc * f",
        cell="lstm_step_backward_code",
        replace=[("dprev_c = dc * f", "dprev_c = dc")],
        units=["lstm_step_backward", "lstm_backward"],
    ),
    Mistake(
        title="the candidate's tanh derivative is missing: the gradient through g = tanh(a_g) "
              "is dg * (1 - g**2)",
        cell="lstm_step_backward_code",
        replace=[("dg * (1 - g**2)", "dg")],
        units=["lstm_step_backward", "lstm_backward"],
    ),
    Mistake(
        title="the output gate's gradient is taken from dc: o only multiplies tanh(next_c) in "
              "next_h, so do = dnext_h * tanh(next_c)",
        cell="lstm_step_backward_code",
        replace=[("dnext_h * tanh_c, dc * i", "dc * tanh_c, dc * i")],
        units=["lstm_step_backward", "lstm_backward"],
    ),
    Mistake(
        title="db is averaged over the batch: the bias is shared by every row, so db sums da "
              "over axis 0",
        cell="lstm_step_backward_code",
        replace=[("db = tf.reduce_sum(da, axis=0)", "db = tf.reduce_mean(da, axis=0)")],
        units=["lstm_step_backward", "lstm_backward"],
    ),
    # lstm_forward ----------------------------------------------------------------------------
    Mistake(
        title="the cell state is not carried: each step must start from the previous step's "
              "next_c, not from zeros",
        cell="lstm_forward_code",
        replace=[("prev_h, prev_c = lstm_step_forward(x_t, prev_h, prev_c, Wx, Wh, b)",
                  "prev_h, prev_c = lstm_step_forward(x_t, prev_h, tf.zeros_like(h0), Wx, Wh, b)")],
        units=_FORWARD_UNITS,
    ),
    Mistake(
        title="h0 is ignored: the hidden state starts at h0 (only the cell state starts at zero)",
        cell="lstm_forward_code",
        replace=[("prev_h, prev_c = h0, tf.zeros_like(h0)",
                  "prev_h, prev_c = tf.zeros_like(h0), tf.zeros_like(h0)")],
        units=_FORWARD_UNITS,
    ),
    Mistake(
        title="the cell state starts at h0: only h starts at h0, the cell state c0 is zeros",
        cell="lstm_forward_code",
        replace=[("prev_h, prev_c = h0, tf.zeros_like(h0)", "prev_h, prev_c = h0, h0")],
        units=_FORWARD_UNITS,
    ),
    Mistake(
        title="the states are stacked along axis 0, giving (T, N, H): stack them along axis 1 "
              "for (N, T, H)",
        cell="lstm_forward_code",
        replace=[("h, c = tf.stack(hs, axis=1), tf.stack(cs, axis=1)",
                  "h, c = tf.stack(hs), tf.stack(cs)")],
        units=_FORWARD_UNITS,
    ),
    Mistake(
        title="the loop runs backwards in time: step through x[:, 0], x[:, 1], ... in order",
        cell="lstm_forward_code",
        replace=[("for x_t in tf.unstack(x, axis=1):",
                  "for x_t in reversed(tf.unstack(x, axis=1)):")],
        units=_FORWARD_UNITS,
    ),
    # lstm_backward ---------------------------------------------------------------------------
    Mistake(
        title="backpropagation runs forward in time: loop t = T-1 down to 0 "
              "(reversed(range(T)))",
        cell="lstm_backward_code",
        replace=[("for t in reversed(range(T)):", "for t in range(T):")],
        units=["lstm_backward"],
    ),
    Mistake(
        title="the hidden-state gradient is not carried: step t gets dh[:, t] plus the dprev_h "
              "of step t+1",
        cell="lstm_backward_code",
        replace=[("dh[:, t] + dprev_h, dprev_c", "dh[:, t], dprev_c")],
        units=["lstm_backward"],
    ),
    Mistake(
        title="step t's previous cell state is its own c[:, t]: it is c[:, t-1] (zeros at t = 0)",
        cell="lstm_backward_code",
        replace=[("prev_c = c[:, t - 1] if t > 0 else tf.zeros_like(h0)", "prev_c = c[:, t]")],
        units=["lstm_backward"],
    ),
    # LSTM layer, lstm_weights_to_keras -------------------------------------------------------
    Mistake(
        title="initial_state is ignored: start from zeros only when initial_state is None",
        cell="lstm_layer_code",
        replace=[("        if initial_state is None:\n            initial_state = tf.zeros(",
                  "        initial_state = tf.zeros(")],
        units=["lstm_layer"],
    ),
    Mistake(
        title="the biases start at zero: the forget gate's block starts at one "
              "(initializer=forget_bias_initializer)",
        cell="lstm_layer_code",
        replace=[("initializer=forget_bias_initializer", 'initializer="zeros"')],
        units=["lstm_layer"],
    ),
    Mistake(
        title="the gates are not reordered: Keras wants the blocks (i, f, c, o) with c = g, "
              "ours are (i, f, o, g)",
        cell="lstm_weights_to_keras_code",
        replace=[("return tf.concat([i, f, g, o], axis=-1)", "return tf.concat([i, f, o, g], axis=-1)")],
        units=["lstm_weights_to_keras"],
    ),
    Mistake(
        title="the blocks are in the order (i, g, f, o): Keras wants (i, f, c, o) with c = g",
        cell="lstm_weights_to_keras_code",
        replace=[("return tf.concat([i, f, g, o], axis=-1)", "return tf.concat([i, g, f, o], axis=-1)")],
        units=["lstm_weights_to_keras"],
    ),
    # The GRU.
    Mistake(
        title="the GRU's gates are in the wrong order: the blocks of Wx, Wh and b are z, r, n "
              "(update gate, reset gate, candidate), in that order",
        cell="gru_step_forward_code",
        replace=[("x_z, x_r, x_n = tf.split(x @ Wx + b, 3, axis=1)",
                  "x_r, x_z, x_n = tf.split(x @ Wx + b, 3, axis=1)"),
                 ("h_z, h_r, h_n = tf.split(prev_h @ Wh, 3, axis=1)",
                  "h_r, h_z, h_n = tf.split(prev_h @ Wh, 3, axis=1)")],
        units=_GRU_UNITS,
    ),
    Mistake(
        title="the reset gate is applied before the hidden matrix product (the 2014 paper's "
              "form, Keras's reset_after=False): this notebook's candidate is "
              "tanh(x Wx_n + b_n + r * (prev_h Wh_n))",
        cell="gru_step_forward_code",
        replace=[("n = tf.tanh(x_n + r * h_n)",
                  "n = tf.tanh(x_n + (r * prev_h) @ tf.split(Wh, 3, axis=1)[2])")],
        units=_GRU_UNITS,
    ),
    Mistake(
        title="the update gate's roles are swapped: z keeps the old state, "
              "next_h = z * prev_h + (1 - z) * n (Keras's convention)",
        cell="gru_step_forward_code",
        replace=[("next_h = z * prev_h + (1 - z) * n", "next_h = (1 - z) * prev_h + z * n")],
        units=_GRU_UNITS,
    ),
    Mistake(
        title="the reset gate is missing from the candidate: n = tanh(x Wx_n + b_n + r * (prev_h Wh_n))",
        cell="gru_step_forward_code",
        replace=[("n = tf.tanh(x_n + r * h_n)", "n = tf.tanh(x_n + h_n)")],
        units=_GRU_UNITS,
    ),
    Mistake(
        title="the GRU's hidden product gets the same gradient as the input product: in the n "
              "block, da_h is r * da_n (the reset gate multiplies prev_h Wh_n)",
        cell="gru_step_backward_code",
        replace=[("da_h = tf.concat([da_z, da_r, r * da_n], axis=1)", "da_h = da_x")],
        units=["gru_step_backward"],
    ),
    Mistake(
        title="the direct path of the GRU's gradient is missing: dprev_h gets dnext_h * z "
              "besides da_h @ Wh^T",
        cell="gru_step_backward_code",
        replace=[("dprev_h = dnext_h * z + da_h @ tf.transpose(Wh)",
                  "dprev_h = da_h @ tf.transpose(Wh)")],
        units=["gru_step_backward"],
    ),
    Mistake(
        title="the update gate's gradient has the wrong sign: dz = dnext_h * (prev_h - n)",
        cell="gru_step_backward_code",
        replace=[("dz = dnext_h * (prev_h - n)", "dz = dnext_h * (n - prev_h)")],
        units=["gru_step_backward"],
    ),
    Mistake(
        title="the bias is in Keras's recurrent row: our b sits outside the reset gate, so it "
              "is the input bias, row 0 of the (2, 3H) bias (the recurrent row is zero)",
        cell="gru_weights_to_keras_code",
        replace=[("bias = tf.stack([b, tf.zeros_like(b)])", "bias = tf.stack([tf.zeros_like(b), b])")],
        units=["gru_weights_to_keras"],
    ),
]
