'''The false-failure corpus of ``lstm``: correct code written differently from the solution.

Every alternative was written from the release notebook's docstrings and markdown
(``assignments/lstm/lstm.ipynb``), not from the solution. ``SUBMISSIONS`` maps a submission
name to {solution cell grade_id: the whole cell's source}; cells not listed are taken from the
solution. Every submission must get full marks (``tests/adversarial/test_alternatives.py``).
Each graded unit's code is its ``<unit>_code`` cell (``lstm_layer_code`` holds ``LSTM`` and
the given ``forget_bias_initializer``), so no ``UNIT_CELLS`` mapping is needed.

- ``SPLIT_EINSUM`` (``split_einsum``): einsum against ``@``, the gates with ``tf.split``,
  Python loops over ``tf.unstack`` (forward) and ``reversed(range(T))`` (BPTT, filling a list
  by index), the gradient-flow norm as ``sqrt(einsum("ntd,ntd->t", g, g))`` with the output's
  rank from ``len(out.shape)``, the layer's state zeros from ``tf.shape(x)``, the conversion
  with ``tf.split`` and ``tf.concat``.
- ``KERAS_OPS`` (``keras_ops``): ``keras.ops`` against ``tf`` (``sigmoid``, ``tanh``,
  ``concatenate``, ``zeros``), the gates by slicing ``a[:, k*H:(k+1)*H]``, a hand-written
  sigmoid ``1 / (1 + exp(-a))`` in the step backward, the sequence forward and BPTT as
  ``tf.while_loop``s over ``TensorArray``s, ``LSTM``'s ``Wh`` and ``b`` created in
  ``__init__`` (their shapes do not depend on ``D``) with initializer objects and ``Wx`` in
  ``build``, ``gradient_flow`` with ``output_gradients`` of ones instead of a summed loss and
  ``tf.norm(..., axis=[0, 2])``, the conversion by slicing and ``keras.ops.concatenate``. GRU:
  the same with ``keras.ops`` and slices, a hand-written sigmoid in the step backward, the
  forward as a ``tf.while_loop``, ``Wh`` and ``b`` created in ``__init__``, the bias by
  ``keras.ops.stack``.
- ``FLOAT64`` (``float64``): float64 inside and cast back (step forward under
  ``tf.function``, step backward, the layer running ``lstm_forward`` in float64, the gradient
  norms), ``tf.scan`` over time-major inputs carrying ``(h, c)``, a vectorised BPTT (the loop
  only carries the state gradients; the gates of all steps are recomputed at once and the
  input and weight gradients are one einsum each), ``gradient_flow``'s tape inside a
  ``tf.function`` with the rank from ``out.shape.rank``, the conversion as one ``tf.gather``
  of a column permutation (and a reshape to ``(..., 4, H)`` for the bias). GRU: float64 inside
  (the step under ``tf.function``, gates by reshaping to ``(N, 3, H)``), ``tf.scan``, the layer
  in float64, the conversion's bias by ``tf.pad``.
'''

