"""Generated mistakes (:mod:`autograder.mistakes.generated`): one-site changes of the graded
functions, titled for the student, compiled with the declared ones, named by the grader and
the visible check alike."""

import pytest

from autograder import paths
from autograder.mistake_audit import audit_entry
from autograder.mistakes import declared_mistakes, load_known_mistakes
from autograder.mistakes.generated import function_units, generated_mistakes
from autograder.mutations import solution_cells
from autograder.plan import load_plan
from rnnlab.evaluate import match_mistakes, matching_mistakes
from rnnlab.notebook import read_notebook


@pytest.fixture(scope="module")
def rnn():
    plan = load_plan("rnn")
    nb = read_notebook(paths.solution_notebook("rnn"))
    return plan, nb


def test_only_function_units_get_generated_mistakes(rnn):
    plan, nb = rnn
    owners = function_units(nb, plan)
    assert owners["rnn_step_backward_code"] == ["rnn_step_backward"]
    assert "VanillaRNN_code" not in owners and "CharRNN_code" not in owners


def test_titles_say_what_and_where_without_quoting_the_solution(rnn):
    plan, nb = rnn
    generated = generated_mistakes(nb, plan)
    titles = {m.title for m in generated}
    assert len(generated) > 100
    assert ("`sigmoid` where `tanh` belongs, where `next_h` is computed in `rnn_step_forward`"
            in titles)
    assert "a transpose is missing, where `dprev_h` is computed in `rnn_step_backward`" in titles
    assert ("the loop runs forward in time where it should run backward, in the loop in "
            "`rnn_backward`" in titles)
    lines = {line.strip() for c in solution_cells(nb) for line in c.source.splitlines()
             if len(line.strip()) > 30 and not line.strip().startswith(("#", '"'))}
    for title in titles:
        assert " in `" in title, title
        assert not any(line in title for line in lines), title


def test_declared_mistakes_come_first_and_are_preferred():
    plan = load_plan("rnn")
    known = load_known_mistakes("rnn", plan)
    assert known.declared == len(declared_mistakes("rnn")) < len(known.titles)
    unit = plan.unit("rnn_step_backward")
    records = known.records["rnn_step_backward"]
    m, i, values = records[0]
    failures = [(j, v) for k, j, v in records if k == m]
    # the same values declared twice: once declared, once generated
    twice = records + [(len(known.titles), j, v) for _, j, v in records if _ == m]
    titles = known.titles + ["a generated twin"]
    said = match_mistakes(titles, twice, unit.cases, failures, declared=known.declared)
    assert said == known.titles[m]


def test_a_mistake_nobody_declared_is_named_by_the_grader_and_the_check():
    """``dz @ Wh`` for ``dz @ Wh.T``, written the student's way: no declared mistake has it."""
    plan = load_plan("rnn")
    known = load_known_mistakes("rnn", plan)
    assert not any("transpose" in t and "dprev_h" in t for t in known.titles[:known.declared])
    entry = audit_entry("rnn", plan, known, "no transpose", {"rnn_step_backward_code": [
        ("dprev_h = dz @ tf.transpose(Wh)", "dprev_h = tf.matmul(dz, Wh)")]})
    step = {u.unit: u for u in entry.units}["rnn_step_backward"]
    title = "a transpose is missing, where `dprev_h` is computed in `rnn_step_backward`"
    assert step.by == "mistake" and title in step.named, step
    assert step.check == "named" and title in step.check_named, step
    backward = {u.unit: u for u in entry.units}["rnn_backward"]
    assert backward.by == "dependency" and title in backward.named, backward


@pytest.mark.parametrize("assignment", paths.available_assignments())
def test_every_generated_mistake_is_named_by_the_grader_and_by_the_check(assignment):
    """Given a generated mistake's own values as a student's, the grader finds it from the
    compiled values (all its cases) and the visible check from the feedback fixture (its
    public cases), and says its title (the check may say a declared mistake or a generated
    one with the very same public values instead: then both are found)."""
    from rnnlab.checks import _feedback, _public

    plan = load_plan(assignment)
    known = load_known_mistakes(assignment, plan)
    feedback = _feedback(assignment)
    assert feedback.declared == known.declared
    checked = 0
    for unit in plan.units:
        records = known.records.get(unit.name, [])
        public_cases, _ = _public(assignment, unit.name)
        for m in sorted({m for m, _, _ in records if m >= known.declared}):
            title = known.titles[m]
            mine = [(i, values) for k, i, values in records if k == m]
            said = match_mistakes(known.titles, records, unit.cases, mine,
                                  declared=known.declared)
            assert said and title in said, (unit.name, title, said)
            public = [(i, v) for i, v in mine if i < len(public_cases)]
            if public:
                shown = feedback.records.get(unit.name, [])
                assert m in matching_mistakes(shown, public_cases, public), (unit.name, title)
                assert match_mistakes(feedback.titles, shown, public_cases, public,
                                      declared=feedback.declared)
            checked += 1
    assert checked >= 30
