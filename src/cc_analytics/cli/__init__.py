"""The ``cc-analytics`` command line.

Exit codes: 0 success, 1 bad input (the French message says what and where), 2 wrong usage.
Each command's module imports heavy libraries inside its handler, so ``--help`` is instant.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from ..core.errors import CcAnalyticsError
from ..core.startup import skip_unused_imports
from ..core.terminal import printable
from .common import EXIT_INPUT
from .parser import build_parser


def main(argv: Sequence[str] | None = None) -> int:
    skip_unused_imports()
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[..., int] = args.handler
    try:
        return handler(args)
    except CcAnalyticsError as exc:
        print(f"Erreur : {printable(exc, keep_lines=True)}", file=sys.stderr)
        if exc.report is not None:
            print(f"Rapport de validation : {exc.report}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130


__all__ = ["main"]
