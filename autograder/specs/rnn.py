"""Hidden tests of the ``rnn`` assignment.

Inputs are fixed (linspace values, as in CS231n's checks, and seeded normals); inputs that a
backward pass takes from its forward pass (``next_h``, ``h``) are computed here in float64
numpy, so a bug in a student's forward pass costs only the forward's tests.

Layers and models (``VanillaRNN``, ``MultilayerRNN``, ``CharRNN`` and the two classifiers) are
built by the generic ``layer`` probe with every weight set by name. ``sample``, ``train_step``
and ``train_tbptt`` run on a fixed-weight stand-in character model built from Keras's own
layers (``rnnlab/probes/rnn.py``), with plain SGD so that clipping shows in the update: a bug in
the student's ``CharRNN`` costs ``CharRNN`` only. Units that call other units' code (``rnn_backward``
calls ``rnn_step_backward``, the layers call ``rnn_forward``, the training steps call
``temporal_softmax_loss``) share their bugs; ``tests/rnn/test_rnn_grading.py`` lists which.
"""

from __future__ import annotations

import numpy as np

from autograder.specs import Unit
from autograder.specs.case_builders import call_cases, layer_cases
from rnnlab.cases import Case, linspace, seeded_integers, seeded_normal


def _step_inputs(kind: str, N: int, D: int, H: int, seed: int = 0) -> dict:
    if kind == "linspace":
        return {
            "x": linspace(-0.4, 0.7, (N, D)),
            "prev_h": linspace(-0.2, 0.5, (N, H)),
            "Wx": linspace(-0.1, 0.9, (D, H)),
            "Wh": linspace(-0.3, 0.7, (H, H)),
            "b": linspace(-0.2, 0.4, (H,)),
        }
    return {
        "x": seeded_normal(seed, (N, D)),
        "prev_h": seeded_normal(seed + 1, (N, H)),
        "Wx": seeded_normal(seed + 2, (D, H), 0.5),
        "Wh": seeded_normal(seed + 3, (H, H), 0.5),
        "b": seeded_normal(seed + 4, (H,), 0.5),
    }


def _seq_inputs(kind: str, N: int, T: int, D: int, H: int, seed: int = 0) -> dict:
    if kind == "linspace":
        return {
            "x": linspace(-0.1, 0.3, (N, T, D)),
            "h0": linspace(-0.3, 0.1, (N, H)),
            "Wx": linspace(-0.2, 0.4, (D, H)),
            "Wh": linspace(-0.4, 0.1, (H, H)),
            "b": linspace(-0.7, 0.1, (H,)),
        }
    return {
        "x": seeded_normal(seed, (N, T, D)),
        "h0": seeded_normal(seed + 1, (N, H)),
        "Wx": seeded_normal(seed + 2, (D, H), 0.4),
        "Wh": seeded_normal(seed + 3, (H, H), 0.4),
        "b": seeded_normal(seed + 4, (H,), 0.4),
    }


def _np_step(x, prev_h, Wx, Wh, b):
    return np.tanh(x @ Wx + prev_h @ Wh + b)


def _np_forward(x, h0, Wx, Wh, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = _np_step(x[:, t], h, Wx, Wh, b)
        hs.append(h)
    return np.stack(hs, axis=1)


STEP_GRADS = ["dx", "dprev_h", "dWx", "dWh", "db"]


def rnn_step_forward() -> Unit:
    unit, fn, out = "rnn_step_forward", "rnn_step_forward", ["next_h"]
    grads = ["x", "prev_h", "Wx", "Wh", "b"]
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _step_inputs("linspace", 3, 10, 4), out, grad_wrt=grads,
                          label="linspace N=3 D=10 H=4"),
        hidden=call_cases(unit, fn, _step_inputs("normal", 4, 5, 6, seed=10), out,
                          grad_wrt=grads, label="random N=4 D=5 H=6", upstream_seed=3)
        + call_cases(unit, fn, _step_inputs("normal", 1, 1, 1, seed=20), out,
                     grad_wrt=grads, label="random N=1 D=1 H=1", dtypes=("float64",)),
    )


