"""rnnlab: the course library students import (checks, data, plots, training helpers).

Imported first in a notebook, it keeps TensorFlow's start-up lines out of the notebook and
says which device TensorFlow uses (:mod:`rnnlab.quiet`).
"""

from rnnlab import quiet as _quiet

_quiet.install()
