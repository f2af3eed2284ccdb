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


MIXED_POLICY = "mixed_bfloat16"


def use_mixed_precision(enable: bool = True) -> str:
    """Optional mixed precision for the experiments: weights stay float32, layers compute in
    bfloat16 (about twice as fast on recent GPUs, less memory).

    bfloat16 keeps float32's exponent range, so no loss scaling is needed and the notebooks'
    own training loops run unchanged. Call it at the top of a notebook, before building models;
    ``use_mixed_precision(False)`` goes back to float32. Layers built with an explicit
    ``dtype=`` (the checks and the grader do that) are not affected. On a GPU older than
    NVIDIA's Ampere generation bfloat16 is emulated and slower: leave it off there.

    Returns:
        The name of the global dtype policy now in effect.
    """
    import keras

    keras.mixed_precision.set_global_policy(MIXED_POLICY if enable else "float32")
    return keras.mixed_precision.global_policy().name


def apply_numeric_switches() -> None:
    """Applies ``TF_NUM_INTRAOP_THREADS`` and ``RNNLAB_EAGER=1`` (functions run eagerly) to
    this process's TensorFlow, if set; oneDNN follows ``TF_ENABLE_ONEDNN_OPTS`` by itself.

    They let the course's tests simulate another machine's float32 numerics; the
    grader's worker calls this before it loads a notebook. Call it before TensorFlow runs its
    first operation.
    """
    threads = int(os.environ.get("TF_NUM_INTRAOP_THREADS", "0") or 0)
    eager = os.environ.get("RNNLAB_EAGER", "0") not in ("", "0")
    if not threads and not eager:
        return
    import tensorflow as tf

    if threads:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
        except RuntimeError:  # TensorFlow is already initialised: it read the variable itself
            pass
    if eager:
        tf.config.run_functions_eagerly(True)
