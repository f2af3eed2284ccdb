"""The false-failure corpus of ``captioning``: correct code written differently from the solution.

Written from the release notebook's docstrings and markdown only. ``SUBMISSIONS`` maps a
submission name to {solution cell grade_id: the whole cell's source}; cells not listed are
taken from the solution. ``UNITS`` says which graded units each submission is meant to
exercise. Every submission must get full marks.

- ``ops``: ``keras.ops`` against ``tf``, einsum against ``@``, one-hot embeddings against
  ``tf.gather``, a hand-written log-softmax with a one-hot pick (``CaptioningRNN.loss``) and
  ``keras.ops.log_softmax`` with ``take_along_axis`` (the attention loss), masks by
  multiplication, weights made in a loop with explicit initializer objects, the every-step
  image term as a stacked input ``[x, features] @ [Wx; W_img]`` (not a per-image bias), the
  CNN's coordinates from ``keras.ops.meshgrid``, the summary as the mean over the 4-D map's
  rows and columns, clipping written out (norm by hand of dense gradients and a scale,
  ``apply_gradients``), ``exp(e - logsumexp(e))`` for the attention weights, the attention LSTM
  step as one ``lstm_step`` on ``[x, context]`` with ``[Wx; Wz]``, sampling that feeds
  ``<NULL>`` back in after ``<END>``, ``tf.searchsorted`` for location sampling, the REINFORCE
  sum as an einsum, VQA's question mask by multiplication.
- ``loops``: ``tf.scan`` over time (``CaptioningRNN.loss``, the VQA question encoder),
  ``tf.while_loop`` with ``TensorArray`` (both greedy samplers), ``TensorArray`` in a Python
  loop (attention forward), ``tf.function`` around ``context_vector``, the fused sparse
  cross-entropy with ``tf.where`` / ``tf.boolean_mask``, the convolutions as raw ``tf.nn.conv2d`` on each ``Conv2D``'s
  ``kernel`` / ``bias`` with the sublayers made in ``build`` (same names), coordinates from
  ``tf.range``, ReLU by ``tf.where``, a ``tf.function`` made by a call (not a decorator) with
  ``tf.clip_by_global_norm(..., use_norm=tf.linalg.global_norm(...))``, the textbook softmax
  ``exp(e - max e) / sum``, ``tf.linalg.matvec`` for the context, the LSTM gates with
  ``tf.split``, scores computed once after the loop, the running sum of ``alpha`` in a Python
  loop for location sampling, VQA's attention written inline.
- ``float64``: computing in float64 inside and casting back: the captioning losses' scores and
  cross-entropy, the initial states, the CNN (convolutions in float64), the training step's
  global norm and clipping, the attention weights, context, attention LSTM step, location
  sampling's cumulative sum, the REINFORCE loss, the whole VQA model.
- ``compiled``: ``@tf.function`` on model methods (``CaptioningRNN.loss`` and ``sample``, the
  every-step ``step``, ``ImageEncoder.call``, ``AttentionCaptioningLSTM.loss`` and
  ``sample``, ``VQAModel.encode_question`` and ``call``) and on ``context_vector`` and
  ``sample_locations``.

``loops``' attention sampler feeds the argmax word back in after ``<END>`` (the others feed
``<NULL>``): the attention weights of the steps after a caption's ``<END>`` then differ from
the reference's, which the docstring leaves open; the probe zeroes them before comparing.
"""

