"""The hard-attention and VQA experiments of the ``captioning`` notebook: tools and plots.

Nothing here is graded. The models are the notebook's own (built from the student's functions);
these helpers copy weights between them, measure how noisy a stochastic gradient estimate is,
add coordinates to a feature grid, tabulate answer accuracy by kind of question, and draw the
plots that compare soft and hard attention (reward curves, gradient variance, where each model
looks) and VQA answers with their attention maps.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence

import numpy as np


def copy_captioner_weights(source, target) -> None:
    """Copies a trained captioner into another one with the same encoder and weight names.

    Args:
        source, target: built captioners (``ImageCaptioner``) whose encoders have the same
            layers and whose decoders list their weights by name in ``params`` (for instance a
            soft-attention model and a hard-attention one).

    Raises:
        ValueError: when the encoders or the decoders' weight names or shapes differ.
    """
    src, dst = source.encoder.weights, target.encoder.weights
    if [tuple(w.shape) for w in src] != [tuple(w.shape) for w in dst]:
        raise ValueError("expected encoders with the same weights, got shapes "
                         f"{[tuple(w.shape) for w in src]} and {[tuple(w.shape) for w in dst]}")
    params, into = source.decoder.params, target.decoder.params
    missing = sorted(set(params) ^ set(into))
    if missing:
        raise ValueError(f"expected decoders with the same weight names, got {missing} in only one")
    for name, value in params.items():
        if tuple(value.shape) != tuple(into[name].shape):
            raise ValueError(f"expected {name} of shape {tuple(into[name].shape)}, "
                             f"got {tuple(value.shape)}")
    for s, d in zip(src, dst):
        d.assign(s)
    for name, value in params.items():
        into[name].assign(value)


def loss_gradient_fn(model, inputs, targets, variables) -> Callable:
    """A compiled ``() -> gradients`` of ``model.loss(inputs, targets)`` w.r.t. ``variables``.

    With a stochastic loss (hard attention samples its locations), every call draws anew, so
    calling it repeatedly samples the gradient *estimate* (see :func:`gradient_variance`).
    """
    import tensorflow as tf

    @tf.function
    def gradients():
        with tf.GradientTape() as tape:
            loss = model.loss(inputs, targets)
        return tape.gradient(loss, variables)

    return gradients


def gradient_variance(gradient_fn: Callable, draws: int = 16) -> dict:
    """How noisy a stochastic gradient estimate is, from ``draws`` independent draws.

    Args:
        gradient_fn: ``() -> list of gradient tensors`` (one per variable), random per call.
        draws: how many times to call it (at least 2).

    Returns:
        A dict: ``variance``, the total variance (the variance across draws of every gradient
        entry, summed over entries); ``signal``, the squared norm of the mean gradient; and
        ``ratio``, ``variance / signal`` (how many times larger the noise is than the signal).
    """
    if draws < 2:
        raise ValueError(f"expected at least 2 draws, got {draws}")
    samples = []
    for _ in range(draws):
        grads = gradient_fn()
        samples.append(np.concatenate([np.ravel(np.asarray(g, np.float64)) for g in grads]))
    samples = np.stack(samples)  # (draws, entries)
    variance = float(np.sum(np.var(samples, axis=0, ddof=1)))
    signal = float(np.sum(np.mean(samples, axis=0) ** 2))
    return {"variance": variance, "signal": signal, "ratio": variance / max(signal, 1e-30)}


def grid_with_coordinates(grid):
    """Appends each location's row and column coordinate (from -1 to 1) to a square grid.

    Args:
        grid: feature vectors `(N, L, D)` of a square `h x h` grid flattened row by row.

    Returns:
        `(N, L, D + 2)`: every vector followed by its row, then its column coordinate.
    """
    import tensorflow as tf

    L = grid.shape[1]
    side = math.isqrt(L)
    if side * side != L:
        raise ValueError(f"expected a square grid, L = h * h locations, got L = {L}")
    coords = tf.linspace(tf.constant(-1.0, grid.dtype), tf.constant(1.0, grid.dtype), side)
    rows = tf.reshape(tf.repeat(coords, side), [1, L, 1])
    cols = tf.reshape(tf.tile(coords, [side]), [1, L, 1])
    shape = [tf.shape(grid)[0], L, 1]
    return tf.concat([grid, tf.broadcast_to(rows, shape), tf.broadcast_to(cols, shape)], axis=-1)


def answers_by_kind(answer_fn: Callable, batches, decode: Callable, kind_words: int = 2) -> dict:
    """Runs a VQA model over a dataset and groups its answers by kind of question.

    Args:
        answer_fn: ``(images, questions) -> (scores (N, K), alphas)``.
        batches: an iterable of dicts with ``image``, ``question`` and ``answer``.
        decode: token ids -> text (``vocab.decode``).
        kind_words: a question's kind is its first ``kind_words`` words ("what colour").

    Returns:
        A dict of arrays over all questions: ``kinds``, ``answers``, ``predicted`` and
        ``correct``.
    """
    kinds, answers, predicted = [], [], []
    for batch in batches:
        scores, _ = answer_fn(batch["image"], batch["question"])
        questions = np.asarray(batch["question"])
        kinds += [" ".join(decode(q).split()[:kind_words]) for q in questions]
        answers.append(np.asarray(batch["answer"]))
        predicted.append(np.argmax(np.asarray(scores), axis=-1))
    answers, predicted = np.concatenate(answers), np.concatenate(predicted)
    return {"kinds": np.array(kinds), "answers": answers, "predicted": predicted,
            "correct": predicted == answers}


def accuracy_by_kind(results: Mapping) -> dict:
    """``{kind: accuracy}`` and ``"overall"`` from :func:`answers_by_kind`'s results."""
    kinds, correct = results["kinds"], results["correct"]
    table = {str(kind): float(np.mean(correct[kinds == kind])) for kind in sorted(set(kinds))}
    return {"overall": float(np.mean(correct)), **table}


