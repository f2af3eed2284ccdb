"""Common student mistakes in the ``rnn`` assignment: the corpus of
``autograder.mistake_audit``.

Written from what students get wrong in CS231n-style RNN code (and what TAs see in office
hours), *independently of the declared known mistakes* (``autograder/mistakes/rnn.py``): the
textual forms differ on purpose (``np.dot`` rather than ``@``, ``tf.stack(states)`` with the
default axis, a state that is never reassigned rather than one replaced by ``h0``...), and
some of these mistakes may have no declared twin at all; the audit measures how many the
grader and the visible checks name. History: the first batch (up to "frames: softmax on the
scores") was written before the declared list grew; its audit named 28 of 41 (68%), and the
mistakes it found unnamed were then declared. The second batch was written after that, to
measure the declared list on mistakes it was not fitted to.

``MISTAKES`` maps an id to ``{solution grade_id: [(old, new), ...]}``: text replacements on the
solution cells, as in ``Mistake.replace``. ``VALUE_PRESERVING`` lists entries that compute the
right values all the same, with the reason (they must cost no points).
"""

MISTAKES = {
    # rnn_step_forward
    "step: NumPy ops on tensors": {"rnn_step_forward_code": [
        ("tf.tanh(x @ Wx + prev_h @ Wh + b)", "np.tanh(np.dot(x, Wx) + np.dot(prev_h, Wh) + b)")]},
    "step: ReLU instead of tanh": {"rnn_step_forward_code": [
        ("tf.tanh(x @ Wx + prev_h @ Wh + b)", "tf.nn.relu(x @ Wx + prev_h @ Wh + b)")]},
    "step: keras sigmoid": {"rnn_step_forward_code": [
        ("tf.tanh(", "keras.activations.sigmoid(")]},
    "step: forgot the bias": {"rnn_step_forward_code": [
        ("tf.tanh(x @ Wx + prev_h @ Wh + b)", "tf.tanh(tf.matmul(x, Wx) + tf.matmul(prev_h, Wh))")]},
    "step: no recurrence": {"rnn_step_forward_code": [
        ("tf.tanh(x @ Wx + prev_h @ Wh + b)", "tf.tanh(tf.matmul(x, Wx) + b)")]},
    # rnn_step_backward
    "step backward: sigmoid's derivative": {"rnn_step_backward_code": [
        ("dz = dnext_h * (1 - next_h**2)", "dz = dnext_h * next_h * (1 - next_h)")]},
    "step backward: tanh of the output again": {"rnn_step_backward_code": [
        ("dz = dnext_h * (1 - next_h**2)", "dz = dnext_h * (1 - tf.square(tf.tanh(next_h)))")]},
    "step backward: db with reduce_mean": {"rnn_step_backward_code": [
        ("db = tf.reduce_sum(dz, axis=0)", "db = tf.reduce_mean(dz, 0)")]},
    "step backward: db summed over axis 1": {"rnn_step_backward_code": [
        ("db = tf.reduce_sum(dz, axis=0)", "db = tf.reduce_sum(dz, axis=1)")]},
    # rnn_forward
    "forward: stack with the default axis": {"rnn_forward_code": [
        ("h = tf.stack(states, axis=1)", "h = tf.stack(states)")]},
    "forward: prev_h never updated": {"rnn_forward_code": [
        ("        prev_h = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)\n"
         "        states.append(prev_h)",
         "        states.append(rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b))")]},
    "forward: loop from the end": {"rnn_forward_code": [
        ("for t in range(x.shape[1]):", "for t in range(x.shape[1] - 1, -1, -1):")]},
    # rnn_backward
    "bptt: loop forward in time": {"rnn_backward_code": [
        ("for t in reversed(range(T)):", "for t in range(0, T):")]},
    "bptt: upstream of step t only": {"rnn_backward_code": [
        ("dh[:, t, :] + dprev_h", "dh[:, t]")]},
    "bptt: prev_h of step 0 wraps to h[:, -1]": {"rnn_backward_code": [
        ("prev_h = h[:, t - 1, :] if t > 0 else h0", "prev_h = h[:, t - 1, :]")]},
    "bptt: weight gradients not summed": {"rnn_backward_code": [
        ("dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t",
         "dWx = dWx_t\n        dWh = dWh_t\n        db = db_t")]},
    "bptt: weight gradients averaged over time": {"rnn_backward_code": [
        ("    dh0 = dprev_h\n", "    dh0 = dprev_h\n    dWx, dWh, db = dWx / T, dWh / T, db / T\n")]},
    # word_embedding_forward, temporal_affine_forward
    "embedding: NumPy fancy indexing": {"word_embedding_forward_code": [
        ("out = tf.gather(W_embed, x)", "out = W_embed.numpy()[x.numpy()]")]},
    "affine: tensordot without the bias": {"temporal_affine_forward_code": [
        ('out = tf.einsum("ntd,dm->ntm", x, w) + b', "out = tf.tensordot(x, w, axes=1)")]},
    "affine: a ReLU on the output": {"temporal_affine_forward_code": [
        ('out = tf.einsum("ntd,dm->ntm", x, w) + b',
         'out = tf.nn.relu(tf.einsum("ntd,dm->ntm", x, w) + b)')]},
    # temporal_softmax_loss
    "loss: log of softmax": {"temporal_softmax_loss_code": [
        ("log_probs = tf.nn.log_softmax(x, axis=-1)", "log_probs = tf.math.log(tf.nn.softmax(x))")]},
    "loss: log-sum-exp without the max": {"temporal_softmax_loss_code": [
        ("log_probs = tf.nn.log_softmax(x, axis=-1)",
         "log_probs = x - tf.math.log(tf.reduce_sum(tf.exp(x), axis=-1, keepdims=True))")]},
    "loss: every step weighted 1": {"temporal_softmax_loss_code": [
        ("weights = tf.cast(mask, x.dtype)", "weights = tf.ones_like(x[..., 0])")]},
    "loss: mean over all steps": {"temporal_softmax_loss_code": [
        ("loss = -tf.reduce_sum(picked * weights) / tf.cast(tf.shape(x)[0], x.dtype)",
         "loss = -tf.reduce_mean(picked * weights)")]},
    "loss: softmax over time": {"temporal_softmax_loss_code": [
        ("tf.nn.log_softmax(x, axis=-1)", "tf.nn.log_softmax(x, 1)")]},
    "loss: keras cross-entropy, default reduction": {"temporal_softmax_loss_code": [
        ("loss = -tf.reduce_sum(picked * weights) / tf.cast(tf.shape(x)[0], x.dtype)",
         "loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)("
         "y, x, sample_weight=weights)")]},
    # VanillaRNN, MultilayerRNN
    "VanillaRNN: zeros whatever initial_state": {"VanillaRNN_code": [
        ("        if initial_state is None:\n            initial_state = tf.zeros(",
         "        initial_state = tf.zeros(")]},
    "VanillaRNN: return_sequences inverted": {"VanillaRNN_code": [
        ("if not self.return_sequences:", "if self.return_sequences:")]},
    "VanillaRNN: get_config without return_sequences": {"VanillaRNN_code": [
        ('config.update({"units": self.units, "return_sequences": self.return_sequences})',
         'config.update({"units": self.units})')]},
    "MultilayerRNN: top layer never returns sequences": {"MultilayerRNN_code": [
        ("return_sequences=(k < last or self.return_sequences)", "return_sequences=(k < last)")]},
    # CharRNN
    "CharRNN: initial_state dropped": {"CharRNN_code": [
        (", initial_state=initial_state)", ")")]},
    "CharRNN: softmax on the scores": {"CharRNN_code": [
        ("        final_state = h[:, -1, :]\n",
         "        final_state = h[:, -1, :]\n        scores = keras.ops.softmax(scores)\n")]},
    # train_step
    "train_step: clipped gradients never applied": {"train_step_code": [
        ("grads, grad_norm = tf.clip_by_global_norm(grads, max_norm)",
         "clipped, grad_norm = tf.clip_by_global_norm(grads, max_norm)")]},
    "train_step: clip by value": {"train_step_code": [
        ("grads, grad_norm = tf.clip_by_global_norm(grads, max_norm)",
         "grad_norm = tf.linalg.global_norm(grads)\n"
         "    grads = [tf.clip_by_value(g, -max_norm, max_norm) for g in grads]")]},
    # sample
    "sample: temperature left out": {"sample_code": [("last / temperature, 1", "last, 1")]},
    "sample: log-probabilities as logits": {"sample_code": [
        ("last / temperature, 1", "tf.nn.log_softmax(last / temperature), 1")]},
    "sample: state not fed back": {"sample_code": [("initial_state=h, ", "")]},
    # train_tbptt, tbptt_step
    "tbptt: state returned but not kept": {"train_tbptt_code": [
        ("loss, h = tbptt_step(model, optimizer, inputs, targets, h, max_norm)",
         "loss, h_next = tbptt_step(model, optimizer, inputs, targets, h, max_norm)"),
        ("states.append(h)", "states.append(h_next)")]},
    "tbptt: targets are the inputs": {"train_tbptt_code": [
        ("targets = stream[:, c * k + 1:(c + 1) * k + 1]", "targets = inputs")]},
    "tbptt: no stop_gradient": {"tbptt_step_code": [
        ("    next_h = tf.stop_gradient(next_h)\n", "")]},
    # SentimentClassifier, FrameClassifier
    "sentiment: last column": {"SentimentClassifier_code": [
        ("last = tf.gather(h, lengths - 1, batch_dims=1)", "last = h[:, -1]")]},
    "sentiment: mean over time": {"SentimentClassifier_code": [
        ("last = tf.gather(h, lengths - 1, batch_dims=1)", "last = tf.reduce_mean(h, axis=1)")]},
    "frames: softmax on the scores": {"FrameClassifier_code": [
        ("scores = temporal_affine_forward(self.rnn(x), self.W_out, self.b_out)",
         "scores = keras.activations.softmax(\n"
         "            temporal_affine_forward(self.rnn(x), self.W_out, self.b_out))")]},
    # A second batch, written after the declared list had been extended with what the first
    # batch's audit found unnamed (the first batch's entries had no declared twin then):
    # these measure how well the declared list names mistakes it was not fitted to.
    "step backward: weight gradients from dnext_h": {"rnn_step_backward_code": [
        ("dWx = tf.transpose(x) @ dz", "dWx = tf.transpose(x) @ dnext_h"),
        ("dWh = tf.transpose(prev_h) @ dz", "dWh = tf.transpose(prev_h) @ dnext_h")]},
    "step backward: db not summed over the batch": {"rnn_step_backward_code": [
        ("db = tf.reduce_sum(dz, axis=0)", "db = dz")]},
    "forward: returns the final state only": {"rnn_forward_code": [
        ("h = tf.stack(states, axis=1)", "h = prev_h")]},
    "bptt: dh0 taken from dh": {"rnn_backward_code": [("dh0 = dprev_h", "dh0 = dh[:, 0, :]")]},
    "bptt: dx stacked in the order computed": {"rnn_backward_code": [
        ("dx_steps[t] = dx_t", "dx_steps[T - 1 - t] = dx_t")]},
    "loss: divided by T": {"temporal_softmax_loss_code": [
        ("/ tf.cast(tf.shape(x)[0], x.dtype)", "/ tf.cast(tf.shape(x)[1], x.dtype)")]},
    "loss: probabilities summed": {"temporal_softmax_loss_code": [
        ("log_probs = tf.nn.log_softmax(x, axis=-1)", "log_probs = tf.nn.softmax(x, axis=-1)")]},
    "sample: one seed for every step": {"sample_code": [("seed=[seed, t]", "seed=[seed, 0]")]},
    "sample: always the argmax": {"sample_code": [("if temperature == 0:", "if True:")]},
    "tbptt: loss per character": {"train_tbptt_code": [
        ("losses.append(loss)", "losses.append(loss / k)")]},
    "frames: time-major reshape": {"FrameClassifier_code": [
        ("x = tf.reshape(frames, (-1, T, D))", "x = tf.reshape(frames, (T, -1, D))")]},
}

VALUE_PRESERVING = {
    "sample: log-probabilities as logits": (
        "log-softmax only shifts each row of logits by a constant, which leaves "
        "tf.random.stateless_categorical's draws unchanged: this is correct code"),
    "tbptt: no stop_gradient": (
        "each tbptt_step is its own tf.function call and the carried state enters it as a "
        "constant, so no gradient can flow across chunks with or without stop_gradient"),
}
