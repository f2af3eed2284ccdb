"""The captioning references against independent computations, the metrics, the visible checks.

The plan's reference values come from running the solution notebook; here they are compared
with CS231n's published numbers and with float64 numpy re-implementations in the spec, so a
wrong solution cannot silently become the reference.
"""

import numpy as np
import pytest

from autograder.plan import load_plan
from autograder.specs import captioning as spec
from rnnlab.caption_metrics import (
    caption_tokens,
    corpus_bleu,
    exact_match,
    grounding_hits,
    grounding_score,
    peak_cells,
)

A = "captioning"


@pytest.fixture(scope="module")
def plan():
    return load_plan(A)


def planned(plan, unit):
    u = plan.unit(unit)
    return list(zip(u.cases, u.expected))


def weights_of(case):
    return {k[2:]: v for k, v in case.arrays.items() if k.startswith("w:")}


# ---------------------------------------------------------------------------------------------
# References.


def test_cs231n_sanity_check_losses_are_reproduced(plan):
    losses = {case.params["config"]["cell_type"]: float(np.squeeze(expected["loss"]))
              for case, expected in planned(plan, "captioning_rnn_loss")
              if case.name.startswith("CS231n")}
    assert losses["rnn"] == pytest.approx(9.83235591003, abs=1e-9)
    assert losses["lstm"] == pytest.approx(9.82445935443, abs=1e-9)


def np_rnn_loss(w, features, captions, cell, image="h0"):
    N, H = features.shape[0], w["Wh"].shape[0]
    if image == "h0":
        h, bias = features @ w["W_proj"] + w["b_proj"], w["b"]
    else:
        h, bias = np.zeros((N, H)), w["b"] + features @ w["W_img"]
    c = np.zeros((N, H))
    loss = 0.0
    for t in range(captions.shape[1] - 1):
        h, c = spec.np_cell(w["W_embed"][captions[:, t]], h, c, w["Wx"], w["Wh"], bias, cell)
        scores = h @ w["W_vocab"] + w["b_vocab"]
        log_p = scores - np.log(np.exp(scores - scores.max(1, keepdims=True)).sum(1, keepdims=True)) - scores.max(1, keepdims=True)
        target = captions[:, t + 1]
        loss -= np.sum(log_p[np.arange(N), target] * (target != spec.NULL))
    return loss / N


@pytest.mark.parametrize("unit,image", [("captioning_rnn_loss", "h0"),
                                        ("image_every_step", "every_step")])
def test_caption_losses_match_numpy(plan, unit, image):
    checked = 0
    for case, expected in planned(plan, unit):
        if case.params.get("method") != "loss" or case.dtype != "float64":
            continue
        cell = case.params["config"]["cell_type"]
        want = np_rnn_loss(weights_of(case), case.arrays["features"], case.arrays["captions"],
                           cell, image)
        assert float(np.squeeze(expected["loss"])) == pytest.approx(want, rel=1e-10)
        checked += 1
    assert checked >= 2


@pytest.mark.parametrize("unit,image", [("captioning_rnn_sample", "h0"),
                                        ("image_every_step", "every_step")])
def test_greedy_captions_match_numpy(plan, unit, image):
    checked = 0
    for case, expected in planned(plan, unit):
        if case.params.get("method") != "sample":
            continue
        cell = case.params["config"]["cell_type"]
        ids, margin = spec.np_rnn_sample(weights_of(case), case.arrays["features"], cell, image,
                                         case.params["kwargs"]["max_length"]["value"])
        assert margin >= spec.MARGIN
        np.testing.assert_array_equal(expected["captions"], ids)
        ended = (ids == spec.END).any(axis=1)
        assert ended.any() and not ended.all()
        checked += 1
    assert checked >= 4


def _after_first_end(ids):
    """True at the steps after each row's first <END> (the <END> step itself is False)."""
    seen = np.cumsum(ids == spec.END, axis=1) > 0
    return np.concatenate([np.zeros((len(ids), 1), bool), seen[:, :-1]], axis=1)


def test_attention_samples_match_numpy(plan):
    """Captions exactly; attention weights up to each caption's <END> (included), zero after
    it: what follows <END> depends on the word fed back there, which the docstring leaves open,
    so the probe zeroes it on both sides."""
    zeroed = 0
    for case, expected in planned(plan, "attention_captioning_sample"):
        assert case.params["zero_after_end"] == {"tokens": "captions", "values": ["alphas"],
                                                 "end": spec.END}
        ids, alphas, _ = spec.np_attention_sample(
            weights_of(case), case.arrays["grid"], case.params["kwargs"]["max_length"]["value"])
        np.testing.assert_array_equal(expected["captions"], ids)
        after = _after_first_end(ids)
        alphas = np.where(after[:, :, None], 0.0, alphas)
        tol = 1e-12 if case.dtype == "float64" else 1e-5
        np.testing.assert_allclose(expected["alphas"], alphas, atol=tol)
        zeroed += int(after.any())
    assert zeroed, "no attention sample case has a caption ending before max_length"


