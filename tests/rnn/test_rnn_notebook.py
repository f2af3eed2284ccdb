"""The rnn notebook runs top to bottom (in fast mode) without errors and without a line on
stderr: TensorFlow's start-up lines are filtered where the notebook first imports rnnlab
(rnnlab.quiet), and the notebook says which device TensorFlow uses instead."""

import pytest

from conftest import notebook_problems


@pytest.mark.slow
def test_solution_notebook_runs_quietly_in_fast_mode(execute_notebook):
    nb = execute_notebook("rnn")
    problems = notebook_problems(nb)
    assert not problems, "\n".join(problems)
    said = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs if o.output_type == "stream")
    assert "TensorFlow 2." in said and ("on the CPU" in said or "GPU(s)" in said)
