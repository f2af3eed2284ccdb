"""Hidden tests of the ``seq2seq`` assignment.

Layers are graded on seeded weights set by name (the Keras cells inside ``Encoder`` and the
decoders by path suffixes such as ``"cell/kernel"``), with gradients w.r.t. their inputs and
every weight. The loss, the training step and the two decoding algorithms are graded on the
toy models of :mod:`rnnlab.probes.seq2seq`, so each of those units depends on nothing else the
student wrote. Token sequences follow the dataset: `<NULL>` is 0 (padding, always at the end),
`<START>` 1, `<END>` 2, and real tokens are ids 3 and up.
"""

from __future__ import annotations

import numpy as np

from autograder.specs import Unit
from autograder.specs.case_builders import DTYPES, call_cases
from rnnlab.cases import Case, seeded_integers, seeded_normal

NULL_ID, START_ID, END_ID = 0, 1, 2

# ---------------------------------------------------------------------------------------------
# Inputs.


def _padded_ids(seed: int, V: int, lengths: list[int], T: int) -> np.ndarray:
    """Token ids in ``[3, V)``, row ``n`` real for its first ``lengths[n]`` steps, then
    `<NULL>`."""
    ids = seeded_integers(seed, 3, V, (len(lengths), T))
    for n, length in enumerate(lengths):
        ids[n, length:] = NULL_ID
    return ids


def _targets(seed: int, V: int, lengths: list[int], T: int) -> np.ndarray:
    """`<START>`, ``lengths[n]`` tokens, `<END>`, then `<NULL>` up to ``T``."""
    ids = np.full((len(lengths), T), NULL_ID, np.int32)
    body = seeded_integers(seed, 3, V, (len(lengths), T))
    for n, length in enumerate(lengths):
        ids[n, 0] = START_ID
        ids[n, 1:length + 1] = body[n, :length]
        ids[n, length + 1] = END_ID
    return ids


def _mask(lengths: list[int], T: int) -> np.ndarray:
    return np.arange(T)[None, :] < np.asarray(lengths)[:, None]


def _lstm_weights(prefix: str, D: int, H: int, seed: int) -> dict:
    """A Keras ``LSTMCell``'s weights under ``prefix`` (gates i, f, c, o along 4H)."""
    return {f"{prefix}/kernel": seeded_normal(seed, (D, 4 * H), 0.5),
            f"{prefix}/recurrent_kernel": seeded_normal(seed + 1, (H, 4 * H), 0.5),
            f"{prefix}/bias": seeded_normal(seed + 2, (4 * H,), 0.3)}


def _layer_cases(unit: str, probe: str, layer: str, config: dict, weights: dict,
                 inputs: dict, *, label: str, build_shapes=(), dtypes=DTYPES,
                 upstream_seed: int = 0) -> list[Case]:
    """Cases of a probe that builds ``layer(**config)`` and sets its weights by name."""
    arrays = dict(inputs)
    arrays.update({"w:" + name: value for name, value in weights.items()})
    return [
        Case(unit, f"{label}, {dtype}", probe, arrays,
             {"layer": layer, "config": config, "build_shapes": [list(s) for s in build_shapes],
              "weights": {name: "w:" + name for name in weights}, "dtype": dtype,
              "upstream_seed": upstream_seed})
        for dtype in dtypes
    ]


def _toy_weights(V: int, H: int, seed: int) -> dict:
    """Weights of the probes' toy encoder and decoder."""
    return {"source_embedding": seeded_normal(seed, (V, H), 0.6),
            "target_embedding": seeded_normal(seed + 1, (V, H), 0.8),
            "Wh": seeded_normal(seed + 2, (H, H), 0.5),
            "Wo": seeded_normal(seed + 3, (H, V), 1.0),
            "bo": np.array([-4.0, -4.0] + [0.0] * (V - 2))}  # <NULL>, <START> unlikely


def _toy_cases(unit: str, probe: str, arrays: dict, params: dict, *, label: str,
               dtypes=DTYPES) -> list[Case]:
    return [Case(unit, f"{label}, {dtype}", probe, dict(arrays), {**params, "dtype": dtype})
            for dtype in dtypes]


