"""Optional mixed precision: the solution's own model and training step train unchanged."""

import keras
import pytest
import tensorflow as tf

from autograder.paths import solution_notebook
from rnnlab.config import use_mixed_precision
from rnnlab.notebook import read_notebook, run_definitions


@pytest.fixture
def mixed():
    assert use_mixed_precision() == "mixed_bfloat16"
    yield
    assert use_mixed_precision(False) == "float32"


def test_the_hello_model_trains_in_mixed_precision(mixed):
    namespace = run_definitions(read_notebook(solution_notebook("rnn"))).namespace
    CharRNN, train_step = namespace["CharRNN"], namespace["train_step"]
    keras.utils.set_random_seed(0)
    ids = tf.constant([[0, 1, 2, 2, 3]])  # h e l l o
    inputs, targets = ids[:, :-1], ids[:, 1:]
    mask = tf.ones_like(targets, dtype=tf.bool)
    model = CharRNN(vocab_size=4, hidden_size=8)
    assert model.compute_dtype == "bfloat16" and model(inputs).dtype == tf.bfloat16
    assert all(v.dtype == "float32" for v in model.weights)  # the weights stay float32
    optimizer = keras.optimizers.Adam(learning_rate=0.05)
    first = float(train_step(model, optimizer, inputs, targets, mask, 5.0)[0])
    for _ in range(100):
        last = float(train_step(model, optimizer, inputs, targets, mask, 5.0)[0])
    assert last < 0.05 * first
    assert tf.argmax(model(inputs), axis=-1).numpy().tolist() == [[1, 2, 2, 3]]  # "ello"


def test_explicit_dtypes_are_not_affected(mixed):
    layer = keras.layers.Dense(3, dtype="float64")
    assert layer(tf.ones((2, 4), tf.float64)).dtype == tf.float64
