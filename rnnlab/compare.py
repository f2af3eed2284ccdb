"""Comparing computed values with expected ones: the one tolerance policy of the suite.

Both the visible checks in the notebooks and the autograder's hidden tests go through
:func:`compare_arrays`, so a student sees exactly the rule they are graded by.

Tolerance policy
----------------
**Expected values are the float64 truth.** A float64 case's expected values are the reference
solution's float64 results. A float32 case's expected values are *not* the reference's own
float32 results: those differ from CPU to CPU and setting to setting (oneDNN kernels, AVX-512
against AVX2, the number of threads, eager against ``tf.function``) by a few float32 epsilons
times the array's largest value, so a fixture computed on one machine would fail correct code
on another. They are the results of the same case computed in float64 on the same inputs
(:func:`rnnlab.cases.truth_case`), and a float32 result is compared with that truth: the
question is "is this a correct float32 computation of the right function?", which every
correct idiom answers yes to, whichever order it sums in.

Floating-point values are compared with CS231n's relative error,

    err_i = |got_i - expected_i| / max(|got_i| + |expected_i|, floor)

where ``floor = max(SCALE_FLOOR[dtype] * max_j |expected_j|, ATOL[dtype])`` keeps entries
that are tiny next to the rest of the array (or exactly zero) from turning rounding noise into
a large relative error: they are compared in absolute terms, against the array's scale. A value
passes when ``max_i err_i <= RTOL[dtype]``, the dtype being that of the case's inputs:

- float64: ``RTOL`` 1e-7, ``SCALE_FLOOR`` 1e-3. float64 autodiff and a hand-written backward
  pass agree to about 1e-14, so this is strict: it is what catches wrong code.
- float32: ``RTOL`` 1e-3, ``SCALE_FLOOR`` 3e-2, so an entry may be off by up to
  ``3e-5 * max |expected|`` (about 250 float32 epsilons times the array's largest value) or by
  0.2% of its own size. That is wide on purpose. Measured on every float32 case of every
  assignment (oneDNN on and off, one and two threads, eager and ``tf.function``), the float32
  results of the solutions and of a corpus of correct alternative implementations score at most 3.1e-5 under this rule (a
  VQA model's attention gradients and an LSTM with saturated gates, small next to the terms
  they sum; 2026-12-01): the tolerance is 32 times that. Compiling a plan refuses any case where the
  reference itself does not pass at ``RTOL / MARGIN`` (:data:`MARGIN` = 10), so every graded
  case keeps at least that margin on the machine that compiled it. Mistakes change values by
  far more than 0.2%, and the strict float64 cases, which every unit with hand-written math
  has, are what tell subtle ones apart.

Integer and boolean values (sampled token ids, predictions) must match exactly. Shapes must
match exactly, NaN or Inf fail unless expected, and a float result must come back in the
dtype of the case's inputs (float32 for a float32 case, even though the truth is float64).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Largest accepted relative error, by the dtype of the case's inputs.
RTOL = {"float64": 1e-7, "float32": 1e-3, "float16": 2e-2, "bfloat16": 5e-2}
# Denominator floor, by dtype: entries below it are compared in absolute terms.
ATOL = {"float64": 1e-12, "float32": 1e-6, "float16": 1e-3, "bfloat16": 1e-2}
# Share of the array's largest magnitude below which entries count as "tiny", by dtype.
SCALE_FLOOR = {"float64": 1e-3, "float32": 3e-2, "float16": 5e-2, "bfloat16": 5e-2}
# Dtypes whose expected values are a float64 truth (see rnnlab.cases.truth_case).
LOW_PRECISION = ("float32", "float16", "bfloat16")
# How far inside the tolerance the reference's own low-precision run must land (plan compile).
MARGIN = 10.0


def rel_error(x, y) -> float:
    """CS231n's relative error: ``max |x - y| / max(1e-8, |x| + |y|)``.

    Kept for the notebooks' own explorations (numeric gradient checks); the grading rule
    is :func:`relative_errors` with the policy described in the module docstring.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def relative_errors(got: np.ndarray, expected: np.ndarray, dtype: str) -> np.ndarray:
    """Elementwise relative errors under the suite's policy (see the module docstring)."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    floor = max(SCALE_FLOOR.get(dtype, SCALE_FLOOR["float32"]) * scale,
                ATOL.get(dtype, ATOL["float32"]))
    with np.errstate(over="ignore", invalid="ignore"):  # values near the float64 maximum
        errors = np.abs(got - expected) / np.maximum(np.abs(got) + np.abs(expected), floor)
    return np.where(np.isnan(errors), np.inf, errors)  # inf / inf: as far off as can be


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing one named value.

    Attributes:
        key: the value's name (``"h"``, ``"dWx"``, ``"loss"``).
        ok: whether it passed.
        message: one line saying what was compared and, on failure, what is wrong and where.
        max_error: the largest relative error (0 for exact comparisons, inf when not comparable).
    """

    key: str
    ok: bool
    message: str
    max_error: float = 0.0


