"""The Gradescope package: built, unpacked into a folder laid out like Gradescope's
``/autograder``, and exercised by running its ``run_autograder``."""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from autograder.examples import make_submission, partial_recipe, write_notebook
from autograder.gradescope import find_notebook, write_package
from autograder.plan import load_plan

A = "rnn"


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return write_package(A, tmp_path_factory.mktemp("gs") / "autograder.zip")


@pytest.mark.slow
def test_the_package_holds_the_grader_and_reference_values_but_no_solution(package):
    names = [n for n in zipfile.ZipFile(package).namelist() if not n.endswith("/")]
    assert {"setup.sh", "run_autograder", "requirements.txt", f"plans/{A}.npz",
            f"plans/{A}.json", "autograder/api.py", "rnnlab/worker.py",
            "rnnlab-package/pyproject.toml"} <= set(names)
    assert not [n for n in names if n.startswith(("solutions/", "tests/", "assignments/"))]
    assert not [n for n in names if n.startswith("autograder/specs/") and
                not n.endswith("__init__.py")]
    assert not [n for n in names if n.startswith("autograder/mistakes/") and
                not n.endswith("__init__.py")]
    assert "autograder/audit.py" in names and not [n for n in names if "/audit/" in n]
    with zipfile.ZipFile(package) as zf:
        for name in ("setup.sh", "run_autograder"):
            info = zf.getinfo(name)
            assert info.external_attr >> 16 & 0o111, f"{name} is not executable"
            script = zf.read(name).decode()
            assert subprocess.run(["bash", "-n"], input=script, text=True).returncode == 0


@pytest.mark.slow
def test_the_partial_submission_is_graded_by_run_autograder(package, tmp_path):
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    with zipfile.ZipFile(package) as zf:
        zf.extractall(root / "source")
    for name in ("run_autograder", "setup.sh"):
        os.chmod(root / "source" / name, 0o755)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    write_notebook(make_submission(A, partial_recipe(A)), root / "submission" / f"{A}.ipynb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    env.update(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    proc = subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((root / "results" / "results.json").read_text())
    plan = load_plan(A)
    assert 0 < results["score"] < plan.max_score
    assert [t["name"] for t in results["tests"]] == [u.name for u in plan.units]
    lost = next(t for t in results["tests"] if t["name"] == "rnn_step_backward")
    assert "Likely mistake" in lost["output"]  # the known mistakes travel in the package
    assert oct((root / "source" / "plans").stat().st_mode)[-2:] == "00"  # hidden from others


@pytest.mark.slow
def test_a_submission_without_a_notebook_gets_zero_and_a_reason(package, tmp_path):
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    (root / "submission" / "notes.txt").write_text("forgot the notebook")
    with zipfile.ZipFile(package) as zf:
        zf.extractall(root / "source")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    env.update(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "no notebook" in results["output"]


def test_find_notebook_prefers_the_assignments_name(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "rnn.ipynb").write_text("{}")
    (tmp_path / "scratch.ipynb").write_text("{}")
    assert find_notebook(tmp_path, "rnn")[0].name == "rnn.ipynb"
    assert find_notebook(tmp_path, "lstm")[0] is None
    assert "several notebooks" in find_notebook(tmp_path, "lstm")[1]
