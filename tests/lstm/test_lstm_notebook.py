"""The lstm notebook runs top to bottom (in fast mode), and the benchmark runs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import notebook_problems

from autograder.paths import solution_notebook

ROOT = Path(__file__).resolve().parents[2]


def test_notebook_cells_follow_the_scheme():
    nb = json.loads(solution_notebook("lstm").read_text())
    assert nb["metadata"]["rnnlab"] == {"assignment": "lstm"}
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    # Every training run shows a progress bar: the notebook trains through rnnlab.training.
    trainings = [s for s in sources if "optimizer.apply" in s and "perf_counter" not in s]
    assert trainings and all("train(" in s for s in trainings)
    assert not any("jit_compile=True" in s for s in sources)
    # No cell may reach for the rnn notebook's student code.
    assert not any("solutions/rnn" in s or "assignments/rnn" in s for s in sources)


@pytest.mark.slow
def test_solution_notebook_runs_top_to_bottom_in_fast_mode(execute_notebook):
    """No errors, and nothing on stderr: TensorFlow's start-up lines are filtered where the
    notebook first imports rnnlab, and the notebook's own code causes no warnings."""
    problems = notebook_problems(execute_notebook("lstm"))
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_benchmark_runs_and_prints_the_ratio():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_lstm.py"),
                           "--rounds", "1", "--steps", "1"], check=False, capture_output=True,
                          text=True, cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ratio ours/keras" in proc.stdout
