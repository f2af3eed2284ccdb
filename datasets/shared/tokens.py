"""Token vocabularies and fixed-length id arrays for the synthetic builders.

Every word or character vocabulary in the course starts with the same four
special tokens, so `<NULL>` is 0 (padding), `<START>` 1, `<END>` 2 and
`<UNK>` 3. Builders store the vocabulary in the dataset's metadata
(`metadata.json`), and `rnnlab.data` reads it back into a `Vocabulary`.

This module is imported by file path (see `import_shared` in each builder):
`datasets/` is not a Python package.
"""

from collections.abc import Iterable, Sequence

import numpy as np

SPECIAL_TOKENS = ("<NULL>", "<START>", "<END>", "<UNK>")
NULL_ID, START_ID, END_ID, UNK_ID = 0, 1, 2, 3


def make_vocabulary(tokens: Iterable[str]) -> list[str]:
    """Returns the special tokens followed by the sorted distinct `tokens`.

    Args:
        tokens: every token the dataset may contain, in any order, with repeats.

    Returns:
        The list `idx_to_token`, special tokens first.
    """
    distinct = sorted(set(tokens) - set(SPECIAL_TOKENS))
    return list(SPECIAL_TOKENS) + distinct


def to_padded_ids(
    tokens: Sequence[str],
    token_to_idx: dict[str, int],
    length: int,
    add_start_end: bool = False,
) -> np.ndarray:
    """Maps tokens to ids and pads with `<NULL>` to a fixed length.

    Args:
        tokens: the tokens of one sequence (words or characters).
        token_to_idx: the vocabulary; a token missing from it is an error, since
            synthetic data is generated from a closed vocabulary.
        length: the padded length `T`.
        add_start_end: whether to wrap the ids in `<START>` ... `<END>`.

    Returns:
        Token ids of shape `(T,)`, dtype int32.

    Raises:
        ValueError: if the sequence is longer than `length` or has a token that is
            not in the vocabulary.
    """
    ids = [token_to_idx.get(token) for token in tokens]
    if None in ids:
        unknown = sorted({t for t, i in zip(tokens, ids) if i is None})
        raise ValueError(f"expected tokens from the vocabulary, got unknown {unknown}")
    if add_start_end:
        ids = [START_ID] + ids + [END_ID]
    if len(ids) > length:
        raise ValueError(f"expected at most {length} ids, got {len(ids)} for {list(tokens)}")
    padded = np.full((length,), NULL_ID, dtype=np.int32)
    padded[: len(ids)] = ids
    return padded