def test_attention_weights_after_end_do_not_depend_on_the_word_fed_back():
    """The probe zeroes side outputs strictly after each row's first <END>, nothing else."""
    from rnnlab.probes.captioning import zero_after_end

    ids = np.array([[4, 2, 0, 0], [5, 6, 7, 8], [2, 0, 0, 0]], np.int32)
    alphas = np.arange(3 * 4 * 2, dtype=np.float32).reshape(3, 4, 2) + 1
    out = zero_after_end({"captions": ids, "alphas": alphas}, "captions", ["alphas"], spec.END)
    np.testing.assert_array_equal(out["captions"], ids)
    assert out["alphas"].dtype == np.float32
    np.testing.assert_array_equal(out["alphas"][0, :2], alphas[0, :2])
    assert not out["alphas"][0, 2:].any() and not out["alphas"][2, 1:].any()
    np.testing.assert_array_equal(out["alphas"][1], alphas[1])
    np.testing.assert_array_equal(out["alphas"][2, 0], alphas[2, 0])
    wrong_shape = zero_after_end({"captions": ids, "alphas": alphas[:, :3]}, "captions",
                                 ["alphas"], spec.END)
    np.testing.assert_array_equal(wrong_shape["alphas"], alphas[:, :3])  # left to the comparison


def np_attention_forward(w, grid, captions_in):
    N = grid.shape[0]
    mean = grid.mean(axis=1)
    h, c = mean @ w["W_init_h"] + w["b_init_h"], mean @ w["W_init_c"] + w["b_init_c"]
    keys = grid @ w["W_att_feat"] + w["b_att"]
    scores, alphas = [], []
    for t in range(captions_in.shape[1]):
        alpha = spec._softmax(np.tanh(keys + (h @ w["W_att_h"])[:, None, :]) @ w["w_att"])
        context = np.einsum("nl,nld->nd", alpha, grid)
        h, c = spec.np_cell(w["W_embed"][captions_in[:, t]], h, c, w["Wx"], w["Wh"],
                            w["b"] + context @ w["Wz"], "lstm")
        scores.append(h @ w["W_vocab"] + context @ w["W_vocab_z"] + w["b_vocab"])
        alphas.append(alpha)
    assert len(scores) and N
    return np.stack(scores, axis=1), np.stack(alphas, axis=1)


