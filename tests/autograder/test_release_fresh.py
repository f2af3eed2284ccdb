"""assignments/ and the public check fixtures must be what solutions/ generates now."""

import json

import pytest

from autograder import paths
from autograder.fixtures import fixture_bytes
from autograder.release import release_bytes
from rnnlab.checks import FIXTURES

ASSIGNMENTS = paths.available_assignments()


def test_there_is_at_least_one_assignment():
    assert "rnn" in ASSIGNMENTS


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_is_fresh(assignment):
    committed = paths.release_notebook(assignment)
    assert committed.exists(), f"no release for {assignment}: run `make release`"
    assert committed.read_bytes() == release_bytes(assignment), (
        f"assignments/{assignment} is stale against solutions/: run `make release`")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_fixtures_are_fresh(assignment):
    committed = FIXTURES / f"{assignment}.npz"
    assert committed.exists(), f"no fixtures for {assignment}: run `make fixtures`"
    assert committed.read_bytes() == fixture_bytes(assignment), (
        f"rnnlab/fixtures/{assignment}.npz is stale: run `make fixtures`")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebooks_have_no_outputs_and_release_no_solutions(assignment):
    for path in (paths.solution_notebook(assignment), paths.release_notebook(assignment)):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs"), f"{path} has saved outputs"
    release = paths.release_notebook(assignment).read_text()
    assert "BEGIN SOLUTION" not in release and "BEGIN HIDDEN TESTS" not in release
    assert "run_hidden_tests" not in release
