"""Numeric gradients by central differences, for checking backward passes by hand.

Use them in float64 only: in float32 the difference quotient is dominated by rounding noise.
"""

from __future__ import annotations

import numpy as np


def numeric_gradient(f, x, upstream=None, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of ``sum(f(x) * upstream)`` with respect to ``x``.

    Args:
        f: a function of one array returning an array (tensor or numpy) of any shape.
        x: the point, a float64 array (copied, never modified).
        upstream: the upstream gradient, shaped like ``f(x)`` (ones by default).
        h: the step.

    Returns:
        An array shaped like ``x``.

    Example:
        >>> dx_num = numeric_gradient(lambda x: rnn_step_forward(x, h, Wx, Wh, b), x, dnext_h)
    """
    x = np.array(x, dtype=np.float64)
    if upstream is not None:
        upstream = np.asarray(upstream, dtype=np.float64)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = np.asarray(f(x), dtype=np.float64)
        x[i] = old - h
        minus = np.asarray(f(x), dtype=np.float64)
        x[i] = old
        diff = plus - minus
        grad[i] = np.sum(diff * upstream if upstream is not None else diff) / (2 * h)
    return grad
