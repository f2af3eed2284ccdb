"""Errors raised by `rnnlab.data`, each naming what is wrong and where."""


class DatasetNotFoundError(FileNotFoundError):
    """A real dataset (tfds catalog, COCO) is not on this machine; says how to get it."""


class CorruptDataError(ValueError):
    """A data file exists but cannot be read; names the file and how to rebuild it."""
