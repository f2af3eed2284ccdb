"""Second blind corpus of student mistakes for assignment 3 (seq2seq).

Written on 2026-12-01 from the solution notebook and from what students typically get wrong,
without seeing the declared known mistakes, the other corpora or the grader's diagnoses. Each
entry is one mistake, written the way a student would write the code (their own phrasing), as
plain text replacements in the source of one graded solution cell.
"""

MISTAKES = {
    "Encoder: padding mask ignored, the LSTM keeps reading <NULL>": {
        "encoder_code": [(
            "            real = mask[:, t, None]  # (N, 1)\n"
            "            h = tf.where(real, next_h, h)\n"
            "            c = tf.where(real, next_c, c)\n"
            "            all_h.append(h)\n",
            "            h, c = next_h, next_c\n"
            "            all_h.append(h)\n",
        )],
    },
    "Encoder: states collects the cell's raw output, not the masked (carried) state": {
        "encoder_code": [
            ("            _, (next_h, next_c) = self.cell(x[:, t], [h, c])\n",
             "            output, (next_h, next_c) = self.cell(x[:, t], [h, c])\n"),
            ("            all_h.append(h)\n",
             "            all_h.append(output)\n"),
        ],
    },
    "Decoder.step: cell's states unpacked as (c, h), so h and c are swapped": {
        "decoder_code": [(
            "        h, (h, c) = self.cell(x, [state[\"h\"], state[\"c\"]])\n",
            "        out, (c, h) = self.cell(x, [state[\"h\"], state[\"c\"]])\n",
        )],
    },
    "seq2seq_loss: mask built from the decoder inputs instead of the expected outputs": {
        "seq2seq_loss_code": [(
            "    mask = tf.cast(tf.not_equal(target_out, NULL_ID), scores.dtype)\n",
            "    mask = tf.cast(target_in != NULL_ID, scores.dtype)\n",
        )],
    },
    "seq2seq_loss: decoder input and expected output slices swapped": {
        "seq2seq_loss_code": [(
            "    target_in, target_out = target[:, :-1], target[:, 1:]\n",
            "    target_in = target[:, 1:]\n"
            "    target_out = target[:, :-1]\n",
        )],
    },
    "make_train_step: grad_norm measured after clipping": {
        "train_step_code": [(
            "        grads, grad_norm = tf.clip_by_global_norm(grads, clip_norm)\n",
            "        grads, _ = tf.clip_by_global_norm(grads, clip_norm)\n"
            "        grad_norm = tf.linalg.global_norm(grads)\n",
        )],
    },
    "greedy_decode: finished updated before masking, so the <END> token itself becomes <NULL>": {
        "greedy_decode_code": [(
            "        previous = tf.where(finished, NULL_ID, previous)\n"
            "        outputs.append(previous)\n"
            "        finished = finished | tf.equal(previous, END_ID)\n",
            "        finished = tf.logical_or(finished, previous == END_ID)\n"
            "        previous = tf.where(finished, NULL_ID, previous)\n"
            "        outputs.append(previous)\n",
        )],
    },
    "greedy_decode: argmax taken over the batch axis": {
        "greedy_decode_code": [(
            "        previous = tf.argmax(scores, axis=-1, output_type=tf.int32)\n",
            "        previous = tf.cast(tf.argmax(scores, axis=0), tf.int32)\n",
        )],
    },
    "attend: plain softmax, then padding weights zeroed (rows no longer sum to 1)": {
        "attend_code": [(
            "    very_negative = tf.cast(scores.dtype.min, scores.dtype)\n"
            "    masked = tf.where(source_mask, scores, very_negative)\n"
            "    weights = tf.nn.softmax(masked, axis=-1)  # (N, T)\n",
            "    weights = tf.nn.softmax(scores, axis=-1)\n"
            "    weights = weights * tf.cast(source_mask, weights.dtype)  # no weight on padding\n",
        )],
    },
    "attend: softmax taken over the batch axis": {
        "attend_code": [(
            "    weights = tf.nn.softmax(masked, axis=-1)  # (N, T)\n",
            "    weights = keras.ops.softmax(masked, axis=0)\n",
        )],
    },
    "AdditiveAttention: tanh applied to the final score instead of the hidden layer": {
        "additive_attention_code": [(
            "        hidden = tf.tanh(keys @ self.W1 + (query @ self.W2)[:, None, :])  # (N, T, U)\n"
            "        scores = tf.einsum(\"ntu,u->nt\", hidden, self.v)  # (N, T)\n",
            "        projected = keys @ self.W1 + tf.expand_dims(query @ self.W2, 1)  # (N, T, U)\n"
            "        scores = tf.tanh(tf.reduce_sum(projected * self.v, axis=-1))\n",
        )],
    },
    "DotProductAttention: scores scaled by 1/sqrt(H) (Transformer habit)": {
        "dot_product_attention_code": [(
            "        scores = tf.einsum(\"nth,nh->nt\", keys, query)  # (N, T)\n",
            "        d_k = tf.cast(tf.shape(keys)[-1], keys.dtype)\n"
            "        scores = tf.einsum(\"nth,nh->nt\", keys, query) / tf.sqrt(d_k)\n",
        )],
    },
    "AttentionDecoder.step: cell input concatenated as [context, embedding]": {
        "attention_decoder_code": [(
            "        x = tf.concat([self.embedding(tokens), context], axis=-1)  # (N, W + H)\n",
            "        embedded = self.embedding(tokens)\n"
            "        x = tf.concat([context, embedded], axis=-1)\n",
        )],
    },
    "beam_search: every beam starts live (log_p 0), so the k beams are copies": {
        "beam_search_code": [(
            "    log_p = tf.tile(tf.concat([tf.zeros([1], dtype), tf.fill([K - 1], minus_inf)], 0), [N])\n",
            "    log_p = tf.zeros([N * K], dtype=dtype)\n",
        )],
    },
    "beam_search: chosen beam index used as a row without the example offset n * K": {
        "beam_search_code": [(
            "        rows = tf.reshape(tf.range(N)[:, None] * K + best // V, [-1])  # (N * K,)\n",
            "        rows = tf.reshape(best // V, [-1])  # the beam each candidate extends\n",
        )],
    },
    "beam_search: history of tokens not reordered with the chosen beams": {
        "beam_search_code": [(
            "        history = [tf.gather(h, rows) for h in history] + [previous]\n",
            "        history.append(previous)\n",
        )],
    },
    "BidirectionalEncoder: backward states stored in the order computed (reversed in time)": {
        "bidirectional_encoder_code": [
            ("        backward = [None] * T\n",
             "        backward = []\n"),
            ("            backward[t] = h_b\n",
             "            backward.append(h_b)\n"),
        ],
    },
}

VALUE_PRESERVING = {}
