"""Known mistakes of the ``rnn`` assignment (see :mod:`autograder.mistakes`).

Each one is a text replacement on the solution; if the solution's wording changes, update the
``replace`` pairs here (``tests/autograder/test_mutations.py`` fails when one no longer
applies). A mistake lists every unit whose values it changes, and changes a public case of
each (so that the visible check can name it too): ``tests/autograder/test_common_mistakes.py``
checks both. The units that run the student's code of another unit share its mistakes: the
layers and models run ``rnn_forward`` (and so ``rnn_step_forward``), ``rnn_backward`` runs
``rnn_step_backward``, the training steps run ``temporal_softmax_loss``.
"""

from autograder.mistakes import Mistake

_LOSS_UNITS = ["temporal_softmax_loss", "train_step", "train_tbptt"]
_LOSS_LINE = "loss = -tf.reduce_sum(picked * weights) / tf.cast(tf.shape(x)[0], x.dtype)"
# Every unit that runs the student's rnn_forward (and so rnn_step_forward).
_FORWARD_UNITS = ["rnn_forward", "VanillaRNN", "MultilayerRNN", "CharRNN",
                  "SentimentClassifier", "FrameClassifier"]
_STEP_UNITS = ["rnn_step_forward", *_FORWARD_UNITS]
_STEP_LINE = "next_h = tf.tanh(x @ Wx + prev_h @ Wh + b)"
_BACKWARD_UNITS = ["rnn_step_backward", "rnn_backward"]

