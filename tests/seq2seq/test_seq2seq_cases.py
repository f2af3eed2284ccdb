"""The seq2seq cases exercise what they claim: padding, early and late <END>, length
normalisation that changes the ranking, and the toy models' interfaces."""

import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.plan import load_plan
from autograder.specs import load_units

A = "seq2seq"
END = 2


@pytest.fixture(scope="module")
def plan():
    return load_plan(A)


def planned(plan, unit):
    u = plan.unit(unit)
    return list(zip(u.cases, u.expected))


def test_every_unit_has_public_and_hidden_cases_in_both_dtypes():
    for unit in load_units(A):
        assert unit.public and unit.hidden, unit.name
        assert {c.dtype for c in unit.cases} == {"float32", "float64"}, unit.name


def test_encoder_and_loss_cases_have_padded_and_full_rows(plan):
    for unit, key in (("encoder", "source"), ("seq2seq_loss", "source")):
        sources = [case.arrays[key] for case, _ in planned(plan, unit)]
        assert any((s == 0).any() for s in sources)
        assert any((s != 0).all(axis=1).any() for s in sources)


def test_bidirectional_cases_have_rows_of_different_lengths(plan):
    padded = 0
    for case, _ in planned(plan, "bidirectional_encoder"):
        source = case.arrays["source"]
        lengths = (source != 0).sum(axis=1)
        if (source == 0).any():
            padded += 1
            assert len(set(lengths)) >= 3 and (lengths == source.shape[1]).any(), case.name
    assert padded >= 3  # public and hidden, both dtypes


def test_bidirectional_reference_is_forward_first_and_starts_at_the_last_real_token(plan):
    """What the markdown promises, on the reference values: h = [forward state at the last real
    token, backward state at position 0]; the backward half is zero through the padding and
    does not depend on it (a row's backward states equal those of the same row unpadded)."""
    for case, out in planned(plan, "bidirectional_encoder"):
        source, states, h, c = case.arrays["source"], out["states"], out["h"], out["c"]
        H = h.shape[1] // 2
        assert states.shape[-1] == 2 * H and c.shape == h.shape
        for n, row in enumerate(source):
            length = int((row != 0).sum())
            np.testing.assert_allclose(h[n, :H], states[n, length - 1, :H], rtol=0, atol=0)
            np.testing.assert_allclose(h[n, H:], states[n, 0, H:], rtol=0, atol=0)
            assert not states[n, length:, H:].any(), case.name  # backward: zero at padding
            assert (states[n, length:, :H] == states[n, length - 1, :H]).all()  # carried over


def test_bidirectional_backward_pass_ignores_the_padding():
    """The solution's backward states of a row are those of the row without its padding."""
    from autograder.api import load_definitions
    from autograder.paths import solution_notebook

    import tensorflow as tf

    ns = load_definitions(solution_notebook(A))
    encoder = ns["BidirectionalEncoder"](8, 3, 4, dtype="float64")
    encoder.build()
    padded = tf.constant([[5, 3, 7, 0, 0, 0]])
    states, h, c = encoder(padded)
    short_states, short_h, short_c = encoder(padded[:, :3])
    np.testing.assert_allclose(states[:, :3], short_states, rtol=1e-12)
    np.testing.assert_allclose(h, short_h, rtol=1e-12)
    np.testing.assert_allclose(c, short_c, rtol=1e-12)


def test_greedy_cases_end_early_and_run_to_the_limit(plan):
    rows = [row for _, out in planned(plan, "greedy_decode") for row in out["tokens"]]
    ended = [row for row in rows if END in row]
    assert any(list(row).index(END) < len(row) - 1 for row in ended)
    assert any(END not in row for row in rows)
    for row in ended:
        assert not row[list(row).index(END) + 1:].any()  # <NULL> after <END>


def beam_lengths(tokens):
    """Generated tokens up to and including <END> (or all of them), per beam."""
    ends = tokens == END
    return np.where(ends.any(-1), ends.argmax(-1) + 1, tokens.shape[-1])


def test_beam_cases_mix_lengths_and_normalisation_changes_the_ranking(plan):
    reranked = False
    for case, out in planned(plan, "beam_search"):
        tokens, scores, alpha = out["tokens"], out["scores"], case.params["alpha"]
        lengths = beam_lengths(tokens)
        assert np.all(np.diff(scores, axis=1) <= 0), case.name  # best first
        log_p = scores * lengths.astype(np.float64) ** alpha
        if alpha > 0 and case.params["beam_width"] > 1:
            mixed = [len(set(row)) > 1 for row in lengths]
            assert any(mixed), case.name
            reranked |= any(not np.all(np.diff(row) <= 1e-9) for row in log_p)
    assert reranked, "no case where length normalisation changes the order of the beams"


