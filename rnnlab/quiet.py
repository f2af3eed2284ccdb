"""Keeps TensorFlow's own start-up and device-probing lines out of the notebooks.

TensorFlow's C++ runtime writes log lines straight to the process's file descriptor 2 when it
is imported and when it first looks for devices (oneDNN, the CPU features it was not built
for, a missing CUDA driver, ``failed call to cuInit``), whatever ``TF_CPP_MIN_LOG_LEVEL``
says. In Jupyter they appear as red text under the first cells, and students read red text as
"my code is broken". Nothing in them is about the student's code.

:func:`install` (run by ``import rnnlab`` inside a Jupyter kernel, which is why the notebooks
import ``rnnlab`` before ``tensorflow``) puts a filter on file descriptor 2: a thread reads
what is written there and passes on every line except those of :data:`NOISE`, which names each
known line by its source file and its words. Anything else, such as an error TensorFlow
reports about the student's own computation, still reaches the notebook. It then prints one
line on standard output saying which TensorFlow runs on which device, so that on a GPU machine
the notebook still says a GPU is used.

Outside a kernel (scripts, the grader's worker, test runs) nothing is installed unless
``RNNLAB_QUIET=1``: the grader filters the same lines from what it reports (``NOISE``), and a
terminal user may want them.
"""

from __future__ import annotations

import os
import re
import select
import sys
import threading

# One alternative per known line: where TensorFlow writes it from, and its words.
NOISE = re.compile(
    r"^(?:WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|To enable the following instructions: .*rebuild TensorFlow with the appropriate compiler"
    r"|[IWE]\d{4} [\d:.]+ +\d+ (?:"
    r"port\.cc:\d+\] oneDNN custom operations are on"
    r"|cudart_stub\.cc:\d+\] Could not find cuda drivers"
    r"|cpu_feature_guard\.cc:\d+\] This TensorFlow binary is optimized"
    r"|cuda_platform\.cc:\d+\] failed call to cuInit"
    r"|cuda_executor\.cc:\d+\] .*(?:NUMA|cuInit)"
    r"|cuda_(?:dnn|fft|blas)\.cc:\d+\] Unable to register"
    r"|util\.cc:\d+\] Not handling type DT_DOUBLE"  # a graph optimiser skipping float64 ops
    r"|util\.cc:\d+\] oneDNN supports DT_\w+ only on platforms with"  # its kernel choice
    r"|tf_record_dataset_op\.cc:\d+\] The default buffer size"
    r"|service\.cc:\d+\] XLA service .* initialized for platform Host"
    r"|service\.cc:\d+\]   StreamExecutor device \(\d+\): Host, Default Version"
    r"|device_compiler\.h:\d+\] Compiled cluster using XLA"
    r"))")

_installed = False


def in_kernel() -> bool:
    """Whether this process is a Jupyter (IPython) kernel."""
    return "ipykernel" in sys.modules and "IPython" in sys.modules


def _pass_on(read_fd: int, write_fd: int) -> None:
    pending = b""
    while True:
        ready, _, _ = select.select([read_fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(read_fd, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            pending += chunk
            *lines, pending = pending.split(b"\n")
        elif pending:  # a line without its end for a while: pass it on as it is
            lines, pending = [pending], b""
            _write(write_fd, [ln for ln in lines if not NOISE.match(ln.decode("utf-8", "replace"))],
                   newline=False)
            continue
        else:
            continue
        _write(write_fd, [ln for ln in lines if not NOISE.match(ln.decode("utf-8", "replace"))])


def _write(fd: int, lines: list[bytes], newline: bool = True) -> None:
    if not lines:
        return
    data = b"\n".join(lines) + (b"\n" if newline else b"")
    try:
        os.write(fd, data)
    except OSError:
        pass


def install(force: bool | None = None) -> bool:
    """Filters :data:`NOISE` from file descriptor 2 and prints the device line, once.

    Args:
        force: install outside a kernel too (default: ``RNNLAB_QUIET=1``).

    Returns:
        Whether the filter is installed (now or before).
    """
    global _installed
    if _installed:
        return True
    if force is None:
        force = os.environ.get("RNNLAB_QUIET", "") not in ("", "0")
    if not (force or in_kernel()):
        return False
    try:
        original = os.dup(2)
        read_fd, write_fd = os.pipe()
        os.dup2(write_fd, 2)
        os.close(write_fd)
    except OSError:
        return False
    threading.Thread(target=_pass_on, args=(read_fd, original), daemon=True,
                     name="rnnlab-quiet").start()
    _installed = True
    print(device_line())
    return True


def device_line() -> str:
    """Which TensorFlow runs on which device (imports TensorFlow)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    names = []  # accelerators are the devices TensorFlow knows a product name of
    try:
        for device in tf.config.list_physical_devices():
            name = tf.config.experimental.get_device_details(device).get("device_name")
            if name:
                names.append(name)
    except Exception:  # noqa: BLE001 - the line is informative only
        names = []
    if not names:
        return f"TensorFlow {tf.__version__} on the CPU (no GPU found)"
    return f"TensorFlow {tf.__version__} on {len(names)} GPU(s): {', '.join(names)}"
