"""cc-analytics: trustworthy numbers from competency-based certification results.

The public API, imported on first use so that ``import cc_analytics`` stays instant::

    from cc_analytics import load_context, compute_results, aggregate, Rules

The package is cut in layers, each a folder, each importing only the ones listed before it:
``core`` (errors, text, labels, atomic writes), ``referentiel`` and ``contract`` (the tables
declared once), ``inputs`` (reading schools' files), ``engine`` (pure rules and numbers),
``demo``, ``workspace`` (where things live), ``gate`` (validation and ingest), ``reporting``,
``build`` (the main job) and ``cli``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .core.version import __version__

_API = {
    "load_referentiel": ("referentiel", "load"),
    "Referentiel": ("referentiel", "Referentiel"),
    "Rules": ("engine.rules", "Rules"),
    "compute_results": ("engine.results", "compute_results"),
    "aggregate": ("engine.aggregates", "aggregate"),
    "trends": ("engine.trends", "trends"),
    "agreement": ("engine.agreement", "agreement"),
    "promotion_statistics": ("engine.promotions", "promotion_statistics"),
    "protect": ("engine.privacy", "protect"),
    "Workspace": ("workspace", "Workspace"),
    "load_context": ("reporting.context", "load_context"),
    "validate": ("gate.validation", "validate"),
    "CcAnalyticsError": ("core.errors", "CcAnalyticsError"),
}
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'cc_analytics' has no attribute {name!r}")
    module, attribute = _API[name]
    return getattr(import_module(f".{module}", __name__), attribute)
