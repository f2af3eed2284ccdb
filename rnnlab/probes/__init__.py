"""Probes: the registered ways of exercising student code on a :class:`~rnnlab.cases.Case`.

A probe takes the namespace a notebook defined (name -> object) and a case, runs the student's
code on the case's inputs, and returns plain numpy arrays by name. Probes run in the process
that executes student code (for the autograder, a separate sandboxed process); only their
numeric results ever leave it.

Generic probes live here (``call``, ``layer``); probes specific to one assignment
live in ``rnnlab/probes/<assignment>.py`` and are named ``"<assignment>.<what>"``.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
from collections.abc import Callable, Mapping

import numpy as np

from rnnlab.cases import Case

_PROBES: dict[str, Callable[[Mapping, Case], dict]] = {}
# The dtype a float64 truth case stands for (see rnnlab.cases.truth_case): values the probes
# make up themselves are rounded to it, so the truth computes the low-precision run's function.
_TRUTH_OF: contextvars.ContextVar[str | None] = contextvars.ContextVar("truth_of", default=None)


class ProbeError(Exception):
    """The student's code could not be run as the case requires (missing name, bad return)."""


def probe(name: str):
    """Registers a probe function under ``name``."""

    def register(fn):
        _PROBES[name] = fn
        return fn

    return register


def get_probe(name: str):
    if name not in _PROBES and "." in name:
        importlib.import_module(f"rnnlab.probes.{name.split('.')[0]}")
    if name not in _PROBES:
        raise ProbeError(f"unknown probe {name!r}")
    return _PROBES[name]


def run_case(namespace: Mapping, case: Case) -> dict[str, np.ndarray]:
    """Runs one case against the objects in ``namespace``; returns its named numpy results."""
    import keras

    keras.utils.set_random_seed(int(case.params.get("seed", 0)))
    token = _TRUTH_OF.set(case.truth_of)
    try:
        with quiet_retracing():
            results = get_probe(case.probe)(namespace, case)
    finally:
        _TRUTH_OF.reset(token)
    return {key: to_numpy(key, value) for key, value in results.items()}


# ---------------------------------------------------------------------------------------------
# Helpers shared by probes.


@contextlib.contextmanager
def quiet_retracing():
    """Silences TensorFlow's "triggered tf.function retracing" warning: every case hands the
    student's ``tf.function`` fresh models and shapes, which is the point of the case, not a
    problem of the student's code worth a warning in the notebook."""
    import tensorflow as tf

    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def lookup(namespace: Mapping, name: str):
    """The object the notebook defined as ``name``, with a clear error if there is none."""
    if name not in namespace:
        raise ProbeError(f"{name} is not defined (did its cell run without errors?)")
    return namespace[name]


def to_numpy(key: str, value) -> np.ndarray:
    """Converts a returned value (tensor, variable, array, number) into a numeric numpy array."""
    if value is None:
        raise ProbeError(f"{key}: got None; the function must return a value")
    if hasattr(value, "numpy") and callable(value.numpy):
        value = value.numpy()
    elif hasattr(value, "value") and hasattr(value, "path"):  # keras.Variable
        value = np.asarray(value.value)
    try:
        array = np.array(value)
    except Exception as exc:  # noqa: BLE001 - any failure means "not numbers"
        raise ProbeError(f"{key}: could not convert {type(value).__name__} to numbers ({exc})")
    if array.dtype.kind not in "biuf":
        raise ProbeError(f"{key}: expected numbers, got {type(value).__name__} "
                         f"(as numpy: dtype {array.dtype})")
    return np.ascontiguousarray(array)


def as_tensor(array: np.ndarray, dtype: str):
    """Converts a case input to a tensor: floats to the case's dtype, ints to int32."""
    import tensorflow as tf

    array = np.asarray(array)
    if array.dtype.kind == "f":
        return tf.constant(array, dtype=dtype)
    if array.dtype.kind in "iu":
        return tf.constant(array.astype(np.int32))
    return tf.constant(array)


def resolve(case: Case, spec, tensors: dict):
    """An argument spec: an array key (str) or ``{"value": literal}``."""
    if isinstance(spec, dict):
        return spec["value"]
    return tensors[spec]


def upstream_like(value, dtype: str, seed: int):
    """A fixed random upstream gradient shaped like ``value``."""
    import tensorflow as tf

    from rnnlab.cases import round_to

    shape = tuple(value.shape)
    values = np.random.default_rng(seed).standard_normal(shape)
    if _TRUTH_OF.get() is not None:
        values = round_to(values, _TRUTH_OF.get())
    return tf.constant(values, dtype=dtype)


