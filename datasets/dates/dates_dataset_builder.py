"""dates: human-readable dates in many formats, each paired with its ISO form.

A character-level sequence-to-sequence task: the source is a date the way
people write it, the target is `YYYY-MM-DD`:

    "tuesday 3 march 1998"  -> "1998-03-03"
    "3/3/98"                -> "1998-03-03"   (month/day/two-digit year)
    "march 3rd, 1998"       -> "1998-03-03"
    "03.03.1998"            -> "1998-03-03"   (day.month.year)

Dates run from 1950-01-01 to 2049-12-31 (a two-digit year `yy` means 19yy when
yy >= 50, else 20yy). Every calendar date belongs to exactly one split, so the
test split holds dates never seen in training, in any format. Source and target
share one character vocabulary.
"""

import dataclasses
import datetime
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

SEED = 19980303
FIRST_DATE = datetime.date(1950, 1, 1)
LAST_DATE = datetime.date(2049, 12, 31)
SOURCE_LENGTH = 32  # `Ts`: characters, padded with <NULL>, no <START>/<END>
TARGET_LENGTH = 12  # `Tt`: <START>, 10 characters, <END>
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SPLIT_FRACTIONS = {"train": 0.8, "validation": 0.1, "test": 0.1}


def _ordinal(day: int) -> str:
    """`1` -> `1st`, `22` -> `22nd`, `13` -> `13th`."""
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def _fields(date: datetime.date) -> dict[str, str]:
    month = MONTHS[date.month - 1]
    weekday = WEEKDAYS[date.weekday()]
    return {
        "d": str(date.day), "dd": f"{date.day:02d}", "dth": _ordinal(date.day),
        "m": str(date.month), "mm": f"{date.month:02d}", "month": month, "mon": month[:3],
        "yyyy": str(date.year), "yy": f"{date.year % 100:02d}",
        "weekday": weekday, "wkd": weekday[:3],
    }


FORMATS = (
    "{weekday} {d} {month} {yyyy}",     # tuesday 3 march 1998
    "{m}/{d}/{yy}",                     # 3/3/98
    "{month} {dth}, {yyyy}",            # march 3rd, 1998
    "{d} {mon} {yyyy}",                 # 3 mar 1998
    "{dd}.{mm}.{yyyy}",                 # 03.03.1998
    "{mon} {d}, {yy}",                  # mar 3, 98
    "{weekday}, {month} {dth}, {yyyy}",  # tuesday, march 3rd, 1998
    "{dth} of {month} {yyyy}",          # 3rd of march 1998
    "{yyyy}/{mm}/{dd}",                 # 1998/03/03
    "{wkd} {d} {mon} {yy}",             # tue 3 mar 98
    "{month} {d} {yyyy}",               # march 3 1998
    "{d} {month} {yy}",                 # 3 march 98
    "{mm}/{dd}/{yyyy}",                 # 03/03/1998
    "{wkd}, {mon} {dth} {yyyy}",        # tue, mar 3rd 1998
)
VOCABULARY = tokens.make_vocabulary(
    "".join(MONTHS) + "".join(WEEKDAYS) + "0123456789" + " ,./-" + "stndrdth of"
)
TOKEN_TO_IDX = {token: idx for idx, token in enumerate(VOCABULARY)}


@dataclasses.dataclass(eq=False)
class DatesConfig(tfds.core.BuilderConfig):
    """Split sizes of dates."""

    num_train: int = 10000
    num_validation: int = 1000
    num_test: int = 1000


DEFAULT_CONFIG = DatesConfig(name="default", description="14 formats, 1950 to 2049")


class Builder(tfds.core.GeneratorBasedBuilder):
    """Builds dates; see the module docstring."""

    VERSION = tfds.core.Version("1.1.0")
    RELEASE_NOTES = {  # noqa: RUF012 (tfds convention)
        "1.0.0": "First release.",
        "1.1.0": "Split-aware sampling: one generator draws every split from its own dates.",
    }
    BUILDER_CONFIGS = [DEFAULT_CONFIG]  # noqa: RUF012 (tfds convention)

    @classmethod
    def config_from_options(cls) -> DatesConfig:
        """Returns the only config: dates takes no options."""
        return DEFAULT_CONFIG

    def _info(self) -> tfds.core.DatasetInfo:
        features = tfds.features.FeaturesDict({
            "source": tfds.features.Tensor(shape=(SOURCE_LENGTH,), dtype=np.int32),
            "target": tfds.features.Tensor(shape=(TARGET_LENGTH,), dtype=np.int32),
            "source_text": tfds.features.Text(),
            "target_text": tfds.features.Text(),
        })
        metadata = tfds.core.MetadataDict(
            vocabulary=VOCABULARY, level="char",
            source_length=SOURCE_LENGTH, target_length=TARGET_LENGTH,
        )
        return tfds.core.DatasetInfo(
            builder=self, description=__doc__, features=features, metadata=metadata,
        )

    def _split_generators(self, dl_manager):
        del dl_manager  # Everything is generated locally.
        by_split = make_splits(self.builder_config)
        return {name: self._generate_examples(examples) for name, examples in by_split.items()}

    def _generate_examples(self, examples):
        yield from enumerate(examples)


def format_date(date: datetime.date, date_format: str) -> str:
    """Writes `date` in one of `FORMATS`."""
    return date_format.format(**_fields(date))


def make_splits(config: DatesConfig = DEFAULT_CONFIG) -> dict[str, list[dict]]:
    """Generates every example of every split, as the builder stores them.

    Args:
        config: split sizes.

    Returns:
        A dict from split name to a list of feature dicts.
    """
    rng = np.random.default_rng(SEED)
    num_days = (LAST_DATE - FIRST_DATE).days + 1
    day_order = rng.permutation(num_days)
    days_of_split, start = {}, 0
    for split_name, fraction in SPLIT_FRACTIONS.items():
        stop = start + round(fraction * num_days)
        days_of_split[split_name], start = day_order[start:stop], stop

    def sample_example(rng, split_name):
        days = days_of_split[split_name]
        date = FIRST_DATE + datetime.timedelta(days=int(days[rng.integers(len(days))]))
        source = format_date(date, FORMATS[rng.integers(len(FORMATS))])
        target = date.isoformat()
        return {
            "source": tokens.to_padded_ids(source, TOKEN_TO_IDX, SOURCE_LENGTH),
            "target": tokens.to_padded_ids(target, TOKEN_TO_IDX, TARGET_LENGTH, add_start_end=True),
            "source_text": source,
            "target_text": target,
        }

    sizes = {"train": config.num_train, "validation": config.num_validation,
             "test": config.num_test}
    return splits.sample_disjoint_splits(
        sample_example, lambda example: example["source_text"], sizes, seed=SEED + 1,
    )
