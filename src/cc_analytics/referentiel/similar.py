"""Certifications similar to ours in France Compétences' RNCP export (registration criterion 2).

The export is read as a stream (:func:`.rncp._iter_fiches`: ``defusedxml``, no DTD or entity,
bounded depth and size, each fiche dropped once read), so the national export of several hundred
MB is never held whole: only the few fields below are kept per matching fiche.

The rule (:data:`RULE_FR`, printed by ``cc-analytics rncp similar``):

* a fiche is **similar** when it shares at least one ROME code (the jobs it leads to) or one
  NSF code (its field of training) with ours, and is of the same level (``NIV5``…), unless
  another level, or every level, is asked for;
* fiches are **ranked** by the number of ROME codes shared, then the number of NSF codes
  shared, then active fiches before inactive ones, then by fiche number: the jobs a title
  leads to say more about what it competes with than its field of training.

Our codes come from the command line, else the referentiel's metadata (``rome``, ``nsf``,
``level``), else our own fiche when the export holds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..core.errors import InputFileError, Problem
from .official import normalise_level
from .rncp import STATISTICS_COLUMNS, _codes, _iter_fiches, _normalise_number, _statistics, _text

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

RULE_FR = (
    "fiches similaires : au moins un code ROME (métiers visés) ou un code NSF (domaine de "
    "formation) en commun avec notre titre, au même niveau{level} ; classement : nombre de "
    "codes ROME partagés, puis nombre de codes NSF partagés, puis fiches actives d'abord, puis "
    "numéro de fiche"
)
#: Our own fiche in the table: rank 0, so that its published figures sit beside the others'.
OURS = 0
FICHE_COLUMNS = ["rank", "ours", "numero", "intitule", "level", "certifiers", "active", "etat",
                 "shared_rome", "shared_nsf", "n_shared_rome", "n_shared_nsf",
                 "has_statistics"]  # fmt: skip
COLUMNS = [*FICHE_COLUMNS, *STATISTICS_COLUMNS]
#: The same columns as people read them (XLSX, ``--excel-fr``).
HEADERS_FR = {
    "rank": "Rang", "ours": "Notre titre", "numero": "Fiche", "intitule": "Intitulé",
    "level": "Niveau", "certifiers": "Certificateur(s)", "active": "Active",
    "etat": "État de la fiche", "shared_rome": "Codes ROME partagés",
    "shared_nsf": "Codes NSF partagés", "n_shared_rome": "Nombre de codes ROME partagés",
    "n_shared_nsf": "Nombre de codes NSF partagés", "has_statistics": "Statistiques publiées",
}  # fmt: skip


class UnknownCodes(InputFileError):
    """Our title's ROME and NSF codes are known neither from the caller nor from the export."""


@dataclass(frozen=True)
class Codes:
    """A fiche's classification: ROME and NSF codes, level (``NIV5``, None when unknown)."""

    rome: tuple[str, ...] = ()
    nsf: tuple[str, ...] = ()
    level: str | None = None


@dataclass(frozen=True)
class Fiche:
    """The few fields of a fiche the comparison keeps."""

    numero: str
    intitule: str | None
    codes: Codes
    certifiers: tuple[str, ...]
    active: bool | None
    etat: str | None
    statistics: list[dict[str, int | None]] = field(default_factory=list)


@dataclass(frozen=True)
class Similar:
    """The result: our fiche (None when the export does not hold it), the codes compared, the
    level kept (None: every level) and the table (:data:`COLUMNS`, one row per fiche and
    published year; a fiche without statistics has one row with ``ANNEE`` empty)."""

    ours: Fiche | None
    codes: Codes
    level: str | None
    table: pd.DataFrame

    @property
    def rule(self) -> str:
        level = f" ({self.level})" if self.level else " — tous niveaux, à la demande"
        return RULE_FR.format(level=level)

    @property
    def fiches(self) -> pd.DataFrame:
        """One row per similar fiche (ours excluded), in rank order."""
        table = self.table[~self.table["ours"]]
        return table.drop_duplicates("numero")[FICHE_COLUMNS].reset_index(drop=True)


def read_fiche_fields(element: Element) -> Fiche:
    """The compared fields of one ``<FICHE>`` element."""
    names = [_text(c, "NOM_CERTIFICATEUR") for c in element.findall("CERTIFICATEURS/CERTIFICATEUR")]
    active = _text(element, "ACTIF")  # the fiche's own, not a jury's (SI_JURY_*/ACTIF)
    return Fiche(
        numero=(_text(element, "NUMERO_FICHE") or "").upper(),
        intitule=_text(element, "INTITULE"),
        codes=Codes(tuple(_codes(element, "CODES_ROME/ROME/CODE")),
                    tuple(_codes(element, "CODES_NSF/NSF/CODE")),
                    normalise_level(_text(element, "NOMENCLATURE_EUROPE/NIVEAU"))),
        certifiers=tuple(dict.fromkeys(n for n in names if n)),
        active=None if active is None else active.strip().lower() == "oui",
        etat=_text(element, "ETAT_FICHE"),
        statistics=_statistics(element),
    )  # fmt: skip


