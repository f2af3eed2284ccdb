"""The false-failure corpus of ``seq2seq``: correct code written differently from the solution.

Written from the release notebook's docstrings and markdown only. ``SUBMISSIONS`` maps a
submission name to {solution cell grade_id: the whole cell's source}; cells not listed are
taken from the solution. ``UNITS`` says which graded units each submission is meant to
exercise (its other units run the solution's code). Every submission must get full marks;
``KNOWN_GRADER_DEFECTS`` lists the ones that do not yet, and why.

- ``ops``: ``keras.ops`` against ``tf``, einsum against ``@``, one-hot embeddings against
  lookups, the LSTM step written from ``cell.kernel`` / ``recurrent_kernel`` / ``bias`` with
  ``ops.split`` (raw weights, not calling the cell), padding masks by multiplication, a
  hand-written log-softmax with a one-hot pick, a large negative *additive* score mask with
  ``keras.ops.softmax``, ``to_vocab`` as two products with the halves of its kernel
  (``tf.split``), ``apply_gradients`` with clipping written out (``tf.linalg.global_norm`` and
  a scale, ``IndexedSlices`` kept sparse), argmax via ``keras.ops`` with a multiplicative
  ``<NULL>`` mask, beam search on one flat batch of ``N * k`` rows with ``tf.argsort``
  (descending, stable) in place of ``top_k``, lengths taken from the tokens at the end; the
  bidirectional encoder's backward pass over ``tf.reverse_sequence`` of the embeddings (reversed
  back, zeroed at padding), one helper method for both directions, ``keras.ops.concatenate``.
- ``loops``: ``tf.while_loop`` with a ``TensorArray`` (encoder, greedy decoding), ``tf.scan``
  over a dict state (teacher forcing), ``tf.boolean_mask`` in the loss, ``tf.function`` around
  ``attend``, ``greedy_decode`` and ``beam_search``, a ``tf.function`` made by a call (not a
  decorator, ``reduce_retracing``) with a hand-written global norm and
  ``clip_by_global_norm(..., use_norm=...)``, ``-inf`` masks with ``exp(e - logsumexp(e))``,
  ``(k W^T) . q`` for the general dot product, the attention decoder's cell written out with
  its kernel split by ``tf.split`` into ``[W, H]`` rows instead of concatenating the input, and
  beam search kept as ``(N, k)`` arrays with back-pointers, a hand-written log-softmax,
  incremental lengths, ``top_k`` and a backtrack at the end; the bidirectional encoder as two
  ``tf.scan`` (the backward one with ``reverse=True``).
- ``float64``: every computation done in float64 inside and cast back to the inputs' dtype
  (the encoder's LSTM in ``tf.scan``, decoder steps, the loss through
  ``keras.losses.sparse_categorical_crossentropy``, attention with a mask-multiplied softmax
  shifted by the (stop-gradient) masked maximum, scoring layers, the attention decoder's step,
  the training step's norm, beam search's log-probabilities and totals, kept as ``(N, k)``
  arrays with Python-side bookkeeping).
- ``compiled``: ``@tf.function`` on layer methods (``Encoder.call``, ``Decoder.step`` and
  ``call``, ``score``, ``AttentionDecoder.step``, ``BidirectionalEncoder.call``) and on
  ``seq2seq_loss``.
- ``dense_grad_norm``: the training step measures the global norm of the *dense* gradients
  (``tf.convert_to_tensor`` of every gradient), the norm of all gradients together that the
  markdown defines. It fails when the toy models' embedding gradients are ``IndexedSlices``
  (``tf.clip_by_global_norm`` then counts a repeated id's rows separately: 3.0 against 3.87
  for ids [1, 1, 2]); the toys now look up by a one-hot product (dense gradients).
- ``textbook_softmax``: the textbook stable softmax, ``exp(e - max e) / sum``, with the
  gradient flowing through the max, masked with ``scores.dtype.min`` (known grader defect).
"""

