"""Blind corpus of student mistakes for assignment 4 (captioning).

Written 2026-12-01 from the solution notebook (solutions/captioning/captioning.ipynb) and from
what students typically get wrong with captioning models, soft and hard attention and VQA,
*without* seeing the declared known mistakes, the other corpora (common mistakes, alternatives)
or any of the grader's diagnoses. It exists to measure how well the autograder names mistakes it
was never tuned for.

Each entry maps a grade_id of a solution cell to plain text replacements applied to that cell's
source (every occurrence of `old` is replaced). One mistake per entry, phrased the way a student
would write it.
"""

MISTAKES = {
    # --- CaptioningRNN ------------------------------------------------------------------------
    "CaptioningRNN.initial_state: tanh applied to the projected h0": {
        "captioning_rnn_code": [
            ('h0 = features @ self.params["W_proj"] + self.params["b_proj"]',
             'h0 = tf.tanh(features @ self.params["W_proj"] + self.params["b_proj"])'),
        ],
    },
    "CaptioningRNN.loss: inputs and targets shifted the wrong way round": {
        "captioning_rnn_code": [
            ("captions_in, captions_out = captions[:, :-1], captions[:, 1:]",
             "captions_in, captions_out = captions[:, 1:], captions[:, :-1]"),
        ],
    },
    "CaptioningRNN.loss: word vectors looked up with np.take (values right, no gradient into W_embed)": {
        "captioning_rnn_code": [
            ('x = tf.gather(P["W_embed"], captions_in)  # (N, T, W)',
             'x = np.take(P["W_embed"], captions_in, axis=0)  # (N, T, W)'),
        ],
    },
    "CaptioningRNN.loss: log of softmax instead of log_softmax (unstable)": {
        "captioning_rnn_code": [
            ("tf.gather(tf.nn.log_softmax(scores), captions_out, batch_dims=2)",
             "tf.gather(tf.math.log(tf.nn.softmax(scores)), captions_out, batch_dims=2)"),
        ],
    },
    "CaptioningRNN.sample: done updated before masking, so <END> becomes <NULL>": {
        "captioning_rnn_code": [
            ("            word = tf.where(done, self._null, word)\n"
             "            words.append(word)\n"
             "            done = done | (word == self._end)\n",
             "            done = done | (word == self._end)\n"
             "            word = tf.where(done, self._null, word)\n"
             "            words.append(word)\n"),
        ],
    },
    # --- ImageEveryStepCaptioningRNN ----------------------------------------------------------
    "ImageEveryStepCaptioningRNN.step: b left out of the per-image bias": {
        "image_every_step_code": [
            ('bias = P["b"] + features @ P["W_img"]  # (N, G*H)',
             'bias = features @ P["W_img"]  # (N, G*H)'),
        ],
    },
    # --- ImageEncoder -------------------------------------------------------------------------
    "ImageEncoder: coordinate channels appended as column, row": {
        "image_encoder_code": [
            ("x = tf.concat([pixels, rows, cols], axis=-1)", "x = tf.concat([pixels, cols, rows], axis=-1)"),
        ],
    },
    "ImageEncoder: no ReLU after the last convolution": {
        "image_encoder_code": [
            ("        for conv in self.convs:\n"
             "            x = tf.nn.relu(conv(x))\n",
             "        for conv in self.convs[:-1]:\n"
             "            x = tf.nn.relu(conv(x))\n"
             "        x = self.convs[-1](x)\n"),
        ],
    },
    "ImageEncoder: summary sums the grid instead of averaging it": {
        "image_encoder_code": [
            ("summary = tf.reduce_mean(grid, axis=1)", "summary = tf.reduce_sum(grid, axis=1)"),
        ],
    },
    # --- make_train_step ----------------------------------------------------------------------
    "make_train_step: clip_by_global_norm called but its result thrown away": {
        "make_train_step_code": [
            ("            grads, _ = tf.clip_by_global_norm(grads, clip_norm)\n",
             "            tf.clip_by_global_norm(grads, clip_norm)\n"),
        ],
    },
    # --- attention_weights --------------------------------------------------------------------
    "attention_weights: softmax over the batch axis": {
        "attention_weights_code": [
            ("alpha = tf.nn.softmax(scores, axis=-1)", "alpha = tf.nn.softmax(scores, axis=0)"),
        ],
    },
    "attention_weights: no tanh in the scoring network": {
        "attention_weights_code": [
            ("hidden = tf.tanh(keys + (prev_h @ W_att_h)[:, None, :])",
             "hidden = keys + (prev_h @ W_att_h)[:, None, :]"),
        ],
    },
    # --- context_vector -----------------------------------------------------------------------
    "context_vector: mean over the locations instead of the weighted sum": {
        "context_vector_code": [
            ("context = tf.reduce_sum(alpha[:, :, None] * grid, axis=1)",
             "context = tf.reduce_mean(alpha[:, :, None] * grid, axis=1)"),
        ],
    },
    # --- attention_lstm_step ------------------------------------------------------------------
    "attention_lstm_step: LSTM step written out with the gates in the order i, f, g, o": {
        "attention_lstm_step_code": [
            ("    next_h, next_c = lstm_step(x, prev_h, prev_c, Wx, Wh, b + context @ Wz)\n",
             "    a = x @ Wx + prev_h @ Wh + context @ Wz + b\n"
             "    a_i, a_f, a_g, a_o = tf.split(a, 4, axis=1)\n"
             "    next_c = tf.sigmoid(a_f) * prev_c + tf.sigmoid(a_i) * tf.tanh(a_g)\n"
             "    next_h = tf.sigmoid(a_o) * tf.tanh(next_c)\n"),
        ],
    },
    # --- AttentionCaptioningLSTM --------------------------------------------------------------
    "AttentionCaptioningLSTM.forward: word scores without the context term": {
        "attention_captioning_code": [
            ('        scores = (tf.stack(states, axis=1) @ P["W_vocab"]  # (N, T, V)\n'
             '                  + tf.stack(contexts, axis=1) @ P["W_vocab_z"] + P["b_vocab"])\n',
             '        scores = tf.stack(states, axis=1) @ P["W_vocab"] + P["b_vocab"]  # (N, T, V)\n'),
        ],
    },
    "AttentionCaptioningLSTM.loss: targets not shifted (the model predicts its input word)": {
        "attention_captioning_code": [
            ("captions_in, captions_out = captions[:, :-1], captions[:, 1:]",
             "captions_in, captions_out = captions[:, :-1], captions[:, :-1]"),
        ],
    },
    "AttentionCaptioningLSTM.sample: words after <END> not replaced by <NULL>": {
        "attention_captioning_code": [
            ("            word = tf.where(done, self._null, word)\n", ""),
        ],
    },
    # --- sample_locations ---------------------------------------------------------------------
    "sample_locations: cumsum without axis (runs over the batch)": {
        "sample_locations_code": [
            ("cdf = tf.cumsum(alpha, axis=1)", "cdf = tf.cumsum(alpha)"),
        ],
    },
    # --- reinforce_loss -----------------------------------------------------------------------
    "reinforce_loss: no stop_gradient on the advantage": {
        "reinforce_loss_code": [
            ("advantage = tf.stop_gradient(rewards - baseline)", "advantage = rewards - baseline"),
        ],
    },
    "reinforce_loss: mean over batch and time instead of sum / N": {
        "reinforce_loss_code": [
            ("    total = tf.reduce_sum(advantage[:, None] * log_probs * weights)\n"
             "    loss = -total / tf.cast(tf.shape(log_probs)[0], log_probs.dtype)\n",
             "    loss = -tf.reduce_mean(advantage[:, None] * log_probs * weights)\n"),
        ],
    },
    # --- VQAModel -----------------------------------------------------------------------------
    "VQAModel.encode_question: padding not masked (state after the last padded step)": {
        "vqa_code": [
            ("h, c = tf.where(real, next_h, h), tf.where(real, next_c, c)", "h, c = next_h, next_c"),
        ],
    },
    "VQAModel.call: softmax applied to the answer scores": {
        "vqa_code": [
            ('scores = hidden @ P["W_answer"] + P["b_answer"]',
             'scores = tf.nn.softmax(hidden @ P["W_answer"] + P["b_answer"])'),
        ],
    },
}

VALUE_PRESERVING = {}
