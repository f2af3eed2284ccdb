"""Common student mistakes in the ``captioning`` assignment: the corpus of
``autograder.mistake_audit``.

Written from what students get wrong in CS231n's captioning code (the shift between input and
target words, the ``<NULL>`` mask, greedy sampling's feedback, the soft-attention softmax and
weighted sum), independently of the declared known mistakes
(``autograder/mistakes/captioning.py``), in textual forms of their own. Format: see
``common_mistakes_rnn.py``.

Only the units that are settled: ``CaptioningRNN`` (loss and sample), the image-every-step
variant, the CNN encoder, the training step and soft attention. The hard-attention units
(``sample_locations``, ``reinforce_loss``) and the VQA units are being changed by other
engineers and are left out on purpose.
"""

MISTAKES = {
    # CaptioningRNN: initial state, loss, sample
    "rnn: h0 without the projection bias": {"captioning_rnn_code": [
        ('h0 = features @ self.params["W_proj"] + self.params["b_proj"]',
         'h0 = tf.matmul(features, self.params["W_proj"])')]},
    "rnn: tanh on h0": {"captioning_rnn_code": [
        ('h0 = features @ self.params["W_proj"] + self.params["b_proj"]',
         'h0 = tf.tanh(features @ self.params["W_proj"] + self.params["b_proj"])')]},
    "rnn loss: targets not shifted": {"captioning_rnn_code": [
        ("captions_in, captions_out = captions[:, :-1], captions[:, 1:]",
         "captions_in, captions_out = captions[:, :-1], captions[:, :-1]")]},
    "rnn loss: <NULL> counted": {"captioning_rnn_code": [
        ("loss = -tf.reduce_sum(log_probs * mask) / tf.cast(tf.shape(features)[0], features.dtype)",
         "loss = -tf.reduce_sum(log_probs) / tf.cast(tf.shape(features)[0], features.dtype)")]},
    "rnn loss: mean over words": {"captioning_rnn_code": [
        ("loss = -tf.reduce_sum(log_probs * mask) / tf.cast(tf.shape(features)[0], features.dtype)",
         "loss = -tf.reduce_mean(log_probs * mask)")]},
    "rnn loss: mask from the input words": {"captioning_rnn_code": [
        ("mask = tf.cast(captions_out != self._null, features.dtype)",
         "mask = tf.cast(captions_in != self._null, features.dtype)")]},
    "rnn loss: cell state restarted every step": {"captioning_rnn_code": [
        ("h, c = self.step(x[:, t], h, c, features)",
         "h, c = self.step(x[:, t], h, tf.zeros_like(c), features)")]},
    "rnn loss: log of softmax": {"captioning_rnn_code": [
        ("tf.gather(tf.nn.log_softmax(scores), captions_out, batch_dims=2)",
         "tf.gather(tf.math.log(tf.nn.softmax(scores)), captions_out, batch_dims=2)")]},
    "rnn sample: words after <END> kept": {"captioning_rnn_code": [
        ("            word = tf.where(done, self._null, word)\n", "")]},
    "rnn sample: <START> fed at every step": {"captioning_rnn_code": [
        ('h, c = self.step(tf.gather(P["W_embed"], word), h, c, features)',
         'h, c = self.step(tf.gather(P["W_embed"], tf.fill([N], self._start)), h, c, features)')]},
    # image every step
    "every step: image bias left out": {"image_every_step_code": [
        ('bias = P["b"] + features @ P["W_img"]', 'bias = P["b"]')]},
    # ImageEncoder
    "encoder: no ReLU": {"image_encoder_code": [("x = tf.nn.relu(conv(x))", "x = conv(x)")]},
    "encoder: coordinate channels swapped": {"image_encoder_code": [
        ("tf.concat([pixels, rows, cols], axis=-1)", "tf.concat([pixels, cols, rows], axis=-1)")]},
    "encoder: summary is a sum": {"image_encoder_code": [
        ("summary = tf.reduce_mean(grid, axis=1)", "summary = tf.reduce_sum(grid, axis=1)")]},
    "encoder: column-major grid": {"image_encoder_code": [
        ("grid = tf.reshape(x, [N, x.shape[1] * x.shape[2], x.shape[3]])",
         "grid = tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [N, x.shape[1] * x.shape[2], x.shape[3]])")]},
    # make_train_step
    "train step: clipping result discarded": {"make_train_step_code": [
        ("grads, _ = tf.clip_by_global_norm(grads, clip_norm)",
         "tf.clip_by_global_norm(grads, clip_norm)")]},
    # soft attention
    "attention weights: softmax over the batch": {"attention_weights_code": [
        ("alpha = tf.nn.softmax(scores, axis=-1)", "alpha = tf.nn.softmax(scores, axis=0)")]},
    "attention weights: no tanh": {"attention_weights_code": [
        ("hidden = tf.tanh(keys + (prev_h @ W_att_h)[:, None, :])",
         "hidden = keys + (prev_h @ W_att_h)[:, None, :]")]},
    "attention weights: unnormalised scores": {"attention_weights_code": [
        ("alpha = tf.nn.softmax(scores, axis=-1)", "alpha = scores")]},
    "context: mean instead of weighted sum": {"context_vector_code": [
        ("context = tf.reduce_sum(alpha[:, :, None] * grid, axis=1)",
         "context = tf.reduce_mean(alpha[:, :, None] * grid, axis=1)")]},
    "attention step: context ignored": {"attention_lstm_step_code": [
        ("b + context @ Wz)", "b)")]},
    # (on the call only: the text "lstm_step(x, prev_h, prev_c," is in the def line too, and
    # swapping both there and in the call is a mere renaming)
    "attention step: h and c swapped": {"attention_lstm_step_code": [
        ("next_h, next_c = lstm_step(x, prev_h, prev_c,",
         "next_h, next_c = lstm_step(x, prev_c, prev_h,")]},
    "attention model: no context in the scores": {"attention_captioning_code": [
        ('                  + tf.stack(contexts, axis=1) @ P["W_vocab_z"] + P["b_vocab"])',
         '                  + P["b_vocab"])')]},
    "attention model: loss ignores <NULL>": {"attention_captioning_code": [
        ("loss = -tf.reduce_sum(log_probs * mask) / tf.cast(tf.shape(grid)[0], scores.dtype)",
         "loss = -tf.reduce_sum(log_probs) / tf.cast(tf.shape(grid)[0], scores.dtype)")]},
    "attention model: sample without the context term": {"attention_captioning_code": [
        ('scores = h @ P["W_vocab"] + context @ P["W_vocab_z"] + P["b_vocab"]',
         'scores = h @ P["W_vocab"] + P["b_vocab"]')]},
}

VALUE_PRESERVING = {}
