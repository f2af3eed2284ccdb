"""rnnlab.quiet: TensorFlow's known start-up lines are dropped from stderr, nothing else is."""

import os
import subprocess
import sys

from rnnlab.quiet import NOISE

# Lines TensorFlow 2.21 writes on a CPU-only machine (copied from a notebook's outputs).
KNOWN = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796133149.458473     446 port.cc:153] oneDNN custom operations are on. You "
    "may see slightly different numerical results due to floating-point round-off errors from "
    "different computation orders. To turn them off, set the environment variable "
    "`TF_ENABLE_ONEDNN_OPTS=0`.",
    "I0000 00:00:1796133149.509251     446 cudart_stub.cc:31] Could not find cuda drivers on "
    "your machine, GPU will not be used.",
    "I0000 00:00:1796133150.123526     446 cpu_feature_guard.cc:227] This TensorFlow binary is "
    "optimized to use available CPU instructions in performance-critical operations.",
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild "
    "TensorFlow with the appropriate compiler flags.",
    "E0000 00:00:1796133154.908709     446 cuda_platform.cc:52] failed call to cuInit: INTERNAL: "
    "CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)",
    "W0000 00:00:1796133158.743386     446 util.cc:163] Not handling type DT_DOUBLE",
    "E0000 00:00:1796137264.964889    7242 util.cc:131] oneDNN supports DT_INT32 only on "
    "platforms with AVX-512. Falling back to the default Eigen-based implementation if present.",
]
# Lines about a student's computation must get through.
KEPT = [
    "W0000 00:00:1796133158.743386     446 op_level_cost_estimator.cc:699] Error in PredictCost()",
    "E0000 00:00:1796133154.908709     446 gpu_device.cc:2040] out of memory",
    "Traceback (most recent call last):",
    "my own debugging print",
]


def test_the_noise_pattern_names_each_known_line_and_no_other():
    assert all(NOISE.match(line) for line in KNOWN)
    assert not any(NOISE.match(line) for line in KEPT)


def test_the_filter_drops_tensorflow_start_up_and_passes_the_rest():
    code = ("import os, time\n"
            "import rnnlab\n"
            "import tensorflow as tf\n"
            "tf.constant(1.0) + 1.0\n"
            f"os.write(2, {repr(chr(10).join(KNOWN + KEPT) + chr(10))}.encode())\n"
            "time.sleep(0.6)\n")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["RNNLAB_QUIET"] = "1"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == KEPT
    assert proc.stdout.startswith("TensorFlow 2.")
