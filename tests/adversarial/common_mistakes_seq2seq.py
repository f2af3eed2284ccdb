"""Common student mistakes in the ``seq2seq`` assignment: the corpus of
``autograder.mistake_audit``.

Written from what students get wrong in encoder-decoder code (padding, teacher forcing's
shift, the decoding state, attention masks and softmax axes, beam bookkeeping),
independently of the declared known mistakes (``autograder/mistakes/seq2seq.py``), in textual
forms of their own. Format: see ``common_mistakes_rnn.py``.

Only the units that existed when this corpus was written; the ``bidirectional_encoder`` unit
is being added by another engineer and is left out on purpose.
"""

MISTAKES = {
    # encoder
    "encoder: padding not skipped": {"encoder_code": [
        ("h = tf.where(real, next_h, h)", "h = next_h"),
        ("c = tf.where(real, next_c, c)", "c = next_c")]},
    "encoder: cell state not masked": {"encoder_code": [
        ("c = tf.where(real, next_c, c)", "c = next_c")]},
    "encoder: stores the unmasked state": {"encoder_code": [
        ("all_h.append(h)", "all_h.append(next_h)")]},
    "encoder: states stacked on axis 0": {"encoder_code": [
        ("states = tf.stack(all_h, axis=1)", "states = tf.stack(all_h)")]},
    "encoder: [c, h] given to the cell": {"encoder_code": [
        ("self.cell(x[:, t], [h, c])", "self.cell(x[:, t], [c, h])")]},
    # decoder
    "decoder: state not carried": {"decoder_code": [
        ("step_scores, state = self.step(target_in[:, t], state)",
         "step_scores, _ = self.step(target_in[:, t], state)")]},
    "decoder: scores from the cell state": {"decoder_code": [
        ("scores = self.to_vocab(h)  # (N, V)", "scores = self.to_vocab(c)  # (N, V)")]},
    "decoder: softmax on the scores": {"decoder_code": [
        ("scores = self.to_vocab(h)  # (N, V)", "scores = tf.nn.softmax(self.to_vocab(h))")]},
    # seq2seq_loss
    "loss: targets not shifted": {"seq2seq_loss_code": [
        ("target_in, target_out = target[:, :-1], target[:, 1:]",
         "target_in, target_out = target[:, :-1], target[:, :-1]")]},
    "loss: mask ignored": {"seq2seq_loss_code": [("losses * mask", "losses")]},
    "loss: reduce_mean": {"seq2seq_loss_code": [
        ("loss = tf.reduce_sum(losses * mask) / tf.cast(tf.shape(target)[0], scores.dtype)",
         "loss = tf.reduce_mean(losses * mask)")]},
    "loss: softmax before the cross-entropy": {"seq2seq_loss_code": [
        ("logits=scores)", "logits=tf.nn.softmax(scores))")]},
    "loss: mask from the inputs": {"seq2seq_loss_code": [
        ("tf.not_equal(target_out, NULL_ID), scores.dtype)",
         "tf.not_equal(target_in, NULL_ID), scores.dtype)")]},
    # train_step
    "train_step: clipped gradients not applied": {"train_step_code": [
        ("grads, grad_norm = tf.clip_by_global_norm(grads, clip_norm)",
         "clipped, grad_norm = tf.clip_by_global_norm(grads, clip_norm)")]},
    "train_step: norm after clipping": {"train_step_code": [
        ("grads, grad_norm = tf.clip_by_global_norm(grads, clip_norm)",
         "grads, _ = tf.clip_by_global_norm(grads, clip_norm)\n"
         "        grad_norm = tf.linalg.global_norm(grads)")]},
    # greedy_decode
    "greedy: no <NULL> after <END>": {"greedy_decode_code": [
        ("        previous = tf.where(finished, NULL_ID, previous)\n", "")]},
    "greedy: <START> fed at every step": {"greedy_decode_code": [
        ("scores, state = decoder.step(previous, state)",
         "scores, state = decoder.step(tf.fill([N], START_ID), state)")]},
    # attend
    "attend: mask ignored": {"attend_code": [
        ("masked = tf.where(source_mask, scores, very_negative)", "masked = scores")]},
    "attend: masked with zeros": {"attend_code": [
        ("masked = tf.where(source_mask, scores, very_negative)",
         "masked = tf.where(source_mask, scores, tf.zeros_like(scores))")]},
    "attend: softmax over the batch": {"attend_code": [
        ("weights = tf.nn.softmax(masked, axis=-1)", "weights = tf.nn.softmax(masked, axis=0)")]},
    "attend: mask applied after the softmax": {"attend_code": [
        ("weights = tf.nn.softmax(masked, axis=-1)",
         "weights = tf.nn.softmax(scores, axis=-1) * tf.cast(source_mask, scores.dtype)")]},
    # additive_attention, dot_product_attention
    "additive: no tanh": {"additive_attention_code": [
        ("hidden = tf.tanh(keys @ self.W1 + (query @ self.W2)[:, None, :])",
         "hidden = keys @ self.W1 + (query @ self.W2)[:, None, :]")]},
    "additive: W1 and W2 swapped": {"additive_attention_code": [
        ("keys @ self.W1 + (query @ self.W2)", "keys @ self.W2 + (query @ self.W1)")]},
    "dot: general's W unused": {"dot_product_attention_code": [
        ("            query = query @ self.W  # (N, H_keys)\n", "            pass\n")]},
    "dot: scaled by sqrt(H)": {"dot_product_attention_code": [
        ('scores = tf.einsum("nth,nh->nt", keys, query)  # (N, T)',
         'scores = tf.einsum("nth,nh->nt", keys, query) / tf.sqrt(tf.cast(tf.shape(keys)[-1], '
         'keys.dtype))')]},
    # attention_decoder
    "attention decoder: context before the word vector": {"attention_decoder_code": [
        ("x = tf.concat([self.embedding(tokens), context], axis=-1)",
         "x = tf.concat([context, self.embedding(tokens)], axis=-1)")]},
    "attention decoder: attention weights not kept": {"attention_decoder_code": [
        ('new_state = {**state, "h": h, "c": c, "attention": weights}',
         'new_state = {**state, "h": h, "c": c}')]},
    # beam_search
    "beam: no length normalisation": {"beam_search_code": [
        ("normalised = tf.reshape(log_p / tf.cast(lengths, dtype) ** alpha, [N, K])",
         "normalised = tf.reshape(log_p, [N, K])")]},
    "beam: every beam starts alive": {"beam_search_code": [
        ("tf.fill([K - 1], minus_inf)", "tf.zeros([K - 1], dtype)")]},
    "beam: finished beams keep growing": {"beam_search_code": [
        ("        step_log_p = tf.where(finished[:, None], only_null[None, :], step_log_p)\n", "")]},
    "beam: probabilities instead of log-probabilities": {"beam_search_code": [
        ("step_log_p = tf.nn.log_softmax(step_scores, axis=-1)",
         "step_log_p = tf.nn.softmax(step_scores, axis=-1)")]},
    "beam: rows not offset by the example": {"beam_search_code": [
        ("rows = tf.reshape(tf.range(N)[:, None] * K + best // V, [-1])",
         "rows = tf.reshape(best // V, [-1])")]},
    "beam: lengths grow after <END>": {"beam_search_code": [
        ("lengths = tf.gather(lengths, rows) + tf.cast(~was_finished, tf.int32)",
         "lengths = tf.gather(lengths, rows) + 1")]},
    "beam: log of softmax": {"beam_search_code": [
        ("step_log_p = tf.nn.log_softmax(step_scores, axis=-1)",
         "step_log_p = tf.math.log(tf.nn.softmax(step_scores, axis=-1))")]},
}

VALUE_PRESERVING = {
    "beam: log of softmax": (
        "written as log(softmax): the same log-probabilities as log_softmax up to rounding on "
        "these moderate scores (an unstable form that only large scores would expose)"),
}
