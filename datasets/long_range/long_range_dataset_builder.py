"""long_range: a marker early in a long sequence decides the label at the end.

Each sequence is `T = distance + 6` symbols drawn from `a` to `h` with one
marker `*`; the symbol right after the marker (`a` or `b`) is the label. The
same symbols keep coming as noise, so the model must notice the marker, store
the next symbol and hold it unchanged to the end:

    "c f * b g a h d ... e a c"  -> "b"

In the validation and test splits the marker sits in the first 5 positions, so
at least `distance` symbols follow the value. In the train split it sits
anywhere, so the rule can be found on short gaps and must then be carried to
long ones. At the default distance (60) an LSTM reaches ~100% on the test split
within a few epochs on a CPU while a vanilla RNN (`keras.layers.SimpleRNN`)
stays near chance (the lstm assignment shows both). The distance is a
builder option: `rnnlab.data.load("long_range", distance=100)`.
"""

import dataclasses
import importlib.util
import pathlib
import sys

import numpy as np
import tensorflow_datasets as tfds


def import_shared(module_name: str):
    """Imports `datasets/shared/<module_name>.py` by path (datasets/ is no package)."""
    full_name = f"rnnlab_datasets_shared.{module_name}"
    if full_name not in sys.modules:
        path = pathlib.Path(__file__).resolve().parent.parent / "shared" / f"{module_name}.py"
        spec = importlib.util.spec_from_file_location(full_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[full_name] = module
        spec.loader.exec_module(module)
    return sys.modules[full_name]


tokens = import_shared("tokens")
splits = import_shared("splits")

SEED = 314159
DEFAULT_DISTANCE = 60
MARKER = "*"
SYMBOLS = tuple("abcdefgh")  # noise symbols; the first NUM_CLASSES are also values
NUM_CLASSES = 2
LABELS = SYMBOLS[:NUM_CLASSES]
MARKER_WINDOW = 5  # the marker sits in positions 0 .. MARKER_WINDOW - 1
VOCABULARY = tokens.make_vocabulary([MARKER, *SYMBOLS])
TOKEN_TO_IDX = {token: idx for idx, token in enumerate(VOCABULARY)}


@dataclasses.dataclass(eq=False)
class LongRangeConfig(tfds.core.BuilderConfig):
    """Distance and split sizes of long_range."""

    distance: int = DEFAULT_DISTANCE
    num_train: int = 4000
    num_validation: int = 500
    num_test: int = 500


DEFAULT_CONFIG = LongRangeConfig(
    name=f"distance_{DEFAULT_DISTANCE}", description=f"distance {DEFAULT_DISTANCE}"
)


class Builder(tfds.core.GeneratorBasedBuilder):
    """Builds long_range; see the module docstring."""

    VERSION = tfds.core.Version("1.1.0")
    RELEASE_NOTES = {  # noqa: RUF012 (tfds convention)
        "1.0.0": "First release.",
        "1.1.0": "Train split puts the marker anywhere; default distance 60.",
    }
    BUILDER_CONFIGS = [DEFAULT_CONFIG]  # noqa: RUF012 (tfds convention)

    @classmethod
    def config_from_options(cls, distance: int = DEFAULT_DISTANCE) -> LongRangeConfig:
        """Returns the config whose value is followed by at least `distance` symbols."""
        if not isinstance(distance, int) or not 1 <= distance <= 10000:
            raise ValueError(f"expected distance an int in [1, 10000], got {distance!r}")
        if distance == DEFAULT_DISTANCE:
            return DEFAULT_CONFIG
        return LongRangeConfig(
            name=f"distance_{distance}", description=f"distance {distance}", distance=distance,
        )

    def _info(self) -> tfds.core.DatasetInfo:
        length = sequence_length(self.builder_config.distance)
        features = tfds.features.FeaturesDict({
            "tokens": tfds.features.Tensor(shape=(length,), dtype=np.int32),
            "label": tfds.features.ClassLabel(names=LABELS),
            "marker_position": tfds.features.Scalar(dtype=np.int32),
        })
        metadata = tfds.core.MetadataDict(
            vocabulary=VOCABULARY, level="char", labels=list(LABELS),
            distance=self.builder_config.distance,
        )
        return tfds.core.DatasetInfo(
            builder=self, description=__doc__, features=features, metadata=metadata,
            supervised_keys=("tokens", "label"),
        )

    def _split_generators(self, dl_manager):
        del dl_manager  # Everything is generated locally.
        by_split = make_splits(self.builder_config)
        return {name: self._generate_examples(examples) for name, examples in by_split.items()}

    def _generate_examples(self, examples):
        yield from enumerate(examples)


def sequence_length(distance: int) -> int:
    """The length `T` of every sequence for a given distance."""
    return distance + MARKER_WINDOW + 1


def make_splits(config: LongRangeConfig = DEFAULT_CONFIG) -> dict[str, list[dict]]:
    """Generates every example of every split, as the builder stores them.

    Args:
        config: distance and split sizes.

    Returns:
        A dict from split name to a list of feature dicts.
    """
    sizes = {"train": config.num_train, "validation": config.num_validation,
             "test": config.num_test}
    length = sequence_length(config.distance)
    return splits.sample_disjoint_splits(
        lambda rng, split: sample_sequence(rng, length, early_marker=split != "train"),
        lambda example: example["tokens"].tobytes(),
        sizes, seed=SEED + config.distance,
    )


def sample_sequence(rng: np.random.Generator, length: int, early_marker: bool) -> dict:
    """Draws one sequence of `length` token ids with its label.

    Args:
        rng: the generator.
        length: `T`.
        early_marker: put the marker in the first `MARKER_WINDOW` positions (the
            validation and test splits), else anywhere but last (the train split).
    """
    symbol_ids = np.array([TOKEN_TO_IDX[symbol] for symbol in SYMBOLS], dtype=np.int32)
    sequence = symbol_ids[rng.integers(len(SYMBOLS), size=length)]
    label = int(rng.integers(NUM_CLASSES))
    position = int(rng.integers(MARKER_WINDOW if early_marker else length - 1))
    sequence[position] = TOKEN_TO_IDX[MARKER]
    sequence[position + 1] = TOKEN_TO_IDX[LABELS[label]]
    return {"tokens": sequence, "label": label, "marker_position": np.int32(position)}