def _step_backward_inputs(kind, N, D, H, seed=0, upstream_seed=0):
    inp = _step_inputs(kind, N, D, H, seed)
    next_h = _np_step(**inp)
    dnext_h = seeded_normal(upstream_seed, next_h.shape)
    return {"dnext_h": dnext_h, "next_h": next_h, "x": inp["x"], "prev_h": inp["prev_h"],
            "Wx": inp["Wx"], "Wh": inp["Wh"]}


def rnn_step_backward() -> Unit:
    unit = fn = "rnn_step_backward"
    return Unit(
        unit, ["rnn_step_backward"],
        public=call_cases(unit, fn, _step_backward_inputs("normal", 4, 5, 6, seed=0), STEP_GRADS,
                          label="random N=4 D=5 H=6"),
        hidden=call_cases(unit, fn, _step_backward_inputs("linspace", 3, 10, 4, upstream_seed=7),
                          STEP_GRADS, label="linspace N=3 D=10 H=4")
        + call_cases(unit, fn, _step_backward_inputs("normal", 2, 3, 7, seed=30, upstream_seed=31),
                     STEP_GRADS, label="random N=2 D=3 H=7"),
    )


def rnn_forward() -> Unit:
    unit = fn = "rnn_forward"
    grads = ["x", "h0", "Wx", "Wh", "b"]
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _seq_inputs("linspace", 2, 3, 4, 5), ["h"], grad_wrt=grads,
                          label="linspace N=2 T=3 D=4 H=5"),
        hidden=call_cases(unit, fn, _seq_inputs("normal", 3, 7, 4, 5, seed=40), ["h"],
                          grad_wrt=grads, label="random N=3 T=7 D=4 H=5", upstream_seed=5)
        + call_cases(unit, fn, _seq_inputs("normal", 2, 1, 3, 2, seed=50), ["h"],
                     grad_wrt=grads, label="random N=2 T=1 D=3 H=2", dtypes=("float64",)),
    )


def _loss_inputs(N, T, V, p, seed):
    x = seeded_normal(seed, (N, T, V), 0.001 if seed == 0 else 1.0)
    y = seeded_integers(seed + 1, 0, V, (N, T))
    mask = np.random.default_rng(seed + 2).random((N, T)) <= p
    return {"x": x, "y": y, "mask": mask}


def _large_score_inputs():
    """Scores of size ~1e3, as a confident model makes them. Naive formulas fail there:
    ``exp`` overflows (exp(709) is the largest float64), and ``log(softmax(x))`` takes the log
    of probabilities that underflow to 0 (every target below is at least 800 under its row's
    largest score). ``tf.nn.log_softmax`` is exact: it subtracts the largest score first."""
    x = 1000.0 * seeded_normal(41, (3, 4, 6))
    y = np.argmin(x, axis=-1).astype(np.int32)
    y[0, 0] = np.argmax(x[0, 0])  # one confident, correct step
    mask = np.ones((3, 4), bool)
    mask[1, 2:] = False
    return {"x": x, "y": y, "mask": mask}


def temporal_softmax_loss() -> Unit:
    unit = fn = "temporal_softmax_loss"
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _loss_inputs(100, 1, 10, 1.0, 0), ["loss"], grad_wrt=["x"],
                          label="N=100 T=1 V=10, near-uniform scores (loss ~ 2.3)")
        + call_cases(unit, fn, _loss_inputs(7, 8, 9, 0.5, 11), ["loss"], grad_wrt=["x"],
                     label="N=7 T=8 V=9, half the steps masked")
        + call_cases(unit, fn, _large_score_inputs(), ["loss"], grad_wrt=["x"],
                     label="N=3 T=4 V=6, large scores (~1e3: exp overflows, softmax underflows)",
                     upstream_seed=3),
        hidden=call_cases(unit, fn, _loss_inputs(100, 10, 10, 0.1, 21), ["loss"],
                          grad_wrt=["x"], label="N=100 T=10 V=10, 90% masked")
        + call_cases(unit, fn, _loss_inputs(3, 5, 4, 1.0, 31), ["loss"], grad_wrt=["x"],
                     label="N=3 T=5 V=4, no mask", upstream_seed=2),
    )


