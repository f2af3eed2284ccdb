"""Hidden tests of the ``lstm`` assignment.

Inputs are fixed (linspace values, as in CS231n's checks, and seeded normals). The
hand-written backward passes get everything they need from the spec: ``lstm_step_backward``
recomputes its gates from the forward's inputs, and ``lstm_backward`` receives the forward's
hidden and cell states, computed here in float64 numpy, so a bug in a student's forward pass
costs only the forward's tests. The GRU's units follow the LSTM's: ``gru_step_backward`` too
gets the forward's inputs (no cache), and ``gru_weights_to_keras`` is graded by running
``keras.layers.GRU`` (``reset_after=True``) on the converted weights.
"""

from __future__ import annotations

import numpy as np

from autograder.specs import Unit
from autograder.specs.case_builders import DTYPES, call_cases, layer_cases
from rnnlab.cases import Case, linspace, seeded_normal

# ---------------------------------------------------------------------------------------------
# Inputs and a float64 numpy reference of the forward pass (gates i, f, o, g along 4H).


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _np_step(x, prev_h, prev_c, Wx, Wh, b):
    a = x @ Wx + prev_h @ Wh + b
    a_i, a_f, a_o, a_g = np.split(a, 4, axis=1)
    next_c = _sigmoid(a_f) * prev_c + _sigmoid(a_i) * np.tanh(a_g)
    return _sigmoid(a_o) * np.tanh(next_c), next_c


def _np_forward(x, h0, Wx, Wh, b):
    h, c, hs, cs = h0, np.zeros_like(h0), [], []
    for t in range(x.shape[1]):
        h, c = _np_step(x[:, t], h, c, Wx, Wh, b)
        hs.append(h)
        cs.append(c)
    return np.stack(hs, axis=1), np.stack(cs, axis=1)


def _weights(kind: str, D: int, H: int, seed: int = 0) -> dict:
    if kind == "linspace":
        return {"Wx": linspace(-2.1, 1.3, (D, 4 * H)), "Wh": linspace(-0.7, 2.2, (H, 4 * H)),
                "b": linspace(0.3, 0.7, (4 * H,))}
    return {"Wx": seeded_normal(seed, (D, 4 * H), 0.5), "Wh": seeded_normal(seed + 1, (H, 4 * H), 0.5),
            "b": seeded_normal(seed + 2, (4 * H,), 0.5)}


def _step_inputs(kind: str, N: int, D: int, H: int, seed: int = 0) -> dict:
    if kind == "linspace":
        state = {"x": linspace(-0.4, 1.2, (N, D)), "prev_h": linspace(-0.3, 0.7, (N, H)),
                 "prev_c": linspace(-0.4, 0.9, (N, H))}
    else:
        state = {"x": seeded_normal(seed + 10, (N, D)), "prev_h": seeded_normal(seed + 11, (N, H)),
                 "prev_c": seeded_normal(seed + 12, (N, H))}
    return {**state, **_weights(kind, D, H, seed)}


def _seq_inputs(kind: str, N: int, T: int, D: int, H: int, seed: int = 0) -> dict:
    if kind == "linspace":
        state = {"x": linspace(-0.4, 0.6, (N, T, D)), "h0": linspace(-0.4, 0.8, (N, H))}
    else:
        state = {"x": seeded_normal(seed + 10, (N, T, D)), "h0": seeded_normal(seed + 11, (N, H))}
    return {**state, **_weights(kind, D, H, seed)}


# ---------------------------------------------------------------------------------------------
# Units.


STEP_INPUTS = ["x", "prev_h", "prev_c", "Wx", "Wh", "b"]
STEP_GRADS = ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"]
SEQ_INPUTS = ["x", "h0", "Wx", "Wh", "b"]
SEQ_GRADS = ["dx", "dh0", "dWx", "dWh", "db"]


