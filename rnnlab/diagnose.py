"""Naming a mistake from how the values differ, with no list of mistakes.

The declared known mistakes (instructors' lists, matched value for value) name the mistakes
someone thought of. Many mistakes students make leave a mark on the values that needs no
list: a mean where a sum belongs makes every value exactly ``1/N`` of the right one; a
missing tanh makes ``tanh(yours)`` the right values; a state that is not carried makes the
first time step right and every later one wrong; an ignored mask makes the values wrong only
at the padded positions; an unstable softmax makes ``inf`` or ``nan`` where the right values
are finite. :func:`relation_hints` looks for such relations between the values a student's
code returned and the expected ones, on every case that failed, and says what they suggest.

It only compares the student's values with the expected ones (and looks at the case's inputs
for sizes and masks), so it reveals nothing the comparison does not, and it runs the same in
the visible checks and in the grader (:func:`rnnlab.evaluate.evaluate_unit` calls it).

A relation is reported for a value only when it holds on every failed case where that value
is off (the same kind of relation each time), within the case's tolerance: a hint is a
finding about the values, phrased as what it likely means.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from rnnlab.compare import RTOL, relative_errors

# How many values' findings one unit's feedback lists.
SHOWN_HINTS = 2
MASK_NAMES = ("mask", "source_mask", "target_mask")


@dataclass(frozen=True)
class Finding:
    """A relation found between one value a student returned and the expected one.

    Attributes:
        kind: what relation (two cases agree when their kinds are equal), e.g. ``"scale 1/N"``.
        text: what it says to the student (without the value's name).
    """

    kind: str
    text: str


def _tol(dtype: str) -> float:
    return RTOL.get(dtype, RTOL["float32"])


def _close(candidate, expected: np.ndarray, dtype: str) -> bool:
    """``candidate`` (computed from the student's values) equals ``expected`` within the case's
    tolerance, everywhere."""
    candidate = np.asarray(candidate, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if candidate.shape != expected.shape or candidate.size == 0:
        return False
    finite = np.isfinite(expected)
    if not np.array_equal(np.isfinite(candidate), finite):
        return False
    c, e = np.where(finite, candidate, 0.0), np.where(finite, expected, 0.0)
    return bool(np.max(relative_errors(c, e, dtype)) <= _tol(dtype))


def _bad(got: np.ndarray, expected: np.ndarray, dtype: str) -> np.ndarray:
    """Where the values are off (elementwise, the grading rule)."""
    if expected.dtype.kind in "biu":
        return got != expected
    g, e = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    finite = np.isfinite(g) & np.isfinite(e)
    errors = relative_errors(np.where(finite, g, 0), np.where(finite, e, 0), dtype)
    return (errors > _tol(dtype)) | (np.isfinite(g) != np.isfinite(e))


def _sizes(case) -> dict[int, list[str]]:
    """What the sizes in a case's inputs stand for: size -> descriptions (batch-major
    convention: axis 0 of a batched input is the batch, axis 1 of a sequence the time)."""
    named: dict[int, list[str]] = {}

    def add(size, what):
        if size >= 2 and what not in named.setdefault(size, []):
            named[size].append(what)

    for name, array in sorted(case.arrays.items()):
        shape = np.shape(array)
        if len(shape) >= 2 and name not in MASK_NAMES:
            add(shape[0], "the batch size")
        if len(shape) >= 3:
            add(shape[1], "the number of time steps")
    return named


def _factor_name(k: int, case) -> str:
    sizes = _sizes(case)
    if k in sizes:
        return f"{k} is {' and '.join(sizes[k])}"
    for a, wa in sizes.items():
        for b, wb in sizes.items():
            if a * b == k and "the batch size" in wa and "the number of time steps" in wb:
                return f"{k} is the batch size times the number of time steps"
    return ""


def _scale(got: np.ndarray, expected: np.ndarray, dtype: str, case) -> Finding | None:
    g, e = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(e))):
        return None
    ee = float(np.sum(e * e))
    if ee == 0:
        return None
    c = float(np.sum(g * e)) / ee
    if c == 0 or not _close(c * e, g, dtype) or abs(c - 1) < 10 * _tol(dtype):
        return None
    if abs(c + 1) < 10 * _tol(dtype):
        return Finding("sign", "has the right size but the opposite sign everywhere: a sign "
                               "is flipped (a minus missing or extra, or a - b written b - a)")
    for factor, word in ((1 / c, "divided by"), (c, "multiplied by")):
        k = round(factor)
        if k >= 2 and abs(factor / k - 1) < 10 * _tol(dtype):
            what = _factor_name(k, case)
            why = ("a mean where a sum belongs, or a division too many" if word == "divided by"
                   else "a sum where a mean belongs, or a division missing")
            kind = what.split(" is ", 1)[1] if what else str(k)
            if not what and e.size < 4:
                return None
            told = f"{k} ({what})" if what else f"{k}"
            return Finding(f"scale {word} {kind}",
                           f"is exactly the expected values {word} {told}: {why}")
    if e.size < 4:  # any few numbers are a multiple of the right ones: say nothing
        return None
    return Finding("scale", f"is the expected values times {c:.4g} everywhere: a constant "
                            "factor is wrong or missing (a mean or a sum, a scale, a temperature)")


def _activation(got: np.ndarray, expected: np.ndarray, dtype: str) -> list[Finding]:
    g, e = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    found: list[Finding] = []
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(e))):
        return found
    with np.errstate(all="ignore"):
        sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
        tests = [
            (lambda: np.tanh(g), "tanh missing",
             "is the expected values before a tanh (tanh of yours is right): the tanh is "
             "likely missing"),
            (lambda: sig(g), "sigmoid missing",
             "is the expected values before a sigmoid (sigmoid of yours is right): the sigmoid "
             "is likely missing"),
            (lambda: np.arctanh(g), "extra tanh",
             "is tanh of the expected values: a tanh is applied once too often"),
            (lambda: np.log(g / (1 - g)), "extra sigmoid",
             "is sigmoid of the expected values: a sigmoid is applied once too often"),
            (lambda: np.tanh(np.log(g / (1 - g))), "sigmoid for tanh",
             "is sigmoid of what the tanh should be applied to: a sigmoid where a tanh belongs"),
            (lambda: sig(np.arctanh(g)), "tanh for sigmoid",
             "is tanh of what the sigmoid should be applied to: a tanh where a sigmoid belongs"),
            (lambda: np.exp(g), "log extra",
             "is the logarithm of the expected values: a log where there should be none "
             "(log-probabilities where probabilities belong?)"),
            (lambda: np.log(g), "exp extra",
             "is exp of the expected values: an exp where there should be none (probabilities "
             "where log-probabilities or scores belong?)"),
        ]
        for f, kind, text in tests:
            candidate = f()
            if np.all(np.isfinite(candidate)) and _close(candidate, e, dtype):
                found.append(Finding(kind, text))
        if np.any(g < 0) and _close(np.maximum(g, 0), e, dtype):
            found.append(Finding("relu missing", "equals the expected values where they are "
                                                 "positive and is negative where they are 0: "
                                                 "the ReLU is likely missing"))
        if np.any(e < 0) and _close(np.maximum(e, 0), g, dtype):
            found.append(Finding("extra relu", "is the expected values with the negative ones "
                                               "set to 0: a ReLU where there should be none"))
        if np.all(np.abs(e) < 1):  # expected could be tanh(z)
            z = np.arctanh(e)
            if np.all(np.isfinite(z)) and _close(np.maximum(z, 0), g, dtype):
                found.append(Finding("relu for tanh", "is ReLU of what the tanh should be "
                                                      "applied to: a ReLU where a tanh belongs"))
        if g.ndim >= 1 and g.shape[-1] >= 2:
            shifted = g - g.max(axis=-1, keepdims=True)
            soft = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
            if _close(soft, e, dtype):
                found.append(Finding("softmax missing", "is the scores before a softmax over "
                                                        "the last axis: the softmax is likely "
                                                        "missing"))
            es = e - e.max(axis=-1, keepdims=True)
            if _close(np.exp(es) / np.exp(es).sum(axis=-1, keepdims=True), g, dtype):
                found.append(Finding("extra softmax", "is softmax of the expected values: a "
                                                      "softmax is applied where there should be "
                                                      "none"))
    return found


def _normalised_axis(got: np.ndarray, expected: np.ndarray, dtype: str) -> Finding | None:
    """Probabilities normalised over the wrong axis."""
    g, e = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if g.ndim < 2 or np.any(e < 0) or np.any(g < 0):
        return None
    ones = lambda a, axis: np.allclose(a.sum(axis=axis), 1, rtol=0, atol=10 * _tol(dtype))  # noqa: E731
    right = [ax for ax in range(e.ndim) if ones(e, ax)]
    yours = [ax for ax in range(g.ndim) if ones(g, ax)]
    if right and yours and not set(right) & set(yours):
        return Finding("normalised axis",
                       f"sums to 1 along axis {yours[0]}, the expected values along axis "
                       f"{right[0]}: the softmax (or normalisation) runs over the wrong axis")
    return None


def _has_time_axis(array: np.ndarray, case) -> bool:
    """Whether axis 1 of ``array`` is time: a batch of sequences (N, T, ...), or (N, T) like an
    input's first two axes, or token ids."""
    shape = np.shape(array)
    if len(shape) < 2 or shape[1] < 2:
        return False
    if len(shape) >= 3 or np.asarray(array).dtype.kind in "biu":
        return True
    return any(np.ndim(a) >= 2 and np.shape(a)[:2] == shape[:2] and
               (np.ndim(a) >= 3 or name in MASK_NAMES) for name, a in case.arrays.items())


def _order(got: np.ndarray, expected: np.ndarray, dtype: str, case) -> Finding | None:
    """The right values in the wrong places: reversed, shifted by one, transposed."""
    g, e = np.asarray(got), np.asarray(expected)
    close = (lambda a, b: np.array_equal(a, b)) if e.dtype.kind in "biu" else \
        (lambda a, b: _close(a, b, dtype))
    if _has_time_axis(e, case):
        if close(g[:, ::-1], e):
            return Finding("reversed time", "has the right values in reverse order along axis 1 "
                                            "(time): the loop runs the wrong way, or the results "
                                            "are stored in the wrong order")
        if g.shape[1] >= 3 and close(g[:, 1:], e[:, :-1]):
            return Finding("late", "is one step late along axis 1 (time): yours at step t+1 are "
                                   "the expected values at step t (an index t+1 for t, or an "
                                   "extra first step)")
        if g.shape[1] >= 3 and close(g[:, :-1], e[:, 1:]):
            return Finding("early", "is one step early along axis 1 (time): yours at step t are "
                                    "the expected values at step t+1 (an index t for t-1, or a "
                                    "missing first step)")
    if g.ndim >= 2 and g.shape[0] >= 2 and close(g[::-1], e):
        return Finding("reversed batch", "has the right values in reverse order along axis 0")
    for a in range(g.ndim):
        for b in range(a + 1, g.ndim):
            if g.shape[a] == g.shape[b] >= 2 and close(np.swapaxes(g, a, b), e):
                return Finding("transposed", f"is transposed (axes {a} and {b} swapped): a "
                                             "matrix transposed, or a product in the wrong order")
    return None


def _blocks(got: np.ndarray, expected: np.ndarray, dtype: str) -> Finding | None:
    """The last axis made of k equal blocks (gates) in another order."""
    import itertools

    g, e = np.asarray(got), np.asarray(expected)
    if g.ndim < 1 or e.dtype.kind != "f":
        return None
    for k in (4, 3, 2):
        n = g.shape[-1]
        if n % k or n // k < 2:
            continue
        gb = np.split(g, k, axis=-1)
        eb = np.split(e, k, axis=-1)
        for perm in itertools.permutations(range(k)):
            if perm == tuple(range(k)):
                continue
            if all(_close(gb[i], eb[j], dtype) for j, i in enumerate(perm)):
                held = [perm.index(i) + 1 for i in range(k)]  # expected block of each of yours
                return Finding(f"blocks {k}", f"has the right {k} blocks of {n // k} along its "
                                              "last axis in another order (yours are the "
                                              f"expected blocks {', '.join(map(str, held))}): "
                                              "the gates (or stacked parts) are in the wrong "
                                              "order")
    return None


def _rearranged(got: np.ndarray, expected: np.ndarray, dtype: str) -> Finding | None:
    """The same values, in other places."""
    g, e = np.asarray(got), np.asarray(expected)
    if g.size < 4 or e.dtype.kind != "f":
        return None
    gs, es = np.sort(g.ravel()), np.sort(e.ravel())
    if _close(gs, es, dtype):
        return Finding("rearranged", "has exactly the expected values, in other places: a "
                                     "reshape, transpose or index mixes up the axes")
    return None


def _tokens(got: np.ndarray, expected: np.ndarray) -> Finding | None:
    """Integer ids that differ only where one id is expected, always with the same other."""
    g, e = np.asarray(got), np.asarray(expected)
    if e.dtype.kind not in "biu" or g.dtype.kind not in "biu":
        return None
    wrong = g != e
    if not wrong.any():
        return None
    want, have = np.unique(e[wrong]), np.unique(g[wrong])
    if want.size == 1 and have.size == 1:
        return Finding(f"token {want[0]}->{have[0]}",
                       f"differs only where the expected id is {want[0]}, and holds {have[0]} "
                       "there: a special token (<END>, <NULL>) is likely handled in the wrong "
                       "order (e.g. marking a sequence finished before writing its <END>)")
    if want.size == 1:
        return Finding(f"token {want[0]}", f"differs only where the expected id is {want[0]}: "
                                           "that token (<END>, <NULL>?) is handled wrongly")
    return None


def _mask(bad: np.ndarray, got: np.ndarray, expected: np.ndarray, case) -> Finding | None:
    for name in MASK_NAMES:
        mask = case.arrays.get(name)
        if mask is None:
            continue
        mask = np.asarray(mask) != 0
        if mask.all() or mask.ndim > bad.ndim or bad.shape[:mask.ndim] != mask.shape:
            continue
        where = bad.reshape(mask.shape + (-1,)).any(axis=-1)
        if where.any() and not (where & mask).any():
            return Finding(f"mask {name}", f"is wrong only at the padded positions (where "
                                           f"`{name}` is 0): the mask is likely not applied")
        e = np.asarray(expected)
        e_pad = e.reshape(mask.shape + (-1,))[~mask]
        g_pad = np.asarray(got).reshape(mask.shape + (-1,))[~mask]
        if e_pad.size and np.all(e_pad == 0) and np.any(g_pad != 0):
            return Finding(f"mask zero {name}", f"is not zero at the padded positions (where "
                                                f"`{name}` is 0), where the expected values "
                                                "are: the mask is likely ignored there")
    return None


def _time_profile(bad: np.ndarray) -> Finding | None:
    """Which time steps (axis 1) are off: only from some step on, or only before one."""
    if bad.ndim < 2 or bad.shape[1] < 3:
        return None
    steps = bad.reshape(bad.shape[0], bad.shape[1], -1).any(axis=(0, 2))
    T = steps.size
    off = np.flatnonzero(steps)
    if off.size == 0 or off.size == T:
        return None
    first, last = int(off[0]), int(off[-1])
    if first >= 1 and last == T - 1 and off.size == T - first:
        return Finding("from step", f"is right at the first {first} time step(s) (axis 1) and "
                                    f"wrong from step {first} on: what is carried from one step "
                                    "to the next (the state) is likely not passed on, or passed "
                                    "the wrong way")
    if first == 0 and last < T - 1 and off.size == last + 1:
        return Finding("before step", f"is right at the last {T - 1 - last} time step(s) "
                                      f"(axis 1) and wrong before: what flows back from later "
                                      "steps (in a backward pass, the gradient from step t+1) is "
                                      "likely missing or not added")
    return None


def _shape(key: str, got: np.ndarray, expected: np.ndarray, dtype: str, case) -> Finding | None:
    g, e = np.asarray(got), np.asarray(expected)
    if g.shape == e.shape:
        return None
    if g.ndim == e.ndim and sorted(g.shape) == sorted(e.shape):
        import itertools

        for perm in itertools.permutations(range(g.ndim)):
            if tuple(g.shape[p] for p in perm) == e.shape:
                moved = np.transpose(g, perm)
                same = (np.array_equal(moved, e) if e.dtype.kind in "biu"
                        else _close(moved, e, dtype))
                if same:
                    return Finding("axes order", f"has the right values with its axes in the "
                                                 f"wrong order: shape {g.shape}, expected "
                                                 f"{e.shape} (a stack, transpose or reshape "
                                                 "on the wrong axis)")
        return Finding("axes", f"has shape {g.shape} where {e.shape} is expected: its axes "
                               "are in the wrong order (a stack, concat or transpose on the "
                               "wrong axis?)")
    if g.size == e.size:
        return Finding("reshape", f"has shape {g.shape} where {e.shape} is expected, with as "
                                  "many values: a reshape, or a stack on the wrong axis")
    sizes = _sizes(case)
    if abs(g.ndim - e.ndim) == 1:
        return Finding("rank", f"has shape {g.shape} where {e.shape} is expected: an axis "
                               f"{'too many' if g.ndim > e.ndim else 'missing'} (a reduction, "
                               "a keepdims, or a stack/concat on the wrong axis?)")
    if g.ndim == e.ndim:
        diff = [a for a in range(g.ndim) if g.shape[a] != e.shape[a]]
        if len(diff) == 1:
            a = diff[0]
            what = sizes.get(g.shape[a])
            extra = f" ({g.shape[a]} is {' and '.join(what)})" if what else ""
            return Finding("axis size", f"has shape {g.shape} where {e.shape} is expected: "
                                        f"axis {a} has size {g.shape[a]}{extra}: a reduction, "
                                        "concat or slice over the wrong axis?")
    return None


def _findings(key: str, got, expected: np.ndarray, case, wanted: dict) -> list[Finding]:
    """Every relation found between one returned value and the expected one, the most telling
    first."""
    if got is None:
        return []
    g, e = np.asarray(got), np.asarray(expected)
    dtype = case.dtype
    if g.dtype.kind not in "biuf":
        return []
    if g.shape != e.shape:
        return [f for f in [_shape(key, g, e, dtype, case)] if f]
    if e.dtype.kind == "f" and g.dtype.kind == "f":
        if np.any(~np.isfinite(g) & np.isfinite(e)):
            return [Finding("nonfinite", "has inf or NaN where the expected values are finite: "
                                         "a computation overflows (exp of a large score, a log "
                                         "of 0): subtract the maximum before exponentiating, or "
                                         "use tf.nn.softmax / tf.nn.log_softmax")]
        if np.all(g == 0) and np.any(e != 0):
            return [Finding("zeros", "is all zeros: nothing reaches it (for a gradient: does "
                                     "the computation go through NumPy, `.numpy()` or "
                                     "tf.stop_gradient, or is the value never used?)")]
    found: list[Finding] = []
    for other, value in wanted.items():
        if other == key:
            continue
        v = np.asarray(value)
        if v.shape == g.shape and v.dtype.kind == e.dtype.kind and (
                np.array_equal(v, g) if v.dtype.kind in "biu" else _close(g, v, dtype)):
            found.append(Finding(f"is {other}", f"has the values expected for `{other}`: two "
                                                "results are swapped, or the wrong one is "
                                                "returned"))
    if e.dtype.kind == "f" and g.dtype.kind == "f":
        found.extend(f for f in [_scale(g, e, dtype, case)] if f)
        found.extend(_activation(g, e, dtype))
        found.extend(f for f in [_normalised_axis(g, e, dtype)] if f)
    found.extend(f for f in [_order(g, e, dtype, case), _blocks(g, e, dtype),
                             _tokens(g, e)] if f)
    bad = _bad(g, e, dtype)
    found.extend(f for f in [_mask(bad, g, e, case),
                             _time_profile(bad) if _has_time_axis(e, case) else None] if f)
    found.extend(f for f in [_rearranged(g, e, dtype)] if f and not found)
    return found


def relation_hints(cases: Sequence, expected: Sequence[dict], outcomes: Sequence) -> list[str]:
    """What the failed values' relations to the expected ones suggest (see the module
    docstring): at most :data:`SHOWN_HINTS` lines, outputs first.

    Args:
        cases: the unit's :class:`rnnlab.cases.Case` s.
        expected: their expected values.
        outcomes: their :class:`rnnlab.evaluate.CaseOutcome` s (status ``wrong`` ones are read).
    """
    found: dict[str, list[list[Finding]]] = {}
    for case, want, outcome in zip(cases, expected, outcomes):
        if outcome.status != "wrong":
            continue
        values = outcome.values or {}
        for comp in outcome.comparisons:
            if comp.ok or comp.key not in want:
                continue
            try:
                findings = _findings(comp.key, values.get(comp.key), want[comp.key], case, want)
            except (ValueError, TypeError, FloatingPointError):
                findings = []
            found.setdefault(comp.key, []).append(findings)
    lines = []
    for key, per_case in found.items():
        common = set.intersection(*({f.kind for f in fs} for fs in per_case))
        first = next((f for f in per_case[0] if f.kind in common), None)
        if first is None:
            continue
        lines.append(f"Hint: your `{key}` {first.text}.")
        if len(lines) == SHOWN_HINTS:
            break
    return lines
