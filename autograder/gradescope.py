"""The Gradescope autograder package: ``autograder gradescope <assignment> -o autograder.zip``.

The zip holds what Gradescope's ``/autograder/source`` needs and nothing more:

- ``setup.sh``: chooses a Python the pins fit (3.11 to 3.13; ``find_python.sh``, installing
  ``python3.11`` with apt when the image's is older, or stopping with a message that names the
  base image to choose), creates a virtualenv (``/opt/rnn-course-venv``) and installs the
  pinned runtime (``requirements.txt``) and the public library ``rnnlab`` into it (so the
  sandboxed worker can import it), and nothing else; it records the interpreter in
  ``python.txt`` for ``run_autograder``;
- ``run_autograder``: grades the one notebook in ``/autograder/submission`` and writes
  ``/autograder/results/results.json``; it first makes ``/autograder/source`` (grader, plans)
  unreadable to other users, in case the image does not allow namespaces and the sandbox
  falls back to an unprivileged user;
- ``autograder/``: the grader itself, without any spec, known-mistake list or audit note (the
  plans hold what grading needs);
- ``plans/<a>.npz`` / ``.json``: the compiled plan (cases, points, reference values) and the
  known mistakes' values, found through ``AUTOGRADER_PLAN_DIR``;
- ``rnnlab/`` with its own ``pyproject.toml`` (``rnnlab-package/``), ``datasets/``.

``setup.sh`` and ``run_autograder`` honour ``AUTOGRADER_ROOT`` (default ``/autograder``);
``run_autograder`` also ``AUTOGRADER_PYTHON`` (default: ``python.txt``, else ``python3``), so
the package can be exercised against a local folder laid out like Gradescope's (the tests do).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from autograder import paths, store

IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")
RUNTIME = ("tensorflow", "keras", "tensorflow-datasets", "importlib_resources", "numpy", "h5py",
           "matplotlib", "tqdm", "pillow", "nbformat")

# Which Pythons the pinned requirements install into (numpy 2.4 needs >= 3.11; TensorFlow 2.21
# has wheels up to 3.13), and the base images to tell the instructor about.
PYTHON_MIN, PYTHON_MAX = (3, 11), (3, 13)
SUPPORTED_IMAGES = ("Ubuntu 24.04 (its Python 3.12 fits)",
                    "Ubuntu 22.04 with apt working (setup.sh installs python3.11 from its archive)")

FIND_PYTHON_SH = """\
#!/usr/bin/env bash
# Prints the path of the first Python the course's pinned requirements can be installed into
# (3.{min_minor} to 3.{max_minor}), or says on stderr which Gradescope base image to choose and
# exits 1. Candidates: the arguments, else python3.11 python3.12 python3.13 python3 (from PATH).
# Installs nothing; setup.sh runs it before and after trying apt.
set -u
candidates=("$@")
[ "$#" -gt 0 ] || candidates=(python3.11 python3.12 python3.13 python3)
found=""
for name in "${{candidates[@]}}"; do
    path=$(command -v "$name" 2>/dev/null) || continue
    version=$("$path" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) ||
        continue
    found="$found $name=$version"
    major=${{version%%.*}}
    minor=${{version#*.}}
    case "$major$minor" in *[!0-9]*|"") continue ;; esac
    if [ "$major" -eq 3 ] && [ "$minor" -ge {min_minor} ] && [ "$minor" -le {max_minor} ]; then
        echo "$path"
        exit 0
    fi
done
cat >&2 <<MESSAGE
setup.sh: no suitable Python: the course's pinned packages (numpy 2.4, TensorFlow 2.21) need
Python 3.{min_minor} to 3.{max_minor}; found:${{found:- no python3 at all}}
(and apt could not install python3.11).
In the assignment's autograder settings choose the base image (Base Image OS) {images}.
MESSAGE
exit 1
"""

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
#   setup.sh --check   only chooses the Python (and says why none fits); installs nothing.
set -euo pipefail
SOURCE="${AUTOGRADER_ROOT:-/autograder}/source"
VENV="${AUTOGRADER_VENV:-/opt/rnn-course-venv}"
cd "$SOURCE"
if [ "${1:-}" = "--check" ]; then
    exec "$BASH" ./find_python.sh
fi
have_apt() { command -v apt-get >/dev/null 2>&1; }
if have_apt; then
    apt-get update -qq || true
    apt-get install -y -qq util-linux >/dev/null || true  # unshare, for the namespace sandbox
fi
if ! PY=$("$BASH" ./find_python.sh 2>/dev/null); then
    if have_apt; then  # Ubuntu 22.04 has python3.11 in its archive; older ones need deadsnakes
        echo "setup.sh: the image's python3 is too old; installing python3.11 with apt"
        apt-get install -y -qq python3.11 python3.11-venv >/dev/null 2>&1 || {
            apt-get install -y -qq software-properties-common >/dev/null 2>&1 &&
            add-apt-repository -y ppa:deadsnakes/ppa >/dev/null 2>&1 &&
            apt-get update -qq &&
            apt-get install -y -qq python3.11 python3.11-venv >/dev/null 2>&1; } || true
    fi
    PY=$("$BASH" ./find_python.sh) || exit 1  # says which base image to choose
fi
echo "setup.sh: using $PY ($("$PY" --version 2>&1))"
# A virtualenv of its own: the image's Python may be "externally managed" (PEP 668).
if ! "$PY" -m venv "$VENV"; then
    have_apt && apt-get install -y -qq "$(basename "$PY")-venv" >/dev/null 2>&1 || true
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --no-cache-dir --upgrade pip >/dev/null
"$VENV/bin/python" -m pip install --no-cache-dir -r requirements.txt
# Only the public library is installed into it: the sandboxed worker imports it from there.
"$VENV/bin/python" -m pip install --no-cache-dir --no-deps ./rnnlab-package
echo "$VENV/bin/python" > "$SOURCE/python.txt"  # run_autograder grades with this one
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this as root for every submission.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
# The interpreter setup.sh installed the runtime into (python.txt), unless overridden.
PYTHON="${{AUTOGRADER_PYTHON:-$(cat "$SOURCE/python.txt" 2>/dev/null || echo python3)}}"
mkdir -p "$ROOT/results"
# The grader and the reference values stay unreadable to the sandbox user (fallback sandbox).
chmod -R go-rwx "$SOURCE" 2>/dev/null || true
cd "$SOURCE"
export AUTOGRADER_PLAN_DIR="$SOURCE/plans" PYTHONPATH="$SOURCE" TF_CPP_MIN_LOG_LEVEL=2
# Gradescope's containers may not allow namespaces: accept the unprivileged-uid sandbox there
# (the namespace sandbox is still used wherever it works; results.json records which ran).
export AUTOGRADER_SANDBOX="${{AUTOGRADER_SANDBOX:-user}}"
exec "$PYTHON" -m autograder.gradescope run --assignment {assignment} \\
    --submission "$ROOT/submission" --results "$ROOT/results/results.json"
"""


def find_python_sh() -> str:
    """The package's ``find_python.sh`` (setup.sh's choice of interpreter)."""
    return FIND_PYTHON_SH.format(min_minor=PYTHON_MIN[1], max_minor=PYTHON_MAX[1],
                                 images=" or ".join(SUPPORTED_IMAGES))


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
        (stage / "find_python.sh").write_text(find_python_sh())
        (stage / "run_autograder").write_text(RUN_AUTOGRADER.format(assignment=assignment))
        for name in ("setup.sh", "find_python.sh", "run_autograder"):
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
        save_plan(plan, store.pinned_path("plan", assignment, stage / "plans"))
        if known is not None:
            save_known_mistakes(known, store.pinned_path("mistakes", assignment, stage / "plans"))
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