SPLIT_EINSUM = {
    "gradient_flow_code": """
def gradient_flow(layer, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = layer(x)
        last = out[:, -1, :] if len(out.shape) == 3 else out
        loss = tf.reduce_sum(last)
    g = tape.gradient(loss, x)
    return tf.sqrt(tf.einsum("ntd,ntd->t", g, g))
""",
    "lstm_step_forward_code": """
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    a = tf.einsum("nd,dg->ng", x, Wx) + tf.einsum("nh,hg->ng", prev_h, Wh) + b
    a_i, a_f, a_o, a_g = tf.split(a, 4, axis=-1)
    next_c = tf.sigmoid(a_f) * prev_c + tf.sigmoid(a_i) * tf.tanh(a_g)
    next_h = tf.sigmoid(a_o) * tf.tanh(next_c)
    return next_h, next_c
""",
    "lstm_step_backward_code": """
def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
    a = tf.einsum("nd,dg->ng", x, Wx) + tf.einsum("nh,hg->ng", prev_h, Wh) + b
    a_i, a_f, a_o, a_g = tf.split(a, 4, axis=1)
    i, f, o, g = tf.sigmoid(a_i), tf.sigmoid(a_f), tf.sigmoid(a_o), tf.tanh(a_g)
    tanh_c = tf.tanh(f * prev_c + i * g)
    dc = dnext_c + dnext_h * o * (1 - tanh_c * tanh_c)
    da = tf.concat([dc * g * i * (1 - i),
                    dc * prev_c * f * (1 - f),
                    dnext_h * tanh_c * o * (1 - o),
                    dc * i * (1 - g * g)], axis=1)
    dx = tf.einsum("ng,dg->nd", da, Wx)
    dprev_h = tf.einsum("ng,hg->nh", da, Wh)
    dWx = tf.einsum("nd,ng->dg", x, da)
    dWh = tf.einsum("nh,ng->hg", prev_h, da)
    db = tf.einsum("ng->g", da)
    return dx, dprev_h, dc * f, dWx, dWh, db
""",
    "lstm_forward_code": """
def lstm_forward(x, h0, Wx, Wh, b, return_cells=False):
    hs, cs = [], []
    h, c = h0, tf.zeros_like(h0)
    for x_t in tf.unstack(x, axis=1):
        h, c = lstm_step_forward(x_t, h, c, Wx, Wh, b)
        hs.append(h)
        cs.append(c)
    h, c = tf.stack(hs, axis=1), tf.stack(cs, axis=1)
    if return_cells:
        return h, c
    return h
""",
    "lstm_backward_code": """
def lstm_backward(dh, h, c, x, h0, Wx, Wh, b):
    T = x.shape[1]
    dxs = [None] * T
    dprev_h, dprev_c = tf.zeros_like(h0), tf.zeros_like(h0)
    dWx, dWh, db = tf.zeros_like(Wx), tf.zeros_like(Wh), tf.zeros_like(b)
    for t in reversed(range(T)):
        prev_h = h[:, t - 1, :] if t else h0
        prev_c = c[:, t - 1, :] if t else tf.zeros_like(h0)
        dxs[t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t, :] + dprev_h, dprev_c, x[:, t, :], prev_h, prev_c, Wx, Wh, b)
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return tf.stack(dxs, axis=1), dprev_h, dWx, dWh, db
""",
    "lstm_layer_code": """
def forget_bias_initializer(shape, dtype=None):
    \"\"\"Biases `(4H,)` that are zero except for the forget gate's block, which is one.\"\"\"
    H = shape[0] // 4
    return tf.concat([tf.zeros([H], dtype), tf.ones([H], dtype), tf.zeros([2 * H], dtype)], 0)


class LSTM(keras.layers.Layer):
    def __init__(self, units, return_sequences=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Expected `units` to be a positive integer. Received: {units!r}")
        self.units = units
        self.return_sequences = return_sequences

    def build(self, input_shape):
        D, H = input_shape[-1], self.units
        self.Wx = self.add_weight(name="Wx", shape=(D, 4 * H), initializer="glorot_uniform")
        self.Wh = self.add_weight(name="Wh", shape=(H, 4 * H), initializer="orthogonal")
        self.b = self.add_weight(name="b", shape=(4 * H,), initializer=forget_bias_initializer)

    def call(self, x, initial_state=None):
        if initial_state is None:
            initial_state = tf.zeros(tf.stack([tf.shape(x)[0], self.units]), dtype=x.dtype)
        h = lstm_forward(x, initial_state, self.Wx, self.Wh, self.b)
        return h if self.return_sequences else h[:, -1]

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.units)
        return (input_shape[0], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, return_sequences=self.return_sequences)
        return config
""",
    "lstm_weights_to_keras_code": """
def lstm_weights_to_keras(Wx, Wh, b):
    def reorder(w):
        i, f, o, g = tf.split(w, 4, axis=-1)
        return tf.concat([i, f, g, o], axis=-1)

    return reorder(Wx), reorder(Wh), reorder(b)
""",
    "gru_step_forward_code": """
def gru_step_forward(x, prev_h, Wx, Wh, b):
    a_x = tf.einsum("nd,dg->ng", x, Wx) + b
    a_h = tf.einsum("nh,hg->ng", prev_h, Wh)
    x_z, x_r, x_n = tf.split(a_x, 3, axis=-1)
    h_z, h_r, h_n = tf.split(a_h, 3, axis=-1)
    z, r = tf.sigmoid(x_z + h_z), tf.sigmoid(x_r + h_r)
    n = tf.tanh(x_n + r * h_n)
    return n + z * (prev_h - n)
""",
    "gru_step_backward_code": """
def gru_step_backward(dnext_h, x, prev_h, Wx, Wh, b):
    x_z, x_r, x_n = tf.split(tf.einsum("nd,dg->ng", x, Wx) + b, 3, axis=1)
    h_z, h_r, h_n = tf.split(tf.einsum("nh,hg->ng", prev_h, Wh), 3, axis=1)
    z, r = tf.sigmoid(x_z + h_z), tf.sigmoid(x_r + h_r)
    n = tf.tanh(x_n + r * h_n)
    dn_pre = dnext_h * (1 - z) * (1 - n * n)
    dz_pre = dnext_h * (prev_h - n) * z * (1 - z)
    dr_pre = dn_pre * h_n * r * (1 - r)
    dax = tf.concat([dz_pre, dr_pre, dn_pre], axis=1)
    dah = tf.concat([dz_pre, dr_pre, dn_pre * r], axis=1)
    dx = tf.einsum("ng,dg->nd", dax, Wx)
    dprev_h = tf.einsum("ng,hg->nh", dah, Wh) + z * dnext_h
    return (dx, dprev_h, tf.einsum("nd,ng->dg", x, dax), tf.einsum("nh,ng->hg", prev_h, dah),
            tf.einsum("ng->g", dax))
""",
    "gru_forward_code": """
def gru_forward(x, h0, Wx, Wh, b):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = gru_step_forward(x[:, t, :], h, Wx, Wh, b)
        states.append(h)
    return tf.stack(states, axis=1)
""",
    "gru_layer_code": """
class GRU(keras.layers.Layer):
    def __init__(self, units, return_sequences=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Expected `units` to be a positive integer. Received: {units!r}")
        self.units = units
        self.return_sequences = return_sequences

    def build(self, input_shape):
        D, H = input_shape[-1], self.units
        self.Wx = self.add_weight(name="Wx", shape=(D, 3 * H), initializer="glorot_uniform")
        self.Wh = self.add_weight(name="Wh", shape=(H, 3 * H), initializer="orthogonal")
        self.b = self.add_weight(name="b", shape=(3 * H,), initializer="zeros")

    def call(self, x, initial_state=None):
        h0 = initial_state
        if h0 is None:
            h0 = tf.zeros(tf.stack([tf.shape(x)[0], self.units]), dtype=x.dtype)
        h = gru_forward(x, h0, self.Wx, self.Wh, self.b)
        return h if self.return_sequences else h[:, -1]

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.units)
        return (input_shape[0], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, return_sequences=self.return_sequences)
        return config
""",
    "gru_weights_to_keras_code": """
def gru_weights_to_keras(Wx, Wh, b):
    # Same gate order as Keras (z, r, h); b is the input bias, row 0; no recurrent bias.
    return Wx, Wh, tf.concat([b[None, :], tf.zeros_like(b)[None, :]], axis=0)
""",
}

