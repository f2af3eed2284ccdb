"""rnnlab.attention_plots: heatmaps of attention weights."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlab.attention_plots import plot_attention, plot_attention_grid


def test_heatmap_has_a_row_per_output_and_a_column_per_input():
    weights = np.random.default_rng(0).random((12, 32))  # padded both ways
    ax = plot_attention(weights, list("3/3/98"), list("1998-03-03") + ["<END>"])
    image = ax.get_images()[0].get_array()
    assert image.shape == (11, 6)
    assert [t.get_text() for t in ax.get_xticklabels()] == list("3/3/98")
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "<E>"
    plt.close("all")


def test_spaces_are_made_visible():
    ax = plot_attention(np.eye(3), list("a b"), list("xyz"))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "\u2423", "b"]
    plt.close("all")


@pytest.mark.parametrize("shape", [(3,), (2, 3), (3, 2)])
def test_too_small_or_flat_weights_are_refused(shape):
    with pytest.raises(ValueError, match="expected weights"):
        plot_attention(np.zeros(shape), list("abc"), list("xyz"))


def test_grid_draws_each_example_and_hides_spare_axes():
    examples = [{"weights": np.eye(4), "input_tokens": list("abcd"),
                 "output_tokens": list("wxyz"), "title": f"example {i}"} for i in range(3)]
    fig = plot_attention_grid(examples, ncols=2, title="three")
    visible = [ax for ax in fig.axes if ax.axison]
    assert len(fig.axes) == 4 and len(visible) == 3
    assert [ax.get_title() for ax in visible] == ["example 0", "example 1", "example 2"]
    plt.close("all")
    with pytest.raises(ValueError, match="at least one"):
        plot_attention_grid([])