def _decoding_inputs(V: int, H: int, lengths: list[int], T: int, seed: int) -> dict:
    """Toy decoder weights and the four arrays its initial state is made from."""
    N = len(lengths)
    return {**_toy_weights(V, H, seed),
            "h": seeded_normal(seed + 10, (N, H)), "c": seeded_normal(seed + 11, (N, H)),
            "encoder_states": seeded_normal(seed + 12, (N, T, H), 0.5),
            "source_mask": _mask(lengths, T)}


# ---------------------------------------------------------------------------------------------
# Units: encoder and decoder.


def _encoder_cases(V, W, H, lengths, T, seed, label, dtypes=DTYPES, upstream_seed=0):
    weights = {"embedding/embeddings": seeded_normal(seed, (V, W), 0.8),
               **_lstm_weights("cell", W, H, seed + 1)}
    inputs = {"source": _padded_ids(seed + 5, V, lengths, T)}
    return _layer_cases("encoder", "seq2seq.encoder", "Encoder",
                        {"vocab_size": V, "embed_dim": W, "hidden_dim": H}, weights, inputs,
                        label=label, dtypes=dtypes, upstream_seed=upstream_seed)


def encoder() -> Unit:
    return Unit(
        "encoder", ["Encoder"],
        public=_encoder_cases(9, 3, 4, [6, 1, 4], 6, 0, "V=9 W=3 H=4, N=3 T=6, lengths 6, 1, 4"),
        hidden=_encoder_cases(11, 5, 3, [7, 2, 5, 7], 7, 20,
                              "V=11 W=5 H=3, N=4 T=7, lengths 7, 2, 5, 7", upstream_seed=4)
        + _encoder_cases(6, 2, 5, [3, 3], 3, 40, "V=6 W=2 H=5, N=2 T=3, no padding",
                         dtypes=("float64",), upstream_seed=1),
    )


def _bidirectional_cases(V, W, H, lengths, T, seed, label, dtypes=DTYPES, upstream_seed=0):
    """``BidirectionalEncoder`` on seeded weights: one embedding, two cells of their own."""
    weights = {"embedding/embeddings": seeded_normal(seed, (V, W), 0.8),
               **_lstm_weights("forward_cell", W, H, seed + 1),
               **_lstm_weights("backward_cell", W, H, seed + 11)}
    inputs = {"source": _padded_ids(seed + 5, V, lengths, T)}
    return _layer_cases("bidirectional_encoder", "seq2seq.encoder", "BidirectionalEncoder",
                        {"vocab_size": V, "embed_dim": W, "hidden_dim": H}, weights, inputs,
                        label=label, dtypes=dtypes, upstream_seed=upstream_seed)


def bidirectional_encoder() -> Unit:
    # Rows of different lengths in every case with padding: a backward pass that starts at the
    # padding (or reads it) changes the backward states, the final backward h and c, and the
    # gradients of the backward cell and of the <NULL> embedding row.
    return Unit(
        "bidirectional_encoder", ["BidirectionalEncoder"],
        public=_bidirectional_cases(9, 3, 4, [6, 1, 4], 6, 60,
                                    "V=9 W=3 H=4, N=3 T=6, lengths 6, 1, 4"),
        hidden=_bidirectional_cases(11, 5, 3, [7, 2, 5, 7, 4], 7, 80,
                                    "V=11 W=5 H=3, N=5 T=7, lengths 7, 2, 5, 7, 4",
                                    upstream_seed=7)
        + _bidirectional_cases(6, 2, 5, [3, 3], 3, 100, "V=6 W=2 H=5, N=2 T=3, no padding",
                               dtypes=("float64",), upstream_seed=2),
    )


