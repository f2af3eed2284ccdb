"""rnnlab: the course library students import (checks, data, plots, training helpers)."""
