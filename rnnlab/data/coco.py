"""COCO captioning data in CS231n's layout, for users who have downloaded it.

`base_dir` holds (as CS231n's `get_coco_dataset.sh` leaves it):

- `coco2014_captions.h5`: `train_captions (Nc, 17)`, `train_image_idxs (Nc,)`,
  `val_captions`, `val_image_idxs` (and possibly the features, see below);
- `train2014_vgg16_fc7_pca.h5`, `val2014_vgg16_fc7_pca.h5`: `features (Ni, 512)`
  (or `..._fc7.h5` with 4096-d features when `pca_features=False`); features
  stored in `coco2014_captions.h5` as `train_features`/`val_features` are used
  when those files are absent;
- `coco2014_vocab.json`: `idx_to_word` (list) and `word_to_idx` (dict), with
  `<NULL>`, `<START>`, `<END>`, `<UNK>` first;
- `train2014_urls.txt`, `val2014_urls.txt`: one image URL per line.
"""

import json
import pathlib

import numpy as np

from rnnlab.data.errors import CorruptDataError, DatasetNotFoundError
from rnnlab.data.vocabulary import Vocabulary

CAPTIONS_FILE = "coco2014_captions.h5"
VOCAB_FILE = "coco2014_vocab.json"
HOW_TO_GET = (
    "download it on a machine with network with CS231n's "
    "`cs231n/datasets/get_coco_dataset.sh` and copy the folder here"
)


def load_coco_data(base_dir: str | pathlib.Path, max_train: int | None = None,
                   pca_features: bool = True, seed: int = 0) -> dict:
    """Loads CS231n's COCO captioning data (Nc captions of Ni images, vocabulary V).

    Args:
        base_dir: the folder laid out as described in the module docstring.
        max_train: if given, keep this many training captions drawn (with
            replacement, as CS231n does) by a generator seeded with `seed`.
        pca_features: 512-d PCA features (default) or the 4096-d fc7 ones.
        seed: seed of the `max_train` draw.

    Returns:
        A dict with `train_captions (Nc, T) int32`, `train_image_idxs (Nc,) int32`,
        `train_features (Ni, D) float32`, the same for `val_`, `idx_to_word` (list
        of V words), `word_to_idx` (dict), `train_urls` and `val_urls` (arrays of
        Ni strings).

    Raises:
        DatasetNotFoundError: if `base_dir` or one of its files is missing.
        CorruptDataError: if a file cannot be read or lacks a dataset.
    """
    base_dir = pathlib.Path(base_dir).expanduser()
    if not base_dir.is_dir():
        raise DatasetNotFoundError(
            f"expected CS231n's COCO folder at {base_dir}, got no such folder; {HOW_TO_GET}"
        )
    captions = _read_h5(base_dir / CAPTIONS_FILE, None)
    data = {}
    for key in ("train_captions", "train_image_idxs", "val_captions", "val_image_idxs"):
        _require(captions, key, base_dir / CAPTIONS_FILE)
        data[key] = captions[key]
    suffix = "_pca" if pca_features else ""
    for split in ("train", "val"):
        feature_file = base_dir / f"{split}2014_vgg16_fc7{suffix}.h5"
        if not feature_file.exists() and f"{split}_features" in captions:
            data[f"{split}_features"] = captions[f"{split}_features"]
        else:
            data[f"{split}_features"] = _read_h5(feature_file, "features")["features"]
    data.update(_read_vocab(base_dir / VOCAB_FILE))
    for split in ("train", "val"):
        data[f"{split}_urls"] = np.asarray(_read_lines(base_dir / f"{split}2014_urls.txt"))
    for split in ("train", "val"):
        data[f"{split}_captions"] = data[f"{split}_captions"].astype(np.int32)
        data[f"{split}_image_idxs"] = data[f"{split}_image_idxs"].astype(np.int32)
        data[f"{split}_features"] = data[f"{split}_features"].astype(np.float32)
    if max_train is not None:
        rng = np.random.default_rng(seed)
        picks = rng.integers(data["train_captions"].shape[0], size=max_train)
        data["train_captions"] = data["train_captions"][picks]
        data["train_image_idxs"] = data["train_image_idxs"][picks]
    return data


def sample_coco_minibatch(data: dict, batch_size: int = 100, split: str = "train",
                          rng: np.random.Generator | None = None):
    """Draws `batch_size` captions with their image features and URLs, as CS231n does.

    Returns:
        `(captions (N, T) int32, image_features (N, D) float32, urls (N,))`.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    picks = rng.choice(data[f"{split}_captions"].shape[0], batch_size)
    image_idxs = data[f"{split}_image_idxs"][picks]
    return (data[f"{split}_captions"][picks], data[f"{split}_features"][image_idxs],
            data[f"{split}_urls"][image_idxs])


def cs231n_elements(split: str, base_dir, max_train=None, pca_features=True):
    """`rnnlab.data.load("cs231n_coco", base_dir=...)`: one element per caption."""
    import tensorflow as tf

    if base_dir is None:
        raise DatasetNotFoundError(
            f"expected base_dir=PATH of CS231n's COCO folder, got none; {HOW_TO_GET}"
        )
    split = {"validation": "val"}.get(split, split)
    if split not in ("train", "val"):
        raise ValueError(f"expected a split of cs231n_coco in ['train', 'val'], got {split!r}")
    data = load_coco_data(base_dir, max_train=max_train, pca_features=pca_features)
    image_idxs = data[f"{split}_image_idxs"]
    arrays = {
        "features": data[f"{split}_features"][image_idxs],
        "captions": data[f"{split}_captions"],
        "image_idxs": image_idxs,
        "urls": data[f"{split}_urls"][image_idxs].astype(object),
    }
    vocab = Vocabulary(data["idx_to_word"], level="word")
    return tf.data.Dataset.from_tensor_slices(arrays), vocab, len(image_idxs)


def _require(found: dict, key: str, path: pathlib.Path) -> None:
    if key not in found:
        raise CorruptDataError(f"expected dataset {key!r} in {path}, got keys {sorted(found)}")


def _read_h5(path: pathlib.Path, required_key: str | None) -> dict[str, np.ndarray]:
    import h5py

    if not path.is_file():
        raise DatasetNotFoundError(f"expected file {path}, got no such file; {HOW_TO_GET}")
    try:
        with h5py.File(path, "r") as h5:
            arrays = {key: np.asarray(value) for key, value in h5.items()}
    except OSError as error:
        raise CorruptDataError(f"expected an HDF5 file at {path}, got unreadable data: {error}") from None
    if required_key is not None:
        _require(arrays, required_key, path)
    return arrays


def _read_vocab(path: pathlib.Path) -> dict:
    if not path.is_file():
        raise DatasetNotFoundError(f"expected file {path}, got no such file; {HOW_TO_GET}")
    try:
        vocab = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CorruptDataError(f"expected JSON in {path}, got unreadable data: {error}") from None
    for key in ("idx_to_word", "word_to_idx"):
        _require(vocab, key, path)
    return {"idx_to_word": vocab["idx_to_word"], "word_to_idx": vocab["word_to_idx"]}


def _read_lines(path: pathlib.Path) -> list[str]:
    if not path.is_file():
        raise DatasetNotFoundError(f"expected file {path}, got no such file; {HOW_TO_GET}")
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