def split_outputs(result, names: list[str], what: str) -> dict:
    """Names the values a function returned; checks how many there are."""
    if len(names) == 1:
        if isinstance(result, (tuple, list)) and len(result) == 1:
            result = result[0]
        if isinstance(result, (tuple, list)):
            raise ProbeError(f"{what} should return one value ({names[0]}), got a "
                             f"{type(result).__name__} of {len(result)}")
        return {names[0]: result}
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        got = (f"{len(result)} values" if isinstance(result, (tuple, list))
               else f"one {type(result).__name__}")
        raise ProbeError(f"{what} should return {len(names)} values ({', '.join(names)}), "
                         f"got {got}")
    return dict(zip(names, result))


def is_float(value) -> bool:
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return False
    if hasattr(dtype, "is_floating"):
        return bool(dtype.is_floating)
    try:
        return np.dtype(dtype).kind == "f"
    except TypeError:
        return False


def gradients_of(tape, outputs: dict, sources: dict, dtype: str, seed: int, of=None) -> dict:
    """Gradients of ``sum(out * upstream)`` over float outputs w.r.t. ``sources``."""
    import tensorflow as tf

    with tape:
        loss = tf.constant(0.0, dtype=dtype)
        for i, key in enumerate(sorted(outputs)):
            value = outputs[key]
            if (of is not None and key not in of) or not is_float(value):
                continue
            value = tf.convert_to_tensor(value)
            loss = loss + tf.reduce_sum(tf.cast(value, dtype) * upstream_like(value, dtype, seed + i))
    names = list(sources)
    # A keras.Variable's dtype is a string, of which UnconnectedGradients.ZERO cannot make
    # zeros (a weight the code never uses would raise): differentiate its tf.Variable.
    import keras

    grads = tape.gradient(loss, [sources[n].value if isinstance(sources[n], keras.Variable)
                                 else sources[n] for n in names],
                          unconnected_gradients=tf.UnconnectedGradients.ZERO)
    # A lookup (tf.gather, an embedding) gives sparse IndexedSlices: compare them densely.
    grads = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in grads]
    return {f"d{n}": g for n, g in zip(names, grads)}


# ---------------------------------------------------------------------------------------------
# Generic probes.


@probe("call")
def call_probe(namespace: Mapping, case: Case) -> dict:
    """Calls a function; optionally differentiates it with ``tf.GradientTape``.

    Params:
        fn: the function's name. args: argument specs. kwargs: keyword argument specs.
        outputs: names of the returned values. grad_wrt: input keys to differentiate w.r.t.
        grad_of: output names that receive an upstream gradient (default: all float outputs).
        upstream_seed: seed of the random upstream gradients.
    """
    import tensorflow as tf

    p = case.params
    fn = lookup(namespace, p["fn"])
    tensors = {k: as_tensor(v, case.dtype) for k, v in case.arrays.items()}
    grad_wrt = p.get("grad_wrt", [])
    sources = {k: tf.Variable(tensors[k]) for k in grad_wrt}
    with tf.GradientTape(persistent=False) as tape:
        for k in grad_wrt:
            tensors[k] = tf.identity(sources[k])
        args = [resolve(case, s, tensors) for s in p.get("args", [])]
        kwargs = {k: resolve(case, s, tensors) for k, s in p.get("kwargs", {}).items()}
        result = fn(*args, **kwargs)
        outputs = split_outputs(result, p["outputs"], f"{p['fn']}()")
    if grad_wrt:
        grads = gradients_of(tape, outputs, sources, case.dtype, p.get("upstream_seed", 0),
                             p.get("grad_of"))
        outputs.update(grads)
    return outputs


def assign_weights(layer, weights: dict[str, np.ndarray], dtype: str, what: str):
    """Sets a built layer's weights by name (the last part of ``variable.path``)."""
    by_name = {}
    for var in layer.weights:
        by_name.setdefault(var.path.split("/")[-1], []).append(var)
        by_name.setdefault(var.path, []).append(var)
    expected = sorted(weights)
    for key, value in weights.items():
        matches = [v for v in layer.weights if v.path == key or v.path.endswith("/" + key)]
        if len(matches) != 1:
            names = sorted(v.path for v in layer.weights)
            raise ProbeError(f"{what}: expected one weight named {key!r}, found {len(matches)} "
                             f"(its weights: {', '.join(names) or 'none'})")
        var = matches[0]
        if tuple(var.shape) != tuple(np.shape(value)):
            raise ProbeError(f"{what}: weight {key!r} should have shape {tuple(np.shape(value))}, "
                             f"got {tuple(var.shape)}")
        var.assign(np.asarray(value, dtype=dtype))
    known = {v.path for v in layer.weights
             if any(v.path == k or v.path.endswith("/" + k) for k in expected)}
    extra = [v.path for v in layer.trainable_weights if v.path not in known]
    if extra:
        raise ProbeError(f"{what}: has weights the test does not set: {', '.join(extra)} "
                         f"(expected exactly: {', '.join(expected)})")