def _rnn_backward_inputs(kind, N, T, D, H, seed=0, upstream_seed=0):
    inp = _seq_inputs(kind, N, T, D, H, seed)
    h = _np_forward(**inp)
    dh = seeded_normal(upstream_seed, h.shape)
    return {"dh": dh, "h": h, "x": inp["x"], "h0": inp["h0"], "Wx": inp["Wx"], "Wh": inp["Wh"]}


SEQ_GRADS = ["dx", "dh0", "dWx", "dWh", "db"]


def rnn_backward() -> Unit:
    unit = fn = "rnn_backward"
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _rnn_backward_inputs("normal", 2, 3, 4, 5, seed=60,
                                                         upstream_seed=61),
                          SEQ_GRADS, label="random N=2 T=3 D=4 H=5"),
        hidden=call_cases(unit, fn, _rnn_backward_inputs("linspace", 3, 5, 4, 3, upstream_seed=7),
                          SEQ_GRADS, label="linspace N=3 T=5 D=4 H=3")
        + call_cases(unit, fn, _rnn_backward_inputs("normal", 2, 1, 3, 2, seed=70,
                                                    upstream_seed=71),
                     SEQ_GRADS, label="random N=2 T=1 D=3 H=2", dtypes=("float64",)),
    )


def _ids_with_repeats(seed, V, shape):
    """Ids in [0, V) in which every id occurs at least twice (embedding gradients add up)."""
    ids = np.resize(np.arange(V, dtype=np.int32), int(np.prod(shape)))
    np.random.default_rng(seed).shuffle(ids)
    return ids.reshape(shape)


def word_embedding_forward() -> Unit:
    unit = fn = "word_embedding_forward"
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, {"x": np.array([[0, 3, 1, 2], [2, 1, 0, 1]], np.int32),
                                     "W_embed": linspace(0, 1, (5, 3))},
                          ["out"], grad_wrt=["W_embed"], label="linspace V=5 W=3, N=2 T=4"),
        hidden=call_cases(unit, fn, {"x": _ids_with_repeats(80, 7, (3, 6)),
                                     "W_embed": seeded_normal(81, (7, 4))},
                          ["out"], grad_wrt=["W_embed"], label="random V=7 W=4, N=3 T=6",
                          upstream_seed=4),
    )


def temporal_affine_forward() -> Unit:
    unit = fn = "temporal_affine_forward"
    grads = ["x", "w", "b"]
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, {"x": linspace(-0.1, 0.5, (2, 3, 4)),
                                     "w": linspace(-0.2, 0.3, (4, 5)),
                                     "b": linspace(-0.3, 0.1, (5,))},
                          ["out"], grad_wrt=grads, label="linspace N=2 T=3 D=4 M=5"),
        hidden=call_cases(unit, fn, {"x": seeded_normal(90, (3, 1, 2)),
                                     "w": seeded_normal(91, (2, 6)),
                                     "b": seeded_normal(92, (6,))},
                          ["out"], grad_wrt=grads, label="random N=3 T=1 D=2 M=6",
                          dtypes=("float64",), upstream_seed=1)
        + call_cases(unit, fn, {"x": seeded_normal(93, (4, 5, 3)),
                                "w": seeded_normal(94, (3, 2)),
                                "b": seeded_normal(95, (2,))},
                     ["out"], grad_wrt=grads, label="random N=4 T=5 D=3 M=2",
                     dtypes=("float32",), upstream_seed=2),
    )


# ---------------------------------------------------------------------------------------------
# Keras layers and models: weights set by name, outputs and gradients w.r.t. inputs and weights.