OPS = {
    "encoder_code": '''
class Encoder(keras.layers.Layer):
    """Many-to-one: reads padded token ids and summarises them in its final LSTM state."""

    def __init__(self, vocab_size, embed_dim, hidden_dim, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.hidden_dim = vocab_size, embed_dim, hidden_dim
        self.embedding = keras.layers.Embedding(vocab_size, embed_dim, name="embedding",
                                                dtype=self.dtype_policy)
        self.cell = keras.layers.LSTMCell(hidden_dim, name="cell", dtype=self.dtype_policy)

    def build(self, *input_shapes):
        self.embedding.build((None,))
        self.cell.build((None, self.embed_dim))

    def call(self, source):
        ops = keras.ops
        E = self.embedding.embeddings
        # one-hot rows times the embedding matrix, in place of a lookup
        x = ops.einsum("ntv,vw->ntw", ops.one_hot(source, self.vocab_size, dtype=E.dtype), E)
        K, R, b = self.cell.kernel, self.cell.recurrent_kernel, self.cell.bias
        real = ops.cast(ops.not_equal(source, NULL_ID), x.dtype)  # (N, T) 1.0 / 0.0
        h = ops.zeros((ops.shape(source)[0], self.hidden_dim), dtype=x.dtype)
        c = ops.zeros_like(h)
        states = []
        for t in range(source.shape[1]):
            z = ops.matmul(x[:, t, :], K) + ops.einsum("nh,hg->ng", h, R) + b
            z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)  # Keras's gate order: i, f, c, o
            c_new = ops.sigmoid(z_f) * c + ops.sigmoid(z_i) * ops.tanh(z_c)
            h_new = ops.sigmoid(z_o) * ops.tanh(c_new)
            m = real[:, t:t + 1]
            h = m * h_new + (1.0 - m) * h
            c = m * c_new + (1.0 - m) * c
            states.append(h)
        return ops.stack(states, axis=1), h, c

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, "hidden_dim": self.hidden_dim}
''',
    "decoder_code": '''
class Decoder(keras.layers.Layer):
    """One-to-many: writes a sequence one token at a time, starting from the encoder's summary."""

    def __init__(self, vocab_size, embed_dim, hidden_dim, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.hidden_dim = vocab_size, embed_dim, hidden_dim
        self.embedding = keras.layers.Embedding(vocab_size, embed_dim, name="embedding",
                                                dtype=self.dtype_policy)
        self.cell = keras.layers.LSTMCell(hidden_dim, name="cell", dtype=self.dtype_policy)
        self.to_vocab = keras.layers.Dense(vocab_size, name="to_vocab", dtype=self.dtype_policy)

    def build(self, *input_shapes):
        self.embedding.build((None,))
        self.cell.build((None, self.embed_dim))
        self.to_vocab.build((None, self.hidden_dim))

    def initial_state(self, encoder_states, h, c, source_mask):
        return {"h": h, "c": c}

    def step(self, tokens, state):
        ops = keras.ops
        E = self.embedding.embeddings
        x = ops.matmul(ops.one_hot(tokens, self.vocab_size, dtype=E.dtype), E)
        _, (h, c) = self.cell(x, [state["h"], state["c"]])
        scores = ops.einsum("nh,hv->nv", h, self.to_vocab.kernel) + self.to_vocab.bias
        new_state = dict(state)
        new_state.update(h=h, c=c)
        return scores, new_state

    def call(self, target_in, state):
        per_step = []
        for tokens in tf.unstack(target_in, axis=1):
            scores, state = self.step(tokens, state)
            per_step.append(scores)
        return keras.ops.transpose(keras.ops.stack(per_step), (1, 0, 2))

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, "hidden_dim": self.hidden_dim}
''',
    "seq2seq_loss_code": '''
def seq2seq_loss(encoder, decoder, source, target):
    ops = keras.ops
    states, h, c = encoder(source)
    state = decoder.initial_state(states, h, c, ops.not_equal(source, NULL_ID))
    scores = decoder(target[:, :-1], state)
    expected = target[:, 1:]
    log_probs = scores - ops.logsumexp(scores, axis=-1, keepdims=True)
    picked = ops.sum(log_probs * ops.one_hot(expected, scores.shape[-1], dtype=scores.dtype),
                     axis=-1)
    weights = ops.cast(ops.not_equal(expected, NULL_ID), scores.dtype)
    return -ops.sum(picked * weights) / ops.cast(ops.shape(scores)[0], scores.dtype)
''',
    "train_step_code": '''
def make_train_step(encoder, decoder, optimizer, loss_fn, clip_norm):
    variables = encoder.trainable_variables + decoder.trainable_variables
    optimizer.build(variables)

    @tf.function
    def train_step(source, target):
        with tf.GradientTape() as tape:
            loss = loss_fn(encoder, decoder, source, target)
        grads = tape.gradient(loss, variables)
        norm = tf.linalg.global_norm(grads)
        scale = tf.minimum(tf.cast(clip_norm, norm.dtype) / norm, tf.ones_like(norm))
        clipped = [tf.IndexedSlices(g.values * scale, g.indices, g.dense_shape)
                   if isinstance(g, tf.IndexedSlices) else g * scale for g in grads]
        optimizer.apply_gradients(zip(clipped, variables))
        return {"loss": loss, "grad_norm": norm}

    return train_step
''',
    "greedy_decode_code": '''
def greedy_decode(decoder, state, max_length):
    ops = keras.ops
    previous = tf.fill(tf.shape(state["h"])[:1], START_ID)
    finished = ops.zeros_like(previous)  # 1 once <END> was produced
    columns = []
    for _ in range(max_length):
        scores, state = decoder.step(previous, state)
        best = ops.cast(ops.argmax(scores, axis=-1), "int32")
        token = best * (1 - finished)  # <NULL> is 0
        columns.append(token)
        finished = ops.maximum(finished, ops.cast(ops.equal(token, END_ID), "int32"))
        previous = best
    return ops.stack(columns, axis=1)
''',
    "attend_code": '''
def attend(scores, source_mask, values):
    ops = keras.ops
    very_negative = ops.cast(1e9, scores.dtype)
    padding = 1.0 - ops.cast(source_mask, scores.dtype)
    weights = ops.softmax(scores - padding * very_negative, axis=-1)
    context = ops.einsum("nt,nth->nh", weights, values)
    return context, weights
''',
    "additive_attention_code": '''
class AdditiveAttention(Attention):
    """Bahdanau's additive attention: `e_t = v . tanh(k_t W1 + q W2)`."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, query_shape, keys_shape, source_mask_shape=None):
        self.W1 = self.add_weight(shape=(keys_shape[-1], self.units), name="W1")
        self.W2 = self.add_weight(shape=(query_shape[-1], self.units), name="W2")
        self.v = self.add_weight(shape=(self.units,), name="v")

    def score(self, query, keys):
        ops = keras.ops
        hidden = ops.tanh(ops.einsum("nth,hu->ntu", keys, self.W1)
                          + ops.expand_dims(ops.matmul(query, self.W2), axis=1))
        return ops.tensordot(hidden, self.v, axes=1)

    def get_config(self):
        return {**super().get_config(), "units": self.units}
''',
    "dot_product_attention_code": '''
class DotProductAttention(Attention):
    """Luong's dot-product attention: `e_t = k_t . q`, or `k_t . (q W)` when `general`."""

    def __init__(self, general=False, **kwargs):
        super().__init__(**kwargs)
        self.general = general

    def build(self, query_shape, keys_shape, source_mask_shape=None):
        if self.general:
            self.W = self.add_weight(shape=(query_shape[-1], keys_shape[-1]), name="W")

    def score(self, query, keys):
        q = keras.ops.matmul(query, self.W) if self.general else query
        return keras.ops.squeeze(keras.ops.matmul(keys, keras.ops.expand_dims(q, -1)), -1)

    def get_config(self):
        return {**super().get_config(), "general": self.general}
''',
    "attention_decoder_code": '''
class AttentionDecoder(Decoder):
    """A decoder that attends over the encoder's states at every step."""

    def __init__(self, vocab_size, embed_dim, hidden_dim, attention, **kwargs):
        super().__init__(vocab_size, embed_dim, hidden_dim, **kwargs)
        self.attention = attention

    def build(self, *input_shapes):
        self.embedding.build((None,))
        self.cell.build((None, self.embed_dim + self.hidden_dim))
        self.to_vocab.build((None, 2 * self.hidden_dim))
        if not self.attention.built:
            self.attention.build((None, self.hidden_dim), (None, None, self.hidden_dim),
                                 (None, None))

    def initial_state(self, encoder_states, h, c, source_mask):
        return {"h": h, "c": c, "encoder_states": encoder_states, "source_mask": source_mask,
                "attention": tf.zeros(tf.shape(source_mask), dtype=h.dtype)}

    def step(self, tokens, state):
        ops = keras.ops
        context, weights = self.attention(state["h"], state["encoder_states"],
                                          state["source_mask"])
        x = ops.take(self.embedding.embeddings, tokens, axis=0)
        _, (h, c) = self.cell(ops.concatenate([x, context], axis=-1), [state["h"], state["c"]])
        # to_vocab on [h, context], written as two products with the halves of its kernel
        K_h, K_z = tf.split(self.to_vocab.kernel, 2, axis=0)
        scores = ops.matmul(h, K_h) + ops.matmul(context, K_z) + self.to_vocab.bias
        new_state = dict(state, h=h, c=c, attention=weights)
        return scores, new_state

    def get_config(self):
        raise NotImplementedError("AttentionDecoder takes an attention layer object; "
                                  "rebuild it in code rather than from a config")
''',
    "beam_search_code": '''
def beam_search(decoder, state, beam_width, max_length, alpha=0.7):
    k = beam_width
    N = tf.shape(state["h"])[0]
    state = tf.nest.map_structure(lambda x: tf.repeat(x, k, axis=0), state)
    dtype = state["h"].dtype
    minus_inf = tf.constant(-np.inf, dtype)
    # one flat batch: row n * k + b is beam b of example n
    total = tf.tile(tf.concat([tf.zeros([1], dtype), tf.fill([k - 1], minus_inf)], 0), [N])
    finished = tf.zeros([N * k], tf.bool)
    tokens = tf.zeros([N * k, 0], tf.int32)
    previous = tf.fill([N * k], START_ID)
    example_start = tf.repeat(tf.range(N) * k, k)  # n * k for every row
    for _ in range(max_length):
        scores, new_state = decoder.step(previous, state)
        V = scores.shape[-1]
        log_p = tf.nn.log_softmax(scores)
        only_null = tf.where(tf.equal(tf.range(V), NULL_ID), tf.zeros([V], dtype), minus_inf)
        log_p = tf.where(finished[:, None], only_null[None, :], log_p)
        candidates = tf.reshape(total[:, None] + log_p, [N, k * V])  # index b * V + token
        order = tf.argsort(candidates, axis=-1, direction="DESCENDING", stable=True)[:, :k]
        flat_order = tf.reshape(order, [-1])
        rows = example_start + flat_order // V
        token = flat_order % V
        total = tf.gather(tf.reshape(candidates, [-1]),
                          example_start * V + flat_order)
        state = tf.nest.map_structure(lambda x: tf.gather(x, rows), new_state)
        tokens = tf.concat([tf.gather(tokens, rows), token[:, None]], axis=1)
        finished = tf.logical_or(tf.gather(finished, rows), tf.equal(token, END_ID))
        previous = token
    is_end = tf.cast(tf.equal(tokens, END_ID), tf.int32)
    first_end = tf.argmax(is_end, axis=1, output_type=tf.int32)
    length = tf.where(tf.reduce_any(is_end > 0, axis=1), first_end + 1, max_length)
    normalised = tf.reshape(total / tf.pow(tf.cast(length, dtype), alpha), [N, k])
    ranked = tf.argsort(normalised, axis=-1, direction="DESCENDING", stable=True)
    out_tokens = tf.gather(tf.reshape(tokens, [N, k, max_length]), ranked, batch_dims=1)
    return out_tokens, tf.gather(normalised, ranked, batch_dims=1)
''',
    "bidirectional_encoder_code": '''
class BidirectionalEncoder(keras.layers.Layer):
    """Forward and backward LSTMs; the backward one reads tf.reverse_sequence of the source."""

    def __init__(self, vocab_size, embed_dim, hidden_dim, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.hidden_dim = vocab_size, embed_dim, hidden_dim
        self.embedding = keras.layers.Embedding(vocab_size, embed_dim, name="embedding",
                                                dtype=self.dtype_policy)
        self.forward_cell = keras.layers.LSTMCell(hidden_dim, name="forward_cell",
                                                  dtype=self.dtype_policy)
        self.backward_cell = keras.layers.LSTMCell(hidden_dim, name="backward_cell",
                                                   dtype=self.dtype_policy)

    def build(self, *input_shapes):
        self.embedding.build((None,))
        self.forward_cell.build((None, self.embed_dim))
        self.backward_cell.build((None, self.embed_dim))

    def run(self, cell, x, real):
        """One direction over x (N, T, W), keeping the state where real (N, T) is False."""
        h = tf.zeros((tf.shape(x)[0], self.hidden_dim), dtype=x.dtype)
        c = tf.zeros_like(h)
        out = []
        for t in range(x.shape[1]):
            _, (next_h, next_c) = cell(x[:, t], [h, c])
            m = tf.cast(real[:, t:t + 1], x.dtype)
            h = m * next_h + (1.0 - m) * h
            c = m * next_c + (1.0 - m) * c
            out.append(h)
        return tf.stack(out, axis=1), h, c

    def call(self, source):
        real = tf.not_equal(source, NULL_ID)
        lengths = tf.reduce_sum(tf.cast(real, tf.int32), axis=1)  # (N,)
        x = self.embedding(source)
        forward, h_f, c_f = self.run(self.forward_cell, x, real)
        # each row's real tokens reversed in place (the padding stays at the end), so the
        # backward LSTM starts at the last real token
        x_rev = tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0)
        backward_rev, h_b, c_b = self.run(self.backward_cell, x_rev, real)
        backward = tf.reverse_sequence(backward_rev, lengths, seq_axis=1, batch_axis=0)
        backward = backward * tf.cast(real, x.dtype)[:, :, None]  # zero where nothing is read
        concat = keras.ops.concatenate
        return (concat([forward, backward], axis=-1), concat([h_f, h_b], axis=-1),
                concat([c_f, c_b], axis=-1))

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, "hidden_dim": self.hidden_dim}
''',
}

