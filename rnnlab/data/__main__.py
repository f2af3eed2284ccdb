"""`python -m rnnlab.data ...`: forwards to `rnnlab.data.cli.main`."""

import sys

from rnnlab.data.cli import main

sys.exit(main())
