'''The false-failure corpus of ``rnn``: correct code written differently from the solution.

Every alternative was written from the release notebook's docstrings and markdown
(``assignments/rnn/rnn.ipynb``), not from the solution. A submission is a dict solution
grade_id -> the whole cell's source; cells not listed are taken from the solution. Every
submission must get full marks (``tests/adversarial/test_alternatives.py`` grades them all;
``OPS`` and ``LOOPS`` also go through the sandboxed batch of ``test_adversarial_corpus.py``).

- ``OPS`` (``ops``): einsum against matmul, ``keras.ops`` against ``tf`` ops, computing in
  float64 inside and casting back, one-hot products against gather, tensordot, the fused
  sparse cross-entropy, clipping by global norm written out (``tf.linalg.global_norm``
  and a scale).
- ``LOOPS`` (``loops``): ``tf.while_loop`` with a ``TensorArray`` against a Python loop,
  ``tf.function`` around functions (a Python loop traced into a graph), a reversed loop in
  BPTT, ``tf.boolean_mask`` and a logsumexp log-softmax in the loss.
- ``KERAS_OPS`` (``keras_ops``): every unit in ``keras.ops`` (``take``, ``einsum``,
  ``log_softmax`` with ``take_along_axis``, ``keras.ops.zeros`` states), initializer objects
  instead of strings, the stack run with ``functools.reduce``, ``CharRNN``'s weights created
  in ``__init__`` (every shape is known there), an eager ``train_step`` (no ``tf.function``)
  with ``optimizer.apply_gradients``, ``tf.split`` into chunks in ``train_tbptt`` and an eager
  ``tbptt_step``, ``take_along_axis`` for the sentiment read-out.
- ``SCAN`` (``scan``): ``tf.scan`` over time-major inputs (``rnn_forward`` and inside
  ``VanillaRNN.call``, which does not call ``rnn_forward``), one fused product
  ``[x, h] @ [Wx; Wh]`` for the step, BPTT in a ``tf.while_loop`` with a reversed
  ``TensorArray``, a one-hot product for the embedding, a broadcast multiply-and-sum for the
  affine layer, a hand-written stable log-softmax (max subtracted) with ``tf.gather(...,
  batch_dims=2)``, weights of ``Wh``/``b`` created in ``__init__`` and ``Wx`` in ``build``,
  every stacked layer returning sequences and the stack slicing the last state, one-hot
  time selection in the sentiment classifier, ``tf.shape``-built reshapes, clipping with
  ``tf.minimum(1, max_norm / norm)``, sampling as one ``tf.function`` with a
  ``tf.while_loop``, truncated BPTT collecting into ``TensorArray``s.
- ``FLOAT64`` (``float64``): float64 inside and cast back (step backward, affine layer, loss
  with a hand-written logsumexp, ``VanillaRNN`` running ``rnn_forward`` in float64), a
  vectorised BPTT (the loop only carries the state gradient; the weight and input gradients
  are one einsum each over all steps), ``tf.gather_nd`` with ``count_nonzero`` lengths in the
  sentiment classifier, ``tf.function`` around the step functions.
- ``DENSE_NORM`` (``dense_norm``): ``train_step`` and ``tbptt_step`` measure the global norm
  of the *dense* gradients (``IndexedSlices`` converted with ``tf.convert_to_tensor``, then
  ``sqrt(sum of squares)`` by hand or ``tf.linalg.global_norm``) and clip with ``use_norm``:
  the norm the markdown defines (``||g|| = sqrt(sum_i ||g_i||^2)``). ``tf.clip_by_global_norm``
  on an embedding's ``IndexedSlices`` counts a repeated id once per occurrence, so this
  submission is how the corpus checks that the clipped training cases hold no repeated input
  id within one update (where both norms agree).

``UNIT_CELLS`` maps a graded unit to the solution cells that hold its code when that is more
than its ``<unit>_code`` cell (the coverage rule of ``test_alternatives.py``).
``EXPECTED_FAILURES`` maps a submission to the units it loses through a known grader defect,
with the reason (none at present).
'''

UNIT_CELLS = {"train_tbptt": ["train_tbptt_code", "tbptt_step_code"]}

