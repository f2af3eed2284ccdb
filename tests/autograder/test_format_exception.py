"""How errors of student code read: a bare stub says 'not implemented yet' however it is wrapped."""

import keras
import pytest
import tensorflow as tf

from rnnlab.notebook import format_exception

STUB = "NotImplementedError: not implemented yet (the cell still has its stub)"


class _StubLayer(keras.layers.Layer):
    def call(self, x):
        raise NotImplementedError


class _MessageLayer(keras.layers.Layer):
    def call(self, x):
        raise NotImplementedError("write the forward pass first")


class _ShapeBugLayer(keras.layers.Layer):
    def call(self, x):
        return tf.matmul(x, tf.zeros((5, 2)))


def _raised(fn):
    with pytest.raises(Exception) as info:
        fn()
    return info.value


def test_bare_stub():
    def stub():
        raise NotImplementedError
    assert format_exception(_raised(stub)) == STUB


def test_stub_inside_a_keras_layer_call():
    exc = _raised(lambda: _StubLayer()(tf.zeros((2, 3))))
    assert "Exception encountered" in str(exc)  # Keras wraps it; the report must not
    assert format_exception(exc) == STUB


def test_stub_inside_tf_function():
    @tf.function
    def stub(x):
        raise NotImplementedError
    assert format_exception(_raised(lambda: stub(tf.zeros(2)))) == STUB


def test_a_message_is_kept_and_keras_highlighting_removed():
    text = format_exception(_raised(lambda: _MessageLayer()(tf.zeros((2, 3)))))
    assert "not implemented yet" not in text
    assert "write the forward pass first" in text and "\x1b" not in text


def test_a_real_error_in_a_layer_is_not_called_a_stub():
    text = format_exception(_raised(lambda: _ShapeBugLayer()(tf.zeros((2, 3)))))
    assert text.startswith("InvalidArgumentError") and "\x1b" not in text
