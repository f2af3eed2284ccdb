"""Datasets of the course: one call gives a `tf.data` pipeline and its vocabulary.

    >>> from rnnlab.data import load
    >>> dataset, vocab = load("shapes_captions", split="train", batch_size=64)

Synthetic datasets (shapes_captions, dates, sentiment, moving_shapes,
long_range, char_corpus) are generated locally, deterministically and offline
by the tfds builders in `datasets/`, and built into `$TFDS_DATA_DIR` on first
use (or all at once with `python -m rnnlab.data build --all`).
Real data is read only where a user already has it: tfds catalog datasets
(tiny_shakespeare, coco_captions, ted_hrlr_translate/pt_to_en) and CS231n's
COCO folder (`rnnlab.data.coco.load_coco_data`).
"""

from rnnlab.data.builders import SYNTHETIC_DATASETS, build
from rnnlab.data.errors import CorruptDataError, DatasetNotFoundError
from rnnlab.data.loading import DATASET_NAMES, load, load_numpy
from rnnlab.data.locations import datasets_dir, default_data_dir
from rnnlab.data.vocabulary import SPECIAL_TOKENS, ClassLabels, Vocabulary

__all__ = [
    "DATASET_NAMES", "SPECIAL_TOKENS", "SYNTHETIC_DATASETS", "ClassLabels", "CorruptDataError",
    "DatasetNotFoundError", "Vocabulary", "build", "datasets_dir", "default_data_dir", "load",
    "load_numpy",
]
