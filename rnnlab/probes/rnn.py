"""Probes of the ``rnn`` assignment: sampling, training steps, truncated BPTT, config round trips.

``sample``, ``train_step`` and ``train_tbptt`` take a character model; the probes give them
:class:`KerasCharModel`, a model with ``CharRNN``'s call signature built from Keras's own
layers and set to fixed weights. Grading them on it keeps those units independent of the
student's ``CharRNN`` (a bug there costs ``CharRNN`` only) and reveals nothing a student
could not read in Keras itself.

Its ``Embedding`` gives its gradient as a ``tf.IndexedSlices``, one row per lookup, as
``CharRNN``'s ``tf.gather`` does. ``tf.clip_by_global_norm`` counts those rows separately, the
norm of the dense gradient adds a repeated id's rows up first: the training cases therefore
never repeat an input id within an update whose norm matters (a returned ``grad_norm``, a
clipped step), so that both ways of clipping give the expected values.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rnnlab.cases import Case
from rnnlab.probes import ProbeError, as_tensor, assign_weights, lookup, probe, split_outputs

# The character model's weights, by the names CharRNN gives them.
CHAR_MODEL_WEIGHTS = ("W_embed", "Wx", "Wh", "b", "W_out", "b_out")


def _keras_char_model_class():
    import keras
    import tensorflow as tf

    class KerasCharModel(keras.Model):
        """Embedding, ``SimpleRNN`` and ``Dense``: CharRNN's math and call signature.

        Args:
            vocab_size: `V`. embedding_size: `W`. hidden_size: `H`.

        Call arguments:
            ids: `(N, T)` integers. initial_state: `(N, H)` or None (zeros).
            return_state: whether to return `(scores, final_state)`. training: unused.
        """

        def __init__(self, vocab_size, embedding_size, hidden_size, **kwargs):
            super().__init__(**kwargs)
            self.hidden_size = hidden_size
            self.embedding = keras.layers.Embedding(vocab_size, embedding_size,
                                                    dtype=self.dtype_policy)
            self.rnn = keras.layers.SimpleRNN(hidden_size, return_sequences=True,
                                              return_state=True, unroll=True,
                                              dtype=self.dtype_policy)
            self.out = keras.layers.Dense(vocab_size, dtype=self.dtype_policy)

        def call(self, ids, initial_state=None, return_state=False, training=False):
            x = self.embedding(ids)
            zeros = tf.zeros((tf.shape(ids)[0], self.hidden_size), x.dtype)
            h, final_state = self.rnn(x, initial_state=[zeros if initial_state is None
                                                        else initial_state])
            scores = self.out(h)
            return (scores, final_state) if return_state else scores

        def named_weights(self) -> dict:
            """The weights under CharRNN's names."""
            cell = self.rnn.cell
            return {"W_embed": self.embedding.embeddings, "Wx": cell.kernel,
                    "Wh": cell.recurrent_kernel, "b": cell.bias, "W_out": self.out.kernel,
                    "b_out": self.out.bias}

    return KerasCharModel


def char_model(case: Case):
    """A built :class:`KerasCharModel` in the case's dtype, weights from the case's arrays."""
    V, W = case.arrays["W_embed"].shape
    H = case.arrays["Wh"].shape[0]
    model = _keras_char_model_class()(V, W, H, dtype=case.dtype)
    model(as_tensor(np.zeros((1, 1), np.int32), case.dtype))
    for name, var in model.named_weights().items():
        var.assign(np.asarray(case.arrays[name], dtype=case.dtype))
    return model


def sgd_optimizer(model, case: Case):
    """Plain SGD (clipping shows in its update, unlike Adam's), built for the model."""
    import keras

    optimizer = keras.optimizers.SGD(learning_rate=case.params["learning_rate"])
    optimizer.build(model.trainable_variables)
    return optimizer


def _weights_after(model) -> dict:
    return {name: var for name, var in model.named_weights().items()}


@probe("rnn.sample")
def sample_probe(namespace: Mapping, case: Case) -> dict:
    """``sample(model, prefix, length, temperature, seed)`` on a fixed-weight model.

    Params: length, temperature, seed. Arrays: the model's weights and ``prefix``.
    """
    fn = lookup(namespace, "sample")
    p = case.params
    model = char_model(case)
    prefix = as_tensor(case.arrays["prefix"], case.dtype)
    ids = fn(model, prefix, p["length"], temperature=p["temperature"], seed=p["seed"])
    return split_outputs(ids, ["ids"], "sample()")


@probe("rnn.train_step")
def train_step_probe(namespace: Mapping, case: Case) -> dict:
    """One ``train_step(model, optimizer, inputs, targets, mask, max_norm)`` with SGD.

    Params: learning_rate, max_norm. Arrays: the model's weights, ``inputs``, ``targets``,
    ``mask``. Returns the loss, the gradient norm and every weight after the update.
    """
    fn = lookup(namespace, "train_step")
    model = char_model(case)
    optimizer = sgd_optimizer(model, case)
    t = {k: as_tensor(case.arrays[k], case.dtype) for k in ("inputs", "targets", "mask")}
    result = fn(model, optimizer, t["inputs"], t["targets"], t["mask"], case.params["max_norm"])
    out = split_outputs(result, ["loss", "grad_norm"], "train_step()")
    out.update(_weights_after(model))
    return out


@probe("rnn.train_tbptt")
def train_tbptt_probe(namespace: Mapping, case: Case) -> dict:
    """``train_tbptt(model, optimizer, stream, h0, k, max_norm)`` with SGD.

    Params: k, learning_rate, max_norm. Arrays: the model's weights, ``stream``, ``h0``.
    Returns the per-chunk losses and carried states and every weight after the last chunk.
    """
    fn = lookup(namespace, "train_tbptt")
    p = case.params
    model = char_model(case)
    optimizer = sgd_optimizer(model, case)
    stream = as_tensor(case.arrays["stream"], case.dtype)
    h0 = as_tensor(case.arrays["h0"], case.dtype)
    result = fn(model, optimizer, stream, h0, p["k"], p["max_norm"])
    out = split_outputs(result, ["losses", "states"], "train_tbptt()")
    out.update(_weights_after(model))
    return out


@probe("rnn.config_roundtrip")
def config_roundtrip_probe(namespace: Mapping, case: Case) -> dict:
    """Rebuilds a layer from its ``get_config()`` and checks it computes the same.

    Params: layer (class name), config, weights (weight name -> array key), inputs (array
    keys), config_keys (constructor arguments the config must hold). Returns the rebuilt
    layer's output as ``out`` and each config key's value as ``config:<key>``.
    """
    p = case.params
    cls = lookup(namespace, p["layer"])
    what = p["layer"]
    original = cls(**p["config"], dtype=case.dtype)
    config = original.get_config()
    if not isinstance(config, dict):
        raise ProbeError(f"{what}.get_config() should return a dict, got {type(config).__name__}")
    missing = [k for k in p["config_keys"] if k not in config]
    if missing:
        raise ProbeError(f"{what}.get_config() lacks {', '.join(missing)} "
                         f"(it has: {', '.join(sorted(config))})")
    rebuilt = cls.from_config(config)
    args = [as_tensor(case.arrays[k], case.dtype) for k in p["inputs"]]
    rebuilt(*args)
    assign_weights(rebuilt, {k: case.arrays[v] for k, v in p["weights"].items()}, case.dtype,
                   f"{what}.from_config(...)")
    out = {"out": rebuilt(*args)}
    for key in p["config_keys"]:
        value = config[key]
        out[f"config:{key}"] = np.asarray(value, dtype=np.int64)
    return out