def _rnn_weights(D, H, seed, prefix=""):
    return {f"{prefix}Wx": seeded_normal(seed, (D, H), 0.5),
            f"{prefix}Wh": seeded_normal(seed + 1, (H, H), 0.5),
            f"{prefix}b": seeded_normal(seed + 2, (H,), 0.3)}


def _with_arrays(cases, **arrays):
    """Adds arrays that the call passes by keyword (layer_cases passes inputs by position)."""
    for case in cases:
        case.arrays.update(arrays)
    return cases


def _roundtrip_case(unit, layer, config, weights, inputs, config_keys, label, dtype="float64"):
    arrays = dict(inputs)
    arrays.update({"w:" + k: v for k, v in weights.items()})
    return Case(unit, f"{label}, {dtype}", "rnn.config_roundtrip", arrays,
                {"layer": layer, "config": config, "weights": {k: "w:" + k for k in weights},
                 "inputs": list(inputs), "config_keys": list(config_keys), "dtype": dtype})


def VanillaRNN() -> Unit:
    unit = layer = "VanillaRNN"
    x, h0 = seeded_normal(100, (2, 5, 3)), seeded_normal(101, (2, 4), 0.5)
    weights = _rnn_weights(3, 4, 102)
    x2, h02 = seeded_normal(110, (3, 6, 2)), seeded_normal(111, (3, 5), 0.5)
    weights2 = _rnn_weights(2, 5, 112)
    return Unit(
        unit, [layer],
        public=layer_cases(unit, layer, {"units": 4, "return_sequences": True}, weights,
                           {"x": x}, ["h"], grad_inputs=["x"],
                           label="return_sequences=True, N=2 T=5 D=3 H=4")
        + _with_arrays(layer_cases(unit, layer, {"units": 4}, weights, {"x": x}, ["h"],
                                   call_kwargs={"initial_state": "h0"}, grad_inputs=["x", "h0"],
                                   dtypes=("float64",), upstream_seed=1,
                                   label="last state only, from initial_state, N=2 T=5 D=3 H=4"),
                       h0=h0),
        hidden=_with_arrays(layer_cases(unit, layer, {"units": 5, "return_sequences": True},
                                        weights2, {"x": x2}, ["h"],
                                        call_kwargs={"initial_state": "h0"},
                                        grad_inputs=["x", "h0"], dtypes=("float32",),
                                        upstream_seed=2,
                                        label="return_sequences=True from initial_state, "
                                              "N=3 T=6 D=2 H=5"),
                            h0=h02)
        + [_roundtrip_case(unit, layer, {"units": 5, "return_sequences": True}, weights2,
                           {"x": x2}, ["units", "return_sequences"],
                           "VanillaRNN.from_config(layer.get_config()) computes the same")],
    )


def MultilayerRNN() -> Unit:
    unit = layer = "MultilayerRNN"
    weights = {**_rnn_weights(3, 4, 120, "rnn_0/"), **_rnn_weights(4, 3, 123, "rnn_1/")}
    weights3 = {**_rnn_weights(2, 3, 130, "rnn_0/"), **_rnn_weights(3, 5, 133, "rnn_1/"),
                **_rnn_weights(5, 2, 136, "rnn_2/")}
    return Unit(
        unit, [layer],
        public=layer_cases(unit, layer, {"hidden_sizes": [4, 3]}, weights,
                           {"x": seeded_normal(126, (2, 4, 3))}, ["h"], grad_inputs=["x"],
                           label="2 layers (4, 3), N=2 T=4 D=3")
        + layer_cases(unit, layer, {"hidden_sizes": [4, 3], "return_sequences": False}, weights,
                      {"x": seeded_normal(127, (2, 4, 3))}, ["h"], grad_inputs=["x"],
                      dtypes=("float64",), upstream_seed=2,
                      label="2 layers (4, 3), last state only, N=2 T=4 D=3"),
        hidden=layer_cases(unit, layer, {"hidden_sizes": [3, 5, 2], "return_sequences": False},
                           weights3, {"x": seeded_normal(139, (3, 5, 2))}, ["h"],
                           grad_inputs=["x"], dtypes=("float64",), upstream_seed=3,
                           label="3 layers (3, 5, 2), last state only, N=3 T=5 D=2"),
    )