def test_attention_cases_mask_some_positions(plan):
    for unit in ("attend", "attention_decoder"):
        masks = [case.arrays["source_mask"] for case, _ in planned(plan, unit)]
        assert any(not m.all() for m in masks)
        assert all(m.any(axis=1).all() for m in masks)


def test_attend_gives_zero_weight_to_padding(plan):
    for case, out in planned(plan, "attend"):
        weights, mask = out["weights"], case.arrays["source_mask"]
        assert np.all(weights[~mask] == 0)
        np.testing.assert_allclose(weights.sum(axis=1), 1, rtol=1e-6)


def test_toy_models_have_the_notebook_interfaces():
    import tensorflow as tf

    from rnnlab.probes.seq2seq import _toy_classes

    ToyEncoder, ToyDecoder, ToyAttention = _toy_classes()
    encoder, decoder = ToyEncoder(6, 3), ToyDecoder(6, 3, end_bias=1.0)
    source = tf.constant([[4, 5, 0], [3, 3, 3]])
    states, h, c = encoder(source)
    assert states.shape == (2, 3, 3) and h.shape == c.shape == (2, 3)
    state = decoder.initial_state(states, h, c, tf.not_equal(source, 0))
    scores, new_state = decoder.step(tf.constant([1, 1]), state)
    assert scores.shape == (2, 6) and set(new_state) == set(state)
    assert decoder(tf.constant([[1, 4], [1, 5]]), state).shape == (2, 2, 6)
    context, weights = ToyAttention()(h, states, tf.not_equal(source, 0))
    assert context.shape == (2, 3) and float(weights[0, 2]) == 0.0


def test_toy_lookups_equal_gather_and_give_dense_gradients():
    """The toys look embeddings up with a one-hot product: the values of tf.gather, bit for
    bit, and dense gradients, so that tf.clip_by_global_norm (which counts an IndexedSlices'
    rows one per lookup) and the dense gradient's norm agree in the training step's cases."""
    import tensorflow as tf

    from rnnlab.probes.seq2seq import _toy_classes

    ToyEncoder, ToyDecoder, _ = _toy_classes()
    for dtype in ("float32", "float64"):
        encoder, decoder = ToyEncoder(6, 3, dtype=dtype), ToyDecoder(6, 3, dtype=dtype)
        source = tf.constant([[4, 4, 0], [3, 3, 3]])  # repeated tokens
        with tf.GradientTape() as tape:
            states, h, c = encoder(source)
            state = decoder.initial_state(states, h, c, tf.not_equal(source, 0))
            logits = decoder(tf.constant([[1, 4], [1, 4]]), state)
            loss = tf.reduce_sum(tf.sin(logits))
        variables = encoder.trainable_variables + decoder.trainable_variables
        grads = tape.gradient(loss, variables)
        assert not any(isinstance(g, tf.IndexedSlices) for g in grads)
        x = tf.gather(encoder.source_embedding, source)
        np.testing.assert_array_equal(states, tf.tanh(tf.cumsum(x, axis=1)))


sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "adversarial"))
from alternatives_seq2seq import DENSE_GRAD_NORM  # noqa: E402  (the corpus's dense-norm step)


def test_clipping_by_the_dense_norm_gives_the_same_values():
    """tf.clip_by_global_norm on the raw gradients and on dense ones: the same values on every
    training-step case, clipped or not."""
    from autograder.api import load_definitions
    from autograder.paths import solution_notebook
    from rnnlab.probes import run_case

    ns = load_definitions(solution_notebook(A))
    alt = dict(ns)
    exec(DENSE_GRAD_NORM["train_step_code"], alt)  # noqa: S102
    clipped = 0
    for case in {u.name: u for u in load_units(A)}["train_step"].cases:
        ours, dense = run_case(ns, case), run_case(alt, case)
        tol = 1e-10 if case.dtype == "float64" else 2e-5
        for key in ours:
            np.testing.assert_allclose(dense[key], ours[key], rtol=tol, atol=tol,
                                       err_msg=f"{case.name}: {key}")
        clipped += bool(np.any(ours["grad_norm"] > case.params["clip_norm"]))
    assert clipped >= 2