LOOPS = {
    "encoder_code": '''
class Encoder(keras.layers.Layer):
    """Many-to-one: reads padded token ids and summarises them in its final LSTM state."""

    def __init__(self, vocab_size, embed_dim, hidden_dim, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.hidden_dim = vocab_size, embed_dim, hidden_dim
        self.embedding = keras.layers.Embedding(vocab_size, embed_dim, name="embedding",
                                                dtype=self.dtype_policy)
        self.cell = keras.layers.LSTMCell(hidden_dim, name="cell", dtype=self.dtype_policy)

    def build(self, *input_shapes):
        self.embedding.build((None,))
        self.cell.build((None, self.embed_dim))

    def call(self, source):
        x = tf.gather(self.embedding.embeddings, source)  # (N, T, W)
        T = tf.shape(source)[1]
        zeros = tf.zeros(tf.stack([tf.shape(source)[0], self.hidden_dim]), dtype=x.dtype)
        real = tf.not_equal(source, NULL_ID)

        def body(t, h, c, states):
            _, (h_new, c_new) = self.cell(x[:, t], [h, c])
            keep = tf.expand_dims(real[:, t], 1)
            h, c = tf.where(keep, h_new, h), tf.where(keep, c_new, c)
            return t + 1, h, c, states.write(t, h)

        _, h, c, states = tf.while_loop(
            lambda t, *rest: t < T, body,
            (tf.constant(0), zeros, zeros, tf.TensorArray(x.dtype, size=T)))
        return tf.transpose(states.stack(), [1, 0, 2]), h, c

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, "hidden_dim": self.hidden_dim}
''',
    "decoder_code": '''
class Decoder(keras.layers.Layer):
    """One-to-many: writes a sequence one token at a time, starting from the encoder's summary."""

    def __init__(self, vocab_size, embed_dim, hidden_dim, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.hidden_dim = vocab_size, embed_dim, hidden_dim
        self.embedding = keras.layers.Embedding(vocab_size, embed_dim, name="embedding",
                                                dtype=self.dtype_policy)
        self.cell = keras.layers.LSTMCell(hidden_dim, name="cell", dtype=self.dtype_policy)
        self.to_vocab = keras.layers.Dense(vocab_size, name="to_vocab", dtype=self.dtype_policy)

    def build(self, *input_shapes):
        self.embedding.build((None,))
        self.cell.build((None, self.embed_dim))
        self.to_vocab.build((None, self.hidden_dim))

    def initial_state(self, encoder_states, h, c, source_mask):
        return {"h": h, "c": c}

    def step(self, tokens, state):
        output, (h, c) = self.cell(self.embedding(tokens), [state["h"], state["c"]])
        return self.to_vocab(output), {**state, "h": h, "c": c}

    def call(self, target_in, state):
        def one_step(carry, tokens):
            return self.step(tokens, carry[1])

        first = tf.zeros(tf.stack([tf.shape(target_in)[0], self.vocab_size]),
                         dtype=state["h"].dtype)
        scores, _ = tf.scan(one_step, tf.transpose(target_in), initializer=(first, state))
        return tf.transpose(scores, [1, 0, 2])

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, "hidden_dim": self.hidden_dim}
''',
    "seq2seq_loss_code": '''
def seq2seq_loss(encoder, decoder, source, target):
    states, h, c = encoder(source)
    scores = decoder(target[:, :-1],
                     decoder.initial_state(states, h, c, tf.not_equal(source, NULL_ID)))
    expected = target[:, 1:]
    per_step = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=expected, logits=scores)
    kept = tf.boolean_mask(per_step, tf.not_equal(expected, NULL_ID))
    return tf.reduce_sum(kept) / tf.cast(tf.shape(target)[0], scores.dtype)
''',
    "train_step_code": '''
def make_train_step(encoder, decoder, optimizer, loss_fn, clip_norm):
    variables = encoder.trainable_variables + decoder.trainable_variables
    optimizer.build(variables)

    def squared(g):
        # tf.clip_by_global_norm's measure (for IndexedSlices, the norm of their values)
        return tf.reduce_sum(tf.square(g.values if isinstance(g, tf.IndexedSlices) else g))

    def train_step(source, target):
        with tf.GradientTape() as tape:
            loss = loss_fn(encoder, decoder, source, target)
        grads = tape.gradient(loss, variables)
        norm = tf.sqrt(tf.add_n([squared(g) for g in grads]))
        clipped, _ = tf.clip_by_global_norm(grads, clip_norm, use_norm=norm)
        optimizer.apply(clipped, variables)
        return {"loss": tf.identity(loss), "grad_norm": norm}

    return tf.function(train_step, reduce_retracing=True)
''',
    "greedy_decode_code": '''
@tf.function
def greedy_decode(decoder, state, max_length):
    N = tf.shape(state["h"])[0]

    def body(t, previous, finished, state, columns):
        scores, state = decoder.step(previous, state)
        best = tf.argmax(scores, axis=-1, output_type=tf.int32)
        token = tf.where(finished, tf.zeros_like(best) + NULL_ID, best)
        finished = tf.logical_or(finished, tf.equal(token, END_ID))
        return t + 1, token, finished, state, columns.write(t, token)

    _, _, _, _, columns = tf.while_loop(
        lambda t, *rest: t < max_length, body,
        (tf.constant(0), tf.fill([N], START_ID), tf.zeros([N], tf.bool), state,
         tf.TensorArray(tf.int32, size=max_length)))
    return tf.transpose(columns.stack())
''',
    "attend_code": '''
@tf.function
def attend(scores, source_mask, values):
    masked = tf.where(source_mask, scores, tf.constant(-np.inf, scores.dtype))
    weights = tf.exp(masked - tf.reduce_logsumexp(masked, axis=-1, keepdims=True))
    context = tf.squeeze(tf.expand_dims(weights, 1) @ values, axis=1)
    return context, weights
''',
    "additive_attention_code": '''
class AdditiveAttention(Attention):
    """Bahdanau's additive attention: `e_t = v . tanh(k_t W1 + q W2)`."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, query_shape, keys_shape, source_mask_shape=None):
        self.W1 = self.add_weight(shape=(keys_shape[-1], self.units), name="W1")
        self.W2 = self.add_weight(shape=(query_shape[-1], self.units), name="W2")
        self.v = self.add_weight(shape=(self.units,), name="v")

    def score(self, query, keys):
        N, T = tf.shape(keys)[0], tf.shape(keys)[1]
        flat = tf.reshape(keys, [-1, keys.shape[-1]]) @ self.W1  # (N * T, U)
        projected = tf.reshape(flat, tf.stack([N, T, self.units]))
        hidden = tf.tanh(projected + (query @ self.W2)[:, tf.newaxis, :])
        return tf.reduce_sum(hidden * self.v, axis=-1)

    def get_config(self):
        return {**super().get_config(), "units": self.units}
''',
    "dot_product_attention_code": '''
class DotProductAttention(Attention):
    """Luong's dot-product attention: `e_t = k_t . q`, or `k_t . (q W)` when `general`."""

    def __init__(self, general=False, **kwargs):
        super().__init__(**kwargs)
        self.general = general

    def build(self, query_shape, keys_shape, source_mask_shape=None):
        if self.general:
            self.W = self.add_weight(shape=(query_shape[-1], keys_shape[-1]), name="W")

    def score(self, query, keys):
        if self.general:
            # k . (q W) = (k W^T) . q
            keys = tf.einsum("ntk,qk->ntq", keys, self.W)
        return tf.reduce_sum(keys * query[:, None, :], axis=-1)

    def get_config(self):
        return {**super().get_config(), "general": self.general}
''',
    "attention_decoder_code": '''
class AttentionDecoder(Decoder):
    """A decoder that attends over the encoder's states at every step."""

    def __init__(self, vocab_size, embed_dim, hidden_dim, attention, **kwargs):
        super().__init__(vocab_size, embed_dim, hidden_dim, **kwargs)
        self.attention = attention

    def build(self, *input_shapes):
        self.embedding.build((None,))
        self.cell.build((None, self.embed_dim + self.hidden_dim))
        self.to_vocab.build((None, 2 * self.hidden_dim))
        if not self.attention.built:
            self.attention.build((None, self.hidden_dim), (None, None, self.hidden_dim),
                                 (None, None))

    def initial_state(self, encoder_states, h, c, source_mask):
        return {"h": h, "c": c, "encoder_states": encoder_states, "source_mask": source_mask,
                "attention": tf.zeros(tf.shape(source_mask), dtype=h.dtype)}

    def step(self, tokens, state):
        prev_h, prev_c = state["h"], state["c"]
        context, weights = self.attention(prev_h, state["encoder_states"], state["source_mask"])
        x = self.embedding(tokens)
        # the cell's kernel multiplies [x, context]: split its rows instead of concatenating
        K_x, K_z = tf.split(self.cell.kernel, [self.embed_dim, self.hidden_dim], axis=0)
        z = x @ K_x + context @ K_z + prev_h @ self.cell.recurrent_kernel + self.cell.bias
        H = self.hidden_dim
        i, f = tf.sigmoid(z[:, :H]), tf.sigmoid(z[:, H:2 * H])  # Keras's order: i, f, c, o
        g, o = tf.tanh(z[:, 2 * H:3 * H]), tf.sigmoid(z[:, 3 * H:])
        c = f * prev_c + i * g
        h = o * tf.tanh(c)
        scores = self.to_vocab(tf.concat([h, context], axis=-1))
        return scores, {**state, "h": h, "c": c, "attention": weights}

    def get_config(self):
        raise NotImplementedError("AttentionDecoder takes an attention layer object; "
                                  "rebuild it in code rather than from a config")
''',
    "beam_search_code": '''
@tf.function
def beam_search(decoder, state, beam_width, max_length, alpha=0.7):
    k = beam_width
    state = tf.nest.map_structure(lambda x: tf.repeat(x, k, axis=0), state)
    N = tf.shape(state["h"])[0] // k
    dtype = state["h"].dtype
    minus_inf = tf.constant(-np.inf, dtype)
    first_beam = tf.equal(tf.range(k), 0)[None, :]
    total = tf.where(first_beam, tf.zeros([N, k], dtype), minus_inf)  # (N, k)
    alive = tf.ones([N, k], tf.bool)
    length = tf.zeros([N, k], dtype)
    previous = tf.fill([N * k], START_ID)
    offsets = tf.range(N)[:, None] * k
    parents, chosen = [], []
    for _ in range(max_length):
        scores, new_state = decoder.step(previous, state)
        V = scores.shape[-1]
        log_p = scores - tf.reduce_logsumexp(scores, axis=-1, keepdims=True)
        log_p = tf.reshape(log_p, [N, k, V])
        null_only = tf.one_hot(NULL_ID, V, on_value=tf.constant(0, dtype), off_value=minus_inf)
        log_p = tf.where(alive[:, :, None], log_p, null_only)
        candidates = tf.reshape(total[:, :, None] + log_p, [N, k * V])
        total, best = tf.math.top_k(candidates, k=k)  # ties: lower b * V + token first
        parent, token = best // V, best % V
        length = tf.gather(length, parent, batch_dims=1) + tf.cast(
            tf.gather(alive, parent, batch_dims=1), dtype)
        alive = tf.logical_and(tf.gather(alive, parent, batch_dims=1),
                               tf.not_equal(token, END_ID))
        rows = tf.reshape(offsets + parent, [-1])
        state = tf.nest.map_structure(lambda x: tf.gather(x, rows), new_state)
        previous = tf.reshape(token, [-1])
        parents.append(parent)
        chosen.append(token)
    # follow the back-pointers from the last step
    beam = tf.tile(tf.range(k)[None, :], tf.stack([N, 1]))
    backwards = []
    for parent, token in zip(reversed(parents), reversed(chosen)):
        backwards.append(tf.gather(token, beam, batch_dims=1))
        beam = tf.gather(parent, beam, batch_dims=1)
    tokens = tf.stack(backwards[::-1], axis=-1)  # (N, k, max_length)
    normalised = total / length ** alpha
    final, ranked = tf.math.top_k(normalised, k=k)
    return tf.gather(tokens, ranked, batch_dims=1), final
''',
    "bidirectional_encoder_code": '''
class BidirectionalEncoder(keras.layers.Layer):
    """Both directions with tf.scan over time (reverse=True for the backward one)."""

    def __init__(self, vocab_size, embed_dim, hidden_dim, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.hidden_dim = vocab_size, embed_dim, hidden_dim
        self.embedding = keras.layers.Embedding(vocab_size, embed_dim, name="embedding",
                                                dtype=self.dtype_policy)
        self.forward_cell = keras.layers.LSTMCell(hidden_dim, name="forward_cell",
                                                  dtype=self.dtype_policy)
        self.backward_cell = keras.layers.LSTMCell(hidden_dim, name="backward_cell",
                                                   dtype=self.dtype_policy)

    def build(self, *input_shapes):
        self.embedding.build((None,))
        self.forward_cell.build((None, self.embed_dim))
        self.backward_cell.build((None, self.embed_dim))

    def call(self, source):
        x = tf.transpose(self.embedding(source), [1, 0, 2])  # (T, N, W)
        real = tf.transpose(tf.not_equal(source, NULL_ID))[:, :, None]  # (T, N, 1)
        zeros = tf.zeros((tf.shape(source)[0], self.hidden_dim), dtype=x.dtype)

        def stepper(cell):
            def step(carry, inputs):
                (h, c), (x_t, real_t) = carry, inputs
                _, (next_h, next_c) = cell(x_t, [h, c])
                return tf.where(real_t, next_h, h), tf.where(real_t, next_c, c)
            return step

        h_f, c_f = tf.scan(stepper(self.forward_cell), (x, real), initializer=(zeros, zeros))
        h_b, c_b = tf.scan(stepper(self.backward_cell), (x, real), initializer=(zeros, zeros),
                           reverse=True)  # outputs in the original order: h_b[t] is position t
        states = tf.transpose(tf.concat([h_f, h_b], axis=-1), [1, 0, 2])  # (N, T, 2H)
        return (states, tf.concat([h_f[-1], h_b[0]], axis=-1),
                tf.concat([c_f[-1], c_b[0]], axis=-1))

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, "hidden_dim": self.hidden_dim}
''',
}

