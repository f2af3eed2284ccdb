"""Vocabulary and ClassLabels: special ids, encode/decode round trips, errors."""

import numpy as np
import pytest

from rnnlab.data.vocabulary import SPECIAL_TOKENS, ClassLabels, Vocabulary

WORDS = [*SPECIAL_TOKENS, "a", "red", "circle", "left", "of"]


def test_special_token_ids():
    vocab = Vocabulary(WORDS)
    assert (vocab.null, vocab.start, vocab.end, vocab.unk) == (0, 1, 2, 3)
    assert [vocab.token_to_idx[t] for t in SPECIAL_TOKENS] == [0, 1, 2, 3]
    assert len(vocab) == len(WORDS) and vocab.idx_to_token == WORDS


def test_word_round_trip_with_and_without_start_end():
    vocab = Vocabulary(WORDS)
    text = "a red circle left of a red circle"
    assert vocab.decode(vocab.encode(text)) == text
    ids = vocab.encode(text, add_start_end=True)
    assert ids.dtype == np.int32 and ids[0] == vocab.start and ids[-1] == vocab.end
    padded = np.concatenate([ids, np.zeros(5, np.int32)])
    assert vocab.decode(padded) == text
    assert vocab.encode(text.split()).tolist() == vocab.encode(text).tolist()


def test_decode_stops_at_end_and_skips_null_and_start():
    vocab = Vocabulary(WORDS)
    assert vocab.decode([1, 4, 0, 5, 2, 6, 6]) == "a red"


def test_decode_batch_gives_list():
    vocab = Vocabulary(WORDS)
    assert vocab.decode(np.array([[1, 4, 2], [5, 6, 2]])) == ["a", "red circle"]


def test_unknown_words_become_unk():
    vocab = Vocabulary(WORDS)
    assert vocab.encode("a blue circle").tolist() == [4, vocab.unk, 6]
    assert vocab.decode([4, vocab.unk]) == "a <UNK>"


def test_char_round_trip():
    vocab = Vocabulary([*SPECIAL_TOKENS, *"0123456789-"], level="char")
    assert vocab.decode(vocab.encode("1998-03-03", add_start_end=True)) == "1998-03-03"


def test_json_round_trip():
    vocab = Vocabulary(WORDS, labels=["no", "yes"])
    again = Vocabulary.from_json(vocab.to_json())
    assert again.idx_to_token == vocab.idx_to_token and again.labels == ["no", "yes"]


def test_bad_vocabularies_are_refused():
    with pytest.raises(ValueError, match="start with"):
        Vocabulary(["a", "b"])
    with pytest.raises(ValueError, match="level"):
        Vocabulary(WORDS, level="byte")
    with pytest.raises(ValueError, match=r"\(T,\) or \(N, T\)"):
        Vocabulary(WORDS).decode(np.zeros((2, 2, 2), np.int32))
    with pytest.raises(ValueError, match="expected ids in"):
        Vocabulary(WORDS).decode([99])


def test_class_labels_round_trip_and_errors():
    labels = ClassLabels(["still", "left", "right"])
    assert labels.decode(labels.encode("still right left")) == "still right left"
    assert labels.decode(np.int64(2)) == "right"
    assert labels.decode([[0, 1], [2, 2]]) == ["still left", "right right"]
    with pytest.raises(ValueError, match="expected class names"):
        labels.encode(["up"])
