"""The audit's mutant generator (no TensorFlow needed) and the known-mistake declarations."""

import ast

import pytest

from autograder import paths
from autograder.mistakes import declared_mistakes
from autograder.mutations import SolutionCell, mutants, replace_in_cell, solution_cells
from rnnlab.notebook import read_notebook

CELL = '''def f(x, h, W, U, b, mask):
    """Docstring with 1 + 2 that is not mutated."""
    y = None
    ### BEGIN SOLUTION
    i, f, o, g = tf.split(x @ W + h @ U + b, 4, axis=1)
    y = tf.tanh(g) * tf.sigmoid(o)
    loss = -tf.reduce_sum(y * mask) / tf.cast(tf.shape(x)[0], x.dtype)
    z = h[:, t - 1, :] if t > 0 else tf.transpose(h)
    ### END SOLUTION
    return y + 1
'''


@pytest.fixture(scope="module")
def generated():
    lines = CELL.splitlines()
    start = lines.index("    ### BEGIN SOLUTION") + 2
    end = lines.index("    ### END SOLUTION")
    cell = SolutionCell(0, "f_code", CELL, [(start, end)])
    return cell, mutants(cell)


def test_every_mutant_is_valid_python_and_changes_only_the_solution_region(generated):
    cell, found = generated
    lines = CELL.splitlines()
    first, last = cell.regions[0]
    for m in found:
        ast.parse(m.source)
        new = m.source.splitlines()
        assert new[:first - 1] == lines[:first - 1], m.key  # docstring untouched
        assert new[-2:] == lines[-2:], m.key  # the return after END SOLUTION untouched
        assert m.source != CELL


def test_keys_are_unique_and_name_cell_line_and_change(generated):
    _, found = generated
    keys = [m.key for m in found]
    assert len(keys) == len(set(keys))
    assert all(k.startswith("f_code | ") for k in keys)


@pytest.mark.parametrize("kind,fragment", [
    ("arithmetic", "+ -> -"),
    ("dropped term", "drop '* mask'"),
    ("activation", "tanh -> sigmoid"),
    ("axis", "axis=1 -> axis=0"),
    ("transpose", "drop the call to transpose"),
    ("order", "swap i and f (e.g. gate order)"),
    ("comparison", "> -> >="),
    ("sign", "drop the unary '-'"),
    ("function", "reduce_sum -> reduce_mean"),
    ("index", "index 0 -> 1"),
    ("dropped argument", "drop axis="),
    ("condition", "negate the condition"),
])
def test_the_operators_of_the_issue_are_all_there(generated, kind, fragment):
    _, found = generated
    assert any(m.kind == kind and fragment in m.description for m in found), (
        kind, fragment, sorted({(m.kind, m.description) for m in found}))


def test_slice_bounds_are_mutated():
    source = ("def g(s, c, k):\n    ### BEGIN SOLUTION\n    x = s[:, c * k:(c + 1) * k]\n"
              "    ### END SOLUTION\n    return x\n")
    found = mutants(SolutionCell(0, "g_code", source, [(3, 3)]))
    kinds = {m.description for m in found if m.kind == "slice bound"}
    assert "lower bound c * k -> c * k + 1" in kinds and "upper bound (c + 1) * k -> (c + 1) * k - 1" in kinds


@pytest.mark.parametrize("assignment", paths.available_assignments())
def test_every_solution_has_mutants_in_every_solution_cell(assignment):
    cells = solution_cells(read_notebook(paths.solution_notebook(assignment)))
    assert cells
    for cell in cells:
        assert cell.regions, f"{cell.grade_id}: no BEGIN/END SOLUTION region"
    assert sum(len(mutants(c)) for c in cells) >= 3 * len(cells)


@pytest.mark.parametrize("assignment", paths.available_assignments())
def test_declared_mistakes_still_apply_to_the_solution(assignment):
    nb = read_notebook(paths.solution_notebook(assignment))
    for mistake in declared_mistakes(assignment):
        changed = replace_in_cell(nb, mistake.cell, mistake.replace)  # raises if stale
        assert changed != nb
        assert mistake.units and mistake.title


def test_rnn_declares_the_mistakes_of_the_issue():
    titles = " ".join(m.title for m in declared_mistakes("rnn"))
    for words in ("tanh derivative is missing", "mask is ignored", "averaged over time",
                  "state is not carried across chunks"):
        assert words in titles
