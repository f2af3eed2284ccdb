"""Small, generic pieces of a custom training loop: progress, history, curves.

The training *step* (``tf.GradientTape``, ``optimizer.apply``, clipping) is what students
write; this module only runs it with a progress bar and records what it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class History:
    """Values recorded during training, by name (``"loss"``, ``"val_loss"``, ``"grad_norm"``)."""

    steps: dict[str, list[int]] = field(default_factory=dict)
    values: dict[str, list[float]] = field(default_factory=dict)

    def log(self, step: int, **values) -> None:
        for key, value in values.items():
            self.steps.setdefault(key, []).append(int(step))
            self.values.setdefault(key, []).append(float(value))

    def last(self, key: str) -> float:
        return self.values[key][-1]

    def plot(self, keys=None, ax=None, logy: bool = False, title: str | None = None):
        """Plots the recorded curves (all of them by default); returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        for key in keys or list(self.values):
            ax.plot(self.steps[key], self.values[key], label=key)
        ax.set_xlabel("step")
        if logy:
            ax.set_yscale("log")
        if title:
            ax.set_title(title)
        ax.legend()
        ax.grid(alpha=0.3)
        return ax


def progress(iterable: Iterable, total: int | None = None, desc: str = ""):
    """A progress bar that works in notebooks and terminals (tqdm)."""
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, leave=True, mininterval=0.5)


def train(step_fn: Callable, batches: Iterable, num_steps: int, *, desc: str = "training",
          history: History | None = None, log_every: int = 1, evaluate: Callable | None = None,
          eval_every: int = 0) -> History:
    """Calls ``step_fn(batch) -> loss or dict of metrics`` for ``num_steps`` batches.

    Args:
        step_fn: one training step; returns the loss (a scalar) or a dict of scalars.
        batches: an iterable of batches (a ``tf.data.Dataset`` is repeated as needed).
        num_steps: how many steps to run.
        desc: the progress bar's label.
        history: a :class:`History` to append to (a new one by default).
        log_every: record every this many steps.
        evaluate: optional ``() -> dict of scalars`` run every ``eval_every`` steps.

    Returns:
        The :class:`History`.
    """
    history = history or History()
    start = max([s[-1] for s in history.steps.values()] + [-1]) + 1
    iterator = iter(batches.repeat() if hasattr(batches, "repeat") else batches)
    bar = progress(range(num_steps), total=num_steps, desc=desc)
    for i in bar:
        out = step_fn(next(iterator))
        metrics = out if isinstance(out, dict) else {"loss": out}
        if i % log_every == 0 or i == num_steps - 1:
            metrics = {k: float(np.asarray(v)) for k, v in metrics.items()}
            history.log(start + i, **metrics)
            bar.set_postfix({k: f"{v:.3f}" for k, v in metrics.items()}, refresh=False)
        if evaluate is not None and eval_every and ((i + 1) % eval_every == 0 or i == num_steps - 1):
            history.log(start + i, **{k: float(v) for k, v in evaluate().items()})
    return history
