"""Real tfds catalog datasets, read only if already on this machine (never downloaded).

`tfds.load(..., download=True)` on a machine without network retries for
minutes. Here a catalog dataset is found by looking for its prepared folder
(`<data_dir>/<name>/<config>/<version>/dataset_info.json`) in the course's data
dir and in tfds's own default folder, and read with
`tfds.builder_from_directory`, which never downloads. When it is absent, the
error comes at once and says how to get it.
"""

import os
import pathlib

from rnnlab.data import locations
from rnnlab.data.errors import DatasetNotFoundError

# Course name -> tfds name (with config).
CATALOG_DATASETS = {
    "tiny_shakespeare": "tiny_shakespeare",
    "coco_captions": "coco_captions",
    "ted_hrlr_translate/pt_to_en": "ted_hrlr_translate/pt_to_en",
}


def search_dirs(data_dir: str | pathlib.Path | None = None) -> list[pathlib.Path]:
    """Folders searched for prepared catalog datasets, in order, without repeats."""
    candidates = [pathlib.Path(data_dir) if data_dir else locations.default_data_dir()]
    if os.environ.get("TFDS_DATA_DIR"):
        candidates.append(pathlib.Path(os.environ["TFDS_DATA_DIR"]))
    candidates.append(pathlib.Path.home() / "tensorflow_datasets")  # tfds's own default
    unique = []
    for path in candidates:
        path = path.expanduser()
        if path not in unique:
            unique.append(path)
    return unique


def find_prepared(name: str, data_dir: str | pathlib.Path | None = None) -> pathlib.Path:
    """Returns the newest prepared version folder of a catalog dataset.

    Args:
        name: a key of `CATALOG_DATASETS`, e.g. `"ted_hrlr_translate/pt_to_en"`.
        data_dir: the folder searched first; default `locations.default_data_dir()`.

    Returns:
        The folder holding `dataset_info.json` and the record files.

    Raises:
        ValueError: if `name` is not a catalog dataset of the course.
        DatasetNotFoundError: if no searched folder holds it.
    """
    if name not in CATALOG_DATASETS:
        raise ValueError(f"expected a catalog dataset in {tuple(CATALOG_DATASETS)}, got {name!r}")
    tfds_name = CATALOG_DATASETS[name]
    roots = search_dirs(data_dir)
    for root in roots:
        dataset_dir = root / tfds_name
        versions = [
            child for child in (dataset_dir.iterdir() if dataset_dir.is_dir() else [])
            if (child / "dataset_info.json").is_file()
        ]
        # A dataset with configs has one more level: <name>/<config>/<version>.
        if not versions and dataset_dir.is_dir() and "/" not in tfds_name:
            versions = [
                version for config in dataset_dir.iterdir() if config.is_dir()
                for version in config.iterdir() if (version / "dataset_info.json").is_file()
            ]
        if versions:
            return max(versions, key=lambda path: _version_key(path.name))
    searched = ", ".join(str(root) for root in roots)
    raise DatasetNotFoundError(
        f"{name} is not in TFDS_DATA_DIR={roots[0]} (searched {searched}); on a machine "
        f"with network run: python -c \"import tensorflow_datasets as tfds; "
        f"tfds.load('{tfds_name}', data_dir='{roots[0]}')\" or copy its folder "
        f"{tfds_name}/ from a machine that has it into {roots[0]}"
    )


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (-1,)
