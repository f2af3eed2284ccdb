"""Benchmark: one training step of the ``lstm`` notebook's ``LSTM`` layer vs ``keras.layers.LSTM``.

A training step is the forward pass, the backward pass and an SGD update, under
``@tf.function``, with batch 64, ``T = 20``, ``D = 128``, ``H = 256`` (float32). The layer is
the solution notebook's own (loaded with ``autograder.load_definitions``), so the benchmark
measures what students are asked to write. Both layers get the same weights (converted with the
notebook's ``lstm_weights_to_keras``) and must agree before anything is timed.

The two take turns, one step each, many times over, so a machine that is busy with something
else slows both down alike; the ratio of the median step times is printed (target: at most 1.0x
on CPU), with the ratio of process CPU time per step, which load hardly changes.

Usage: ``python benchmarks/bench_lstm.py [--rounds 40] [--steps 1]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
N, T, D, H = 64, 20, 128, 256
TARGET = 1.0


def training_step(layer, variables):
    """A compiled training step: mean squared error on every hidden state, then SGD."""
    import keras
    import tensorflow as tf

    optimizer = keras.optimizers.SGD(learning_rate=0.01)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((layer(x) - y) ** 2)
        grads = tape.gradient(loss, variables)
        optimizer.apply(grads, variables)
        return loss

    return step


def time_steps(step, x, y, steps: int) -> tuple[float, float]:
    """Wall-clock and process CPU seconds per step over ``steps`` consecutive steps."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        loss = step(x, y)
    float(loss)  # wait for the last step to finish
    return (time.perf_counter() - wall) / steps, (time.process_time() - cpu) / steps


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="turns of each layer")
    parser.add_argument("--steps", type=int, default=1, help="training steps per turn")
    args = parser.parse_args(argv)

    import keras
    import numpy as np
    import tensorflow as tf

    from autograder.api import load_definitions

    ns = load_definitions(ROOT / "solutions" / "lstm" / "lstm.ipynb")
    if ns["__cell_errors__"]:
        print(f"the solution notebook did not load: {ns['__cell_errors__']}", file=sys.stderr)
        return 1

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal((N, T, D)), tf.float32)
    y = tf.constant(rng.uniform(-0.5, 0.5, (N, T, H)), tf.float32)

    ours = ns["LSTM"](H, return_sequences=True)
    ours.build(x.shape)
    theirs = keras.layers.LSTM(H, return_sequences=True)
    theirs.build(x.shape)
    converted = ns["lstm_weights_to_keras"](ours.Wx, ours.Wh, ours.b)
    theirs.set_weights([np.asarray(w) for w in converted])
    gap = float(np.max(np.abs(ours(x) - theirs(x))))
    if gap > 1e-4:
        print(f"the two layers disagree (max difference {gap:.2e}); not timing", file=sys.stderr)
        return 1

    steps = {"ours": training_step(ours, ours.trainable_variables),
             "keras": training_step(theirs, theirs.trainable_variables)}
    for name, step in steps.items():  # trace, and build the optimizers' state
        for _ in range(3):
            step(x, y)

    wall = {name: [] for name in steps}
    cpu = {name: [] for name in steps}
    for r in range(args.rounds):
        order = list(steps) if r % 2 == 0 else list(steps)[::-1]
        for name in order:
            w, c = time_steps(steps[name], x, y, args.steps)
            wall[name].append(w)
            cpu[name].append(c)

    med = {name: statistics.median(v) for name, v in wall.items()}
    ratio = med["ours"] / med["keras"]
    best = min(wall["ours"]) / min(wall["keras"])
    cpu_ratio = statistics.median(cpu["ours"]) / statistics.median(cpu["keras"])
    print(f"LSTM training step (forward, backward, SGD update), N={N} T={T} D={D} H={H}, "
          f"float32, @tf.function, {os.cpu_count()} CPU cores, load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"  notebook LSTM     {med['ours'] * 1e3:8.1f} ms/step (median of {args.rounds} turns "
          f"of {args.steps} step{'s' if args.steps > 1 else ''})")
    print(f"  keras.layers.LSTM {med['keras'] * 1e3:8.1f} ms/step")
    print(f"  ratio ours/keras  {ratio:8.2f}x  (fastest turns {best:.2f}x, CPU time "
          f"{cpu_ratio:.2f}x); target <= {TARGET:.1f}x: {'met' if ratio <= TARGET else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