FLOAT64 = {
    "encoder_code": '''
class Encoder(keras.layers.Layer):
    """Many-to-one: reads padded token ids and summarises them in its final LSTM state."""

    def __init__(self, vocab_size, embed_dim, hidden_dim, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.hidden_dim = vocab_size, embed_dim, hidden_dim
        self.embedding = keras.layers.Embedding(vocab_size, embed_dim, name="embedding",
                                                dtype=self.dtype_policy)
        self.cell = keras.layers.LSTMCell(hidden_dim, name="cell", dtype=self.dtype_policy)

    def build(self, *input_shapes):
        self.embedding.build((None,))
        self.cell.build((None, self.embed_dim))

    def call(self, source):
        dtype = self.embedding.embeddings.dtype
        f64 = lambda w: tf.cast(w, tf.float64)
        x = f64(tf.nn.embedding_lookup(self.embedding.embeddings, source))
        K, R, b = f64(self.cell.kernel), f64(self.cell.recurrent_kernel), f64(self.cell.bias)
        zeros = tf.zeros(tf.stack([tf.shape(source)[0], self.hidden_dim]), tf.float64)

        def step(carry, inputs):
            h, c = carry
            x_t, real = inputs
            i, f, g, o = tf.split(x_t @ K + h @ R + b, 4, axis=1)
            c_new = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
            h_new = tf.sigmoid(o) * tf.tanh(c_new)
            real = real[:, None]
            return tf.where(real, h_new, h), tf.where(real, c_new, c)

        hs, cs = tf.scan(step, (tf.transpose(x, [1, 0, 2]),
                                tf.transpose(tf.not_equal(source, NULL_ID))),
                         initializer=(zeros, zeros))
        back = lambda v: tf.cast(v, dtype)
        return back(tf.transpose(hs, [1, 0, 2])), back(hs[-1]), back(cs[-1])

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, "hidden_dim": self.hidden_dim}
''',
    "decoder_code": '''
class Decoder(keras.layers.Layer):
    """One-to-many: writes a sequence one token at a time, starting from the encoder's summary."""

    def __init__(self, vocab_size, embed_dim, hidden_dim, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.hidden_dim = vocab_size, embed_dim, hidden_dim
        self.embedding = keras.layers.Embedding(vocab_size, embed_dim, name="embedding",
                                                dtype=self.dtype_policy)
        self.cell = keras.layers.LSTMCell(hidden_dim, name="cell", dtype=self.dtype_policy)
        self.to_vocab = keras.layers.Dense(vocab_size, name="to_vocab", dtype=self.dtype_policy)

    def build(self, *input_shapes):
        self.embedding.build((None,))
        self.cell.build((None, self.embed_dim))
        self.to_vocab.build((None, self.hidden_dim))

    def initial_state(self, encoder_states, h, c, source_mask):
        return {"h": h, "c": c}

    def step(self, tokens, state):
        dtype = state["h"].dtype
        f64 = lambda w: tf.cast(w, tf.float64)
        x = f64(tf.gather(self.embedding.embeddings, tokens))
        prev_h, prev_c = f64(state["h"]), f64(state["c"])
        z = x @ f64(self.cell.kernel) + prev_h @ f64(self.cell.recurrent_kernel)
        i, f, g, o = tf.split(z + f64(self.cell.bias), 4, axis=-1)
        c = tf.sigmoid(f) * prev_c + tf.sigmoid(i) * tf.tanh(g)
        h = tf.sigmoid(o) * tf.tanh(c)
        scores = h @ f64(self.to_vocab.kernel) + f64(self.to_vocab.bias)
        return tf.cast(scores, dtype), {**state, "h": tf.cast(h, dtype), "c": tf.cast(c, dtype)}

    def call(self, target_in, state):
        scores = []
        for t in range(target_in.shape[1]):
            step_scores, state = self.step(target_in[:, t], state)
            scores.append(step_scores)
        return tf.stack(scores, axis=1)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, "hidden_dim": self.hidden_dim}
''',
    "seq2seq_loss_code": '''
def seq2seq_loss(encoder, decoder, source, target):
    states, h, c = encoder(source)
    state = decoder.initial_state(states, h, c, source != NULL_ID)
    scores = decoder(target[:, :-1], state)
    expected = target[:, 1:]
    wide = tf.cast(scores, tf.float64)
    nll = keras.losses.sparse_categorical_crossentropy(expected, wide, from_logits=True)
    nll = tf.where(expected == NULL_ID, tf.zeros_like(nll), nll)
    loss = tf.reduce_mean(tf.reduce_sum(nll, axis=1))
    return tf.cast(loss, scores.dtype)
''',
    "train_step_code": '''
def make_train_step(encoder, decoder, optimizer, loss_fn, clip_norm):
    variables = encoder.trainable_variables + decoder.trainable_variables
    optimizer.build(variables)

    @tf.function(reduce_retracing=True)
    def train_step(source, target):
        with tf.GradientTape() as tape:
            loss = loss_fn(encoder, decoder, source, target)
        grads = tape.gradient(loss, variables)
        norm64 = tf.linalg.global_norm([tf.cast(g, tf.float64) for g in grads])
        norm = tf.cast(norm64, loss.dtype)
        clipped, _ = tf.clip_by_global_norm(grads, clip_norm, use_norm=norm)
        optimizer.apply(clipped, variables)
        return {"loss": loss, "grad_norm": norm}

    return train_step
''',
    "attend_code": '''
def attend(scores, source_mask, values):
    s = tf.cast(scores, tf.float64)
    largest = tf.reduce_max(tf.where(source_mask, s, s.dtype.min), axis=-1, keepdims=True)
    # real positions are <= their largest score; padded ones are multiplied by 0. The shift
    # only keeps exp in range: no gradient through it.
    shifted = tf.minimum(s - tf.stop_gradient(largest), 0.0)
    e = tf.exp(shifted) * tf.cast(source_mask, tf.float64)
    weights = e / tf.reduce_sum(e, axis=-1, keepdims=True)
    context = tf.reduce_sum(weights[:, :, None] * tf.cast(values, tf.float64), axis=1)
    return tf.cast(context, values.dtype), tf.cast(weights, scores.dtype)
''',
    "additive_attention_code": '''
class AdditiveAttention(Attention):
    """Bahdanau's additive attention: `e_t = v . tanh(k_t W1 + q W2)`."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, query_shape, keys_shape, source_mask_shape=None):
        self.W1 = self.add_weight(shape=(keys_shape[-1], self.units), name="W1")
        self.W2 = self.add_weight(shape=(query_shape[-1], self.units), name="W2")
        self.v = self.add_weight(shape=(self.units,), name="v")

    def score(self, query, keys):
        f64 = lambda w: tf.cast(w, tf.float64)
        hidden = tf.tanh(tf.tensordot(f64(keys), f64(self.W1), axes=1)
                         + tf.expand_dims(f64(query) @ f64(self.W2), 1))
        return tf.cast(tf.einsum("ntu,u->nt", hidden, f64(self.v)), keys.dtype)

    def get_config(self):
        return {**super().get_config(), "units": self.units}
''',
    "dot_product_attention_code": '''
class DotProductAttention(Attention):
    """Luong's dot-product attention: `e_t = k_t . q`, or `k_t . (q W)` when `general`."""

    def __init__(self, general=False, **kwargs):
        super().__init__(**kwargs)
        self.general = general

    def build(self, query_shape, keys_shape, source_mask_shape=None):
        if self.general:
            self.W = self.add_weight(shape=(query_shape[-1], keys_shape[-1]), name="W")

    def score(self, query, keys):
        q = tf.cast(query, tf.float64)
        if self.general:
            q = q @ tf.cast(self.W, tf.float64)
        return tf.cast(tf.einsum("nth,nh->nt", tf.cast(keys, tf.float64), q), keys.dtype)

    def get_config(self):
        return {**super().get_config(), "general": self.general}
''',
    "attention_decoder_code": '''
class AttentionDecoder(Decoder):
    """A decoder that attends over the encoder's states at every step."""

    def __init__(self, vocab_size, embed_dim, hidden_dim, attention, **kwargs):
        super().__init__(vocab_size, embed_dim, hidden_dim, **kwargs)
        self.attention = attention

    def build(self, *input_shapes):
        self.embedding.build((None,))
        self.cell.build((None, self.embed_dim + self.hidden_dim))
        self.to_vocab.build((None, 2 * self.hidden_dim))
        if not self.attention.built:
            self.attention.build((None, self.hidden_dim), (None, None, self.hidden_dim),
                                 (None, None))

    def initial_state(self, encoder_states, h, c, source_mask):
        return {"h": h, "c": c, "encoder_states": encoder_states, "source_mask": source_mask,
                "attention": tf.zeros(tf.shape(source_mask), dtype=h.dtype)}

    def step(self, tokens, state):
        dtype = state["h"].dtype
        f64 = lambda w: tf.cast(w, tf.float64)
        context, weights = self.attention(state["h"], state["encoder_states"],
                                          state["source_mask"])
        inputs = tf.concat([f64(tf.gather(self.embedding.embeddings, tokens)), f64(context)], -1)
        prev_c = f64(state["c"])
        z = (inputs @ f64(self.cell.kernel) + f64(state["h"]) @ f64(self.cell.recurrent_kernel)
             + f64(self.cell.bias))
        i, f, g, o = tf.split(z, 4, axis=-1)
        c = tf.sigmoid(f) * prev_c + tf.sigmoid(i) * tf.tanh(g)
        h = tf.sigmoid(o) * tf.tanh(c)
        scores = tf.concat([h, f64(context)], -1) @ f64(self.to_vocab.kernel) + f64(
            self.to_vocab.bias)
        back = lambda v: tf.cast(v, dtype)
        return back(scores), {**state, "h": back(h), "c": back(c), "attention": weights}

    def get_config(self):
        raise NotImplementedError("AttentionDecoder takes an attention layer object; "
                                  "rebuild it in code rather than from a config")
''',
    "beam_search_code": '''
def beam_search(decoder, state, beam_width, max_length, alpha=0.7):
    k = beam_width
    state = tf.nest.map_structure(lambda x: tf.repeat(x, k, axis=0), state)
    dtype = state["h"].dtype
    N = state["h"].shape[0] // k
    total = tf.constant([[0.0] + [-np.inf] * (k - 1)] * N, tf.float64)  # (N, k)
    done = tf.zeros([N, k], tf.bool)
    tokens = tf.zeros([N, k, 0], tf.int32)
    previous = tf.fill([N * k], START_ID)
    for _ in range(max_length):
        scores, new_state = decoder.step(previous, state)
        V = scores.shape[-1]
        log_p = tf.reshape(tf.nn.log_softmax(tf.cast(scores, tf.float64)), [N, k, V])
        stay = tf.concat([tf.zeros([N, k, 1], tf.float64),
                          tf.fill([N, k, V - 1], tf.constant(-np.inf, tf.float64))], -1)
        log_p = tf.where(done[:, :, None], stay, log_p)  # <NULL> is token 0
        total, index = tf.math.top_k(tf.reshape(total[:, :, None] + log_p, [N, k * V]), k)
        beam, token = index // V, index % V
        rows = tf.reshape(beam + k * tf.range(N)[:, None], [-1])
        state = {key: tf.gather(value, rows) for key, value in new_state.items()}
        tokens = tf.concat([tf.gather(tokens, beam, batch_dims=1), token[:, :, None]], -1)
        done = tf.gather(done, beam, batch_dims=1) | (token == END_ID)
        previous = tf.reshape(token, [-1])
    ended = tf.reduce_any(tokens == END_ID, axis=-1)
    length = tf.where(ended, tf.argmax(tf.cast(tokens == END_ID, tf.int32), -1) + 1, max_length)
    normalised = total / tf.cast(length, tf.float64) ** alpha
    best, order = tf.math.top_k(normalised, k)
    return tf.gather(tokens, order, batch_dims=1), tf.cast(best, dtype)
''',
}

