"""The captioning notebook's experiment helpers (``rnnlab.attention_lab``) and title wrapping."""

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from rnnlab import attention_lab as lab  # noqa: E402
from rnnlab.plots import wrap_words  # noqa: E402


def test_wrap_words_breaks_between_words_only():
    text = "a small red triangle left of a large blue square"
    wrapped = wrap_words(text, 24)
    assert wrapped == "a small red triangle\nleft of a large blue\nsquare"
    assert all(len(line) <= 24 for line in wrapped.split("\n"))
    assert wrapped.replace("\n", " ") == text
    assert wrap_words("supercalifragilistic", 5) == "supercalifragilistic"  # never split a word
    with pytest.raises(ValueError, match="width"):
        wrap_words(text, 0)


def test_gradient_variance_of_a_known_estimator():
    rng = np.random.default_rng(0)
    # Gradient estimate = mean (1, 2) plus unit-variance noise in each of 2 entries.
    draws = iter(np.array([1.0, 2.0]) + rng.standard_normal((4000, 2)))
    result = lab.gradient_variance(lambda: [next(draws)], draws=4000)
    assert result["variance"] == pytest.approx(2.0, rel=0.08)
    assert result["signal"] == pytest.approx(5.0, rel=0.08)
    assert result["ratio"] == pytest.approx(result["variance"] / result["signal"])
    constant = lab.gradient_variance(lambda: [np.ones(3), np.zeros((2, 2))], draws=3)
    assert constant["variance"] == 0.0 and constant["signal"] == 3.0
    with pytest.raises(ValueError, match="at least 2"):
        lab.gradient_variance(lambda: [np.ones(1)], draws=1)


def test_loss_gradient_fn_samples_a_stochastic_loss():
    v = tf.Variable([1.0, 2.0])

    class Noisy:
        def loss(self, x, y):
            return tf.reduce_sum(v * x * tf.random.uniform([2])) + 0.0 * y

    grads = lab.loss_gradient_fn(Noisy(), tf.ones(2), tf.zeros(()), [v])
    first, second = grads()[0].numpy(), grads()[0].numpy()
    assert first.shape == (2,) and not np.allclose(first, second)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_grid_with_coordinates(dtype):
    grid = tf.constant(np.arange(2 * 9 * 4).reshape(2, 9, 4), dtype)
    out = lab.grid_with_coordinates(grid).numpy()
    assert out.shape == (2, 9, 6) and out.dtype == dtype
    np.testing.assert_array_equal(out[..., :4], grid.numpy())
    rows, cols = out[0, :, 4].reshape(3, 3), out[0, :, 5].reshape(3, 3)
    np.testing.assert_allclose(rows, [[-1] * 3, [0] * 3, [1] * 3])
    np.testing.assert_allclose(cols, [[-1, 0, 1]] * 3)
    with pytest.raises(ValueError, match="square grid"):
        lab.grid_with_coordinates(tf.zeros((1, 8, 2)))


def test_answers_and_accuracy_by_kind():
    words = {1: "what", 2: "colour", 3: "is", 4: "there"}
    decode = lambda ids: " ".join(words[int(i)] for i in ids if int(i))  # noqa: E731
    batches = [{"image": np.zeros((3, 2)), "question": np.array([[1, 2, 0], [3, 4, 0], [3, 4, 1]]),
                "answer": np.array([0, 1, 1])},
               {"image": np.zeros((1, 2)), "question": np.array([[1, 2, 3]]),
                "answer": np.array([2])}]

    def answer_fn(images, questions):  # always answers class 1
        return np.tile([0.0, 1.0, 0.0], (len(questions), 1)), None

    results = lab.answers_by_kind(answer_fn, batches, decode)
    assert list(results["kinds"]) == ["what colour", "is there", "is there", "what colour"]
    accuracy = lab.accuracy_by_kind(results)
    assert accuracy == {"overall": 0.5, "is there": 1.0, "what colour": 0.0}
    table = lab.accuracy_table({"model": results})
    assert "is there ..." in table and "100.0%" in table and "overall" in table


class _Captioner(keras.layers.Layer):
    def __init__(self, extra=False):
        super().__init__()
        self.encoder = keras.layers.Dense(3)
        self.encoder.build((None, 2))
        self.decoder = keras.layers.Layer()
        self.decoder.params = {"W": self.add_weight(shape=(2, 2), initializer="random_normal")}
        if extra:
            self.decoder.params["V"] = self.add_weight(shape=(1,), initializer="zeros")


def test_copy_captioner_weights_copies_by_name_and_rejects_mismatches():
    source, target = _Captioner(), _Captioner()
    lab.copy_captioner_weights(source, target)
    for s, t in zip(source.encoder.weights, target.encoder.weights):
        np.testing.assert_array_equal(s.numpy(), t.numpy())
    np.testing.assert_array_equal(source.decoder.params["W"], target.decoder.params["W"])
    with pytest.raises(ValueError, match="same weight names"):
        lab.copy_captioner_weights(source, _Captioner(extra=True))


def test_plots_draw():
    rng = np.random.default_rng(0)
    ax = lab.plot_reward_curves({"soft": ([0, 1, 2], [-5.0, -2.0, -1.0])})
    assert len(ax.lines) == 1
    ax = lab.plot_gradient_variance({"a": {"variance": 1.0}, "b": {"variance": 10.0}})
    assert len(ax.patches) == 2
    alphas = rng.dirichlet(np.ones(16), size=3)
    fig = lab.plot_where_models_look(np.zeros((8, 8, 3)), ["a", "red", "circle"],
                                     {"soft": alphas, "hard": alphas})
    assert len(fig.axes) == 6
    fig = lab.plot_vqa_examples(np.zeros((2, 8, 8, 3)), ["q1", "q2"], ["yes", "no"],
                                ["yes", "yes"], rng.dirichlet(np.ones(16), size=(2, 2)))
    assert len(fig.axes) == 4
    plt.close("all")
