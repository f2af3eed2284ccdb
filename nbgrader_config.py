"""nbgrader configuration of the course (the course directory is this folder).

- Source notebooks live in ``solutions/<assignment>/``; ``nbgrader generate_assignment``
  writes the student release to ``assignments/<assignment>/`` (run ``make release``, which
  also strips outputs and keeps the gradebook out of the repository).
- ``nbgrader autograde`` grades with the course's sandboxed autograder, the one behind
  ``autograder grade`` (``autograder/nbgrader_grading.py``): nbgrader's ``Execute`` step, which
  would run the student's code in an unconfined kernel and trust what the test cells print, is
  replaced by ``SandboxGrades``, which grades the submission in the sandbox and writes each
  test cell's verdict as its outputs (error => 0 points, "all N checks passed" => full
  points). ``RestoreSandboxVerdicts`` writes them again right before ``SaveAutoGrades``.
  Set ``RNN_COURSE_NBGRADER_EXECUTE=1`` to also run the notebook in nbgrader's kernel (for
  outputs and plots in the feedback); that kernel runs student code unconfined, as you, so do
  it only for submissions you trust. Grades are the sandbox's either way.
- Deleted test cells are added back (``OverwriteCells.add_missing_cells``, placed by
  ``RestoreCells``) so that they are graded too, from the student's definitions, as
  ``autograder grade`` does; a test cell with an id the gradebook does not know becomes an
  ordinary cell (``RestoreCells``; nbgrader would stop autograding the notebook).
- ``FilterLogLines`` removes TensorFlow's log lines from stderr (nbgrader gives zero to a test
  cell with any stderr output); see ``autograder/nbgrader_filters.py``.
- nbgrader starts ``alembic`` from PATH to create the gradebook: the interpreter's own
  ``bin/`` is put first on PATH, so ``.venv/bin/nbgrader ...`` works without activating the
  environment.
"""

import os
import sys

# Before anything imports nbgrader's gradebook code: alembic is found next to the interpreter.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

from nbgrader.converters.autograde import Autograde  # noqa: E402

from autograder.nbgrader_filters import FilterLogLines  # noqa: E402
from autograder.nbgrader_grading import (autograde_preprocessors,  # noqa: E402
                                         sanitize_preprocessors)

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))  # noqa: F821
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.course_id = "rnn-course"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Autograde: grades come from the sandboxed autograder; TensorFlow's log lines are filtered.
c.Autograde.autograde_preprocessors = autograde_preprocessors(
    Autograde.class_traits()["autograde_preprocessors"].default(),
    execute=os.environ.get("RNN_COURSE_NBGRADER_EXECUTE") == "1",
    log_filter=FilterLogLines,
)
# Sanitizing: nbgrader's, with OverwriteCells robust to unknown and deleted test cells.
c.Autograde.sanitize_preprocessors = sanitize_preprocessors(
    Autograde.class_traits()["sanitize_preprocessors"].default())
c.OverwriteCells.add_missing_cells = True
c.FilterLogLines.enabled = True
c.Execute.timeout = 600
