"""Building every synthetic dataset offline, then what the loaded data must satisfy.

All datasets are built once per session into a temporary TFDS_DATA_DIR, with
every socket call refused: a build that tried the network would fail here.
"""

import contextlib
import hashlib
import json
import os
import pathlib
import socket
import subprocess
import sys

import numpy as np
import pytest

from rnnlab.data import SYNTHETIC_DATASETS, ClassLabels, Vocabulary, builders, load, load_numpy

_network_attempts: list = []


@contextlib.contextmanager
def network_refused():
    """Makes every way of reaching the network raise, and records the attempts."""
    def refuse(*args, **kwargs):
        _network_attempts.append(args)
        raise OSError("network disabled by the test")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket.socket, "connect_ex", refuse)
        patch.setattr(socket, "create_connection", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        yield


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> pathlib.Path:
    """Every synthetic dataset, built offline once per session (shared by test modules)."""
    path = tmp_path_factory.getbasetemp() / "rnnlab_tfds"
    with network_refused():
        for name in SYNTHETIC_DATASETS:
            builders.build(name, path)
    return path


def test_builds_open_no_socket(data_dir):
    assert _network_attempts == []
    for name in SYNTHETIC_DATASETS:
        assert list((data_dir / name).glob("*/*/dataset_info.json")), name


def test_second_build_reuses_the_data(data_dir):
    report = builders.build("dates", data_dir)
    assert not report.built and report.seconds == 0.0


EXPECTED = {
    ("shapes_captions", ()): {
        "image": ((64, 64, 3), "float32"), "captions": ((20,), "int32"),
        "references": ((3, 20), "int32"), "caption_text": ((), "string"),
        "reference_text": ((3,), "string"), "token_objects": ((20,), "int32"),
        "token_boxes": ((20, 4), "int32"), "boxes": ((3, 4), "int32"),
        "num_objects": ((), "int32"), "segmentation": ((64, 64), "int32"),
    },
    ("shapes_captions", (("task", "vqa"),)): {
        "image": ((64, 64, 3), "float32"), "question": ((10,), "int32"),
        "answer": ((), "int32"), "question_text": ((), "string"), "answer_text": ((), "string"),
    },
    ("dates", ()): {
        "source": ((32,), "int32"), "target": ((12,), "int32"),
        "source_text": ((), "string"), "target_text": ((), "string"),
    },
    ("sentiment", ()): {
        "tokens": ((16,), "int32"), "length": ((), "int32"), "label": ((), "int32"),
        "text": ((), "string"), "construction": ((), "string"),
    },
    ("moving_shapes", ()): {
        "frames": ((16, 32, 32, 1), "float32"), "labels": ((16,), "int32"),
        "boxes": ((16, 4), "int32"),
    },
    ("long_range", ()): {
        "tokens": ((66,), "int32"), "label": ((), "int32"), "marker_position": ((), "int32"),
    },
    ("char_corpus", ()): {"inputs": ((100,), "int32"), "targets": ((100,), "int32")},
}


@pytest.mark.parametrize("name, options", [(name, dict(opts)) for name, opts in EXPECTED])
def test_load_gives_documented_keys_shapes_and_dtypes(data_dir, name, options):
    dataset, vocab = load(name, split="validation", batch_size=4, data_dir=data_dir, **options)
    batch = next(iter(dataset))
    expected = EXPECTED[(name, tuple(options.items()))]
    assert sorted(batch) == sorted(expected)
    for key, (shape, dtype) in expected.items():
        assert tuple(batch[key].shape) == (4, *shape), key
        assert batch[key].dtype.name == dtype, key
    assert isinstance(vocab, ClassLabels if name == "moving_shapes" else Vocabulary)


def _stored_digests(name, split, key, data_dir) -> set[bytes]:
    """Digests of one stored feature of every example of a split, read raw from tfds."""
    builder = builders.make_builder(name, data_dir)
    values = builder.as_dataset(split=split, shuffle_files=False).map(lambda e: e[key])
    return {hashlib.sha1(np.asarray(value).tobytes()).digest()
            for batch in values.batch(2048).as_numpy_iterator() for value in batch}


@pytest.mark.parametrize("name, key", [
    ("shapes_captions", "image"), ("dates", "source"), ("sentiment", "tokens"),
    ("moving_shapes", "frames"), ("long_range", "tokens"), ("char_corpus", "text"),
])
def test_splits_are_disjoint_and_have_no_repeats(data_dir, name, key):
    builder = builders.make_builder(name, data_dir)
    seen: set[bytes] = set()
    for split, info in builder.info.splits.items():
        digests = _stored_digests(name, split, key, data_dir)
        assert len(digests) == info.num_examples, f"{name}: {split} repeats an example"
        assert not digests & seen, f"{name}: {split} shares examples with an earlier split"
        seen |= digests


def test_dates_splits_share_no_calendar_date(data_dir):
    train, _ = load_numpy("dates", "train", data_dir=data_dir)
    test, _ = load_numpy("dates", "test", data_dir=data_dir)
    assert not set(train["target_text"]) & set(test["target_text"])


def test_vocabularies_round_trip_on_the_data(data_dir):
    dates, vocab = load_numpy("dates", "validation", data_dir=data_dir)
    for source, target, source_text, target_text in zip(
            dates["source"][:200], dates["target"][:200], dates["source_text"], dates["target_text"]):
        assert vocab.decode(target) == target_text.decode()
        assert vocab.decode(source) == source_text.decode()
        encoded = vocab.encode(source_text.decode())
        assert source[: len(encoded)].tolist() == encoded.tolist()
    sentiment, vocab = load_numpy("sentiment", "validation", data_dir=data_dir)
    for tokens, length, text in zip(sentiment["tokens"], sentiment["length"], sentiment["text"]):
        assert vocab.encode(text.decode()).tolist() == tokens[:length].tolist()
        assert vocab.unk not in tokens
    assert vocab.labels == ["negative", "positive"]
    shapes, vocab = load_numpy("shapes_captions", "validation", data_dir=data_dir)
    for references, texts in zip(shapes["references"][:100], shapes["reference_text"]):
        assert vocab.decode(references) == [t.decode() for t in texts]


def test_grounding_boxes_and_masks_match_the_drawn_pixels(data_dir):
    module = builders.builder_module("shapes_captions")
    data, vocab = load_numpy("shapes_captions", "test", data_dir=data_dir)
    images = np.round(data["image"] * 255).astype(np.uint8)
    background = np.array(module.BACKGROUND_RGB, np.uint8)
    for image, seg, boxes, count, captions, objects, token_boxes in zip(
            images, data["segmentation"], data["boxes"], data["num_objects"], data["captions"],
            data["token_objects"], data["token_boxes"]):
        assert (image[seg == 0] == background).all()
        words = [vocab.idx_to_token[i] for i in captions]
        centres = []
        for k in range(count):
            rows, cols = np.nonzero(seg == k + 1)
            assert boxes[k].tolist() == [rows.min(), cols.min(), rows.max() + 1, cols.max() + 1]
            colours = np.unique(image[rows, cols], axis=0)
            assert len(colours) == 1 and (colours[0] != background).any()
            centres.append((cols.min() + cols.max()) / 2)
            y0, x0, y1, x1 = boxes[k]
            assert (image[y0:y1, x0:x1] != background).any(axis=-1).sum() == len(rows)
        assert (boxes[count:] == -1).all()
        assert centres == sorted(centres), "objects are ordered left to right"
        for t, k in enumerate(objects):
            if k < 0:
                assert (token_boxes[t] == -1).all()
                continue
            assert (token_boxes[t] == boxes[k]).all()
            if words[t] in module.COLOURS:
                pixel = image[seg == k + 1][0]
                assert pixel.tolist() == list(module.COLOURS[words[t]])
            elif words[t] == "square":
                y0, x0, y1, x1 = boxes[k]
                assert (seg[y0:y1, x0:x1] == k + 1).all()
            else:
                assert words[t] in (*module.KINDS, *module.SIZE_FRACTIONS)


def test_options_build_their_own_variants(data_dir, tmp_path):
    dataset, vocab = load("long_range", split="test", batch_size=8, data_dir=data_dir, distance=10)
    batch = next(iter(dataset))
    assert batch["tokens"].shape == (8, 16)
    tokens = batch["tokens"].numpy()
    positions = batch["marker_position"].numpy()
    marker = vocab.token_to_idx["*"]
    assert (tokens[np.arange(8), positions] == marker).all()
    values = tokens[np.arange(8), positions + 1]
    assert [vocab.labels[i] for i in batch["label"].numpy()] == [vocab.idx_to_token[v] for v in values]

    text = "".join(f"line {i}: the quick brown fox jumps over the lazy dog.\n" for i in range(400))
    text_file = tmp_path / "my corpus.txt"
    text_file.write_text(text, encoding="utf-8")
    arrays, vocab = load_numpy("char_corpus", "train", data_dir=data_dir, text_file=text_file,
                               seq_length=50)
    assert arrays["inputs"].shape[1] == 50
    assert vocab.decode(arrays["inputs"][0]) == text[:50]
    assert (arrays["inputs"][:, 1:] == arrays["targets"][:, :-1]).all()
    valid, _ = load_numpy("char_corpus", "validation", data_dir=data_dir, text_file=text_file,
                          seq_length=50)
    assert vocab.decode(valid["inputs"][-1]) in text[int(0.85 * len(text)):]


_DIGEST_SCRIPT = """
import hashlib, json, sys
import numpy as np
from rnnlab.data import builders

def digest(value):
    value = np.asarray(value)
    if value.dtype == object or value.dtype.kind in "US":
        return "|".join(map(str, value.ravel().tolist())).encode()
    return value.tobytes() + str(value.dtype).encode() + str(value.shape).encode()

small = {"num_train": 60, "num_validation": 20, "num_test": 20}
result = {}
for name in builders.SYNTHETIC_DATASETS:
    module = builders.builder_module(name)
    config = module.DEFAULT_CONFIG
    fields = {f for f in small if hasattr(config, f)}
    if fields:
        config = type(config)(name="small", **{**{k: getattr(config, k) for k in
                 ("image_size", "num_frames", "distance") if hasattr(config, k)},
                 **{f: small[f] for f in fields}})
    hasher = hashlib.sha256()
    for split, examples in module.make_splits(config).items():
        for example in examples:
            if isinstance(example, str):
                hasher.update(example.encode())
            else:
                for key in sorted(example):
                    hasher.update(key.encode() + digest(example[key]))
    result[name] = hasher.hexdigest()
print(json.dumps(result))
"""


def test_same_seed_gives_identical_examples_across_processes():
    digests = []
    for hash_seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": hash_seed, "TF_CPP_MIN_LOG_LEVEL": "3"}
        completed = subprocess.run([sys.executable, "-c", _DIGEST_SCRIPT], env=environment,
                                   capture_output=True, text=True, timeout=300, check=True)
        digests.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    assert digests[0] == digests[1]
    assert sorted(digests[0]) == sorted(SYNTHETIC_DATASETS)


def test_a_loop_that_stops_mid_epoch_leaves_stderr_quiet(data_dir):
    """Training loops stop on a step budget; tf.data must not warn that a partial cache was
    thrown away (the loader turns tfds's auto-cache off)."""
    code = ("from rnnlab.data import load\n"
            f"ds, _ = load('dates', split='train', batch_size=8, data_dir={str(data_dir)!r})\n"
            "for _ in range(2):\n"
            "    for i, _ in enumerate(ds):\n"
            "        if i == 2:\n"
            "            break\n"
            "print('read')\n")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 0 and "read" in proc.stdout, proc.stderr[-2000:]
    assert "did not fully read the dataset being cached" not in proc.stderr
