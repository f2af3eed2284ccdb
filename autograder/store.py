"""Where compiled grading artifacts live: one module names, keys, finds and replaces them.

Two kinds of artifact are compiled from the instructor's sources and read by every grading
path: the **plan** of an assignment (:mod:`autograder.plan`: cases, points, reference values)
and its **known mistakes' values** (:mod:`autograder.mistakes`). Each is an ``.npz`` with a
``.json`` beside it, and lives in one of two places:

- **pinned**: a folder named by ``AUTOGRADER_PLAN_DIR`` holding ``<a>.npz`` and
  ``<a>.mistakes.npz`` (a Gradescope package, a batch that grades every student against the
  same values). Nothing is compiled then: what is not there does not exist.
- **cached**: ``.cache/autograder/<a>-plan-<key>.npz`` and ``<a>-mistakes-<key>.npz``, where the
  key is a digest of everything the artifact depends on; a new key replaces the older files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from autograder import paths

ENV = "AUTOGRADER_PLAN_DIR"
KINDS = ("plan", "mistakes")


def pinned_dir() -> Path | None:
    """The folder of pinned artifacts (``AUTOGRADER_PLAN_DIR``), if one is set."""
    folder = os.environ.get(ENV)
    return Path(folder) if folder else None


def pinned_path(kind: str, assignment: str, folder: Path | None = None) -> Path:
    """``<folder>/<a>.npz`` (a plan) or ``<folder>/<a>.mistakes.npz``."""
    _check(kind)
    folder = Path(folder) if folder is not None else pinned_dir()
    if folder is None:
        raise ValueError(f"no {ENV} is set")
    return folder / (f"{assignment}.npz" if kind == "plan" else f"{assignment}.mistakes.npz")


def cached_path(kind: str, assignment: str, key: str) -> Path:
    _check(kind)
    return paths.cache_dir() / f"{assignment}-{kind}-{key}.npz"


def replace_older(kind: str, assignment: str, keep: Path) -> None:
    """Removes the cached files of ``kind`` for ``assignment`` other than ``keep``."""
    for old in paths.cache_dir().glob(f"{assignment}-{kind}-*.npz"):
        if old != keep:
            old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)


def pin(kind: str, assignment: str, source: Path, folder: Path) -> None:
    """Copies a compiled artifact (and its ``.json``) into a pinned folder: copies, since the
    cache may change while the pinned folder is in use."""
    target = pinned_path(kind, assignment, folder)
    for src, dst in ((source, target), (source.with_suffix(".json"), target.with_suffix(".json"))):
        if src.exists():
            shutil.copyfile(src, dst)


def _check(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown artifact kind {kind!r}; one of {KINDS}")
