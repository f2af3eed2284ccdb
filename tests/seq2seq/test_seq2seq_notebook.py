"""The seq2seq solution notebook runs top to bottom (fast mode: a smoke test of every
experiment: data, the trainings, heatmaps, beam search, the two encoders) and nbgrader grades it
in full."""

import shutil
import subprocess
import sys

import pytest
from conftest import INLINE, notebook_problems

from autograder import paths
from autograder.release import nbgrader_env

pytestmark = pytest.mark.slow

A = "seq2seq"


def _text(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")


def test_solution_runs_top_to_bottom_in_fast_mode(execute_notebook):
    nb = execute_notebook(A, env={"MPLBACKEND": INLINE})  # raises on the first failing cell
    problems = notebook_problems(nb)  # no error, nothing on stderr
    assert not problems, "\n".join(problems)
    text = _text(nb)
    for unit in ("encoder", "decoder", "seq2seq_loss", "train_step", "greedy_decode", "attend",
                 "additive_attention", "dot_product_attention", "attention_decoder",
                 "beam_search", "bidirectional_encoder"):
        assert f"{unit}: all " in text and "checks passed" in text
    assert "with attention:" in text and "without attention:" in text
    assert "beams for" in text
    # the bidirectional experiment: both encoders with the attention decoder, side by side
    assert "unidirectional encoder:" in text and "bidirectional encoder:" in text
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    # two training runs, the comparison, heatmaps, beam search, the two encoders
    assert len(images) >= 6


def test_nbgrader_autograde_gives_the_solution_full_marks(tmp_path):
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    shutil.copy(paths.course_root() / "nbgrader_config.py", course)
    shutil.copytree(paths.solution_notebook(A).parent, course / "solutions" / A)
    db = f"--db=sqlite:///{course}/gradebook.db"
    env = {**nbgrader_env(), "RNNLAB_FAST": "1"}
    run = lambda *args: subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, db], cwd=course, env=env,
        capture_output=True, text=True, check=False)
    proc = run("generate_assignment", A, "--force")
    assert proc.returncode == 0, proc.stderr[-2000:]
    target = course / "submitted" / "student1" / A
    target.mkdir(parents=True)
    shutil.copy(paths.solution_notebook(A), target / f"{A}.ipynb")
    proc = run("autograde", A, "--create", "--force")
    assert proc.returncode == 0, proc.stderr[-3000:]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course}/gradebook.db") as gb:
        sub = gb.find_submission(A, "student1")
        assert sub.max_score > 0 and sub.score == sub.max_score