OPS = {
    "rnn_step_forward_code": '''
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    # computed in float64 whatever the inputs, returned in their dtype
    z = (tf.einsum("nd,dh->nh", tf.cast(x, tf.float64), tf.cast(Wx, tf.float64))
         + tf.einsum("nk,kh->nh", tf.cast(prev_h, tf.float64), tf.cast(Wh, tf.float64))
         + tf.cast(b, tf.float64))
    return tf.cast(tf.tanh(z), x.dtype)
''',
    "rnn_step_backward_code": '''
def rnn_step_backward(dnext_h, next_h, x, prev_h, Wx, Wh):
    dz = dnext_h * (1.0 - keras.ops.square(next_h))
    dx = keras.ops.matmul(dz, keras.ops.transpose(Wx))
    dprev_h = keras.ops.einsum("nh,kh->nk", dz, Wh)
    dWx = keras.ops.einsum("nd,nh->dh", x, dz)
    dWh = keras.ops.matmul(keras.ops.transpose(prev_h), dz)
    db = keras.ops.sum(dz, axis=0)
    return dx, dprev_h, dWx, dWh, db
''',
    "word_embedding_forward_code": '''
def word_embedding_forward(x, W_embed):
    one_hot = tf.one_hot(x, depth=tf.shape(W_embed)[0], dtype=W_embed.dtype)
    return tf.einsum("ntv,vw->ntw", one_hot, W_embed)
''',
    "temporal_affine_forward_code": '''
def temporal_affine_forward(x, w, b):
    return keras.ops.tensordot(x, w, axes=1) + b
''',
    "temporal_softmax_loss_code": '''
def temporal_softmax_loss(x, y, mask):
    per_step = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x)
    per_step = tf.where(mask, per_step, tf.zeros_like(per_step))
    return tf.reduce_mean(tf.reduce_sum(per_step, axis=1))
''',
    "train_step_code": '''
def train_step(model, optimizer, inputs, targets, mask, max_norm):
    with tf.GradientTape() as tape:
        loss = temporal_softmax_loss(model(inputs, training=True), targets, mask)
    grads = tape.gradient(loss, model.trainable_variables)
    grad_norm = tf.linalg.global_norm(grads)
    scale = tf.cast(max_norm, grad_norm.dtype) / tf.maximum(grad_norm,
                                                            tf.cast(max_norm, grad_norm.dtype))
    optimizer.apply([g * scale for g in grads], model.trainable_variables)
    return loss, grad_norm
''',
}

LOOPS = {
    "rnn_forward_code": '''
def rnn_forward(x, h0, Wx, Wh, b):
    T = tf.shape(x)[1]
    states = tf.TensorArray(x.dtype, size=T)

    def body(t, h, states):
        h = rnn_step_forward(x[:, t, :], h, Wx, Wh, b)
        return t + 1, h, states.write(t, h)

    _, _, states = tf.while_loop(lambda t, h, states: t < T, body, (0, h0, states))
    return tf.transpose(states.stack(), [1, 0, 2])
''',
    "rnn_backward_code": '''
@tf.function
def rnn_backward(dh, h, x, h0, Wx, Wh):
    T = x.shape[1]
    dx_steps = []
    dWx, dWh = tf.zeros_like(Wx), tf.zeros_like(Wh)
    db = tf.zeros_like(Wh[0])
    dprev_h = tf.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        prev_h = h0 if t == 0 else h[:, t - 1, :]
        dx_t, dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(
            dh[:, t, :] + dprev_h, h[:, t, :], x[:, t, :], prev_h, Wx, Wh)
        dx_steps.insert(0, dx_t)
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return tf.stack(dx_steps, axis=1), dprev_h, dWx, dWh, db
''',
    "word_embedding_forward_code": '''
@tf.function
def word_embedding_forward(x, W_embed):
    return tf.nn.embedding_lookup(W_embed, x)
''',
    "temporal_affine_forward_code": '''
@tf.function
def temporal_affine_forward(x, w, b):
    N, T = tf.shape(x)[0], tf.shape(x)[1]
    flat = tf.reshape(x, (N * T, -1)) @ w + b
    return tf.reshape(flat, (N, T, -1))
''',
    "temporal_softmax_loss_code": '''
@tf.function
def temporal_softmax_loss(x, y, mask):
    log_probs = x - tf.reduce_logsumexp(x, axis=-1, keepdims=True)
    picked = tf.reduce_sum(log_probs * tf.one_hot(y, tf.shape(x)[-1], dtype=x.dtype), axis=-1)
    return -tf.reduce_sum(tf.boolean_mask(picked, mask)) / tf.cast(tf.shape(x)[0], x.dtype)
''',
}

