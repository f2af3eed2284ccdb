"""The lstm solution is right where the grader trusts it: hand-written backward passes agree with
GradientTape, the layer agrees with keras.layers.LSTM after the weight conversion, the spec's
numpy reference computes what the solution computes, the gradient-flow measurement is the
gradient it claims to be, and the visible checks catch the bugs they are meant to catch. The same
for the GRU: its hand-written step backward agrees with GradientTape, the spec's numpy reference
is the solution's, the layer agrees with keras.layers.GRU (reset_after=True) after the conversion
and differs from the paper's reset-before form."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from autograder.api import load_definitions
from autograder.examples import solution_code
from autograder.paths import solution_notebook
from autograder.specs import lstm as spec
from rnnlab import gradient_flow_lab as lab
from rnnlab.checks import CheckFailed
from rnnlab.checks import lstm as checks
from rnnlab.notebook import read_notebook

RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def ns():
    ns = load_definitions(solution_notebook("lstm"))
    assert ns["__cell_errors__"] == []
    return ns


def weights(D, H, scale=0.5):
    return [scale * RNG.standard_normal(s) for s in [(D, 4 * H), (H, 4 * H), (4 * H,)]]


def tape_grads(fn, inputs, upstreams):
    variables = [tf.Variable(v) for v in inputs]
    with tf.GradientTape() as tape:
        outputs = fn(*variables)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        loss = sum(tf.reduce_sum(o * u) for o, u in zip(outputs, upstreams))
    return tape.gradient(loss, variables)


def assert_close(a, b, tol=1e-10):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_lstm_step_backward_is_the_gradient_of_the_step(ns):
    N, D, H = 3, 4, 5
    inputs = [RNG.standard_normal((N, D)), RNG.standard_normal((N, H)),
              RNG.standard_normal((N, H)), *weights(D, H)]
    dnext_h, dnext_c = RNG.standard_normal((N, H)), RNG.standard_normal((N, H))
    by_hand = ns["lstm_step_backward"](dnext_h, dnext_c, *inputs)
    by_tape = tape_grads(ns["lstm_step_forward"], inputs, [dnext_h, dnext_c])
    for mine, reference in zip(by_hand, by_tape, strict=True):
        assert_close(mine, reference)


def test_lstm_backward_is_the_gradient_of_lstm_forward(ns):
    N, T, D, H = 3, 7, 4, 5
    x, h0 = RNG.standard_normal((N, T, D)), RNG.standard_normal((N, H))
    Wx, Wh, b = weights(D, H)
    dh = RNG.standard_normal((N, T, H))
    h, c = ns["lstm_forward"](x, h0, Wx, Wh, b, return_cells=True)
    by_hand = ns["lstm_backward"](dh, h, c, x, h0, Wx, Wh, b)
    by_tape = tape_grads(ns["lstm_forward"], [x, h0, Wx, Wh, b], [dh])
    for mine, reference in zip(by_hand, by_tape, strict=True):
        assert_close(mine, reference)


def test_spec_reference_computes_what_the_solution_computes(ns):
    inputs = spec._seq_inputs("normal", 3, 6, 4, 5, seed=9)
    h, c = spec._np_forward(**inputs)
    got_h, got_c = ns["lstm_forward"](**inputs, return_cells=True)
    assert_close(got_h, h)
    assert_close(got_c, c)


def test_step_keeps_the_dtype_and_uses_gates_in_order_i_f_o_g(ns):
    N, D, H = 2, 3, 1
    x, prev_h, prev_c = np.ones((N, D)), np.zeros((N, H)), np.full((N, H), 0.5)
    Wx, Wh = np.zeros((D, 4 * H)), np.zeros((H, 4 * H))
    b = np.array([-20.0, 20.0, 20.0, 0.0])  # i closed, f and o open: c stays, h = tanh(c)
    for dtype in (tf.float32, tf.float64):
        args = [tf.constant(v, dtype) for v in (x, prev_h, prev_c, Wx, Wh, b)]
        next_h, next_c = ns["lstm_step_forward"](*args)
        assert next_h.dtype == dtype and next_c.dtype == dtype
        assert_close(next_c, prev_c, tol=1e-6)
        assert_close(next_h, np.tanh(prev_c), tol=1e-6)


def test_layer_matches_keras_lstm_on_converted_weights(ns):
    N, T, D, H = 4, 9, 3, 6
    x, h0 = RNG.standard_normal((N, T, D)), RNG.standard_normal((N, H))
    ours = ns["LSTM"](H, return_sequences=True, dtype="float64")
    ours(x)
    for var, value in zip([ours.Wx, ours.Wh, ours.b], weights(D, H)):
        var.assign(value)
    theirs = keras.layers.LSTM(H, return_sequences=True, dtype="float64")
    theirs.build(x.shape)
    theirs.set_weights([np.asarray(w) for w in ns["lstm_weights_to_keras"](ours.Wx, ours.Wh, ours.b)])
    assert_close(ours(x, initial_state=h0), theirs(x, initial_state=[h0, np.zeros_like(h0)]))
    last = ns["LSTM"].from_config(ours.get_config() | {"return_sequences": False})
    assert last.units == H and not last.return_sequences


def test_fresh_layer_starts_with_forget_bias_one_and_stacks(ns):
    layer = ns["LSTM"](4, return_sequences=True)
    layer.build((None, 7, 3))
    assert [w.path.split("/")[-1] for w in layer.weights] == ["Wx", "Wh", "b"]
    np.testing.assert_array_equal(layer.b.numpy(), [0] * 4 + [1] * 4 + [0] * 8)
    model = keras.Sequential([keras.Input((7, 3)), layer, ns["LSTM"](2)])
    assert model(np.zeros((5, 7, 3), "float32")).shape == (5, 2)


def test_gradient_flow_is_the_gradient_norm_of_the_last_step(ns):
    # out[:, t] = sum_{s <= t} x_s W, so dL/dx_t = ones(N, H) W^T for every t.
    N, T, D, H = 3, 5, 4, 2
    W = RNG.standard_normal((D, H))
    layer = lambda x: tf.cumsum(x @ W, axis=1)
    norms = ns["gradient_flow"](layer, RNG.standard_normal((N, T, D)))
    assert_close(norms, np.full(T, np.sqrt(N) * np.linalg.norm(W.sum(axis=1))))
    last_only = lambda x: layer(x)[:, -1]
    assert_close(ns["gradient_flow"](last_only, np.ones((N, T, D))), norms)


def test_vanilla_rnn_scales_decide_vanishing_and_exploding(ns):
    rnn = lab.vanilla_rnn(8, 32, 0.5, seed=3, dtype="float64")
    Wh = rnn.get_weights()[1]
    np.testing.assert_allclose(np.linalg.svd(Wh, compute_uv=False), 0.5, rtol=1e-12)
    x = tf.constant(RNG.standard_normal((8, 30, 8)))
    vanishing = ns["gradient_flow"](rnn, x).numpy()
    exploding = ns["gradient_flow"](lab.vanilla_rnn(8, 32, 3.0, seed=3, dtype="float64"), x).numpy()
    assert vanishing[0] < 1e-6 * vanishing[-1]
    assert exploding[0] > 1e3 * exploding[-1]


def gru_weights(D, H, scale=0.5):
    return [scale * RNG.standard_normal(s) for s in [(D, 3 * H), (H, 3 * H), (3 * H,)]]


def test_gru_step_backward_is_the_gradient_of_the_step(ns):
    N, D, H = 3, 4, 5
    inputs = [RNG.standard_normal((N, D)), RNG.standard_normal((N, H)), *gru_weights(D, H)]
    dnext_h = RNG.standard_normal((N, H))
    by_hand = ns["gru_step_backward"](dnext_h, *inputs)
    by_tape = tape_grads(ns["gru_step_forward"], inputs, [dnext_h])
    for mine, reference in zip(by_hand, by_tape, strict=True):
        assert_close(mine, reference)


def test_gru_spec_reference_computes_what_the_solution_computes(ns):
    inputs = spec._gru_seq_inputs("normal", 3, 6, 4, 5, seed=9)
    assert_close(ns["gru_forward"](**inputs), spec._np_gru_forward(**inputs))
    step = spec._gru_step_inputs("linspace", 2, 3, 4)
    assert_close(ns["gru_step_forward"](**step), spec._np_gru_step(**step))


def test_gru_step_keeps_the_dtype_and_uses_blocks_z_r_n(ns):
    N, D, H = 2, 3, 1
    x, prev_h = np.ones((N, D)), np.full((N, H), 0.5)
    Wx, Wh = np.zeros((D, 3 * H)), np.zeros((H, 3 * H))
    for b, expected in (([20.0, 0.0, 0.0], 0.5),             # z = 1: the old state is kept
                        ([-20.0, 0.0, 0.7], np.tanh(0.7))):  # z = 0: the candidate tanh(b_n)
        for dtype in (tf.float32, tf.float64):
            args = [tf.constant(v, dtype) for v in (x, prev_h, Wx, Wh, np.array(b))]
            next_h = ns["gru_step_forward"](*args)
            assert next_h.dtype == dtype
            assert_close(next_h, np.full((N, H), expected), tol=1e-6)


def test_gru_layer_matches_keras_gru_after_and_not_before(ns):
    N, T, D, H = 4, 9, 3, 6
    x, h0 = RNG.standard_normal((N, T, D)), RNG.standard_normal((N, H))
    ours = ns["GRU"](H, return_sequences=True, dtype="float64")
    ours(x)
    for var, value in zip([ours.Wx, ours.Wh, ours.b], gru_weights(D, H)):
        var.assign(value)
    kernel, recurrent_kernel, bias = ns["gru_weights_to_keras"](*ours.get_weights())
    assert tuple(bias.shape) == (2, 3 * H)
    theirs = keras.layers.GRU(H, return_sequences=True, dtype="float64")  # reset_after=True
    theirs.build(x.shape)
    theirs.set_weights([np.asarray(w) for w in (kernel, recurrent_kernel, bias)])
    h = ours(x, initial_state=h0)
    assert_close(h, theirs(x, initial_state=[h0]))
    before = keras.layers.GRU(H, return_sequences=True, reset_after=False, dtype="float64")
    before.build(x.shape)
    before.set_weights([np.asarray(w) for w in (ours.Wx, ours.Wh, ours.b)])
    assert np.max(np.abs(h - before(x, initial_state=[h0]))) > 1e-2
    last = ns["GRU"].from_config(ours.get_config() | {"return_sequences": False})
    assert last.units == H and not last.return_sequences


def test_fresh_gru_layer_starts_with_zero_bias_and_stacks(ns):
    layer = ns["GRU"](4, return_sequences=True)
    layer.build((None, 7, 3))
    assert [w.path.split("/")[-1] for w in layer.weights] == ["Wx", "Wh", "b"]
    np.testing.assert_array_equal(layer.b.numpy(), np.zeros(12))
    np.testing.assert_allclose(layer.Wh.numpy() @ layer.Wh.numpy().T, np.eye(4), atol=1e-5)
    model = keras.Sequential([keras.Input((7, 3)), layer, ns["GRU"](2)])
    assert model(np.zeros((5, 7, 3), "float32")).shape == (5, 2)
    assert model.count_params() == 3 * (3 * 4 + 4 * 4 + 4) + 3 * (4 * 2 + 2 * 2 + 2)


def test_comparison_table_lists_every_model_and_distance():
    table = lab.comparison_table({"vanilla RNN": (5184, 3.25, [1.0, 0.5]),
                                  "GRU": (15890, 12.0, [1.0, 0.984])}, [5, 60])
    lines = table.splitlines()
    assert len(lines) == 4 and "d=5" in lines[0] and "d=60" in lines[0]
    assert lines[2].split()[-4:] == ["5,184", "3.2", "1.000", "0.500"]
    assert lines[3].split() == ["GRU", "15,890", "12.0", "1.000", "0.984"]
    with pytest.raises(ValueError, match="Expected 2 accuracies for 'GRU'"):
        lab.comparison_table({"GRU": (1, 1.0, [1.0])}, [5, 60])
    with pytest.raises(ValueError, match=r"Expected \(parameters, seconds, accuracies\)"):
        lab.comparison_table({"GRU": (1, [1.0, 1.0])}, [5, 60])


def test_lab_plots_draw(tmp_path):
    import matplotlib.pyplot as plt

    from rnnlab.training import History

    ax = lab.plot_gradient_flow({"a": [1e-3, 1e-2, 0.0, 1.0]})
    assert len(ax.lines) == 1 and len(ax.lines[0].get_xdata()) == 3  # zeros are dropped
    history = History()
    for step in range(3):
        history.log(step, loss=1.0 / (step + 1), grad_norm=10.0**step)
    axes = lab.plot_clipping({"run": history}, threshold=1.0)
    assert axes[0].get_legend_handles_labels()[1] == ["run"]
    lab.plot_forget_gates(RNG.uniform(size=(10, 4)), marks=[2])
    lab.plot_accuracy_by_distance({"m": ([5, 10], [1.0, 0.5])}, chance=0.5)
    plt.close("all")


def test_visible_checks_pass_on_the_solution(ns, capsys):
    for name in ("lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
                 "lstm_weights_to_keras", "gru_step_forward", "gru_step_backward", "gru_forward",
                 "gru_weights_to_keras", "gradient_flow"):
        getattr(checks, f"check_{name}")(ns[name])
    checks.check_lstm_layer(ns["LSTM"])
    checks.check_gru_layer(ns["GRU"])
    assert capsys.readouterr().out.count("checks passed") == 12


def variant(ns, cell_id, old, new):
    """The solution's namespace with one solution cell re-run with a bug in it."""
    nb = read_notebook(solution_notebook("lstm"))
    (cell,) = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == cell_id]
    code = solution_code(cell)
    assert old in code, old
    namespace = dict(ns)
    exec(compile(code.replace(old, new), cell_id, "exec"), namespace)  # noqa: S102
    return namespace


