"""The Great Expectations suites, generated from the table contract.

One suite per table of :mod:`cc_analytics.contract`: each column is filled where it must be,
unique where it must be, within its value set or pattern, and rows are unique on the table's
key. Each rule is written as the standard Great Expectations expectation it is, with the French
sentence that explains it (``meta.description_fr``); the rules of a table are grouped in one
expectation that checks them all in one vectorised pass (see
:mod:`cc_analytics.gate.contract_check`). A value set known only at run time (the candidates of
the file, the referentiel's competencies) is written ``{"parameter": NAME}``.

Column presence and text type are not expected again: the readers guarantee both (a missing
header is reported by the reader, in the user's words, with the header row; every cell is read
as text, absent optional columns are added empty), so such expectations could never fail, and
each expectation costs Great Expectations the same fixed time whatever it checks.

The suites are committed as JSON in ``expectations/`` (shipped inside the package as
``cc_analytics/gate/expectations``) so that they can be read and reviewed as Great Expectations
files; a test fails when they differ from what the contract generates. After changing the
contract, regenerate them with::

    python -m cc_analytics.gate.suites expectations/
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ..contract import SCHEMAS, Column, TableSchema
from ..contract.tables import Parameter
from ..core.text import french_list
from .contract_check import CONTRACT_EXPECTATION

#: The committed suites, as shipped in the package.
SUITES_DIR = Path(__file__).resolve().parent / "expectations"


def generate(schema: TableSchema) -> dict[str, Any]:
    """The suite of one table, as the JSON dictionary Great Expectations reads."""
    columns = schema.columns
    rules = [
        _expectation("expect_column_values_to_not_be_null", {"column": c.name},
                     _describe(c, "missing", f"La colonne « {c.name} » ({c.label_fr}) doit être "
                                             "remplie sur chaque ligne."))
        for c in columns if not c.nullable
    ]  # fmt: skip
    rules += [
        _expectation("expect_column_values_to_be_unique", {"column": c.name},
                     _describe(c, "unique", f"Chaque valeur de « {c.name} » doit être unique."))
        for c in columns if c.unique
    ]  # fmt: skip
    for c in columns:
        if isinstance(c.values, Parameter):
            value_set: object = {"parameter": c.values.name}
        elif c.values is not None:
            value_set = list(c.values)
        else:
            continue
        rules.append(_expectation(
            "expect_column_values_to_be_in_set", {"column": c.name, "value_set": value_set},
            _describe(c, "values", f"Valeur non reconnue dans « {c.name} » ({c.label_fr}).")))  # fmt: skip
    rules += [
        _expectation("expect_column_values_to_match_regex",
                     {"column": c.name, "regex": c.pattern},
                     _describe(c, "values", f"Format non reconnu dans « {c.name} »."))
        for c in columns if c.pattern
    ]  # fmt: skip
    if schema.key:
        rules.append(_expectation(
            "expect_compound_columns_to_be_unique",
            {"column_list": list(schema.key), "ignore_row_if": "all_values_are_missing"},
            schema.key_description_fr))  # fmt: skip
    contract = {"type": CONTRACT_EXPECTATION, "kwargs": {"rules": rules},
                "meta": {"description_fr": f"Les règles de la table « {schema.label_fr} »."},
                "severity": "critical"}  # fmt: skip
    return {
        "name": schema.name,
        "expectations": [contract],
        "meta": {
            "description_fr": schema.description_fr,
            "optional_columns": [c.name for c in columns if c.optional],
            "generated_from": "cc_analytics.contract (python -m cc_analytics.gate.suites)",
        },
        "notes": None,
    }


def _describe(column: Column, check: str, default: str) -> str:
    text = column.descriptions.get(check, default)
    values = column.values if isinstance(column.values, tuple) else ()
    return text.format(values=french_list(values)) if "{values}" in text else text


def _expectation(kind: str, kwargs: dict[str, Any], description: str) -> dict[str, Any]:
    return {"type": kind, "kwargs": kwargs, "meta": {"description_fr": description}}


def suite_text(schema: TableSchema) -> str:
    """The suite file's text, as committed."""
    return json.dumps(generate(schema), indent=2, ensure_ascii=False) + "\n"


def write_suites(folder: str | Path) -> list[Path]:
    """Write every table's suite into ``folder`` (``expectations/`` of a checkout)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in SCHEMAS.items():
        path = folder / f"{name}.json"
        path.write_text(suite_text(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # python -m cc_analytics.gate.suites expectations/
    if len(sys.argv) != 2:
        sys.exit("usage : python -m cc_analytics.gate.suites DOSSIER (expectations/ du dépôt)")
    for path in write_suites(sys.argv[1]):
        print(f"écrit : {path}")