def test_attention_forward_matches_numpy(plan):
    checked = 0
    for case, expected in planned(plan, "attention_captioning_loss"):
        if case.params["method"] != "forward" or case.dtype != "float64":
            continue
        scores, alphas = np_attention_forward(weights_of(case), case.arrays["grid"],
                                              case.arrays["captions_in"])
        np.testing.assert_allclose(expected["scores"], scores, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(expected["alphas"], alphas, rtol=1e-10, atol=1e-12)
        checked += 1
    assert checked == 2


def test_sampled_locations_match_numpy(plan):
    for case, expected in planned(plan, "sample_locations"):
        want = spec.np_sample_locations(case.arrays["alpha"], case.arrays["u"])
        np.testing.assert_array_equal(np.asarray(expected["locations"]), want)


def test_reinforce_reference_value_and_no_gradient_into_rewards(plan):
    for case, expected in planned(plan, "reinforce_loss"):
        a = case.arrays
        advantage = a["rewards"] - a["baseline"]
        want = -np.sum(advantage[:, None] * a["log_probs"] * a["mask"]) / len(a["rewards"])
        tol = 1e-12 if case.dtype == "float64" else 1e-5
        assert float(np.squeeze(expected["loss"])) == pytest.approx(want, rel=tol)
        assert not np.any(expected["drewards"]) and not np.any(expected["dbaseline"])
        assert np.any(expected["dlog_probs"])


def test_training_step_cases_exercise_clipping(plan):
    import tensorflow as tf

    from autograder.specs import load_units
    from rnnlab.probes.captioning import tiny_classifier

    def grad_norm(case):
        model = tiny_classifier(weights_of(case), case.dtype)
        with tf.GradientTape() as tape:
            loss = model.loss(tf.constant(case.arrays["x"], case.dtype),
                              tf.constant(case.arrays["y"]))
        return float(tf.linalg.global_norm(tape.gradient(loss, model.trainable_variables)))

    cases = [c for c, _ in planned(plan, "make_train_step") if c.params.get("clip_norm")]
    clipped = [c for c in cases if "clipped" in c.name]
    unclipped = [c for c in cases if "not reached" in c.name]
    assert clipped and unclipped
    for case in clipped:
        assert grad_norm(case) > 2 * case.params["clip_norm"], case.name
    for case in unclipped:
        assert grad_norm(case) < case.params["clip_norm"], case.name
    # The visible check clips too, so per-tensor clipping fails before submission.
    (spec,) = [u for u in load_units(A) if u.name == "make_train_step"]
    assert {c.name for c in spec.public} & {c.name for c in clipped}


def test_public_cases_cover_every_unit_and_both_dtypes(plan):
    from autograder.specs import load_units

    for unit in load_units(A):
        assert unit.public and unit.hidden, unit.name
        dtypes = {c.dtype for c in unit.cases}
        assert dtypes == {"float32", "float64"}, unit.name


# ---------------------------------------------------------------------------------------------
# Metrics.


def test_caption_tokens_cut_at_end_and_drop_specials():
    assert caption_tokens([1, 5, 6, 0, 7, 2, 8, 9]) == [5, 6, 7]
    assert caption_tokens([2, 5]) == []


def test_bleu_is_one_for_a_reference_and_known_for_a_partial_match():
    refs = [[["a", "small", "red", "circle"], ["there", "is", "a", "small", "red", "circle"]]]
    assert corpus_bleu([["a", "small", "red", "circle"]], refs) == pytest.approx(1.0)
    # 5 words against a 4- and a 6-word reference (closest length 4 or 6: ties pick the
    # shorter); precisions 4/5, 3/4, 2/3, 1/2, no brevity penalty.
    hyp = [["a", "small", "red", "circle", "of"]]
    want = (4 / 5 * 3 / 4 * 2 / 3 * 1 / 2) ** 0.25
    assert corpus_bleu(hyp, refs) == pytest.approx(want)
    assert corpus_bleu([["blue"]], refs) == 0.0


def test_bleu_brevity_penalty():
    refs = [[["a", "b", "c", "d", "e", "f", "g", "h"]]]
    hyp = [["a", "b", "c", "d"]]
    assert corpus_bleu(hyp, refs) == pytest.approx(np.exp(1 - 8 / 4))


def test_exact_match_counts_any_reference():
    refs = [[[1, 2], [3]], [[4]]]
    assert exact_match([[3], [5]], refs) == 0.5


def test_grounding_hits_use_the_peak_cell_and_the_named_object():
    S, side = 8, 2  # four 4x4-pixel cells
    segmentation = np.zeros((1, S, S), dtype=np.uint8)
    segmentation[0, 0:3, 0:3] = 1  # object 0 in the top-left cell
    segmentation[0, 5:8, 5:8] = 2  # object 1 in the bottom-right cell
    token_objects = np.array([[-1, 0, 1, -1]])  # tokens 1 and 2 name objects 0 and 1
    attention = np.zeros((1, 3, side * side))
    attention[0, 0, 0] = 1.0  # predicts token 1 looking top-left: a hit
    attention[0, 1, 0] = 1.0  # predicts token 2 looking top-left: a miss
    attention[0, 2, 2] = 1.0  # token 3 names nothing
    np.testing.assert_array_equal(grounding_hits(attention, token_objects, segmentation),
                                  [True, False])
    assert grounding_score(attention, token_objects, segmentation) == 0.5
    np.testing.assert_array_equal(peak_cells(attention[0], side), [[0, 0], [0, 0], [1, 0]])


# ---------------------------------------------------------------------------------------------
# Visible checks fail on wrong code.


def test_visible_checks_catch_wrong_functions():
    import tensorflow as tf

    from rnnlab.checks import CheckFailed
    from rnnlab.checks import captioning as checks

    def context_mean(alpha, grid):
        return tf.reduce_mean(alpha[:, :, None] * grid, axis=1)

    def reinforce_without_stop(log_probs, rewards, baseline, mask):
        weights = tf.cast(mask, log_probs.dtype)
        total = tf.reduce_sum((rewards - baseline)[:, None] * log_probs * weights)
        return -total / tf.cast(tf.shape(log_probs)[0], log_probs.dtype)

    def locations_from_pdf(alpha, u):
        below = tf.cast(alpha <= tf.cast(u, alpha.dtype)[:, None], tf.int32)
        return tf.minimum(tf.reduce_sum(below, axis=1), tf.shape(alpha)[1] - 1)

    with pytest.raises(CheckFailed, match="context"):
        checks.check_context_vector(context_mean)
    with pytest.raises(CheckFailed, match="drewards"):
        checks.check_reinforce_loss(reinforce_without_stop)
    with pytest.raises(CheckFailed, match="locations"):
        checks.check_sample_locations(locations_from_pdf)