OPS = {
    "captioning_rnn_code": '''
class CaptioningRNN(keras.layers.Layer):
    """An image captioning model: image features start a recurrent language model."""

    def __init__(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128,
                 cell_type="rnn", dtype="float32", **kwargs):
        if cell_type not in ("rnn", "lstm"):
            raise ValueError(f'expected cell_type "rnn" or "lstm", got {cell_type!r}')
        if "<NULL>" not in word_to_idx:
            raise ValueError("expected word_to_idx to contain '<NULL>', got "
                             f"{sorted(word_to_idx)[:8]}...")
        super().__init__(dtype=dtype, **kwargs)
        self.word_to_idx = dict(word_to_idx)
        self.idx_to_word = {i: w for w, i in self.word_to_idx.items()}
        self.cell_type = cell_type
        self._null = self.word_to_idx["<NULL>"]
        self._start = self.word_to_idx.get("<START>")
        self._end = self.word_to_idx.get("<END>")
        V, D, W, H = len(self.word_to_idx), input_dim, wordvec_dim, hidden_dim
        G = 4 if cell_type == "lstm" else 1
        self.params = {}
        self.add_param("W_embed", (V, W), 1.0)
        self.add_image_weights(D, H, G)
        for name, shape, scale in [("Wx", (W, G * H), W**-0.5), ("Wh", (H, G * H), H**-0.5),
                                   ("b", (G * H,), 0.0), ("W_vocab", (H, V), H**-0.5),
                                   ("b_vocab", (V,), 0.0)]:
            self.add_param(name, shape, scale)

    def add_param(self, name, shape, scale):
        initializer = (keras.initializers.RandomNormal(mean=0.0, stddev=scale) if scale
                       else keras.initializers.Zeros())
        self.params[name] = self.add_weight(shape=shape, initializer=initializer, name=name,
                                            trainable=True)

    def add_image_weights(self, D, H, G):
        self.add_param("W_proj", (D, H), D**-0.5)
        self.add_param("b_proj", (H,), 0.0)

    def initial_state(self, features):
        h0 = keras.ops.einsum("nd,dh->nh", features, self.params["W_proj"]) + self.params["b_proj"]
        return h0, keras.ops.zeros_like(h0)

    def step(self, x, prev_h, prev_c, features):
        P = self.params
        if self.cell_type == "rnn":
            return rnn_step(x, prev_h, P["Wx"], P["Wh"], P["b"]), prev_c
        return lstm_step(x, prev_h, prev_c, P["Wx"], P["Wh"], P["b"])

    def loss(self, features, captions):
        ops = keras.ops
        P = self.params
        captions_in, captions_out = captions[:, :-1], captions[:, 1:]
        V = P["W_embed"].shape[0]
        x = ops.einsum("ntv,vw->ntw", ops.one_hot(captions_in, V, dtype=self.compute_dtype),
                       P["W_embed"])
        h, c = self.initial_state(features)
        hs = []
        for t in range(captions_in.shape[1]):
            h, c = self.step(x[:, t, :], h, c, features)
            hs.append(h)
        scores = ops.einsum("nth,hv->ntv", ops.stack(hs, axis=1), P["W_vocab"]) + P["b_vocab"]
        log_probs = scores - ops.logsumexp(scores, axis=-1, keepdims=True)
        picked = ops.sum(log_probs * ops.one_hot(captions_out, V, dtype=self.compute_dtype),
                         axis=-1)
        kept = ops.cast(ops.not_equal(captions_out, self._null), scores.dtype)
        return -ops.sum(picked * kept) / ops.cast(ops.shape(captions)[0], scores.dtype)

    def sample(self, features, max_length=30):
        ops = keras.ops
        P = self.params
        h, c = self.initial_state(features)
        word = tf.fill(tf.shape(features)[:1], self._start)
        finished = tf.zeros_like(word, dtype=tf.bool)
        words = []
        for _ in range(max_length):
            h, c = self.step(ops.take(P["W_embed"], word, axis=0), h, c, features)
            scores = ops.matmul(h, P["W_vocab"]) + P["b_vocab"]
            best = ops.cast(ops.argmax(scores, axis=-1), "int32")
            word = tf.where(finished, tf.fill(tf.shape(best), self._null), best)
            words.append(word)
            finished = ops.logical_or(finished, ops.equal(word, self._end))
        return ops.stack(words, axis=1)
''',
    "image_every_step_code": '''
class ImageEveryStepCaptioningRNN(CaptioningRNN):
    """`CaptioningRNN` whose image enters every step through a third weight matrix `W_img`."""

    def add_image_weights(self, D, H, G):
        self.add_param("W_img", (D, G * H), D**-0.5)

    def initial_state(self, features):
        H = self.params["Wh"].shape[0]
        zeros = keras.ops.zeros((keras.ops.shape(features)[0], H), dtype=features.dtype)
        return zeros, zeros

    def step(self, x, prev_h, prev_c, features):
        P = self.params
        # x @ Wx + features @ W_img is [x, features] @ [Wx; W_img]
        inputs = keras.ops.concatenate([x, features], axis=-1)
        stacked = keras.ops.concatenate([P["Wx"], P["W_img"]], axis=0)
        if self.cell_type == "lstm":
            return lstm_step(inputs, prev_h, prev_c, stacked, P["Wh"], P["b"])
        return rnn_step(inputs, prev_h, stacked, P["Wh"], P["b"]), prev_c
''',
    "image_encoder_code": '''
class ImageEncoder(keras.layers.Layer):
    """A small CNN: images -> a summary vector and an `L x D` grid of feature vectors."""

    def __init__(self, filters=(32, 64, 128), strides=(2, 2, 2), **kwargs):
        super().__init__(**kwargs)
        if len(filters) != len(strides):
            raise ValueError(f"expected as many strides as filters, got filters={filters} "
                             f"and strides={strides}")
        self.filters, self.strides = tuple(filters), tuple(strides)
        self.convs = [
            keras.layers.Conv2D(f, 3, strides=s, padding="same", name=f"conv{i + 1}",
                                dtype=self.dtype_policy)
            for i, (f, s) in enumerate(zip(self.filters, self.strides))
        ]

    def call(self, images):
        ops = keras.ops
        pixels = 4.0 * (images - 0.5)
        N = ops.shape(pixels)[0]
        R, C = pixels.shape[1], pixels.shape[2]
        rows, cols = ops.meshgrid(ops.linspace(-1.0, 1.0, R, dtype=pixels.dtype),
                                  ops.linspace(-1.0, 1.0, C, dtype=pixels.dtype), indexing="ij")
        coords = ops.broadcast_to(ops.stack([rows, cols], axis=-1)[None], (N, R, C, 2))
        x = ops.concatenate([pixels, coords], axis=-1)
        for conv in self.convs:
            x = ops.relu(conv(x))
        grid = ops.reshape(x, (N, -1, x.shape[-1]))
        return ops.mean(x, axis=(1, 2)), grid

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "strides": self.strides}
''',
    "make_train_step_code": '''
def make_train_step(model, optimizer, clip_norm=None):
    @tf.function
    def step(inputs, targets):
        with tf.GradientTape() as tape:
            loss = model.loss(inputs, targets)
        variables = model.trainable_variables
        grads = [tf.convert_to_tensor(g) for g in tape.gradient(loss, variables)]
        if clip_norm is not None:
            norm = tf.sqrt(tf.add_n([tf.reduce_sum(g * g) for g in grads]))
            limit = tf.cast(clip_norm, norm.dtype)
            grads = [g * (limit / tf.maximum(norm, limit)) for g in grads]
        optimizer.apply_gradients(zip(grads, variables))
        return loss

    return step
''',
    "attention_weights_code": '''
def attention_weights(prev_h, keys, W_att_h, w_att):
    ops = keras.ops
    hidden = ops.tanh(keys + ops.expand_dims(ops.matmul(prev_h, W_att_h), axis=1))
    e = ops.einsum("nla,a->nl", hidden, w_att)
    return ops.exp(e - ops.logsumexp(e, axis=-1, keepdims=True))
''',
    "context_vector_code": '''
def context_vector(alpha, grid):
    return keras.ops.einsum("nl,nld->nd", alpha, grid)
''',
    "attention_lstm_step_code": '''
def attention_lstm_step(x, prev_h, prev_c, context, Wx, Wh, Wz, b):
    # x @ Wx + context @ Wz is [x, context] @ [Wx; Wz]
    inputs = keras.ops.concatenate([x, context], axis=-1)
    return lstm_step(inputs, prev_h, prev_c, keras.ops.concatenate([Wx, Wz], axis=0), Wh, b)
''',
    "attention_captioning_code": '''
class AttentionCaptioningLSTM(keras.layers.Layer):
    """An LSTM captioning model with soft attention over a grid of image features."""

    def __init__(self, word_to_idx, input_dim=128, wordvec_dim=32, hidden_dim=128,
                 attention_dim=64, dtype="float32", **kwargs):
        super().__init__(dtype=dtype, **kwargs)
        self.word_to_idx = dict(word_to_idx)
        self.idx_to_word = {i: w for w, i in self.word_to_idx.items()}
        self._null = self.word_to_idx["<NULL>"]
        self._start = self.word_to_idx.get("<START>")
        self._end = self.word_to_idx.get("<END>")
        V, D, W, H, A = len(self.word_to_idx), input_dim, wordvec_dim, hidden_dim, attention_dim
        self.params = {}
        for name, shape, scale in [
            ("W_init_h", (D, H), D**-0.5), ("b_init_h", (H,), 0.0),
            ("W_init_c", (D, H), D**-0.5), ("b_init_c", (H,), 0.0),
            ("W_embed", (V, W), 1.0),
            ("Wx", (W, 4 * H), W**-0.5), ("Wh", (H, 4 * H), H**-0.5),
            ("Wz", (D, 4 * H), D**-0.5), ("b", (4 * H,), 0.0),
            ("W_att_feat", (D, A), D**-0.5), ("b_att", (A,), 0.0),
            ("W_att_h", (H, A), H**-0.5), ("w_att", (A,), A**-0.5),
            ("W_vocab", (H, V), H**-0.5), ("W_vocab_z", (D, V), D**-0.5), ("b_vocab", (V,), 0.0),
        ]:
            init = keras.initializers.RandomNormal(stddev=scale) if scale else "zeros"
            self.params[name] = self.add_weight(shape=shape, initializer=init, name=name)

    def keys(self, grid):
        return grid @ self.params["W_att_feat"] + self.params["b_att"]

    def attend(self, prev_h, grid, keys):
        P = self.params
        alpha = attention_weights(prev_h, keys, P["W_att_h"], P["w_att"])
        return alpha, context_vector(alpha, grid)

    def initial_state(self, grid):
        P = self.params
        mean = tf.reduce_mean(grid, axis=1)  # (N, D)
        return mean @ P["W_init_h"] + P["b_init_h"], mean @ P["W_init_c"] + P["b_init_c"]

    def _word_scores(self, h, context):
        P = self.params
        ops = keras.ops
        return ops.matmul(h, P["W_vocab"]) + ops.matmul(context, P["W_vocab_z"]) + P["b_vocab"]

    def forward(self, grid, captions_in):
        ops = keras.ops
        P = self.params
        keys = self.keys(grid)
        h, c = self.initial_state(grid)
        V = P["W_embed"].shape[0]
        x = ops.einsum("ntv,vw->ntw", ops.one_hot(captions_in, V, dtype=self.compute_dtype),
                       P["W_embed"])
        scores, alphas = [], []
        for t in range(captions_in.shape[1]):
            alpha, context = self.attend(h, grid, keys)
            h, c = attention_lstm_step(x[:, t], h, c, context, P["Wx"], P["Wh"], P["Wz"],
                                       P["b"])
            scores.append(self._word_scores(h, context))
            alphas.append(alpha)
        return ops.stack(scores, axis=1), ops.stack(alphas, axis=1)

    def loss(self, grid, captions):
        ops = keras.ops
        scores, _ = self.forward(grid, captions[:, :-1])
        targets = captions[:, 1:]
        log_probs = ops.log_softmax(scores, axis=-1)
        picked = ops.take_along_axis(log_probs, ops.expand_dims(targets, -1), axis=-1)[..., 0]
        kept = ops.cast(ops.not_equal(targets, self._null), scores.dtype)
        return -ops.sum(picked * kept) / ops.cast(ops.shape(captions)[0], scores.dtype)

    def sample(self, grid, max_length=30):
        P = self.params
        keys = self.keys(grid)
        h, c = self.initial_state(grid)
        word = tf.fill(tf.shape(grid)[:1], self._start)
        finished = tf.zeros_like(word, dtype=tf.bool)
        words, alphas = [], []
        for _ in range(max_length):
            alpha, context = self.attend(h, grid, keys)
            h, c = attention_lstm_step(tf.gather(P["W_embed"], word), h, c, context, P["Wx"],
                                       P["Wh"], P["Wz"], P["b"])
            best = keras.ops.cast(keras.ops.argmax(self._word_scores(h, context), axis=-1),
                                  "int32")
            # <NULL> after <END>, and <NULL> is what is fed back in from then on
            word = tf.where(finished, tf.fill(tf.shape(best), self._null), best)
            words.append(word)
            alphas.append(alpha)
            finished = tf.logical_or(finished, tf.equal(word, self._end))
        return tf.stack(words, axis=1), tf.stack(alphas, axis=1)
''',
    "sample_locations_code": '''
def sample_locations(alpha, u):
    cdf = tf.cumsum(alpha, axis=1)
    # side="right": the first index whose cumulative weight is > u
    first = tf.searchsorted(cdf, tf.expand_dims(u, 1), side="right")[:, 0]
    return tf.minimum(first, tf.shape(alpha)[1] - 1)
''',
    "reinforce_loss_code": '''
def reinforce_loss(log_probs, rewards, baseline, mask):
    ops = keras.ops
    advantage = ops.stop_gradient(rewards - baseline)
    total = ops.einsum("nt,n->", log_probs * ops.cast(mask, log_probs.dtype), advantage)
    return -total / ops.cast(ops.shape(log_probs)[0], log_probs.dtype)
''',
    "vqa_code": '''
class VQAModel(keras.layers.Layer):
    """Answers a question about an image: an LSTM question encoder, attention over the grid."""

    def __init__(self, vocab_size, num_answers, input_dim=64, wordvec_dim=32, hidden_dim=128,
                 attention_dim=64, dtype="float32", **kwargs):
        super().__init__(dtype=dtype, **kwargs)
        V, D, W, H, A, K = vocab_size, input_dim, wordvec_dim, hidden_dim, attention_dim, num_answers
        self.params = {}
        for name, shape, scale in [
            ("W_embed", (V, W), 1.0),
            ("Wx", (W, 4 * H), W**-0.5), ("Wh", (H, 4 * H), H**-0.5), ("b", (4 * H,), 0.0),
            ("W_att_feat", (D, A), D**-0.5), ("b_att", (A,), 0.0),
            ("W_att_h", (H, A), H**-0.5), ("w_att", (A,), A**-0.5),
            ("W_q", (H, H), H**-0.5), ("W_z", (D, H), D**-0.5), ("b_hidden", (H,), 0.0),
            ("W_answer", (H, K), H**-0.5), ("b_answer", (K,), 0.0),
        ]:
            init = keras.initializers.RandomNormal(stddev=scale) if scale else "zeros"
            self.params[name] = self.add_weight(shape=shape, initializer=init, name=name)

    def encode_question(self, questions):
        ops = keras.ops
        P = self.params
        V, H = P["W_embed"].shape[0], P["Wh"].shape[0]
        x = ops.einsum("ntv,vw->ntw", ops.one_hot(questions, V, dtype=self.compute_dtype),
                       P["W_embed"])
        real = ops.cast(ops.not_equal(questions, 0), x.dtype)  # <NULL> is 0
        h = ops.zeros((ops.shape(questions)[0], H), dtype=x.dtype)
        c = ops.zeros_like(h)
        for t in range(questions.shape[1]):
            h_new, c_new = lstm_step(x[:, t], h, c, P["Wx"], P["Wh"], P["b"])
            m = real[:, t:t + 1]
            h = m * h_new + (1.0 - m) * h
            c = m * c_new + (1.0 - m) * c
        return h

    def call(self, grid, questions):
        ops = keras.ops
        P = self.params
        q = self.encode_question(questions)
        keys = ops.einsum("nld,da->nla", grid, P["W_att_feat"]) + P["b_att"]
        alpha = attention_weights(q, keys, P["W_att_h"], P["w_att"])
        z = context_vector(alpha, grid)
        hidden = ops.tanh(ops.matmul(q, P["W_q"]) + ops.matmul(z, P["W_z"]) + P["b_hidden"])
        return ops.matmul(hidden, P["W_answer"]) + P["b_answer"], alpha

    def loss(self, grid, questions, answers):
        scores, _ = self(grid, questions)
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(answers, scores))
''',
}