def lstm_step_forward() -> Unit:
    unit = fn = "lstm_step_forward"
    out = ["next_h", "next_c"]
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _step_inputs("linspace", 3, 4, 5), out, grad_wrt=STEP_INPUTS,
                          label="linspace N=3 D=4 H=5"),
        hidden=call_cases(unit, fn, _step_inputs("normal", 4, 3, 6, seed=100), out,
                          grad_wrt=STEP_INPUTS, label="random N=4 D=3 H=6", upstream_seed=3)
        + call_cases(unit, fn, _step_inputs("normal", 1, 2, 1, seed=110), out,
                     grad_wrt=STEP_INPUTS, label="random N=1 D=2 H=1", dtypes=("float64",)),
    )


def _step_backward_inputs(kind, N, D, H, seed=0, upstream_seed=0):
    inp = _step_inputs(kind, N, D, H, seed)
    return {"dnext_h": seeded_normal(upstream_seed, (N, H)),
            "dnext_c": seeded_normal(upstream_seed + 1, (N, H)), **inp}


def lstm_step_backward() -> Unit:
    unit = fn = "lstm_step_backward"
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _step_backward_inputs("normal", 4, 5, 6, seed=200,
                                                          upstream_seed=201),
                          STEP_GRADS, label="random N=4 D=5 H=6"),
        hidden=call_cases(unit, fn, _step_backward_inputs("linspace", 3, 4, 5, upstream_seed=210),
                          STEP_GRADS, label="linspace N=3 D=4 H=5")
        + call_cases(unit, fn, _step_backward_inputs("normal", 2, 3, 7, seed=220,
                                                     upstream_seed=221),
                     STEP_GRADS, label="random N=2 D=3 H=7"),
    )


def lstm_forward() -> Unit:
    unit = fn = "lstm_forward"
    cells = {"return_cells": {"value": True}}
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _seq_inputs("linspace", 2, 3, 5, 4), ["h"], grad_wrt=SEQ_INPUTS,
                          label="linspace N=2 T=3 D=5 H=4"),
        hidden=call_cases(unit, fn, _seq_inputs("normal", 3, 6, 4, 5, seed=300), ["h"],
                          grad_wrt=SEQ_INPUTS, label="random N=3 T=6 D=4 H=5", upstream_seed=5)
        + call_cases(unit, fn, _seq_inputs("normal", 2, 1, 3, 2, seed=310), ["h"],
                     grad_wrt=SEQ_INPUTS, label="random N=2 T=1 D=3 H=2", dtypes=("float64",))
        + call_cases(unit, fn, _seq_inputs("normal", 2, 4, 3, 3, seed=320), ["h", "c"],
                     kwargs=cells, label="return_cells=True: h and c, random N=2 T=4 D=3 H=3"),
    )


def _backward_inputs(kind, N, T, D, H, seed=0, upstream_seed=0):
    inp = _seq_inputs(kind, N, T, D, H, seed)
    h, c = _np_forward(**inp)
    return {"dh": seeded_normal(upstream_seed, (N, T, H)), "h": h, "c": c, **inp}


def lstm_backward() -> Unit:
    unit = fn = "lstm_backward"
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _backward_inputs("normal", 2, 4, 3, 5, seed=400,
                                                     upstream_seed=401),
                          SEQ_GRADS, label="random N=2 T=4 D=3 H=5"),
        hidden=call_cases(unit, fn, _backward_inputs("linspace", 2, 3, 5, 4, upstream_seed=410),
                          SEQ_GRADS, label="linspace N=2 T=3 D=5 H=4")
        + call_cases(unit, fn, _backward_inputs("normal", 3, 7, 2, 3, seed=420, upstream_seed=421),
                     SEQ_GRADS, label="random N=3 T=7 D=2 H=3")
        + call_cases(unit, fn, _backward_inputs("normal", 1, 1, 2, 2, seed=430, upstream_seed=431),
                     SEQ_GRADS, label="random N=1 T=1 D=2 H=2", dtypes=("float64",)),
    )


def _keyword_only(cases: list[Case], *keys: str) -> list[Case]:
    """Passes ``keys`` only as call keywords (``layer_cases`` also passes every input
    positionally)."""
    for case in cases:
        case.params["inputs"] = [k for k in case.params["inputs"] if k not in keys]
    return cases


