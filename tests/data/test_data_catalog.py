"""tfds catalog datasets already on disk are read offline; fakes stand in for the real ones.

Each fake is a tiny builder with the catalog dataset's name, features and
splits, prepared into a temporary folder the way tfds would leave it.
"""

import numpy as np
import pytest
import tensorflow_datasets as tfds

from rnnlab.data import load, load_numpy

SHAKESPEARE = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n"

with tfds.core.registered.skip_registration():

    class FakeTinyShakespeare(tfds.core.GeneratorBasedBuilder):
        name = "tiny_shakespeare"
        VERSION = tfds.core.Version("1.0.0")

        def _info(self):
            return tfds.core.DatasetInfo(builder=self, features=tfds.features.FeaturesDict(
                {"text": tfds.features.Text()}))

        def _split_generators(self, dl_manager):
            return {"train": self._generate_examples(SHAKESPEARE * 20),
                    "validation": self._generate_examples(SHAKESPEARE * 3),
                    "test": self._generate_examples(SHAKESPEARE * 3)}

        def _generate_examples(self, text):
            yield 0, {"text": text}

    class FakeTed(tfds.core.GeneratorBasedBuilder):
        name = "ted_hrlr_translate"
        VERSION = tfds.core.Version("1.0.0")
        BUILDER_CONFIGS = [tfds.core.BuilderConfig(name="pt_to_en")]  # noqa: RUF012

        def _info(self):
            return tfds.core.DatasetInfo(builder=self, features=tfds.features.FeaturesDict(
                {"pt": tfds.features.Text(), "en": tfds.features.Text()}))

        def _split_generators(self, dl_manager):
            return {"train": self._generate_examples(30), "validation": self._generate_examples(5),
                    "test": self._generate_examples(5)}

        def _generate_examples(self, count):
            for i in range(count):
                yield i, {"pt": f"o gato {i} dorme .", "en": f"the cat {i} sleeps."}


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("catalog_tfds")
    for builder_class in (FakeTinyShakespeare, FakeTed):
        builder_class(data_dir=str(path)).download_and_prepare()
    return path


def test_tiny_shakespeare_reads_like_char_corpus(catalog_dir):
    arrays, vocab = load_numpy("tiny_shakespeare", "validation", data_dir=catalog_dir, seq_length=20)
    assert arrays["inputs"].shape[1] == 20 and vocab.level == "char"
    assert vocab.decode(arrays["inputs"][0]) == SHAKESPEARE[:20]
    assert (arrays["inputs"][:, 1:] == arrays["targets"][:, :-1]).all()


def test_ted_reads_like_dates_with_words(catalog_dir):
    dataset, vocab = load("ted_hrlr_translate/pt_to_en", split="test", batch_size=5,
                          shuffle=False, data_dir=catalog_dir, max_length=8)
    batch = next(iter(dataset))
    assert batch["source"].shape == (5, 8) and batch["target"].shape == (5, 8)
    assert sorted(vocab.decode(batch["target"].numpy())) == [f"the cat {i} sleeps ." for i in range(5)]
    assert sorted(vocab.decode(batch["source"].numpy())) == [f"o gato {i} dorme ." for i in range(5)]
    assert np.all(batch["target"].numpy()[:, 0] == vocab.start)