def iter_fiches(path: str | Path) -> Iterator[Fiche]:
    """Every fiche of the export, streamed (bounded memory whatever the export's size)."""
    for element, _ in _iter_fiches(Path(path)):
        yield read_fiche_fields(element)


def find_ours(path: str | Path, fiche: str) -> Fiche | None:
    """Our fiche in the export (the stream stops once it is found), or None."""
    number = _normalise_number(fiche, str(path))
    return next((f for f in iter_fiches(path) if f.numero == number), None)


def find_similar(path: str | Path, fiche: str, codes: Codes | None = None,
                 level: str | None = None, all_levels: bool = False) -> Similar:  # fmt: skip
    """The fiches of the export similar to ours (see the module's rule).

    ``codes``: our ROME/NSF codes and level as given (command line, referentiel); a part left
    empty is taken from our fiche when the export holds it. ``level`` compares at another
    level than ours; ``all_levels`` at every level.
    """
    name = str(path)
    number = _normalise_number(fiche, name)
    given = codes or Codes()
    ours = None
    if not (given.rome or given.nsf) or not (given.level or level or all_levels):
        ours = find_ours(path, number)
    mine = Codes(
        given.rome or (ours.codes.rome if ours else ()),
        given.nsf or (ours.codes.nsf if ours else ()),
        given.level or (ours.codes.level if ours else None),
    )
    if not (mine.rome or mine.nsf):
        raise UnknownCodes(Problem(
            f"codes ROME et NSF de notre titre inconnus : la fiche {number} n'est pas dans "
            "l'export et aucun code n'a été donné" if ours is None else
            f"la fiche {number} ne donne ni code ROME ni code NSF", file=name,
            hint="Donnez-les avec --rome D1402,D1406 et/ou --nsf 312t, ou inscrivez-les dans le "
            "référentiel (« cc-analytics referentiel complete … --rome … --nsf … --level 5 »)"))  # fmt: skip
    wanted = None if all_levels else (normalise_level(level) if level else mine.level)
    rows: list[dict[str, object]] = []
    for other in iter_fiches(path):
        if other.numero == number:
            ours = other
            continue
        rome = [c for c in other.codes.rome if c in mine.rome]
        nsf = [c for c in other.codes.nsf if c in mine.nsf]
        if not (rome or nsf) or (wanted is not None and other.codes.level != wanted):
            continue
        rows.append(_row(other, rome, nsf))
    rows.sort(key=lambda r: (-int(r["n_shared_rome"]), -int(r["n_shared_nsf"]),  # type: ignore[call-overload]
                             r["active"] is not True, str(r["numero"])))  # fmt: skip
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    if ours is not None:
        rows.insert(0, {**_row(ours, list(ours.codes.rome), list(ours.codes.nsf)),
                        "rank": OURS, "ours": True})  # fmt: skip
    return Similar(ours, mine, wanted, _table(rows))


def _row(fiche: Fiche, rome: list[str], nsf: list[str]) -> dict[str, object]:
    return {
        "rank": None, "ours": False, "numero": fiche.numero, "intitule": fiche.intitule,
        "level": fiche.codes.level, "certifiers": ", ".join(fiche.certifiers) or None,
        "active": fiche.active, "etat": fiche.etat, "shared_rome": ", ".join(rome),
        "shared_nsf": ", ".join(nsf), "n_shared_rome": len(rome), "n_shared_nsf": len(nsf),
        "has_statistics": bool(fiche.statistics), "_statistics": fiche.statistics,
    }  # fmt: skip


def _table(rows: Iterable[dict[str, object]]) -> pd.DataFrame:
    """One row per fiche and published year (a fiche without statistics: one row, no year)."""
    records = []
    for row in rows:
        statistics = row.pop("_statistics") or [{}]  # type: ignore[assignment]
        records += [{**row, **year} for year in statistics]  # type: ignore[attr-defined]
    table = pd.DataFrame(records, columns=COLUMNS)
    types = {c: "Int64" for c in ["rank", "n_shared_rome", "n_shared_nsf", *STATISTICS_COLUMNS]}
    return table.astype({**types, "ours": bool, "has_statistics": bool, "active": "boolean"})
