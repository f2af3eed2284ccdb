"""sentiment: review sentences whose label depends on word order and negation.

Sentences come from a small grammar in which the same bag of words can carry
either label, so a bag-of-words classifier stays near chance on most of them
while a recurrent model that reads in order gets them right (many-to-one):

    "the plot was not bad"                              -> positive (negation)
    "the film was good but boring"                      -> negative (after "but" wins)
    "the film was boring but good"                      -> positive
    "although the acting was dull , the music was fun"  -> positive (main clause)
    "the music was fun , although the acting was dull"  -> positive (main clause)
    "the film was not only good but also moving"        -> positive ("not only" is no negation)

Each example records its `construction` (single, but, although_first,
although_last, and, not_only) so accuracy can be broken down by it.
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

SEED = 1234567
SENTENCE_LENGTH = 16  # `T`: words, padded with <NULL>, no <START>/<END>
LABELS = ("negative", "positive")
POSITIVE = ("good", "great", "moving", "fun", "clever", "charming", "brilliant", "funny",
            "gripping", "beautiful")
NEGATIVE = ("bad", "boring", "dull", "awful", "weak", "bland", "clumsy", "tedious", "silly",
            "messy")
SUBJECTS = ("film", "movie", "plot", "acting", "script", "ending", "story", "cast", "music",
            "dialogue")
VERBS = ("was", "is")
NEGATION_PROBABILITY = 0.4
INTENSIFIER_PROBABILITY = 0.2
# Constructions and how often they occur. In all but "single", "and" and
# "not_only", swapping the two clauses keeps the bag of words and flips the label.
CONSTRUCTIONS = {
    "single": 0.10, "but": 0.35, "although_first": 0.15, "although_last": 0.15,
    "and": 0.10, "not_only": 0.15,
}
VOCABULARY = tokens.make_vocabulary(
    [*POSITIVE, *NEGATIVE, *SUBJECTS, *VERBS,
     "the", "not", "very", "but", "although", ",", "and", "only", "also"]
)
TOKEN_TO_IDX = {token: idx for idx, token in enumerate(VOCABULARY)}


@dataclasses.dataclass(eq=False)
class SentimentConfig(tfds.core.BuilderConfig):
    """Split sizes of sentiment."""

    num_train: int = 8000
    num_validation: int = 1000
    num_test: int = 1000


DEFAULT_CONFIG = SentimentConfig(name="default", description="order- and negation-dependent")


class Builder(tfds.core.GeneratorBasedBuilder):
    """Builds sentiment; see the module docstring."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}  # noqa: RUF012 (tfds convention)
    BUILDER_CONFIGS = [DEFAULT_CONFIG]  # noqa: RUF012 (tfds convention)

    @classmethod
    def config_from_options(cls) -> SentimentConfig:
        """Returns the only config: sentiment takes no options."""
        return DEFAULT_CONFIG

    def _info(self) -> tfds.core.DatasetInfo:
        features = tfds.features.FeaturesDict({
            "tokens": tfds.features.Tensor(shape=(SENTENCE_LENGTH,), dtype=np.int32),
            "length": tfds.features.Scalar(dtype=np.int32),
            "label": tfds.features.ClassLabel(names=LABELS),
            "text": tfds.features.Text(),
            "construction": tfds.features.Text(),
        })
        metadata = tfds.core.MetadataDict(
            vocabulary=VOCABULARY, level="word", labels=list(LABELS),
            sentence_length=SENTENCE_LENGTH,
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


def make_splits(config: SentimentConfig = DEFAULT_CONFIG) -> dict[str, list[dict]]:
    """Generates every example of every split, as the builder stores them.

    Args:
        config: split sizes.

    Returns:
        A dict from split name to a list of feature dicts.
    """
    sizes = {"train": config.num_train, "validation": config.num_validation,
             "test": config.num_test}
    return splits.sample_disjoint_splits(
        lambda rng, split: sample_sentence(rng), lambda example: example["text"], sizes, seed=SEED,
    )


def sample_sentence(rng: np.random.Generator) -> dict:
    """Draws one labelled sentence."""
    label = int(rng.integers(2))
    polarity = 1 if label == 1 else -1
    names = list(CONSTRUCTIONS)
    construction = names[rng.choice(len(names), p=list(CONSTRUCTIONS.values()))]
    words = _sentence_words(rng, construction, polarity)
    return {
        "tokens": tokens.to_padded_ids(words, TOKEN_TO_IDX, SENTENCE_LENGTH),
        "length": np.int32(len(words)),
        "label": label,
        "text": " ".join(words),
        "construction": construction,
    }


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[rng.integers(len(options))]


def _adjective(rng: np.random.Generator, polarity: int) -> str:
    return _pick(rng, POSITIVE if polarity > 0 else NEGATIVE)


def _phrase(rng: np.random.Generator, polarity: int) -> list[str]:
    """An adjective phrase of the given polarity, negated or not: "not very dull"."""
    negated = rng.random() < NEGATION_PROBABILITY
    intensified = rng.random() < INTENSIFIER_PROBABILITY
    words = ["not"] if negated else []
    words += ["very"] if intensified else []
    return words + [_adjective(rng, -polarity if negated else polarity)]


def _clause(rng: np.random.Generator, polarity: int) -> list[str]:
    """A clause "the plot was not bad" of the given polarity."""
    return ["the", _pick(rng, SUBJECTS), _pick(rng, VERBS), *_phrase(rng, polarity)]


def _sentence_words(rng: np.random.Generator, construction: str, polarity: int) -> list[str]:
    """The words of a sentence whose overall polarity is `polarity`."""
    if construction == "single":
        return _clause(rng, polarity)
    if construction == "but":
        second = _phrase(rng, polarity) if rng.random() < 0.5 else _clause(rng, polarity)
        return [*_clause(rng, -polarity), "but", *second]
    if construction == "although_first":
        return ["although", *_clause(rng, -polarity), ",", *_clause(rng, polarity)]
    if construction == "although_last":
        return [*_clause(rng, polarity), ",", "although", *_clause(rng, -polarity)]
    if construction == "and":
        return [*_clause(rng, polarity), "and", *_phrase(rng, polarity)]
    if construction == "not_only":
        subject, verb = _pick(rng, SUBJECTS), _pick(rng, VERBS)
        return ["the", subject, verb, "not", "only", _adjective(rng, polarity),
                "but", "also", _adjective(rng, polarity)]
    raise ValueError(f"expected a construction in {tuple(CONSTRUCTIONS)}, got {construction!r}")