DENSE_GRAD_NORM = {
    "train_step_code": '''
def make_train_step(encoder, decoder, optimizer, loss_fn, clip_norm):
    variables = encoder.trainable_variables + decoder.trainable_variables
    optimizer.build(variables)

    @tf.function
    def train_step(source, target):
        with tf.GradientTape() as tape:
            loss = loss_fn(encoder, decoder, source, target)
        # an embedding's gradient may come as IndexedSlices: make every gradient dense
        grads = [tf.convert_to_tensor(g) for g in tape.gradient(loss, variables)]
        norm = tf.linalg.global_norm(grads)
        grads, _ = tf.clip_by_global_norm(grads, clip_norm, use_norm=norm)
        optimizer.apply(grads, variables)
        return {"loss": loss, "grad_norm": norm}

    return train_step
''',
}

TEXTBOOK_SOFTMAX = {
    "attend_code": '''
def attend(scores, source_mask, values):
    masked = tf.where(source_mask, scores, scores.dtype.min)
    e = tf.exp(masked - tf.reduce_max(masked, axis=-1, keepdims=True))
    weights = e / tf.reduce_sum(e, axis=-1, keepdims=True)
    return tf.einsum("nt,nth->nh", weights, values), weights
''',
}


from corpus_helpers import compiled as _compiled  # noqa: E402


