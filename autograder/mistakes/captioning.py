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
]
