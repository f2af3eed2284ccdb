"""The student bundle has what students need and nothing instructors keep."""

import re

import pytest

from autograder import paths
from autograder.bundle import write_student_bundle
from autograder.examples import solution_code
from rnnlab.notebook import read_notebook


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    folder, archive = write_student_bundle(tmp_path_factory.mktemp("b") / "student-bundle")
    return folder, archive


def _solution_lines():
    """Distinctive lines of solution code (inside BEGIN/END SOLUTION) of every assignment."""
    lines = set()
    for a in paths.available_assignments():
        nb = read_notebook(paths.solution_notebook(a))
        for cell in nb["cells"]:
            src = "".join(cell.get("source", ""))
            for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", src, re.S):
                for ln in block.splitlines():
                    ln = ln.strip()
                    if len(ln) >= 25 and not ln.startswith("#"):
                        lines.add(ln)
    return lines


def test_bundle_contents(bundle):
    folder, archive = bundle
    assert archive.exists() and archive.stat().st_size > 0
    for a in paths.available_assignments():
        assert (folder / "assignments" / a / f"{a}.ipynb").exists()
        assert (folder / "rnnlab" / "fixtures" / f"{a}.npz").exists()
    assert (folder / "environment.yml").exists() and (folder / "pyproject.toml").exists()
    assert not (folder / "solutions").exists()
    assert not (folder / "autograder").exists()
    assert "autograder" not in (folder / "pyproject.toml").read_text()


def test_bundle_holds_no_solution_code(bundle):
    folder, _ = bundle
    secrets = _solution_lines()
    assert len(secrets) >= 5
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in {".py", ".ipynb", ".md", ".json", ".toml", ".yml"}:
            text = path.read_text(errors="replace")
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"{path} contains solution code: {leaked[:3]}"
            assert "BEGIN HIDDEN TESTS" not in text and "run_hidden_tests(" not in text


def test_solution_code_helper_strips_markers():
    cell = {"source": "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"}
    assert solution_code(cell) == "def f():\n    return 1\n"