# Code from above, compiled: tf.function on layer methods and on the loss.
COMPILED = {
    "encoder_code": _compiled(OPS["encoder_code"], "    def call(self, source):"),
    "decoder_code": _compiled(FLOAT64["decoder_code"], "    def step(self, tokens, state):",
                              "    def call(self, target_in, state):"),
    "seq2seq_loss_code": _compiled(LOOPS["seq2seq_loss_code"],
                                   "def seq2seq_loss(encoder, decoder, source, target):"),
    "additive_attention_code": _compiled(OPS["additive_attention_code"],
                                         "    def score(self, query, keys):"),
    "dot_product_attention_code": _compiled(LOOPS["dot_product_attention_code"],
                                            "    def score(self, query, keys):"),
    "attention_decoder_code": _compiled(OPS["attention_decoder_code"],
                                        "    def step(self, tokens, state):"),
    "bidirectional_encoder_code": _compiled(LOOPS["bidirectional_encoder_code"],
                                            "    def call(self, source):"),
}

SUBMISSIONS: dict[str, dict[str, str]] = {
    "ops": OPS,
    "loops": LOOPS,
    "float64": FLOAT64,
    "compiled": COMPILED,
    "dense_grad_norm": DENSE_GRAD_NORM,
    "textbook_softmax": TEXTBOOK_SOFTMAX,
}

_CELL_UNITS = {
    "encoder_code": ["encoder"],
    "decoder_code": ["decoder"],
    "seq2seq_loss_code": ["seq2seq_loss"],
    "train_step_code": ["train_step"],
    "greedy_decode_code": ["greedy_decode"],
    "attend_code": ["attend"],
    "additive_attention_code": ["additive_attention"],
    "dot_product_attention_code": ["dot_product_attention"],
    "attention_decoder_code": ["attention_decoder"],
    "beam_search_code": ["beam_search"],
    "bidirectional_encoder_code": ["bidirectional_encoder"],
}

UNITS: dict[str, list[str]] = {
    name: [unit for cell in cells for unit in _CELL_UNITS[cell]]
    for name, cells in SUBMISSIONS.items()
}

# Submissions that are correct but lose units to a known grader defect: submission -> {unit: why}.
KNOWN_GRADER_DEFECTS: dict[str, dict[str, str]] = {}