def _fmt_index(index: tuple) -> str:
    return "(" + ", ".join(str(int(i)) for i in index) + ("," if len(index) == 1 else "") + ")"


def _fmt_value(v) -> str:
    return f"{float(v):.6g}" if np.issubdtype(np.asarray(v).dtype, np.floating) else str(v)


def required_dtype(expected: np.ndarray, dtype: str) -> str:
    """The dtype a float result must have: the case's, when its truth is float64."""
    if expected.dtype == np.float64 and dtype in LOW_PRECISION:
        return dtype
    return str(expected.dtype)


def compare_arrays(key: str, got, expected: np.ndarray, dtype: str, rtol: float | None = None,
                   margin: float = 1.0):
    """Compares one returned value with the expected one.

    Args:
        key: the value's name, used in the message.
        got: what the code under test returned (already a numpy array, or None if missing).
        expected: the expected array (for a float32 case, its float64 truth).
        dtype: the floating dtype of the case's inputs (``"float32"``, ``"float64"``): it
            selects the tolerance and is the dtype a float result must have.
        rtol: overrides the policy's tolerance for this value.
        margin: divides the tolerance (plan compilation holds the reference to ``MARGIN``).

    Returns:
        A :class:`Comparison`.
    """
    expected = np.asarray(expected)
    if got is None:
        return Comparison(key, False, f"{key}: missing (no value was returned for it)", np.inf)
    got = np.asarray(got)
    if got.dtype.kind not in "biuf":
        return Comparison(
            key, False, f"{key}: expected numbers, got values of dtype {got.dtype}", np.inf
        )
    if got.shape != expected.shape:
        return Comparison(
            key,
            False,
            f"{key}: expected shape {tuple(expected.shape)}, got {tuple(got.shape)}",
            np.inf,
        )
    if expected.dtype.kind in "biu":
        if got.dtype.kind not in "biu":
            return Comparison(key, False, f"{key}: expected integers, got {got.dtype}", np.inf)
        wrong = got != expected
        if wrong.any():
            idx = np.unravel_index(int(np.argmax(wrong)), wrong.shape) if wrong.ndim else ()
            return Comparison(
                key,
                False,
                f"{key}: {int(wrong.sum())} of {wrong.size} values differ; first at index "
                f"{_fmt_index(idx)}: expected {expected[idx]}, got {got[idx]}",
                np.inf,
            )
        return Comparison(key, True, f"{key}: all {expected.size} values match exactly")

    if got.dtype.kind != "f":
        return Comparison(key, False, f"{key}: expected {expected.dtype} values, got {got.dtype}",
                          np.inf)
    want = required_dtype(expected, dtype)
    if str(got.dtype) != want:
        return Comparison(
            key,
            False,
            f"{key}: expected dtype {want} (the dtype of the inputs), got {got.dtype}; "
            "don't hard-code a dtype",
            np.inf,
        )
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if bad.any():
        idx = np.unravel_index(int(np.argmax(bad)), bad.shape) if bad.ndim else ()
        return Comparison(
            key,
            False,
            f"{key}: contains {_fmt_value(got[idx])} at index {_fmt_index(idx)} "
            f"({int(bad.sum())} non-finite values in all)",
            np.inf,
        )
    tol = (RTOL.get(dtype, RTOL["float32"]) if rtol is None else rtol) / margin
    errors = relative_errors(np.where(np.isfinite(got), got, 0), np.where(np.isfinite(expected), expected, 0), dtype)
    if errors.size == 0:
        return Comparison(key, True, f"{key}: empty, as expected")
    worst = float(np.max(errors))
    if worst <= tol:
        return Comparison(key, True, f"{key}: max relative error {worst:.1e} (tolerance {tol:.0e})",
                          worst)
    idx = np.unravel_index(int(np.argmax(errors)), errors.shape) if errors.ndim else ()
    n_bad = int(np.sum(errors > tol))
    return Comparison(
        key,
        False,
        f"{key}: max relative error {worst:.1e} > {tol:.0e} at index {_fmt_index(idx)}: "
        f"expected {_fmt_value(expected[idx])}, got {_fmt_value(got[idx])} "
        f"({n_bad} of {errors.size} values off)",
        worst,
    )


def compare_outputs(got: dict, expected: dict, dtype: str, rtol: dict | None = None,
                    margin: float = 1.0):
    """Compares every expected value (by name) with what came back.

    Returns:
        A list of :class:`Comparison`, one per expected key, in the expected dict's order.
    """
    rtol = rtol or {}
    return [
        compare_arrays(key, got.get(key), value, dtype, rtol.get(key), margin)
        for key, value in expected.items()
    ]
