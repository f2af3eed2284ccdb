"""Rasterising simple shapes into boolean masks, with numpy only.

Boxes are `(y0, x0, y1, x1)` in pixels with `y1` and `x1` exclusive, so
`mask[y0:y1, x0:x1]` is the smallest window holding every pixel of the shape.

This module is imported by file path (see `import_shared` in each builder):
`datasets/` is not a Python package.
"""

import numpy as np

SHAPE_KINDS = ("circle", "square", "triangle")


def shape_mask(kind: str, top: int, left: int, extent: int, image_size: int) -> np.ndarray:
    """Draws one shape inside the square window `[top, top+extent) x [left, left+extent)`.

    Args:
        kind: one of `SHAPE_KINDS`; a triangle points up.
        top: first row of the window.
        left: first column of the window.
        extent: side of the window in pixels.
        image_size: side `S` of the square image.

    Returns:
        A boolean mask of shape `(S, S)`.

    Raises:
        ValueError: for an unknown kind.
    """
    rows = np.arange(image_size, dtype=np.float64)[:, None]  # (S, 1)
    cols = np.arange(image_size, dtype=np.float64)[None, :]  # (1, S)
    inside_rows = (rows >= top) & (rows < top + extent)
    inside_cols = (cols >= left) & (cols < left + extent)
    centre_y = top + (extent - 1) / 2.0
    centre_x = left + (extent - 1) / 2.0
    if kind == "square":
        return inside_rows & inside_cols
    if kind == "circle":
        radius = extent / 2.0
        return (rows - centre_y) ** 2 + (cols - centre_x) ** 2 <= radius**2
    if kind == "triangle":
        half_width = (rows - top + 1) * (extent / 2.0) / extent  # grows from the apex down
        return inside_rows & inside_cols & (np.abs(cols - centre_x) <= half_width)
    raise ValueError(f"expected a shape kind in {SHAPE_KINDS}, got {kind!r}")


def mask_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """Returns the tight box `(y0, x0, y1, x1)` of a non-empty boolean mask.

    Args:
        mask: boolean array of shape `(S, S)`.

    Returns:
        The box, with `y1` and `x1` exclusive.

    Raises:
        ValueError: if the mask is empty.
    """
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        raise ValueError("expected a mask with at least one pixel set, got an empty mask")
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1