def accuracy_table(models: Mapping[str, Mapping]) -> str:
    """A text table: one row per kind of question (and ``overall``), one column per model.

    Args:
        models: model name -> :func:`answers_by_kind` results (of the same questions).
    """
    names = list(models)
    accuracies = {name: accuracy_by_kind(results) for name, results in models.items()}
    first = models[names[0]]
    kinds = ["overall", *sorted(set(first["kinds"]))]
    width = max(12, *(len(n) + 2 for n in names))
    lines = [f"{'question':16}{'count':>7}" + "".join(f"{n:>{width}}" for n in names)]
    for kind in kinds:
        count = len(first["kinds"]) if kind == "overall" else int(np.sum(first["kinds"] == kind))
        label = kind if kind == "overall" else f"{kind} ..."
        lines.append(f"{label:16}{count:7d}"
                     + "".join(f"{accuracies[n][kind]:{width}.1%}" for n in names))
    return "\n".join(lines)


def plot_reward_curves(curves: Mapping[str, tuple], ax=None, title: str | None = None):
    """Reward (minus the caption loss) against training step, one line per run.

    Args:
        curves: label -> ``(steps, rewards)``.
        ax: the axes (a new figure by default).
        title: the axes' title.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for label, (steps, rewards) in curves.items():
        ax.plot(steps, rewards, label=label)
    ax.set(xlabel="step", ylabel="reward = -caption loss", title=title or "Reward")
    ax.set_yscale("symlog", linthresh=1.0)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def plot_gradient_variance(variances: Mapping[str, Mapping], ax=None, title: str | None = None):
    """A bar per estimator: the total variance of its gradient estimate (log scale).

    Args:
        variances: label -> :func:`gradient_variance`'s result.
        ax: the axes (a new figure by default).
        title: the axes' title.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    labels = list(variances)
    values = [variances[k]["variance"] for k in labels]
    ax.bar(range(len(labels)), values, color="tab:orange")
    ax.set_xticks(range(len(labels)), [textwrap.fill(k, 14) for k in labels], fontsize=8)
    ax.set_yscale("log")
    ax.set(ylabel="variance of the gradient estimate",
           title=title or "Gradient estimate of the attention weights")
    ax.grid(alpha=0.3, axis="y")
    return ax


def plot_where_models_look(image, words: Sequence[str], maps: Mapping[str, np.ndarray],
                           panel_size: float = 1.5):
    """One row per model, one panel per word: the attention map each model used for it.

    Args:
        image: `(S, S, 3)` floats in [0, 1].
        words: the `T` words of the caption both models read.
        maps: model name -> attention weights `(T, L)` (or longer in T) over a square grid.
        panel_size: side of a panel in inches.

    Returns:
        The figure.
    """
    import matplotlib.pyplot as plt

    image = np.asarray(image)
    words = list(words)
    rows, cols = len(maps), len(words)
    fig, axes = plt.subplots(rows, cols, squeeze=False,
                             figsize=(panel_size * cols, panel_size * rows * 1.15))
    for r, (name, alphas) in enumerate(maps.items()):
        alphas = np.asarray(alphas, np.float64)
        side = math.isqrt(alphas.shape[-1])
        for t, word in enumerate(words):
            ax = axes[r, t]
            heat = np.kron(alphas[t].reshape(side, side), np.ones((image.shape[0] // side,) * 2))
            ax.imshow(image)
            ax.imshow(heat, cmap="magma", alpha=0.6, vmin=0)
            ax.set_title(word, fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
            if t == 0:
                ax.set_ylabel(name, fontsize=9)
    fig.tight_layout()
    return fig


def plot_vqa_examples(images, questions: Sequence[str], guesses: Sequence[str],
                      truths: Sequence[str], alphas, panel_size: float = 2.6):
    """Each example's image with the attention of every glimpse, titled with question and answer.

    Args:
        images: `(N, S, S, 3)`.
        questions, guesses, truths: `N` strings each.
        alphas: attention weights `(N, L)` (one glimpse) or `(N, G, L)` (`G` glimpses).
        panel_size: side of a panel in inches.

    Returns:
        The figure.
    """
    import matplotlib.pyplot as plt

    images, alphas = np.asarray(images), np.asarray(alphas, np.float64)
    if alphas.ndim == 2:
        alphas = alphas[:, None]
    n, glimpses = alphas.shape[:2]
    side = math.isqrt(alphas.shape[-1])
    fig, axes = plt.subplots(glimpses, n, squeeze=False,
                             figsize=(panel_size * n, panel_size * glimpses * 1.2))
    for i in range(n):
        for g in range(glimpses):
            ax = axes[g, i]
            block = np.ones((images.shape[1] // side,) * 2)
            heat = np.kron(alphas[i, g].reshape(side, side), block)
            ax.imshow(images[i])
            ax.imshow(heat, cmap="magma", alpha=0.55, vmin=0)
            ax.set_xticks([])
            ax.set_yticks([])
            if g == 0:
                mark = "ok" if guesses[i] == truths[i] else f"truth: {truths[i]}"
                ax.set_title(textwrap.fill(f"{questions[i]} -> {guesses[i]} ({mark})", 30),
                             fontsize=8, color="green" if guesses[i] == truths[i] else "red")
            if i == 0 and glimpses > 1:
                ax.set_ylabel(f"glimpse {g + 1}", fontsize=9)
    fig.tight_layout()
    return fig
