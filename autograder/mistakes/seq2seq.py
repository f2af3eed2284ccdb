"""Known mistakes of the ``seq2seq`` assignment (see :mod:`autograder.mistakes`).

Each one is a text replacement on the solution; if the solution's wording changes, update the
``replace`` pairs here (``tests/autograder/test_mutations.py`` fails when one no longer
applies). A mistake lists every unit whose values it changes, and changes a public case of
each (so that the visible check can name it too; ``python -m autograder.mistake_audit seq2seq
--declared`` checks both). No unit's cases run the student's code of another unit (the loss,
training and decoding units use toy encoders and decoders of their own), so every mistake
lists only its own unit. Mistakes that raise where the shapes differ are not declared (the
feedback shows the error; a known mistake must compute values on every case of its units):
W1 and W2 swapped in additive attention, the general dot product's W left unused.
"""

from autograder.mistakes import Mistake

MISTAKES = [
    Mistake(
        title="the encoder runs over the padding: at <NULL> steps keep the previous h and c "
              "(tf.where on the source mask) so the final state is that of the last real token",
        cell="encoder_code",
        replace=[("h = tf.where(real, next_h, h)\n            c = tf.where(real, next_c, c)",
                  "h, c = next_h, next_c")],
        units=["encoder"],
    ),
    Mistake(
        title="the decoder step drops the new cell state: return both h and c in the state",
        cell="decoder_code",
        replace=[('new_state = {**state, "h": h, "c": c}', 'new_state = {**state, "h": h}')],
        units=["decoder"],
    ),
    Mistake(
        title="the loss counts the padding: multiply the per-step losses by the target mask "
              "(target_out != <NULL>) before summing",
        cell="seq2seq_loss_code",
        replace=[("tf.reduce_sum(losses * mask)", "tf.reduce_sum(losses)")],
        units=["seq2seq_loss"],
    ),
    Mistake(
        title="the loss is averaged over the real target tokens instead of over the batch: "
              "sum over time, divide by N",
        cell="seq2seq_loss_code",
        replace=[("/ tf.cast(tf.shape(target)[0], scores.dtype)", "/ tf.reduce_sum(mask)")],
        units=["seq2seq_loss"],
    ),
    Mistake(
        title="the target is not shifted: the decoder reads target[:, :-1] and predicts "
              "target[:, 1:]",
        cell="seq2seq_loss_code",
        replace=[("target_in, target_out = target[:, :-1], target[:, 1:]",
                  "target_in, target_out = target[:, 1:], target[:, 1:]")],
        units=["seq2seq_loss"],
    ),
    Mistake(
        title="each gradient is clipped on its own: clip them together by their global norm "
              "(tf.clip_by_global_norm)",
        cell="train_step_code",
        replace=[("grads, grad_norm = tf.clip_by_global_norm(grads, clip_norm)",
                  ("grad_norm = tf.linalg.global_norm(grads)\n"
                   "        grads = [tf.clip_by_norm(g, clip_norm) for g in grads]"))],
        units=["train_step"],
    ),
    Mistake(
        title="greedy decoding goes on after <END>: once a sequence has finished, emit <NULL>",
        cell="greedy_decode_code",
        replace=[("previous = tf.where(finished, NULL_ID, previous)", "previous = previous")],
        units=["greedy_decode"],
    ),
    Mistake(
        title="beam scores are not length-normalised: divide the summed log-probabilities by "
              "length ** alpha",
        cell="beam_search_code",
        replace=[("/ tf.cast(lengths, dtype) ** alpha", "")],
        units=["beam_search"],
    ),
    Mistake(
        title="the attention weights ignore the source mask: give padded positions a very "
              "negative score before the softmax",
        cell="attend_code",
        replace=[("masked = tf.where(source_mask, scores, very_negative)", "masked = scores")],
        units=["attend"],
    ),
    Mistake(
        title="the backward pass reads the padding: it must start at each row's last real "
              "token (keep h and c where source[:, t] is <NULL>, as in the forward pass)",
        cell="bidirectional_encoder_code",
        replace=[(("h_b = tf.where(real, next_h, h_b)\n"
                   "            c_b = tf.where(real, next_c, c_b)"),
                  "h_b, c_b = next_h, next_c")],
        units=["bidirectional_encoder"],
    ),
    Mistake(
        title="the directions are concatenated in the wrong order: forward first, then backward "
              "(in states, h and c)",
        cell="bidirectional_encoder_code",
        replace=[("tf.concat([tf.stack(forward, axis=1), tf.stack(backward, axis=1)], axis=-1)",
                  "tf.concat([tf.stack(backward, axis=1), tf.stack(forward, axis=1)], axis=-1)"),
                 ("h = tf.concat([h_f, h_b], axis=-1)", "h = tf.concat([h_b, h_f], axis=-1)"),
                 ("c = tf.concat([c_f, c_b], axis=-1)", "c = tf.concat([c_b, c_f], axis=-1)")],
        units=["bidirectional_encoder"],
    ),
    Mistake(
        title="the backward states are in the order they were computed: states[:, t] must hold "
              "the backward state of position t (reverse them back)",
        cell="bidirectional_encoder_code",
        replace=[("backward = [None] * T", "backward = []"),
                 ("backward[t] = h_b", "backward.append(h_b)")],
        units=["bidirectional_encoder"],
    ),
    Mistake(
        title="additive attention is missing its tanh: v . tanh(W1 k + W2 q)",
        cell="additive_attention_code",
        replace=[("hidden = tf.tanh(", "hidden = (")],
        units=["additive_attention"],
    ),
    # Encoder ---------------------------------------------------------------------------------
    Mistake(
        title="the cell state runs over the padding: keep c too where source[:, t] is <NULL> "
              "(c = tf.where(real, next_c, c)), not only h",
        cell="encoder_code",
        replace=[("c = tf.where(real, next_c, c)", "c = next_c")],
        units=["encoder"],
    ),
    Mistake(
        title="the states store the cell's new h even at padded steps: append the carried h "
              "(after tf.where), which stays unchanged through the padding",
        cell="encoder_code",
        replace=[("all_h.append(h)", "all_h.append(next_h)")],
        units=["encoder"],
    ),
    Mistake(
        title="the states are stacked on axis 0, giving (T, N, H): stack them on axis 1 for "
              "(N, T, H)",
        cell="encoder_code",
        replace=[("states = tf.stack(all_h, axis=1)", "states = tf.stack(all_h)")],
        units=["encoder"],
    ),
    Mistake(
        title="the cell gets its state as [c, h]: keras.layers.LSTMCell takes [h, c]",
        cell="encoder_code",
        replace=[("self.cell(x[:, t], [h, c])", "self.cell(x[:, t], [c, h])")],
        units=["encoder"],
    ),
    # Decoder ---------------------------------------------------------------------------------
    Mistake(
        title="the decoder's state is not carried between steps: each step must start from "
              "the state the previous step returned",
        cell="decoder_code",
        replace=[("step_scores, state = self.step(target_in[:, t], state)",
                  "step_scores, _ = self.step(target_in[:, t], state)")],
        units=["decoder"],
    ),
    Mistake(
        title="the scores are computed from the cell state c: apply to_vocab to the new hidden "
              "state h",
        cell="decoder_code",
        replace=[("scores = self.to_vocab(h)  # (N, V)", "scores = self.to_vocab(c)  # (N, V)")],
        units=["decoder"],
    ),
    Mistake(
        title="the decoder returns probabilities: step returns the raw scores (logits) of "
              "to_vocab, with no softmax",
        cell="decoder_code",
        replace=[("scores = self.to_vocab(h)  # (N, V)",
                  "scores = tf.nn.softmax(self.to_vocab(h))")],
        units=["decoder"],
    ),
    # seq2seq_loss ----------------------------------------------------------------------------
    Mistake(
        title="the expected tokens are not shifted: the decoder reads target[:, :-1] and must "
              "predict the next tokens, target[:, 1:]",
        cell="seq2seq_loss_code",
        replace=[("target_in, target_out = target[:, :-1], target[:, 1:]",
                  "target_in, target_out = target[:, :-1], target[:, :-1]")],
        units=["seq2seq_loss"],
    ),
    Mistake(
        title="the loss is averaged over every step (tf.reduce_mean): sum the masked losses "
              "over time and divide by N",
        cell="seq2seq_loss_code",
        replace=[("loss = tf.reduce_sum(losses * mask) / tf.cast(tf.shape(target)[0], scores.dtype)",
                  "loss = tf.reduce_mean(losses * mask)")],
        units=["seq2seq_loss"],
    ),
    Mistake(
        title="a softmax before the cross-entropy: sparse_softmax_cross_entropy_with_logits "
              "takes the raw scores (logits)",
        cell="seq2seq_loss_code",
        replace=[("logits=scores)", "logits=tf.nn.softmax(scores))")],
        units=["seq2seq_loss"],
    ),
    Mistake(
        title="the mask comes from the decoder's inputs: it is where the expected token "
              "target[:, 1:] is not <NULL>",
        cell="seq2seq_loss_code",
        replace=[("tf.not_equal(target_out, NULL_ID), scores.dtype)",
                  "tf.not_equal(target_in, NULL_ID), scores.dtype)")],
        units=["seq2seq_loss"],
    ),
    # train_step ------------------------------------------------------------------------------
    Mistake(
        title="the clipped gradients are not the ones applied: give optimizer.apply the "
              "gradients tf.clip_by_global_norm returns",
        cell="train_step_code",
        replace=[("grads, grad_norm = tf.clip_by_global_norm(grads, clip_norm)",
                  "clipped, grad_norm = tf.clip_by_global_norm(grads, clip_norm)")],
        units=["train_step"],
    ),
    Mistake(
        title="grad_norm is measured after clipping: it is the global norm before clipping "
              "(the second value tf.clip_by_global_norm returns)",
        cell="train_step_code",
        replace=[("grads, grad_norm = tf.clip_by_global_norm(grads, clip_norm)",
                  "grads, _ = tf.clip_by_global_norm(grads, clip_norm)\n"
                  "        grad_norm = tf.linalg.global_norm(grads)")],
        units=["train_step"],
    ),
    # greedy_decode ---------------------------------------------------------------------------
    Mistake(
        title="<START> is fed at every step: feed back the token chosen at the previous step",
        cell="greedy_decode_code",
        replace=[("scores, state = decoder.step(previous, state)",
                  "scores, state = decoder.step(tf.fill([N], START_ID), state)")],
        units=["greedy_decode"],
    ),
    # attend, attention scores ----------------------------------------------------------------
    Mistake(
        title="padded positions get the score 0, so they still get weight: give them a very "
              "negative score before the softmax",
        cell="attend_code",
        replace=[("masked = tf.where(source_mask, scores, very_negative)",
                  "masked = tf.where(source_mask, scores, tf.zeros_like(scores))")],
        units=["attend"],
    ),
    Mistake(
        title="the softmax runs over the batch (axis 0): it is over the T positions (axis=-1)",
        cell="attend_code",
        replace=[("weights = tf.nn.softmax(masked, axis=-1)",
                  "weights = tf.nn.softmax(masked, axis=0)")],
        units=["attend"],
    ),
    Mistake(
        title="the mask is applied after the softmax, so the weights no longer sum to 1: mask "
              "the scores before it",
        cell="attend_code",
        replace=[("weights = tf.nn.softmax(masked, axis=-1)",
                  "weights = tf.nn.softmax(scores, axis=-1) * tf.cast(source_mask, scores.dtype)")],
        units=["attend"],
    ),
    Mistake(
        title="the scores are divided by sqrt(H): Luong's dot product k_t . q is not scaled",
        cell="dot_product_attention_code",
        replace=[('scores = tf.einsum("nth,nh->nt", keys, query)  # (N, T)',
                  'scores = tf.einsum("nth,nh->nt", keys, query) / '
                  'tf.sqrt(tf.cast(tf.shape(keys)[-1], keys.dtype))')],
        units=["dot_product_attention"],
    ),
    # AttentionDecoder ------------------------------------------------------------------------
    Mistake(
        title="the cell's input is [context, word vector]: it is [word vector, context] "
              "(the embedding first)",
        cell="attention_decoder_code",
        replace=[("x = tf.concat([self.embedding(tokens), context], axis=-1)",
                  "x = tf.concat([context, self.embedding(tokens)], axis=-1)")],
        units=["attention_decoder"],
    ),
    Mistake(
        title="the new state does not keep this step's attention weights: store them as "
              "new_state[\"attention\"]",
        cell="attention_decoder_code",
        replace=[('new_state = {**state, "h": h, "c": c, "attention": weights}',
                  'new_state = {**state, "h": h, "c": c}')],
        units=["attention_decoder"],
    ),
    # beam_search -----------------------------------------------------------------------------
    Mistake(
        title="every beam starts with a total of 0, so the K beams start as copies of one "
              "another: only beam 0 starts at 0, the others at minus infinity",
        cell="beam_search_code",
        replace=[("tf.fill([K - 1], minus_inf)", "tf.zeros([K - 1], dtype)")],
        units=["beam_search"],
    ),
    Mistake(
        title="finished beams keep extending: a finished row offers only <NULL>, at no cost",
        cell="beam_search_code",
        replace=[("        step_log_p = tf.where(finished[:, None], only_null[None, :], step_log_p)\n",
                  "")],
        units=["beam_search"],
    ),
    Mistake(
        title="probabilities are added where log-probabilities are meant: use "
              "tf.nn.log_softmax on the step's scores",
        cell="beam_search_code",
        replace=[("step_log_p = tf.nn.log_softmax(step_scores, axis=-1)",
                  "step_log_p = tf.nn.softmax(step_scores, axis=-1)")],
        units=["beam_search"],
    ),
    Mistake(
        title="the chosen rows are not offset by their example: candidate j of example n "
              "extends row n * K + j // V of the N * K rows, not row j // V",
        cell="beam_search_code",
        replace=[("rows = tf.reshape(tf.range(N)[:, None] * K + best // V, [-1])",
                  "rows = tf.reshape(best // V, [-1])")],
        units=["beam_search"],
    ),
    Mistake(
        title="the lengths keep growing after <END>: a beam's length grows only while it is "
              "unfinished (add 1 where the row it extends had not finished)",
        cell="beam_search_code",
        replace=[("lengths = tf.gather(lengths, rows) + tf.cast(~was_finished, tf.int32)",
                  "lengths = tf.gather(lengths, rows) + 1")],
        units=["beam_search"],
    ),
]
