"""Vocabularies that turn text into token ids and back, and named class labels.

Every word or character vocabulary of the course starts with the same four
special tokens: `<NULL>` = 0 (padding), `<START>` = 1, `<END>` = 2 and
`<UNK>` = 3 (any token not in the vocabulary).
"""

from collections.abc import Iterable, Sequence

import numpy as np

SPECIAL_TOKENS = ("<NULL>", "<START>", "<END>", "<UNK>")


class Vocabulary:
    """Maps tokens (words or characters) to ids and back.

    Args:
        idx_to_token: every token, the position being its id; must start with
            `SPECIAL_TOKENS`.
        level: `"word"` (text splits on whitespace, decoded tokens are joined with
            spaces) or `"char"` (every character is a token).
        labels: names of the classes, for datasets whose targets are classes
            (sentiment, long_range, VQA answers of shapes_captions); else empty.

    Example:

    >>> vocab = Vocabulary(["<NULL>", "<START>", "<END>", "<UNK>", "a", "red", "circle"])
    >>> vocab.encode("a red circle", add_start_end=True)
    array([1, 4, 5, 6, 2], dtype=int32)
    >>> vocab.decode([1, 4, 5, 6, 2, 0, 0])
    'a red circle'
    """

    def __init__(self, idx_to_token: Sequence[str], level: str = "word",
                 labels: Sequence[str] = ()):
        if tuple(idx_to_token[: len(SPECIAL_TOKENS)]) != SPECIAL_TOKENS:
            raise ValueError(
                f"expected idx_to_token to start with {SPECIAL_TOKENS}, "
                f"got {tuple(idx_to_token[: len(SPECIAL_TOKENS)])}"
            )
        if level not in ("word", "char"):
            raise ValueError(f"expected level 'word' or 'char', got {level!r}")
        if len(set(idx_to_token)) != len(idx_to_token):
            raise ValueError("expected distinct tokens in idx_to_token, got repeats")
        self.idx_to_token = list(idx_to_token)
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}
        self.level = level
        self.labels = list(labels)
        self.null, self.start, self.end, self.unk = 0, 1, 2, 3

    def __len__(self) -> int:
        return len(self.idx_to_token)

    def __contains__(self, token: str) -> bool:
        return token in self.token_to_idx

    def __repr__(self) -> str:
        preview = ", ".join(repr(t) for t in self.idx_to_token[4:10])
        return f"Vocabulary({len(self)} {self.level}s: {preview}, ...; labels={self.labels})"

    def tokenize(self, text: str) -> list[str]:
        """Splits text into tokens: words on whitespace, or single characters."""
        return list(text) if self.level == "char" else text.split()

    def encode(self, text_or_tokens: str | Iterable[str], add_start_end: bool = False) -> np.ndarray:
        """Turns text (or a list of tokens) into token ids.

        Args:
            text_or_tokens: a string, tokenized by `tokenize`, or a list of tokens.
            add_start_end: whether to wrap the ids in `<START>` ... `<END>`.

        Returns:
            Token ids of shape `(T,)`, dtype int32; unknown tokens become `<UNK>`.
        """
        if isinstance(text_or_tokens, str):
            text_or_tokens = self.tokenize(text_or_tokens)
        ids = [self.token_to_idx.get(token, self.unk) for token in text_or_tokens]
        if add_start_end:
            ids = [self.start, *ids, self.end]
        return np.asarray(ids, dtype=np.int32)

    def decode(self, ids) -> str | list[str]:
        """Turns token ids back into text.

        Stops at the first `<END>` and skips `<NULL>` and `<START>`.

        Args:
            ids: token ids of shape `(T,)`, or `(N, T)` for a batch (a numpy array,
                a tensor or nested lists).

        Returns:
            The text for `(T,)`; a list of `N` texts for `(N, T)`.

        Raises:
            ValueError: if `ids` has another rank or an id outside the vocabulary.
        """
        ids = np.asarray(ids)
        if ids.ndim == 2:
            return [self.decode(row) for row in ids]
        if ids.ndim != 1:
            raise ValueError(f"expected ids of shape (T,) or (N, T), got {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(
                f"expected ids in [0, {len(self)}), got values from {ids.min()} to {ids.max()}"
            )
        pieces = []
        for idx in ids.tolist():
            if idx == self.end:
                break
            if idx in (self.null, self.start):
                continue
            pieces.append(self.idx_to_token[idx])
        return "".join(pieces) if self.level == "char" else " ".join(pieces)

    def to_json(self) -> dict:
        """The vocabulary as a JSON-ready dict (see `from_json`)."""
        return {"idx_to_token": self.idx_to_token, "level": self.level, "labels": self.labels}

    @classmethod
    def from_json(cls, data: dict) -> "Vocabulary":
        """Rebuilds a vocabulary written by `to_json`."""
        return cls(data["idx_to_token"], level=data.get("level", "word"),
                   labels=data.get("labels", ()))


class ClassLabels:
    """Names of the classes of a dataset whose inputs are not tokens (moving_shapes).

    Args:
        labels: class names, the position being the class id.

    Example:

    >>> labels = ClassLabels(["still", "left", "right"])
    >>> labels.decode([0, 2])
    'still right'
    """

    def __init__(self, labels: Sequence[str]):
        self.labels = list(labels)
        self.label_to_idx = {label: idx for idx, label in enumerate(self.labels)}

    def __len__(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        return f"ClassLabels({self.labels})"

    def encode(self, names: str | Iterable[str]) -> np.ndarray:
        """Class names (a list, or one string of space-separated names) to ids `(T,)`.

        Raises:
            ValueError: for a name that is not a class.
        """
        if isinstance(names, str):
            names = names.split()
        names = list(names)
        unknown = sorted(set(names) - set(self.labels))
        if unknown:
            raise ValueError(f"expected class names from {self.labels}, got {unknown}")
        return np.asarray([self.label_to_idx[name] for name in names], dtype=np.int32)

    def decode(self, ids) -> str | list[str]:
        """Class ids `(T,)` to space-separated names; `(N, T)` to a list of them."""
        ids = np.asarray(ids)
        if ids.ndim == 0:
            return self.labels[int(ids)]
        if ids.ndim == 2:
            return [self.decode(row) for row in ids]
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(
                f"expected class ids in [0, {len(self)}), got {ids.min()} to {ids.max()}"
            )
        return " ".join(self.labels[idx] for idx in ids.tolist())
