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


def _code_lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


def _solution_lines():
    """Distinctive fragments of solution code: pairs of consecutive lines inside BEGIN/END
    SOLUTION of every assignment, leaving out lines the release itself shows students
    (scaffolding such as ``with tf.GradientTape() as tape:``). A single generic line (a loop
    header) may well occur in public code; two consecutive solution lines should not."""
    released = set()
    for a in paths.available_assignments():
        for cell in read_notebook(paths.release_notebook(a))["cells"]:
            released.update(_code_lines("".join(cell.get("source", ""))))
    fragments = set()
    for a in paths.available_assignments():
        nb = read_notebook(paths.solution_notebook(a))
        for cell in nb["cells"]:
            src = "".join(cell.get("source", ""))
            for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", src, re.S):
                lines = [ln for ln in _code_lines(block) if ln not in released]
                for first, second in zip(lines, lines[1:]):
                    if len(first) + len(second) >= 40:
                        fragments.add(first + "\n" + second)
    return fragments


def _leaks(text: str, secrets: set[str]) -> list[str]:
    normalised = "\n".join(_code_lines(text))
    return [s for s in secrets if s in normalised]


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
            leaked = _leaks(text, secrets)
            assert not leaked, f"{path} contains solution code: {leaked[:3]}"
            assert "BEGIN HIDDEN TESTS" not in text and "run_hidden_tests(" not in text


def test_solution_code_helper_strips_markers():
    cell = {"source": "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"}
    assert solution_code(cell) == "def f():\n    return 1\n"


def test_leak_detector_finds_copied_solution_code():
    """The detector the bundle test relies on fires on a copied solution block."""
    secrets = _solution_lines()
    nb = read_notebook(paths.solution_notebook(paths.available_assignments()[0]))
    block = next(b for c in nb["cells"]
                 for b in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION",
                                     "".join(c.get("source", "")), re.S)
                 if _leaks(b, secrets))
    assert _leaks("def helper():\n" + block, secrets)
    assert not _leaks("with tf.GradientTape() as tape:\n    loss = 0.0\n", secrets)