KERAS_OPS = {
    "gradient_flow_code": """
def gradient_flow(layer, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = layer(x)
        if keras.ops.ndim(out) == 3:
            out = out[:, -1, :]
    # The gradient of sum(out) is the gradient of out against an upstream of ones.
    g = tape.gradient(out, x, output_gradients=keras.ops.ones_like(out))
    return tf.norm(g, ord="euclidean", axis=[0, 2])
""",
    "lstm_step_forward_code": """
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[-1]
    a = keras.ops.matmul(x, Wx) + keras.ops.matmul(prev_h, Wh) + b
    i = keras.ops.sigmoid(a[:, :H])
    f = keras.ops.sigmoid(a[:, H:2 * H])
    o = keras.ops.sigmoid(a[:, 2 * H:3 * H])
    g = keras.ops.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    return o * keras.ops.tanh(next_c), next_c
""",
    "lstm_step_backward_code": """
def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
    ops = keras.ops
    H = ops.shape(prev_h)[-1]
    a = ops.matmul(x, Wx) + ops.matmul(prev_h, Wh) + b
    sigmoid = lambda z: 1 / (1 + ops.exp(-z))
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
    g = ops.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    tau = ops.tanh(next_c)
    do = dnext_h * tau
    dc = dnext_c + dnext_h * o * (1 - ops.square(tau))
    da_i = (dc * g) * i * (1 - i)
    da_f = (dc * prev_c) * f * (1 - f)
    da_o = do * o * (1 - o)
    da_g = (dc * i) * (1 - ops.square(g))
    da = ops.concatenate([da_i, da_f, da_o, da_g], axis=1)
    dx = ops.matmul(da, ops.transpose(Wx))
    dprev_h = ops.matmul(da, ops.transpose(Wh))
    dWx = ops.matmul(ops.transpose(x), da)
    dWh = ops.matmul(ops.transpose(prev_h), da)
    db = ops.sum(da, axis=0)
    return dx, dprev_h, dc * f, dWx, dWh, db
""",
    "lstm_forward_code": """
def lstm_forward(x, h0, Wx, Wh, b, return_cells=False):
    T = tf.shape(x)[1]
    hs = tf.TensorArray(x.dtype, size=T)
    cs = tf.TensorArray(x.dtype, size=T)

    def body(t, h, c, hs, cs):
        h, c = lstm_step_forward(x[:, t, :], h, c, Wx, Wh, b)
        return t + 1, h, c, hs.write(t, h), cs.write(t, c)

    _, _, _, hs, cs = tf.while_loop(lambda t, *state: t < T, body,
                                    (tf.constant(0), h0, keras.ops.zeros_like(h0), hs, cs))
    h = tf.transpose(hs.stack(), [1, 0, 2])
    c = tf.transpose(cs.stack(), [1, 0, 2])
    return (h, c) if return_cells else h
""",
    "lstm_backward_code": """
def lstm_backward(dh, h, c, x, h0, Wx, Wh, b):
    T = tf.shape(x)[1]
    zeros = keras.ops.zeros_like(h0)
    prev_hs = keras.ops.concatenate([h0[:, None, :], h[:, :-1, :]], axis=1)
    prev_cs = keras.ops.concatenate([zeros[:, None, :], c[:, :-1, :]], axis=1)
    dxs = tf.TensorArray(x.dtype, size=T)

    def body(t, dprev_h, dprev_c, dWx, dWh, db, dxs):
        dx_t, dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t, :] + dprev_h, dprev_c, x[:, t, :], prev_hs[:, t, :], prev_cs[:, t, :],
            Wx, Wh, b)
        return t - 1, dprev_h, dprev_c, dWx + dWx_t, dWh + dWh_t, db + db_t, dxs.write(t, dx_t)

    start = (T - 1, zeros, zeros, keras.ops.zeros_like(Wx), keras.ops.zeros_like(Wh),
             keras.ops.zeros_like(b), dxs)
    _, dh0, _, dWx, dWh, db, dxs = tf.while_loop(lambda t, *rest: t >= 0, body, start)
    return tf.transpose(dxs.stack(), [1, 0, 2]), dh0, dWx, dWh, db
""",
    "lstm_layer_code": """
def forget_bias_initializer(shape, dtype=None):
    \"\"\"Biases `(4H,)` that are zero except for the forget gate's block, which is one.\"\"\"
    H = shape[0] // 4
    return tf.concat([tf.zeros([H], dtype), tf.ones([H], dtype), tf.zeros([2 * H], dtype)], 0)


class LSTM(keras.layers.Layer):
    def __init__(self, units, return_sequences=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Expected `units` to be a positive integer. Received: {units!r}")
        self.units = units
        self.return_sequences = return_sequences
        # Wh and b do not depend on the input size: created now; Wx waits for build.
        self.Wh = self.add_weight(shape=(units, 4 * units), name="Wh",
                                  initializer=keras.initializers.Orthogonal())
        self.b = self.add_weight(shape=(4 * units,), name="b",
                                 initializer=forget_bias_initializer)

    def build(self, input_shape):
        self.Wx = self.add_weight(shape=(input_shape[-1], 4 * self.units), name="Wx",
                                  initializer=keras.initializers.GlorotUniform())

    def call(self, x, initial_state=None):
        h0 = initial_state
        if h0 is None:
            h0 = keras.ops.zeros((keras.ops.shape(x)[0], self.units), dtype=x.dtype)
        h = lstm_forward(x, h0, self.Wx, self.Wh, self.b)
        return h if self.return_sequences else h[:, -1]

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.units)
        return (input_shape[0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "return_sequences": self.return_sequences}
""",
    "lstm_weights_to_keras_code": """
def lstm_weights_to_keras(Wx, Wh, b):
    H = Wx.shape[-1] // 4

    def reorder(w):
        i, f, o, g = (w[..., k * H:(k + 1) * H] for k in range(4))
        return keras.ops.concatenate([i, f, g, o], axis=-1)

    return reorder(Wx), reorder(Wh), reorder(b)
""",
    "gru_step_forward_code": """
def gru_step_forward(x, prev_h, Wx, Wh, b):
    ops = keras.ops
    H = ops.shape(prev_h)[-1]
    a_x = ops.matmul(x, Wx) + b
    a_h = ops.matmul(prev_h, Wh)
    z = ops.sigmoid(a_x[:, :H] + a_h[:, :H])
    r = ops.sigmoid(a_x[:, H:2 * H] + a_h[:, H:2 * H])
    n = ops.tanh(a_x[:, 2 * H:] + r * a_h[:, 2 * H:])
    return z * prev_h + (1 - z) * n
""",
    "gru_step_backward_code": """
def gru_step_backward(dnext_h, x, prev_h, Wx, Wh, b):
    ops = keras.ops
    H = ops.shape(prev_h)[-1]
    sigmoid = lambda v: 1 / (1 + ops.exp(-v))
    a_x = ops.matmul(x, Wx) + b
    a_h = ops.matmul(prev_h, Wh)
    z = sigmoid(a_x[:, :H] + a_h[:, :H])
    r = sigmoid(a_x[:, H:2 * H] + a_h[:, H:2 * H])
    hn = a_h[:, 2 * H:]
    n = ops.tanh(a_x[:, 2 * H:] + r * hn)
    dz = dnext_h * prev_h - dnext_h * n
    dn = dnext_h - dnext_h * z
    dpre_n = dn * (1 - ops.square(n))
    dpre_r = dpre_n * hn * r * (1 - r)
    dpre_z = dz * z * (1 - z)
    d_ax = ops.concatenate([dpre_z, dpre_r, dpre_n], axis=1)
    d_ah = ops.concatenate([dpre_z, dpre_r, r * dpre_n], axis=1)
    dx = ops.matmul(d_ax, ops.transpose(Wx))
    dprev_h = ops.matmul(d_ah, ops.transpose(Wh)) + dnext_h * z
    dWx = ops.matmul(ops.transpose(x), d_ax)
    dWh = ops.matmul(ops.transpose(prev_h), d_ah)
    return dx, dprev_h, dWx, dWh, ops.sum(d_ax, axis=0)
""",
    "gru_forward_code": """
def gru_forward(x, h0, Wx, Wh, b):
    T = tf.shape(x)[1]
    hs = tf.TensorArray(x.dtype, size=T)

    def body(t, h, hs):
        h = gru_step_forward(x[:, t, :], h, Wx, Wh, b)
        return t + 1, h, hs.write(t, h)

    _, _, hs = tf.while_loop(lambda t, *rest: t < T, body, (tf.constant(0), h0, hs))
    return tf.transpose(hs.stack(), [1, 0, 2])
""",
    "gru_layer_code": """
class GRU(keras.layers.Layer):
    def __init__(self, units, return_sequences=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Expected `units` to be a positive integer. Received: {units!r}")
        self.units = units
        self.return_sequences = return_sequences
        # Wh and b do not depend on the input size: created now; Wx waits for build.
        self.Wh = self.add_weight(shape=(units, 3 * units), name="Wh",
                                  initializer=keras.initializers.Orthogonal())
        self.b = self.add_weight(shape=(3 * units,), name="b",
                                 initializer=keras.initializers.Zeros())

    def build(self, input_shape):
        self.Wx = self.add_weight(shape=(input_shape[-1], 3 * self.units), name="Wx",
                                  initializer=keras.initializers.GlorotUniform())

    def call(self, x, initial_state=None):
        h0 = initial_state
        if h0 is None:
            h0 = keras.ops.zeros((keras.ops.shape(x)[0], self.units), dtype=x.dtype)
        h = gru_forward(x, h0, self.Wx, self.Wh, self.b)
        return h if self.return_sequences else h[:, -1]

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.units)
        return (input_shape[0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "return_sequences": self.return_sequences}
""",
    "gru_weights_to_keras_code": """
def gru_weights_to_keras(Wx, Wh, b):
    H = Wx.shape[-1] // 3
    kernel = keras.ops.concatenate([Wx[:, k * H:(k + 1) * H] for k in range(3)], axis=-1)
    recurrent = keras.ops.concatenate([Wh[:, k * H:(k + 1) * H] for k in range(3)], axis=-1)
    return kernel, recurrent, keras.ops.stack([b, keras.ops.zeros_like(b)], axis=0)
""",
}