KERAS_OPS = {
    "rnn_step_forward_code": """
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    return keras.ops.tanh(keras.ops.add(keras.ops.matmul(x, Wx) + keras.ops.matmul(prev_h, Wh), b))
""",
    "rnn_forward_code": """
def rnn_forward(x, h0, Wx, Wh, b):
    states, h = [], h0
    for x_t in keras.ops.unstack(x, axis=1):
        h = rnn_step_forward(x_t, h, Wx, Wh, b)
        states.append(h)
    return keras.ops.stack(states, axis=1)
""",
    "rnn_backward_code": """
def rnn_backward(dh, h, x, h0, Wx, Wh):
    T = x.shape[1]
    dx = [None] * T
    dWx, dWh = keras.ops.zeros_like(Wx), keras.ops.zeros_like(Wh)
    db = keras.ops.zeros(keras.ops.shape(Wh)[1:], dtype=Wh.dtype)
    carried = keras.ops.zeros_like(h0)
    for t in reversed(range(T)):
        prev_h = h[:, t - 1, :] if t > 0 else h0
        dx[t], carried, dWx_t, dWh_t, db_t = rnn_step_backward(
            keras.ops.add(dh[:, t, :], carried), h[:, t, :], x[:, t, :], prev_h, Wx, Wh)
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return keras.ops.stack(dx, axis=1), carried, dWx, dWh, db
""",
    "word_embedding_forward_code": """
def word_embedding_forward(x, W_embed):
    return keras.ops.take(W_embed, x, axis=0)
""",
    "temporal_affine_forward_code": """
def temporal_affine_forward(x, w, b):
    return keras.ops.einsum("ntd,dm->ntm", x, w) + b
""",
    "temporal_softmax_loss_code": """
def temporal_softmax_loss(x, y, mask):
    log_probs = keras.ops.log_softmax(x, axis=-1)
    picked = keras.ops.take_along_axis(log_probs, keras.ops.expand_dims(y, -1), axis=-1)[..., 0]
    per_step = keras.ops.where(mask, -picked, keras.ops.zeros_like(picked))
    N = keras.ops.cast(keras.ops.shape(x)[0], x.dtype)
    return keras.ops.sum(per_step) / N
""",
    "VanillaRNN_code": """
class VanillaRNN(keras.layers.Layer):
    def __init__(self, units, return_sequences=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"expected units to be a positive int. Received: units={units!r}")
        self.units = units
        self.return_sequences = bool(return_sequences)

    def build(self, input_shape):
        D, H = input_shape[-1], self.units
        self.Wx = self.add_weight(name="Wx", shape=(D, H),
                                  initializer=keras.initializers.GlorotUniform())
        self.Wh = self.add_weight(name="Wh", shape=(H, H),
                                  initializer=keras.initializers.Orthogonal())
        self.b = self.add_weight(name="b", shape=(H,), initializer=keras.initializers.Zeros())

    def call(self, x, initial_state=None):
        if initial_state is None:
            initial_state = keras.ops.zeros((keras.ops.shape(x)[0], self.units), dtype=x.dtype)
        h = rnn_forward(x, initial_state, self.Wx, self.Wh, self.b)
        return h if self.return_sequences else h[:, -1, :]

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "return_sequences": self.return_sequences}
""",
    "MultilayerRNN_code": """
import functools


class MultilayerRNN(keras.layers.Layer):
    def __init__(self, hidden_sizes, return_sequences=True, **kwargs):
        super().__init__(**kwargs)
        self.hidden_sizes = [int(size) for size in hidden_sizes]
        if not self.hidden_sizes:
            raise ValueError(f"expected at least one layer. Received: hidden_sizes={hidden_sizes!r}")
        self.return_sequences = bool(return_sequences)
        last = len(self.hidden_sizes) - 1
        self.rnn_layers = [
            VanillaRNN(size, return_sequences=(k < last) or self.return_sequences,
                       name=f"rnn_{k}", dtype=self.dtype_policy)
            for k, size in enumerate(self.hidden_sizes)
        ]

    def build(self, input_shape):
        for layer in self.rnn_layers:
            layer.build(input_shape)
            input_shape = (*input_shape[:-1], layer.units)

    def call(self, x):
        return functools.reduce(lambda out, layer: layer(out), self.rnn_layers, x)

    def get_config(self):
        config = super().get_config()
        config.update({"hidden_sizes": self.hidden_sizes, "return_sequences": self.return_sequences})
        return config
""",
    "CharRNN_code": """
class CharRNN(keras.Model):
    # Every shape is known from the arguments, so the weights are created right here.
    def __init__(self, vocab_size, hidden_size, embedding_size=None, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = int(vocab_size)
        self.hidden_size = int(hidden_size)
        self.embedding_size = int(embedding_size or vocab_size)
        self.rnn = VanillaRNN(self.hidden_size, return_sequences=True, name="rnn",
                              dtype=self.dtype_policy)
        V, W, H = self.vocab_size, self.embedding_size, self.hidden_size
        self.W_embed = self.add_weight(shape=(V, W), initializer="random_normal", name="W_embed")
        self.W_out = self.add_weight(shape=(H, V), initializer="glorot_uniform", name="W_out")
        self.b_out = self.add_weight(shape=(V,), initializer="zeros", name="b_out")

    def call(self, ids, initial_state=None, return_state=False, training=False):
        vectors = keras.ops.take(self.W_embed, ids, axis=0)
        h = self.rnn(vectors, initial_state=initial_state)
        scores = keras.ops.matmul(h, self.W_out) + self.b_out
        if return_state:
            return scores, h[:, -1, :]
        return scores

    def get_config(self):
        config = super().get_config()
        config.update({"vocab_size": self.vocab_size, "hidden_size": self.hidden_size,
                       "embedding_size": self.embedding_size})
        return config
""",
    "train_step_code": """
def train_step(model, optimizer, inputs, targets, mask, max_norm):
    # Eager: no tf.function.
    with tf.GradientTape() as tape:
        scores = model(inputs, training=True)
        loss = temporal_softmax_loss(scores, targets, mask)
    variables = model.trainable_variables
    grads = tape.gradient(loss, variables)
    clipped, grad_norm = tf.clip_by_global_norm(grads, max_norm)
    optimizer.apply_gradients(zip(clipped, variables))
    return loss, grad_norm
""",
    "sample_code": """
def sample(model, prefix, length, temperature=1.0, seed=0):
    scores, h = model(prefix, return_state=True)
    last = scores[:, -1, :]
    picks = []
    for t in range(length):
        if temperature == 0:
            pick = keras.ops.argmax(last, axis=-1)
        else:
            pick = tf.random.stateless_categorical(last / temperature, 1, seed=[seed, t],
                                                   dtype=tf.int32)[:, 0]
        pick = keras.ops.cast(pick, "int32")
        picks.append(pick)
        scores, h = model(keras.ops.expand_dims(pick, 1), initial_state=h, return_state=True)
        last = scores[:, -1, :]
    return keras.ops.stack(picks, axis=1)
""",
    "tbptt_step_code": """
def tbptt_step(model, optimizer, inputs, targets, h, max_norm):
    # Eager, and the clipping written with keras.ops.
    with tf.GradientTape() as tape:
        scores, next_h = model(inputs, initial_state=h, return_state=True, training=True)
        loss = temporal_softmax_loss(scores, targets, keras.ops.ones_like(targets, dtype="bool"))
    variables = model.trainable_variables
    grads = tape.gradient(loss, variables)
    grads, _ = tf.clip_by_global_norm(grads, max_norm)
    optimizer.apply(grads, variables)
    return loss, keras.ops.stop_gradient(next_h)
""",
    "train_tbptt_code": """
def train_tbptt(model, optimizer, stream, h0, k, max_norm):
    C = (stream.shape[1] - 1) // k
    inputs = tf.split(stream[:, :C * k], C, axis=1)
    targets = tf.split(stream[:, 1:C * k + 1], C, axis=1)
    losses, states, h = [], [], h0
    for chunk_inputs, chunk_targets in zip(inputs, targets):
        loss, h = tbptt_step(model, optimizer, chunk_inputs, chunk_targets, h, max_norm)
        losses.append(loss)
        states.append(h)
    return keras.ops.stack(losses), keras.ops.stack(states)
""",
    "SentimentClassifier_code": """
class SentimentClassifier(keras.Model):
    def __init__(self, vocab_size, embedding_size, hidden_size, num_classes=2, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embedding_size = int(vocab_size), int(embedding_size)
        self.hidden_size, self.num_classes = int(hidden_size), int(num_classes)
        self.rnn = VanillaRNN(self.hidden_size, return_sequences=True, name="rnn",
                              dtype=self.dtype_policy)

    def build(self, input_shape):
        V, W, H, C = self.vocab_size, self.embedding_size, self.hidden_size, self.num_classes
        self.W_embed = self.add_weight(name="W_embed", shape=(V, W), initializer="random_normal")
        self.W_out = self.add_weight(name="W_out", shape=(H, C), initializer="glorot_uniform")
        self.b_out = self.add_weight(name="b_out", shape=(C,), initializer="zeros")

    def call(self, ids, training=False):
        h = self.rnn(keras.ops.take(self.W_embed, ids, axis=0))
        lengths = keras.ops.sum(keras.ops.cast(keras.ops.not_equal(ids, 0), "int32"), axis=1)
        index = keras.ops.reshape(lengths - 1, (-1, 1, 1))
        last = keras.ops.take_along_axis(h, index, axis=1)[:, 0, :]
        return keras.ops.matmul(last, self.W_out) + self.b_out

    def get_config(self):
        config = super().get_config()
        config.update({"vocab_size": self.vocab_size, "embedding_size": self.embedding_size,
                       "hidden_size": self.hidden_size, "num_classes": self.num_classes})
        return config
""",
    "FrameClassifier_code": """
class FrameClassifier(keras.Model):
    def __init__(self, hidden_sizes, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.hidden_sizes, self.num_classes = [int(s) for s in hidden_sizes], int(num_classes)
        self.rnn = MultilayerRNN(self.hidden_sizes, return_sequences=True, name="rnn",
                                 dtype=self.dtype_policy)

    def build(self, input_shape):
        H, C = self.hidden_sizes[-1], self.num_classes
        self.W_out = self.add_weight(name="W_out", shape=(H, C), initializer="glorot_uniform")
        self.b_out = self.add_weight(name="b_out", shape=(C,), initializer="zeros")

    def call(self, frames, training=False):
        T, D = frames.shape[1], math.prod(frames.shape[2:])
        h = self.rnn(keras.ops.reshape(frames, (-1, T, D)))
        return keras.ops.einsum("nth,hc->ntc", h, self.W_out) + self.b_out

    def get_config(self):
        config = super().get_config()
        config.update({"hidden_sizes": self.hidden_sizes, "num_classes": self.num_classes})
        return config
""",
}

