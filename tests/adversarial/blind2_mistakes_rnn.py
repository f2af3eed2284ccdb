"""Second blind corpus of student mistakes for assignment 1 (rnn).

Written on 2026-12-01 from the solution notebook and from what students typically get wrong,
without seeing the declared known mistakes, the other corpora or the grader's diagnoses. Each
entry is one mistake, written the way a student would write the code (their own phrasing), as
plain text replacements in the source of one graded solution cell.
"""

MISTAKES = {
    "rnn_step_forward: sigmoid instead of tanh": {
        "rnn_step_forward_code": [(
            "    next_h = tf.tanh(x @ Wx + prev_h @ Wh + b)\n",
            "    pre_activation = tf.matmul(x, Wx) + tf.matmul(prev_h, Wh) + b\n"
            "    next_h = tf.sigmoid(pre_activation)\n",
        )],
    },
    "rnn_step_backward: tanh derivative taken of tanh(next_h) instead of next_h": {
        "rnn_step_backward_code": [(
            "    dz = dnext_h * (1 - next_h**2)\n",
            "    dtanh = 1 - tf.tanh(next_h) ** 2  # derivative of tanh\n"
            "    dz = dnext_h * dtanh\n",
        )],
    },
    "rnn_forward: hidden state not carried (every step starts from h0)": {
        "rnn_forward_code": [(
            "    states = []\n"
            "    prev_h = h0\n"
            "    for t in range(x.shape[1]):\n"
            "        prev_h = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)\n"
            "        states.append(prev_h)\n"
            "    h = tf.stack(states, axis=1)\n",
            "    N, T, D = x.shape\n"
            "    hs = []\n"
            "    for t in range(T):\n"
            "        h_t = rnn_step_forward(x[:, t, :], h0, Wx, Wh, b)\n"
            "        hs.append(h_t)\n"
            "    h = tf.stack(hs, axis=1)\n",
        )],
    },
    "rnn_backward: time loop runs forwards (t = 0 .. T-1)": {
        "rnn_backward_code": [(
            "    for t in reversed(range(T)):\n",
            "    for t in range(T):\n",
        )],
    },
    "rnn_backward: gradient from step t+1 not added to dh[:, t]": {
        "rnn_backward_code": [(
            "            dh[:, t, :] + dprev_h, h[:, t, :], x[:, t, :], prev_h, Wx, Wh)\n",
            "            dh[:, t, :], h[:, t, :], x[:, t, :], prev_h, Wx, Wh)\n",
        )],
    },
    "word_embedding_forward: NumPy fancy indexing (no gradient reaches W_embed)": {
        "word_embedding_forward_code": [(
            "    out = tf.gather(W_embed, x)\n",
            "    out = np.asarray(W_embed)[np.asarray(x)]\n",
        )],
    },
    "temporal_softmax_loss: normalised by the number of counted steps instead of N": {
        "temporal_softmax_loss_code": [(
            "    loss = -tf.reduce_sum(picked * weights) / tf.cast(tf.shape(x)[0], x.dtype)\n",
            "    num_counted = tf.reduce_sum(weights)\n"
            "    loss = -tf.reduce_sum(picked * weights) / num_counted\n",
        )],
    },
    "temporal_softmax_loss: naive log(softmax) with exp, unstable for large scores": {
        "temporal_softmax_loss_code": [(
            "    log_probs = tf.nn.log_softmax(x, axis=-1)\n",
            "    exp_scores = tf.exp(x)\n"
            "    probs = exp_scores / tf.reduce_sum(exp_scores, axis=-1, keepdims=True)\n"
            "    log_probs = tf.math.log(probs)\n",
        )],
    },
    "VanillaRNN: initial_state argument ignored (always zeros)": {
        "VanillaRNN_code": [(
            "        if initial_state is None:\n"
            "            initial_state = tf.zeros((tf.shape(x)[0], self.units), dtype=x.dtype)\n"
            "        h = rnn_forward(x, initial_state, self.Wx, self.Wh, self.b)\n",
            "        h0 = tf.zeros((tf.shape(x)[0], self.units), dtype=x.dtype)\n"
            "        h = rnn_forward(x, h0, self.Wx, self.Wh, self.b)\n",
        )],
    },
    "MultilayerRNN: every layer returns sequences, the stack's return_sequences ignored": {
        "MultilayerRNN_code": [(
            "        last = len(self.hidden_sizes) - 1\n"
            "        for k, size in enumerate(self.hidden_sizes):\n"
            "            self.rnn_layers.append(VanillaRNN(\n"
            "                size, return_sequences=(k < last or self.return_sequences),\n"
            "                name=f\"rnn_{k}\", dtype=self.dtype_policy))\n",
            "        for k in range(len(self.hidden_sizes)):\n"
            "            layer = VanillaRNN(self.hidden_sizes[k], return_sequences=True,\n"
            "                               name=f\"rnn_{k}\", dtype=self.dtype_policy)\n"
            "            self.rnn_layers.append(layer)\n",
        )],
    },
    "train_step: each gradient clipped to max_norm on its own instead of by global norm": {
        "train_step_code": [(
            "    grads, grad_norm = tf.clip_by_global_norm(grads, max_norm)\n",
            "    grad_norm = tf.linalg.global_norm(grads)\n"
            "    grads = [tf.clip_by_norm(g, max_norm) for g in grads]\n",
        )],
    },
    "sample: temperature multiplies the scores instead of dividing them": {
        "sample_code": [(
            "                last / temperature, 1, seed=[seed, t], dtype=tf.int32)[:, 0]\n",
            "                last * temperature, 1, seed=[seed, t], dtype=tf.int32)[:, 0]\n",
        )],
    },
    "sample: hidden state not fed back, every generated step restarts from zeros": {
        "sample_code": [(
            "        scores, h = model(next_ids[:, None], initial_state=h, return_state=True)\n",
            "        scores, h = model(tf.expand_dims(next_ids, 1), return_state=True)\n",
        )],
    },
    "train_tbptt: targets not shifted by one (model learns to copy its input)": {
        "train_tbptt_code": [(
            "        targets = stream[:, c * k + 1:(c + 1) * k + 1]\n",
            "        targets = stream[:, c * k:(c + 1) * k]\n",
        )],
    },
    "tbptt_step: mask built from targets != 0, so id 0 is treated as padding": {
        "tbptt_step_code": [(
            "        loss = temporal_softmax_loss(scores, targets, tf.ones_like(targets, dtype=tf.bool))\n",
            "        mask = tf.not_equal(targets, 0)  # ignore padding\n"
            "        loss = temporal_softmax_loss(scores, targets, mask)\n",
        )],
    },
    "SentimentClassifier: reads the state at step T-1 (padding) instead of the last real word": {
        "SentimentClassifier_code": [(
            "        lengths = tf.reduce_sum(tf.cast(tf.not_equal(ids, 0), tf.int32), axis=1)\n"
            "        last = tf.gather(h, lengths - 1, batch_dims=1)\n",
            "        last = h[:, -1, :]  # the state after the whole sentence\n",
        )],
    },
    "FrameClassifier: softmax applied to the returned scores": {
        "FrameClassifier_code": [(
            "        scores = temporal_affine_forward(self.rnn(x), self.W_out, self.b_out)\n",
            "        h = self.rnn(x)\n"
            "        scores = tf.nn.softmax(temporal_affine_forward(h, self.W_out, self.b_out), axis=-1)\n",
        )],
    },
}

VALUE_PRESERVING = {}