LOOPS = {
    "captioning_rnn_code": '''
class CaptioningRNN(keras.layers.Layer):
    """An image captioning model: image features start a recurrent language model."""

    def __init__(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128,
                 cell_type="rnn", dtype="float32", **kwargs):
        if cell_type not in ("rnn", "lstm"):
            raise ValueError(f'expected cell_type "rnn" or "lstm", got {cell_type!r}')
        if "<NULL>" not in word_to_idx:
            raise ValueError("expected word_to_idx to contain '<NULL>', got "
                             f"{sorted(word_to_idx)[:8]}...")
        super().__init__(dtype=dtype, **kwargs)
        self.word_to_idx = dict(word_to_idx)
        self.idx_to_word = {i: w for w, i in self.word_to_idx.items()}
        self.cell_type = cell_type
        self._null = self.word_to_idx["<NULL>"]
        self._start = self.word_to_idx.get("<START>")
        self._end = self.word_to_idx.get("<END>")
        V, D, W, H = len(self.word_to_idx), input_dim, wordvec_dim, hidden_dim
        G = 4 if cell_type == "lstm" else 1
        self.params = {}
        self.add_param("W_embed", (V, W), 1.0)
        self.add_image_weights(D, H, G)
        self.add_param("Wx", (W, G * H), W**-0.5)
        self.add_param("Wh", (H, G * H), H**-0.5)
        self.add_param("b", (G * H,), 0.0)
        self.add_param("W_vocab", (H, V), H**-0.5)
        self.add_param("b_vocab", (V,), 0.0)

    def add_param(self, name, shape, scale):
        init = keras.initializers.RandomNormal(stddev=scale) if scale else "zeros"
        self.params[name] = self.add_weight(shape=shape, initializer=init, name=name)

    def add_image_weights(self, D, H, G):
        self.add_param("W_proj", (D, H), D**-0.5)
        self.add_param("b_proj", (H,), 0.0)

    def initial_state(self, features):
        P = self.params
        h0 = tf.nn.bias_add(tf.matmul(features, P["W_proj"]), P["b_proj"])
        return h0, tf.zeros_like(h0)

    def step(self, x, prev_h, prev_c, features):
        P = self.params
        if self.cell_type == "lstm":
            return lstm_step(x, prev_h, prev_c, P["Wx"], P["Wh"], P["b"])
        return rnn_step(x, prev_h, P["Wx"], P["Wh"], P["b"]), prev_c

    def loss(self, features, captions):
        P = self.params
        captions_in, captions_out = captions[:, :-1], captions[:, 1:]
        x = tf.gather(P["W_embed"], captions_in)  # (N, T, W)

        def one_step(carry, x_t):
            return self.step(x_t, carry[0], carry[1], features)

        hs, _ = tf.scan(one_step, tf.transpose(x, [1, 0, 2]),
                        initializer=self.initial_state(features))
        scores = tf.tensordot(tf.transpose(hs, [1, 0, 2]), P["W_vocab"], axes=1) + P["b_vocab"]
        per_word = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=captions_out,
                                                                  logits=scores)
        per_word = tf.where(tf.equal(captions_out, self._null), tf.zeros_like(per_word),
                            per_word)
        return tf.reduce_sum(per_word) / tf.cast(tf.shape(captions)[0], per_word.dtype)

    def sample(self, features, max_length=30):
        P = self.params
        h0, c0 = self.initial_state(features)
        N = tf.shape(features)[0]

        def body(t, word, finished, h, c, words):
            h, c = self.step(tf.gather(P["W_embed"], word), h, c, features)
            best = tf.argmax(h @ P["W_vocab"] + P["b_vocab"], axis=1, output_type=tf.int32)
            word = tf.where(finished, tf.zeros_like(best) + self._null, best)
            finished = tf.logical_or(finished, tf.equal(word, self._end))
            return t + 1, word, finished, h, c, words.write(t, word)

        *_, words = tf.while_loop(
            lambda t, *rest: t < max_length, body,
            (tf.constant(0), tf.fill([N], self._start), tf.zeros([N], tf.bool), h0, c0,
             tf.TensorArray(tf.int32, size=max_length)))
        return tf.transpose(words.stack(), [1, 0])
''',
    "image_every_step_code": '''
class ImageEveryStepCaptioningRNN(CaptioningRNN):
    """`CaptioningRNN` whose image enters every step through a third weight matrix `W_img`."""

    def add_image_weights(self, D, H, G):
        self.add_param("W_img", (D, G * H), D**-0.5)

    def initial_state(self, features):
        H = self.params["Wh"].shape[0]
        h0 = tf.zeros(tf.stack([tf.shape(features)[0], H]), dtype=features.dtype)
        return h0, tf.identity(h0)

    def step(self, x, prev_h, prev_c, features):
        P = self.params
        bias = tf.einsum("nd,dg->ng", features, P["W_img"]) + P["b"]
        if self.cell_type == "rnn":
            return rnn_step(x, prev_h, P["Wx"], P["Wh"], bias), prev_c
        return lstm_step(x, prev_h, prev_c, P["Wx"], P["Wh"], bias)
''',
    "image_encoder_code": '''
class ImageEncoder(keras.layers.Layer):
    """A small CNN: images -> a summary vector and an `L x D` grid of feature vectors."""

    def __init__(self, filters=(32, 64, 128), strides=(2, 2, 2), **kwargs):
        super().__init__(**kwargs)
        if len(filters) != len(strides):
            raise ValueError(f"expected as many strides as filters, got filters={filters} "
                             f"and strides={strides}")
        self.filters, self.strides = tuple(filters), tuple(strides)

    def build(self, input_shape):
        # the same sublayers, made here (their names are what sets their weights)
        self.convs = []
        channels = 5
        for i, (f, s) in enumerate(zip(self.filters, self.strides)):
            conv = keras.layers.Conv2D(f, 3, strides=s, padding="same", name=f"conv{i + 1}",
                                       dtype=self.dtype_policy)
            conv.build((None, None, None, channels))
            self.convs.append(conv)
            channels = f

    def call(self, images):
        pixels = 4.0 * (images - 0.5)
        dtype = pixels.dtype
        shape = tf.shape(pixels)
        N, R, C = shape[0], shape[1], shape[2]
        row = 2.0 * tf.cast(tf.range(R), dtype) / tf.cast(R - 1, dtype) - 1.0
        col = 2.0 * tf.cast(tf.range(C), dtype) / tf.cast(C - 1, dtype) - 1.0
        row_map = tf.tile(row[None, :, None, None], tf.stack([N, 1, C, 1]))
        col_map = tf.tile(col[None, None, :, None], tf.stack([N, R, 1, 1]))
        x = tf.concat([pixels, row_map, col_map], axis=3)
        for conv in self.convs:
            x = tf.nn.bias_add(tf.nn.conv2d(x, conv.kernel, strides=conv.strides, padding="SAME"),
                               conv.bias)
            x = tf.where(x > 0, x, tf.zeros_like(x))
        grid = tf.reshape(x, tf.stack([N, -1, x.shape[-1]]))
        return tf.reduce_mean(grid, axis=1), grid

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "strides": self.strides}
''',
    "make_train_step_code": '''
def make_train_step(model, optimizer, clip_norm=None):
    def step(inputs, targets):
        with tf.GradientTape() as tape:
            loss = model.loss(inputs, targets)
        variables = model.trainable_variables
        grads = tape.gradient(loss, variables)
        if clip_norm is not None:
            grads, _ = tf.clip_by_global_norm(grads, clip_norm,
                                              use_norm=tf.linalg.global_norm(grads))
        optimizer.apply(grads, variables)
        return loss

    return tf.function(step)
''',
    "attention_weights_code": '''
def attention_weights(prev_h, keys, W_att_h, w_att):
    hidden = tf.tanh(keys + (prev_h @ W_att_h)[:, None, :])
    e = tf.tensordot(hidden, w_att, axes=[[2], [0]])  # (N, L)
    e = e - tf.reduce_max(e, axis=1, keepdims=True)
    return tf.exp(e) / tf.reduce_sum(tf.exp(e), axis=1, keepdims=True)
''',
    "context_vector_code": '''
@tf.function
def context_vector(alpha, grid):
    return tf.linalg.matvec(grid, alpha, transpose_a=True)  # grid^T alpha per example
''',
    "attention_lstm_step_code": '''
def attention_lstm_step(x, prev_h, prev_c, context, Wx, Wh, Wz, b):
    a = x @ Wx + prev_h @ Wh + context @ Wz + b
    a_i, a_f, a_o, a_g = tf.split(a, 4, axis=1)
    next_c = tf.sigmoid(a_f) * prev_c + tf.sigmoid(a_i) * tf.tanh(a_g)
    next_h = tf.sigmoid(a_o) * tf.tanh(next_c)
    return next_h, next_c
''',
    "attention_captioning_code": '''
class AttentionCaptioningLSTM(keras.layers.Layer):
    """An LSTM captioning model with soft attention over a grid of image features."""

    def __init__(self, word_to_idx, input_dim=128, wordvec_dim=32, hidden_dim=128,
                 attention_dim=64, dtype="float32", **kwargs):
        super().__init__(dtype=dtype, **kwargs)
        self.word_to_idx = dict(word_to_idx)
        self.idx_to_word = {i: w for w, i in self.word_to_idx.items()}
        self._null = self.word_to_idx["<NULL>"]
        self._start = self.word_to_idx.get("<START>")
        self._end = self.word_to_idx.get("<END>")
        V, D, W, H, A = len(self.word_to_idx), input_dim, wordvec_dim, hidden_dim, attention_dim
        self.params = {}
        for name, shape, scale in [
            ("W_init_h", (D, H), D**-0.5), ("b_init_h", (H,), 0.0),
            ("W_init_c", (D, H), D**-0.5), ("b_init_c", (H,), 0.0),
            ("W_embed", (V, W), 1.0),
            ("Wx", (W, 4 * H), W**-0.5), ("Wh", (H, 4 * H), H**-0.5),
            ("Wz", (D, 4 * H), D**-0.5), ("b", (4 * H,), 0.0),
            ("W_att_feat", (D, A), D**-0.5), ("b_att", (A,), 0.0),
            ("W_att_h", (H, A), H**-0.5), ("w_att", (A,), A**-0.5),
            ("W_vocab", (H, V), H**-0.5), ("W_vocab_z", (D, V), D**-0.5), ("b_vocab", (V,), 0.0),
        ]:
            init = keras.initializers.RandomNormal(stddev=scale) if scale else "zeros"
            self.params[name] = self.add_weight(shape=shape, initializer=init, name=name)

    def keys(self, grid):
        return grid @ self.params["W_att_feat"] + self.params["b_att"]

    def attend(self, prev_h, grid, keys):
        P = self.params
        alpha = attention_weights(prev_h, keys, P["W_att_h"], P["w_att"])
        return alpha, context_vector(alpha, grid)

    def initial_state(self, grid):
        P = self.params
        mean = tf.reduce_mean(grid, axis=1)  # (N, D)
        return mean @ P["W_init_h"] + P["b_init_h"], mean @ P["W_init_c"] + P["b_init_c"]

    def forward(self, grid, captions_in):
        P = self.params
        keys = self.keys(grid)
        h, c = self.initial_state(grid)
        x = tf.gather(P["W_embed"], captions_in)
        T = captions_in.shape[1]
        hs = tf.TensorArray(h.dtype, size=T)
        contexts = tf.TensorArray(h.dtype, size=T)
        alphas = tf.TensorArray(h.dtype, size=T)
        for t in range(T):
            alpha, context = self.attend(h, grid, keys)
            h, c = attention_lstm_step(x[:, t], h, c, context, P["Wx"], P["Wh"], P["Wz"],
                                       P["b"])
            hs, contexts, alphas = hs.write(t, h), contexts.write(t, context), alphas.write(t, alpha)
        hs, contexts, alphas = (tf.transpose(a.stack(), [1, 0, 2]) for a in (hs, contexts, alphas))
        scores = (tf.einsum("nth,hv->ntv", hs, P["W_vocab"])
                  + tf.einsum("ntd,dv->ntv", contexts, P["W_vocab_z"]) + P["b_vocab"])
        return scores, alphas

    def loss(self, grid, captions):
        scores, _ = self.forward(grid, captions[:, :-1])
        targets = captions[:, 1:]
        per_word = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=scores)
        kept = tf.boolean_mask(per_word, tf.not_equal(targets, self._null))
        return tf.reduce_sum(kept) / tf.cast(tf.shape(captions)[0], scores.dtype)

    def sample(self, grid, max_length=30):
        P = self.params
        keys = self.keys(grid)
        h0, c0 = self.initial_state(grid)
        N = tf.shape(grid)[0]

        def body(t, word, finished, h, c, words, alphas):
            alpha, context = self.attend(h, grid, keys)
            h, c = attention_lstm_step(tf.gather(P["W_embed"], word), h, c, context, P["Wx"],
                                       P["Wh"], P["Wz"], P["b"])
            scores = h @ P["W_vocab"] + context @ P["W_vocab_z"] + P["b_vocab"]
            best = tf.argmax(scores, axis=1, output_type=tf.int32)
            word = tf.where(finished, tf.zeros_like(best) + self._null, best)
            finished = tf.logical_or(finished, tf.equal(word, self._end))
            return t + 1, best, finished, h, c, words.write(t, word), alphas.write(t, alpha)

        *_, words, alphas = tf.while_loop(
            lambda t, *rest: t < max_length, body,
            (tf.constant(0), tf.fill([N], self._start), tf.zeros([N], tf.bool), h0, c0,
             tf.TensorArray(tf.int32, size=max_length), tf.TensorArray(h0.dtype, size=max_length)))
        return tf.transpose(words.stack()), tf.transpose(alphas.stack(), [1, 0, 2])
''',
    "sample_locations_code": '''
def sample_locations(alpha, u):
    L = alpha.shape[1]
    running = tf.zeros_like(u)
    count = tf.zeros(tf.shape(u), tf.int32)
    for l in range(L):
        running = running + alpha[:, l]
        count += tf.cast(running <= u, tf.int32)
    return tf.minimum(count, L - 1)
''',
    "reinforce_loss_code": '''
def reinforce_loss(log_probs, rewards, baseline, mask):
    advantage = tf.stop_gradient(rewards) - tf.stop_gradient(baseline)  # (N,)
    per_step = tf.where(mask, log_probs * advantage[:, None], tf.zeros_like(log_probs))
    return -tf.reduce_mean(tf.reduce_sum(per_step, axis=1))
''',
    "vqa_code": '''
class VQAModel(keras.layers.Layer):
    """Answers a question about an image: an LSTM question encoder, attention over the grid."""

    def __init__(self, vocab_size, num_answers, input_dim=64, wordvec_dim=32, hidden_dim=128,
                 attention_dim=64, dtype="float32", **kwargs):
        super().__init__(dtype=dtype, **kwargs)
        V, D, W, H, A, K = vocab_size, input_dim, wordvec_dim, hidden_dim, attention_dim, num_answers
        self.params = {}
        for name, shape, scale in [
            ("W_embed", (V, W), 1.0),
            ("Wx", (W, 4 * H), W**-0.5), ("Wh", (H, 4 * H), H**-0.5), ("b", (4 * H,), 0.0),
            ("W_att_feat", (D, A), D**-0.5), ("b_att", (A,), 0.0),
            ("W_att_h", (H, A), H**-0.5), ("w_att", (A,), A**-0.5),
            ("W_q", (H, H), H**-0.5), ("W_z", (D, H), D**-0.5), ("b_hidden", (H,), 0.0),
            ("W_answer", (H, K), H**-0.5), ("b_answer", (K,), 0.0),
        ]:
            init = keras.initializers.RandomNormal(stddev=scale) if scale else "zeros"
            self.params[name] = self.add_weight(shape=shape, initializer=init, name=name)

    def encode_question(self, questions):
        P = self.params
        x = tf.gather(P["W_embed"], questions)  # (N, Tq, W)
        H = P["Wh"].shape[0]
        zeros = tf.zeros(tf.stack([tf.shape(questions)[0], H]), dtype=x.dtype)

        def one_step(carry, inputs):
            h, c = carry
            x_t, real = inputs
            h_new, c_new = lstm_step(x_t, h, c, P["Wx"], P["Wh"], P["b"])
            return tf.where(real[:, None], h_new, h), tf.where(real[:, None], c_new, c)

        hs, _ = tf.scan(one_step, (tf.transpose(x, [1, 0, 2]),
                                   tf.transpose(tf.not_equal(questions, 0))),
                        initializer=(zeros, zeros))
        return hs[-1]

    def call(self, grid, questions):
        P = self.params
        q = self.encode_question(questions)
        keys = tf.tensordot(grid, P["W_att_feat"], axes=1) + P["b_att"]
        e = tf.einsum("nla,a->nl", tf.tanh(keys + tf.expand_dims(q @ P["W_att_h"], 1)),
                      P["w_att"])
        alpha = tf.nn.softmax(e, axis=-1)
        z = tf.einsum("nl,nld->nd", alpha, grid)
        hidden = tf.tanh(q @ P["W_q"] + z @ P["W_z"] + P["b_hidden"])
        return hidden @ P["W_answer"] + P["b_answer"], alpha

    def loss(self, grid, questions, answers):
        scores, _ = self(grid, questions)
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(answers, scores))
''',
}

