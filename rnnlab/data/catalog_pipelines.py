"""Model-ready elements from real tfds catalog datasets already on this machine.

Each dataset is read with `tfds.builder_from_directory` (never a download) and
given the same element layout as its synthetic counterpart: tiny_shakespeare
like char_corpus, ted_hrlr_translate/pt_to_en like dates (word ids instead of
characters), coco_captions like shapes_captions.
"""

import collections
import re

import numpy as np

from rnnlab.data import builders, catalog, loading
from rnnlab.data.errors import CorruptDataError
from rnnlab.data.pipelines import char_windows
from rnnlab.data.vocabulary import SPECIAL_TOKENS, Vocabulary

_WORD = re.compile(r"[\w']+|[^\w\s]")


def words_of(text: str) -> list[str]:
    """Lower-cased words and punctuation marks: "Hello, world" -> ["hello", ",", "world"]."""
    return _WORD.findall(text.lower())


def catalog_elements(name: str, split: str, data_dir=None, **options):
    """Unbatched elements, vocabulary and number of elements of a catalog dataset."""
    import tensorflow_datasets as tfds

    version_dir = catalog.find_prepared(name, data_dir)
    with builders.quiet_tfds():
        try:
            builder = tfds.builder_from_directory(str(version_dir))
        except Exception as error:  # noqa: BLE001 (tfds raises many kinds on a damaged folder)
            raise CorruptDataError(
                f"expected a readable tfds dataset in {version_dir}, got "
                f"{type(error).__name__}: {error}"
            ) from None
    loading.check_split(builder, split)
    loading.check_record_files(builder, split)
    if name == "tiny_shakespeare":
        return _tiny_shakespeare(builder, split, **options)
    if name == "ted_hrlr_translate/pt_to_en":
        return _ted_pt_to_en(builder, split, **options)
    return _coco_captions(builder, split, **options)


def _texts(builder, split: str, key: str, skip_images: bool = False) -> list[str]:
    import tensorflow_datasets as tfds

    decoders = {"image": tfds.decode.SkipDecoding()} if skip_images else None
    with builders.quiet_tfds():
        examples = builder.as_dataset(split=split, shuffle_files=False, decoders=decoders)
    return [text.decode("utf-8") for text in examples.map(lambda e: _get(e, key)).as_numpy_iterator()]


def _get(example, key: str):
    for part in key.split("/"):
        example = example[part]
    return example


def _tiny_shakespeare(builder, split: str, seq_length: int):
    import tensorflow as tf

    train_text = "".join(_texts(builder, "train", "text"))
    text = train_text if split == "train" else "".join(_texts(builder, split, "text"))
    all_chars = set(train_text) | set(text)
    vocab = Vocabulary([*SPECIAL_TOKENS, *sorted(all_chars - set(SPECIAL_TOKENS))], level="char")
    windows = char_windows(text, vocab, seq_length)
    return tf.data.Dataset.from_tensor_slices(windows), vocab, len(windows["inputs"])


def word_vocabulary(texts: list[str], max_vocab_size: int) -> Vocabulary:
    """The `max_vocab_size` commonest words (ties broken alphabetically), after the specials."""
    counts = collections.Counter(word for text in texts for word in words_of(text))
    ranked = sorted(counts, key=lambda word: (-counts[word], word))
    return Vocabulary([*SPECIAL_TOKENS, *ranked[: max_vocab_size - len(SPECIAL_TOKENS)]])


def _padded(vocab: Vocabulary, texts: list[str], max_length: int) -> np.ndarray:
    """`<START>` words `<END>`, truncated to and padded with `<NULL>` to `max_length`."""
    ids = np.zeros((len(texts), max_length), dtype=np.int32)
    for row, text in enumerate(texts):
        encoded = vocab.encode(words_of(text), add_start_end=True)[:max_length]
        ids[row, : len(encoded)] = encoded
    return ids


def _ted_pt_to_en(builder, split: str, max_length: int, max_vocab_size: int):
    import tensorflow as tf

    vocab = word_vocabulary(_texts(builder, "train", "pt") + _texts(builder, "train", "en"),
                            max_vocab_size)
    sources, targets = _texts(builder, split, "pt"), _texts(builder, split, "en")
    arrays = {
        "source": _padded(vocab, sources, max_length),
        "target": _padded(vocab, targets, max_length),
        "source_text": np.array(sources, dtype=object),
        "target_text": np.array(targets, dtype=object),
    }
    return tf.data.Dataset.from_tensor_slices(arrays), vocab, len(sources)


def _coco_captions(builder, split: str, image_size: int, max_length: int, max_vocab_size: int):
    import tensorflow as tf

    train_captions = _texts(builder, "train", "captions/text", skip_images=True)
    vocab = word_vocabulary(train_captions, max_vocab_size)
    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(
            tf.constant(vocab.idx_to_token), tf.range(len(vocab), dtype=tf.int32)),
        default_value=vocab.unk,
    )

    def element(example):
        text = example["captions"]["text"][0]
        words = tf.strings.regex_replace(tf.strings.lower(text), r"([^\w\s'])", r" \1 ")
        ids = table.lookup(tf.strings.split(words))
        ids = tf.concat([[vocab.start], ids[: max_length - 2], [vocab.end]], axis=0)
        ids = tf.pad(ids, [[0, max_length - tf.shape(ids)[0]]])
        image = tf.image.resize(example["image"], (image_size, image_size)) / 255.0
        return {"image": image, "captions": tf.ensure_shape(ids, (max_length,)),
                "caption_text": text}

    with builders.quiet_tfds():
        examples = builder.as_dataset(split=split, shuffle_files=False)
    num_examples = builder.info.splits[split].num_examples
    return examples.map(element, num_parallel_calls=tf.data.AUTOTUNE), vocab, num_examples