SCAN = {
    "rnn_step_forward_code": """
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    # One product of the concatenated input and state with the stacked weights.
    return tf.tanh(tf.concat([x, prev_h], axis=1) @ tf.concat([Wx, Wh], axis=0) + b)
""",
    "rnn_forward_code": """
def rnn_forward(x, h0, Wx, Wh, b):
    time_major = tf.transpose(x, [1, 0, 2])
    h = tf.scan(lambda prev_h, x_t: rnn_step_forward(x_t, prev_h, Wx, Wh, b), time_major,
                initializer=h0)
    return tf.transpose(h, [1, 0, 2])
""",
    "rnn_backward_code": """
def rnn_backward(dh, h, x, h0, Wx, Wh):
    T = tf.shape(x)[1]
    prev_hs = tf.concat([h0[:, None, :], h[:, :-1, :]], axis=1)
    dx = tf.TensorArray(x.dtype, size=T)

    def body(t, dnext, dWx, dWh, db, dx):
        dx_t, dprev, dWx_t, dWh_t, db_t = rnn_step_backward(
            dh[:, t, :] + dnext, h[:, t, :], x[:, t, :], prev_hs[:, t, :], Wx, Wh)
        return t - 1, dprev, dWx + dWx_t, dWh + dWh_t, db + db_t, dx.write(t, dx_t)

    start = (T - 1, tf.zeros_like(h0), tf.zeros_like(Wx), tf.zeros_like(Wh),
             tf.zeros_like(Wh[0]), dx)
    _, dh0, dWx, dWh, db, dx = tf.while_loop(lambda t, *rest: t >= 0, body, start)
    return tf.transpose(dx.stack(), [1, 0, 2]), dh0, dWx, dWh, db
""",
    "word_embedding_forward_code": """
def word_embedding_forward(x, W_embed):
    # The lecture's one-hot input times the matrix.
    return tf.one_hot(x, tf.shape(W_embed)[0], dtype=W_embed.dtype) @ W_embed
""",
    "temporal_affine_forward_code": """
def temporal_affine_forward(x, w, b):
    return tf.reduce_sum(x[:, :, :, None] * w[None, None, :, :], axis=2) + b
""",
    "temporal_softmax_loss_code": """
def temporal_softmax_loss(x, y, mask):
    shifted = x - tf.stop_gradient(tf.reduce_max(x, axis=-1, keepdims=True))
    log_probs = shifted - tf.math.log(tf.reduce_sum(tf.exp(shifted), axis=-1, keepdims=True))
    picked = tf.gather(log_probs, y, batch_dims=2)
    weights = tf.cast(mask, x.dtype)
    return -tf.reduce_sum(picked * weights) / tf.cast(tf.shape(x)[0], x.dtype)
""",
    "VanillaRNN_code": """
class VanillaRNN(keras.layers.Layer):
    def __init__(self, units, return_sequences=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"expected units to be a positive int. Received: units={units!r}")
        self.units = units
        self.return_sequences = bool(return_sequences)
        # Wh and b do not depend on the input size: created here; Wx waits for build.
        self.Wh = self.add_weight(shape=(units, units), initializer="orthogonal", name="Wh")
        self.b = self.add_weight(shape=(units,), initializer="zeros", name="b")

    def build(self, input_shape):
        self.Wx = self.add_weight(shape=(input_shape[-1], self.units),
                                  initializer="glorot_uniform", name="Wx")

    def call(self, x, initial_state=None):
        if initial_state is None:
            initial_state = tf.zeros(tf.stack([tf.shape(x)[0], self.units]), dtype=x.dtype)
        h = tf.scan(lambda h, x_t: tf.tanh(x_t @ self.Wx + h @ self.Wh + self.b),
                    tf.transpose(x, [1, 0, 2]), initializer=initial_state)
        if self.return_sequences:
            return tf.transpose(h, [1, 0, 2])
        return h[-1]

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        config["return_sequences"] = self.return_sequences
        return config
""",
    "MultilayerRNN_code": """
class MultilayerRNN(keras.layers.Layer):
    def __init__(self, hidden_sizes, return_sequences=True, **kwargs):
        super().__init__(**kwargs)
        self.hidden_sizes = [int(size) for size in hidden_sizes]
        if not self.hidden_sizes:
            raise ValueError(f"expected at least one layer. Received: hidden_sizes={hidden_sizes!r}")
        self.return_sequences = bool(return_sequences)
        self.rnn_layers = []
        for k, size in enumerate(self.hidden_sizes):
            # Every layer returns its sequence; call keeps the top's last state if asked.
            self.rnn_layers.append(VanillaRNN(size, return_sequences=True, name=f"rnn_{k}",
                                              dtype=self.dtype_policy))

    def build(self, input_shape):
        for layer in self.rnn_layers:
            layer.build(input_shape)
            input_shape = (*input_shape[:-1], layer.units)

    def call(self, x):
        for layer in self.rnn_layers:
            x = layer(x)
        return x if self.return_sequences else x[:, -1]

    def get_config(self):
        config = super().get_config()
        config.update({"hidden_sizes": self.hidden_sizes, "return_sequences": self.return_sequences})
        return config
""",
    "CharRNN_code": """
class CharRNN(keras.Model):
    def __init__(self, vocab_size, hidden_size, embedding_size=None, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = int(vocab_size)
        self.hidden_size = int(hidden_size)
        self.embedding_size = int(embedding_size or vocab_size)
        self.rnn = VanillaRNN(self.hidden_size, return_sequences=True, name="rnn",
                              dtype=self.dtype_policy)

    def build(self, input_shape):
        V, W, H = self.vocab_size, self.embedding_size, self.hidden_size
        self.W_out = self.add_weight(name="W_out", shape=(H, V), initializer="glorot_uniform")
        self.b_out = self.add_weight(name="b_out", shape=(V,), initializer="zeros")
        self.W_embed = self.add_weight(name="W_embed", shape=(V, W), initializer="random_normal")

    def call(self, ids, initial_state=None, return_state=False, training=False):
        one_hot = tf.one_hot(ids, self.vocab_size, dtype=self.W_embed.dtype)
        h = self.rnn(tf.einsum("ntv,vw->ntw", one_hot, self.W_embed), initial_state)
        scores = tf.einsum("nth,hv->ntv", h, self.W_out) + self.b_out
        return (scores, h[:, -1]) if return_state else scores

    def get_config(self):
        config = super().get_config()
        config.update({"vocab_size": self.vocab_size, "hidden_size": self.hidden_size,
                       "embedding_size": self.embedding_size})
        return config
""",
    "train_step_code": """
@tf.function
def train_step(model, optimizer, inputs, targets, mask, max_norm):
    with tf.GradientTape() as tape:
        loss = temporal_softmax_loss(model(inputs, training=True), targets, mask)
    grads = tape.gradient(loss, model.trainable_variables)
    grad_norm = tf.linalg.global_norm(grads)
    scale = tf.minimum(tf.constant(1.0, grad_norm.dtype),
                       tf.cast(max_norm, grad_norm.dtype) / grad_norm)
    scaled = [tf.IndexedSlices(g.values * scale, g.indices, g.dense_shape)
              if isinstance(g, tf.IndexedSlices) else g * scale for g in grads]
    optimizer.apply(scaled, model.trainable_variables)
    return loss, grad_norm
""",
    "sample_code": """
def sample(model, prefix, length, temperature=1.0, seed=0):
    @tf.function
    def run(prefix):
        scores, h = model(prefix, return_state=True)

        def body(t, last, h, ids):
            if temperature == 0:
                pick = tf.argmax(last, axis=-1, output_type=tf.int32)
            else:
                pick = tf.random.stateless_categorical(
                    last / temperature, 1, seed=tf.stack([tf.constant(seed, tf.int32), t]),
                    dtype=tf.int32)[:, 0]
            scores, h = model(pick[:, None], initial_state=h, return_state=True)
            return t + 1, scores[:, -1, :], h, ids.write(t, pick)

        ids = tf.TensorArray(tf.int32, size=length, element_shape=prefix.shape[:1])
        _, _, _, ids = tf.while_loop(lambda t, *rest: t < length, body,
                                     (tf.constant(0), scores[:, -1, :], h, ids))
        return tf.transpose(ids.stack())

    return run(prefix)
""",
    "tbptt_step_code": """
@tf.function
def tbptt_step(model, optimizer, inputs, targets, h, max_norm):
    mask = tf.ones_like(targets, dtype=tf.bool)
    with tf.GradientTape() as tape:
        scores, next_h = model(inputs, initial_state=h, return_state=True, training=True)
        loss = temporal_softmax_loss(scores, targets, mask)
    grads = tape.gradient(loss, model.trainable_variables)
    norm = tf.linalg.global_norm(grads)
    grads, _ = tf.clip_by_global_norm(grads, max_norm, use_norm=norm)
    optimizer.apply(grads, model.trainable_variables)
    return loss, tf.stop_gradient(next_h)
""",
    "train_tbptt_code": """
def train_tbptt(model, optimizer, stream, h0, k, max_norm):
    C = (stream.shape[1] - 1) // k
    losses = tf.TensorArray(h0.dtype, size=C)
    states = tf.TensorArray(h0.dtype, size=C)
    h = h0
    for c in range(C):
        start = c * k
        loss, h = tbptt_step(model, optimizer, stream[:, start:start + k],
                             stream[:, start + 1:start + k + 1], h, max_norm)
        losses = losses.write(c, loss)
        states = states.write(c, h)
    return losses.stack(), states.stack()
""",
    "SentimentClassifier_code": """
class SentimentClassifier(keras.Model):
    def __init__(self, vocab_size, embedding_size, hidden_size, num_classes=2, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embedding_size = int(vocab_size), int(embedding_size)
        self.hidden_size, self.num_classes = int(hidden_size), int(num_classes)
        self.rnn = VanillaRNN(self.hidden_size, return_sequences=True, name="rnn",
                              dtype=self.dtype_policy)
        V, W, H, C = self.vocab_size, self.embedding_size, self.hidden_size, self.num_classes
        self.W_embed = self.add_weight(shape=(V, W), initializer="random_normal", name="W_embed")
        self.W_out = self.add_weight(shape=(H, C), initializer="glorot_uniform", name="W_out")
        self.b_out = self.add_weight(shape=(C,), initializer="zeros", name="b_out")

    def call(self, ids, training=False):
        h = self.rnn(word_embedding_forward(ids, self.W_embed))
        lengths = tf.reduce_sum(tf.cast(ids != 0, tf.int32), axis=1)
        at_last_word = tf.one_hot(lengths - 1, tf.shape(ids)[1], dtype=h.dtype)
        last = tf.einsum("nt,nth->nh", at_last_word, h)
        return last @ self.W_out + self.b_out

    def get_config(self):
        config = super().get_config()
        config.update({"vocab_size": self.vocab_size, "embedding_size": self.embedding_size,
                       "hidden_size": self.hidden_size, "num_classes": self.num_classes})
        return config
""",
    "FrameClassifier_code": """
class FrameClassifier(keras.Model):
    def __init__(self, hidden_sizes, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.hidden_sizes, self.num_classes = [int(s) for s in hidden_sizes], int(num_classes)
        self.rnn = MultilayerRNN(self.hidden_sizes, return_sequences=True, name="rnn",
                                 dtype=self.dtype_policy)
        H, C = self.hidden_sizes[-1], self.num_classes
        self.W_out = self.add_weight(shape=(H, C), initializer="glorot_uniform", name="W_out")
        self.b_out = self.add_weight(shape=(C,), initializer="zeros", name="b_out")

    def call(self, frames, training=False):
        D = math.prod(frames.shape[2:])
        shape = tf.concat([tf.shape(frames)[:2], [D]], axis=0)
        return temporal_affine_forward(self.rnn(tf.reshape(frames, shape)), self.W_out, self.b_out)

    def get_config(self):
        config = super().get_config()
        config.update({"hidden_sizes": self.hidden_sizes, "num_classes": self.num_classes})
        return config
""",
}

