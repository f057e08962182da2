"""cc-analytics: trustworthy numbers from competency-based certification results."""

from __future__ import annotations

__version__ = "0.1.0"