def _recurrent_layer(unit: str, layer: str, seq_inputs, weights, init_text: str,
                     seeds: dict) -> Unit:
    """The cases of a Keras layer built on a cell's forward pass (``LSTM``, ``GRU``): given
    weights with and without an initial state, a fresh layer's initial weights (public too:
    the visible check sees a wrong default bias) and two stacked layers."""

    def init(dtype):
        return [Case(unit, f"a fresh layer's initial weights: {init_text}, Wh is orthogonal "
                           f"(Wh Wh^T = I), H=3 D=2, {dtype}",
                     "layer_init", {"x": seeded_normal(seeds["init"], (2, 4, 2))},
                     {"layer": layer, "config": {"units": 3}, "inputs": ["x"], "fixed": ["b"],
                      "orthogonal": ["Wh"], "dtype": dtype})]

    seq = seq_inputs("linspace", 2, 3, 4, 5)
    rnd = seq_inputs("normal", 3, 5, 2, 4, seed=seeds["random"])
    stack = {"x": seeded_normal(seeds["stack"], (2, 4, 3)),
             **{f"l1:{k}": v for k, v in weights("normal", 3, 4, seed=seeds["l1"]).items()},
             **{f"l2:{k}": v for k, v in weights("normal", 4, 2, seed=seeds["l2"]).items()}}
    return Unit(
        unit, [layer],
        public=_keyword_only(layer_cases(
            unit, layer, {"units": 5, "return_sequences": True},
            {k: seq[k] for k in ("Wx", "Wh", "b")}, {"x": seq["x"], "h0": seq["h0"]}, ["h"],
            call_kwargs={"initial_state": "h0"}, grad_inputs=["x", "h0"],
            label="return_sequences=True, initial_state=h0, linspace N=2 T=3 D=4 H=5"), "h0")
        + init("float64"),
        hidden=layer_cases(unit, layer, {"units": 4},
                           {k: rnd[k] for k in ("Wx", "Wh", "b")}, {"x": rnd["x"]}, ["h"],
                           grad_inputs=["x"], upstream_seed=seeds["upstream"],
                           label="return_sequences=False, zero initial state, random N=3 T=5 D=2 H=4")
        + [Case(unit, f"two stacked layers (H=4 then H=2), the first rebuilt from get_config(), "
                      f"random N=2 T=4 D=3, {dtype}",
                "lstm.stack", stack,
                {"layer": layer, "units": [4, 2], "dtype": dtype,
                 "upstream_seed": seeds["stack_upstream"]})
           for dtype in DTYPES]
        + init("float32"),
    )


def lstm_layer() -> Unit:
    return _recurrent_layer("lstm_layer", "LSTM", _seq_inputs, _weights,
                            "b has ones for the forget gate and zeros elsewhere",
                            dict(init=540, random=500, stack=510, l1=520, l2=530, upstream=7,
                                 stack_upstream=11))


def lstm_weights_to_keras() -> Unit:
    unit = fn = "lstm_weights_to_keras"

    def cases(kind, N, T, D, H, seed, label, dtypes=DTYPES):
        inp = _seq_inputs(kind, N, T, D, H, seed)
        return [Case(unit, f"{label}, {dtype}", "lstm.keras_conversion", inp,
                     {"fn": fn, "dtype": dtype}) for dtype in dtypes]

    return Unit(
        unit, [fn],
        public=cases("linspace", 2, 3, 4, 5, 0, "keras.layers.LSTM on the converted weights, "
                     "linspace N=2 T=3 D=4 H=5"),
        hidden=cases("normal", 3, 6, 5, 3, 600, "keras.layers.LSTM on the converted weights, "
                     "random N=3 T=6 D=5 H=3"),
    )


# ---------------------------------------------------------------------------------------------
# The GRU: blocks z, r, n along 3H, reset gate after the hidden product, b outside it, and
# h = z * prev_h + (1 - z) * n (Keras's convention).


def _np_gru_step(x, prev_h, Wx, Wh, b):
    x_z, x_r, x_n = np.split(x @ Wx + b, 3, axis=1)
    h_z, h_r, h_n = np.split(prev_h @ Wh, 3, axis=1)
    z, r = _sigmoid(x_z + h_z), _sigmoid(x_r + h_r)
    return z * prev_h + (1 - z) * np.tanh(x_n + r * h_n)


