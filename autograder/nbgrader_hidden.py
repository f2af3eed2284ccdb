"""The hidden-test hook inside the solution notebooks' test cells.

Each test cell in ``solutions/`` ends with::

    ### BEGIN HIDDEN TESTS
    from autograder.nbgrader_hidden import run_hidden_tests
    run_hidden_tests("rnn", "rnn_step_forward", globals())
    ### END HIDDEN TESTS

nbgrader strips that block from the release and puts it back when it autogrades. The block
marks the cell as the place of a graded unit, and that is all it does: the hook runs in the
notebook's own kernel, after (and beside) the student's code, so it must not load hidden cases
or reference values there, and nothing it did could be trusted. The hidden tests are run by the
sandboxed autograder instead, for ``autograder grade`` and for ``nbgrader autograde`` alike
(``autograder/nbgrader_grading.py`` writes each test cell's verdict as its outputs). In the
kernel the hook only says so; the visible check above it still runs on the public cases.
"""

from __future__ import annotations

MESSAGE = ("{unit}: the hidden tests of this cell are run by the course's autograder, in its "
           "sandbox, not in this kernel.")


def run_hidden_tests(assignment: str, unit: str, namespace: dict | None = None) -> None:
    """Prints that the sandboxed grader checks this cell; loads and runs nothing."""
    print(MESSAGE.format(assignment=assignment, unit=unit))
