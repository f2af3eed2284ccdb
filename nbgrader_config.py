"""nbgrader configuration of the course (the course directory is this folder).

- Source notebooks live in ``solutions/<assignment>/``; ``nbgrader generate_assignment``
  writes the student release to ``assignments/<assignment>/`` (run ``make release``, which
  also strips outputs and keeps the gradebook out of the repository).
- ``nbgrader autograde`` gives zero to a test cell that wrote anything to stderr, and
  TensorFlow writes log lines there on import. ``FilterLogLines`` removes exactly those lines
  before grades are computed (see ``autograder/nbgrader_filters.py``).
"""

import os

from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import IgnorePattern

from autograder.nbgrader_filters import FilterLogLines

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))  # noqa: F821
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.course_id = "rnn-course"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Autograde: replace nbgrader's whole-output IgnorePattern with a line-level log filter.
c.Autograde.autograde_preprocessors = [
    FilterLogLines if p is IgnorePattern else p
    for p in Autograde.class_traits()["autograde_preprocessors"].default()
]
c.FilterLogLines.enabled = True
c.Execute.timeout = 600
