"""``python -m cc_analytics``: the command line."""

import sys

from .cli import main

sys.exit(main())
