"""Everything runs unchanged on a CPU or a GPU: no code pins a device or turns on XLA.

A device string ("/GPU:0", tf.device(...)) breaks on a machine without that device; XLA
(`jit_compile=True`) on a loop unrolled in Python compiles for minutes. Prose may mention
both; code (notebook code cells and the libraries students and graders import) may not.
"""

import re
from pathlib import Path

import pytest

from autograder import paths
from rnnlab.notebook import read_notebook

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = [
    (re.compile(r"""["']/?(device:)?(GPU|CPU|TPU)(:\d+)?["']""", re.IGNORECASE), "a device string"),
    (re.compile(r"\btf\.device\s*\("), "tf.device(...)"),
    (re.compile(r"\bjit_compile\s*=\s*True\b"), "jit_compile=True"),
    (re.compile(r"CUDA_VISIBLE_DEVICES"), "CUDA_VISIBLE_DEVICES"),
]


def offences(source: str) -> list[str]:
    """What in ``source`` (Python code) pins a device or turns on XLA; comments do not count."""
    found = []
    for number, line in enumerate(source.splitlines(), 1):
        code = line.split("#", 1)[0]
        found += [f"line {number}: {what}" for pattern, what in FORBIDDEN if pattern.search(code)]
    return found


def _library_files():
    for folder in ("rnnlab", "datasets"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_the_scanner_finds_what_it_should():
    assert offences('with tf.device("/GPU:0"):\n    y = f(x)') == [
        "line 1: a device string", "line 1: tf.device(...)"]
    assert offences("step = tf.function(step, jit_compile=True)") == ["line 1: jit_compile=True"]
    assert offences('x = 1  # tf.device("/GPU:0") would break on a laptop') == []
    assert offences("model.compile(jit_compile=False)") == []


@pytest.mark.parametrize("assignment", paths.available_assignments())
def test_notebook_code_is_device_agnostic(assignment):
    for notebook in (paths.solution_notebook(assignment), paths.release_notebook(assignment)):
        for index, cell in enumerate(read_notebook(notebook)["cells"]):
            if cell["cell_type"] == "code":
                found = offences("".join(cell["source"]))
                assert not found, f"{notebook.name}, cell {index}: {found}"


def test_library_code_is_device_agnostic():
    files = list(_library_files())
    assert len(files) > 10
    for path in files:
        found = offences(path.read_text())
        assert not found, f"{path.relative_to(ROOT)}: {found}"
