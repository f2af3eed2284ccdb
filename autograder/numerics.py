"""Numeric settings: grading and checking the same code as another machine would compute it.

float32 results differ between CPUs and settings (oneDNN's kernels or TensorFlow's own, the
number of intra-op threads, a ``tf.function`` graph or eager execution) by a few epsilons times
an array's largest value. The tolerance policy (:mod:`rnnlab.compare`) compares float32
results with a float64 truth under a tolerance wide enough for all of them; this module is how
that is shown rather than assumed:

- :data:`SETTINGS` are the eight combinations of the three switches one can flip on one
  machine (:data:`COVERING`: four of them that pair every level of each switch with every level
  of each other one);
- ``python -m autograder.numerics --assignment A --setting NAME NOTEBOOK...`` runs, in a fresh
  process under that setting, every float32 case of the plan and every test cell's visible
  check on each (trusted) notebook, and prints per unit whether it passed and its worst
  relative error as JSON. float64 cases are left out unless asked for (``--all-cases N``, for
  the first N notebooks): they differ between settings by a few float64 epsilons, nine orders
  of magnitude below their tolerance.

The tests compile the plans and fixtures under the default setting and run this under the
others (``tests/autograder/test_numerics.py``); ``benchmarks/float32_spread.py`` prints the
spread of correct float32 results against the tolerance.

Never use it on untrusted notebooks: it runs their code in this process, unconfined.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from rnnlab.cells import grade_id, is_test_cell

from autograder import paths


@dataclass(frozen=True)
class Setting:
    """One numeric setting: oneDNN on or off, intra-op threads, eager or compiled functions."""

    onednn: bool
    threads: int
    eager: bool

    @property
    def name(self) -> str:
        return (f"onednn{int(self.onednn)}-threads{self.threads}-"
                f"{'eager' if self.eager else 'function'}")

    def env(self) -> dict[str, str]:
        """The environment variables that put a new process in this setting."""
        return {"TF_ENABLE_ONEDNN_OPTS": str(int(self.onednn)),
                "TF_NUM_INTRAOP_THREADS": str(self.threads),
                "RNNLAB_EAGER": str(int(self.eager))}


SETTINGS = [Setting(o, t, e) for o in (False, True) for t in (1, 2) for e in (False, True)]
# Every pair of levels of any two switches occurs in one of these (a covering array of strength 2).
COVERING = [Setting(False, 1, False), Setting(False, 2, True), Setting(True, 1, True),
            Setting(True, 2, False)]


def with_cells(assignment: str, cells: dict[str, str]) -> dict:
    """The release filled in from the solution, with ``cells`` (solution grade_id -> the whole
    cell's source) in place of the solution's: how the correct-alternatives corpora
    (``tests/adversarial/alternatives_<a>.py``) become notebooks."""
    from autograder.examples import Recipe, make_submission

    nb = make_submission(assignment, Recipe(solved=["*"]))
    for cell in nb["cells"]:
        gid = grade_id(cell)
        if gid in cells:
            cell["source"] = cells[gid].strip() + "\n"
    return nb


def alternatives(assignment: str) -> dict[str, dict[str, str]]:
    """The correct-alternatives corpus of ``assignment``: ``SUBMISSIONS`` of the instructor
    repository's ``tests/adversarial/alternatives_<a>.py`` (none where there is no module)."""
    import importlib

    folder = paths.course_root() / "tests" / "adversarial"
    if not (folder / f"alternatives_{assignment}.py").exists():
        return {}
    sys.path.insert(0, str(folder))
    try:
        module = importlib.import_module(f"alternatives_{assignment}")
    finally:
        sys.path.remove(str(folder))
    return dict(getattr(module, "SUBMISSIONS", {}))


def run_under(setting: Setting, assignment: str, notebooks: list[Path],
              all_cases: int = 0) -> dict:
    """:func:`run` in a fresh process under ``setting`` (its JSON report); the first
    ``all_cases`` notebooks run float64 cases too. Raises RuntimeError if the process fails."""
    import subprocess

    env = {**os.environ, **setting.env(), "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run([sys.executable, "-m", "autograder.numerics", "--assignment",
                           assignment, "--all-cases", str(all_cases), *map(str, notebooks)],
                          env=env, capture_output=True, text=True, timeout=1800,
                          cwd=paths.course_root())
    if proc.returncode:
        raise RuntimeError(f"{setting.name}, {assignment}: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


def by_name(name: str) -> Setting:
    for setting in SETTINGS:
        if setting.name == name:
            return setting
    raise ValueError(f"unknown numeric setting {name!r}; known: "
                     f"{', '.join(s.name for s in SETTINGS)}")


def apply_in_process() -> None:
    """Applies the environment's threads and eager switches to this process's TensorFlow."""
    from rnnlab.config import apply_numeric_switches

    apply_numeric_switches()


def case_outcomes(namespace: dict, plan, everything: bool = False) -> dict[str, dict]:
    """Runs every float32 (or lower) case of ``plan`` on ``namespace`` (every case at all with
    ``everything``): unit -> {"ok", "worst", "failures"} (the first few failure messages);
    ``worst`` is the largest relative error of a float32 value that passed."""
    from rnnlab.compare import LOW_PRECISION, compare_outputs
    from rnnlab.notebook import format_exception
    from rnnlab.probes import run_case

    outcomes = {}
    for unit in plan.units:
        worst, failures, ran = 0.0, [], 0
        for case, expected in zip(unit.cases, unit.expected):
            if case.dtype not in LOW_PRECISION and not everything:
                continue
            ran += 1
            try:
                got = run_case(namespace, case)
            except Exception as exc:  # noqa: BLE001 - a raising case is a failing case
                failures.append(f"{case.name}: {format_exception(exc)}")
                continue
            for c in compare_outputs(got, expected, case.dtype):
                if c.ok:
                    if case.dtype in LOW_PRECISION:
                        worst = max(worst, c.max_error)
                else:
                    failures.append(f"{case.name}: {c.message}")
        if ran:
            outcomes[unit.name] = {"ok": not failures, "worst": worst, "failures": failures[:5]}
    return outcomes


def check_outcomes(namespace: dict, nb: dict) -> dict[str, dict]:
    """Runs the notebook's test cells (its visible checks, as a student runs them) in
    ``namespace``: grade_id -> {"ok", "message"}. Hidden-test blocks are left out."""
    import contextlib
    import io
    import re

    from rnnlab.notebook import cell_source, format_exception

    hidden = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.DOTALL)
    outcomes = {}
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code" or not is_test_cell(cell):
            continue
        gid = grade_id(cell)
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(hidden.sub("", cell_source(cell)), gid, "exec"),  # noqa: S102
                     namespace)
        except Exception as exc:  # noqa: BLE001 - CheckFailed, or a broken namespace
            outcomes[gid] = {"ok": False, "message": format_exception(exc)[-2000:]}
        else:
            outcomes[gid] = {"ok": True, "message": out.getvalue().strip()[-500:]}
    return outcomes


