"""Benchmark of the datasets: build times from nothing, and small training runs.

1. Builds every synthetic dataset into a fresh folder with
   `python -m rnnlab.data build --all` (the command behind `make data`), and
   prints each one's build time, the total wall time of the command (imports
   included) and its CPU time. The issue's budget: 60 s in total on 2 cores.
2. Shows with small CPU training runs that the datasets teach what they are for:
   - sentiment: a bag-of-words classifier stays far below a recurrent model;
   - long_range: at the default distance a vanilla RNN stays near chance on
     the test split while an LSTM solves it.

Usage: `python benchmarks/bench_datasets.py [--builds-only]`
"""

import argparse
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

BUILD_BUDGET_SECONDS = 60.0


def benchmark_builds() -> float:
    """Builds everything into a temporary folder; returns the command's wall time."""
    with tempfile.TemporaryDirectory(prefix="rnnlab_bench_tfds_") as data_dir:
        environment = {**os.environ, "TFDS_DATA_DIR": data_dir, "TF_CPP_MIN_LOG_LEVEL": "2"}
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-m", "rnnlab.data", "build", "--all", "--data-dir", data_dir],
            env=environment, capture_output=True, text=True, check=False,
        )
        wall = time.perf_counter() - started
        print(completed.stdout, end="")
        if completed.returncode != 0:
            print(completed.stderr[-3000:])
            raise SystemExit(f"build failed with exit code {completed.returncode}")
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        size = sum(f.stat().st_size for f in pathlib.Path(data_dir).rglob("*") if f.is_file())
    verdict = "within" if wall <= BUILD_BUDGET_SECONDS else "OVER"
    print(f"make data equivalent: {wall:.1f} s wall ({verdict} the {BUILD_BUDGET_SECONDS:.0f} s budget), "
          f"{usage.ru_utime + usage.ru_stime:.1f} s CPU, {size / 2**20:.0f} MiB on disk")
    return wall


def bag_of_words_accuracy(train: dict, test: dict, vocab_size: int) -> np.ndarray:
    """Logistic regression on word counts (numpy); returns per-example correctness on test."""
    def counts(tokens):
        features = np.zeros((len(tokens), vocab_size), np.float32)
        np.add.at(features, (np.repeat(np.arange(len(tokens)), tokens.shape[1]), tokens.ravel()), 1)
        features[:, 0] = 0  # <NULL> padding
        return features

    x, y = counts(train["tokens"]), train["label"]
    weights, bias = np.zeros(vocab_size, np.float32), 0.0
    for _ in range(2000):
        p = 1 / (1 + np.exp(-(x @ weights + bias)))
        weights -= 0.5 * x.T @ (p - y) / len(y)
        bias -= 0.5 * float(np.mean(p - y))
    return ((counts(test["tokens"]) @ weights + bias > 0) == test["label"])


def train_sequence_classifier(layer: str, train: dict, test: dict, vocab_size: int,
                              num_classes: int, epochs: int, padded: bool,
                              seed: int = 0) -> tuple[float, float]:
    """Embedding -> SimpleRNN or LSTM (32 units) -> Dense; returns (test accuracy, seconds)."""
    import keras

    keras.utils.set_random_seed(seed)
    recurrent = {"SimpleRNN": keras.layers.SimpleRNN, "LSTM": keras.layers.LSTM}[layer]
    model = keras.Sequential([
        keras.layers.Embedding(vocab_size, 16, mask_zero=padded),
        recurrent(32),
        keras.layers.Dense(num_classes),
    ])
    model.compile(keras.optimizers.Adam(3e-3),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    started = time.perf_counter()
    model.fit(train["tokens"], train["label"], batch_size=64, epochs=epochs, verbose=0)
    seconds = time.perf_counter() - started
    _, accuracy = model.evaluate(test["tokens"], test["label"], verbose=0)
    return float(accuracy), seconds


def benchmark_training() -> None:
    from rnnlab.data import load_numpy

    train, vocab = load_numpy("sentiment", "train")
    test, _ = load_numpy("sentiment", "test")
    correct = bag_of_words_accuracy(train, test, len(vocab))
    print(f"sentiment  bag of words      test accuracy {correct.mean():.3f}")
    constructions = test["construction"].astype(str)
    for construction in sorted(set(constructions)):
        share = correct[constructions == construction].mean()
        print(f"           {construction:<16} {share:.3f}")
    accuracy, seconds = train_sequence_classifier("LSTM", train, test, len(vocab), 2, epochs=4,
                                                  padded=True)
    print(f"sentiment  LSTM, 4 epochs    test accuracy {accuracy:.3f}  ({seconds:.0f} s)")

    train, vocab = load_numpy("long_range", "train")
    test, _ = load_numpy("long_range", "test")
    distance = train["tokens"].shape[1] - 6
    for layer in ("SimpleRNN", "LSTM"):
        accuracy, seconds = train_sequence_classifier(layer, train, test, len(vocab), 2, epochs=8,
                                                      padded=False)
        print(f"long_range {layer:<9} distance {distance}, 8 epochs  test accuracy {accuracy:.3f}  "
              f"({seconds:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--builds-only", action="store_true", help="skip the training runs")
    args = parser.parse_args()
    benchmark_builds()
    if not args.builds_only:
        benchmark_training()


if __name__ == "__main__":
    main()
