"""Shared test set-up: quiet TensorFlow, fast notebooks, a headless plotting backend."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("RNNLAB_FAST", "1")
