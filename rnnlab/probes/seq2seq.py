"""Probes of the ``seq2seq`` assignment: its layers on given weights, and the units that drive a
model (the loss, the training step, greedy decoding, beam search) on small stand-in models.

Layers (``Encoder``, ``Decoder``, the attention scores, ``AttentionDecoder.step``) are built
from the student's classes, set to the case's weights by name (see
:func:`rnnlab.probes.assign_weights`; nested cells are addressed by path suffixes such as
``"cell/kernel"``) and differentiated w.r.t. their inputs and every weight.

The loss, the training step and the decoders are graded on *toy* models defined here: a
running-sum encoder, a tanh decoder with a step counter that makes `<END>` likelier as it goes,
and a sigmoid-weighted attention. They have the interfaces the notebook's models have
(``encoder(source)``, ``decoder.initial_state(...)``, ``decoder(target_in, state)``,
``decoder.step(tokens, state)``, ``attention(query, keys, source_mask)``) but none of their
math, so grading a unit on them keeps it independent of the student's other units (a bug in
``Encoder`` costs ``encoder`` only) and reveals nothing of the solution.

The toys look their embeddings up with a one-hot product rather than ``tf.gather``: the values
are the same (bit for bit), but the gradients are dense tensors instead of ``tf.IndexedSlices``.
An ``IndexedSlices`` holds one row per lookup, and ``tf.clip_by_global_norm`` counts the rows of
a repeated token separately, so its norm differs from that of the actual (dense) gradient
whenever a batch repeats a token (every target starts with `<START>`). With dense gradients
every correct way of clipping by the global norm gives the training step's expected values.
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
    quiet_retracing,
    split_outputs,
)

# Token ids every vocabulary of the course starts with.
NULL_ID, START_ID, END_ID = 0, 1, 2

# Weight names of the toy models, as the cases name their arrays.
TOY_ENCODER_WEIGHTS = ("source_embedding",)
TOY_DECODER_WEIGHTS = ("target_embedding", "Wh", "Wo", "bo")


# ---------------------------------------------------------------------------------------------
# Toy models.


def _toy_classes():
    """The toy model classes (defined lazily: importing Keras is slow)."""
    import keras
    import tensorflow as tf

    def lookup_rows(table, ids):
        """``table[ids]`` as a one-hot product: the same values as ``tf.gather``, and a dense
        gradient (see the module docstring)."""
        one_hot = tf.one_hot(ids, tf.shape(table)[0], dtype=table.dtype)
        return tf.einsum("...v,vh->...h", one_hot, table)

    class ToyEncoder(keras.layers.Layer):
        """A running sum of embeddings through tanh: no gates, nothing learned but `E`.

        Call arguments:
            source: token ids `(N, T)`.

        Returns:
            states `(N, T, H)` (``tanh`` of the running sum), ``h`` `(N, H)` (the last state)
            and ``c`` `(N, H)` (``tanh`` of the mean embedding).
        """

        def __init__(self, vocab_size, hidden_dim, **kwargs):
            super().__init__(**kwargs)
            self.source_embedding = self.add_weight(shape=(vocab_size, hidden_dim),
                                                    name="source_embedding")

        def call(self, source):
            x = lookup_rows(self.source_embedding, source)  # (N, T, H)
            states = tf.tanh(tf.cumsum(x, axis=1))
            return states, states[:, -1], tf.tanh(tf.reduce_mean(x, axis=1))

    class ToyDecoder(keras.layers.Layer):
        """A tanh recurrence that reads a masked mean of the encoder states at every step.

        The state is a dict: ``h`` `(N, H)`, ``encoder_states`` `(N, T, H)`, ``source_mask``
        `(N, T)` and ``t`` `(N,)` (steps taken, which raises the `<END>` score by
        ``end_bias`` per step).
        """

        def __init__(self, vocab_size, hidden_dim, end_bias=0.0, **kwargs):
            super().__init__(**kwargs)
            self.end_bias = end_bias
            self.target_embedding = self.add_weight(shape=(vocab_size, hidden_dim),
                                                    name="target_embedding")
            self.Wh = self.add_weight(shape=(hidden_dim, hidden_dim), name="Wh")
            self.Wo = self.add_weight(shape=(hidden_dim, vocab_size), name="Wo")
            self.bo = self.add_weight(shape=(vocab_size,), name="bo")

        def initial_state(self, encoder_states, h, c, source_mask):
            return {"h": h + 0.5 * c, "encoder_states": encoder_states,
                    "source_mask": source_mask, "t": tf.zeros(tf.shape(h)[:1], h.dtype)}

        def step(self, tokens, state):
            # As strict as a real recurrent cell: one token per state, no broadcasting.
            tf.debugging.assert_rank(tokens, 1, message="decoder.step(): tokens should be (N,)")
            tf.debugging.assert_equal(
                tf.shape(tokens)[0], tf.shape(state["h"])[0],
                message="decoder.step(): one token per state row expected (tokens and state "
                        "batch sizes differ)")
            mask = tf.cast(state["source_mask"], state["h"].dtype)[:, :, None]
            memory = (tf.reduce_sum(state["encoder_states"] * mask, axis=1)
                      / tf.maximum(tf.reduce_sum(mask, axis=1), 1))
            h = tf.tanh(lookup_rows(self.target_embedding, tokens) + state["h"] @ self.Wh
                        + memory)
            end = tf.one_hot(END_ID, self.Wo.shape[1], dtype=h.dtype)
            logits = h @ self.Wo + self.bo + self.end_bias * (state["t"] + 1)[:, None] * end
            return logits, {**state, "h": h, "t": state["t"] + 1}

        def call(self, target_in, state):
            logits = []
            for t in range(target_in.shape[1]):
                step_logits, state = self.step(target_in[:, t], state)
                logits.append(step_logits)
            return tf.stack(logits, axis=1)

    class ToyAttention(keras.layers.Layer):
        """Sigmoid-gated averaging: weights ``mask * sigmoid(keys . tanh(query))``, normalised.

        Call arguments: query `(N, H)`, keys `(N, T, H)`, source_mask `(N, T)`.
        Returns ``(context (N, H), weights (N, T))``.
        """

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.built = True

        def call(self, query, keys, source_mask):
            gate = tf.sigmoid(tf.reduce_sum(keys * tf.tanh(query)[:, None, :], axis=-1))
            gate = gate * tf.cast(source_mask, gate.dtype)
            weights = gate / tf.reduce_sum(gate, axis=1, keepdims=True)
            return tf.reduce_sum(weights[:, :, None] * keys, axis=1), weights

    return ToyEncoder, ToyDecoder, ToyAttention


def toy_encoder(case: Case):
    """A :class:`ToyEncoder` in the case's dtype with the case's ``source_embedding``."""
    ToyEncoder, _, _ = _toy_classes()
    V, H = case.arrays["source_embedding"].shape
    encoder = ToyEncoder(V, H, dtype=case.dtype)
    encoder.source_embedding.assign(np.asarray(case.arrays["source_embedding"], case.dtype))
    return encoder


def toy_decoder(case: Case):
    """A :class:`ToyDecoder` in the case's dtype with the case's weights."""
    _, ToyDecoder, _ = _toy_classes()
    V, H = case.arrays["target_embedding"].shape
    decoder = ToyDecoder(V, H, end_bias=case.params.get("end_bias", 0.0), dtype=case.dtype)
    for name in TOY_DECODER_WEIGHTS:
        getattr(decoder, name).assign(np.asarray(case.arrays[name], case.dtype))
    return decoder


def toy_start_state(case: Case, decoder):
    """The toy decoder's initial state from the case's ``h``, ``c``, ``encoder_states`` and
    ``source_mask``."""
    t = {k: as_tensor(case.arrays[k], case.dtype)
         for k in ("h", "c", "encoder_states", "source_mask")}
    return decoder.initial_state(t["encoder_states"], t["h"], t["c"], t["source_mask"])


def _toy_weights(encoder, decoder) -> dict:
    out = {name: getattr(encoder, name) for name in TOY_ENCODER_WEIGHTS}
    out.update({name: getattr(decoder, name) for name in TOY_DECODER_WEIGHTS})
    return out


def toy_training_loss(encoder, decoder, source, target):
    """The loss the training-step cases train the toy models on (not the notebook's loss)."""
    import tensorflow as tf

    states, h, c = encoder(source)
    logits = decoder(target, decoder.initial_state(states, h, c, tf.not_equal(source, NULL_ID)))
    n = tf.cast(tf.shape(source)[0], logits.dtype)
    return tf.reduce_sum(tf.sin(logits) + 0.1 * logits**2) / n


# ---------------------------------------------------------------------------------------------
# Layers on given weights.


def _dense(grads: dict) -> dict:
    """Gradients as dense tensors (an embedding's gradient comes as ``tf.IndexedSlices``)."""
    import tensorflow as tf

    return {k: tf.convert_to_tensor(g) for k, g in grads.items()}


def _build_layer(namespace: Mapping, case: Case, **extra):
    """The student's layer ``params.layer(**config, **extra)``, built and set to the weights.

    The layer is built with ``layer.build(*params.build_shapes)`` (its ``build`` is given in
    the notebook), so no student method has to run before the weights are set. Probes then
    call ``layer.call`` (not ``layer(...)``): Keras's ``__call__`` would wrap a student's
    exception in a long message of its own, hiding, for example, that a stub is not
    implemented yet.
    """
    p = case.params
    cls = lookup(namespace, p["layer"])
    layer = cls(**p.get("config", {}), **extra, dtype=case.dtype)
    shapes = [None if s is None else tuple(s) for s in p.get("build_shapes", [])]
    layer.build(*shapes)
    weights = {k: case.arrays[v] for k, v in p["weights"].items()}
    assign_weights(layer, weights, case.dtype, p["layer"])
    return layer


def _weight_variables(layer, case: Case) -> dict:
    found = {}
    for key in case.params["weights"]:
        (var,) = [v for v in layer.weights if v.path == key or v.path.endswith("/" + key)]
        found[key] = var
    return found


def _watched(case: Case, keys) -> tuple[dict, dict]:
    """Tensors of the case's arrays, and variables for the ``keys`` to differentiate w.r.t."""
    import tensorflow as tf

    tensors = {k: as_tensor(v, case.dtype) for k, v in case.arrays.items()
               if not k.startswith("w:")}
    sources = {k: tf.Variable(tensors[k]) for k in keys}
    return tensors, sources


def _state_dict(value, keys: tuple[str, ...], what: str) -> dict:
    if not isinstance(value, Mapping):
        raise ProbeError(f"{what} should return the new state as a dict, got "
                         f"{type(value).__name__}")
    missing = [k for k in keys if k not in value]
    if missing:
        raise ProbeError(f"{what}: the new state lacks {', '.join(missing)} "
                         f"(it has: {', '.join(sorted(value))})")
    return value


@probe("seq2seq.encoder")
def encoder_probe(namespace: Mapping, case: Case) -> dict:
    """``Encoder(**config)(source) -> (states, h, c)`` on given weights, with gradients.

    Also grades ``BidirectionalEncoder`` (``params.layer``), which has the same interface.
    Params: layer, config, build_shapes, weights, upstream_seed. Arrays: ``source`` and the
    weights. Returns ``states``, ``h``, ``c`` and ``d<weight>`` for every weight.
    """
    import tensorflow as tf

    layer = _build_layer(namespace, case)
    source = as_tensor(case.arrays["source"], case.dtype)
    weights = _weight_variables(layer, case)
    with tf.GradientTape() as tape:
        outputs = split_outputs(layer.call(source), ["states", "h", "c"],
                                f"{case.params['layer']}.call()")
    outputs.update(_dense(gradients_of(tape, outputs, weights, case.dtype,
                                       case.params.get("upstream_seed", 0))))
    return outputs


@probe("seq2seq.decoder")
def decoder_probe(namespace: Mapping, case: Case) -> dict:
    """``Decoder``: one ``step`` and a teacher-forced ``call`` on given weights.

    Arrays: ``tokens`` `(N,)`, ``target_in`` `(N, T)`, ``h0``, ``c0`` `(N, H)` and the
    weights. Returns ``step_logits``, ``step_h``, ``step_c`` (from
    ``step(tokens, {"h": h0, "c": c0})``), ``logits`` (from ``decoder(target_in, state)``) and
    the gradients of all of them w.r.t. ``h0``, ``c0`` and every weight.
    """
    import tensorflow as tf

    layer = _build_layer(namespace, case)
    tensors, sources = _watched(case, ["h0", "c0"])
    weights = _weight_variables(layer, case)
    with tf.GradientTape() as tape:
        h0, c0 = tf.identity(sources["h0"]), tf.identity(sources["c0"])
        step = split_outputs(layer.step(tensors["tokens"], {"h": h0, "c": c0}),
                             ["logits", "state"], "Decoder.step()")
        state = _state_dict(step["state"], ("h", "c"), "Decoder.step()")
        outputs = {"step_logits": step["logits"], "step_h": state["h"], "step_c": state["c"]}
        outputs["logits"] = layer.call(tensors["target_in"], {"h": h0, "c": c0})
    outputs.update(_dense(gradients_of(tape, outputs, {**sources, **weights}, case.dtype,
                                       case.params.get("upstream_seed", 0))))
    return outputs


@probe("seq2seq.attention_scores")
def attention_scores_probe(namespace: Mapping, case: Case) -> dict:
    """``layer.score(query, keys) -> scores (N, T)`` of an attention layer on given weights.

    Arrays: ``query`` `(N, H)`, ``keys`` `(N, T, H)` and the weights. Returns ``scores`` and
    its gradients w.r.t. ``query``, ``keys`` and every weight.
    """
    import tensorflow as tf

    layer = _build_layer(namespace, case)
    _, sources = _watched(case, ["query", "keys"])
    weights = _weight_variables(layer, case)
    with tf.GradientTape() as tape:
        scores = layer.score(tf.identity(sources["query"]), tf.identity(sources["keys"]))
        outputs = split_outputs(scores, ["scores"], f"{case.params['layer']}.score()")
    outputs.update(_dense(gradients_of(tape, outputs, {**sources, **weights}, case.dtype,
                                       case.params.get("upstream_seed", 0))))
    return outputs


@probe("seq2seq.attention_decoder_step")
def attention_decoder_step_probe(namespace: Mapping, case: Case) -> dict:
    """``AttentionDecoder.step(tokens, state)`` with a toy attention, on given weights.

    Arrays: ``tokens`` `(N,)`, ``h``, ``c`` `(N, H)`, ``encoder_states`` `(N, T, H)`,
    ``source_mask`` `(N, T)` and the weights. The state is the dict ``initial_state`` makes
    (given in the notebook). Returns ``logits``, the new ``h``, ``c`` and ``attention``, and
    the gradients w.r.t. ``h``, ``c``, ``encoder_states`` and every weight.
    """
    import tensorflow as tf

    _, _, ToyAttention = _toy_classes()
    layer = _build_layer(namespace, case, attention=ToyAttention(dtype=case.dtype))
    tensors, sources = _watched(case, ["h", "c", "encoder_states"])
    weights = _weight_variables(layer, case)
    with tf.GradientTape() as tape:
        h, c, states = (tf.identity(sources[k]) for k in ("h", "c", "encoder_states"))
        state = layer.initial_state(states, h, c, tensors["source_mask"])
        step = split_outputs(layer.step(tensors["tokens"], state), ["logits", "state"],
                             "AttentionDecoder.step()")
        new_state = _state_dict(step["state"], ("h", "c", "attention"), "AttentionDecoder.step()")
        outputs = {"logits": step["logits"], "h": new_state["h"], "c": new_state["c"],
                   "attention": new_state["attention"]}
    outputs.update(_dense(gradients_of(tape, outputs, {**sources, **weights}, case.dtype,
                                       case.params.get("upstream_seed", 0))))
    return outputs


# ---------------------------------------------------------------------------------------------
# Units that drive a model, on the toy models.


@probe("seq2seq.loss")
def loss_probe(namespace: Mapping, case: Case) -> dict:
    """``seq2seq_loss(encoder, decoder, source, target)`` on the toy models.

    Arrays: ``source`` `(N, Ts)`, ``target`` `(N, Tt)` and the toy weights. Returns ``loss``
    and its gradient w.r.t. every toy weight (``d<name>``).
    """
    import tensorflow as tf

    fn = lookup(namespace, "seq2seq_loss")
    encoder, decoder = toy_encoder(case), toy_decoder(case)
    source = as_tensor(case.arrays["source"], case.dtype)
    target = as_tensor(case.arrays["target"], case.dtype)
    with tf.GradientTape() as tape:
        outputs = split_outputs(fn(encoder, decoder, source, target), ["loss"],
                                "seq2seq_loss()")
    outputs.update(gradients_of(tape, outputs, _toy_weights(encoder, decoder), case.dtype,
                                case.params.get("upstream_seed", 0)))
    return _dense(outputs)


@probe("seq2seq.train_step")
def train_step_probe(namespace: Mapping, case: Case) -> dict:
    """``make_train_step(encoder, decoder, optimizer, loss_fn, clip_norm)`` run on batches.

    The toy models are trained with SGD (clipping shows in its updates, unlike Adam's) on
    :func:`toy_training_loss`, one step per batch. Params: learning_rate, momentum,
    clip_norm. Arrays: ``sources`` `(S, N, Ts)`, ``targets`` `(S, N, Tt)` and the toy weights.
    Returns the ``loss`` and ``grad_norm`` of every step `(S,)` and every weight afterwards.
    """
    import keras

    fn = lookup(namespace, "make_train_step")
    p = case.params
    encoder, decoder = toy_encoder(case), toy_decoder(case)
    optimizer = keras.optimizers.SGD(learning_rate=p["learning_rate"], momentum=p["momentum"])
    step = fn(encoder, decoder, optimizer, toy_training_loss, p["clip_norm"])
    if not callable(getattr(step, "get_concrete_function", None)):
        raise ProbeError("make_train_step() should return a tf.function (decorate the "
                         f"training step with @tf.function), got {type(step).__name__}")
    losses, norms = [], []
    with quiet_retracing():
        for source, target in zip(case.arrays["sources"], case.arrays["targets"]):
            result = step(as_tensor(source, case.dtype), as_tensor(target, case.dtype))
            if not isinstance(result, Mapping) or not {"loss", "grad_norm"} <= set(result):
                got = sorted(result) if isinstance(result, Mapping) else type(result).__name__
                raise ProbeError(f"the training step should return a dict with 'loss' and "
                                 f"'grad_norm', got {got}")
            losses.append(np.asarray(result["loss"]))
            norms.append(np.asarray(result["grad_norm"]))
    out = {"loss": np.stack(losses), "grad_norm": np.stack(norms)}
    out.update({k: v.value for k, v in _toy_weights(encoder, decoder).items()})
    return out


@probe("seq2seq.greedy")
def greedy_probe(namespace: Mapping, case: Case) -> dict:
    """``greedy_decode(decoder, state, max_length) -> tokens (N, max_length)`` on the toy
    decoder. Params: max_length, end_bias. Arrays: the toy decoder's weights and start state."""
    fn = lookup(namespace, "greedy_decode")
    decoder = toy_decoder(case)
    tokens = fn(decoder, toy_start_state(case, decoder), case.params["max_length"])
    return split_outputs(tokens, ["tokens"], "greedy_decode()")


@probe("seq2seq.beam")
def beam_probe(namespace: Mapping, case: Case) -> dict:
    """``beam_search(decoder, state, beam_width, max_length, alpha)`` on the toy decoder.

    Params: beam_width, max_length, alpha, end_bias. Arrays: the toy decoder's weights and
    start state. Returns ``tokens`` `(N, K, max_length)` and ``scores`` `(N, K)`.
    """
    fn = lookup(namespace, "beam_search")
    p = case.params
    decoder = toy_decoder(case)
    result = fn(decoder, toy_start_state(case, decoder), p["beam_width"], p["max_length"],
                alpha=p["alpha"])
    return split_outputs(result, ["tokens", "scores"], "beam_search()")
