"""Turning stored examples into model-ready elements, one function per dataset.

Each function takes the unbatched `tf.data.Dataset` that tfds reads from disk
and returns an unbatched dataset of dicts of tensors whose keys and shapes are
documented in `rnnlab.data.load` and in `datasets/README.md`. Shuffling,
batching and prefetching are left to `load`.
"""

import numpy as np
import tensorflow as tf

from rnnlab.data.vocabulary import Vocabulary


def shapes_captions_elements(examples: tf.data.Dataset, task: str, labels: list[str]):
    """Captioning elements (one per image) or VQA elements (one per question)."""
    if task == "captions":
        return examples.map(_caption_element, num_parallel_calls=tf.data.AUTOTUNE)
    if task == "vqa":
        answer_names = tf.constant(labels)

        def questions_of(example):
            per_question = tf.data.Dataset.from_tensor_slices({
                "question": example["questions"],
                "answer": example["answers"],
                "question_text": example["question_text"],
            })
            image = example["image"]
            return per_question.map(lambda q: {**q, "image": image})

        def finish(element):
            return {
                "image": tf.cast(element["image"], tf.float32) / 255.0,
                "question": element["question"],
                "answer": element["answer"],
                "question_text": element["question_text"],
                "answer_text": tf.gather(answer_names, element["answer"]),
            }

        return examples.flat_map(questions_of).map(finish, num_parallel_calls=tf.data.AUTOTUNE)
    raise ValueError(f"expected task 'captions' or 'vqa' for shapes_captions, got {task!r}")


def _caption_element(example):
    return {
        "image": tf.cast(example["image"], tf.float32) / 255.0,
        "captions": example["captions"][0],
        "references": example["captions"],
        "caption_text": example["caption_text"][0],
        "reference_text": example["caption_text"],
        "token_objects": example["token_objects"],
        "token_boxes": example["token_boxes"],
        "boxes": example["boxes"],
        "num_objects": example["num_objects"],
        "segmentation": tf.cast(example["segmentation"], tf.int32),
    }


def dates_elements(examples: tf.data.Dataset) -> tf.data.Dataset:
    """Source and target character ids with their texts."""
    return examples.map(lambda example: {
        "source": example["source"],
        "target": example["target"],
        "source_text": example["source_text"],
        "target_text": example["target_text"],
    })


def sentiment_elements(examples: tf.data.Dataset) -> tf.data.Dataset:
    """Word ids, length, int32 label, text and construction."""
    return examples.map(lambda example: {
        "tokens": example["tokens"],
        "length": example["length"],
        "label": tf.cast(example["label"], tf.int32),
        "text": example["text"],
        "construction": example["construction"],
    })


def moving_shapes_elements(examples: tf.data.Dataset) -> tf.data.Dataset:
    """Float frames in [0, 1], per-frame labels and boxes."""
    return examples.map(lambda example: {
        "frames": tf.cast(example["frames"], tf.float32) / 255.0,
        "labels": example["labels"],
        "boxes": example["boxes"],
    }, num_parallel_calls=tf.data.AUTOTUNE)


def long_range_elements(examples: tf.data.Dataset) -> tf.data.Dataset:
    """Symbol ids, int32 label and the marker's position."""
    return examples.map(lambda example: {
        "tokens": example["tokens"],
        "label": tf.cast(example["label"], tf.int32),
        "marker_position": example["marker_position"],
    })


def char_windows(text: str, vocab: Vocabulary, seq_length: int) -> dict[str, np.ndarray]:
    """Cuts a text into non-overlapping windows for next-character prediction.

    Args:
        text: the whole text of a split.
        vocab: a character vocabulary.
        seq_length: the window length `T`.

    Returns:
        `inputs` and `targets`, int32 arrays of shape `(N, T)`, where
        `targets[n, t]` is the character after `inputs[n, t]`.

    Raises:
        ValueError: if the text is shorter than one window.
    """
    if not isinstance(seq_length, int) or seq_length < 1:
        raise ValueError(f"expected seq_length a positive int, got {seq_length!r}")
    ids = vocab.encode(text)
    num_windows = (len(ids) - 1) // seq_length
    if num_windows < 1:
        raise ValueError(
            f"expected a text longer than seq_length={seq_length} characters, got {len(ids)}"
        )
    inputs = ids[: num_windows * seq_length].reshape(num_windows, seq_length)
    targets = ids[1 : num_windows * seq_length + 1].reshape(num_windows, seq_length)
    return {"inputs": inputs, "targets": targets}