FLOAT64 = {
    "rnn_step_forward_code": """
@tf.function
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    return tf.nn.tanh(tf.matmul(x, Wx) + tf.matmul(prev_h, Wh) + b[None, :])
""",
    "rnn_step_backward_code": """
def rnn_step_backward(dnext_h, next_h, x, prev_h, Wx, Wh):
    dtype = dnext_h.dtype
    dnext_h, next_h, x, prev_h, Wx, Wh = (tf.cast(v, tf.float64)
                                          for v in (dnext_h, next_h, x, prev_h, Wx, Wh))
    dz = dnext_h * (1 - tf.square(next_h))
    grads = (tf.matmul(dz, Wx, transpose_b=True), tf.matmul(dz, Wh, transpose_b=True),
             tf.matmul(x, dz, transpose_a=True), tf.matmul(prev_h, dz, transpose_a=True),
             tf.reduce_sum(dz, axis=0))
    return tuple(tf.cast(g, dtype) for g in grads)
""",
    "rnn_backward_code": """
def rnn_backward(dh, h, x, h0, Wx, Wh):
    # Vectorised BPTT: the loop only carries the state's gradient back in time; the input and
    # weight gradients of all steps are then one product each.
    T = x.shape[1]
    prev_hs = tf.concat([h0[:, None, :], h[:, :-1, :]], axis=1)
    local = 1 - tf.square(h)
    dzs = [None] * T
    dprev = tf.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        dzs[t] = (dh[:, t] + dprev) * local[:, t]
        dprev = dzs[t] @ tf.transpose(Wh)
    dz = tf.stack(dzs, axis=1)
    dx = tf.einsum("nth,dh->ntd", dz, Wx)
    dWx = tf.einsum("ntd,nth->dh", x, dz)
    dWh = tf.einsum("ntk,nth->kh", prev_hs, dz)
    db = tf.reduce_sum(dz, axis=[0, 1])
    return dx, dprev, dWx, dWh, db
""",
    "word_embedding_forward_code": """
@tf.function
def word_embedding_forward(x, W_embed):
    return tf.gather(W_embed, x, axis=0)
""",
    "temporal_affine_forward_code": """
def temporal_affine_forward(x, w, b):
    out = tf.cast(x, tf.float64) @ tf.cast(w, tf.float64) + tf.cast(b, tf.float64)
    return tf.cast(out, x.dtype)
""",
    "temporal_softmax_loss_code": """
def temporal_softmax_loss(x, y, mask):
    x64 = tf.cast(x, tf.float64)
    m = tf.reduce_max(x64, axis=-1, keepdims=True)
    logsumexp = m + tf.math.log(tf.reduce_sum(tf.exp(x64 - m), axis=-1, keepdims=True))
    log_probs = x64 - logsumexp
    picked = tf.reduce_sum(log_probs * tf.one_hot(y, tf.shape(x)[-1], dtype=tf.float64), axis=-1)
    total = tf.reduce_sum(tf.where(mask, -picked, tf.zeros_like(picked)))
    return tf.cast(total / tf.cast(tf.shape(x)[0], tf.float64), x.dtype)
""",
    "VanillaRNN_code": """
class VanillaRNN(keras.layers.Layer):
    def __init__(self, units, return_sequences=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"expected units to be a positive int. Received: units={units!r}")
        self.units = units
        self.return_sequences = bool(return_sequences)

    def build(self, input_shape):
        D, H = input_shape[-1], self.units
        self.Wx = self.add_weight(shape=(D, H), initializer="glorot_uniform", name="Wx")
        self.Wh = self.add_weight(shape=(H, H), initializer="orthogonal", name="Wh")
        self.b = self.add_weight(shape=(H,), initializer="zeros", name="b")

    def call(self, x, initial_state=None):
        # Computed in float64, returned in the dtype of x.
        x64 = tf.cast(x, tf.float64)
        if initial_state is None:
            h0 = tf.zeros_like(x64[:, 0, :1]) * tf.zeros((1, self.units), tf.float64)
        else:
            h0 = tf.cast(initial_state, tf.float64)
        h = rnn_forward(x64, h0, *(tf.cast(w, tf.float64) for w in (self.Wx, self.Wh, self.b)))
        if not self.return_sequences:
            h = h[:, -1, :]
        return tf.cast(h, x.dtype)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, return_sequences=self.return_sequences)
        return config
""",
    "SentimentClassifier_code": """
class SentimentClassifier(keras.Model):
    def __init__(self, vocab_size, embedding_size, hidden_size, num_classes=2, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embedding_size = int(vocab_size), int(embedding_size)
        self.hidden_size, self.num_classes = int(hidden_size), int(num_classes)
        self.rnn = VanillaRNN(self.hidden_size, return_sequences=True, name="rnn",
                              dtype=self.dtype_policy)

    def build(self, input_shape):
        V, W, H, C = self.vocab_size, self.embedding_size, self.hidden_size, self.num_classes
        self.W_embed = self.add_weight(shape=(V, W), initializer="random_normal", name="W_embed")
        self.W_out = self.add_weight(shape=(H, C), initializer="glorot_uniform", name="W_out")
        self.b_out = self.add_weight(shape=(C,), initializer="zeros", name="b_out")

    def call(self, ids, training=False):
        h = self.rnn(tf.nn.embedding_lookup(self.W_embed, ids))
        lengths = tf.math.count_nonzero(ids, axis=1, dtype=tf.int32)
        rows = tf.range(tf.shape(ids)[0])
        last = tf.gather_nd(h, tf.stack([rows, lengths - 1], axis=1))
        return tf.matmul(last, self.W_out) + self.b_out

    def get_config(self):
        config = super().get_config()
        config.update({"vocab_size": self.vocab_size, "embedding_size": self.embedding_size,
                       "hidden_size": self.hidden_size, "num_classes": self.num_classes})
        return config
""",
}