def _decoder_cases(V, W, H, lengths, T, seed, label, dtypes=DTYPES, upstream_seed=0):
    N = len(lengths)
    weights = {"embedding/embeddings": seeded_normal(seed, (V, W), 0.8),
               **_lstm_weights("cell", W, H, seed + 1),
               "to_vocab/kernel": seeded_normal(seed + 4, (H, V), 0.7),
               "to_vocab/bias": seeded_normal(seed + 5, (V,), 0.2)}
    inputs = {"tokens": seeded_integers(seed + 6, 1, V, (N,)),
              "target_in": _targets(seed + 7, V, lengths, T + 1)[:, :-1],
              "h0": seeded_normal(seed + 8, (N, H)), "c0": seeded_normal(seed + 9, (N, H))}
    return _layer_cases("decoder", "seq2seq.decoder", "Decoder",
                        {"vocab_size": V, "embed_dim": W, "hidden_dim": H}, weights, inputs,
                        label=label, dtypes=dtypes, upstream_seed=upstream_seed)


def decoder() -> Unit:
    return Unit(
        "decoder", ["Decoder"],
        public=_decoder_cases(7, 3, 4, [3, 1, 2], 5, 0, "V=7 W=3 H=4, N=3 T=5"),
        hidden=_decoder_cases(10, 4, 3, [4, 2, 6, 1], 7, 30, "V=10 W=4 H=3, N=4 T=7",
                              upstream_seed=6)
        + _decoder_cases(5, 2, 2, [0], 1, 50, "V=5 W=2 H=2, N=1 T=1", dtypes=("float64",)),
    )


# ---------------------------------------------------------------------------------------------
# Units: the loss and the training step (on the probes' toy models).


def _loss_cases(V, H, src_lengths, Ts, tgt_lengths, Tt, seed, label, dtypes=DTYPES,
                upstream_seed=0):
    arrays = {**_toy_weights(V, H, seed),
              "source": _padded_ids(seed + 20, V, src_lengths, Ts),
              "target": _targets(seed + 21, V, tgt_lengths, Tt)}
    return _toy_cases("seq2seq_loss", "seq2seq.loss", arrays, {"upstream_seed": upstream_seed},
                      label=label, dtypes=dtypes)


def seq2seq_loss() -> Unit:
    return Unit(
        "seq2seq_loss", ["seq2seq_loss"],
        public=_loss_cases(8, 4, [5, 2, 3], 5, [3, 1, 2], 5, 0,
                           "V=8 H=4, N=3, source lengths 5, 2, 3, target lengths 3, 1, 2"),
        hidden=_loss_cases(9, 3, [4, 6, 1, 6], 6, [5, 0, 2, 3], 7, 10,
                           "V=9 H=3, N=4, an empty target among them", upstream_seed=2)
        + _loss_cases(6, 5, [3, 3], 3, [4, 4], 6, 30, "V=6 H=5, N=2, no padding",
                      dtypes=("float64",)),
    )


def _train_cases(V, H, steps, N, clip_norm, seed, label, dtypes=DTYPES):
    sources = np.stack([_padded_ids(seed + 20 + s, V, list(range(2, 2 + N)), N + 2)
                        for s in range(steps)])
    targets = np.stack([_targets(seed + 40 + s, V, [(n + s) % 3 + 1 for n in range(N)], 5)
                        for s in range(steps)])
    arrays = {**_toy_weights(V, H, seed), "sources": sources, "targets": targets}
    params = {"learning_rate": 0.1, "momentum": 0.9, "clip_norm": clip_norm}
    return _toy_cases("train_step", "seq2seq.train_step", arrays, params, label=label,
                      dtypes=dtypes)


def train_step() -> Unit:
    return Unit(
        "train_step", ["make_train_step"],
        public=_train_cases(7, 4, 3, 3, 1.0, 0, "3 SGD steps, clip_norm=1 (clipping)"),
        hidden=_train_cases(8, 3, 2, 4, 1000.0, 10, "2 SGD steps, clip_norm=1000 (no clipping)",
                            dtypes=("float64",))
        + _train_cases(6, 5, 3, 2, 0.3, 20, "3 SGD steps, clip_norm=0.3", dtypes=("float32",)),
    )


# ---------------------------------------------------------------------------------------------
# Units: decoding (on the toy decoder).


