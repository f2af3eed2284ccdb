"""Second blind corpus of student mistakes for assignment 4 (captioning).

Written on 2026-12-01 from the solution notebook and from what students typically get wrong,
without seeing the declared known mistakes, the other corpora or the grader's diagnoses. Each
entry is one mistake, written the way a student would write the code (their own phrasing), as
plain text replacements in the source of one graded solution cell.
"""

MISTAKES = {
    "CaptioningRNN.initial_state: tanh squashing the projected h0": {
        "captioning_rnn_code": [(
            "        h0 = features @ self.params[\"W_proj\"] + self.params[\"b_proj\"]\n",
            "        h0 = tf.tanh(tf.matmul(features, self.params[\"W_proj\"]) + self.params[\"b_proj\"])\n",
        )],
    },
    "CaptioningRNN.loss: mask built from the input words instead of the targets": {
        "captioning_rnn_code": [(
            "        mask = tf.cast(captions_out != self._null, features.dtype)  # (N, T)\n",
            "        mask = tf.cast(tf.not_equal(captions_in, self._null), features.dtype)\n",
        )],
    },
    "CaptioningRNN.sample: hidden state reset to h0 at every step": {
        "captioning_rnn_code": [(
            "            h, c = self.step(tf.gather(P[\"W_embed\"], word), h, c, features)\n",
            "            h0, c0 = self.initial_state(features)\n"
            "            h, c = self.step(tf.gather(P[\"W_embed\"], word), h0, c0, features)\n",
        )],
    },
    "ImageEveryStepCaptioningRNN.step: bias b added twice to the per-image bias": {
        "image_every_step_code": [(
            "        bias = P[\"b\"] + features @ P[\"W_img\"]  # (N, G*H)\n",
            "        image_term = features @ P[\"W_img\"] + P[\"b\"]  # (N, G*H)\n"
            "        bias = P[\"b\"] + image_term\n",
        )],
    },
    "ImageEncoder: tf.meshgrid's xy indexing swaps the row and column channels": {
        "image_encoder_code": [(
            "        rows = tf.broadcast_to(coords[None, :, None, None], [N, S, S, 1])\n"
            "        cols = tf.broadcast_to(coords[None, None, :, None], [N, S, S, 1])\n",
            "        row_map, col_map = tf.meshgrid(coords, coords)  # (S, S) each\n"
            "        rows = tf.broadcast_to(row_map[None, :, :, None], [N, S, S, 1])\n"
            "        cols = tf.broadcast_to(col_map[None, :, :, None], [N, S, S, 1])\n",
        )],
    },
    "ImageEncoder: no ReLU after the last convolution": {
        "image_encoder_code": [(
            "        for conv in self.convs:\n"
            "            x = tf.nn.relu(conv(x))\n",
            "        for k, conv in enumerate(self.convs):\n"
            "            x = conv(x)\n"
            "            if k < len(self.convs) - 1:\n"
            "                x = tf.nn.relu(x)  # keep the last layer linear\n",
        )],
    },
    "make_train_step: gradients clipped by value instead of by global norm": {
        "make_train_step_code": [(
            "            grads, _ = tf.clip_by_global_norm(grads, clip_norm)\n",
            "            grads = [tf.clip_by_value(g, -clip_norm, clip_norm) for g in grads]\n",
        )],
    },
    "attention_weights: tanh missing from the scoring network": {
        "attention_weights_code": [(
            "    hidden = tf.tanh(keys + (prev_h @ W_att_h)[:, None, :])  # (N, L, A)\n",
            "    hidden = keys + tf.expand_dims(prev_h @ W_att_h, axis=1)  # (N, L, A)\n",
        )],
    },
    "attention_weights: hand-written softmax with keepdims forgotten in the denominator": {
        "attention_weights_code": [(
            "    alpha = tf.nn.softmax(scores, axis=-1)\n",
            "    e = tf.exp(scores - tf.reduce_max(scores, axis=-1, keepdims=True))\n"
            "    alpha = e / tf.reduce_sum(e, axis=-1)\n",
        )],
    },
    "context_vector: mean over locations instead of the weighted sum": {
        "context_vector_code": [(
            "    context = tf.reduce_sum(alpha[:, :, None] * grid, axis=1)\n",
            "    context = tf.reduce_mean(tf.expand_dims(alpha, -1) * grid, axis=1)\n",
        )],
    },
    "attention_lstm_step: context @ Wz passed as the bias, b dropped": {
        "attention_lstm_step_code": [(
            "    next_h, next_c = lstm_step(x, prev_h, prev_c, Wx, Wh, b + context @ Wz)\n",
            "    next_h, next_c = lstm_step(x, prev_h, prev_c, Wx, Wh, context @ Wz)\n",
        )],
    },
    "AttentionCaptioningLSTM.forward: deep-output term context @ W_vocab_z missing": {
        "attention_captioning_code": [(
            "        scores = (tf.stack(states, axis=1) @ P[\"W_vocab\"]  # (N, T, V)\n"
            "                  + tf.stack(contexts, axis=1) @ P[\"W_vocab_z\"] + P[\"b_vocab\"])\n",
            "        scores = tf.stack(states, axis=1) @ P[\"W_vocab\"] + P[\"b_vocab\"]  # (N, T, V)\n",
        )],
    },
    "AttentionCaptioningLSTM.loss: padding not masked (sparse cross-entropy over every step)": {
        "attention_captioning_code": [(
            "        mask = tf.cast(captions_out != self._null, scores.dtype)\n"
            "        log_probs = tf.gather(tf.nn.log_softmax(scores), captions_out, batch_dims=2)\n"
            "        loss = -tf.reduce_sum(log_probs * mask) / tf.cast(tf.shape(grid)[0], scores.dtype)\n",
            "        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=captions_out,\n"
            "                                                                logits=scores)\n"
            "        loss = tf.reduce_sum(losses) / tf.cast(tf.shape(grid)[0], scores.dtype)\n",
        )],
    },
    "AttentionCaptioningLSTM.sample: attention recomputed from the new h before scoring": {
        "attention_captioning_code": [(
            "            scores = h @ P[\"W_vocab\"] + context @ P[\"W_vocab_z\"] + P[\"b_vocab\"]\n",
            "            alpha, context = self.attend(h, grid, keys)  # look where the new state says\n"
            "            scores = h @ P[\"W_vocab\"] + context @ P[\"W_vocab_z\"] + P[\"b_vocab\"]\n",
        )],
    },
    "sample_locations: exclusive cumulative sum, one location too far": {
        "sample_locations_code": [(
            "    cdf = tf.cumsum(alpha, axis=1)  # (N, L)\n",
            "    cdf = tf.cumsum(alpha, axis=1, exclusive=True)  # (N, L)\n",
        )],
    },
    "reinforce_loss: stop_gradient around advantage * log_probs (no policy gradient)": {
        "reinforce_loss_code": [(
            "    advantage = tf.stop_gradient(rewards - baseline)  # (N,)\n"
            "    weights = tf.cast(mask, log_probs.dtype)\n"
            "    total = tf.reduce_sum(advantage[:, None] * log_probs * weights)\n",
            "    weights = tf.cast(mask, log_probs.dtype)\n"
            "    advantage = rewards - baseline\n"
            "    total = tf.reduce_sum(tf.stop_gradient(advantage[:, None] * log_probs) * weights)\n",
        )],
    },
    "VQAModel.encode_question: padding mask ignored, q is the state after the last <NULL>": {
        "vqa_code": [(
            "            real = (questions[:, t] != 0)[:, None]  # (N, 1)\n"
            "            h, c = tf.where(real, next_h, h), tf.where(real, next_c, c)\n",
            "            h, c = next_h, next_c\n",
        )],
    },
}

VALUE_PRESERVING = {}