FLOAT64 = {
    "captioning_rnn_code": '''
class CaptioningRNN(keras.layers.Layer):
    """An image captioning model: image features start a recurrent language model."""

    def __init__(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128,
                 cell_type="rnn", dtype="float32", **kwargs):
        if cell_type not in ("rnn", "lstm"):
            raise ValueError(f'expected cell_type "rnn" or "lstm", got {cell_type!r}')
        if "<NULL>" not in word_to_idx:
            raise ValueError("expected word_to_idx to contain '<NULL>', got "
                             f"{sorted(word_to_idx)[:8]}...")
        super().__init__(dtype=dtype, **kwargs)
        self.word_to_idx = dict(word_to_idx)
        self.idx_to_word = {i: w for w, i in self.word_to_idx.items()}
        self.cell_type = cell_type
        self._null = self.word_to_idx["<NULL>"]
        self._start = self.word_to_idx.get("<START>")
        self._end = self.word_to_idx.get("<END>")
        V, D, W, H = len(self.word_to_idx), input_dim, wordvec_dim, hidden_dim
        G = 4 if cell_type == "lstm" else 1
        self.params = {}
        self.add_param("W_embed", (V, W), 1.0)
        self.add_image_weights(D, H, G)
        self.add_param("Wx", (W, G * H), W**-0.5)
        self.add_param("Wh", (H, G * H), H**-0.5)
        self.add_param("b", (G * H,), 0.0)
        self.add_param("W_vocab", (H, V), H**-0.5)
        self.add_param("b_vocab", (V,), 0.0)

    def add_param(self, name, shape, scale):
        init = keras.initializers.RandomNormal(stddev=scale) if scale else "zeros"
        self.params[name] = self.add_weight(shape=shape, initializer=init, name=name)

    def add_image_weights(self, D, H, G):
        self.add_param("W_proj", (D, H), D**-0.5)
        self.add_param("b_proj", (H,), 0.0)

    def initial_state(self, features):
        f64 = lambda v: tf.cast(v, tf.float64)
        h0 = f64(features) @ f64(self.params["W_proj"]) + f64(self.params["b_proj"])
        h0 = tf.cast(h0, features.dtype)
        return h0, tf.zeros_like(h0)

    def step(self, x, prev_h, prev_c, features):
        P = self.params
        if self.cell_type == "lstm":
            return lstm_step(x, prev_h, prev_c, P["Wx"], P["Wh"], P["b"])
        return rnn_step(x, prev_h, P["Wx"], P["Wh"], P["b"]), prev_c

    def _scores64(self, h):
        f64 = lambda v: tf.cast(v, tf.float64)
        return f64(h) @ f64(self.params["W_vocab"]) + f64(self.params["b_vocab"])

    def loss(self, features, captions):
        P = self.params
        captions_in, captions_out = captions[:, :-1], captions[:, 1:]
        h, c = self.initial_state(features)
        scores = []
        for t in range(captions_in.shape[1]):
            h, c = self.step(tf.gather(P["W_embed"], captions_in[:, t]), h, c, features)
            scores.append(self._scores64(h))
        log_probs = tf.nn.log_softmax(tf.stack(scores, axis=1))
        picked = tf.gather(log_probs, captions_out, batch_dims=2)
        picked = picked * tf.cast(captions_out != self._null, tf.float64)
        loss = -tf.reduce_sum(picked) / tf.cast(tf.shape(captions)[0], tf.float64)
        return tf.cast(loss, h.dtype)

    def sample(self, features, max_length=30):
        P = self.params
        h, c = self.initial_state(features)
        word = tf.fill(tf.shape(features)[:1], self._start)
        done = tf.zeros_like(word, dtype=tf.bool)
        words = []
        for _ in range(max_length):
            h, c = self.step(tf.gather(P["W_embed"], word), h, c, features)
            best = tf.argmax(self._scores64(h), axis=-1, output_type=tf.int32)
            words.append(tf.where(done, tf.zeros_like(best) + self._null, best))
            done = done | (words[-1] == self._end)
            word = best
        return tf.stack(words, axis=1)
''',
    "image_every_step_code": '''
class ImageEveryStepCaptioningRNN(CaptioningRNN):
    """`CaptioningRNN` whose image enters every step through a third weight matrix `W_img`."""

    def add_image_weights(self, D, H, G):
        self.add_param("W_img", (D, G * H), D**-0.5)

    def initial_state(self, features):
        H = self.params["Wh"].shape[0]
        h0 = tf.tile(tf.zeros_like(features[:, :1]), [1, H])
        return h0, h0

    def step(self, x, prev_h, prev_c, features):
        P = self.params
        f64 = lambda v: tf.cast(v, tf.float64)
        bias = tf.cast(f64(P["b"]) + f64(features) @ f64(P["W_img"]), x.dtype)
        if self.cell_type == "lstm":
            return lstm_step(x, prev_h, prev_c, P["Wx"], P["Wh"], bias)
        return rnn_step(x, prev_h, P["Wx"], P["Wh"], bias), prev_c
''',
    "image_encoder_code": '''
class ImageEncoder(keras.layers.Layer):
    """A small CNN: images -> a summary vector and an `L x D` grid of feature vectors."""

    def __init__(self, filters=(32, 64, 128), strides=(2, 2, 2), **kwargs):
        super().__init__(**kwargs)
        if len(filters) != len(strides):
            raise ValueError(f"expected as many strides as filters, got filters={filters} "
                             f"and strides={strides}")
        self.filters, self.strides = tuple(filters), tuple(strides)
        self.convs = [
            keras.layers.Conv2D(f, 3, strides=s, padding="same", name=f"conv{i + 1}",
                                dtype=self.dtype_policy)
            for i, (f, s) in enumerate(zip(self.filters, self.strides))
        ]

    def build(self, input_shape):
        channels = 5
        for conv in self.convs:
            conv.build((None, None, None, channels))
            channels = conv.filters

    def call(self, images):
        pixels = 4.0 * (images - 0.5)
        dtype = pixels.dtype
        x = tf.cast(pixels, tf.float64)
        N, R, C = tf.shape(x)[0], x.shape[1], x.shape[2]
        rows = tf.linspace(tf.constant(-1.0, tf.float64), 1.0, R)
        cols = tf.linspace(tf.constant(-1.0, tf.float64), 1.0, C)
        ones = tf.ones(tf.stack([N, R, C]), tf.float64)
        x = tf.concat([x, (ones * rows[:, None])[..., None], (ones * cols)[..., None]], axis=-1)
        for conv in self.convs:
            x = tf.nn.conv2d(x, tf.cast(conv.kernel, tf.float64), conv.strides, "SAME")
            x = tf.nn.relu(x + tf.cast(conv.bias, tf.float64))
        grid = tf.reshape(x, tf.stack([N, -1, x.shape[-1]]))
        return tf.cast(tf.reduce_mean(grid, axis=1), dtype), tf.cast(grid, dtype)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "strides": self.strides}
''',
    "make_train_step_code": '''
def make_train_step(model, optimizer, clip_norm=None):
    @tf.function(reduce_retracing=True)
    def step(inputs, targets):
        with tf.GradientTape() as tape:
            loss = model.loss(inputs, targets)
        variables = model.trainable_variables
        grads = tape.gradient(loss, variables)
        if clip_norm is not None:
            wide = [tf.cast(tf.convert_to_tensor(g), tf.float64) for g in grads]
            norm = tf.linalg.global_norm(wide)
            scale = tf.minimum(tf.constant(1.0, tf.float64), clip_norm / norm)
            grads = [tf.cast(g * scale, v.dtype) for g, v in zip(wide, variables)]
        optimizer.apply(grads, variables)
        return loss

    return step
''',
    "attention_weights_code": '''
def attention_weights(prev_h, keys, W_att_h, w_att):
    f64 = lambda v: tf.cast(v, tf.float64)
    hidden = tf.tanh(f64(keys) + tf.expand_dims(f64(prev_h) @ f64(W_att_h), 1))
    e = tf.squeeze(hidden @ f64(w_att)[:, None], -1)
    return tf.cast(tf.nn.softmax(e, axis=1), keys.dtype)
''',
    "context_vector_code": '''
def context_vector(alpha, grid):
    wide = tf.cast(alpha, tf.float64)[:, None, :] @ tf.cast(grid, tf.float64)  # (N, 1, D)
    return tf.cast(wide[:, 0, :], grid.dtype)
''',
    "attention_lstm_step_code": '''
def attention_lstm_step(x, prev_h, prev_c, context, Wx, Wh, Wz, b):
    f64 = lambda v: tf.cast(v, tf.float64)
    h, c = lstm_step(f64(x), f64(prev_h), f64(prev_c), f64(Wx), f64(Wh),
                     f64(b) + f64(context) @ f64(Wz))
    return tf.cast(h, x.dtype), tf.cast(c, x.dtype)
''',
    "attention_captioning_code": '''
class AttentionCaptioningLSTM(keras.layers.Layer):
    """An LSTM captioning model with soft attention over a grid of image features."""

    def __init__(self, word_to_idx, input_dim=128, wordvec_dim=32, hidden_dim=128,
                 attention_dim=64, dtype="float32", **kwargs):
        super().__init__(dtype=dtype, **kwargs)
        self.word_to_idx = dict(word_to_idx)
        self.idx_to_word = {i: w for w, i in self.word_to_idx.items()}
        self._null = self.word_to_idx["<NULL>"]
        self._start = self.word_to_idx.get("<START>")
        self._end = self.word_to_idx.get("<END>")
        V, D, W, H, A = len(self.word_to_idx), input_dim, wordvec_dim, hidden_dim, attention_dim
        self.params = {}
        for name, shape, scale in [
            ("W_init_h", (D, H), D**-0.5), ("b_init_h", (H,), 0.0),
            ("W_init_c", (D, H), D**-0.5), ("b_init_c", (H,), 0.0),
            ("W_embed", (V, W), 1.0),
            ("Wx", (W, 4 * H), W**-0.5), ("Wh", (H, 4 * H), H**-0.5),
            ("Wz", (D, 4 * H), D**-0.5), ("b", (4 * H,), 0.0),
            ("W_att_feat", (D, A), D**-0.5), ("b_att", (A,), 0.0),
            ("W_att_h", (H, A), H**-0.5), ("w_att", (A,), A**-0.5),
            ("W_vocab", (H, V), H**-0.5), ("W_vocab_z", (D, V), D**-0.5), ("b_vocab", (V,), 0.0),
        ]:
            init = keras.initializers.RandomNormal(stddev=scale) if scale else "zeros"
            self.params[name] = self.add_weight(shape=shape, initializer=init, name=name)

    def keys(self, grid):
        return grid @ self.params["W_att_feat"] + self.params["b_att"]

    def attend(self, prev_h, grid, keys):
        P = self.params
        alpha = attention_weights(prev_h, keys, P["W_att_h"], P["w_att"])
        return alpha, context_vector(alpha, grid)

    def initial_state(self, grid):
        P = self.params
        mean = tf.reduce_mean(grid, axis=1)  # (N, D)
        return mean @ P["W_init_h"] + P["b_init_h"], mean @ P["W_init_c"] + P["b_init_c"]

    def _scores(self, h, context):
        P = self.params
        f64 = lambda v: tf.cast(v, tf.float64)
        wide = f64(h) @ f64(P["W_vocab"]) + f64(context) @ f64(P["W_vocab_z"]) + f64(P["b_vocab"])
        return tf.cast(wide, h.dtype)

    def forward(self, grid, captions_in):
        P = self.params
        keys = self.keys(grid)
        h, c = self.initial_state(grid)
        scores, alphas = [], []
        for t in range(captions_in.shape[1]):
            alpha, context = self.attend(h, grid, keys)
            x = tf.gather(P["W_embed"], captions_in[:, t])
            h, c = attention_lstm_step(x, h, c, context, P["Wx"], P["Wh"], P["Wz"], P["b"])
            scores.append(self._scores(h, context))
            alphas.append(alpha)
        return tf.stack(scores, axis=1), tf.stack(alphas, axis=1)

    def loss(self, grid, captions):
        scores, _ = self.forward(grid, captions[:, :-1])
        targets = captions[:, 1:]
        wide = tf.cast(scores, tf.float64)
        nll = tf.reduce_logsumexp(wide, axis=-1) - tf.gather(wide, targets, batch_dims=2)
        nll = tf.where(targets == self._null, tf.zeros_like(nll), nll)
        return tf.cast(tf.reduce_mean(tf.reduce_sum(nll, axis=1)), scores.dtype)

    def sample(self, grid, max_length=30):
        P = self.params
        keys = self.keys(grid)
        h, c = self.initial_state(grid)
        word = tf.fill(tf.shape(grid)[:1], self._start)
        done = tf.zeros_like(word, dtype=tf.bool)
        words, alphas = [], []
        for _ in range(max_length):
            alpha, context = self.attend(h, grid, keys)
            h, c = attention_lstm_step(tf.gather(P["W_embed"], word), h, c, context, P["Wx"],
                                       P["Wh"], P["Wz"], P["b"])
            word = tf.argmax(self._scores(h, context), axis=-1, output_type=tf.int32)
            word = tf.where(done, tf.zeros_like(word) + self._null, word)
            words.append(word)
            alphas.append(alpha)
            done = done | (word == self._end)
        return tf.stack(words, axis=1), tf.stack(alphas, axis=1)
''',
    "sample_locations_code": '''
def sample_locations(alpha, u):
    cdf = tf.cumsum(tf.cast(alpha, tf.float64), axis=1)
    above = cdf > tf.cast(u, tf.float64)[:, None]
    first = tf.argmax(tf.cast(above, tf.int32), axis=1, output_type=tf.int32)
    return tf.where(tf.reduce_any(above, axis=1), first, tf.shape(alpha)[1] - 1)
''',
    "reinforce_loss_code": '''
def reinforce_loss(log_probs, rewards, baseline, mask):
    advantage = tf.cast(tf.stop_gradient(rewards - baseline), tf.float64)
    weighted = tf.cast(log_probs, tf.float64) * advantage[:, None]
    total = tf.reduce_sum(tf.boolean_mask(weighted, mask))
    return tf.cast(-total / tf.cast(tf.shape(log_probs)[0], tf.float64), log_probs.dtype)
''',
    "vqa_code": '''
class VQAModel(keras.layers.Layer):
    """Answers a question about an image: an LSTM question encoder, attention over the grid."""

    def __init__(self, vocab_size, num_answers, input_dim=64, wordvec_dim=32, hidden_dim=128,
                 attention_dim=64, dtype="float32", **kwargs):
        super().__init__(dtype=dtype, **kwargs)
        V, D, W, H, A, K = vocab_size, input_dim, wordvec_dim, hidden_dim, attention_dim, num_answers
        self.params = {}
        for name, shape, scale in [
            ("W_embed", (V, W), 1.0),
            ("Wx", (W, 4 * H), W**-0.5), ("Wh", (H, 4 * H), H**-0.5), ("b", (4 * H,), 0.0),
            ("W_att_feat", (D, A), D**-0.5), ("b_att", (A,), 0.0),
            ("W_att_h", (H, A), H**-0.5), ("w_att", (A,), A**-0.5),
            ("W_q", (H, H), H**-0.5), ("W_z", (D, H), D**-0.5), ("b_hidden", (H,), 0.0),
            ("W_answer", (H, K), H**-0.5), ("b_answer", (K,), 0.0),
        ]:
            init = keras.initializers.RandomNormal(stddev=scale) if scale else "zeros"
            self.params[name] = self.add_weight(shape=shape, initializer=init, name=name)

    def _wide(self, name):
        return tf.cast(self.params[name], tf.float64)

    def _encode64(self, questions):
        w = self._wide
        x = tf.gather(w("W_embed"), questions)
        H = self.params["Wh"].shape[0]
        h = tf.zeros(tf.stack([tf.shape(questions)[0], H]), tf.float64)
        c = h
        for t in range(questions.shape[1]):
            h_new, c_new = lstm_step(x[:, t], h, c, w("Wx"), w("Wh"), w("b"))
            real = tf.not_equal(questions[:, t], 0)[:, None]
            h, c = tf.where(real, h_new, h), tf.where(real, c_new, c)
        return h

    def encode_question(self, questions):
        return tf.cast(self._encode64(questions), self.compute_dtype)

    def call(self, grid, questions):
        w = self._wide
        q = self._encode64(questions)
        g = tf.cast(grid, tf.float64)
        keys = g @ w("W_att_feat") + w("b_att")
        alpha = attention_weights(q, keys, w("W_att_h"), w("w_att"))
        z = context_vector(alpha, g)
        hidden = tf.tanh(q @ w("W_q") + z @ w("W_z") + w("b_hidden"))
        scores = hidden @ w("W_answer") + w("b_answer")
        return tf.cast(scores, grid.dtype), tf.cast(alpha, grid.dtype)

    def loss(self, grid, questions, answers):
        scores, _ = self(grid, questions)
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(answers, scores))
''',
}