def _char_weights(V, W, H, seed, out_scale=0.5):
    return {"W_embed": seeded_normal(seed, (V, W)),
            **_rnn_weights(W, H, seed + 1),
            "W_out": seeded_normal(seed + 4, (H, V), out_scale),
            "b_out": seeded_normal(seed + 5, (V,), 0.3)}


def CharRNN() -> Unit:
    unit = layer = "CharRNN"
    ids = np.array([[0, 3, 5, 1], [2, 2, 4, 0]], np.int32)
    ids2 = _ids_with_repeats(150, 5, (3, 4))
    return Unit(
        unit, [layer],
        public=layer_cases(unit, layer, {"vocab_size": 6, "hidden_size": 5, "embedding_size": 4},
                           _char_weights(6, 4, 5, 140), {"ids": ids}, ["scores"],
                           label="V=6 W=4 H=5, N=2 T=4, zero initial state")
        + _with_arrays(
            layer_cases(unit, layer, {"vocab_size": 6, "hidden_size": 5, "embedding_size": 4},
                        _char_weights(6, 4, 5, 140), {"ids": ids[:, ::-1].copy()},
                        ["scores", "final_state"],
                        call_kwargs={"initial_state": "h0", "return_state": {"value": True}},
                        grad_inputs=["h0"], dtypes=("float64",), upstream_seed=1,
                        label="V=6 W=4 H=5, N=2 T=4, from initial_state, return_state=True"),
            h0=seeded_normal(147, (2, 5), 0.5)),
        hidden=_with_arrays(
            layer_cases(unit, layer, {"vocab_size": 5, "hidden_size": 3},
                        _char_weights(5, 5, 3, 151), {"ids": ids2}, ["scores", "final_state"],
                        call_kwargs={"initial_state": "h0", "return_state": {"value": True}},
                        grad_inputs=["h0"], upstream_seed=5,
                        label="V=5 (embedding_size defaults to V) H=3, N=3 T=4, "
                              "from initial_state, return_state=True"),
            h0=seeded_normal(157, (3, 3), 0.5)),
    )


def SentimentClassifier() -> Unit:
    unit = layer = "SentimentClassifier"
    ids = np.array([[4, 2, 6, 1, 5], [3, 1, 0, 0, 0], [6, 6, 2, 0, 0]], np.int32)
    ids2 = np.array([[5, 0, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6], [6, 4, 2, 0, 0, 0],
                     [2, 2, 3, 3, 1, 0]], np.int32)
    return Unit(
        unit, [layer],
        public=layer_cases(unit, layer, {"vocab_size": 7, "embedding_size": 3, "hidden_size": 4,
                                         "num_classes": 2},
                           _char_weights(7, 3, 4, 160) | {"W_out": seeded_normal(164, (4, 2)),
                                                          "b_out": seeded_normal(165, (2,))},
                           {"ids": ids}, ["scores"],
                           label="V=7 W=3 H=4 C=2, N=3 T=5, lengths 5, 2, 3"),
        hidden=layer_cases(unit, layer, {"vocab_size": 7, "embedding_size": 2, "hidden_size": 5,
                                         "num_classes": 3},
                           _char_weights(7, 2, 5, 170) | {"W_out": seeded_normal(174, (5, 3)),
                                                          "b_out": seeded_normal(175, (3,))},
                           {"ids": ids2}, ["scores"], dtypes=("float64",), upstream_seed=6,
                           label="V=7 W=2 H=5 C=3, N=4 T=6, lengths 1, 6, 3, 5"),
    )