MISTAKES = [
    # rnn_step_forward ------------------------------------------------------------------------
    Mistake(
        title="the tanh is missing: next_h = tanh(x @ Wx + prev_h @ Wh + b)",
        cell="rnn_step_forward_code",
        replace=[(_STEP_LINE, "next_h = x @ Wx + prev_h @ Wh + b")],
        units=_STEP_UNITS,
    ),
    Mistake(
        title="a sigmoid instead of tanh: a vanilla RNN's activation is tanh",
        cell="rnn_step_forward_code",
        replace=[(_STEP_LINE, "next_h = tf.sigmoid(x @ Wx + prev_h @ Wh + b)")],
        units=_STEP_UNITS,
    ),
    Mistake(
        title="a ReLU instead of tanh: a vanilla RNN's activation is tanh",
        cell="rnn_step_forward_code",
        replace=[(_STEP_LINE, "next_h = tf.nn.relu(x @ Wx + prev_h @ Wh + b)")],
        units=_STEP_UNITS,
    ),
    Mistake(
        title="the bias b is not added: next_h = tanh(x @ Wx + prev_h @ Wh + b)",
        cell="rnn_step_forward_code",
        replace=[(_STEP_LINE, "next_h = tf.tanh(x @ Wx + prev_h @ Wh)")],
        units=_STEP_UNITS,
    ),
    Mistake(
        title="the previous state is not used: next_h = tanh(x @ Wx + prev_h @ Wh + b) "
              "depends on prev_h",
        cell="rnn_step_forward_code",
        replace=[(_STEP_LINE, "next_h = tf.tanh(x @ Wx + b)")],
        units=_STEP_UNITS,
    ),
    Mistake(
        title="NumPy on tensors (np.tanh, np.dot): the values are right but no gradient flows "
              "through them; use TensorFlow operations (tf.tanh, @)",
        cell="rnn_step_forward_code",
        replace=[(_STEP_LINE, "next_h = np.tanh(x @ Wx + prev_h @ Wh + b)")],
        units=_STEP_UNITS,
    ),
    # rnn_step_backward -----------------------------------------------------------------------
    Mistake(
        title="the tanh derivative is missing: the gradient through next_h = tanh(z) is "
              "dnext_h * (1 - next_h**2)",
        cell="rnn_step_backward_code",
        replace=[("dz = dnext_h * (1 - next_h**2)", "dz = dnext_h")],
        units=_BACKWARD_UNITS,
    ),
    Mistake(
        title="the tanh derivative is written 1 - next_h instead of 1 - next_h**2",
        cell="rnn_step_backward_code",
        replace=[("(1 - next_h**2)", "(1 - next_h)")],
        units=_BACKWARD_UNITS,
    ),
    Mistake(
        title="tanh is applied again in its derivative: next_h already is tanh(z), so the "
              "derivative is 1 - next_h**2, not 1 - tanh(next_h)**2",
        cell="rnn_step_backward_code",
        replace=[("(1 - next_h**2)", "(1 - tf.tanh(next_h)**2)")],
        units=_BACKWARD_UNITS,
    ),
    Mistake(
        title="the tanh derivative is taken from prev_h: it is 1 - next_h**2, from this step's "
              "output",
        cell="rnn_step_backward_code",
        replace=[("(1 - next_h**2)", "(1 - prev_h**2)")],
        units=_BACKWARD_UNITS,
    ),
    Mistake(
        title="db is averaged over the batch (reduce_mean): it is the sum of dz over the "
              "batch, axis 0",
        cell="rnn_step_backward_code",
        replace=[("db = tf.reduce_sum(dz, axis=0)", "db = tf.reduce_mean(dz, axis=0)")],
        units=_BACKWARD_UNITS,
    ),
    Mistake(
        title="the derivative of a sigmoid (next_h * (1 - next_h)) is used: the derivative of "
              "tanh is 1 - next_h**2",
        cell="rnn_step_backward_code",
        replace=[("dz = dnext_h * (1 - next_h**2)", "dz = dnext_h * next_h * (1 - next_h)")],
        units=_BACKWARD_UNITS,
    ),
    Mistake(
        title="db sums over the wrong axis: sum dz over the batch, axis 0, for shape (H,)",
        cell="rnn_step_backward_code",
        replace=[("db = tf.reduce_sum(dz, axis=0)", "db = tf.reduce_sum(dz, axis=1)")],
        units=["rnn_step_backward"],  # rnn_backward raises: db + db_t cannot broadcast
    ),
    Mistake(
        title="db is not summed over the batch (db = dz): it is the sum of dz over axis 0, "
              "shape (H,)",
        cell="rnn_step_backward_code",
        replace=[("db = tf.reduce_sum(dz, axis=0)", "db = dz")],
        units=_BACKWARD_UNITS,
    ),
    Mistake(
        title="the weight gradients use dnext_h: they use dz = dnext_h * (1 - next_h**2), the "
              "gradient before the tanh",
        cell="rnn_step_backward_code",
        replace=[("dWx = tf.transpose(x) @ dz", "dWx = tf.transpose(x) @ dnext_h"),
                 ("dWh = tf.transpose(prev_h) @ dz", "dWh = tf.transpose(prev_h) @ dnext_h")],
        units=_BACKWARD_UNITS,
    ),
    # rnn_forward -----------------------------------------------------------------------------
    Mistake(
        title="the states are stacked along axis 0, giving (T, N, H): stack them along axis 1 "
              "for (N, T, H)",
        cell="rnn_forward_code",
        replace=[("h = tf.stack(states, axis=1)", "h = tf.stack(states, axis=0)")],
        # SentimentClassifier raises on it (it gathers each row's last step along axis 1)
        units=[u for u in _FORWARD_UNITS if u != "SentimentClassifier"],
    ),
    Mistake(
        title="the state is not carried: every step starts from h0 instead of the state the "
              "previous step computed",
        cell="rnn_forward_code",
        replace=[("rnn_step_forward(x[:, t, :], prev_h,", "rnn_step_forward(x[:, t, :], h0,")],
        units=_FORWARD_UNITS,
    ),
    Mistake(
        title="the loop runs backwards in time: a forward pass reads x[:, 0] first and "
              "x[:, T-1] last",
        cell="rnn_forward_code",
        replace=[("for t in range(x.shape[1]):", "for t in reversed(range(x.shape[1])):")],
        units=_FORWARD_UNITS,
    ),
    Mistake(
        title="each step stores the state it started from: h[:, t] is the state after reading "
              "x[:, t] (store it after the step)",
        cell="rnn_forward_code",
        replace=[("        prev_h = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)\n"
                  "        states.append(prev_h)",
                  "        states.append(prev_h)\n"
                  "        prev_h = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)")],
        units=_FORWARD_UNITS,
    ),
    Mistake(
        title="only the final state is returned: h holds the states of every step, (N, T, H)",
        cell="rnn_forward_code",
        replace=[("h = tf.stack(states, axis=1)", "h = prev_h")],
        units=["rnn_forward"],  # the layers built on it raise
    ),
    # rnn_backward ----------------------------------------------------------------------------
    Mistake(
        title="the gradient arriving from step t+1 (dprev_h) is not added to dh[:, t]",
        cell="rnn_backward_code",
        replace=[("dh[:, t, :] + dprev_h", "dh[:, t, :]")],
        units=["rnn_backward"],
    ),
    Mistake(
        title="BPTT runs forward in time: it goes from t = T-1 down to 0, so that the dprev_h "
              "of step t+1 is known at step t",
        cell="rnn_backward_code",
        replace=[("for t in reversed(range(T)):", "for t in range(T):")],
        units=["rnn_backward"],
    ),
    Mistake(
        title="step t is given its own output h[:, t] as prev_h: its input state is h[:, t-1] "
              "(h0 at t = 0)",
        cell="rnn_backward_code",
        replace=[("prev_h = h[:, t - 1, :] if t > 0 else h0", "prev_h = h[:, t, :]")],
        units=["rnn_backward"],
    ),
    Mistake(
        title="at t = 0, prev_h is h[:, -1] (index t - 1 wraps around): the first step's "
              "input state is h0",
        cell="rnn_backward_code",
        replace=[("prev_h = h[:, t - 1, :] if t > 0 else h0", "prev_h = h[:, t - 1, :]")],
        units=["rnn_backward"],
    ),
    Mistake(
        title="the weight gradients are overwritten at every step: dWx, dWh and db are sums "
              "over all steps",
        cell="rnn_backward_code",
        replace=[("dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t",
                  "dWx, dWh, db = dWx_t, dWh_t, db_t")],
        units=["rnn_backward"],
    ),
    Mistake(
        title="the weight gradients are averaged over time: dWx, dWh and db are sums over all "
              "steps",
        cell="rnn_backward_code",
        replace=[("    dh0 = dprev_h\n", "    dh0 = dprev_h\n    dWx, dWh, db = dWx / T, dWh / T, db / T\n")],
        units=["rnn_backward"],
    ),
    Mistake(
        title="dh0 is taken from dh: it is the gradient that flows out of step 0 into h0 "
              "(the last dprev_h)",
        cell="rnn_backward_code",
        replace=[("dh0 = dprev_h", "dh0 = dh[:, 0, :]")],
        units=["rnn_backward"],
    ),
    Mistake(
        title="dx is stacked in the order computed (t = T-1 first): dx[:, t] belongs to "
              "step t",
        cell="rnn_backward_code",
        replace=[("dx_steps[t] = dx_t", "dx_steps[T - 1 - t] = dx_t")],
        units=["rnn_backward"],
    ),
    # word_embedding_forward, temporal_affine_forward -------------------------------------------
    Mistake(
        title="the vectors are looked up with NumPy (np.take, indexing a .numpy() array): "
              "they are right, but no gradient reaches W_embed; use tf.gather",
        cell="word_embedding_forward_code",
        replace=[("out = tf.gather(W_embed, x)", "out = np.take(W_embed, x, axis=0)")],
        units=["word_embedding_forward", "CharRNN", "SentimentClassifier"],
    ),
    Mistake(
        title="the bias b is not added: out = x @ w + b at every step",
        cell="temporal_affine_forward_code",
        replace=[('x, w) + b', 'x, w)')],
        units=["temporal_affine_forward", "CharRNN", "FrameClassifier"],
    ),
    Mistake(
        title="an activation is applied to the affine output: the layer returns x @ w + b as "
              "it is",
        cell="temporal_affine_forward_code",
        replace=[('out = tf.einsum("ntd,dm->ntm", x, w) + b',
                  'out = tf.tanh(tf.einsum("ntd,dm->ntm", x, w) + b)')],
        units=["temporal_affine_forward", "CharRNN", "FrameClassifier"],
    ),
    Mistake(
        title="a ReLU is applied to the affine output: the layer returns x @ w + b as it is",
        cell="temporal_affine_forward_code",
        replace=[('out = tf.einsum("ntd,dm->ntm", x, w) + b',
                  'out = tf.nn.relu(tf.einsum("ntd,dm->ntm", x, w) + b)')],
        units=["temporal_affine_forward", "CharRNN", "FrameClassifier"],
    ),
    # temporal_softmax_loss -------------------------------------------------------------------
    Mistake(
        title="the mask is ignored: steps whose target is <NULL> (mask False) must not count",
        cell="temporal_softmax_loss_code",
        replace=[(_LOSS_LINE, "loss = -tf.reduce_sum(picked) / tf.cast(tf.shape(x)[0], x.dtype)")],
        units=["temporal_softmax_loss", "train_step"],  # train_tbptt masks nothing
    ),
    Mistake(
        title="the loss is averaged over time (divided by N * T) instead of summed over time "
              "and averaged over the batch (divided by N)",
        cell="temporal_softmax_loss_code",
        replace=[(_LOSS_LINE, "loss = -tf.reduce_sum(picked * weights) / "
                              "tf.cast(tf.shape(x)[0] * tf.shape(x)[1], x.dtype)")],
        units=_LOSS_UNITS,
    ),
    Mistake(
        title="the loss is divided by the number of unmasked steps instead of by the batch "
              "size N",
        cell="temporal_softmax_loss_code",
        replace=[(_LOSS_LINE, "loss = -tf.reduce_sum(picked * weights) / tf.reduce_sum(weights)")],
        units=_LOSS_UNITS,
    ),
    Mistake(
        title="the loss is summed over the batch instead of averaged (divide by N)",
        cell="temporal_softmax_loss_code",
        replace=[(_LOSS_LINE, "loss = -tf.reduce_sum(picked * weights)")],
        units=_LOSS_UNITS,
    ),
    Mistake(
        title="tf.reduce_mean where the sum is meant: sum the masked log-probabilities over "
              "every step, then divide by N once",
        cell="temporal_softmax_loss_code",
        replace=[(_LOSS_LINE, "loss = -tf.reduce_mean(picked * weights) / "
                              "tf.cast(tf.shape(x)[0], x.dtype)")],
        units=_LOSS_UNITS,
    ),
    Mistake(
        title="the sign is wrong: the loss is minus the log-probability of the targets",
        cell="temporal_softmax_loss_code",
        replace=[("loss = -tf.reduce_sum(picked * weights)", "loss = tf.reduce_sum(picked * weights)")],
        units=_LOSS_UNITS,
    ),
    Mistake(
        title="the loss is divided by T: sum over time, then divide by the batch size N",
        cell="temporal_softmax_loss_code",
        replace=[("/ tf.cast(tf.shape(x)[0], x.dtype)", "/ tf.cast(tf.shape(x)[1], x.dtype)")],
        units=_LOSS_UNITS,
    ),
    Mistake(
        title="probabilities (a softmax) are used where log-probabilities are meant: the "
              "loss is minus the log-softmax of the targets' scores",
        cell="temporal_softmax_loss_code",
        replace=[("log_probs = tf.nn.log_softmax(x, axis=-1)",
                  "log_probs = tf.nn.softmax(x, axis=-1)")],
        units=_LOSS_UNITS,
    ),
    Mistake(
        title="the softmax runs over the wrong axis: it is over the V scores of each step, "
              "the last axis",
        cell="temporal_softmax_loss_code",
        replace=[("tf.nn.log_softmax(x, axis=-1)", "tf.nn.log_softmax(x, axis=1)")],
        units=_LOSS_UNITS,
    ),
    Mistake(
        title="the log-probabilities are not computed stably (the log of a softmax, or exp "
              "without subtracting the largest score): with large scores exp overflows and "
              "probabilities underflow to 0, giving inf or NaN; use tf.nn.log_softmax",
        cell="temporal_softmax_loss_code",
        replace=[("tf.nn.log_softmax(x, axis=-1)", "tf.math.log(tf.nn.softmax(x, axis=-1))")],
        units=["temporal_softmax_loss"],
    ),
    Mistake(
        title="log-sum-exp without subtracting the largest score: exp overflows to inf for "
              "large scores (NaN follows); use tf.nn.log_softmax or subtract each row's max",
        cell="temporal_softmax_loss_code",
        replace=[("log_probs = tf.nn.log_softmax(x, axis=-1)",
                  "log_probs = x - tf.math.log(tf.reduce_sum(tf.exp(x), axis=-1, keepdims=True))")],
        units=["temporal_softmax_loss"],
    ),
    # VanillaRNN, MultilayerRNN ---------------------------------------------------------------
    Mistake(
        title="initial_state is ignored: the layer always starts from zeros",
        cell="VanillaRNN_code",
        replace=[("if initial_state is None:", "if True:")],
        units=["VanillaRNN", "CharRNN"],
    ),
    Mistake(
        title="without return_sequences the layer returns the first state: it returns the "
              "last one, h[:, -1]",
        cell="VanillaRNN_code",
        replace=[("h = h[:, -1, :]", "h = h[:, 0, :]")],
        units=["VanillaRNN", "MultilayerRNN"],
    ),
    Mistake(
        title="return_sequences is inverted: return every state when it is True, the last one "
              "when it is False",
        cell="VanillaRNN_code",
        replace=[("if not self.return_sequences:", "if self.return_sequences:")],
        units=["VanillaRNN"],  # the models built on it raise
    ),
    Mistake(
        title="the top layer always returns every state: it follows return_sequences (the "
              "layers below it always return theirs)",
        cell="MultilayerRNN_code",
        replace=[("return_sequences=(k < last or self.return_sequences)",
                  "return_sequences=True")],
        units=["MultilayerRNN"],
    ),
    Mistake(
        title="the top layer never returns every state: it follows return_sequences (the "
              "layers below it always return theirs)",
        cell="MultilayerRNN_code",
        replace=[("return_sequences=(k < last or self.return_sequences)",
                  "return_sequences=(k < last)")],
        units=["MultilayerRNN"],  # FrameClassifier raises
    ),
    # CharRNN ---------------------------------------------------------------------------------
    Mistake(
        title="initial_state is not passed on to the RNN: the model starts from it",
        cell="CharRNN_code",
        replace=[("self.rnn(word_embedding_forward(ids, self.W_embed), initial_state=initial_state)",
                  "self.rnn(word_embedding_forward(ids, self.W_embed))")],
        units=["CharRNN"],
    ),
    Mistake(
        title="the final state is the RNN's first state: it is the last one, h[:, -1]",
        cell="CharRNN_code",
        replace=[("final_state = h[:, -1, :]", "final_state = h[:, 0, :]")],
        units=["CharRNN"],
    ),
    Mistake(
        title="the model returns probabilities (a softmax of the scores): it returns the raw "
              "scores (logits), the loss applies the softmax",
        cell="CharRNN_code",
        replace=[("scores = temporal_affine_forward(h, self.W_out, self.b_out)",
                  "scores = tf.nn.softmax(temporal_affine_forward(h, self.W_out, self.b_out))")],
        units=["CharRNN"],
    ),
    # train_step ------------------------------------------------------------------------------
    Mistake(
        title="the gradients are not clipped: scale them to norm max_norm when their global "
              "norm is larger (tf.clip_by_global_norm), and apply the clipped ones",
        cell="train_step_code",
        replace=[("grads, grad_norm = tf.clip_by_global_norm(grads, max_norm)",
                  "grad_norm = tf.linalg.global_norm(grads)")],
        units=["train_step"],
    ),
    Mistake(
        title="each gradient is clipped on its own (tf.clip_by_norm): clip them together by "
              "their global norm (tf.clip_by_global_norm)",
        cell="train_step_code",
        replace=[("grads, grad_norm = tf.clip_by_global_norm(grads, max_norm)",
                  "grad_norm = tf.linalg.global_norm(grads)\n"
                  "    grads = [tf.clip_by_norm(g, max_norm) for g in grads]")],
        units=["train_step"],
    ),
    Mistake(
        title="grad_norm is the norm after clipping: return the global norm of the gradients "
              "before they are clipped",
        cell="train_step_code",
        replace=[("grads, grad_norm = tf.clip_by_global_norm(grads, max_norm)",
                  "grads, _ = tf.clip_by_global_norm(grads, max_norm)\n"
                  "    grad_norm = tf.linalg.global_norm(grads)")],
        units=["train_step"],
    ),
    Mistake(
        title="each gradient entry is clipped to [-max_norm, max_norm] (tf.clip_by_value): "
              "scale all gradients together by their global norm (tf.clip_by_global_norm)",
        cell="train_step_code",
        replace=[("grads, grad_norm = tf.clip_by_global_norm(grads, max_norm)",
                  "grad_norm = tf.linalg.global_norm(grads)\n"
                  "    grads = [tf.clip_by_value(g, -max_norm, max_norm) for g in grads]")],
        units=["train_step"],
    ),
    # sample ----------------------------------------------------------------------------------
    Mistake(
        title="the temperature is not applied: divide the scores by it before drawing",
        cell="sample_code",
        replace=[("last / temperature", "last")],
        units=["sample"],
    ),
    Mistake(
        title="the scores are multiplied by the temperature: divide them by it",
        cell="sample_code",
        replace=[("last / temperature", "last * temperature")],
        units=["sample"],
    ),
    Mistake(
        title="probabilities (a softmax) are passed to tf.random.stateless_categorical, which "
              "takes logits: pass the scores divided by the temperature",
        cell="sample_code",
        replace=[("last / temperature, 1", "tf.nn.softmax(last / temperature), 1")],
        units=["sample"],
    ),
    Mistake(
        title="the state is not carried while sampling: read each new character from the "
              "state after the previous one (initial_state=h)",
        cell="sample_code",
        replace=[("scores, h = model(next_ids[:, None], initial_state=h, return_state=True)",
                  "scores, h = model(next_ids[:, None], return_state=True)")],
        units=["sample"],
    ),
    Mistake(
        title="every step draws with the same seed: step t uses seed=[seed, t]",
        cell="sample_code",
        replace=[("seed=[seed, t]", "seed=[seed, 0]")],
        units=["sample"],
    ),
    Mistake(
        title="the argmax is taken whatever the temperature: draw from the scores / "
              "temperature unless temperature == 0",
        cell="sample_code",
        replace=[("if temperature == 0:", "if True:")],
        units=["sample"],
    ),
    # train_tbptt (and tbptt_step) ------------------------------------------------------------
    Mistake(
        title="the state is not carried across chunks: every chunk starts again from h0 "
              "instead of the state the previous chunk ended in",
        cell="train_tbptt_code",
        replace=[("tbptt_step(model, optimizer, inputs, targets, h, max_norm)",
                  "tbptt_step(model, optimizer, inputs, targets, h0, max_norm)")],
        units=["train_tbptt"],
    ),
    Mistake(
        title="the targets are not shifted: the target of the input at position i is the "
              "character at i + 1 (stream[:, c*k + 1:(c+1)*k + 1])",
        cell="train_tbptt_code",
        replace=[("targets = stream[:, c * k + 1:(c + 1) * k + 1]",
                  "targets = stream[:, c * k:(c + 1) * k]")],
        units=["train_tbptt"],
    ),
    Mistake(
        title="tbptt_step does not start from the carried state: call the model with "
              "initial_state=h",
        cell="tbptt_step_code",
        replace=[("model(inputs, initial_state=h, return_state=True, training=True)",
                  "model(inputs, return_state=True, training=True)")],
        units=["train_tbptt"],
    ),
    Mistake(
        title="tbptt_step does not clip the gradients: clip them by their global norm before "
              "the update",
        cell="tbptt_step_code",
        replace=[("    grads, _ = tf.clip_by_global_norm(grads, max_norm)\n", "")],
        units=["train_tbptt"],
    ),
    Mistake(
        title="the losses are divided by k: keep each chunk's loss as tbptt_step returns it",
        cell="train_tbptt_code",
        replace=[("losses.append(loss)", "losses.append(loss / k)")],
        units=["train_tbptt"],
    ),
    # SentimentClassifier, FrameClassifier ----------------------------------------------------
    Mistake(
        title="the state at the last position is used, padding included: take each "
              "sentence's state after its last word, at step length - 1",
        cell="SentimentClassifier_code",
        replace=[("last = tf.gather(h, lengths - 1, batch_dims=1)", "last = h[:, -1, :]")],
        units=["SentimentClassifier"],
    ),
    Mistake(
        title="the states are averaged over time, padding included: take each sentence's "
              "state after its last word, at step length - 1",
        cell="SentimentClassifier_code",
        replace=[("last = tf.gather(h, lengths - 1, batch_dims=1)",
                  "last = tf.reduce_mean(h, axis=1)")],
        units=["SentimentClassifier"],
    ),
    Mistake(
        title="the classifier returns probabilities (a softmax of the scores): it returns the "
              "raw scores (logits)",
        cell="SentimentClassifier_code",
        replace=[("scores = last @ self.W_out + self.b_out",
                  "scores = tf.nn.softmax(last @ self.W_out + self.b_out)")],
        units=["SentimentClassifier"],
    ),
    Mistake(
        title="the classifier returns probabilities (a softmax of the scores): it returns the "
              "raw scores (logits) of every frame",
        cell="FrameClassifier_code",
        replace=[("scores = temporal_affine_forward(self.rnn(x), self.W_out, self.b_out)",
                  "scores = tf.nn.softmax(temporal_affine_forward(self.rnn(x), self.W_out, "
                  "self.b_out))")],
        units=["FrameClassifier"],
    ),
    Mistake(
        title="the frames are reshaped time-major, (T, N, D): reshape to (N, T, D) with "
              "tf.reshape(frames, (-1, T, D))",
        cell="FrameClassifier_code",
        replace=[("x = tf.reshape(frames, (-1, T, D))", "x = tf.reshape(frames, (T, -1, D))")],
        units=["FrameClassifier"],
    ),
]
