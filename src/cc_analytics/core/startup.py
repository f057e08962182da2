"""What a cc-analytics process does once, at start, to start faster.

jsonschema (imported by Great Expectations, nbformat and papermill) builds 38 parsing grammars
at import time when the ``rfc3987-syntax`` package is installed — JupyterLab's dependencies
install it — only to check the ``iri`` string format, which none of the schemas these
libraries validate uses. That costs about 2.5 s in every process that validates data or runs
a report. Our own processes (the command line and its workers) tell Python the package is
absent; jsonschema then simply has no ``iri`` checker. Nothing else changes, and a library
user's own process is left alone.
"""

from __future__ import annotations

import sys

UNUSED_IMPORTS = ("rfc3987_syntax",)


def skip_unused_imports() -> None:
    """Mark ``UNUSED_IMPORTS`` as absent for this process (before anything imports them)."""
    for name in UNUSED_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
