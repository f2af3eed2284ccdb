"""Short ways to write the common kinds of cases in a spec."""

from __future__ import annotations

import numpy as np

from rnnlab.cases import Case

DTYPES = ("float64", "float32")


def call_cases(unit: str, fn: str, inputs: dict[str, np.ndarray], outputs: list[str], *,
               label: str, grad_wrt=(), args=None, kwargs=None, dtypes=DTYPES,
               upstream_seed: int = 0, **params) -> list[Case]:
    """Cases that call ``fn(*inputs)`` once per dtype, with gradients w.r.t. ``grad_wrt``.

    Args:
        unit: the graded unit.
        fn: the function's name in the notebook.
        inputs: the named inputs, in call order unless ``args`` says otherwise.
        outputs: names of the returned values.
        label: what the inputs are, for feedback (``"linspace N=3 D=10 H=4"``).
        grad_wrt: input names to differentiate w.r.t. (autodiff through the student's code).
        dtypes: the float dtypes to run in.
    """
    return [
        Case(unit, f"{label}, {dtype}" + (", with gradients" if grad_wrt else ""), "call",
             dict(inputs),
             {"fn": fn, "args": list(args if args is not None else inputs), "kwargs": kwargs or {},
              "outputs": list(outputs), "grad_wrt": list(grad_wrt), "dtype": dtype,
              "upstream_seed": upstream_seed, **params})
        for dtype in dtypes
    ]


def layer_cases(unit: str, layer: str, config: dict, weights: dict[str, np.ndarray],
                inputs: dict[str, np.ndarray], outputs: list[str], *, label: str,
                call_kwargs=None, grad_inputs=(), dtypes=DTYPES, upstream_seed: int = 0,
                **params) -> list[Case]:
    """Cases that build Keras layer ``layer(**config)``, set its weights and call it."""
    arrays = dict(inputs)
    weight_keys = {}
    for name, value in weights.items():
        key = "w:" + name
        arrays[key] = value
        weight_keys[name] = key
    return [
        Case(unit, f"{label}, {dtype}", "layer", arrays,
             {"layer": layer, "config": config, "weights": weight_keys, "inputs": list(inputs),
              "call_kwargs": call_kwargs or {}, "outputs": list(outputs),
              "grad_inputs": list(grad_inputs), "dtype": dtype, "upstream_seed": upstream_seed,
              **params})
        for dtype in dtypes
    ]
