"""Visible checks pass on correct code and fail, precisely, on wrong code; numeric gradients."""

import numpy as np
import pytest
import tensorflow as tf

from autograder import paths
from autograder.api import load_definitions
from rnnlab.checks import CheckFailed
from rnnlab.checks.rnn import check_rnn_step_backward, check_rnn_step_forward
from rnnlab.gradcheck import numeric_gradient


@pytest.fixture(scope="module")
def ns():
    return load_definitions(paths.solution_notebook("rnn"))


def test_checks_pass_on_the_solution(ns, capsys):
    check_rnn_step_forward(ns["rnn_step_forward"])
    check_rnn_step_backward(ns["rnn_step_backward"])
    assert "all" in capsys.readouterr().out


def test_forward_check_fails_on_a_wrong_activation():
    def wrong(x, prev_h, Wx, Wh, b):
        return tf.sigmoid(x @ Wx + prev_h @ Wh + b)

    with pytest.raises(CheckFailed, match=r"next_h: max relative error .* at index"):
        check_rnn_step_forward(wrong)


def test_forward_check_fails_on_hard_coded_float32():
    def wrong(x, prev_h, Wx, Wh, b):
        cast = lambda t: tf.cast(t, tf.float32)  # noqa: E731
        return tf.tanh(cast(x) @ cast(Wx) + cast(prev_h) @ cast(Wh) + cast(b))

    with pytest.raises(CheckFailed, match="float64"):
        check_rnn_step_forward(wrong)


def test_backward_check_names_the_wrong_gradient(ns):
    right = ns["rnn_step_backward"]

    def wrong_db(*args):
        dx, dprev_h, dWx, dWh, db = right(*args)
        return dx, dprev_h, dWx, dWh, 2 * db

    with pytest.raises(CheckFailed) as err:
        check_rnn_step_backward(wrong_db)
    assert "db:" in str(err.value) and "dWx:" not in str(err.value)


def test_numeric_gradient_matches_autodiff():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    up = rng.standard_normal((3, 2))
    f = lambda x_: tf.tanh(tf.constant(x_) @ w)  # noqa: E731
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.tanh(xv @ w) * up)
    exact = tape.gradient(loss, xv).numpy()
    approx = numeric_gradient(f, x, up)
    assert np.max(np.abs(exact - approx)) < 1e-8
    assert x.shape == approx.shape
