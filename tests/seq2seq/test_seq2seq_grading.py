"""Grading the seq2seq notebook: full marks, zero for the release, one-bug submissions that lose
exactly the unit the bug is in, and correct code written differently that loses nothing.

The units are independent by design: the loss, the training step and the decoders are graded
on the probes' toy models, the attention layers on their ``score`` alone and the attention
decoder with a toy attention layer, so every bug below must cost exactly its own unit.

Buggy and alternative submissions are graded in this process (same probes and comparisons as
the sandboxed grader, without a fresh TensorFlow per notebook); the solution and the release
also go through the real grader.
"""

import pytest

from autograder.api import grade_notebook
from autograder.examples import Recipe, make_submission, unit_outcomes
from autograder.examples import lost_units as _lost_units
from autograder.paths import release_notebook, solution_notebook
from autograder.plan import load_plan
from rnnlab.notebook import read_notebook

A = "seq2seq"

# name -> (solution cell, [(solution text, buggy text)], the unit that must be lost)
BUGS = {
    "encoder ignores the padding": (
        "encoder_code", [("h = tf.where(real, next_h, h)\n            c = tf.where(real, next_c, c)",
                          "h, c = next_h, next_c")], "encoder"),
    "encoder outputs zeros at padding": (
        "encoder_code", [("all_h.append(h)", "all_h.append(tf.where(real, h, tf.zeros_like(h)))")],
        "encoder"),
    "decoder feeds its own predictions while training": (
        "decoder_code", [("self.step(target_in[:, t], state)",
                          ("self.step(target_in[:, 0] if t == 0 else "
                          "tf.argmax(all_scores[-1], -1, output_type=tf.int32), state)"))],
        "decoder"),
    "decoder step forgets the new cell state": (
        "decoder_code", [('new_state = {**state, "h": h, "c": c}', 'new_state = {**state, "h": h}')],
        "decoder"),
    "loss counts padding": (
        "seq2seq_loss_code", [("tf.reduce_sum(losses * mask)", "tf.reduce_sum(losses)")],
        "seq2seq_loss"),
    "loss averages over steps, not over the batch": (
        "seq2seq_loss_code", [("/ tf.cast(tf.shape(target)[0], scores.dtype)",
                               "/ tf.reduce_sum(mask)")], "seq2seq_loss"),
    "loss gives the decoder an all-True source mask": (
        "seq2seq_loss_code", [("tf.not_equal(source, NULL_ID))", "tf.ones_like(source, tf.bool))")],
        "seq2seq_loss"),
    "loss does not shift the target": (
        "seq2seq_loss_code", [("target_in, target_out = target[:, :-1], target[:, 1:]",
                               "target_in, target_out = target[:, 1:], target[:, 1:]")],
        "seq2seq_loss"),
    "training step clips each gradient on its own": (
        "train_step_code", [("grads, grad_norm = tf.clip_by_global_norm(grads, clip_norm)",
                             ("grad_norm = tf.linalg.global_norm(grads)\n"
                             "        grads = [tf.clip_by_norm(g, clip_norm) for g in grads]"))],
        "train_step"),
    "training step reports the norm after clipping": (
        "train_step_code", [("grads, grad_norm = tf.clip_by_global_norm(grads, clip_norm)",
                             ("grads, _ = tf.clip_by_global_norm(grads, clip_norm)\n"
                             "        grad_norm = tf.linalg.global_norm(grads)"))], "train_step"),
    "training step without tf.function": (
        "train_step_code", [("    @tf.function\n", "")], "train_step"),
    "greedy decoding goes on after <END>": (
        "greedy_decode_code", [("previous = tf.where(finished, NULL_ID, previous)",
                                "previous = previous")], "greedy_decode"),
    "beam search without length normalisation": (
        "beam_search_code", [("/ tf.cast(lengths, dtype) ** alpha", "")], "beam_search"),
    "beam search counts padding in the length": (
        "beam_search_code", [("tf.cast(~was_finished, tf.int32)", "1")], "beam_search"),
    "beam search keeps extending finished beams": (
        "beam_search_code", [(("step_log_p = tf.where(finished[:, None], only_null[None, :], "
                              "step_log_p)"), "pass")], "beam_search"),
    "beam search does not reorder the tokens so far": (
        "beam_search_code", [("history = [tf.gather(h, rows) for h in history] + [previous]",
                              "history = history + [previous]")], "beam_search"),
    "beam search does not reorder the state": (
        "beam_search_code", [("state = tf.nest.map_structure(lambda s: tf.gather(s, rows), state)",
                              "pass")], "beam_search"),
    "beam search does not sort the beams": (
        "beam_search_code", [(("scores, order = tf.math.top_k(normalised, k=K)\n"
                              "    tokens = tf.gather(sequences, order, batch_dims=1)"),
                              "scores, tokens = normalised, sequences")], "beam_search"),
    "attention ignores the mask": (
        "attend_code", [("masked = tf.where(source_mask, scores, very_negative)",
                         "masked = scores")], "attend"),
    "attention masks with a float32 constant": (
        "attend_code", [("very_negative = tf.cast(scores.dtype.min, scores.dtype)",
                         "very_negative = tf.constant(-1e9)")], "attend"),
    "additive attention without tanh": (
        "additive_attention_code", [("hidden = tf.tanh(", "hidden = (")], "additive_attention"),
    "additive attention swaps W1 and W2": (
        "additive_attention_code", [("keys @ self.W1 + (query @ self.W2)",
                                     "keys @ self.W2 + (query @ self.W1)")],
        "additive_attention"),
    "general dot-product attention ignores W": (
        "dot_product_attention_code", [("query = query @ self.W  # (N, H_keys)", "pass")],
        "dot_product_attention"),
    "attention decoder queries with the cell state": (
        "attention_decoder_code", [('self.attention(state["h"],', 'self.attention(state["c"],')],
        "attention_decoder"),
    "attention decoder concatenates context first": (
        "attention_decoder_code", [("tf.concat([self.embedding(tokens), context], axis=-1)",
                                    "tf.concat([context, self.embedding(tokens)], axis=-1)")],
        "attention_decoder"),
    "bidirectional encoder: the backward pass reads the padding": (
        "bidirectional_encoder_code",
        [("h_b = tf.where(real, next_h, h_b)\n            c_b = tf.where(real, next_c, c_b)",
          "h_b, c_b = next_h, next_c")], "bidirectional_encoder"),
    "bidirectional encoder: backward first": (
        "bidirectional_encoder_code",
        [("tf.concat([tf.stack(forward, axis=1), tf.stack(backward, axis=1)], axis=-1)",
          "tf.concat([tf.stack(backward, axis=1), tf.stack(forward, axis=1)], axis=-1)")],
        "bidirectional_encoder"),
    "bidirectional encoder: final h backward first": (
        "bidirectional_encoder_code",
        [("h = tf.concat([h_f, h_b], axis=-1)", "h = tf.concat([h_b, h_f], axis=-1)")],
        "bidirectional_encoder"),
    "bidirectional encoder: backward states in the order computed": (
        "bidirectional_encoder_code",
        [("backward = [None] * T", "backward = []"),
         ("backward[t] = h_b", "backward.append(h_b)")], "bidirectional_encoder"),
    "bidirectional encoder: one cell for both directions": (
        "bidirectional_encoder_code",
        [("self.backward_cell(x[:, t], [h_b, c_b])", "self.forward_cell(x[:, t], [h_b, c_b])")],
        "bidirectional_encoder"),
    "bidirectional encoder: the backward pass starts from the forward final state": (
        "bidirectional_encoder_code", [("h_b, c_b = zeros, zeros", "h_b, c_b = h_f, c_f")],
        "bidirectional_encoder"),
    "attention decoder does not keep the weights": (
        "attention_decoder_code", [('"attention": weights}', '}')], "attention_decoder"),
}

