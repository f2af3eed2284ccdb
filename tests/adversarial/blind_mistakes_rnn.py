"""Blind corpus of student mistakes for assignment 1 (rnn).

Written 2026-12-01 from the solution notebook (solutions/rnn/rnn.ipynb) and from what students
typically get wrong in a first RNN assignment, *without* seeing the declared known mistakes,
the other corpora (common mistakes, alternatives) or any of the grader's diagnoses. It exists
to measure how well the autograder names mistakes it was never tuned for.

Each entry maps a grade_id of a solution cell to plain text replacements applied to that cell's
source (every occurrence of `old` is replaced). One mistake per entry, phrased the way a student
would write it.
"""

MISTAKES = {
    # --- rnn_step_forward -------------------------------------------------------------------
    "rnn_step_forward: NumPy np.tanh and np.dot (values right, no gradient through the tape)": {
        "rnn_step_forward_code": [
            ("next_h = tf.tanh(x @ Wx + prev_h @ Wh + b)",
             "next_h = np.tanh(np.dot(x, Wx) + np.dot(prev_h, Wh) + b)"),
        ],
    },
    # --- rnn_step_backward ------------------------------------------------------------------
    "rnn_step_backward: tanh derivative taken of next_h again (1 - tanh(next_h)^2)": {
        "rnn_step_backward_code": [
            ("dz = dnext_h * (1 - next_h**2)",
             "dz = dnext_h * (1 - tf.tanh(next_h) ** 2)"),
        ],
    },
    "rnn_step_backward: dprev_h multiplies by Wh instead of Wh transposed": {
        "rnn_step_backward_code": [
            ("dprev_h = dz @ tf.transpose(Wh)", "dprev_h = tf.matmul(dz, Wh)"),
        ],
    },
    # --- rnn_forward ------------------------------------------------------------------------
    "rnn_forward: every step starts from h0 (state not carried)": {
        "rnn_forward_code": [
            ("        prev_h = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)\n"
             "        states.append(prev_h)\n",
             "        next_h = rnn_step_forward(x[:, t, :], h0, Wx, Wh, b)\n"
             "        states.append(next_h)\n"),
        ],
    },
    # --- rnn_backward -----------------------------------------------------------------------
    "rnn_backward: gradient from step t+1 not added to dh[:, t]": {
        "rnn_backward_code": [
            ("dh[:, t, :] + dprev_h, h[:, t, :]", "dh[:, t, :], h[:, t, :]"),
        ],
    },
    "rnn_backward: previous state taken at t instead of t-1": {
        "rnn_backward_code": [
            ("prev_h = h[:, t - 1, :] if t > 0 else h0", "prev_h = h[:, t, :] if t > 0 else h0"),
        ],
    },
    "rnn_backward: weight gradients overwritten each step instead of summed over time": {
        "rnn_backward_code": [
            ("dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t",
             "dWx, dWh, db = dWx_t, dWh_t, db_t"),
        ],
    },
    "rnn_backward: loop runs forward in time (t = 0 .. T-1)": {
        "rnn_backward_code": [
            ("for t in reversed(range(T)):", "for t in range(T):"),
        ],
    },
    # --- word_embedding_forward ---------------------------------------------------------------
    "word_embedding_forward: NumPy np.take (values right, no gradient into W_embed)": {
        "word_embedding_forward_code": [
            ("out = tf.gather(W_embed, x)", "out = np.take(W_embed, x, axis=0)"),
        ],
    },
    # --- temporal_affine_forward --------------------------------------------------------------
    "temporal_affine_forward: flattened time-major, reshaped back batch-major": {
        "temporal_affine_forward_code": [
            ('    out = tf.einsum("ntd,dm->ntm", x, w) + b\n',
             "    N, T, D = tf.shape(x)[0], x.shape[1], x.shape[2]\n"
             "    flat = tf.reshape(tf.transpose(x, [1, 0, 2]), [-1, D])\n"
             "    out = tf.reshape(flat @ w + b, [N, T, -1])\n"),
        ],
    },
    # --- temporal_softmax_loss ----------------------------------------------------------------
    "temporal_softmax_loss: log of softmax instead of log_softmax (unstable)": {
        "temporal_softmax_loss_code": [
            ("log_probs = tf.nn.log_softmax(x, axis=-1)",
             "log_probs = tf.math.log(tf.nn.softmax(x, axis=-1))"),
        ],
    },
    "temporal_softmax_loss: softmax taken over the time axis": {
        "temporal_softmax_loss_code": [
            ("log_probs = tf.nn.log_softmax(x, axis=-1)", "log_probs = tf.nn.log_softmax(x, axis=1)"),
        ],
    },
    # --- VanillaRNN ---------------------------------------------------------------------------
    "VanillaRNN: initial_state ignored, always starts from zeros": {
        "VanillaRNN_code": [
            ("        if initial_state is None:\n"
             "            initial_state = tf.zeros((tf.shape(x)[0], self.units), dtype=x.dtype)\n"
             "        h = rnn_forward(x, initial_state, self.Wx, self.Wh, self.b)\n",
             "        h0 = tf.zeros((tf.shape(x)[0], self.units), dtype=x.dtype)\n"
             "        h = rnn_forward(x, h0, self.Wx, self.Wh, self.b)\n"),
        ],
    },
    # --- MultilayerRNN ------------------------------------------------------------------------
    "MultilayerRNN: every layer gets the stack's return_sequences": {
        "MultilayerRNN_code": [
            ("return_sequences=(k < last or self.return_sequences)",
             "return_sequences=self.return_sequences"),
        ],
    },
    # --- CharRNN ------------------------------------------------------------------------------
    "CharRNN: initial_state not passed on to the RNN": {
        "CharRNN_code": [
            ("h = self.rnn(word_embedding_forward(ids, self.W_embed), initial_state=initial_state)",
             "h = self.rnn(word_embedding_forward(ids, self.W_embed))"),
        ],
    },
    # --- train_step ---------------------------------------------------------------------------
    "train_step: each gradient clipped on its own instead of by global norm": {
        "train_step_code": [
            ("    grads, grad_norm = tf.clip_by_global_norm(grads, max_norm)\n",
             "    grad_norm = tf.linalg.global_norm(grads)\n"
             "    grads = [tf.clip_by_norm(g, max_norm) for g in grads]\n"),
        ],
    },
    # --- sample -------------------------------------------------------------------------------
    "sample: probabilities (softmax) given to stateless_categorical, which expects logits": {
        "sample_code": [
            ("last / temperature, 1, seed=[seed, t]",
             "tf.nn.softmax(last / temperature), 1, seed=[seed, t]"),
        ],
    },
    # --- tbptt_step / train_tbptt -------------------------------------------------------------
    "tbptt_step: every chunk starts from a zero state (carried state not used)": {
        "tbptt_step_code": [
            ("model(inputs, initial_state=h, return_state=True, training=True)",
             "model(inputs, return_state=True, training=True)"),
        ],
    },
    "train_tbptt: targets not shifted by one (the model predicts its own input)": {
        "train_tbptt_code": [
            ("targets = stream[:, c * k + 1:(c + 1) * k + 1]",
             "targets = stream[:, c * k:(c + 1) * k]"),
        ],
    },
    # --- SentimentClassifier ------------------------------------------------------------------
    "SentimentClassifier: reads the state at the last (padded) step": {
        "SentimentClassifier_code": [
            ("        lengths = tf.reduce_sum(tf.cast(tf.not_equal(ids, 0), tf.int32), axis=1)\n"
             "        last = tf.gather(h, lengths - 1, batch_dims=1)\n",
             "        last = h[:, -1, :]\n"),
        ],
    },
    # --- FrameClassifier ----------------------------------------------------------------------
    "FrameClassifier: returns softmax probabilities instead of scores": {
        "FrameClassifier_code": [
            ("scores = temporal_affine_forward(self.rnn(x), self.W_out, self.b_out)",
             "scores = tf.nn.softmax(temporal_affine_forward(self.rnn(x), self.W_out, self.b_out))"),
        ],
    },
}

VALUE_PRESERVING = {}
