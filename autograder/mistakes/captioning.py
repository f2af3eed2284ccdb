"""Known mistakes of the ``captioning`` assignment (see :mod:`autograder.mistakes`).

Each one is a text replacement on the solution; if the solution's wording changes, update the
``replace`` pairs here (``tests/autograder/test_mutations.py`` fails when one no longer
applies). ``ImageEveryStepCaptioningRNN`` inherits ``CaptioningRNN``'s ``loss`` and
``sample``, so their mistakes also change ``image_every_step``.
"""

from autograder.mistakes import Mistake

_ATTENTION_USERS = ["attention_weights", "attention_captioning_loss",
                    "attention_captioning_sample", "vqa_model"]

MISTAKES = [
    Mistake(
        title="the loss is averaged over time too: CS231n's captioning loss is summed over "
              "the time steps and divided by the batch size N only",
        cell="captioning_rnn_code",
        replace=[("/ tf.cast(tf.shape(features)[0], features.dtype)", "/ tf.reduce_sum(mask)")],
        units=["captioning_rnn_loss", "image_every_step"],
    ),
    Mistake(
        title="the mask is ignored: steps whose target is <NULL> (padding) must not count",
        cell="captioning_rnn_code",
        replace=[("log_probs * mask", "log_probs")],
        units=["captioning_rnn_loss", "image_every_step"],
    ),
    Mistake(
        title="sampling goes on after <END>: once a caption has produced <END>, every later "
              "word must be <NULL>",
        cell="captioning_rnn_code",
        replace=[("word = tf.where(done, self._null, word)\n            words", "words")],
        units=["captioning_rnn_sample", "image_every_step"],
    ),
    Mistake(
        title="the coordinate channels are in the wrong order: the row coordinate comes "
              "first, then the column coordinate, after the 3 colour channels",
        cell="image_encoder_code",
        replace=[("[pixels, rows, cols]", "[pixels, cols, rows]")],
        units=["image_encoder"],
    ),
    Mistake(
        title="the grid is flattened column by column: reshape (N, rows, cols, D) to "
              "(N, rows * cols, D) directly, which is row-major order",
        cell="image_encoder_code",
        replace=[("grid = tf.reshape(x, [N, x.shape[1] * x.shape[2], x.shape[3]])",
                  ("grid = tf.reshape(tf.transpose(x, [0, 2, 1, 3]), "
                   "[N, x.shape[1] * x.shape[2], x.shape[3]])"))],
        units=["image_encoder"],
    ),
    Mistake(
        title="each gradient is clipped on its own (tf.clip_by_norm): clip their global norm "
              "together with tf.clip_by_global_norm",
        cell="make_train_step_code",
        replace=[("grads, _ = tf.clip_by_global_norm(grads, clip_norm)",
                  "grads = [tf.clip_by_norm(g, clip_norm) for g in grads]")],
        units=["make_train_step"],
    ),
    Mistake(
        title="the softmax is taken over the batch: attention weights sum to 1 over the L "
              "locations (the last axis)",
        cell="attention_weights_code",
        replace=[("tf.nn.softmax(scores, axis=-1)", "tf.nn.softmax(scores, axis=0)")],
        units=_ATTENTION_USERS,
    ),
    Mistake(
        title="the context vector is a mean, not the weighted sum: the weights already sum "
              "to 1, so sum_l alpha[:, l] * grid[:, l]",
        cell="context_vector_code",
        replace=[("tf.reduce_sum(alpha[:, :, None] * grid, axis=1)",
                  "tf.reduce_mean(alpha[:, :, None] * grid, axis=1)")],
        units=["context_vector", "attention_captioning_loss", "attention_captioning_sample",
               "vqa_model"],
    ),
    Mistake(
        title="the attention model's loss ignores the mask: steps whose target is <NULL> "
              "must not count",
        cell="attention_captioning_code",
        replace=[("log_probs * mask", "log_probs")],
        units=["attention_captioning_loss"],
    ),
    Mistake(
        title="sampling goes on after <END>: once a caption has produced <END>, every later "
              "word must be <NULL>",
        cell="attention_captioning_code",
        replace=[("word = tf.where(done, self._null, word)\n            words", "words")],
        units=["attention_captioning_sample"],
    ),
    Mistake(
        title="locations are read off the weights instead of their cumulative sum: count the "
              "locations whose cumulative weight is <= u (tf.cumsum)",
        cell="sample_locations_code",
        replace=[("cdf = tf.cumsum(alpha, axis=1)", "cdf = alpha")],
        units=["sample_locations"],
    ),
    Mistake(
        title="gradient flows into the reward and the baseline: wrap the advantage "
              "rewards - baseline in tf.stop_gradient",
        cell="reinforce_loss_code",
        replace=[("tf.stop_gradient(rewards - baseline)", "(rewards - baseline)")],
        units=["reinforce_loss"],
    ),
    Mistake(
        title="<NULL> padding changes the question encoding: at a <NULL> token keep the "
              "previous states (tf.where)",
        cell="vqa_code",
        replace=[("tf.where(real, next_h, h), tf.where(real, next_c, c)", "next_h, next_c")],
        units=["vqa_question_encoder", "vqa_model"],
    ),
    # CaptioningRNN: initial state, loss, sample ------------------------------------------------
    Mistake(
        title="h0 leaves out the bias: h0 = features @ W_proj + b_proj",
        cell="captioning_rnn_code",
        replace=[('h0 = features @ self.params["W_proj"] + self.params["b_proj"]',
                  'h0 = tf.matmul(features, self.params["W_proj"])')],
        units=["captioning_rnn_loss", "captioning_rnn_sample"],
    ),
    Mistake(
        title="h0 goes through a tanh: it is the plain projection features @ W_proj + b_proj",
        cell="captioning_rnn_code",
        replace=[('h0 = features @ self.params["W_proj"] + self.params["b_proj"]',
                  'h0 = tf.tanh(features @ self.params["W_proj"] + self.params["b_proj"])')],
        units=["captioning_rnn_loss", "captioning_rnn_sample"],
    ),
    Mistake(
        title="the targets are not shifted: the word after captions_in[:, t] is the target, "
              "so captions_out = captions[:, 1:]",
        cell="captioning_rnn_code",
        replace=[("captions_in, captions_out = captions[:, :-1], captions[:, 1:]",
                  "captions_in, captions_out = captions[:, :-1], captions[:, :-1]")],
        units=["captioning_rnn_loss", "image_every_step"],
    ),
    Mistake(
        title="the loss is a mean over all N * T words (tf.reduce_mean): sum it over the time "
              "steps and divide by the batch size N",
        cell="captioning_rnn_code",
        replace=[("loss = -tf.reduce_sum(log_probs * mask) / tf.cast(tf.shape(features)[0], "
                  "features.dtype)", "loss = -tf.reduce_mean(log_probs * mask)")],
        units=["captioning_rnn_loss", "image_every_step"],
    ),
    Mistake(
        title="the mask is built from the input words: it marks where the target "
              "captions_out is not <NULL>",
        cell="captioning_rnn_code",
        replace=[("mask = tf.cast(captions_out != self._null, features.dtype)",
                  "mask = tf.cast(captions_in != self._null, features.dtype)")],
        units=["captioning_rnn_loss", "image_every_step"],
    ),
    Mistake(
        title="the log-probabilities are the log of a softmax: with large scores the softmax "
              "underflows to 0 and its log is -inf; use tf.nn.log_softmax",
        cell="captioning_rnn_code",
        replace=[("tf.gather(tf.nn.log_softmax(scores), captions_out, batch_dims=2)",
                  "tf.gather(tf.math.log(tf.nn.softmax(scores)), captions_out, batch_dims=2)")],
        units=["captioning_rnn_loss"],
    ),
    Mistake(
        title="the LSTM's cell state restarts from zeros at every step: pass on the c that "
              "the previous step returned",
        cell="captioning_rnn_code",
        replace=[("h, c = self.step(x[:, t], h, c, features)",
                  "h, c = self.step(x[:, t], h, tf.zeros_like(c), features)")],
        units=["captioning_rnn_loss", "image_every_step"],
    ),
    Mistake(
        title="sampling feeds <START> at every step: feed back the word chosen at the "
              "previous step",
        cell="captioning_rnn_code",
        replace=[('h, c = self.step(tf.gather(P["W_embed"], word), h, c, features)',
                  'h, c = self.step(tf.gather(P["W_embed"], tf.fill([N], self._start)), h, c, '
                  'features)')],
        units=["captioning_rnn_sample", "image_every_step"],
    ),
    # ImageEveryStepCaptioningRNN ---------------------------------------------------------------
    Mistake(
        title="the image is left out of the steps: the per-image bias is b + features @ W_img",
        cell="image_every_step_code",
        replace=[('bias = P["b"] + features @ P["W_img"]', 'bias = P["b"]')],
        units=["image_every_step"],
    ),
    # ImageEncoder ------------------------------------------------------------------------------
    Mistake(
        title="the convolutions have no ReLU: every conv is followed by tf.nn.relu",
        cell="image_encoder_code",
        replace=[("x = tf.nn.relu(conv(x))", "x = conv(x)")],
        units=["image_encoder"],
    ),
    Mistake(
        title="the summary is the sum of the grid over its locations: it is their mean "
              "(tf.reduce_mean over axis 1)",
        cell="image_encoder_code",
        replace=[("summary = tf.reduce_mean(grid, axis=1)", "summary = tf.reduce_sum(grid, axis=1)")],
        units=["image_encoder"],
    ),
    # make_train_step ---------------------------------------------------------------------------
    Mistake(
        title="the clipped gradients are thrown away: tf.clip_by_global_norm returns them, "
              "assign grads, _ = tf.clip_by_global_norm(...) and apply those",
        cell="make_train_step_code",
        replace=[("grads, _ = tf.clip_by_global_norm(grads, clip_norm)",
                  "tf.clip_by_global_norm(grads, clip_norm)")],
        units=["make_train_step"],
    ),
    # soft attention ----------------------------------------------------------------------------
    Mistake(
        title="the attention scores lack their tanh: score_l = tanh(keys[:, l] + prev_h @ "
              "W_att_h) @ w_att",
        cell="attention_weights_code",
        replace=[("hidden = tf.tanh(keys + (prev_h @ W_att_h)[:, None, :])",
                  "hidden = keys + (prev_h @ W_att_h)[:, None, :]")],
        units=_ATTENTION_USERS,
    ),
    Mistake(
        title="the weights are the raw scores: take their softmax over the L locations",
        cell="attention_weights_code",
        replace=[("alpha = tf.nn.softmax(scores, axis=-1)", "alpha = scores")],
        units=_ATTENTION_USERS,
    ),
    Mistake(
        title="the context vector is left out of the step: the gate pre-activations add "
              "context @ Wz (pass b + context @ Wz as lstm_step's bias)",
        cell="attention_lstm_step_code",
        replace=[("b + context @ Wz)", "b)")],
        units=["attention_lstm_step", "attention_captioning_loss", "attention_captioning_sample"],
    ),
    Mistake(
        title="prev_h and prev_c are swapped in the call: lstm_step takes (x, prev_h, prev_c, "
              "Wx, Wh, b)",
        cell="attention_lstm_step_code",
        replace=[("next_h, next_c = lstm_step(x, prev_h, prev_c,",
                  "next_h, next_c = lstm_step(x, prev_c, prev_h,")],
        units=["attention_lstm_step", "attention_captioning_loss", "attention_captioning_sample"],
    ),
    Mistake(
        title="the word scores leave out the context vectors: scores = h @ W_vocab + "
              "context @ W_vocab_z + b_vocab",
        cell="attention_captioning_code",
        replace=[('                  + tf.stack(contexts, axis=1) @ P["W_vocab_z"] + P["b_vocab"])',
                  '                  + P["b_vocab"])')],
        units=["attention_captioning_loss"],
    ),
    Mistake(
        title="sampling's word scores leave out the context vector: scores = h @ W_vocab + "
              "context @ W_vocab_z + b_vocab, as in forward",
        cell="attention_captioning_code",
        replace=[('scores = h @ P["W_vocab"] + context @ P["W_vocab_z"] + P["b_vocab"]',
                  'scores = h @ P["W_vocab"] + P["b_vocab"]')],
        units=["attention_captioning_sample"],
    ),
]
