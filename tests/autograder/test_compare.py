"""The tolerance policy and its messages (rnnlab.compare)."""

import numpy as np
import pytest

from rnnlab.compare import compare_arrays, compare_outputs, rel_error, relative_errors


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