from corpus_helpers import compiled as _compiled  # noqa: E402


# Code from above, compiled: tf.function on model methods, and on the functions whose
# arguments are tensors. (Not on attention_weights, attention_lstm_step or reinforce_loss: the
# given `attend`, the models and the given hard-attention loss pass them keras.Variables, which a tf.function called inside another
# tf.function's trace cannot take as arguments, so the notebook's compiled training step
# would fail; called eagerly, as the grader calls them, they work.)
COMPILED = {
    "captioning_rnn_code": _compiled(OPS["captioning_rnn_code"],
                                     "    def loss(self, features, captions):",
                                     "    def sample(self, features, max_length=30):"),
    "image_every_step_code": _compiled(LOOPS["image_every_step_code"],
                                       "    def step(self, x, prev_h, prev_c, features):"),
    "image_encoder_code": _compiled(LOOPS["image_encoder_code"], "    def call(self, images):"),
    "context_vector_code": _compiled(FLOAT64["context_vector_code"],
                                     "def context_vector(alpha, grid):"),
    # not `forward`: the given hard-attention model collects a list of tensors while it runs
    "attention_captioning_code": _compiled(LOOPS["attention_captioning_code"],
                                           "    def loss(self, grid, captions):",
                                           "    def sample(self, grid, max_length=30):"),
    "sample_locations_code": _compiled(OPS["sample_locations_code"],
                                       "def sample_locations(alpha, u):"),
    "vqa_code": _compiled(OPS["vqa_code"], "    def encode_question(self, questions):",
                          "    def call(self, grid, questions):"),
}

SUBMISSIONS: dict[str, dict[str, str]] = {
    "ops": OPS,
    "loops": LOOPS,
    "float64": FLOAT64,
    "compiled": COMPILED,
}

_CELL_UNITS = {
    "captioning_rnn_code": ["captioning_rnn_loss", "captioning_rnn_sample"],
    "image_every_step_code": ["image_every_step"],
    "image_encoder_code": ["image_encoder"],
    "make_train_step_code": ["make_train_step"],
    "attention_weights_code": ["attention_weights"],
    "context_vector_code": ["context_vector"],
    "attention_lstm_step_code": ["attention_lstm_step"],
    "attention_captioning_code": ["attention_captioning_loss", "attention_captioning_sample"],
    "sample_locations_code": ["sample_locations"],
    "reinforce_loss_code": ["reinforce_loss"],
    "vqa_code": ["vqa_question_encoder", "vqa_model"],
}

UNITS: dict[str, list[str]] = {
    name: [unit for cell in cells for unit in _CELL_UNITS[cell]]
    for name, cells in SUBMISSIONS.items()
}