FLOAT64 = {
    "gradient_flow_code": """
def gradient_flow(layer, x):
    @tf.function
    def input_gradient(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            out = layer(x)
            if out.shape.rank == 3:
                out = out[:, -1, :]
            total = tf.reduce_sum(out)
        return tape.gradient(total, x)

    g = tf.cast(input_gradient(x), tf.float64)
    return tf.cast(tf.sqrt(tf.reduce_sum(g * g, axis=[0, 2])), x.dtype)
""",
    "lstm_step_forward_code": """
@tf.function
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    dtype = x.dtype
    x, prev_h, prev_c, Wx, Wh, b = (tf.cast(v, tf.float64) for v in (x, prev_h, prev_c, Wx, Wh, b))
    a = x @ Wx + prev_h @ Wh + b
    H = tf.shape(prev_h)[1]
    i = tf.sigmoid(a[:, :H])
    f = tf.sigmoid(a[:, H:2 * H])
    o = tf.sigmoid(a[:, 2 * H:3 * H])
    g = tf.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * tf.tanh(next_c)
    return tf.cast(next_h, dtype), tf.cast(next_c, dtype)
""",
    "lstm_step_backward_code": """
def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
    dtype = x.dtype
    dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b = (
        tf.cast(v, tf.float64) for v in (dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b))
    gates = tf.reshape(x @ Wx + prev_h @ Wh + b, [tf.shape(x)[0], 4, -1])
    i, f, o = (tf.sigmoid(gates[:, k]) for k in range(3))
    g = tf.tanh(gates[:, 3])
    tau = tf.tanh(f * prev_c + i * g)
    dc = dnext_c + dnext_h * o * (1 - tau**2)
    da = tf.reshape(tf.stack([dc * g * i * (1 - i), dc * prev_c * f * (1 - f),
                              dnext_h * tau * o * (1 - o), dc * i * (1 - g**2)], axis=1),
                    [tf.shape(x)[0], -1])
    grads = (tf.matmul(da, Wx, transpose_b=True), tf.matmul(da, Wh, transpose_b=True), dc * f,
             tf.matmul(x, da, transpose_a=True), tf.matmul(prev_h, da, transpose_a=True),
             tf.reduce_sum(da, axis=0))
    return tuple(tf.cast(v, dtype) for v in grads)
""",
    "lstm_forward_code": """
def lstm_forward(x, h0, Wx, Wh, b, return_cells=False):
    def step(state, x_t):
        prev_h, prev_c = state
        return lstm_step_forward(x_t, prev_h, prev_c, Wx, Wh, b)

    hs, cs = tf.scan(step, tf.transpose(x, [1, 0, 2]), initializer=(h0, tf.zeros_like(h0)))
    h, c = tf.transpose(hs, [1, 0, 2]), tf.transpose(cs, [1, 0, 2])
    if return_cells:
        return h, c
    return h
""",
    "lstm_backward_code": """
def lstm_backward(dh, h, c, x, h0, Wx, Wh, b):
    # Vectorised BPTT: the gates of every step at once, a loop that only carries the state
    # gradients back, then one product per input and weight gradient over all steps.
    T = x.shape[1]
    prev_h = tf.concat([h0[:, None], h[:, :-1]], axis=1)
    prev_c = tf.concat([tf.zeros_like(h0)[:, None], c[:, :-1]], axis=1)
    a = tf.einsum("ntd,dg->ntg", x, Wx) + tf.einsum("nth,hg->ntg", prev_h, Wh) + b
    a_i, a_f, a_o, a_g = tf.split(a, 4, axis=2)
    i, f, o, g = tf.sigmoid(a_i), tf.sigmoid(a_f), tf.sigmoid(a_o), tf.tanh(a_g)
    tau = tf.tanh(c)
    das = [None] * T
    dnext_h, dnext_c = tf.zeros_like(h0), tf.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        dh_t = dh[:, t] + dnext_h
        dc = dnext_c + dh_t * o[:, t] * (1 - tau[:, t] ** 2)
        das[t] = tf.concat([dc * g[:, t] * i[:, t] * (1 - i[:, t]),
                            dc * prev_c[:, t] * f[:, t] * (1 - f[:, t]),
                            dh_t * tau[:, t] * o[:, t] * (1 - o[:, t]),
                            dc * i[:, t] * (1 - g[:, t] ** 2)], axis=1)
        dnext_h = das[t] @ tf.transpose(Wh)
        dnext_c = dc * f[:, t]
    da = tf.stack(das, axis=1)
    dx = tf.einsum("ntg,dg->ntd", da, Wx)
    dWx = tf.einsum("ntd,ntg->dg", x, da)
    dWh = tf.einsum("nth,ntg->hg", prev_h, da)
    db = tf.reduce_sum(da, axis=[0, 1])
    return dx, dnext_h, dWx, dWh, db
""",
    "lstm_layer_code": """
def forget_bias_initializer(shape, dtype=None):
    \"\"\"Biases `(4H,)` that are zero except for the forget gate's block, which is one.\"\"\"
    H = shape[0] // 4
    return tf.concat([tf.zeros([H], dtype), tf.ones([H], dtype), tf.zeros([2 * H], dtype)], 0)


class LSTM(keras.layers.Layer):
    def __init__(self, units, return_sequences=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Expected `units` to be a positive integer. Received: {units!r}")
        self.units = units
        self.return_sequences = return_sequences

    def build(self, input_shape):
        D, H = input_shape[-1], self.units
        for name, shape, init in (("Wx", (D, 4 * H), "glorot_uniform"),
                                  ("Wh", (H, 4 * H), "orthogonal"),
                                  ("b", (4 * H,), forget_bias_initializer)):
            weight = self.add_weight(shape=shape, initializer=keras.initializers.get(init),
                                     name=name)
            setattr(self, name, weight)

    def call(self, x, initial_state=None):
        # Computed in float64, returned in the dtype of x.
        x64 = tf.cast(x, tf.float64)
        if initial_state is None:
            h0 = tf.zeros((tf.shape(x)[0], self.units), tf.float64)
        else:
            h0 = tf.cast(initial_state, tf.float64)
        h = lstm_forward(x64, h0, *(tf.cast(w, tf.float64) for w in (self.Wx, self.Wh, self.b)))
        h = tf.cast(h, x.dtype)
        return h if self.return_sequences else h[:, -1]

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.units)
        return (input_shape[0], self.units)

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        config["return_sequences"] = self.return_sequences
        return config
""",
    "lstm_weights_to_keras_code": """
def lstm_weights_to_keras(Wx, Wh, b):
    H = Wx.shape[-1] // 4
    # Keras' column j is our column order[j]: blocks i, f, g, o = ours 0, 1, 3, 2.
    order = tf.concat([tf.range(k * H, (k + 1) * H) for k in (0, 1, 3, 2)], axis=0)
    bias = tf.reshape(tf.gather(tf.reshape(b, (4, H)), [0, 1, 3, 2]), (4 * H,))
    return tf.gather(Wx, order, axis=1), tf.gather(Wh, order, axis=1), bias
""",
    "gru_step_forward_code": """
@tf.function
def gru_step_forward(x, prev_h, Wx, Wh, b):
    dtype = x.dtype
    x, prev_h, Wx, Wh, b = (tf.cast(v, tf.float64) for v in (x, prev_h, Wx, Wh, b))
    N = tf.shape(x)[0]
    a_x = tf.reshape(x @ Wx + b, [N, 3, -1])
    a_h = tf.reshape(prev_h @ Wh, [N, 3, -1])
    gates = tf.sigmoid(a_x[:, :2] + a_h[:, :2])
    z, r = gates[:, 0], gates[:, 1]
    n = tf.tanh(a_x[:, 2] + r * a_h[:, 2])
    return tf.cast((1 - z) * n + z * prev_h, dtype)
""",
    "gru_step_backward_code": """
def gru_step_backward(dnext_h, x, prev_h, Wx, Wh, b):
    dtype = x.dtype
    dnext_h, x, prev_h, Wx, Wh, b = (tf.cast(v, tf.float64)
                                     for v in (dnext_h, x, prev_h, Wx, Wh, b))
    N = tf.shape(x)[0]
    a_x = tf.reshape(x @ Wx + b, [N, 3, -1])
    a_h = tf.reshape(prev_h @ Wh, [N, 3, -1])
    z, r = tf.sigmoid(a_x[:, 0] + a_h[:, 0]), tf.sigmoid(a_x[:, 1] + a_h[:, 1])
    n = tf.tanh(a_x[:, 2] + r * a_h[:, 2])
    g_n = dnext_h * (1 - z) * (1 - n**2)
    g_z = dnext_h * (prev_h - n) * z * (1 - z)
    g_r = g_n * a_h[:, 2] * r * (1 - r)
    g_x = tf.reshape(tf.stack([g_z, g_r, g_n], axis=1), [N, -1])
    g_h = tf.reshape(tf.stack([g_z, g_r, g_n * r], axis=1), [N, -1])
    grads = (tf.matmul(g_x, Wx, transpose_b=True),
             dnext_h * z + tf.matmul(g_h, Wh, transpose_b=True),
             tf.matmul(x, g_x, transpose_a=True), tf.matmul(prev_h, g_h, transpose_a=True),
             tf.reduce_sum(g_x, axis=0))
    return tuple(tf.cast(v, dtype) for v in grads)
""",
    "gru_forward_code": """
def gru_forward(x, h0, Wx, Wh, b):
    step = lambda h, x_t: gru_step_forward(x_t, h, Wx, Wh, b)
    hs = tf.scan(step, tf.transpose(x, [1, 0, 2]), initializer=h0)
    return tf.transpose(hs, [1, 0, 2])
""",
    "gru_layer_code": """
class GRU(keras.layers.Layer):
    def __init__(self, units, return_sequences=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Expected `units` to be a positive integer. Received: {units!r}")
        self.units = units
        self.return_sequences = return_sequences

    def build(self, input_shape):
        D, H = input_shape[-1], self.units
        for name, shape, init in (("Wx", (D, 3 * H), "glorot_uniform"),
                                  ("Wh", (H, 3 * H), "orthogonal"), ("b", (3 * H,), "zeros")):
            setattr(self, name, self.add_weight(shape=shape, name=name,
                                                initializer=keras.initializers.get(init)))

    def call(self, x, initial_state=None):
        # Computed in float64, returned in the dtype of x.
        x64 = tf.cast(x, tf.float64)
        if initial_state is None:
            h0 = tf.zeros((tf.shape(x)[0], self.units), tf.float64)
        else:
            h0 = tf.cast(initial_state, tf.float64)
        h = gru_forward(x64, h0, *(tf.cast(w, tf.float64) for w in (self.Wx, self.Wh, self.b)))
        h = tf.cast(h, x.dtype)
        return h if self.return_sequences else h[:, -1]

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.units)
        return (input_shape[0], self.units)

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        config["return_sequences"] = self.return_sequences
        return config
""",
    "gru_weights_to_keras_code": """
def gru_weights_to_keras(Wx, Wh, b):
    # Row 0 of Keras's bias is the input bias (outside r): ours; row 1 is padded with zeros.
    return tf.identity(Wx), tf.identity(Wh), tf.pad(tf.reshape(b, (1, -1)), [[0, 1], [0, 0]])
""",
}

SUBMISSIONS: dict[str, dict[str, str]] = {
    "split_einsum": SPLIT_EINSUM,
    "keras_ops": KERAS_OPS,
    "float64": FLOAT64,
}

EXPECTED_FAILURES: dict[str, dict[str, str]] = {}
