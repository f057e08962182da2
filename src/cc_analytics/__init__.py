"""cc-analytics: trustworthy numbers from competency-based certification results.

The public API, imported on first use so that ``import cc_analytics`` stays instant::

    from cc_analytics import load_context, compute_results, aggregate, Rules
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_API = {
    "load_referentiel": ("referentiel", "load"),
    "Referentiel": ("referentiel", "Referentiel"),
    "Rules": ("rules", "Rules"),
    "compute_results": ("results", "compute_results"),
    "aggregate": ("aggregates", "aggregate"),
    "trends": ("aggregates", "trends"),
    "agreement": ("agreement", "agreement"),
    "promotion_statistics": ("promotions", "promotion_statistics"),
    "protect": ("privacy", "protect"),
    "load_context": ("context", "load_context"),
    "validate": ("validation", "validate"),
    "CcAnalyticsError": ("errors", "CcAnalyticsError"),
}
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'cc_analytics' has no attribute {name!r}")
    module, attribute = _API[name]
    return getattr(import_module(f".{module}", __name__), attribute)
