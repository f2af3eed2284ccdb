"""The hidden-test hook inside the solution notebooks' test cells, for ``nbgrader autograde``.

Each test cell in ``solutions/`` ends with::

    ### BEGIN HIDDEN TESTS
    from autograder.nbgrader_hidden import run_hidden_tests
    run_hidden_tests("rnn", "rnn_step_forward", globals())
    ### END HIDDEN TESTS

nbgrader strips that block from the release and restores it when it autogrades, so the same
hidden cases and reference values serve both graders. Under nbgrader the cases run in the
notebook's own kernel (nbgrader's model); ``autograder grade`` runs them in a sandbox.
"""

from __future__ import annotations

from rnnlab.compare import compare_outputs


def run_hidden_tests(assignment: str, unit: str, namespace: dict) -> None:
    """Runs every case of ``unit`` on the notebook's objects; raises AssertionError on a miss."""
    from rnnlab.probes import run_case

    from autograder.plan import load_plan

    planned = load_plan(assignment).unit(unit)
    failures = []
    for case, expected in zip(planned.cases, planned.expected):
        try:
            got = run_case(namespace, case)
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{case.name}: {type(exc).__name__}: {exc}")
            continue
        failures.extend(f"{case.name}: {c.message}"
                        for c in compare_outputs(got, expected, case.dtype) if not c.ok)
    if failures:
        raise AssertionError(f"{unit}: hidden tests failed:\n" + "\n".join(failures))