def _np_gru_forward(x, h0, Wx, Wh, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = _np_gru_step(x[:, t], h, Wx, Wh, b)
        hs.append(h)
    return np.stack(hs, axis=1)


def _gru_weights(kind: str, D: int, H: int, seed: int = 0) -> dict:
    if kind == "linspace":
        return {"Wx": linspace(-1.6, 1.3, (D, 3 * H)), "Wh": linspace(-0.9, 1.7, (H, 3 * H)),
                "b": linspace(-0.6, 0.8, (3 * H,))}
    return {"Wx": seeded_normal(seed, (D, 3 * H), 0.6), "Wh": seeded_normal(seed + 1, (H, 3 * H), 0.6),
            "b": seeded_normal(seed + 2, (3 * H,), 0.6)}


def _gru_step_inputs(kind: str, N: int, D: int, H: int, seed: int = 0) -> dict:
    if kind == "linspace":
        state = {"x": linspace(-0.7, 1.1, (N, D)), "prev_h": linspace(-0.8, 0.6, (N, H))}
    else:
        state = {"x": seeded_normal(seed + 10, (N, D)), "prev_h": seeded_normal(seed + 11, (N, H), 0.7)}
    return {**state, **_gru_weights(kind, D, H, seed)}


def _gru_seq_inputs(kind: str, N: int, T: int, D: int, H: int, seed: int = 0) -> dict:
    if kind == "linspace":
        state = {"x": linspace(-0.6, 0.9, (N, T, D)), "h0": linspace(-0.7, 0.5, (N, H))}
    else:
        state = {"x": seeded_normal(seed + 10, (N, T, D)), "h0": seeded_normal(seed + 11, (N, H), 0.7)}
    return {**state, **_gru_weights(kind, D, H, seed)}


GRU_STEP_INPUTS = ["x", "prev_h", "Wx", "Wh", "b"]
GRU_STEP_GRADS = ["dx", "dprev_h", "dWx", "dWh", "db"]


def gru_step_forward() -> Unit:
    unit = fn = "gru_step_forward"
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _gru_step_inputs("linspace", 3, 4, 5), ["next_h"],
                          grad_wrt=GRU_STEP_INPUTS, label="linspace N=3 D=4 H=5"),
        hidden=call_cases(unit, fn, _gru_step_inputs("normal", 4, 3, 6, seed=800), ["next_h"],
                          grad_wrt=GRU_STEP_INPUTS, label="random N=4 D=3 H=6", upstream_seed=13)
        + call_cases(unit, fn, _gru_step_inputs("normal", 1, 2, 1, seed=810), ["next_h"],
                     grad_wrt=GRU_STEP_INPUTS, label="random N=1 D=2 H=1", dtypes=("float64",)),
    )


def _gru_step_backward_inputs(kind, N, D, H, seed=0, upstream_seed=0):
    return {"dnext_h": seeded_normal(upstream_seed, (N, H)), **_gru_step_inputs(kind, N, D, H, seed)}


def gru_step_backward() -> Unit:
    unit = fn = "gru_step_backward"
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _gru_step_backward_inputs("normal", 4, 5, 6, seed=820,
                                                              upstream_seed=821),
                          GRU_STEP_GRADS, label="random N=4 D=5 H=6"),
        hidden=call_cases(unit, fn, _gru_step_backward_inputs("linspace", 3, 4, 5,
                                                              upstream_seed=830),
                          GRU_STEP_GRADS, label="linspace N=3 D=4 H=5")
        + call_cases(unit, fn, _gru_step_backward_inputs("normal", 2, 3, 7, seed=840,
                                                         upstream_seed=841),
                     GRU_STEP_GRADS, label="random N=2 D=3 H=7"),
    )