# Correct code written differently: must lose nothing (name -> (cell, edits)).
ALTERNATIVES = {
    "attend: additive -1e9 mask in the scores' dtype": (
        "attend_code", [("masked = tf.where(source_mask, scores, very_negative)",
                         ("masked = scores + (1 - tf.cast(source_mask, scores.dtype)) * "
                         "tf.constant(-1e9, scores.dtype)"))]),
    "attend: -inf": (
        "attend_code", [("tf.cast(scores.dtype.min, scores.dtype)",
                         "tf.constant(-float('inf'), scores.dtype)")]),
    "attend: broadcasting instead of einsum": (
        "attend_code", [('tf.einsum("nt,nth->nh", weights, values)',
                         "tf.reduce_sum(weights[:, :, None] * values, axis=1)")]),
    "beam search: log of softmax": (
        "beam_search_code", [("tf.nn.log_softmax(step_scores, axis=-1)",
                              "tf.math.log(tf.nn.softmax(step_scores, axis=-1))")]),
    "beam search: -1e9 for the dead beams": (
        "beam_search_code", [("minus_inf = tf.constant(-np.inf, dtype)",
                              "minus_inf = tf.constant(-1e9, dtype)")]),
    "loss: log_softmax and gather": (
        "seq2seq_loss_code", [(("tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target_out, "
                               "logits=scores)"),
                               "-tf.gather(tf.nn.log_softmax(scores), target_out, batch_dims=2)")]),
    "greedy: int64 argmax, then a cast": (
        "greedy_decode_code", [("tf.argmax(scores, axis=-1, output_type=tf.int32)",
                                "tf.cast(tf.argmax(scores, axis=-1), tf.int32)")]),
    "bidirectional encoder: backward states appended, then reversed": (
        "bidirectional_encoder_code",
        [("backward = [None] * T", "backward = []"),
         ("backward[t] = h_b", "backward.append(h_b)"),
         ("tf.stack(backward, axis=1)], axis=-1)",
          "tf.stack(backward[::-1], axis=1)], axis=-1)")]),
    "encoder: masks as numbers instead of tf.where": (
        "encoder_code", [("h = tf.where(real, next_h, h)\n            c = tf.where(real, next_c, c)",
                          ("m = tf.cast(real, h.dtype)\n            h = m * next_h + (1 - m) * h\n"
                          "            c = m * next_c + (1 - m) * c"))]),
}


