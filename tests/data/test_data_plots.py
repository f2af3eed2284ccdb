"""The data-viewing plots draw on the Agg backend and check their inputs."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlab.plots import show_attention, show_frames, show_image_grid


def test_image_grid_with_captions():
    images = np.random.default_rng(0).random((5, 64, 64, 3)).astype(np.float32)
    figure = show_image_grid(images, captions=[b"a red circle"] + ["a blue square"] * 4, ncols=3,
                             title="shapes")
    assert len([ax for ax in figure.axes if ax.images]) == 5
    assert figure.axes[0].get_title() == "a red circle"
    figure.canvas.draw()
    plt.close(figure)


def test_image_grid_checks_caption_count():
    with pytest.raises(ValueError, match="expected 2 captions"):
        show_image_grid(np.zeros((2, 8, 8), np.uint8), captions=["one"])


@pytest.mark.parametrize("attention", [np.ones(16) / 16, np.ones((4, 4)) / 16])
def test_attention_single_map(attention):
    figure = show_attention(np.zeros((64, 64, 3), np.float32), attention, title="where")
    assert len(figure.axes[0].images) == 2
    figure.canvas.draw()
    plt.close(figure)


def test_attention_one_panel_per_word():
    attention = np.random.default_rng(1).random((3, 16))
    figure = show_attention(np.zeros((64, 64, 3), np.uint8), attention, words=["a", "red", "circle"])
    titles = [ax.get_title() for ax in figure.axes if ax.images]
    assert titles == ["a", "red", "circle"]
    plt.close(figure)


def test_attention_checks_shapes():
    with pytest.raises(ValueError, match="L = h \\* h"):
        show_attention(np.zeros((8, 8)), np.ones(15))
    with pytest.raises(ValueError, match="one attention map per word"):
        show_attention(np.zeros((8, 8)), np.ones((2, 4)), words=["a", "b", "c"])


def test_frames():
    figure = show_frames(np.zeros((6, 32, 32, 1), np.float32), labels=["still", "left"] * 3)
    assert len([ax for ax in figure.axes if ax.images]) == 6
    plt.close(figure)