def FrameClassifier() -> Unit:
    unit = layer = "FrameClassifier"
    weights = {**_rnn_weights(9, 4, 180, "rnn_0/"), **_rnn_weights(4, 3, 183, "rnn_1/"),
               "W_out": seeded_normal(186, (3, 5)), "b_out": seeded_normal(187, (5,))}
    weights1 = {**_rnn_weights(4, 5, 190, "rnn_0/"),
                "W_out": seeded_normal(193, (5, 2)), "b_out": seeded_normal(194, (2,))}
    return Unit(
        unit, [layer],
        public=layer_cases(unit, layer, {"hidden_sizes": [4, 3], "num_classes": 5}, weights,
                           {"frames": seeded_normal(188, (2, 4, 3, 3, 1))}, ["scores"],
                           grad_inputs=["frames"],
                           label="2 layers (4, 3) C=5, N=2 T=4 frames of 3x3x1"),
        hidden=layer_cases(unit, layer, {"hidden_sizes": [5], "num_classes": 2}, weights1,
                           {"frames": seeded_normal(195, (3, 6, 2, 2))}, ["scores"],
                           grad_inputs=["frames"], dtypes=("float64",), upstream_seed=7,
                           label="1 layer (5) C=2, N=3 T=6 frames of 2x2"),
    )


# ---------------------------------------------------------------------------------------------
# Sampling and training: probes of their own (rnnlab/probes/rnn.py) on a fixed-weight model.


def _probe_case(unit, probe, arrays, label, dtype, **params):
    return Case(unit, f"{label}, {dtype}", f"rnn.{probe}", arrays, {"dtype": dtype, **params})


def sample() -> Unit:
    unit = "sample"
    w = _char_weights(6, 4, 5, 200, out_scale=1.5)
    w2 = _char_weights(8, 3, 6, 210, out_scale=1.5)
    prefix = np.array([[1, 4, 2], [5, 0, 3]], np.int32)
    prefix2 = np.array([[7], [0], [3]], np.int32)
    return Unit(
        unit, [unit],
        public=[_probe_case(unit, "sample", w | {"prefix": prefix},
                            "N=2 prefix of 3, 10 characters at temperature 0.7, seed 0",
                            "float32", length=10, temperature=0.7, seed=0),
                _probe_case(unit, "sample", w | {"prefix": prefix},
                            "N=2 prefix of 3, 6 characters at temperature 0 (argmax)", "float64",
                            length=6, temperature=0.0, seed=0)],
        hidden=[_probe_case(unit, "sample", w2 | {"prefix": prefix2},
                            "N=3 prefix of 1, 12 characters at temperature 1, seed 7",
                            "float64", length=12, temperature=1.0, seed=7),
                _probe_case(unit, "sample", w2 | {"prefix": prefix2},
                            "N=3 prefix of 1, 12 characters at temperature 2, seed 11",
                            "float32", length=12, temperature=2.0, seed=11)],
    )


# Where the norm matters (a returned grad_norm, a clipped update), the training cases never
# repeat a token id among the inputs of one update. An embedding's gradient is a
# tf.IndexedSlices with one row per lookup, and tf.clip_by_global_norm (like
# tf.linalg.global_norm) counts the rows of a repeated id separately, while the norm of the
# actual (dense) gradient adds them up first: with repeats the two norms differ, and so do the
# clipped updates. Without repeats every correct way of clipping gives the same numbers (the
# markdown of section 10 says so). A step that is not clipped and whose norm is not returned
# (train_tbptt with max_norm=100: norms near 4) may repeat ids: its update is the same either
# way, and it checks that a repeated id's gradient adds up in the update.


def _distinct_ids(rng, V, shape):
    """``shape``-shaped int32 ids in ``[0, V)``, none of them twice (needs ``V >= size``)."""
    size = int(np.prod(shape))
    assert size <= V, f"{size} distinct ids need a vocabulary of at least {size}, got V={V}"
    return rng.permutation(V)[:size].reshape(shape).astype(np.int32)