@pytest.fixture(scope="module")
def plan():
    return load_plan(A)


def lost_units(cell: str, edits, plan) -> set[str]:
    return _lost_units(A, plan, cell, edits)


def test_bug_table_covers_every_unit(plan):
    names = {u.name for u in plan.units}
    assert {unit for _, _, unit in BUGS.values()} == names


def test_encoder_padding_bug_loses_the_encoder_only(plan):
    cell, edits, unit = BUGS["encoder ignores the padding"]
    assert lost_units(cell, edits, plan) == {unit}


def test_backward_pass_reading_the_padding_loses_the_bidirectional_encoder_only(plan):
    cell, edits, unit = BUGS["bidirectional encoder: the backward pass reads the padding"]
    assert lost_units(cell, edits, plan) == {unit}


FAST_BUGS = ("encoder ignores the padding",
             "bidirectional encoder: the backward pass reads the padding")


@pytest.mark.slow
@pytest.mark.parametrize("bug", [b for b in BUGS if b not in FAST_BUGS])
def test_one_bug_loses_exactly_its_unit(bug, plan):
    cell, edits, unit = BUGS[bug]
    assert lost_units(cell, edits, plan) == {unit}


@pytest.mark.parametrize("name", ["beam search: log of softmax"])
def test_beam_search_written_differently_keeps_its_points(name, plan):
    cell, edits = ALTERNATIVES[name]
    nb = make_submission(A, Recipe(solved=["*"], bugs={cell: edits}))
    assert unit_outcomes(nb, plan, units={"beam_search"}) == {"beam_search": True}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ALTERNATIVES))
def test_correct_code_written_differently_loses_nothing(name, plan):
    cell, edits = ALTERNATIVES[name]
    assert lost_units(cell, edits, plan) == set()


def test_release_passes_no_unit_in_process(plan):
    outcomes = unit_outcomes(read_notebook(release_notebook(A)), plan)
    assert set(outcomes) == {u.name for u in plan.units} and not any(outcomes.values())


@pytest.mark.slow
def test_real_grader_gives_the_solution_full_marks_and_the_release_zero(plan):
    solved = grade_notebook(solution_notebook(A))
    assert solved.score == plan.max_score > 0 and all(t.passed for t in solved.tests)
    assert [t.name for t in solved.tests] == [u.name for u in plan.units]
    released = grade_notebook(release_notebook(A))
    assert released.score == 0 and released.max_score == plan.max_score
    assert all("not implemented yet" in t.output for t in released.tests)
