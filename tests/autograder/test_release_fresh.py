"""assignments/ and the public check fixtures must be what solutions/ generates now."""

import json

import numpy as np
import pytest

from autograder import paths
from autograder.fixtures import feedback_bytes, fixture_bytes
from autograder.release import release_bytes
from rnnlab.cases import pack, unpack
from rnnlab.checks import FIXTURES
from rnnlab.compare import compare_arrays

# Expected values may differ by this much between machines (float64 rounding) and still be fresh.
FLOAT64_NOISE = 1e-9

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
    """The committed fixtures hold the same cases, byte for byte, and the same expected values
    as the solution computes now, up to float64 rounding: expected values are float64 truths
    (float32 cases included), which differ between CPUs by a few float64 epsilons, far below
    any change of the solution or the spec."""
    committed = FIXTURES / f"{assignment}.npz"
    assert committed.exists(), f"no fixtures for {assignment}: run `make fixtures`"
    stale = f"rnnlab/fixtures/{assignment}.npz is stale: run `make fixtures`"
    old_cases, old_outputs = unpack(str(committed))
    new_cases, new_outputs = unpack(fixture_bytes(assignment))
    assert pack(old_cases) == pack(new_cases), stale + " (its cases changed)"
    for case, old, new in zip(new_cases, old_outputs, new_outputs):
        assert list(old) == list(new), f"{stale} ({case.unit} / {case.name}: other values)"
        for key in new:
            assert old[key].dtype == new[key].dtype, f"{stale} ({case.unit} / {case.name}: {key})"
            same = compare_arrays(key, old[key], new[key], "float64", rtol=FLOAT64_NOISE)
            assert same.ok, f"{stale} ({case.unit} / {case.name}: {same.message})"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_fixtures_are_fresh(assignment):
    """The visible checks' feedback fixture names the same units, uses and known mistakes, with
    the same mistakes' public values: float64 ones to float64 rounding, float32 ones (computed
    in float32, see autograder.mistakes) within a tenth of the float32 tolerance."""
    import io

    committed = FIXTURES / f"{assignment}.feedback.npz"
    stale = f"rnnlab/fixtures/{assignment}.feedback.npz is stale: run `make fixtures`"
    assert committed.exists(), stale
    with np.load(committed) as old, np.load(io.BytesIO(feedback_bytes(assignment))) as new:
        old_meta, new_meta = json.loads(str(old["__meta__"])), json.loads(str(new["__meta__"]))
        assert old_meta == new_meta, stale
        for key in new.files:
            if key == "__meta__":
                continue
            a, b = old[key], new[key]
            assert a.dtype == b.dtype and a.shape == b.shape, f"{stale} ({key})"
            dtype = "float32" if b.dtype == np.float32 else "float64"
            rtol = FLOAT64_NOISE if dtype == "float64" else 1e-4
            same = compare_arrays(key, a, b, dtype, rtol=rtol)
            assert same.ok, f"{stale} ({same.message})"


def test_fixture_freshness_tells_stale_from_float64_noise(tmp_path):
    """The tolerance above lets a CPU's float64 rounding through but not a changed value."""
    expected = np.linspace(-1.0, 2.0, 12)
    noisy = expected * (1 + 4 * np.finfo(np.float64).eps)
    assert compare_arrays("h", noisy, expected, "float64", rtol=FLOAT64_NOISE).ok
    changed = expected.copy()
    changed[3] *= 1 + 1e-6
    assert not compare_arrays("h", changed, expected, "float64", rtol=FLOAT64_NOISE).ok


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
