"""The rnn solution is right where the grader trusts it: hand-written backward passes agree
with GradientTape, layers agree with Keras's own SimpleRNN, the probes' stand-in model computes
what CharRNN computes, and the hidden cases exercise what they claim (clipping, truncation)."""

import math
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from autograder.api import load_definitions
from autograder.paths import solution_notebook
from autograder.plan import load_plan
from autograder.specs import load_units
from rnnlab.cases import Case
from rnnlab.probes import run_case
from rnnlab.probes.rnn import char_model

RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def ns():
    ns = load_definitions(solution_notebook("rnn"))
    assert ns["__cell_errors__"] == []
    return ns


@pytest.fixture(scope="module")
def plan():
    return load_plan("rnn")


def tape_grads(fn, inputs, upstream):
    variables = [tf.Variable(v) for v in inputs]
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(fn(*variables) * upstream)
    return tape.gradient(loss, variables)


def assert_close(a, b, tol=1e-10):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_rnn_backward_is_the_gradient_of_rnn_forward(ns):
    N, T, D, H = 3, 6, 4, 5
    x, h0 = RNG.standard_normal((N, T, D)), RNG.standard_normal((N, H))
    Wx, Wh, b = (0.5 * RNG.standard_normal(s) for s in [(D, H), (H, H), (H,)])
    dh = RNG.standard_normal((N, T, H))
    h = ns["rnn_forward"](x, h0, Wx, Wh, b)
    by_hand = ns["rnn_backward"](dh, h, x, h0, Wx, Wh)
    by_tape = tape_grads(ns["rnn_forward"], [x, h0, Wx, Wh, b], dh)
    for mine, reference in zip(by_hand, by_tape):
        assert_close(mine, reference)


def test_rnn_step_backward_is_the_gradient_of_the_step(ns):
    x, prev_h = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 4))
    Wx, Wh, b = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 4)), RNG.standard_normal(4)
    dnext = RNG.standard_normal((2, 4))
    next_h = ns["rnn_step_forward"](x, prev_h, Wx, Wh, b)
    by_hand = ns["rnn_step_backward"](dnext, next_h, x, prev_h, Wx, Wh)
    by_tape = tape_grads(ns["rnn_step_forward"], [x, prev_h, Wx, Wh, b], dnext)
    for mine, reference in zip(by_hand, by_tape):
        assert_close(mine, reference)


def keras_simple_rnn(Wx, Wh, b, **kwargs):
    layer = keras.layers.SimpleRNN(Wh.shape[0], dtype="float64", **kwargs)
    layer(np.zeros((1, 1, Wx.shape[0])))
    layer.set_weights([Wx, Wh, b])
    return layer


def test_vanilla_rnn_layer_matches_keras_simple_rnn_and_round_trips(ns):
    x, h0 = RNG.standard_normal((2, 5, 3)), RNG.standard_normal((2, 4))
    Wx, Wh, b = RNG.standard_normal((3, 4)), 0.5 * RNG.standard_normal((4, 4)), RNG.standard_normal(4)
    layer = ns["VanillaRNN"](4, return_sequences=True, dtype="float64")
    layer(x)
    assert sorted(v.path.split("/")[-1] for v in layer.weights) == ["Wh", "Wx", "b"]
    layer.set_weights([Wx, Wh, b])
    reference = keras_simple_rnn(Wx, Wh, b, return_sequences=True)
    assert_close(layer(x, initial_state=h0), reference(x, initial_state=[h0]))
    clone = ns["VanillaRNN"].from_config(layer.get_config())
    assert (clone.units, clone.return_sequences, clone.dtype) == (4, True, "float64")


def test_multilayer_rnn_feeds_each_layer_the_sequence_below(ns):
    x = RNG.standard_normal((2, 4, 3))
    stack = ns["MultilayerRNN"]([5, 2], return_sequences=False, dtype="float64")
    stack(x)
    weights = [RNG.standard_normal(s) * 0.5 for s in [(3, 5), (5, 5), (5,), (5, 2), (2, 2), (2,)]]
    stack.set_weights(weights)
    bottom = keras_simple_rnn(*weights[:3], return_sequences=True)
    top = keras_simple_rnn(*weights[3:])
    assert_close(stack(x), top(bottom(x)))


def test_the_probes_stand_in_model_computes_what_char_rnn_computes(ns):
    V, W, H = 6, 4, 5
    arrays = {"W_embed": RNG.standard_normal((V, W)), "Wx": RNG.standard_normal((W, H)),
              "Wh": 0.5 * RNG.standard_normal((H, H)), "b": RNG.standard_normal(H),
              "W_out": RNG.standard_normal((H, V)), "b_out": RNG.standard_normal(V)}
    stand_in = char_model(Case("u", "n", "p", arrays, {"dtype": "float64"}))
    model = ns["CharRNN"](V, H, W, dtype="float64")
    ids, h0 = tf.constant([[1, 5, 0], [2, 2, 3]]), RNG.standard_normal((2, H))
    model(ids)
    for var in model.weights:
        var.assign(arrays[var.path.split("/")[-1]])
    for a, b in zip(model(ids, initial_state=h0, return_state=True),
                    stand_in(ids, initial_state=h0, return_state=True)):
        assert_close(a, b)