def run(notebooks: list[Path], assignment: str, everything: int = 0) -> dict:
    """Everything this process computes for ``notebooks`` (see the module docstring); the
    first ``everything`` of them run every case of the plan, float64 ones included."""
    from rnnlab.notebook import read_notebook, run_definitions

    from autograder.plan import load_plan

    plan = load_plan(assignment)
    report = {}
    for i, path in enumerate(notebooks):
        nb = read_notebook(path)
        loaded = run_definitions(nb)
        namespace = loaded.namespace
        report[str(path)] = {
            "cell_errors": [e.error for e in loaded.errors][:5],
            "cases": case_outcomes(namespace, plan, everything=i < everything),
            "checks": check_outcomes(namespace, nb),
        }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.numerics", description=__doc__
                                     .split("\n\n")[0])
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--setting", help="a name from SETTINGS (default: the environment's)")
    parser.add_argument("--all-cases", type=int, default=0, metavar="N",
                        help="the first N notebooks run float64 cases too")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.setting:
        wanted = by_name(args.setting).env()
        if any(os.environ.get(k) != v for k, v in wanted.items()):
            # oneDNN is read when TensorFlow is imported: start again in that environment.
            os.environ.update(wanted)
            os.execv(sys.executable, [sys.executable, "-m", "autograder.numerics", *sys.argv[1:]])
    apply_in_process()
    json.dump(run(args.notebooks, args.assignment, args.all_cases), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
