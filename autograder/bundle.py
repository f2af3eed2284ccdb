"""The student bundle: what a course hands out, and nothing an instructor keeps.

Contents: the release notebooks (``assignments/``), the public library ``rnnlab`` (checks,
fixtures of public cases, probes, data loading, plots), the dataset builders (``datasets/``),
``environment.yml`` and a ``pyproject.toml`` for ``rnnlab`` alone, and a README. Left out:
``solutions/``, the ``autograder`` package (hidden-test specs live there), compiled plans and
every reference value. ``tests/test_student_bundle.py`` proves it by searching the bundle for
solution code.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from autograder import paths

IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")

STUDENT_README = """\
# Recurrent neural networks: the assignments

1. Create the environment (Python 3.11), either with conda:

       conda env create -f environment.yml && conda activate rnn-course

   or with a virtualenv:

       python3.11 -m venv .venv && . .venv/bin/activate && pip install -e .

2. Start JupyterLab and open `assignments/rnn/rnn.ipynb` first:

       jupyter lab

Implement each function where it says `YOUR CODE HERE` and run the check cell after it: it
tells you which value is wrong, by how much and where. Everything runs offline on a laptop
CPU; datasets are generated on first use.
"""


def _student_pyproject(root: Path) -> str:
    text = (root / "pyproject.toml").read_text()
    text = text.replace('name = "rnn-course"', 'name = "rnn-course-student"')
    text = re.sub(r'description = ".*"', 'description = "Course library of the RNN assignments"', text)
    text = re.sub(r'\[project\.scripts\]\n(.*\n)*?\n', "", text)
    text = text.replace('include = ["rnnlab*", "autograder*"]', 'include = ["rnnlab*"]')
    return text


def write_student_bundle(out: Path) -> tuple[Path, Path]:
    """Writes the bundle folder ``out`` and ``out.zip``; returns both paths."""
    root = paths.course_root()
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for a in paths.available_assignments():
        release = paths.release_notebook(a)
        if not release.exists():
            raise FileNotFoundError(f"no release for {a} at {release}: run `make release`")
        shutil.copytree(release.parent, out / "assignments" / a, ignore=IGNORE)
    shutil.copytree(root / "rnnlab", out / "rnnlab", ignore=IGNORE)
    if (root / "datasets").exists():
        shutil.copytree(root / "datasets", out / "datasets", ignore=IGNORE)
    shutil.copy(root / "environment.yml", out / "environment.yml")
    (out / "pyproject.toml").write_text(_student_pyproject(root))
    (out / "README.md").write_text(STUDENT_README)
    archive = shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name)
    return out, Path(archive)