def gru_forward() -> Unit:
    unit = fn = "gru_forward"
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _gru_seq_inputs("linspace", 2, 3, 5, 4), ["h"],
                          grad_wrt=SEQ_INPUTS, label="linspace N=2 T=3 D=5 H=4"),
        hidden=call_cases(unit, fn, _gru_seq_inputs("normal", 3, 6, 4, 5, seed=850), ["h"],
                          grad_wrt=SEQ_INPUTS, label="random N=3 T=6 D=4 H=5", upstream_seed=15)
        + call_cases(unit, fn, _gru_seq_inputs("normal", 2, 1, 3, 2, seed=860), ["h"],
                     grad_wrt=SEQ_INPUTS, label="random N=2 T=1 D=3 H=2", dtypes=("float64",)),
    )


def gru_layer() -> Unit:
    return _recurrent_layer("gru_layer", "GRU", _gru_seq_inputs, _gru_weights, "b is zeros",
                            dict(init=910, random=870, stack=880, l1=890, l2=900, upstream=17,
                                 stack_upstream=19))


def gru_weights_to_keras() -> Unit:
    unit = fn = "gru_weights_to_keras"

    def cases(kind, N, T, D, H, seed, label, dtypes=DTYPES):
        inp = _gru_seq_inputs(kind, N, T, D, H, seed)
        return [Case(unit, f"{label}, {dtype}", "lstm.keras_conversion", inp,
                     {"fn": fn, "kind": "GRU", "dtype": dtype}) for dtype in dtypes]

    return Unit(
        unit, [fn],
        public=cases("linspace", 2, 3, 4, 5, 0, "keras.layers.GRU on the converted weights, "
                     "linspace N=2 T=3 D=4 H=5"),
        hidden=cases("normal", 3, 6, 5, 3, 920, "keras.layers.GRU on the converted weights, "
                     "random N=3 T=6 D=5 H=3"),
    )


def _keras_weight_shapes(kind: str, D: int, H: int) -> list[tuple]:
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
    bias = (2, 3 * H) if kind == "GRU" else (gates * H,)
    return [(D, gates * H), (H, gates * H), bias]


def gradient_flow() -> Unit:
    unit = fn = "gradient_flow"

    def cases(kind, return_sequences, N, T, D, H, seed, scales, label, dtypes=DTYPES):
        arrays = {"x": seeded_normal(seed, (N, T, D))}
        for i, (shape, scale) in enumerate(zip(_keras_weight_shapes(kind, D, H), scales)):
            arrays[f"w{i}"] = seeded_normal(seed + 1 + i, shape, scale)
        params = {"fn": fn, "kind": kind, "units": H, "return_sequences": return_sequences}
        return [Case(unit, f"{label}, {dtype}", "lstm.gradient_flow", arrays,
                     {**params, "dtype": dtype}) for dtype in dtypes]

    return Unit(
        unit, [fn],
        public=cases("SimpleRNN", True, 3, 6, 2, 4, 700, (0.5, 0.5, 0.1),
                     "keras.layers.SimpleRNN(4, return_sequences=True), random N=3 T=6 D=2")
        + cases("LSTM", False, 2, 5, 3, 4, 710, (0.5, 0.5, 0.1),
                "keras.layers.LSTM(4), random N=2 T=5 D=3"),
        hidden=cases("SimpleRNN", False, 2, 9, 3, 5, 720, (0.3, 0.8, 0.1),
                     "keras.layers.SimpleRNN(5), random N=2 T=9 D=3")
        + cases("GRU", True, 3, 7, 2, 3, 730, (0.5, 0.5, 0.1),
                "keras.layers.GRU(3, return_sequences=True), random N=3 T=7 D=2")
        + cases("LSTM", True, 1, 4, 1, 2, 740, (0.5, 0.5, 0.1),
                "keras.layers.LSTM(2, return_sequences=True), random N=1 T=4 D=1",
                dtypes=("float64",)),
    )


def units() -> list[Unit]:
    return [lstm_step_forward(), lstm_step_backward(), lstm_forward(), lstm_backward(),
            lstm_layer(), lstm_weights_to_keras(), gru_step_forward(), gru_step_backward(),
            gru_forward(), gru_layer(), gru_weights_to_keras(), gradient_flow()]
