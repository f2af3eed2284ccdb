"""Known mistakes of the ``seq2seq`` assignment (see :mod:`autograder.mistakes`).

Each one is a text replacement on the solution; if the solution's wording changes, update the
``replace`` pairs here (``tests/autograder/test_mutations.py`` fails when one no longer
applies).
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
        title="additive attention is missing its tanh: v . tanh(W1 k + W2 q)",
        cell="additive_attention_code",
        replace=[("hidden = tf.tanh(", "hidden = (")],
        units=["additive_attention"],
    ),
]
