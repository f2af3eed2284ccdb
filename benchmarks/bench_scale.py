"""Throughput of batch grading: submissions per minute with --jobs 1 and --jobs 2.

Grades the same folder of submissions (a mix of full solutions, partly-correct ones and
untouched releases, as a class hands in) twice with ``autograder grade --jobs J FOLDER``, and
prints submissions per minute for each, the speed-up, and the peak resident memory of the
process that ran student code (from the gradebook), per worker. Plans are compiled before the
timing starts (a course does it once).

Usage: .venv/bin/python benchmarks/bench_scale.py [assignment] [--n N]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import paths  # noqa: E402
from autograder.examples import Recipe, make_submission, partial_recipe, write_notebook  # noqa: E402
from autograder.mistakes import load_known_mistakes  # noqa: E402
from autograder.plan import load_plan  # noqa: E402


def make_class(assignment: str, folder: Path, n: int) -> None:
    kinds = [("solution", Recipe(solved=["*"])), ("partial", partial_recipe(assignment)),
             ("release", Recipe())]
    for i in range(n):
        kind, recipe = kinds[i % len(kinds)]
        write_notebook(make_submission(assignment, recipe),
                       folder / f"student{i:03d}-{kind}" / f"{assignment}.ipynb")


def grade(folder: Path, out: Path, jobs: int) -> tuple[float, list[dict]]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--jobs",
                           str(jobs), "--out-dir", str(out), "--quiet"], capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"grading failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    with open(out / "gradebook.csv") as f:
        return elapsed, list(csv.DictReader(f))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("assignment", nargs="?", default="rnn")
    parser.add_argument("--n", type=int, default=6, help="submissions (default 6)")
    args = parser.parse_args()
    a = args.assignment
    plan = load_plan(a)
    load_known_mistakes(a, plan)
    print(f"{a}: {args.n} submissions (solutions, partly correct, releases), "
          f"{os.cpu_count()} CPU cores, sandbox from `autograder grade`")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submissions"
        make_class(a, folder, args.n)
        rates = {}
        for jobs in (1, 2):
            elapsed, rows = grade(folder, Path(tmp) / f"results-{jobs}", jobs)
            rates[jobs] = 60 * len(rows) / elapsed
            peaks = [float(r["peak_memory_mb"]) for r in rows if float(r["peak_memory_mb"]) > 0]
            per = [float(r["seconds"]) for r in rows]
            print(f"--jobs {jobs}: {len(rows)} graded in {elapsed:.0f} s = "
                  f"{rates[jobs]:.2f} submissions/min (per submission {min(per):.0f}-"
                  f"{max(per):.0f} s); peak memory per worker: max {max(peaks):.0f} MiB, "
                  f"mean {sum(peaks) / len(peaks):.0f} MiB")
        print(f"speed-up --jobs 2 / --jobs 1: {rates[2] / rates[1]:.2f}x")
    if paths.available_assignments() and a not in paths.available_assignments():
        print(f"(note: {a} has no solution notebook here)")


if __name__ == "__main__":
    main()