def _greedy_cases(V, H, lengths, T, max_length, end_bias, seed, label, dtypes=DTYPES):
    arrays = _decoding_inputs(V, H, lengths, T, seed)
    return _toy_cases("greedy_decode", "seq2seq.greedy", arrays,
                      {"max_length": max_length, "end_bias": end_bias}, label=label,
                      dtypes=dtypes)


def greedy_decode() -> Unit:
    return Unit(
        "greedy_decode", ["greedy_decode"],
        public=_greedy_cases(7, 5, [4, 2, 3, 4, 1], 4, 8, 0.6, 0, "V=7, N=5, max_length=8"),
        hidden=_greedy_cases(9, 4, [5, 3, 5, 1, 2, 4], 5, 10, 0.4, 10, "V=9, N=6, max_length=10")
        + _greedy_cases(5, 3, [2], 2, 3, 0.0, 20, "V=5, N=1, max_length=3",
                        dtypes=("float64",)),
    )


def _beam_cases(V, H, lengths, T, K, max_length, alpha, end_bias, seed, label, dtypes=DTYPES):
    arrays = _decoding_inputs(V, H, lengths, T, seed)
    params = {"beam_width": K, "max_length": max_length, "alpha": alpha, "end_bias": end_bias}
    return _toy_cases("beam_search", "seq2seq.beam", arrays, params, label=label, dtypes=dtypes)


def beam_search() -> Unit:
    return Unit(
        "beam_search", ["beam_search"],
        public=_beam_cases(7, 5, [4, 2, 3], 4, 3, 6, 0.7, 0.5, 0,
                           "V=7, N=3, beam_width=3, max_length=6, alpha=0.7"),
        hidden=_beam_cases(9, 4, [5, 3, 5, 1], 5, 4, 7, 1.0, 0.4, 10,
                           "V=9, N=4, beam_width=4, max_length=7, alpha=1")
        + _beam_cases(6, 3, [3, 2, 1], 3, 2, 5, 0.0, 0.7, 20,
                      "V=6, N=3, beam_width=2 (N != beam_width), max_length=5, "
                      "alpha=0 (no normalisation)")
        + _beam_cases(5, 3, [2], 2, 1, 4, 0.7, 0.5, 30,
                      "V=5, N=1, beam_width=1 (greedy)", dtypes=("float64",)),
    )


# ---------------------------------------------------------------------------------------------
# Units: attention.


def _attend_inputs(lengths: list[int], T: int, H: int, seed: int) -> dict:
    N = len(lengths)
    return {"scores": seeded_normal(seed, (N, T), 2.0), "source_mask": _mask(lengths, T),
            "values": seeded_normal(seed + 1, (N, T, H))}


def attend() -> Unit:
    unit = fn = "attend"
    out, grads = ["context", "weights"], ["scores", "values"]
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _attend_inputs([5, 2, 4], 5, 3, 0), out, grad_wrt=grads,
                          label="N=3 T=5 H=3, lengths 5, 2, 4"),
        hidden=call_cases(unit, fn, _attend_inputs([1, 7, 3, 6], 7, 4, 10), out,
                          grad_wrt=grads, label="N=4 T=7 H=4, one length 1", upstream_seed=3)
        # A saturated softmax: its gradient w.r.t. the scores is ~1e-18, below the rounding of
        # anything else here (tf.nn.softmax's gradient and a max-shifted one differ there), so
        # only the forward values and d values are compared.
        + call_cases(unit, fn, {**_attend_inputs([4, 3], 4, 2, 20),
                                "scores": seeded_normal(20, (2, 4), 200.0)}, out,
                     grad_wrt=["values"], label="N=2 T=4 H=2, scores of size ~200",
                     dtypes=("float64",)),
    )


def _score_cases(unit, layer, config, weights, N, T, Hq, Hk, seed, label, dtypes=DTYPES,
                 upstream_seed=0):
    inputs = {"query": seeded_normal(seed, (N, Hq)), "keys": seeded_normal(seed + 1, (N, T, Hk))}
    return _layer_cases(unit, "seq2seq.attention_scores", layer, config, weights, inputs,
                        build_shapes=[(N, Hq), (N, T, Hk), (N, T)], label=label,
                        dtypes=dtypes, upstream_seed=upstream_seed)


