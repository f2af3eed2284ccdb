"""Scoring attention against the object grounding of shapes_captions.

With a CNN grid of `h x w = L` locations over an `S x S` image, each grounded
caption token gets a target distribution over the `L` locations: the share of
its object's pixels that falls in each cell. Attention can then be scored by
the mass it puts on cells that hold the object.

Alignment: `token_objects[:, t]` grounds caption position `t`; a decoder step
that reads caption token `t` and predicts token `t + 1` should be compared with
the grounding of position `t + 1`.
"""

import numpy as np


def grounding_on_grid(token_objects: np.ndarray, segmentation: np.ndarray,
                      grid_shape: tuple[int, int]) -> np.ndarray:
    """Target attention of each caption token over a grid of `L = h * w` cells.

    Args:
        token_objects: object index per caption token, -1 when ungrounded, `(N, T)`.
        segmentation: 0 for background, `k + 1` on object `k`, `(N, S, S)`; `S`
            must be a multiple of `h` and of `w`.
        grid_shape: `(h, w)`.

    Returns:
        `(N, T, L)` float32: per grounded token, the share of the object's pixels
        in each cell (sums to 1); zeros for ungrounded tokens.

    Raises:
        ValueError: for mismatched shapes.
    """
    token_objects = np.asarray(token_objects)
    segmentation = np.asarray(segmentation)
    if token_objects.ndim != 2 or segmentation.ndim != 3 or len(token_objects) != len(segmentation):
        raise ValueError(
            f"expected token_objects (N, T) and segmentation (N, S, S), "
            f"got {token_objects.shape} and {segmentation.shape}"
        )
    n, size = segmentation.shape[0], segmentation.shape[1]
    h, w = grid_shape
    if size % h or segmentation.shape[2] % w:
        raise ValueError(f"expected image sides divisible by grid {grid_shape}, got {segmentation.shape[1:]}")
    num_objects = int(segmentation.max(initial=0))
    # Pixels of each object per cell: (N, K, h, w).
    cells = np.stack([
        (segmentation == k + 1).reshape(n, h, size // h, w, segmentation.shape[2] // w).sum(axis=(2, 4))
        for k in range(num_objects)
    ], axis=1).astype(np.float32) if num_objects else np.zeros((n, 0, h, w), np.float32)
    totals = cells.sum(axis=(2, 3), keepdims=True)
    shares = np.divide(cells, totals, out=np.zeros_like(cells), where=totals > 0).reshape(n, -1, h * w)
    targets = np.zeros((*token_objects.shape, h * w), dtype=np.float32)
    rows, steps = np.nonzero(token_objects >= 0)
    targets[rows, steps] = shares[rows, token_objects[rows, steps]]
    return targets


def attention_on_object(attention: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The attention mass on cells that hold the token's object.

    Args:
        attention: attention weights, `(N, T, L)`, each row summing to 1.
        targets: `grounding_on_grid` output aligned with `attention`, `(N, T, L)`.

    Returns:
        `(N, T)` float32 in [0, 1]; NaN where the token is ungrounded.
    """
    attention, targets = np.asarray(attention), np.asarray(targets)
    if attention.shape != targets.shape:
        raise ValueError(f"expected attention of shape {targets.shape}, got {attention.shape}")
    mass = (attention * (targets > 0)).sum(axis=-1).astype(np.float32)
    mass[targets.sum(axis=-1) == 0] = np.nan
    return mass
