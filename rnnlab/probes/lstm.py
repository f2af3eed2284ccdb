"""Probes of the ``lstm`` assignment.

- ``lstm.stack``: two student ``LSTM`` (or ``GRU``) layers stacked, the first rebuilt from its
  config.
- ``lstm.keras_conversion``: ``keras.layers.LSTM`` (or ``GRU``) running on the student's
  converted weights.
- ``lstm.gradient_flow``: the student's gradient-flow measurement on Keras recurrent layers.

Every weight is set explicitly from the case's arrays, so the results never depend on
initialisers; the probes use only Keras' own layers and the student's code.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rnnlab.cases import Case
from rnnlab.probes import (
    ProbeError,
    as_tensor,
    assign_weights,
    gradients_of,
    lookup,
    probe,
    split_outputs,
    to_numpy,
)

WEIGHTS = ("Wx", "Wh", "b")


@probe("lstm.stack")
def stack_probe(namespace: Mapping, case: Case) -> dict:
    """Runs ``LSTM(H1, return_sequences=True)`` then ``LSTM(H2)`` (or the ``GRU`` given as
    ``layer``) and differentiates the output.

    The first layer is rebuilt with ``from_config(get_config())``, so a config that forgets
    ``units`` or ``return_sequences`` shows. Arrays: ``x`` `(N, T, D)`, ``l1:Wx``... and
    ``l2:Wx``... for the two layers' weights. Params: ``layer``, ``units`` ``[H1, H2]``.
    Returns ``h`` `(N, H2)` and the gradients w.r.t. ``x`` and every weight
    (``dl1:Wx``...).
    """
    import tensorflow as tf

    p = case.params
    cls = lookup(namespace, p["layer"])
    what = p["layer"]
    h1, h2 = p["units"]
    first = cls(units=h1, return_sequences=True, dtype=case.dtype)
    config = first.get_config()
    try:
        first = cls.from_config(config)
    except Exception as exc:  # noqa: BLE001 - say which step failed
        raise ProbeError(f"{what}.from_config(layer.get_config()) failed: "
                         f"{type(exc).__name__}: {exc}") from None
    second = cls(units=h2, dtype=case.dtype)
    x = as_tensor(case.arrays["x"], case.dtype)
    second(first(x))  # builds both layers
    sources = {}
    for prefix, layer in (("l1", first), ("l2", second)):
        weights = {name: case.arrays[f"{prefix}:{name}"] for name in WEIGHTS}
        assign_weights(layer, weights, case.dtype, f"{what} (layer {prefix[-1]} of the stack)")
        for name in WEIGHTS:
            (var,) = [v for v in layer.weights if v.path.endswith("/" + name) or v.path == name]
            sources[f"{prefix}:{name}"] = var
    x_var = tf.Variable(x)
    with tf.GradientTape() as tape:
        x_in = tf.identity(x_var)
        outputs = split_outputs(second(first(x_in)), ["h"], f"{what}.call()")
    outputs.update(gradients_of(tape, outputs, {"x": x_var, **sources}, case.dtype,
                                p.get("upstream_seed", 0)))
    return outputs


@probe("lstm.keras_conversion")
def keras_conversion_probe(namespace: Mapping, case: Case) -> dict:
    """Gives ``keras.layers.LSTM`` (or ``GRU``) the student's converted weights and runs it.

    Arrays: ``x`` `(N, T, D)`, ``h0`` `(N, H)` and the weights ``Wx``, ``Wh``, ``b`` in this
    course's layout: for the LSTM `(D, 4H)`, `(H, 4H)`, `(4H,)`, gates i, f, o, g; for the GRU
    `(D, 3H)`, `(H, 3H)`, `(3H,)`, blocks z, r, n, ``b`` outside the reset gate. Params: ``fn``
    (the conversion function's name), ``kind`` (``"LSTM"``, the default, or ``"GRU"``: then
    ``keras.layers.GRU`` with ``reset_after=True``, whose bias is `(2, 3H)`). Returns Keras'
    hidden states ``h`` `(N, T, H)`, started from ``h0`` (and a zero cell state).
    """
    import keras
    import tensorflow as tf

    p = case.params
    fn = lookup(namespace, p["fn"])
    kind = p.get("kind", "LSTM")
    dtype = case.dtype
    tensors = {k: as_tensor(v, dtype) for k, v in case.arrays.items()}
    H = int(case.arrays["h0"].shape[1])
    converted = split_outputs(fn(tensors["Wx"], tensors["Wh"], tensors["b"]),
                              ["kernel", "recurrent_kernel", "bias"], f"{p['fn']}()")
    converted = {k: to_numpy(k, v) for k, v in converted.items()}
    if kind == "GRU":
        layer = keras.layers.GRU(H, return_sequences=True, reset_after=True, dtype=dtype)
    else:
        layer = keras.layers.LSTM(H, return_sequences=True, dtype=dtype)
    layer.build(tuple(case.arrays["x"].shape))
    for (key, value), var in zip(converted.items(), layer.weights):
        if value.shape != tuple(var.shape):
            raise ProbeError(f"{p['fn']}(): {key} should have shape {tuple(var.shape)} for "
                             f"keras.layers.{kind}, got {value.shape}")
    layer.set_weights([value.astype(dtype) for value in converted.values()])
    h0 = tensors["h0"]
    state = [h0] if kind == "GRU" else [h0, tf.zeros_like(h0)]
    h = layer(tensors["x"], initial_state=state)
    return {"h": h}


def _keras_recurrent_layer(kind: str, units: int, return_sequences: bool, dtype: str):
    import keras

    layers = {"SimpleRNN": keras.layers.SimpleRNN, "LSTM": keras.layers.LSTM,
              "GRU": keras.layers.GRU}
    return layers[kind](units, return_sequences=return_sequences, dtype=dtype)


@probe("lstm.gradient_flow")
def gradient_flow_probe(namespace: Mapping, case: Case) -> dict:
    """Calls the student's ``fn(layer, x)`` on a Keras recurrent layer with fixed weights.

    Arrays: ``x`` `(N, T, D)` and ``w0``, ``w1``... (the layer's weights in
    ``layer.get_weights()`` order). Params: ``fn``, ``kind`` (``"SimpleRNN"``, ``"LSTM"``,
    ``"GRU"``), ``units``, ``return_sequences``. Returns ``norms`` `(T,)`.
    """
    p = case.params
    fn = lookup(namespace, p["fn"])
    dtype = case.dtype
    x = as_tensor(case.arrays["x"], dtype)
    layer = _keras_recurrent_layer(p["kind"], int(p["units"]), bool(p["return_sequences"]),
                                   dtype)
    layer.build(tuple(case.arrays["x"].shape))
    n = len(layer.get_weights())
    layer.set_weights([np.asarray(case.arrays[f"w{i}"], dtype=dtype) for i in range(n)])
    return split_outputs(fn(layer, x), ["norms"], f"{p['fn']}()")