DENSE_NORM = {
    "train_step_code": """
@tf.function
def train_step(model, optimizer, inputs, targets, mask, max_norm):
    with tf.GradientTape() as tape:
        loss = temporal_softmax_loss(model(inputs, training=True), targets, mask)
    grads = tape.gradient(loss, model.trainable_variables)
    dense = [tf.convert_to_tensor(g) for g in grads]  # an embedding's IndexedSlices, summed
    grad_norm = tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(g)) for g in dense]))
    clipped, _ = tf.clip_by_global_norm(dense, max_norm, use_norm=grad_norm)
    optimizer.apply(clipped, model.trainable_variables)
    return loss, grad_norm
""",
    "tbptt_step_code": """
@tf.function
def tbptt_step(model, optimizer, inputs, targets, h, max_norm):
    with tf.GradientTape() as tape:
        scores, next_h = model(inputs, initial_state=h, return_state=True, training=True)
        loss = temporal_softmax_loss(scores, targets, tf.ones_like(targets, dtype=tf.bool))
    grads = [tf.convert_to_tensor(g) for g in tape.gradient(loss, model.trainable_variables)]
    norm = tf.linalg.global_norm(grads)
    optimizer.apply(tf.clip_by_global_norm(grads, max_norm, use_norm=norm)[0],
                    model.trainable_variables)
    return loss, tf.stop_gradient(next_h)
""",
}

SUBMISSIONS: dict[str, dict[str, str]] = {
    "ops": OPS,
    "loops": LOOPS,
    "keras_ops": KERAS_OPS,
    "scan": SCAN,
    "float64": FLOAT64,
    "dense_norm": DENSE_NORM,
}

EXPECTED_FAILURES: dict[str, dict[str, str]] = {}
