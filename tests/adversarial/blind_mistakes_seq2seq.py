"""Blind corpus of student mistakes for assignment 3 (seq2seq).

Written 2026-12-01 from the solution notebook (solutions/seq2seq/seq2seq.ipynb) and from what
students typically get wrong with encoder-decoders, attention and beam search, *without* seeing
the declared known mistakes, the other corpora (common mistakes, alternatives) or any of the
grader's diagnoses. It exists to measure how well the autograder names mistakes it was never
tuned for.

Each entry maps a grade_id of a solution cell to plain text replacements applied to that cell's
source (every occurrence of `old` is replaced). One mistake per entry, phrased the way a student
would write it.
"""

MISTAKES = {
    # --- Encoder ------------------------------------------------------------------------------
    "Encoder: padding not masked (the state keeps reading <NULL>)": {
        "encoder_code": [
            ("            h = tf.where(real, next_h, h)\n"
             "            c = tf.where(real, next_c, c)\n",
             "            h, c = next_h, next_c\n"),
        ],
    },
    "Encoder: states keep the raw cell output at padded steps": {
        "encoder_code": [
            ("all_h.append(h)", "all_h.append(next_h)"),
        ],
    },
    # --- Decoder ------------------------------------------------------------------------------
    "Decoder.step: scores computed from the previous hidden state": {
        "decoder_code": [
            ("scores = self.to_vocab(h)  # (N, V)", 'scores = self.to_vocab(state["h"])  # (N, V)'),
        ],
    },
    "Decoder.call: state not carried from step to step": {
        "decoder_code": [
            ("step_scores, state = self.step(target_in[:, t], state)",
             "step_scores, _ = self.step(target_in[:, t], state)"),
        ],
    },
    # --- seq2seq_loss -------------------------------------------------------------------------
    "seq2seq_loss: decoder input and target shifted the wrong way round": {
        "seq2seq_loss_code": [
            ("target_in, target_out = target[:, :-1], target[:, 1:]",
             "target_in, target_out = target[:, 1:], target[:, :-1]"),
        ],
    },
    "seq2seq_loss: mask taken from the decoder input instead of the expected output": {
        "seq2seq_loss_code": [
            ("mask = tf.cast(tf.not_equal(target_out, NULL_ID), scores.dtype)",
             "mask = tf.cast(tf.not_equal(target_in, NULL_ID), scores.dtype)"),
        ],
    },
    "seq2seq_loss: mean over batch and time instead of sum over time / N": {
        "seq2seq_loss_code": [
            ("loss = tf.reduce_sum(losses * mask) / tf.cast(tf.shape(target)[0], scores.dtype)",
             "loss = tf.reduce_mean(losses * mask)"),
        ],
    },
    # --- make_train_step ----------------------------------------------------------------------
    "make_train_step: grad_norm measured after clipping": {
        "train_step_code": [
            ("        grads, grad_norm = tf.clip_by_global_norm(grads, clip_norm)\n",
             "        grads, _ = tf.clip_by_global_norm(grads, clip_norm)\n"
             "        grad_norm = tf.linalg.global_norm(grads)\n"),
        ],
    },
    # --- greedy_decode ------------------------------------------------------------------------
    "greedy_decode: finished updated before masking, so <END> itself becomes <NULL>": {
        "greedy_decode_code": [
            ("        previous = tf.where(finished, NULL_ID, previous)\n"
             "        outputs.append(previous)\n"
             "        finished = finished | tf.equal(previous, END_ID)\n",
             "        finished = finished | tf.equal(previous, END_ID)\n"
             "        previous = tf.where(finished, NULL_ID, previous)\n"
             "        outputs.append(previous)\n"),
        ],
    },
    # --- attend -------------------------------------------------------------------------------
    "attend: padded scores multiplied by zero instead of set very negative": {
        "attend_code": [
            ("masked = tf.where(source_mask, scores, very_negative)",
             "masked = scores * tf.cast(source_mask, scores.dtype)"),
        ],
    },
    "attend: softmax over the batch axis": {
        "attend_code": [
            ("weights = tf.nn.softmax(masked, axis=-1)  # (N, T)",
             "weights = tf.nn.softmax(masked, axis=0)  # (N, T)"),
        ],
    },
    "attend: mask applied after the softmax, weights not renormalised": {
        "attend_code": [
            ("    very_negative = tf.cast(scores.dtype.min, scores.dtype)\n"
             "    masked = tf.where(source_mask, scores, very_negative)\n"
             "    weights = tf.nn.softmax(masked, axis=-1)  # (N, T)\n",
             "    weights = tf.nn.softmax(scores, axis=-1) * tf.cast(source_mask, scores.dtype)\n"),
        ],
    },
    # --- AdditiveAttention --------------------------------------------------------------------
    "AdditiveAttention: no tanh in the scoring network": {
        "additive_attention_code": [
            ("hidden = tf.tanh(keys @ self.W1 + (query @ self.W2)[:, None, :])",
             "hidden = keys @ self.W1 + (query @ self.W2)[:, None, :]"),
        ],
    },
    "AdditiveAttention: scores with np.einsum (values right, no gradient into W1, W2, v)": {
        "additive_attention_code": [
            ('scores = tf.einsum("ntu,u->nt", hidden, self.v)',
             'scores = np.einsum("ntu,u->nt", hidden, self.v)'),
        ],
    },
    # --- DotProductAttention ------------------------------------------------------------------
    "DotProductAttention: scores scaled by sqrt(H) (Transformer habit)": {
        "dot_product_attention_code": [
            ('scores = tf.einsum("nth,nh->nt", keys, query)  # (N, T)',
             'scores = tf.einsum("nth,nh->nt", keys, query) / tf.sqrt(tf.cast(keys.shape[-1], keys.dtype))'),
        ],
    },
    # --- AttentionDecoder ---------------------------------------------------------------------
    "AttentionDecoder.step: cell input concatenated as [context, embedding]": {
        "attention_decoder_code": [
            ("x = tf.concat([self.embedding(tokens), context], axis=-1)  # (N, W + H)",
             "x = tf.concat([context, self.embedding(tokens)], axis=-1)  # (N, W + H)"),
        ],
    },
    # --- beam_search --------------------------------------------------------------------------
    "beam_search: every beam live at the start (all initial log-probabilities 0)": {
        "beam_search_code": [
            ("log_p = tf.tile(tf.concat([tf.zeros([1], dtype), tf.fill([K - 1], minus_inf)], 0), [N])",
             "log_p = tf.zeros([N * K], dtype)"),
        ],
    },
    "beam_search: chosen rows not offset by the example (best // V only)": {
        "beam_search_code": [
            ("rows = tf.reshape(tf.range(N)[:, None] * K + best // V, [-1])",
             "rows = tf.reshape(best // V, [-1])"),
        ],
    },
    "beam_search: token history not reordered with the chosen beams": {
        "beam_search_code": [
            ("history = [tf.gather(h, rows) for h in history] + [previous]",
             "history = history + [previous]"),
        ],
    },
    # --- BidirectionalEncoder -----------------------------------------------------------------
    "BidirectionalEncoder: backward states stored in the order computed (not at position t)": {
        "bidirectional_encoder_code": [
            ("backward = [None] * T", "backward = []"),
            ("backward[t] = h_b", "backward.append(h_b)"),
        ],
    },
    "BidirectionalEncoder: backward pass runs forward in time": {
        "bidirectional_encoder_code": [
            ("for t in reversed(range(T)):", "for t in range(T):"),
        ],
    },
}

VALUE_PRESERVING = {}
