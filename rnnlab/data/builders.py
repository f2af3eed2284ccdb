"""The synthetic datasets' tfds builders: imported by file path, built offline.

The builders live in `datasets/<name>/<name>_dataset_builder.py` (tfds's own
folder convention). `datasets/` is no Python package (it would shadow Hugging
Face's `datasets`), so each module is imported from its file, with tfds's name
registry switched off (the names must not clash with tfds's catalog). Building
only ever calls `download_and_prepare()` of these local builders, which
generate everything from fixed seeds and never open a socket.
"""

import contextlib
import dataclasses
import importlib.util
import inspect
import io
import logging
import pathlib
import shutil
import sys
import time
import types

from rnnlab.data import locations
from rnnlab.data.errors import CorruptDataError

SYNTHETIC_DATASETS = (
    "shapes_captions", "dates", "sentiment", "moving_shapes", "long_range", "char_corpus",
)

_modules: dict[str, types.ModuleType] = {}


@dataclasses.dataclass
class BuildReport:
    """What `build` did for one dataset: `seconds` is 0 when it was already built."""

    name: str
    config_name: str
    path: pathlib.Path
    built: bool
    seconds: float


def builder_module(name: str) -> types.ModuleType:
    """Imports `datasets/<name>/<name>_dataset_builder.py` (once per process).

    Raises:
        ValueError: if `name` is not a synthetic dataset.
        FileNotFoundError: if the builder file is missing.
    """
    if name not in SYNTHETIC_DATASETS:
        raise ValueError(f"expected a synthetic dataset in {SYNTHETIC_DATASETS}, got {name!r}")
    path = locations.datasets_dir() / name / f"{name}_dataset_builder.py"
    module_name = f"{name}_dataset_builder"  # tfds infers the dataset name from it
    if module_name in _modules and pathlib.Path(_modules[module_name].__file__) == path:
        return _modules[module_name]
    if not path.is_file():
        raise FileNotFoundError(f"expected the builder of {name} at {path}, got no such file")
    import tensorflow_datasets as tfds

    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    with tfds.core.registered.skip_registration():
        spec.loader.exec_module(module)
    _modules[module_name] = module
    return module


def make_builder(name: str, data_dir: str | pathlib.Path | None = None, **options):
    """Returns the tfds builder of a synthetic dataset for the given options.

    Args:
        name: one of `SYNTHETIC_DATASETS`.
        data_dir: where datasets are built; default `locations.default_data_dir()`.
        **options: builder options, e.g. `distance=100` for long_range,
            `image_size=32` for shapes_captions, `text_file=PATH` for char_corpus.

    Returns:
        A `tfds.core.GeneratorBasedBuilder`, built or not.

    Raises:
        TypeError: for an option the dataset does not take.
        CorruptDataError: if the built dataset's metadata cannot be read.
    """
    module = builder_module(name)
    accepted = list(inspect.signature(module.Builder.config_from_options).parameters)
    unexpected = sorted(set(options) - set(accepted))
    if unexpected:
        raise TypeError(f"expected options of {name} among {accepted}, got {unexpected}")
    config = module.Builder.config_from_options(**options)
    data_dir = pathlib.Path(data_dir) if data_dir is not None else locations.default_data_dir()
    with quiet_tfds():
        try:
            return module.Builder(config=config, data_dir=str(data_dir))
        except Exception as error:  # noqa: BLE001 (tfds raises JSON, protobuf, OS errors)
            variant = data_dir / name / config.name
            raise CorruptDataError(
                f"expected readable metadata for {name} under {variant}, got "
                f"{type(error).__name__}: {error}; rebuild it with "
                f"`python -m rnnlab.data build {name} --force`"
            ) from None


def build(name: str, data_dir: str | pathlib.Path | None = None, force: bool = False,
          **options) -> BuildReport:
    """Builds one synthetic dataset into `data_dir` unless it is already there.

    Args:
        name: one of `SYNTHETIC_DATASETS`.
        data_dir: where to build; default `locations.default_data_dir()`.
        force: rebuild even when the dataset is already built.
        **options: builder options (see `make_builder`).

    Returns:
        A `BuildReport` with the build time.
    """
    try:
        builder = make_builder(name, data_dir, **options)
    except CorruptDataError:
        if not force:
            raise
        _remove_variant(name, data_dir, **options)
        builder = make_builder(name, data_dir, **options)
    path = pathlib.Path(builder.data_dir)
    with quiet_tfds():
        prepared = builder.is_prepared()
    if prepared and not force:
        return BuildReport(name, builder.builder_config.name, path, built=False, seconds=0.0)
    if force and path.exists():
        shutil.rmtree(path)
        builder = make_builder(name, data_dir, **options)
    import tensorflow_datasets as tfds

    started = time.perf_counter()
    download_config = tfds.download.DownloadConfig(
        compute_stats=tfds.download.ComputeStatsMode.SKIP,
        download_mode=tfds.download.GenerateMode.REUSE_DATASET_IF_EXISTS,
    )
    with quiet_tfds():
        builder.download_and_prepare(download_config=download_config)
    return BuildReport(name, builder.builder_config.name, path, built=True,
                       seconds=time.perf_counter() - started)


def _remove_variant(name: str, data_dir, **options) -> None:
    """Deletes a dataset's built folder for these options, readable or not."""
    config = builder_module(name).Builder.config_from_options(**options)
    data_dir = pathlib.Path(data_dir) if data_dir is not None else locations.default_data_dir()
    variant = data_dir / name / config.name
    if variant.exists():
        shutil.rmtree(variant)


@contextlib.contextmanager
def quiet_tfds():
    """Hides tfds's progress bars, logs and prints for the duration (restores them after)."""
    from tensorflow_datasets.core.utils import tqdm_utils

    absl_logger = logging.getLogger("absl")
    previous_level, previous_bars = absl_logger.level, tqdm_utils._active
    absl_logger.setLevel(logging.ERROR)
    tqdm_utils.display_progress_bar(False)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        absl_logger.setLevel(previous_level)
        tqdm_utils.display_progress_bar(previous_bars)
