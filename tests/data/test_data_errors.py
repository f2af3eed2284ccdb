"""Bad input gets an error naming what and where, at once, never a deep tfds traceback."""

import pathlib
import shutil
import socket
import time

import pytest

from rnnlab.data import (
    DATASET_NAMES,
    CorruptDataError,
    DatasetNotFoundError,
    build,
    load,
    load_numpy,
)


@pytest.fixture(scope="module")
def long_range_copy(tmp_path_factory) -> pathlib.Path:
    """A freshly built long_range dataset in its own folder, ready to be damaged."""
    path = tmp_path_factory.mktemp("damaged_tfds")
    build("long_range", path, distance=5)
    return path


def _record_file(data_dir: pathlib.Path, split: str) -> pathlib.Path:
    version_dir = next((data_dir / "long_range" / "distance_5").glob("*/dataset_info.json")).parent
    return next(version_dir.glob(f"*-{split}.tfrecord*"))


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as error:
        load("shape_captions")
    assert "shape_captions" in str(error.value)
    for name in DATASET_NAMES:
        assert name in str(error.value)


def test_unknown_option_names_the_accepted_ones(tmp_path):
    with pytest.raises(TypeError, match=r"distance.*colour"):
        load("long_range", data_dir=tmp_path, colour="red")
    with pytest.raises(TypeError, match="seq_length"):
        load("tiny_shakespeare", data_dir=tmp_path, distance=3)


def test_bad_option_value(tmp_path):
    with pytest.raises(ValueError, match="expected distance"):
        load("long_range", data_dir=tmp_path, distance=-1)


def test_unknown_split_lists_the_splits(long_range_copy):
    with pytest.raises(ValueError, match=r"'train', 'validation', 'test'.*'dev'"):
        load("long_range", split="dev", data_dir=long_range_copy, distance=5)


def test_missing_text_file_names_the_path(tmp_path):
    missing = tmp_path / "nowhere" / "novel.txt"
    with pytest.raises(FileNotFoundError, match=str(missing)):
        load("char_corpus", data_dir=tmp_path, text_file=missing)


def test_text_file_that_is_not_utf8_names_the_file(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9 ".encode("latin-1") * 100)
    with pytest.raises(ValueError, match=r"UTF-8.*latin1.txt"):
        load("char_corpus", data_dir=tmp_path, text_file=bad)


def test_missing_catalog_dataset_fails_at_once_and_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TFDS_DATA_DIR", raising=False)

    def refuse(*args, **kwargs):
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for name in ("tiny_shakespeare", "coco_captions", "ted_hrlr_translate/pt_to_en"):
        started = time.perf_counter()
        with pytest.raises(DatasetNotFoundError) as error:
            load(name, data_dir=tmp_path / "tfds")
        assert time.perf_counter() - started < 2.0
        message = str(error.value)
        assert str(tmp_path / "tfds") in message and f"tfds.load('{name}'" in message


def test_truncated_record_file_is_named(long_range_copy, tmp_path):
    data_dir = tmp_path / "tfds"
    shutil.copytree(long_range_copy, data_dir)
    record = _record_file(data_dir, "test")
    record.write_bytes(record.read_bytes()[:-100])
    with pytest.raises(CorruptDataError, match=str(record)):
        load("long_range", split="test", data_dir=data_dir, distance=5)


def test_flipped_bytes_are_reported_by_load_numpy(long_range_copy, tmp_path):
    data_dir = tmp_path / "tfds"
    shutil.copytree(long_range_copy, data_dir)
    record = _record_file(data_dir, "validation")
    data = bytearray(record.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 8] = b"\xff" * 8
    record.write_bytes(bytes(data))
    with pytest.raises(CorruptDataError, match="long_range.*build long_range --force"):
        load_numpy("long_range", "validation", data_dir=data_dir, distance=5)


def test_missing_record_file_is_named(long_range_copy, tmp_path):
    data_dir = tmp_path / "tfds"
    shutil.copytree(long_range_copy, data_dir)
    record = _record_file(data_dir, "train")
    record.unlink()
    with pytest.raises(CorruptDataError, match=str(record)):
        load("long_range", split="train", data_dir=data_dir, distance=5)


def test_unreadable_dataset_info_is_named_and_force_rebuilds(long_range_copy, tmp_path):
    data_dir = tmp_path / "tfds"
    shutil.copytree(long_range_copy, data_dir)
    info = next((data_dir / "long_range" / "distance_5").glob("*/dataset_info.json"))
    info.write_text("{ not json")
    with pytest.raises(CorruptDataError, match="long_range"):
        load("long_range", data_dir=data_dir, distance=5)
    report = build("long_range", data_dir, force=True, distance=5)
    assert report.built
    dataset, _ = load("long_range", split="test", data_dir=data_dir, distance=5, batch_size=2)
    assert next(iter(dataset))["tokens"].shape == (2, 11)
