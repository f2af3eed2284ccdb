"""A long text as parallel streams for truncated BPTT, and bits per character on held-out text.

Not graded: the ``rnn`` notebook's experiments use these around the student's ``train_tbptt``.
A *stream* is an ``(N, L)`` array of ids whose row ``n`` is one contiguous piece of the text,
so chunk ``c`` of every row continues where chunk ``c - 1`` ended.
"""

from __future__ import annotations

import math

import numpy as np


def text_streams(ids, num_streams: int) -> np.ndarray:
    """Cuts a 1-D sequence of ids into ``num_streams`` contiguous rows of equal length.

    Args:
        ids: the text's ids, `(length,)`.
        num_streams: `N`, the number of rows (the batch size of truncated BPTT).

    Returns:
        `(N, L)` int32 ids with `L = length // N`; row `n` is `ids[n * L:(n + 1) * L]` (the
        last `length % N` ids are dropped).

    Example:
        >>> text_streams(np.arange(10), 3)
        array([[0, 1, 2],
               [3, 4, 5],
               [6, 7, 8]], dtype=int32)
    """
    ids = np.asarray(ids).reshape(-1)
    if not isinstance(num_streams, int) or num_streams <= 0:
        raise ValueError(f"expected num_streams to be a positive int. Received: {num_streams!r}")
    length = ids.size // num_streams
    if length < 2:
        raise ValueError(f"expected at least 2 ids per stream, got {ids.size} ids for "
                         f"{num_streams} streams")
    return ids[: num_streams * length].reshape(num_streams, length).astype(np.int32)


def ids_from_windows(windows: dict) -> np.ndarray:
    """The text's ids back from consecutive next-character windows.

    `rnnlab.data.load_numpy("char_corpus")` serves a text as non-overlapping windows,
    `inputs[n] = ids[n*T:(n+1)*T]` and `targets[n] = ids[n*T+1:(n+1)*T+1]`; truncated BPTT
    wants the whole text in one piece.

    Args:
        windows: a dict with `inputs` and `targets`, `(num_windows, T)` ids each.

    Returns:
        `(num_windows * T + 1,)` int32 ids.
    """
    inputs, targets = np.asarray(windows["inputs"]), np.asarray(windows["targets"])
    if inputs.shape != targets.shape or inputs.ndim != 2:
        raise ValueError(f"expected inputs and targets of one shape (num_windows, T), got "
                         f"{inputs.shape} and {targets.shape}")
    if not np.array_equal(inputs.reshape(-1)[1:], targets.reshape(-1)[:-1]):
        raise ValueError("expected consecutive windows (targets = inputs shifted by one), "
                         "got windows that do not join up")
    return np.append(inputs.reshape(-1), targets[-1, -1]).astype(np.int32)


def _chunk_nll(model, inputs, targets, h):
    """Summed negative log-likelihood (nats) of one chunk, and the state after it."""
    import tensorflow as tf

    scores, h = model(inputs, initial_state=h, return_state=True)
    nll = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=scores)
    return tf.reduce_sum(nll), h


_chunk_nll_graph = None


def bits_per_character(model, stream, k: int = 100) -> float:
    """The average number of bits a character model needs per character of ``stream``.

    Reads every row left to right in chunks of ``k`` steps, carrying the hidden state from
    chunk to chunk (from a zero state), as truncated BPTT trains; no weight changes.

    Args:
        model: a character model called as
            `model(ids, initial_state=h, return_state=True) -> (scores, state)`, with a
            `hidden_size` attribute.
        stream: `(N, L)` ids, e.g. from :func:`text_streams` on held-out text.
        k: the chunk length.

    Returns:
        The mean of `-log2 p(next character)` over the `N * (L - 1)` predictions.
    """
    import tensorflow as tf

    global _chunk_nll_graph
    if _chunk_nll_graph is None:
        _chunk_nll_graph = tf.function(_chunk_nll)
    stream = tf.constant(np.asarray(stream, dtype=np.int32))
    N, L = stream.shape
    h = tf.zeros((N, model.hidden_size), model.compute_dtype)
    total, count = 0.0, 0
    for start in range(0, L - 1, k):
        stop = min(start + k, L - 1)
        nll, h = _chunk_nll_graph(model, stream[:, start:stop], stream[:, start + 1:stop + 1], h)
        total += float(nll)
        count += N * (stop - start)
    return total / count / math.log(2)
