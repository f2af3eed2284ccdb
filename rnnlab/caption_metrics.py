"""Scoring generated captions: BLEU, exact match, and how well attention is grounded.

Shape letters as everywhere in the course: `N` batch, `T` time, `L` attention locations.
Captions are token id arrays in the course's vocabulary layout (`<NULL>` = 0, `<START>` = 1,
`<END>` = 2); :func:`caption_tokens` turns one into the list of words it says.

Example:
    >>> hypotheses = [caption_tokens(row) for row in sampled_ids]          # (N, T) ids
    >>> references = [[caption_tokens(r) for r in refs] for refs in reference_ids]  # (N, R, T)
    >>> corpus_bleu(hypotheses, references)
    0.97
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

NULL_ID, START_ID, END_ID = 0, 1, 2


def caption_tokens(ids, start: int = START_ID, end: int = END_ID, null: int = NULL_ID) -> list[int]:
    """The words of one caption: ids up to the first `<END>`, without `<START>` and `<NULL>`.

    Args:
        ids: token ids of one caption, `(T,)`, with or without a leading `<START>`.

    Returns:
        A list of ints.
    """
    words = []
    for token in np.asarray(ids).reshape(-1).tolist():
        if token == end:
            break
        if token not in (start, null):
            words.append(int(token))
    return words


def _ngrams(tokens: Sequence, n: int) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(hypotheses: Sequence[Sequence], references: Sequence[Sequence[Sequence]],
                max_n: int = 4) -> float:
    """Corpus-level BLEU (Papineni et al., 2002) with uniform weights, as in COCO evaluations.

    Clipped n-gram counts are summed over the whole corpus before the precisions are taken;
    the brevity penalty compares the total hypothesis length with the total length of the
    references closest in length to each hypothesis.

    Args:
        hypotheses: one token list per example (words, or ids from :func:`caption_tokens`).
        references: for each example, a list of one or more reference token lists.
        max_n: the longest n-gram (4 for BLEU-4).

    Returns:
        BLEU in `[0, 1]`; 0 if some n-gram order has no match at all.

    Raises:
        ValueError: if the two lists differ in length or an example has no reference.
    """
    if len(hypotheses) != len(references):
        raise ValueError(f"expected as many reference lists as hypotheses, got "
                         f"{len(references)} and {len(hypotheses)}")
    matches = [0] * max_n
    totals = [0] * max_n
    hyp_length = ref_length = 0
    for hyp, refs in zip(hypotheses, references):
        hyp = list(hyp)
        refs = [list(r) for r in refs]
        if not refs:
            raise ValueError("expected at least one reference per hypothesis, got none")
        hyp_length += len(hyp)
        ref_length += min((abs(len(r) - len(hyp)), len(r)) for r in refs)[1]
        for n in range(1, max_n + 1):
            counts = _ngrams(hyp, n)
            best = Counter()
            for r in refs:
                best |= _ngrams(r, n)
            matches[n - 1] += sum(min(c, best[g]) for g, c in counts.items())
            totals[n - 1] += max(len(hyp) - n + 1, 0)
    if hyp_length == 0 or min(matches) == 0:
        return 0.0
    log_precision = sum(math.log(m / t) for m, t in zip(matches, totals)) / max_n
    brevity = 1.0 if hyp_length > ref_length else math.exp(1 - ref_length / hyp_length)
    return float(brevity * math.exp(log_precision))


def exact_match(hypotheses: Sequence[Sequence], references: Sequence[Sequence[Sequence]]) -> float:
    """The share of hypotheses equal to one of their references."""
    if len(hypotheses) != len(references):
        raise ValueError(f"expected as many reference lists as hypotheses, got "
                         f"{len(references)} and {len(hypotheses)}")
    if not hypotheses:
        return 0.0
    hits = sum(list(h) in [list(r) for r in refs] for h, refs in zip(hypotheses, references))
    return hits / len(hypotheses)


def peak_cells(attention: np.ndarray, grid_side: int) -> np.ndarray:
    """Grid cell `(row, col)` of each attention map's largest weight.

    Args:
        attention: attention weights, `(..., L)` with `L = grid_side ** 2` in row-major order
            (the order of `reshape(N, rows, cols, D) -> (N, L, D)`).

    Returns:
        Integer array `(..., 2)`.
    """
    attention = np.asarray(attention)
    if attention.shape[-1] != grid_side * grid_side:
        raise ValueError(f"expected attention over L = {grid_side}x{grid_side} = "
                         f"{grid_side * grid_side} locations, got L = {attention.shape[-1]}")
    flat = np.argmax(attention, axis=-1)
    return np.stack(np.divmod(flat, grid_side), axis=-1)


def grounding_hits(attention: np.ndarray, token_objects: np.ndarray,
                   segmentation: np.ndarray) -> np.ndarray:
    """Whether the attention peak of each object word lies on the object the word names.

    The model predicts caption token `p` at step `p - 1`, so the map for token `p` is
    `attention[:, p - 1]`. A word is grounded when its peak cell (an `S / side` by `S / side`
    pixel window) holds at least one pixel of the object, as computed by
    `rnnlab.data.grounding.grounding_on_grid`.

    Args:
        attention: `(N, T - 1, L)` attention weights under teacher forcing on the reference
            caption whose grounding is given (the canonical one), `L = side * side`.
        token_objects: `(N, T)` index of the object each caption token names, -1 for none.
        segmentation: `(N, S, S)` object masks: pixel value `k + 1` for object `k`, 0 for none;
            `S` a multiple of `side`.

    Returns:
        A boolean array with one entry per object word, in (example, position) order.
    """
    from rnnlab.data.grounding import grounding_on_grid

    attention = np.asarray(attention)
    token_objects = np.asarray(token_objects)
    N, steps, L = attention.shape
    side = math.isqrt(L)
    if side * side != L:
        raise ValueError(f"expected a square grid of locations, got L = {L}")
    if token_objects.shape[0] != N or token_objects.shape[1] < steps + 1:
        raise ValueError(f"expected token_objects of shape ({N}, >= {steps + 1}) for attention "
                         f"of shape {attention.shape}, got {token_objects.shape}")
    targets = grounding_on_grid(token_objects[:, 1:steps + 1], segmentation, (side, side))
    rows, steps_ = np.nonzero(token_objects[:, 1:steps + 1] >= 0)
    peaks = np.argmax(attention[rows, steps_], axis=-1)
    return targets[rows, steps_, peaks] > 0


def grounding_score(attention: np.ndarray, token_objects: np.ndarray,
                    segmentation: np.ndarray) -> float:
    """The share of object words whose attention peak falls on the object they name.

    See :func:`grounding_hits` for the arguments.
    """
    hits = grounding_hits(attention, token_objects, segmentation)
    return float(hits.mean()) if hits.size else 0.0
