"""The referentiel: blocks > activities > competencies, its YAML file, and its importers.

The model and its YAML format are in :mod:`.model` (re-exported here); importers read the
official documents: the grid text (:mod:`.grid`) and France Compétences' RNCP export
(:mod:`.rncp`), recognised by content (:mod:`.sources`).
"""

from .model import (
    CUT,
    DEFAULT_ACQUISITION_THRESHOLD,
    DEFAULT_SCALE_LABELS,
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
