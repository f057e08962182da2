"""``python -m cc_analytics.cli``: the command line."""

import sys

from . import main

sys.exit(main())
