"""The official RNCP codes beside the local ones: the fiche number, each block's ``RNCP…BCnn``.

A referentiel imported from France Compétences' export carries them (``rncp``, and each
block's ``rncp_code``, its ``CODE`` in the fiche); a referentiel written from the grid gets them
by configuration (``rncp:`` and ``rncp_code:`` in its YAML, or ``cc-analytics referentiel
complete --fiche … --block-code B1=…``). A block without one is shown by its local code only:
nothing is guessed from the block's position.

>>> official_name("B1", "RNCP36612BC01")
'B1 (RNCP36612BC01)'
>>> official_name("B2", None)
'B2'
"""

from __future__ import annotations

import re

import pandas as pd

from ..core.errors import Problem
from .codes import RNCP_BLOCK
from .model import Referentiel, _none, from_dict, to_dict


def block_codes(r: Referentiel) -> dict[str, str | None]:
    """Each block's official code: ``rncp_code``, else its ``source_code`` when that is one."""
    out: dict[str, str | None] = {}
    for block in r.blocks.itertuples(index=False):
        configured = _none(getattr(block, "rncp_code", None))
        source = _none(block.source_code)
        if configured:
            out[block.code] = str(configured)
        elif isinstance(source, str) and RNCP_BLOCK.match(source):
            out[block.code] = source
        else:
            out[block.code] = None
    return out


def official_name(code: str, official: str | None) -> str:
    """``B1 (RNCP36612BC01)``, or ``B1`` when the block has no official code."""
    return f"{code} ({official})" if official else code


def block_names(r: Referentiel) -> dict[str, str]:
    """``{"B1": "B1 (RNCP36612BC01)", …}`` for every block of ``r``."""
    return {code: official_name(code, official) for code, official in block_codes(r).items()}


def rncp_codes(r: Referentiel, table: pd.DataFrame) -> pd.Series:
    """The official code beside each row of an aggregate table (``level``, ``code``): the
    fiche number for the title, the block's code for a block and for each of its
    competencies (the RNCP numbers no competency); missing (None) where none is known."""
    blocks = block_codes(r)
    block_of = dict(zip(r.competencies["code"], r.competencies["block"], strict=True))
    level, code = table["level"].astype(str), table["code"].astype(str)
    values = [
        r.rncp if lv == "title" else blocks.get(c) if lv == "block" else blocks.get(block_of.get(c, ""))
        for lv, c in zip(level, code, strict=True)
    ]  # fmt: skip
    return pd.Series(values, index=table.index, dtype=object)


def configure(r: Referentiel, fiche: str | None = None, blocks: dict[str, str] | None = None,
              rome: list[str] | None = None, nsf: list[str] | None = None,
              level: str | None = None) -> Referentiel:  # fmt: skip
    """``r`` with its fiche number, block codes and classification set (each when given);
    checked as any referentiel is (a block code of another fiche is refused)."""

    data = to_dict(r)
    if fiche:
        data["rncp"] = fiche
    unknown = sorted(set(blocks or {}) - {b["code"] for b in data["blocks"]})
    if unknown:
        from ..core.errors import ReferentielError

        raise ReferentielError(Problem(
            f"bloc inconnu du référentiel : {', '.join(unknown)}", value=", ".join(unknown),
            hint="Blocs : " + ", ".join(b["code"] for b in data["blocks"])))  # fmt: skip
    for block in data["blocks"]:
        if block["code"] in (blocks or {}):
            block["rncp_code"] = blocks[block["code"]]  # type: ignore[index]
    for key, value in (("rome", rome), ("nsf", nsf), ("level", level)):
        if value:
            data[key] = value
    return from_dict(data, name=r.source or r.title)


def normalise_level(text: object) -> str | None:
    """``NIV5`` for ``5``, ``niv 5`` or ``NIV5`` (the export's spelling); None otherwise.

    >>> normalise_level("5"), normalise_level("niv 6"), normalise_level("bac+2")
    ('NIV5', 'NIV6', None)
    """
    match = re.fullmatch(r"(?:NIV(?:EAU)?)?\s*(\d)", str(text or "").strip(), re.IGNORECASE)
    return f"NIV{match[1]}" if match else None