def test_sample_is_reproducible_and_greedy_at_temperature_zero(ns):
    keras.utils.set_random_seed(0)
    model = ns["CharRNN"](5, 8)
    prefix = tf.constant([[1, 2], [3, 4]])
    model(prefix)
    sample = ns["sample"]
    a = sample(model, prefix, 12, temperature=1.0, seed=3)
    assert a.shape == (2, 12)
    assert np.array_equal(a, sample(model, prefix, 12, temperature=1.0, seed=3))
    assert not np.array_equal(a, sample(model, prefix, 12, temperature=1.0, seed=4))
    greedy = sample(model, prefix, 4, temperature=0)
    scores, h = model(prefix, return_state=True)
    expected = []
    for _ in range(4):
        ids = tf.argmax(scores[:, -1], axis=-1, output_type=tf.int32)
        expected.append(ids)
        scores, h = model(ids[:, None], initial_state=h, return_state=True)
    assert np.array_equal(greedy, tf.stack(expected, axis=1))


def _expected(plan, unit, fragment):
    planned = plan.unit(unit)
    (i,) = [i for i, c in enumerate(planned.cases) if fragment in c.name]
    return planned.cases[i], planned.expected[i]


def test_clipping_cases_clip_and_the_others_do_not(plan):
    for case, expected in zip(plan.unit("train_step").cases, plan.unit("train_step").expected):
        clipped = expected["grad_norm"].item() > case.params["max_norm"]
        assert clipped == ("(clipped)" in case.name), case.name


# Clipping by the norm of the dense gradients (the correct-alternatives corpus's `dense_norm`
# submission): the same as tf.clip_by_global_norm on the raw gradients unless an embedding's
# IndexedSlices gradient repeats a row (see the markdown of section 10 and the spec's _batch).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "adversarial"))
from alternatives_rnn import DENSE_NORM  # noqa: E402


def test_training_batches_repeat_no_input_id_where_the_norm_matters():
    units = {u.name: u for u in load_units("rnn")}
    for case in units["train_step"].cases:  # grad_norm is compared: no repeat anywhere
        ids = case.arrays["inputs"]
        assert len(np.unique(ids)) == ids.size, case.name
    for case in units["train_tbptt"].cases:
        if "(no clipping)" in case.name:
            continue
        stream, k = case.arrays["stream"], case.params["k"]
        for c in range((stream.shape[1] - 1) // k):
            chunk = stream[:, c * k:(c + 1) * k]
            assert len(np.unique(chunk)) == chunk.size, (case.name, c)


def test_clipping_by_the_dense_norm_gives_the_same_values(ns):
    """Both correct idioms (tf.clip_by_global_norm on the raw gradients, and on the gradients
    made dense first) pass every case of train_step and train_tbptt, including one that clips."""
    import types

    alt = dict(ns)
    for cell in ("train_step_code", "tbptt_step_code"):
        exec(DENSE_NORM[cell], alt)  # noqa: S102
    tbptt = ns["train_tbptt"]
    alt["train_tbptt"] = types.FunctionType(tbptt.__code__, alt, tbptt.__name__)
    clipped = 0
    for unit in ("train_step", "train_tbptt"):
        for case in {u.name: u for u in load_units("rnn")}[unit].cases:
            ours, dense = run_case(ns, case), run_case(alt, case)
            tol = 1e-10 if case.dtype == "float64" else 2e-5
            for key in ours:
                np.testing.assert_allclose(dense[key], ours[key], rtol=tol, atol=tol,
                                           err_msg=f"{unit} / {case.name}: {key}")
            clipped += case.params["max_norm"] < 100
    assert clipped >= 3  # clipping cases of both units


def test_tbptt_reference_carries_the_state_and_truncates_the_gradient(ns, plan):
    """Recomputes a tbptt case independently: per-chunk GradientTape on a fresh copy."""
    case, expected = _expected(plan, "train_tbptt", "6 chunks")
    model = char_model(case)
    stream, h = case.arrays["stream"], tf.constant(case.arrays["h0"], case.dtype)
    k, lr, max_norm = case.params["k"], case.params["learning_rate"], case.params["max_norm"]
    variables = list(model.named_weights().values())
    for c in range((stream.shape[1] - 1) // k):
        inputs, targets = stream[:, c * k:(c + 1) * k], stream[:, c * k + 1:(c + 1) * k + 1]
        with tf.GradientTape() as tape:
            scores, h_next = model(inputs, initial_state=h, return_state=True)
            nll = tf.nn.sparse_softmax_cross_entropy_with_logits(targets, scores)
            loss = tf.reduce_sum(nll) / stream.shape[0]
        grads, _ = tf.clip_by_global_norm(tape.gradient(loss, variables), max_norm)
        for var, g in zip(variables, grads):
            var.assign_sub(lr * tf.convert_to_tensor(g))
        np.testing.assert_allclose(loss, expected["losses"][c], rtol=1e-5)
        np.testing.assert_allclose(h_next, expected["states"][c], rtol=1e-5, atol=1e-6)
        h = h_next
    for name, var in model.named_weights().items():
        np.testing.assert_allclose(var.numpy(), expected[name], rtol=1e-4, atol=1e-6)


def test_text_streams_and_bits_per_character(ns):
    from rnnlab.text_streams import bits_per_character, text_streams

    streams = text_streams(np.arange(23), 4)
    assert streams.shape == (4, 5) and streams[1, 0] == 5 and streams.dtype == np.int32
    with pytest.raises(ValueError, match="at least 2 ids"):
        text_streams(np.arange(5), 4)
    model = ns["CharRNN"](7, 4)
    model(tf.zeros((1, 1), tf.int32))
    for var in model.weights:  # a model that knows nothing: uniform predictions
        var.assign(tf.zeros_like(var))
    bpc = bits_per_character(model, RNG.integers(0, 7, (3, 20)), k=6)
    assert bpc == pytest.approx(math.log2(7), rel=1e-6)
