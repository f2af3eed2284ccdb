"""The gradient-flow lab of the ``lstm`` notebook: reference vanilla RNNs and the lab's plots.

Nothing here is graded. The vanilla RNN is Keras' own ``keras.layers.SimpleRNN`` with weights
chosen by the lab (the recurrent matrix is a scaled orthogonal matrix, so its scale is the one
number that decides whether gradients shrink or grow); the plots show gradient norms against
distance in time, forget-gate values and accuracy against distance; ``comparison_table`` sets the
long-range models' parameter counts and training times beside their accuracies.
"""

from __future__ import annotations

import numpy as np


def orthogonal(n: int, seed: int) -> np.ndarray:
    """A random `(n, n)` orthogonal matrix (all singular values 1), from a fixed seed."""
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def vanilla_rnn(input_dim: int, units: int, scale: float, *, input_scale: float = 0.1,
                seed: int = 0, return_sequences: bool = True, dtype: str = "float32"):
    """A built ``keras.layers.SimpleRNN`` whose recurrent matrix is ``scale`` times orthogonal.

    Args:
        input_dim: `D`.
        units: `H`.
        scale: every singular value of `Wh` (below 1: gradients vanish; above 1: they can
            explode while tanh is not saturated).
        input_scale: the size of `Wx` (small inputs keep tanh in its linear range).
        seed: fixes both matrices.
        return_sequences: as in Keras.
        dtype: the layer's dtype.

    Returns:
        The layer, with `Wx` `(D, H)`, `Wh` `(H, H)` and a zero bias.
    """
    import keras

    rng = np.random.default_rng(seed)
    layer = keras.layers.SimpleRNN(units, return_sequences=return_sequences, dtype=dtype)
    layer.build((None, None, input_dim))
    Wx = rng.standard_normal((input_dim, units)) * input_scale / np.sqrt(input_dim)
    Wh = scale * orthogonal(units, seed + 1)
    layer.set_weights([Wx.astype(dtype), Wh.astype(dtype), np.zeros(units, dtype)])
    return layer


def plot_gradient_flow(curves: dict, ax=None, title: str | None = None, styles: dict | None = None):
    """Gradient norm against distance in time, on a log scale.

    Args:
        curves: label -> norms `(T,)`, where ``norms[t]`` belongs to input ``t`` and the loss
            sits at the last step (distance ``T - 1 - t``).
        ax: the axes to draw on (a new figure by default).
        title: the axes' title.
        styles: label -> keyword arguments for ``ax.plot`` (colour, line style).

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for label, norms in curves.items():
        norms = np.asarray(norms, dtype=np.float64)
        distance = np.arange(len(norms))[::-1]
        positive = norms > 0
        ax.plot(distance[positive], norms[positive], label=label, **(styles or {}).get(label, {}))
    ax.set_yscale("log")
    ax.set_xlabel("distance in time from the loss (steps)")
    ax.set_ylabel(r"$\|\partial L_T / \partial x_t\|$")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def plot_clipping(histories: dict, threshold: float, axes=None):
    """Loss and gradient norm of training runs with and without clipping, side by side.

    Args:
        histories: label -> :class:`rnnlab.training.History` with ``loss`` and ``grad_norm``.
        threshold: the clipping threshold, drawn on the gradient-norm panel.
        axes: two axes (a new figure by default).

    Returns:
        The two axes.
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 3.8))
    for label, history in histories.items():
        history.plot(["loss"], ax=axes[0])
        axes[0].lines[-1].set_label(label)
        axes[1].plot(history.steps["grad_norm"], history.values["grad_norm"], label=label)
    axes[0].set_title("training loss")
    axes[0].set_yscale("log")
    axes[0].legend()
    axes[1].axhline(threshold, color="k", ls=":", label=f"threshold {threshold:g}")
    axes[1].set_yscale("log")
    axes[1].set_xlabel("step")
    axes[1].set_title("gradient norm before clipping")
    axes[1].grid(alpha=0.3, which="both")
    axes[1].legend()
    return axes


