"""The referentiel: blocks > activities > competencies, its YAML file, and its importers.

The model and its YAML format are in :mod:`.model` (its public names are reachable here,
imported on first use, so that a light module such as :mod:`.scale` or :mod:`.codes` can be
imported without pandas); importers read the official documents: the grid text (:mod:`.grid`)
and France Compétences' RNCP export (:mod:`.rncp`), recognised by content (:mod:`.sources`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .scale import DEFAULT_ACQUISITION_THRESHOLD, DEFAULT_SCALE_LABELS

if TYPE_CHECKING:
    from .model import (
        CUT,
        FORMAT,
        TABLE_COLUMNS,
        Referentiel,
        check,
        default_path,
        dump,
        from_dict,
        load,
        ordered,
        slugify,
        to_dict,
        to_yaml,
    )

__all__ = [
    "CUT",
    "DEFAULT_ACQUISITION_THRESHOLD",
    "DEFAULT_SCALE_LABELS",
    "FORMAT",
    "TABLE_COLUMNS",
    "Referentiel",
    "check",
    "default_path",
    "dump",
    "from_dict",
    "load",
    "ordered",
    "slugify",
    "to_dict",
    "to_yaml",
]
_MODEL = frozenset(__all__) - {"DEFAULT_ACQUISITION_THRESHOLD", "DEFAULT_SCALE_LABELS"}


def __getattr__(name: str) -> Any:
    if name in _MODEL:
        return getattr(import_module(".model", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