def _additive_cases(N, T, Hq, Hk, U, seed, label, **kw):
    weights = {"W1": seeded_normal(seed + 5, (Hk, U), 0.7),
               "W2": seeded_normal(seed + 6, (Hq, U), 0.7),
               "v": seeded_normal(seed + 7, (U,))}
    return _score_cases("additive_attention", "AdditiveAttention", {"units": U}, weights,
                        N, T, Hq, Hk, seed, label, **kw)


def additive_attention() -> Unit:
    return Unit(
        "additive_attention", ["AdditiveAttention"],
        public=_additive_cases(2, 4, 3, 5, 6, 0, "N=2 T=4, query H=3, keys H=5, units=6"),
        hidden=_additive_cases(3, 6, 4, 2, 3, 10, "N=3 T=6, query H=4, keys H=2, units=3",
                               upstream_seed=2)
        + _additive_cases(1, 1, 2, 2, 1, 20, "N=1 T=1, H=2, units=1", dtypes=("float64",)),
    )


def _dot_cases(general, N, T, Hq, Hk, seed, label, **kw):
    weights = {"W": seeded_normal(seed + 5, (Hq, Hk), 0.7)} if general else {}
    return _score_cases("dot_product_attention", "DotProductAttention", {"general": general},
                        weights, N, T, Hq, Hk, seed, label, **kw)


def dot_product_attention() -> Unit:
    return Unit(
        "dot_product_attention", ["DotProductAttention"],
        public=_dot_cases(False, 2, 4, 3, 3, 0, "plain, N=2 T=4 H=3")
        + _dot_cases(True, 2, 4, 3, 5, 1, "general, N=2 T=4, query H=3, keys H=5"),
        hidden=_dot_cases(False, 3, 5, 4, 4, 10, "plain, N=3 T=5 H=4", upstream_seed=1)
        + _dot_cases(True, 3, 6, 5, 2, 20, "general, N=3 T=6, query H=5, keys H=2",
                     upstream_seed=2),
    )


def _attention_decoder_cases(V, W, H, lengths, T, seed, label, dtypes=DTYPES,
                             upstream_seed=0):
    N = len(lengths)
    weights = {"embedding/embeddings": seeded_normal(seed, (V, W), 0.8),
               **_lstm_weights("cell", W + H, H, seed + 1),
               "to_vocab/kernel": seeded_normal(seed + 4, (2 * H, V), 0.7),
               "to_vocab/bias": seeded_normal(seed + 5, (V,), 0.2)}
    inputs = {"tokens": seeded_integers(seed + 6, 1, V, (N,)),
              "h": seeded_normal(seed + 7, (N, H)), "c": seeded_normal(seed + 8, (N, H)),
              "encoder_states": seeded_normal(seed + 9, (N, T, H)),
              "source_mask": _mask(lengths, T)}
    return _layer_cases("attention_decoder", "seq2seq.attention_decoder_step",
                        "AttentionDecoder", {"vocab_size": V, "embed_dim": W, "hidden_dim": H},
                        weights, inputs, label=label, dtypes=dtypes,
                        upstream_seed=upstream_seed)


def attention_decoder() -> Unit:
    return Unit(
        "attention_decoder", ["AttentionDecoder"],
        public=_attention_decoder_cases(7, 3, 4, [5, 2, 4], 5, 0,
                                        "V=7 W=3 H=4, N=3 T=5, lengths 5, 2, 4"),
        hidden=_attention_decoder_cases(9, 2, 3, [6, 1, 3, 6], 6, 20,
                                        "V=9 W=2 H=3, N=4 T=6, lengths 6, 1, 3, 6",
                                        upstream_seed=5)
        + _attention_decoder_cases(5, 4, 2, [2], 3, 40, "V=5 W=4 H=2, N=1 T=3",
                                   dtypes=("float64",)),
    )


def units() -> list[Unit]:
    return [encoder(), decoder(), seq2seq_loss(), train_step(), greedy_decode(), beam_search(),
            attend(), additive_attention(), dot_product_attention(), attention_decoder(),
            bidirectional_encoder()]
