"""Plots for looking at data: image grids with captions, attention over images, clips.

Every function returns a matplotlib `Figure` (shown inline in a notebook) and
works with the non-interactive Agg backend.
"""

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np


def _as_text(caption) -> str:
    return caption.decode("utf-8") if isinstance(caption, bytes) else str(caption)


def _as_image(image) -> np.ndarray:
    """`(H, W)`, `(H, W, 1)` or `(H, W, 3)`, uint8 or float in [0, 1] -> displayable array."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] != 3):
        raise ValueError(f"expected an image of shape (H, W), (H, W, 1) or (H, W, 3), got {image.shape}")
    return image


def show_image_grid(images, captions=None, ncols: int = 8, title: str | None = None,
                    panel_size: float = 2.0):
    """Shows images in a grid, each with its caption underneath.

    Args:
        images: `(N, H, W, 3)`, `(N, H, W, 1)` or `(N, H, W)`, uint8 or float in [0, 1].
        captions: `N` strings (or bytes), or None.
        ncols: panels per row.
        title: title of the figure.
        panel_size: side of one panel in inches.

    Returns:
        The matplotlib `Figure`.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"expected images of shape (N, H, W[, C]), got {images.shape}")
    n = len(images)
    if captions is not None and len(captions) != n:
        raise ValueError(f"expected {n} captions, one per image, got {len(captions)}")
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    figure, axes = plt.subplots(nrows, ncols, figsize=(panel_size * ncols, panel_size * nrows * 1.15),
                                squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= n:
            continue
        ax.imshow(_as_image(images[index]), cmap="gray", vmin=0, vmax=255 if images.dtype == np.uint8 else 1)
        if captions is not None:
            ax.set_title(wrap_words(_as_text(captions[index]), 24), fontsize=7)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def show_attention(image, attention, words=None, title: str | None = None, ncols: int = 6,
                   panel_size: float = 2.0):
    """Overlays attention weights on an image, upsampled smoothly to the image size.

    Args:
        image: `(H, W, 3)`, `(H, W, 1)` or `(H, W)`, uint8 or float in [0, 1].
        attention: one map, `(L,)` (a square grid, `L = h * h`) or `(h, w)`; or one
            map per word, `(T, L)` or `(T, h, w)` together with `words`.
        words: `T` words, one panel each (e.g. a generated caption); or None.
        title: title of the figure.
        ncols: panels per row.
        panel_size: side of one panel in inches.

    Returns:
        The matplotlib `Figure`.
    """
    image = _as_image(image)
    attention = np.asarray(attention, dtype=np.float64)
    if words is None:
        maps, labels = attention[None], [None]
    else:
        words = [_as_text(word) for word in words]
        if len(attention) != len(words):
            raise ValueError(f"expected one attention map per word ({len(words)}), got {attention.shape}")
        maps, labels = attention, words
    maps = np.stack([_as_grid(one) for one in maps])
    n = len(maps)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    figure, axes = plt.subplots(nrows, ncols, figsize=(panel_size * ncols, panel_size * nrows * 1.1),
                                squeeze=False)
    height, width = image.shape[:2]
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= n:
            continue
        ax.imshow(image, cmap="gray")
        weights = maps[index] / max(maps[index].max(), 1e-12)
        ax.imshow(weights, cmap="magma", alpha=0.6, interpolation="bilinear", vmin=0, vmax=1,
                  extent=(-0.5, width - 0.5, height - 0.5, -0.5))
        if labels[index] is not None:
            ax.set_title(labels[index], fontsize=9)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def show_frames(frames, labels=None, title: str | None = None, panel_size: float = 1.3):
    """Shows the frames of one clip side by side, each with its label.

    Args:
        frames: `(T, H, W, 1)`, `(T, H, W)` or `(T, H, W, 3)`.
        labels: `T` strings, or None.
        title: title of the figure.
        panel_size: side of one panel in inches.

    Returns:
        The matplotlib `Figure`.
    """
    frames = np.asarray(frames)
    return show_image_grid(frames, captions=labels, ncols=len(frames), title=title,
                           panel_size=panel_size)


def _as_grid(attention: np.ndarray) -> np.ndarray:
    """`(L,)` with `L` a square -> `(h, h)`; `(h, w)` unchanged."""
    if attention.ndim == 2:
        return attention
    if attention.ndim == 1:
        side = math.isqrt(attention.size)
        if side * side != attention.size:
            raise ValueError(
                f"expected L = h * h locations for a flat attention map, got L = {attention.size}; "
                "pass it as (h, w)"
            )
        return attention.reshape(side, side)
    raise ValueError(f"expected attention of shape (L,) or (h, w), got {attention.shape}")


def wrap_words(text: str, width: int = 24) -> str:
    """`text` on lines of at most `width` characters, broken between words (never inside one;
    a single word longer than `width` gets a line of its own). For figure titles."""
    if width < 1:
        raise ValueError(f"expected a width of at least 1, got {width}")
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False))