@probe("layer")
def layer_probe(namespace: Mapping, case: Case) -> dict:
    """Builds a Keras layer with given weights, calls it, and differentiates the output.

    Params:
        layer: the class name. config: constructor keyword arguments. weights: weight name ->
        array key. inputs: call argument specs. call_kwargs: keyword specs. outputs: names of
        the returned values. grad_inputs: input keys to differentiate w.r.t. (gradients w.r.t.
        every weight are always returned as ``d<weight>``). upstream_seed.
    """
    import tensorflow as tf

    p = case.params
    cls = lookup(namespace, p["layer"])
    what = p["layer"]
    layer = cls(**p.get("config", {}), dtype=case.dtype)
    tensors = {k: as_tensor(v, case.dtype) for k, v in case.arrays.items()}
    args = [resolve(case, s, tensors) for s in p.get("inputs", [])]
    kwargs = {k: resolve(case, s, tensors) for k, s in p.get("call_kwargs", {}).items()}
    layer(*args, **kwargs)  # builds the weights
    weights = {k: case.arrays[v] for k, v in p["weights"].items()}
    assign_weights(layer, weights, case.dtype, what)
    grad_inputs = p.get("grad_inputs", [])
    sources = {k: tf.Variable(tensors[k]) for k in grad_inputs}
    with tf.GradientTape() as tape:
        for k in grad_inputs:
            tensors[k] = tf.identity(sources[k])
        args = [resolve(case, s, tensors) for s in p.get("inputs", [])]
        kwargs = {k: resolve(case, s, tensors) for k, s in p.get("call_kwargs", {}).items()}
        result = layer(*args, **kwargs)
        outputs = split_outputs(result, p["outputs"], f"{what}.call()")
    weight_vars = {}
    for key in p["weights"]:
        (var,) = [v for v in layer.weights if v.path == key or v.path.endswith("/" + key)]
        if var.trainable:
            weight_vars[key] = var
    grads = gradients_of(tape, outputs, {**sources, **weight_vars}, case.dtype,
                         p.get("upstream_seed", 0))
    outputs.update(grads)
    return outputs


@probe("layer_init")
def layer_init_probe(namespace: Mapping, case: Case) -> dict:
    """Builds a fresh Keras layer and reports what its initializers must make of its weights.

    Only properties that do not depend on the random draw are returned, so they compare
    exactly with the reference: ``<name>`` for weights whose initial value is fixed (zeros, a
    forget-gate bias of ones) and ``<name>_gram`` = ``W @ W.T`` for weights that must start
    orthogonal (the identity whatever the seed).

    Params:
        layer: the class name. config: constructor keyword arguments. inputs: call argument
        specs (the call builds the weights). fixed: weight names returned as they are.
        orthogonal: weight names returned as Gram matrices.
    """
    import keras

    p = case.params
    cls = lookup(namespace, p["layer"])
    keras.utils.set_random_seed(p.get("seed", 0))
    layer = cls(**p.get("config", {}), dtype=case.dtype)
    tensors = {k: as_tensor(v, case.dtype) for k, v in case.arrays.items()}
    layer(*[resolve(case, s, tensors) for s in p.get("inputs", [])])
    outputs = {}
    for name in [*p.get("fixed", []), *p.get("orthogonal", [])]:
        matches = [v for v in layer.weights if v.path == name or v.path.endswith("/" + name)]
        if len(matches) != 1:
            names = sorted(v.path for v in layer.weights)
            raise ProbeError(f"{p['layer']}: expected one weight named {name!r}, found "
                             f"{len(matches)} (its weights: {', '.join(names) or 'none'})")
        value = np.asarray(matches[0].numpy())
        if name in p.get("orthogonal", []):
            outputs[f"{name}_gram"] = value @ value.T
        else:
            outputs[name] = value
    return outputs
