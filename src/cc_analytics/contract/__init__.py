"""The table contract: the canonical tables and the values they may hold, declared once."""

from .tables import CANDIDATES, INSERTION, SCHEMAS, SCORES, WIDE_STEMS, Column, TableSchema

__all__ = ["CANDIDATES", "INSERTION", "SCHEMAS", "SCORES", "WIDE_STEMS", "Column", "TableSchema"]
