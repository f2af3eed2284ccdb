"""Hidden tests of the ``rnn`` assignment.

Inputs are fixed (linspace values, as in CS231n's checks, and seeded normals); inputs that a
backward pass takes from its forward pass (``next_h``, ``h``) are computed here in float64
numpy, so a bug in a student's forward pass costs only the forward's tests.
"""

from __future__ import annotations

import numpy as np

from rnnlab.cases import linspace, seeded_integers, seeded_normal

from autograder.specs import Unit
from autograder.specs.case_builders import call_cases


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


def temporal_softmax_loss() -> Unit:
    unit = fn = "temporal_softmax_loss"
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _loss_inputs(100, 1, 10, 1.0, 0), ["loss"], grad_wrt=["x"],
                          label="N=100 T=1 V=10, near-uniform scores (loss ~ 2.3)")
        + call_cases(unit, fn, _loss_inputs(7, 8, 9, 0.5, 11), ["loss"], grad_wrt=["x"],
                     label="N=7 T=8 V=9, half the steps masked"),
        hidden=call_cases(unit, fn, _loss_inputs(100, 10, 10, 0.1, 21), ["loss"],
                          grad_wrt=["x"], label="N=100 T=10 V=10, 90% masked")
        + call_cases(unit, fn, _loss_inputs(3, 5, 4, 1.0, 31), ["loss"], grad_wrt=["x"],
                     label="N=3 T=5 V=4, no mask", upstream_seed=2),
    )


def units() -> list[Unit]:
    return [rnn_step_forward(), rnn_step_backward(), rnn_forward(), temporal_softmax_loss()]
