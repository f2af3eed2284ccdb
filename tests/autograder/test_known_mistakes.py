"""Every declared known mistake is recognised: a submission that makes it hears its title,
from the grader and from the visible check in the notebook.

For each mistake of each assignment, the solution with that mistake swapped in is graded in
this process on the first unit it lists (its own); there, the compiled known mistakes must
name this mistake (alone, or beside another that computes the very same values there), and so
must the unit's visible check, from the mistakes' public values in the feedback fixture. (The
other units it lists, layers and models that run the same code, are judged for every rnn
mistake by ``test_common_mistakes.py::test_declared_rnn_mistakes_cost_exactly_the_units_they_
list``; checking them here for every mistake took minutes.)
"""

import pytest

from autograder import paths
from autograder.examples import Recipe, make_submission
from autograder.mistakes import declared_mistakes, load_known_mistakes
from autograder.plan import load_plan
from rnnlab.checks import check_outcome
from rnnlab.compare import compare_outputs
from rnnlab.notebook import run_definitions
from rnnlab.probes import run_case

CASES = [(a, i) for a in paths.available_assignments() for i in range(len(declared_mistakes(a)))]


@pytest.fixture(scope="module")
def compiled():
    cache = {}

    def get(assignment):
        if assignment not in cache:
            plan = load_plan(assignment)
            cache[assignment] = plan, load_known_mistakes(assignment, plan)
        return cache[assignment]
    return get


def _failures(namespace, unit):
    failures = []
    for i, (case, expected) in enumerate(zip(unit.cases, unit.expected)):
        got = run_case(namespace, case)  # a known mistake computes values; it does not raise
        if not all(c.ok for c in compare_outputs(got, expected, case.dtype)):
            failures.append((i, got))
    return failures


@pytest.mark.parametrize(("assignment", "index"), CASES,
                         ids=[f"{a}-{i}" for a, i in CASES])
def test_the_mistake_is_named_where_it_costs_points(assignment, index, compiled):
    plan, known = compiled(assignment)
    assert known is not None and not known.problems, known and known.problems
    mistake = declared_mistakes(assignment)[index]
    nb = make_submission(assignment, Recipe(solved=["*"], bugs={mistake.cell: mistake.replace}))
    namespace = run_definitions(nb).namespace
    units = {u.name: u for u in plan.units}
    lost = 0
    for name in mistake.units[:1]:  # its own unit; the units after it are the slow ones
        failures = _failures(namespace, units[name])
        if failures:
            lost += 1
            said = known.diagnose_title(units[name], failures)
            assert _names(said, mistake.title), f"{name}: the grader named {said!r}"
            check = check_outcome(assignment, name, namespace)
            assert not check.ok, f"{name}: the visible check passes this mistake"
            assert _names(check.mistake, mistake.title), (
                f"{name}: the visible check named {check.mistake!r}\n{check.render()}")
    assert lost, f"the mistake {mistake.title!r} costs no unit; it cannot be named"


def _names(said: str | None, title: str) -> bool:
    return said is not None and (said.startswith(title) or f": {title}" in said)


def test_every_assignment_declares_known_mistakes():
    for assignment in ("rnn", "lstm", "seq2seq", "captioning"):
        assert len(declared_mistakes(assignment)) >= 5, assignment


def test_autograder_plan_also_compiles_the_known_mistakes(capsys):
    from autograder.cli import main

    assert main(["plan", "rnn"]) == 0
    assert f"{len(declared_mistakes('rnn'))} known mistakes" in capsys.readouterr().out
    assert list(paths.cache_dir().glob("rnn-mistakes-*.npz"))
