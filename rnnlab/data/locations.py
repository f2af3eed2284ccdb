"""Where datasets are built (`TFDS_DATA_DIR`) and where their builders live (`datasets/`)."""

import os
import pathlib

import rnnlab

# The folder that holds the `rnnlab` package: the repository, or a student bundle.
PROJECT_ROOT = pathlib.Path(rnnlab.__file__).resolve().parent.parent


def default_data_dir() -> pathlib.Path:
    """The folder datasets are built into and read from.

    `$TFDS_DATA_DIR` when set; else `<repo>/.data/tfds` when `rnnlab` sits in the
    repository (or in a student bundle with `datasets/` beside it); else
    `~/.cache/rnnlab/tfds`.
    """
    from_environment = os.environ.get("TFDS_DATA_DIR")
    if from_environment:
        return pathlib.Path(from_environment).expanduser()
    if (PROJECT_ROOT / "pyproject.toml").is_file() or (PROJECT_ROOT / "datasets").is_dir():
        return PROJECT_ROOT / ".data" / "tfds"
    return pathlib.Path.home() / ".cache" / "rnnlab" / "tfds"


def datasets_dir() -> pathlib.Path:
    """The `datasets/` folder of tfds builders: `$RNNLAB_DATASETS_DIR`, else beside `rnnlab/`.

    Raises:
        FileNotFoundError: if the folder does not exist.
    """
    path = pathlib.Path(os.environ.get("RNNLAB_DATASETS_DIR") or PROJECT_ROOT / "datasets")
    path = path.expanduser()
    if not path.is_dir():
        raise FileNotFoundError(
            f"expected the dataset builders in a folder at {path}, got no such folder; "
            "set RNNLAB_DATASETS_DIR to the datasets/ folder shipped with the course"
        )
    return path