@pytest.mark.parametrize("cell_id,old,new,check,target", [
    ("lstm_step_forward_code", "a_i, a_f, a_o, a_g", "a_i, a_f, a_g, a_o",
     "lstm_step_forward", "lstm_step_forward"),
    ("lstm_step_forward_code", "next_h = o * tf.tanh(next_c)", "next_h = o * next_c",
     "lstm_step_forward", "lstm_step_forward"),
    ("lstm_step_backward_code", "o * (1 - tanh_c**2)", "o", "lstm_step_backward",
     "lstm_step_backward"),
    ("lstm_step_backward_code", "dprev_c = dc * f", "dprev_c = dc", "lstm_step_backward",
     "lstm_step_backward"),
    ("lstm_step_backward_code", "do * o * (1 - o)", "do", "lstm_step_backward",
     "lstm_step_backward"),
    ("lstm_forward_code", "tf.zeros_like(h0)", "h0", "lstm_forward", "lstm_forward"),
    ("lstm_backward_code", "dh[:, t] + dprev_h", "dh[:, t]", "lstm_backward", "lstm_backward"),
    ("lstm_backward_code", "dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t",
     "dWx, dWh, db = dWx_t, dWh_t, db_t", "lstm_backward", "lstm_backward"),
    ("lstm_layer_code", "h = lstm_forward(x, initial_state,", "h = lstm_forward(x, 0 * initial_state,",
     "lstm_layer", "LSTM"),
    ("lstm_weights_to_keras_code", "[i, f, g, o]", "[i, f, o, g]", "lstm_weights_to_keras",
     "lstm_weights_to_keras"),
    ("gru_step_forward_code", "x_z, x_r, x_n", "x_r, x_z, x_n", "gru_step_forward",
     "gru_step_forward"),
    ("gru_step_forward_code", "n = tf.tanh(x_n + r * h_n)",
     "n = tf.tanh(x_n + (r * prev_h) @ tf.split(Wh, 3, axis=1)[2])", "gru_step_forward",
     "gru_step_forward"),
    ("gru_step_forward_code", "z * prev_h + (1 - z) * n", "(1 - z) * prev_h + z * n",
     "gru_step_forward", "gru_step_forward"),
    ("gru_step_backward_code", "[da_z, da_r, r * da_n]", "[da_z, da_r, da_n]", "gru_step_backward",
     "gru_step_backward"),
    ("gru_step_backward_code", "dprev_h = dnext_h * z + da_h", "dprev_h = da_h", "gru_step_backward",
     "gru_step_backward"),
    ("gru_forward_code", "hs, prev_h = [], h0", "hs, prev_h = [], 0 * h0", "gru_forward",
     "gru_forward"),
    ("gru_layer_code", "h = gru_forward(x, initial_state,", "h = gru_forward(x, 0 * initial_state,",
     "gru_layer", "GRU"),
    ("gru_layer_code", 'initializer="zeros"', 'initializer="ones"', "gru_layer", "GRU"),
    ("gru_weights_to_keras_code", "tf.stack([b, tf.zeros_like(b)])",
     "tf.stack([tf.zeros_like(b), b])", "gru_weights_to_keras", "gru_weights_to_keras"),
    ("gradient_flow_code", "axis=[0, 2]", "axis=2", "gradient_flow", "gradient_flow"),
    ("gradient_flow_code", "last = out[:, -1] if len(out.shape) == 3 else out", "last = out",
     "gradient_flow", "gradient_flow"),
])
def test_visible_checks_catch_bugs(ns, cell_id, old, new, check, target):
    broken = variant(ns, cell_id, old, new)
    with pytest.raises(CheckFailed):
        getattr(checks, f"check_{check}")(broken[target])


def test_hard_coded_float32_fails_the_float64_checks(ns):
    broken = variant(ns, "lstm_step_forward_code", "a = x @ Wx + prev_h @ Wh + b",
                     "a = tf.cast(x @ Wx + prev_h @ Wh + b, tf.float32)")
    with pytest.raises(CheckFailed, match="float64"):
        checks.check_lstm_step_forward(broken["lstm_step_forward"])