def plot_forget_gates(f: np.ndarray, ax=None, title: str | None = None, marks=()):
    """The forget gate of every hidden unit along a sequence, as a heatmap.

    Args:
        f: forget-gate values of one sequence, `(T, H)`, in [0, 1].
        ax: the axes (a new figure by default).
        title: the axes' title.
        marks: time steps to mark with a vertical line (where the information to remember
            arrives, where it is needed).

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    f = np.asarray(f, dtype=np.float64)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    image = ax.imshow(f.T, aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
    for t in marks:
        ax.axvline(t, color="w", ls="--", lw=1)
    ax.set_xlabel("time step t")
    ax.set_ylabel("hidden unit")
    ax.figure.colorbar(image, ax=ax, label="forget gate $f_t$")
    if title:
        ax.set_title(title)
    return ax


def plot_memory_unit(c: np.ndarray, f: np.ndarray, labels, label_names=("a", "b"), marks=(),
                     axes=None, unit: int | None = None):
    """One hidden unit's cell state and forget gate along many sequences, coloured by label.

    Args:
        c: the unit's cell state, `(N, T)`.
        f: the unit's forget gate, `(N, T)`.
        labels: `(N,)` class ids (0 or 1) of the sequences.
        label_names: the names of the two classes.
        marks: time steps to mark with a vertical line.
        axes: two axes (a new figure by default).
        unit: the unit's index, for the titles.

    Returns:
        The two axes.
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(13, 3.5))
    labels = np.asarray(labels)
    for value, colour in ((0, "C0"), (1, "C1")):
        rows = np.flatnonzero(labels == value)
        for k, n in enumerate(rows):
            name = f"label {label_names[value]}" if k == 0 else None
            axes[0].plot(c[n], color=colour, lw=0.8, alpha=0.6, label=name)
            axes[1].plot(f[n], color=colour, lw=0.8, alpha=0.6, label=name)
    which = "" if unit is None else f" of unit {unit}"
    axes[0].set(xlabel="time step t", ylabel="$c_t$", title=f"cell state{which}")
    axes[1].set(xlabel="time step t", ylabel="$f_t$", title=f"forget gate{which}", ylim=(0, 1.02))
    for ax in axes:
        for t in marks:
            ax.axvline(t, color="k", ls="--", lw=0.8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return axes


def plot_accuracy_by_distance(results: dict, ax=None, chance: float | None = None,
                              title: str | None = None):
    """Accuracy against the distance between the information and the question.

    Args:
        results: label -> (distances, accuracies), two equal-length sequences.
        ax: the axes (a new figure by default).
        chance: the accuracy of guessing, drawn as a dotted line.
        title: the axes' title.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for label, (distances, accuracies) in results.items():
        ax.plot(distances, accuracies, marker="o", label=label)
    if chance is not None:
        ax.axhline(chance, color="k", ls=":", label="chance")
    ax.set_xlabel("distance (steps)")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def comparison_table(models: dict, distances) -> str:
    """What each model costs and what it learned, one line per model, as text.

    Args:
        models: label -> ``(parameters, seconds, accuracies)``: the parameter count, the
            training time in seconds and the test accuracy at each of ``distances``.
        distances: the distances the accuracies belong to.

    Returns:
        The table, ready to print.

    Example:
        >>> print(comparison_table({"GRU": (15890, 12.2, [1.0, 0.98])}, [5, 60]))
    """
    distances = list(distances)
    width = max([len("model")] + [len(label) for label in models])
    header = (f"{'model':<{width}}  {'parameters':>10}  {'training (s)':>12}  "
              + "  ".join(f"{'d=' + str(d):>6}" for d in distances))
    lines = [header, "-" * len(header)]
    for label, row in models.items():
        if len(row) != 3:
            raise ValueError(f"Expected (parameters, seconds, accuracies) for {label!r}. "
                             f"Received: {row!r}")
        parameters, seconds, accuracies = row
        accuracies = list(accuracies)
        if len(accuracies) != len(distances):
            raise ValueError(f"Expected {len(distances)} accuracies for {label!r} (one per "
                             f"distance {distances}). Received: {len(accuracies)}")
        lines.append(f"{label:<{width}}  {int(parameters):>10,}  {float(seconds):>12.1f}  "
                     + "  ".join(f"{float(a):>6.3f}" for a in accuracies))
    return "\n".join(lines)
