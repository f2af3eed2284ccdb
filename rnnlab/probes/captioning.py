"""Probes of the ``captioning`` assignment: whole models built from a vocabulary.

The models of this assignment follow CS231n's interface: the constructor takes the
vocabulary and the sizes, and the weights are reachable by name as ``model.params`` (name ->
variable). A probe builds the model in the case's dtype, assigns *every* entry of
``model.params`` from the case's arrays (so nothing depends on initialisers), then runs one
method. Gradients come from ``tf.GradientTape`` on the student's forward pass.

- ``captioning.model``: calls ``model.<method>(...)`` (``loss``, ``sample``, ``__call__``...)
  and optionally differentiates the float outputs w.r.t. every weight. For sampling, the
  values a step records beside its word (the attention weights) are zeroed after each
  caption's first `<END>`: they depend on what is fed back after `<END>`, which the
  docstrings leave open (they fix only the `<NULL>` recorded there). Probes run on the
  reference and the student side alike, so both are zeroed by the student's own `<END>`.
- ``captioning.train_step``: runs the student's ``make_train_step(model, optimizer, ...)`` on
  a small classifier defined here, for a few steps on one fixed batch with a given Keras
  optimizer; returns the losses and the final weights, or whether the loss went to (near)
  zero.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rnnlab.cases import Case
from rnnlab.probes import (
    ProbeError,
    as_tensor,
    gradients_of,
    lookup,
    probe,
    resolve,
    split_outputs,
    to_numpy,
)

WEIGHT_PREFIX = "w:"


def build_model(namespace: Mapping, case: Case):
    """Constructs ``params["model"](**config, dtype=...)`` and sets ``model.params`` by name.

    Params used: ``model`` (the class name), ``config`` (constructor keyword arguments; a
    ``word_to_idx`` given as a JSON object is passed as a dict), ``weights`` (weight name ->
    array key).

    Returns:
        ``(model, params)`` where ``params`` is the model's name -> variable mapping.
    """
    p = case.params
    cls = lookup(namespace, p["model"])
    config = dict(p.get("config", {}))
    what = p["model"]
    try:
        model = cls(**config, dtype=case.dtype)
    except Exception as exc:  # noqa: BLE001 - say which constructor call failed
        shown = ", ".join(f"{k}={v!r}" for k, v in config.items() if k != "word_to_idx")
        raise ProbeError(f"{what}(word_to_idx, {shown}, dtype={case.dtype!r}) raised "
                         f"{type(exc).__name__}: {exc}") from None
    params = getattr(model, "params", None)
    if not isinstance(params, Mapping):
        raise ProbeError(f"{what}.params should be a dict (weight name -> variable), got "
                         f"{type(params).__name__}")
    weights = {name: case.arrays[key] for name, key in p["weights"].items()}
    missing = sorted(set(weights) - set(params))
    extra = sorted(set(params) - set(weights))
    if missing or extra:
        raise ProbeError(f"{what}.params should hold exactly {', '.join(sorted(weights))}; "
                         + (f"missing: {', '.join(missing)}" if missing else "")
                         + ("; " if missing and extra else "")
                         + (f"unexpected: {', '.join(extra)}" if extra else ""))
    for name, value in weights.items():
        var = params[name]
        if not hasattr(var, "assign"):
            raise ProbeError(f"{what}.params[{name!r}] should be a variable, got "
                             f"{type(var).__name__}")
        if tuple(var.shape) != tuple(np.shape(value)):
            raise ProbeError(f"{what}.params[{name!r}] should have shape "
                             f"{tuple(np.shape(value))}, got {tuple(var.shape)}")
        var.assign(np.asarray(value, dtype=str(getattr(var, "dtype", case.dtype))))
    return model, params


def _watchable(var):
    """The ``tf.Variable`` behind a Keras variable (the tape needs a real TF dtype for the zero
    gradients of weights an output does not depend on)."""
    import tensorflow as tf

    inner = getattr(var, "value", None)
    return inner if isinstance(inner, tf.Variable) else var


def _inputs(case: Case) -> dict:
    return {k: as_tensor(v, case.dtype) for k, v in case.arrays.items()
            if not k.startswith(WEIGHT_PREFIX)}


@probe("captioning.model")
def model_probe(namespace: Mapping, case: Case) -> dict:
    """Builds a model with given weights and runs one of its methods.

    Params:
        model, config, weights: see :func:`build_model`.
        method: the method to call (``"__call__"`` calls the model itself).
        inputs: argument specs (array keys, or ``{"value": literal}``). kwargs: keyword specs.
        outputs: names of the returned values.
        grads: whether to return ``d<weight>`` for every weight (gradients of the float
            outputs times fixed random upstream gradients); ``grad_weights`` limits them to
            the named weights. upstream_seed.
        zero_after_end: ``{"tokens": key, "values": [keys], "end": id}``: the ``values``
            `(N, T, ...)` are set to zero at the steps after the first ``end`` of each row of
            the ``tokens`` `(N, T)` (the `<END>` step itself is kept); see the module docstring.
    """
    import tensorflow as tf

    p = case.params
    model, params = build_model(namespace, case)
    method = p.get("method", "__call__")
    what = f"{p['model']}.{method}()" if method != "__call__" else f"{p['model']}()"
    fn = model if method == "__call__" else getattr(model, method, None)
    if fn is None:
        raise ProbeError(f"{p['model']} has no method {method!r}")
    tensors = _inputs(case)
    args = [resolve(case, s, tensors) for s in p.get("inputs", [])]
    kwargs = {k: resolve(case, s, tensors) for k, s in p.get("kwargs", {}).items()}
    with tf.GradientTape() as tape:
        result = fn(*args, **kwargs)
        outputs = split_outputs(result, p["outputs"], what)
    if p.get("grads"):
        names = p.get("grad_weights") or list(params)
        sources = {name: _watchable(params[name]) for name in names
                   if getattr(params[name], "trainable", True)}
        outputs.update(gradients_of(tape, outputs, sources, case.dtype,
                                    p.get("upstream_seed", 0)))
    if p.get("zero_after_end"):
        outputs = zero_after_end(outputs, **p["zero_after_end"])
    return outputs


def zero_after_end(outputs: dict, tokens: str, values: list[str], end: int) -> dict:
    """``outputs`` with ``values[k][n, t]`` set to zero for every step ``t`` after the first
    ``end`` in row ``n`` of ``outputs[tokens]`` (the `<END>` step itself is kept).

    Values whose first two dimensions are not those of the tokens are left as they are (the
    comparison reports their shape).
    """
    ids = to_numpy(tokens, outputs[tokens])
    if ids.ndim != 2:
        return outputs
    seen = np.cumsum(ids == end, axis=1) > 0  # at and after the first <END>
    after = np.concatenate([np.zeros((ids.shape[0], 1), bool), seen[:, :-1]], axis=1)
    out = dict(outputs)
    for key in values:
        value = to_numpy(key, outputs[key])
        if value.shape[:2] != ids.shape:
            continue
        mask = after.reshape(after.shape + (1,) * (value.ndim - 2))
        out[key] = np.where(mask, np.zeros((), value.dtype), value)
    return out


def _optimizer(spec: dict):
    import keras

    kind = spec.get("kind", "sgd")
    if kind == "sgd":
        return keras.optimizers.SGD(learning_rate=spec["learning_rate"],
                                    momentum=spec.get("momentum", 0.0))
    if kind == "adam":
        return keras.optimizers.Adam(learning_rate=spec["learning_rate"])
    raise ProbeError(f"unknown optimizer {kind!r}")


def tiny_classifier(weights: dict, dtype: str):
    """A two-layer classifier with the interface `make_train_step` expects (not student code).

    ``loss(x, y)`` is the mean softmax cross-entropy of ``tanh(x @ W1 + b1) @ W2 + b2``; its
    weights (``W1``, ``b1``, ``W2``, ``b2``) start from ``weights``. Training steps are graded
    on this model rather than on the student's captioner, so that a bug in the captioner does
    not cost the training step's points.
    """
    import keras
    import tensorflow as tf

    class TinyClassifier(keras.layers.Layer):
        def __init__(self):
            super().__init__(dtype=dtype)
            self.params = {
                name: self.add_weight(shape=np.shape(value), name=name,
                                      initializer=keras.initializers.Constant(np.asarray(value)))
                for name, value in weights.items()
            }

        def loss(self, x, y):
            P = self.params
            scores = tf.tanh(x @ P["W1"] + P["b1"]) @ P["W2"] + P["b2"]
            return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, scores))

    return TinyClassifier()


@probe("captioning.train_step")
def train_step_probe(namespace: Mapping, case: Case) -> dict:
    """Trains a small fixed model with the student's training step on one fixed batch.

    Params:
        fn: the step factory's name (``make_train_step(model, optimizer, clip_norm=None)``
            returns ``step(inputs, targets) -> loss``).
        optimizer: ``{"kind": "sgd" | "adam", "learning_rate": ..., "momentum": ...}``.
        clip_norm: passed to the factory when not None.
        steps: how many steps. report: ``"trajectory"`` (``losses`` and the final weights
            ``final_<name>``) or ``"overfit"`` (``loss_below_<threshold>``: 1 if the last loss
            is below ``threshold``, else 0, and nothing else).

    Arrays: ``x`` `(N, D)`, ``y`` `(N,)` class ids, and the model's weights ``w:<name>``.
    """
    import tensorflow as tf

    p = case.params
    make = lookup(namespace, p["fn"])
    weights = {k[len(WEIGHT_PREFIX):]: v for k, v in case.arrays.items()
               if k.startswith(WEIGHT_PREFIX)}
    model = tiny_classifier(weights, case.dtype)
    optimizer = _optimizer(p["optimizer"])
    kwargs = {} if p.get("clip_norm") is None else {"clip_norm": p["clip_norm"]}
    step = make(model, optimizer, **kwargs)
    if not callable(step):
        raise ProbeError(f"{p['fn']}() should return a function step(inputs, targets), got "
                         f"{type(step).__name__}")
    x = as_tensor(case.arrays["x"], case.dtype)
    y = as_tensor(case.arrays["y"], case.dtype)
    losses = []
    for _ in range(int(p["steps"])):
        loss = step(x, y)
        if loss is None:
            raise ProbeError(f"the step made by {p['fn']}() should return the loss, got None")
        losses.append(tf.reshape(tf.convert_to_tensor(loss), []))
    if p.get("report") == "overfit":
        threshold = float(p["threshold"])
        last = float(np.asarray(losses[-1]))
        return {f"loss_below_{threshold:g}": np.array(int(np.isfinite(last) and last < threshold))}
    out = {"losses": tf.stack(losses)}
    out.update({f"final_{name}": var for name, var in model.params.items()})
    return out
