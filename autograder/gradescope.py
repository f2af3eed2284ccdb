"""The Gradescope autograder package: ``autograder gradescope <assignment> -o autograder.zip``.

The zip holds what Gradescope's ``/autograder/source`` needs and nothing more:

- ``setup.sh``: installs the pinned runtime (``requirements.txt``) and the public library
  ``rnnlab`` into the image's Python (so the sandboxed worker can import it), and nothing else;
- ``run_autograder``: grades the one notebook in ``/autograder/submission`` and writes
  ``/autograder/results/results.json``; it first makes ``/autograder/source`` (grader, plans)
  unreadable to other users, in case the image does not allow namespaces and the sandbox
  falls back to an unprivileged user;
- ``autograder/``: the grader itself, without any spec, known-mistake list or audit note (the
  plans hold what grading needs);
- ``plans/<a>.npz`` / ``.json``: the compiled plan (cases, points, reference values) and the
  known mistakes' values, found through ``AUTOGRADER_PLAN_DIR``;
- ``rnnlab/`` with its own ``pyproject.toml`` (``rnnlab-package/``), ``datasets/``.

``run_autograder`` honours ``AUTOGRADER_ROOT`` (default ``/autograder``) and
``AUTOGRADER_PYTHON`` (default ``python3``), so the package can be exercised against a local
folder laid out like Gradescope's (the tests do).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from autograder import paths

IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")
RUNTIME = ("tensorflow", "keras", "tensorflow-datasets", "importlib_resources", "numpy", "h5py",
           "matplotlib", "tqdm", "pillow", "nbformat")

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
cd /autograder/source
apt-get update -qq && apt-get install -y -qq util-linux python3-pip >/dev/null || true
python3 -m pip install --no-cache-dir -r requirements.txt
# Only the public library is installed system-wide: the sandboxed worker imports it from there.
python3 -m pip install --no-cache-dir --no-deps ./rnnlab-package
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this as root for every submission.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-python3}}"
SOURCE="$ROOT/source"
mkdir -p "$ROOT/results"
# The grader and the reference values stay unreadable to the sandbox user (fallback sandbox).
chmod -R go-rwx "$SOURCE" 2>/dev/null || true
cd "$SOURCE"
export AUTOGRADER_PLAN_DIR="$SOURCE/plans" PYTHONPATH="$SOURCE" TF_CPP_MIN_LOG_LEVEL=2
exec "$PYTHON" -m autograder.gradescope run --assignment {assignment} \\
    --submission "$ROOT/submission" --results "$ROOT/results/results.json"
"""


def _requirements(root: Path) -> str:
    lock = root / "requirements.lock"
    lines = []
    if lock.exists():
        for line in lock.read_text().splitlines():
            name = line.split("==")[0].strip().lower()
            if name and not name.startswith("#") and name in RUNTIME:
                lines.append(line.strip())
    if not lines:  # fall back on the project's own pins
        import tomllib

        deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
        lines = [d for d in deps if d.split("==")[0].lower() in RUNTIME]
    return "\n".join(lines) + "\n"


def write_package(assignment: str, output: Path) -> Path:
    """Compiles the plan (and known mistakes) and writes the Gradescope zip; returns its path."""
    from autograder.bundle import _student_pyproject
    from autograder.mistakes import load_known_mistakes, save_known_mistakes
    from autograder.plan import load_plan, save_plan

    root = paths.course_root()
    plan = load_plan(assignment)
    known = load_known_mistakes(assignment, plan)
    output = Path(output)
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / "package"
        stage.mkdir()
        (stage / "setup.sh").write_text(SETUP_SH)
        (stage / "run_autograder").write_text(RUN_AUTOGRADER.format(assignment=assignment))
        for name in ("setup.sh", "run_autograder"):
            (stage / name).chmod(0o755)
        (stage / "requirements.txt").write_text(_requirements(root))
        grader = stage / "autograder"
        shutil.copytree(root / "autograder", grader, ignore=shutil.ignore_patterns(
            "__pycache__", "*.pyc", "audit", "README.md"))
        for spec in (grader / "specs").glob("*.py"):  # hidden-test specs stay home
            if spec.name != "__init__.py":
                spec.unlink()
        for module in (grader / "mistakes").glob("*.py"):  # solution code fragments
            if module.name != "__init__.py":
                module.unlink()
        shutil.copytree(root / "rnnlab", stage / "rnnlab", ignore=IGNORE)
        package = stage / "rnnlab-package"
        shutil.copytree(root / "rnnlab", package / "rnnlab", ignore=IGNORE)
        (package / "pyproject.toml").write_text(_student_pyproject(root))
        if (root / "datasets").is_dir():
            shutil.copytree(root / "datasets", stage / "datasets", ignore=IGNORE)
        save_plan(plan, stage / "plans" / f"{assignment}.npz")
        if known is not None:
            save_known_mistakes(known, stage / "plans" / f"{assignment}.mistakes.npz")
        (stage / "grader.json").write_text(json.dumps({"assignment": assignment}, indent=1))
        output.parent.mkdir(parents=True, exist_ok=True)
        archive = shutil.make_archive(str(output.with_suffix("")), "zip", root_dir=stage)
    return Path(archive)


def find_notebook(folder: Path, assignment: str) -> tuple[Path | None, str]:
    """The submitted notebook (``<assignment>.ipynb`` preferred), or why there is none."""
    notebooks = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    preferred = [p for p in notebooks if p.name == f"{assignment}.ipynb"]
    if len(preferred) == 1:
        return preferred[0], ""
    if len(notebooks) == 1:
        return notebooks[0], ""
    if not notebooks:
        return None, "no notebook (.ipynb) was submitted"
    return None, (f"several notebooks were submitted ({', '.join(p.name for p in notebooks)}); "
                  f"submit only {assignment}.ipynb")


def run(assignment: str, submission: Path, results: Path) -> int:
    """What ``run_autograder`` does: grade the submission, always write results.json."""
    from autograder.api import GradingError, grade_notebook
    from autograder.plan import load_plan
    from autograder.reporters import write_results_json
    from autograder.results import GradeResult, TestResult

    notebook, problem = find_notebook(Path(submission), assignment)
    if notebook is not None:
        try:
            result = grade_notebook(notebook, assignment)
        except GradingError as exc:
            problem = f"the grader could not grade it ({exc}); please tell your instructor"
    if notebook is None or problem:
        plan = load_plan(assignment)
        result = GradeResult(str(submission), assignment,
                             [TestResult(u.name, 0.0, u.points, problem) for u in plan.units],
                             0.0, problem)
    write_results_json(result, results)
    print(f"{assignment}: {result.score:g} / {result.max_score:g}; results in {results}")
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m autograder.gradescope")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="grade /autograder/submission (run_autograder calls this)")
    r.add_argument("--assignment", required=True)
    r.add_argument("--submission", required=True)
    r.add_argument("--results", required=True)
    args = parser.parse_args(argv)
    return run(args.assignment, Path(args.submission), Path(args.results))


if __name__ == "__main__":
    sys.exit(main())
