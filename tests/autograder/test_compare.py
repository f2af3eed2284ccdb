"""The tolerance policy and its messages (rnnlab.compare)."""

import numpy as np
import pytest

from rnnlab.compare import MARGIN, compare_arrays, compare_outputs, rel_error, relative_errors


def test_identical_float64_passes():
    x = np.linspace(-1, 1, 12).reshape(3, 4)
    c = compare_arrays("h", x.copy(), x, "float64")
    assert c.ok and c.max_error == 0


def test_float64_tolerance_is_tight_and_float32_loose():
    x = np.linspace(0.5, 1.5, 10)
    noisy = x * (1 + 1e-6)
    assert not compare_arrays("h", noisy, x, "float64").ok
    assert compare_arrays("h", noisy.astype(np.float32), x.astype(np.float32), "float32").ok


def test_failure_message_names_value_index_and_numbers():
    expected = np.zeros((2, 3))
    expected[:] = 1.0
    got = expected.copy()
    got[1, 2] = 1.5
    c = compare_arrays("dWx", got, expected, "float64")
    assert not c.ok
    assert "dWx" in c.message and "(1, 2)" in c.message
    assert "expected 1" in c.message and "got 1.5" in c.message
    assert "1 of 6 values off" in c.message


def test_shape_mismatch():
    c = compare_arrays("h", np.zeros((4, 3)), np.zeros((3, 4)), "float64")
    assert not c.ok and "expected shape (3, 4), got (4, 3)" in c.message


def test_nan_fails_with_index():
    got = np.ones(5)
    got[3] = np.nan
    c = compare_arrays("loss", got, np.ones(5), "float64")
    assert not c.ok and "nan" in c.message.lower() and "(3,)" in c.message


def test_wrong_float_dtype_fails():
    c = compare_arrays("h", np.ones(3, np.float32), np.ones(3), "float64")
    assert not c.ok and "dtype float64" in c.message


def test_integers_exact():
    assert compare_arrays("tokens", np.array([1, 2, 3]), np.array([1, 2, 3]), "float64").ok
    c = compare_arrays("tokens", np.array([1, 2, 4]), np.array([1, 2, 3]), "float64")
    assert not c.ok and "index (2,)" in c.message
    assert not compare_arrays("tokens", np.array([1.0, 2.0, 3.0]), np.array([1, 2, 3]),
                              "float64").ok


def test_missing_and_non_numeric():
    assert not compare_arrays("h", None, np.ones(2), "float64").ok
    assert not compare_arrays("h", np.array(["a", "b"]), np.ones(2), "float64").ok


def test_tiny_entries_do_not_turn_rounding_noise_into_failures():
    expected = np.array([1.0, 1e-9, 0.0], dtype=np.float32)
    got = np.array([1.0, 1.3e-9, 2e-8], dtype=np.float32)
    assert compare_arrays("dx", got, expected, "float32").ok
    # ...but a wrong value of normal size still fails
    got[0] = 1.01
    assert not compare_arrays("dx", got, expected, "float32").ok


def test_relative_errors_match_cs231n_on_ordinary_values():
    x = np.array([1.0, 2.0, -3.0])
    y = np.array([1.1, 2.0, -2.9])
    assert np.max(relative_errors(x, y, "float64")) == pytest.approx(rel_error(x, y))


def test_compare_outputs_reports_every_expected_key():
    res = compare_outputs({"a": np.ones(2)}, {"a": np.ones(2), "b": np.ones(2)}, "float64")
    assert [c.ok for c in res] == [True, False]


def test_float32_results_are_compared_with_a_float64_truth():
    truth = np.linspace(-2.0, 3.0, 20) ** 3  # float64
    rounded = truth.astype(np.float32)  # what a correct float32 computation gives, at best
    assert compare_arrays("h", rounded, truth, "float32").ok
    # ...a few epsilons times the array's largest value off, anywhere, as another CPU gives
    eps_m = np.finfo(np.float32).eps * np.max(np.abs(truth))
    noisy = (truth + 50 * eps_m * np.cos(np.arange(20))).astype(np.float32)
    assert compare_arrays("h", noisy, truth, "float32").ok
    # ...but a float64 result, or a value off by 1%, fails
    c = compare_arrays("h", truth.copy(), truth, "float32")
    assert not c.ok and "expected dtype float32" in c.message
    wrong = rounded.copy()
    wrong[19] *= 1.01  # the largest entry
    assert not compare_arrays("h", wrong, truth, "float32").ok


def test_float32_tolerance_is_wide_on_tiny_entries_and_tight_on_large_ones():
    truth = np.array([10.0, 1e-4, 0.0, -5.0])
    assert compare_arrays("dW", np.array([10.0, 2e-4, 2e-4, -5.0], np.float32), truth,
                          "float32").ok  # 2e-5 of the largest value: rounding noise
    assert not compare_arrays("dW", np.array([10.0, 1e-2, 0.0, -5.0], np.float32), truth,
                              "float32").ok  # 1e-3 of the largest value: not noise
    assert not compare_arrays("dW", np.array([10.05, 1e-4, 0.0, -5.0], np.float32), truth,
                              "float32").ok  # 0.5% of a large entry


def test_margin_divides_the_tolerance():
    truth = np.ones(3)
    got = (truth * (1 + 5e-4)).astype(np.float32)
    assert compare_arrays("x", got, truth, "float32").ok
    assert not compare_arrays("x", got, truth, "float32", margin=10).ok
    assert [c.ok for c in compare_outputs({"x": got}, {"x": truth}, "float32", margin=10)] == [False]


def test_truth_case_rounds_inputs_and_upstream_gradients_like_the_float32_run():
    from rnnlab.cases import Case, truth_case
    from rnnlab.probes import run_case

    def square(x):
        return x * x

    x = np.array([0.1, 1 / 3, 2.0])
    case = Case("sq", "float32", "call", {"x": x},
                {"fn": "square", "args": ["x"], "outputs": ["y"], "grad_wrt": ["x"],
                 "dtype": "float32"})
    twin = truth_case(case)
    assert twin.dtype == "float64" and twin.truth_of == "float32"
    assert np.array_equal(twin.arrays["x"], x.astype(np.float32).astype(np.float64))
    assert truth_case(twin) is twin
    own, truth = run_case({"square": square}, case), run_case({"square": square}, twin)
    assert own["y"].dtype == np.float32 and truth["y"].dtype == np.float64
    assert all(c.ok for c in compare_outputs(own, truth, "float32", margin=MARGIN))
    # the truth's upstream gradient is the float32 one, widened: dx = 2 x g exactly in float64
    g = np.random.default_rng(0).standard_normal(3).astype(np.float32).astype(np.float64)
    assert np.array_equal(truth["dx"], 2 * twin.arrays["x"] * g)


def test_values_near_the_float64_maximum_fail_cleanly():
    """|got| + |expected| overflows: the entry counts as off (not NaN, no warning)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = compare_arrays("x", np.array([1e308, 1.0]), np.array([-1e308, 2.0]), "float64")
    assert not c.ok and "inf" in c.message and "(1 of 2 values off)" in c.message
