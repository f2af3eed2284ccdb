"""Run-time switches shared by the notebooks."""

from __future__ import annotations

import os


def fast_mode() -> bool:
    """True when ``RNNLAB_FAST=1``: experiments shrink to a smoke test (used by CI and nbgrader
    tests, which execute whole notebooks). Students never need to set it."""
    return os.environ.get("RNNLAB_FAST", "") not in ("", "0")


def scaled(full: int, fast: int) -> int:
    """``full`` normally, ``fast`` in fast mode (numbers of steps, epochs, examples)."""
    return fast if fast_mode() else full
