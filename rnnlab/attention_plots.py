"""Attention heatmaps: where a decoder looked while it wrote each output token.

A heatmap has one row per output token and one column per input token; row ``i`` holds the
attention weights the decoder used to produce output token ``i`` (each row sums to 1 over the
input's real tokens). Used by the ``seq2seq`` notebook; nothing here is graded.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def plot_attention(weights, input_tokens: Sequence[str], output_tokens: Sequence[str], ax=None,
                   title: str | None = None):
    """Draws one attention heatmap.

    Args:
        weights: attention weights, `(T_out, T_in)` or longer in either axis (extra rows and
            columns, such as padding, are cut to the token lists' lengths).
        input_tokens: the `T_in` input tokens (characters), the columns.
        output_tokens: the `T_out` output tokens, the rows.
        ax: the matplotlib axes to draw on (a new figure by default).
        title: the axes' title.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 2:
        raise ValueError(f"expected weights of shape (T_out, T_in), got {weights.shape}")
    n_out, n_in = len(output_tokens), len(input_tokens)
    if weights.shape[0] < n_out or weights.shape[1] < n_in:
        raise ValueError(f"expected weights of at least ({n_out}, {n_in}) for "
                         f"{n_out} output and {n_in} input tokens, got {weights.shape}")
    weights = weights[:n_out, :n_in]
    if ax is None:
        _, ax = plt.subplots(figsize=(0.28 * n_in + 1.5, 0.28 * n_out + 1.2))
    ax.imshow(weights, cmap="Blues", vmin=0.0, vmax=1.0, aspect="equal")
    ax.set_xticks(range(n_in), [_show(t) for t in input_tokens], fontsize=8)
    ax.set_yticks(range(n_out), [_show(t) for t in output_tokens], fontsize=8)
    ax.tick_params(length=0)
    ax.set_xlabel("input")
    ax.set_ylabel("output")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_attention_grid(examples: Sequence[dict], ncols: int = 2, title: str | None = None):
    """Draws several heatmaps side by side.

    Args:
        examples: dicts with ``weights``, ``input_tokens``, ``output_tokens`` and optionally
            ``title`` (the arguments of :func:`plot_attention`).
        ncols: heatmaps per row.
        title: the figure's title.

    Returns:
        The figure.
    """
    import matplotlib.pyplot as plt

    if not examples:
        raise ValueError("expected at least one example, got none")
    nrows = -(-len(examples) // ncols)
    widest = max(len(e["input_tokens"]) for e in examples)
    tallest = max(len(e["output_tokens"]) for e in examples)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False,
                             figsize=(ncols * (0.28 * widest + 1.5), nrows * (0.28 * tallest + 1.6)))
    for ax, example in zip(axes.flat, examples):
        plot_attention(example["weights"], example["input_tokens"], example["output_tokens"],
                       ax=ax, title=example.get("title"))
    for ax in list(axes.flat)[len(examples):]:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _show(token: str) -> str:
    """A token as a tick label: spaces made visible, special tokens shortened."""
    return {" ": "\u2423", "<END>": "<E>", "<START>": "<S>"}.get(token, token)
