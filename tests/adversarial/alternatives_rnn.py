"""The false-failure corpus of ``rnn``: correct code written differently from the solution.

Two submissions, each a dict solution grade_id -> the whole cell's source (cells not listed
are taken from the solution). Both must get full marks.

- ``OPS``: einsum against matmul, ``keras.ops`` against ``tf`` ops, computing in float64
  inside and casting back, one-hot products against gather, tensordot, the fused
  sparse cross-entropy, clipping by global norm written out (``tf.linalg.global_norm``
  and a scale).
- ``LOOPS``: ``tf.while_loop`` with a ``TensorArray`` against a Python loop, ``tf.scan``,
  ``tf.function`` around functions, a reversed ``tf.range`` in BPTT.
"""

OPS = {
    "rnn_step_forward_code": '''
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    # computed in float64 whatever the inputs, returned in their dtype
    z = (tf.einsum("nd,dh->nh", tf.cast(x, tf.float64), tf.cast(Wx, tf.float64))
         + tf.einsum("nk,kh->nh", tf.cast(prev_h, tf.float64), tf.cast(Wh, tf.float64))
         + tf.cast(b, tf.float64))
    return tf.cast(tf.tanh(z), x.dtype)
''',
    "rnn_step_backward_code": '''
def rnn_step_backward(dnext_h, next_h, x, prev_h, Wx, Wh):
    dz = dnext_h * (1.0 - keras.ops.square(next_h))
    dx = keras.ops.matmul(dz, keras.ops.transpose(Wx))
    dprev_h = keras.ops.einsum("nh,kh->nk", dz, Wh)
    dWx = keras.ops.einsum("nd,nh->dh", x, dz)
    dWh = keras.ops.matmul(keras.ops.transpose(prev_h), dz)
    db = keras.ops.sum(dz, axis=0)
    return dx, dprev_h, dWx, dWh, db
''',
    "word_embedding_forward_code": '''
def word_embedding_forward(x, W_embed):
    one_hot = tf.one_hot(x, depth=tf.shape(W_embed)[0], dtype=W_embed.dtype)
    return tf.einsum("ntv,vw->ntw", one_hot, W_embed)
''',
    "temporal_affine_forward_code": '''
def temporal_affine_forward(x, w, b):
    return keras.ops.tensordot(x, w, axes=1) + b
''',
    "temporal_softmax_loss_code": '''
def temporal_softmax_loss(x, y, mask):
    per_step = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x)
    per_step = tf.where(mask, per_step, tf.zeros_like(per_step))
    return tf.reduce_mean(tf.reduce_sum(per_step, axis=1))
''',
    "train_step_code": '''
def train_step(model, optimizer, inputs, targets, mask, max_norm):
    with tf.GradientTape() as tape:
        loss = temporal_softmax_loss(model(inputs, training=True), targets, mask)
    grads = tape.gradient(loss, model.trainable_variables)
    grad_norm = tf.linalg.global_norm(grads)
    scale = tf.cast(max_norm, grad_norm.dtype) / tf.maximum(grad_norm,
                                                            tf.cast(max_norm, grad_norm.dtype))
    optimizer.apply([g * scale for g in grads], model.trainable_variables)
    return loss, grad_norm
''',
}

LOOPS = {
    "rnn_forward_code": '''
def rnn_forward(x, h0, Wx, Wh, b):
    T = tf.shape(x)[1]
    states = tf.TensorArray(x.dtype, size=T)

    def body(t, h, states):
        h = rnn_step_forward(x[:, t, :], h, Wx, Wh, b)
        return t + 1, h, states.write(t, h)

    _, _, states = tf.while_loop(lambda t, h, states: t < T, body, (0, h0, states))
    return tf.transpose(states.stack(), [1, 0, 2])
''',
    "rnn_backward_code": '''
@tf.function
def rnn_backward(dh, h, x, h0, Wx, Wh):
    T = x.shape[1]
    dx_steps = []
    dWx, dWh = tf.zeros_like(Wx), tf.zeros_like(Wh)
    db = tf.zeros_like(Wh[0])
    dprev_h = tf.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        prev_h = h0 if t == 0 else h[:, t - 1, :]
        dx_t, dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(
            dh[:, t, :] + dprev_h, h[:, t, :], x[:, t, :], prev_h, Wx, Wh)
        dx_steps.insert(0, dx_t)
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return tf.stack(dx_steps, axis=1), dprev_h, dWx, dWh, db
''',
    "word_embedding_forward_code": '''
@tf.function
def word_embedding_forward(x, W_embed):
    return tf.nn.embedding_lookup(W_embed, x)
''',
    "temporal_affine_forward_code": '''
@tf.function
def temporal_affine_forward(x, w, b):
    N, T = tf.shape(x)[0], tf.shape(x)[1]
    flat = tf.reshape(x, (N * T, -1)) @ w + b
    return tf.reshape(flat, (N, T, -1))
''',
    "temporal_softmax_loss_code": '''
@tf.function
def temporal_softmax_loss(x, y, mask):
    log_probs = x - tf.reduce_logsumexp(x, axis=-1, keepdims=True)
    picked = tf.reduce_sum(log_probs * tf.one_hot(y, tf.shape(x)[-1], dtype=x.dtype), axis=-1)
    return -tf.reduce_sum(tf.boolean_mask(picked, mask)) / tf.cast(tf.shape(x)[0], x.dtype)
''',
}