def _batch(seed, V, N, T, p_mask):
    """A batch whose ``N * T`` inputs are distinct ids; any targets; a mask (step 0 counts)."""
    rng = np.random.default_rng(seed)
    inputs = _distinct_ids(rng, V, (N, T))
    targets = rng.integers(0, V, (N, T)).astype(np.int32)
    mask = np.random.default_rng(seed + 1).random((N, T)) <= p_mask
    mask[:, 0] = True
    return {"inputs": inputs, "targets": targets, "mask": mask}


def _stream(seed, V, N, L, k):
    """A stream ``(N, L)`` whose every chunk of ``k`` inputs, ``stream[:, c*k:(c+1)*k]``,
    holds distinct ids (ids repeat across chunks)."""
    rng = np.random.default_rng(seed)
    stream = rng.integers(0, V, (N, L)).astype(np.int32)
    for c in range((L - 1) // k):
        stream[:, c * k:(c + 1) * k] = _distinct_ids(rng, V, (N, k))
    return stream


def train_step() -> Unit:
    unit = "train_step"
    w = _char_weights(10, 4, 6, 220, out_scale=1.0)
    w2 = _char_weights(12, 3, 4, 230, out_scale=2.0)
    return Unit(
        unit, [unit],
        public=[_probe_case(unit, "train_step", w | _batch(226, 10, 2, 5, 0.7),
                            "SGD(0.5), N=2 T=5 V=10 H=6 (no input id twice), max_norm=100 "
                            "(no clipping)", "float32", learning_rate=0.5, max_norm=100.0),
                _probe_case(unit, "train_step", w | _batch(226, 10, 2, 5, 0.7),
                            "SGD(0.5), N=2 T=5 V=10 H=6 (no input id twice), max_norm=0.3 "
                            "(clipped)", "float64", learning_rate=0.5, max_norm=0.3)],
        hidden=[_probe_case(unit, "train_step", w2 | _batch(236, 12, 3, 4, 0.5),
                            "SGD(0.2), N=3 T=4 V=12 H=4 (no input id twice), half masked, "
                            "max_norm=1 (clipped)", "float32", learning_rate=0.2, max_norm=1.0)],
    )


def train_tbptt() -> Unit:
    unit = "train_tbptt"
    w = _char_weights(8, 3, 4, 240, out_scale=1.0)
    w2 = _char_weights(6, 4, 3, 250, out_scale=1.0)
    return Unit(
        unit, [unit],
        public=[_probe_case(unit, "train_tbptt",
                            w | {"stream": _stream(246, 8, 2, 14, 4),
                                 "h0": seeded_normal(247, (2, 4), 0.5)},
                            "SGD(0.3), N=2 L=14 k=4 (3 chunks, 1 character left over; no id "
                            "twice in a chunk), V=8, max_norm=1", "float32", k=4,
                            learning_rate=0.3, max_norm=1.0)],
        hidden=[_probe_case(unit, "train_tbptt",
                            w2 | {"stream": seeded_integers(256, 0, 6, (3, 11)),
                                  "h0": seeded_normal(257, (3, 3), 0.5)},
                            "SGD(0.3), N=3 L=11 k=5 (2 chunks, ids repeated), V=6, "
                            "max_norm=100 (no clipping)", "float64",
                            k=5, learning_rate=0.3, max_norm=100.0),
                _probe_case(unit, "train_tbptt",
                            w | {"stream": _stream(266, 8, 2, 20, 3),
                                 "h0": np.zeros((2, 4))},
                            "SGD(0.5), N=2 L=20 k=3 (6 chunks, no id twice in a chunk), V=8, "
                            "zero h0, max_norm=0.5", "float32", k=3, learning_rate=0.5,
                            max_norm=0.5)],
    )


def units() -> list[Unit]:
    return [rnn_step_forward(), rnn_step_backward(), rnn_forward(), rnn_backward(),
            word_embedding_forward(), temporal_affine_forward(), temporal_softmax_loss(),
            VanillaRNN(), MultilayerRNN(), CharRNN(), train_step(), sample(), train_tbptt(),
            SentimentClassifier(), FrameClassifier()]
