"""CS231n's COCO layout: a tiny fixture written with h5py round-trips; bad folders get clear errors."""

import json

import h5py
import numpy as np
import pytest

from rnnlab.data import CorruptDataError, DatasetNotFoundError, load
from rnnlab.data.coco import load_coco_data, sample_coco_minibatch

WORDS = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "cat", "dog", "on", "mat"]


def write_fixture(base_dir, features_in_captions_file=False):
    """Writes 4 train and 2 val images with 2 captions each, 512-d features."""
    rng = np.random.default_rng(0)
    base_dir.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for split, num_images in (("train", 4), ("val", 2)):
        captions = np.zeros((2 * num_images, 17), np.int32)
        captions[:, 0], captions[:, 1:4], captions[:, 4] = 1, rng.integers(4, 9, (2 * num_images, 3)), 2
        arrays[f"{split}_captions"] = captions
        arrays[f"{split}_image_idxs"] = np.repeat(np.arange(num_images), 2).astype(np.int32)
        features = rng.normal(size=(num_images, 512)).astype(np.float32)
        if features_in_captions_file:
            arrays[f"{split}_features"] = features
        else:
            with h5py.File(base_dir / f"{split}2014_vgg16_fc7_pca.h5", "w") as h5:
                h5["features"] = features
        (base_dir / f"{split}2014_urls.txt").write_text(
            "".join(f"http://images.example/{split}/{i}.jpg\n" for i in range(num_images)))
    with h5py.File(base_dir / "coco2014_captions.h5", "w") as h5:
        for key, value in arrays.items():
            h5[key] = value
    (base_dir / "coco2014_vocab.json").write_text(json.dumps(
        {"idx_to_word": WORDS, "word_to_idx": {w: i for i, w in enumerate(WORDS)}}))
    return arrays


@pytest.mark.parametrize("features_in_captions_file", [False, True])
def test_fixture_round_trips(tmp_path, features_in_captions_file):
    arrays = write_fixture(tmp_path / "coco", features_in_captions_file)
    data = load_coco_data(tmp_path / "coco")
    assert sorted(data) == sorted([
        "train_captions", "train_image_idxs", "train_features", "val_captions", "val_image_idxs",
        "val_features", "idx_to_word", "word_to_idx", "train_urls", "val_urls"])
    assert (data["train_captions"] == arrays["train_captions"]).all()
    assert data["train_features"].shape == (4, 512) and data["train_features"].dtype == np.float32
    assert data["idx_to_word"] == WORDS and data["word_to_idx"]["cat"] == 5
    assert data["val_urls"].tolist() == ["http://images.example/val/0.jpg",
                                         "http://images.example/val/1.jpg"]
    captions, features, urls = sample_coco_minibatch(data, batch_size=3, split="val")
    assert captions.shape == (3, 17) and features.shape == (3, 512) and urls.shape == (3,)


def test_max_train_subsamples_deterministically(tmp_path):
    write_fixture(tmp_path / "coco")
    first = load_coco_data(tmp_path / "coco", max_train=5, seed=3)
    again = load_coco_data(tmp_path / "coco", max_train=5, seed=3)
    assert first["train_captions"].shape == (5, 17)
    assert (first["train_image_idxs"] == again["train_image_idxs"]).all()


def test_load_gives_one_element_per_caption(tmp_path):
    write_fixture(tmp_path / "coco")
    dataset, vocab = load("cs231n_coco", split="val", batch_size=4, shuffle=False,
                          base_dir=tmp_path / "coco")
    batch = next(iter(dataset))
    assert batch["features"].shape == (4, 512) and batch["captions"].shape == (4, 17)
    assert vocab.idx_to_token == WORDS and vocab.decode(batch["captions"][0].numpy()).count(" ") == 2


def test_missing_folder_and_file_are_named(tmp_path):
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / "absent")):
        load_coco_data(tmp_path / "absent")
    write_fixture(tmp_path / "coco")
    (tmp_path / "coco" / "val2014_urls.txt").unlink()
    with pytest.raises(FileNotFoundError, match="val2014_urls.txt"):
        load_coco_data(tmp_path / "coco")


def test_corrupt_h5_is_named(tmp_path):
    write_fixture(tmp_path / "coco")
    path = tmp_path / "coco" / "train2014_vgg16_fc7_pca.h5"
    path.write_bytes(b"this is not hdf5" * 10)
    with pytest.raises(CorruptDataError, match="train2014_vgg16_fc7_pca.h5"):
        load_coco_data(tmp_path / "coco")


def test_missing_dataset_inside_h5_is_named(tmp_path):
    write_fixture(tmp_path / "coco")
    with h5py.File(tmp_path / "coco" / "coco2014_captions.h5", "a") as h5:
        del h5["val_image_idxs"]
    with pytest.raises(CorruptDataError, match=r"'val_image_idxs'.*coco2014_captions.h5"):
        load_coco_data(tmp_path / "coco")


def test_corrupt_vocab_json_is_named(tmp_path):
    write_fixture(tmp_path / "coco")
    (tmp_path / "coco" / "coco2014_vocab.json").write_text("{ broken")
    with pytest.raises(CorruptDataError, match="coco2014_vocab.json"):
        load_coco_data(tmp_path / "coco")
