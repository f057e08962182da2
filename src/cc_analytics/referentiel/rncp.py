"""Import a referentiel from France Compétences' RNCP open-data export (flux XML v4.1).

The export has a root ``<FICHES>`` holding ``<VERSION_FLUX>`` and one ``<FICHE>`` per
certification (a file whose root is a single ``<FICHE>`` is accepted too). Each fiche publishes
its blocks (``BLOCS_COMPETENCES/BLOC_COMPETENCES``) with ``CODE``, ``LIBELLE``,
``LISTE_COMPETENCES`` and ``MODALITES_EVALUATION``, and per-promotion statistics
(``STATISTIQUES_PROMOTIONS/STATISTIQUES_PROMOTION``). It has no activity level and no scale.

The file is streamed (the full national export is large) and parsed with ``defusedxml``.

How ``LISTE_COMPETENCES`` and ``MODALITES_EVALUATION`` are split into items
---------------------------------------------------------------------------
* Items are separated by a line break or by a run of two or more white-space characters (the
  export collapses line breaks into runs of spaces). A single space never separates items.
* A bullet (``-``, ``*``, ``•``, ``–``, ``—``, ``·``, ``▪``, ``►``…) is recognised only at the
  start of an item and removed. A bullet between single spaces is ordinary text: ``"- foo -
  bar"`` is the one item ``"foo - bar"`` (French prose uses dashes as punctuation, e.g.
  ``"adapté – notamment pour…"``).
* A competency may start with a code of the fiche's own, followed by ``.``, ``)``, ``:``, a dash
  or a space: ``A1C1.``, ``C.1.``, ``C1 -``, ``B1.A1.C1``, ``1.1.1``, ``1.1.1 -``, ``1.`` (a bare
  number needs the punctuation). The code is kept as the competency code and ``source_code``
  and removed from the label. A code alone on its line goes with the item that follows it.
* Without a code of its own, a competency gets ``<block>.C<nn>`` by position (``BC01.C03``).
  When the fiche reuses its own codes across blocks (every block starting at ``C1``), every own
  code is prefixed with its block (``BC02.C1``); a block that still has duplicate codes falls
  back to positional codes (its own codes stay in ``source_code``).
* Modalities are split the same way, bullets removed; their text is otherwise kept as written.

>>> _split_items("Foo bar.    - Baz - qux\\n* Last")
['Foo bar.', '- Baz - qux', '* Last']
>>> _own_code("A1C1. Analyser la demande")
('A1C1', 'Analyser la demande')
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard
from xml.parsers.expat import errors as expat_errors  # error codes only: no parsing here

import defusedxml
import defusedxml.ElementTree as safe_et
import pandas as pd

from ..core.errors import InputFileError, Problem, ReferentielError
from ..core.text import decode
from .codes import RNCP_BLOCK
from .limits import (
    MAX_XML_BYTES,
    MAX_XML_DEPTH,
    MAX_XML_ELEMENT_BYTES,
    check_regular_file,
    size_text,
)
from .model import Referentiel, from_dict
from .scale import DEFAULT_ACQUISITION_THRESHOLD, DEFAULT_SCALE_LABELS

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

__all__ = [
    "STATISTICS_COLUMNS",
    "list_fiches",
    "looks_like_rncp_export",
    "read_fiche",
    "read_statistics",
]

ROOT_TAGS = ("FICHES", "FICHE")
STATISTICS_COLUMNS = [
    "ANNEE",
    "NOMBRE_CERTIFIES",
    "NOMBRE_CERTIFIES_VAE",
    "TAUX_INSERTION_GLOBAL_6MOIS",
    "TAUX_INSERTION_METIER_6MOIS",
    "TAUX_INSERTION_GLOBAL_2ANS",
    "TAUX_INSERTION_METIER_2ANS",
]
SCALE_GAP = {
    "code": None,
    "what": "échelle",
    "note": "L'export RNCP ne décrit pas l'échelle de notation : échelle 0–4 par défaut.",
}
#: How many fiche numbers an error message lists before summarising the rest.
MAX_LISTED = 20

_SEPARATOR = re.compile(r"\s*[\r\n]\s*|\s{2,}")
_BULLET = r"[-*•◦▪▫●○■□►▸‣⁃–—·]"
_LEADING_BULLET = re.compile(rf"^{_BULLET}\s*")
_CODE = r"[A-Z]{1,4}\.?\d+(?:\.?[A-Z]{1,4}\.?\d+|\.\d+)*|\d+(?:\.\d+)*"
_CODED_ITEM = re.compile(
    rf"^(?P<code>{_CODE})(?:\s*(?P<punct>[.):\-–—])\s*|\s+)(?=\S)(?P<label>.+)$", re.DOTALL
)
_CODE_ONLY = re.compile(rf"^(?P<code>{_CODE})\s*(?P<punct>[.):\-–—])?$")
_BLOCK_SUFFIX = re.compile(r"BC\d+$", re.IGNORECASE)
# A DOCTYPE naming the export's root (``<!DOCTYPE FICHES [ … ]>``) makes the file an export to
# refuse by name (DTD, entities) rather than « not an export »; its internal subset may be long.
_PROLOG = re.compile(
    r"^\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*"
    r"(?:<!DOCTYPE\s+FICHES?[\s\[>]|(?:<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>\s*)?<FICHES?(?:[\s/>]|$))",
    re.DOTALL,
)
_EXPAT_FRENCH = {
    expat_errors.XML_ERROR_SYNTAX: "erreur de syntaxe",
    expat_errors.XML_ERROR_NO_ELEMENTS: "document vide ou tronqué (élément non fermé en fin "
    "de fichier)",
    expat_errors.XML_ERROR_INVALID_TOKEN: "caractère ou balise invalide",
    expat_errors.XML_ERROR_UNCLOSED_TOKEN: "balise non fermée",
    expat_errors.XML_ERROR_PARTIAL_CHAR: "caractère incomplet (encodage)",
    expat_errors.XML_ERROR_TAG_MISMATCH: "la balise fermante ne correspond pas à la balise ouverte",
    expat_errors.XML_ERROR_DUPLICATE_ATTRIBUTE: "attribut en double",
    expat_errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: "contenu après la fin de l'élément racine",
    expat_errors.XML_ERROR_UNDEFINED_ENTITY: "entité non définie (un « & » s'écrit « &amp; »)",
    expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION: "section CDATA non fermée",
    expat_errors.XML_ERROR_UNKNOWN_ENCODING: "encodage inconnu",
    expat_errors.XML_ERROR_INCORRECT_ENCODING: "encodage déclaré incorrect",
    expat_errors.XML_ERROR_MISPLACED_XML_PI: "déclaration XML mal placée (elle doit ouvrir le "
    "fichier)",
}
_EXPAT_CODES = {expat_errors.codes[message]: french for message, french in _EXPAT_FRENCH.items()}


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------
def looks_like_rncp_export(head: bytes) -> bool:
    """Whether the first bytes of a file look like an RNCP export (root ``FICHES``/``FICHE``).

    >>> looks_like_rncp_export(b'<?xml version="1.0"?>\\n<FICHES><VERSION_FLUX>4.1')
    True
    >>> looks_like_rncp_export(b"<html><body>")
    False
    >>> looks_like_rncp_export(b'<!DOCTYPE FICHES [<!ENTITY a "a">]><FICHES>')
    True
    """
    return bool(_PROLOG.match(decode(head).lstrip("\ufeff")))


def list_fiches(path: str | Path) -> pd.DataFrame:
    """One row per fiche of the export: ``numero``, ``intitule``, ``etat``, ``blocks``."""
    rows = [
        {
            "numero": _text(fiche, "NUMERO_FICHE"),
            "intitule": _text(fiche, "INTITULE"),
            "etat": _text(fiche, "ETAT_FICHE"),
            "blocks": len(_block_elements(fiche)),
        }
        for fiche, _ in _iter_fiches(Path(path))
    ]
    table = pd.DataFrame(rows, columns=["numero", "intitule", "etat", "blocks"])
    return table.astype(
        {"numero": "object", "intitule": "object", "etat": "object", "blocks": "int64"}
    )


def read_fiche(path: str | Path, fiche: str | None = None) -> Referentiel:
    """The referentiel of one fiche of the export.

    ``fiche`` is a fiche number (``RNCP36612``, ``rncp36612`` or ``36612``); it may be omitted
    when the export holds a single fiche.
    """
    path = Path(path)
    element, version = _select_fiche(path, fiche)
    return from_dict(_fiche_to_dict(element, version, path), name=str(path))


def read_statistics(path: str | Path, fiche: str | None = None) -> pd.DataFrame:
    """The fiche's per-promotion statistics, one row per year (``STATISTICS_COLUMNS``, Int64)."""
    element, _ = _select_fiche(Path(path), fiche)
    rows = _statistics(element)
    return pd.DataFrame(rows, columns=STATISTICS_COLUMNS).astype("Int64")


def _fiche_to_dict(fiche: Element, version: str | None, path: Path) -> dict[str, Any]:
    """The referentiel YAML structure (see :func:`cc_analytics.referentiel.from_dict`)."""
    name = str(path)
    numero = _text(fiche, "NUMERO_FICHE") or "sans numéro"
    block_elements = _block_elements(fiche)
    if not block_elements:
        raise ReferentielError(
            Problem(
                f"la fiche {numero} ne décrit aucun bloc de compétences "
                "(élément BLOCS_COMPETENCES absent ou vide)",
                file=name,
                value=numero,
                hint="Cette fiche ne peut pas servir de référentiel : choisissez une fiche qui "
                "publie ses blocs de compétences, ou écrivez le référentiel YAML à la main",
            )
        )
    gaps: list[dict[str, Any]] = [dict(SCALE_GAP)]
    blocks, problems = _blocks(block_elements, numero, name, gaps)
    if problems:
        raise ReferentielError(problems)
    date, date_gap = _iso_date(_text(fiche, "DATE_DECISION"))
    gaps += date_gap
    flux = version or "version non précisée"
    return {
        "title": _text(fiche, "INTITULE") or numero,
        "rncp": _text(fiche, "NUMERO_FICHE"),
        "version": f"flux {version}" if version else None,
        "date": date,
        "source": f"France Compétences, export RNCP (flux XML {flux}), fiche {numero} : "
        f"{path.name}",
        "threshold": DEFAULT_ACQUISITION_THRESHOLD,
        "scale": [
            {"value": value, "label": label, "from_source": False}
            for value, label in enumerate(DEFAULT_SCALE_LABELS)
        ],
        "blocks": blocks,
        "gaps": gaps,
        "statistics": _statistics(fiche),
        **_classification(fiche),
    }


def _classification(fiche: Element) -> dict[str, Any]:
    """The fiche's ROME and NSF codes and level (``NIV5``), when it gives them: what finds the
    certifications similar to it (``cc-analytics rncp similar``)."""
    out: dict[str, Any] = {}
    rome = _codes(fiche, "CODES_ROME/ROME/CODE")
    nsf = _codes(fiche, "CODES_NSF/NSF/CODE")
    level = _text(fiche, "NOMENCLATURE_EUROPE/NIVEAU")
    if rome:
        out["rome"] = rome
    if nsf:
        out["nsf"] = nsf
    if level:
        out["level"] = level
    return out


def _codes(fiche: Element, path: str) -> list[str]:
    """The distinct codes at ``path``, in the fiche's order."""
    found = [(e.text or "").strip() for e in fiche.findall(path)]
    return list(dict.fromkeys(code for code in found if code))


# ---------------------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------------------
def _iter_fiches(path: Path) -> Iterator[tuple[Element, str | None]]:
    """Stream the top-level fiches with the export's ``VERSION_FLUX``.

    A fiche is detached from the tree once the caller moves on (and any other element under the
    root as soon as it is read), so memory stays bounded by one fiche however large the export;
    a fiche the caller keeps stays whole. Size and depth are bounded (see :mod:`.limits`), and
    a DTD or an entity is refused before anything is built from it.
    """
    name = str(path)
    check_regular_file(path, InputFileError, "de l'export RNCP")
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise _unreadable(name, exc) from None
    version: str | None = None
    root: Element | None = None
    depth = 0
    with handle:
        source = _BoundedSource(handle, name)
        try:
            for event, element in safe_et.iterparse(
                source, events=("start", "end"), forbid_dtd=True
            ):
                if event == "start":
                    depth += 1
                    if depth > MAX_XML_DEPTH:
                        raise InputFileError(_too_deep(name))
                    if depth == 1:
                        root = element
                        _check_root(element, name)
                    # what is held in memory at once: a child of <FICHES>, or a lone <FICHE>
                    if depth == (2 if _under_fiches(root) else 1):
                        source.element_started()
                    continue
                if depth == 2 and element.tag == "VERSION_FLUX":
                    version = (element.text or "").strip() or None
                is_fiche = element.tag == "FICHE" and (
                    depth == 1 or (depth == 2 and _under_fiches(root))
                )
                depth -= 1
                if is_fiche:
                    yield element, version
                if depth == 1 and _under_fiches(root):
                    source.element_ended()
                    root.remove(element)
        except safe_et.ParseError as exc:
            raise _malformed(name, exc) from None
        except defusedxml.DefusedXmlException as exc:
            raise InputFileError(_defused(name, exc)) from None
        except OSError as exc:
            raise _unreadable(name, exc) from None


def _under_fiches(root: Element | None) -> TypeGuard[Element]:
    return root is not None and root.tag == "FICHES"


class _BoundedSource:
    """The export as the parser reads it: refused past ``MAX_XML_BYTES`` in all, or past
    ``MAX_XML_ELEMENT_BYTES`` within one element under the root (a fiche is kept whole in
    memory while it is read). Checked at every read, so a giant text with no tag in it is
    refused as early as a giant fiche."""

    def __init__(self, handle: Any, name: str) -> None:
        self._handle = handle
        self._name = name
        self.consumed = 0
        self._element_start: int | None = None

    def element_started(self) -> None:
        if self._element_start is None:
            self._element_start = self.consumed

    def element_ended(self) -> None:
        self._element_start = None

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size if size >= 0 else 1 << 16)
        self.consumed += len(data)
        if self.consumed > MAX_XML_BYTES:
            raise InputFileError(
                Problem(
                    f"fichier trop volumineux pour un export RNCP (plus de "
                    f"{size_text(MAX_XML_BYTES)})",
                    file=self._name,
                    hint="Vérifiez qu'il s'agit bien de l'export RNCP de data.gouv.fr",
                )
            )
        if (
            self._element_start is not None
            and self.consumed - self._element_start > MAX_XML_ELEMENT_BYTES
        ):
            raise InputFileError(
                Problem(
                    f"une fiche (ou un autre élément sous la racine) dépasse "
                    f"{size_text(MAX_XML_ELEMENT_BYTES)}, alors qu'une fiche RNCP en fait "
                    "quelques dizaines de Ko",
                    file=self._name,
                    hint="Le fichier a été modifié ou n'est pas un export RNCP : téléchargez "
                    "à nouveau l'export sur data.gouv.fr",
                )
            )
        return data


def _too_deep(name: str) -> Problem:
    return Problem(
        f"imbrication trop profonde (plus de {MAX_XML_DEPTH} éléments les uns dans les autres, "
        "quand un export RNCP en a 5)",
        file=name,
        hint="Le fichier a été modifié ou n'est pas un export RNCP : téléchargez à nouveau "
        "l'export sur data.gouv.fr",
    )


def _defused(name: str, exc: defusedxml.DefusedXmlException) -> Problem:
    """The security refusal, named: a DTD, an entity, or a reference to an outside resource."""
    if isinstance(exc, defusedxml.DTDForbidden):
        what = (
            f"le fichier déclare une DTD (<!DOCTYPE {exc.name or ''} …>) : DTD et entités XML "
            "sont refusées par sécurité"
        )
    elif isinstance(exc, defusedxml.EntitiesForbidden):
        what = f"le fichier déclare l'entité XML « {exc.name} » : les entités sont refusées par sécurité"
    elif isinstance(exc, defusedxml.ExternalReferenceForbidden):
        where = str(exc.sysid or exc.pubid or "adresse inconnue")[:80]
        what = f"le fichier renvoie à une ressource extérieure ({where}) : refusée par sécurité"
    else:
        what = "le fichier contient une construction XML refusée par sécurité"
    return Problem(
        what,
        file=name,
        hint="Un export RNCP n'en contient pas : téléchargez l'export d'origine sur "
        "data.gouv.fr, sans le modifier",
    )


def _check_root(root: Element, name: str) -> None:
    if root.tag not in ROOT_TAGS:
        raise InputFileError(
            Problem(
                f"ce fichier XML n'est pas un export RNCP de France Compétences (élément racine "
                f"<{root.tag}>, attendu <FICHES> ou <FICHE>)",
                file=name,
                row="1",
                hint="Téléchargez l'export « Répertoire national des certifications "
                "professionnelles » (flux XML) sur data.gouv.fr",
            )
        )


def _malformed(name: str, exc: Any) -> InputFileError:
    line, column = getattr(exc, "position", (None, None))
    what = _EXPAT_CODES.get(getattr(exc, "code", None))
    where = f", position {column + 1} de la ligne" if column is not None else ""
    return InputFileError(
        Problem(
            f"XML mal formé{where} : {what or 'erreur de syntaxe'}",
            file=name,
            row=None if line is None else str(line),
            value=None if what else str(exc),
            hint="Le fichier est peut-être tronqué ou modifié : téléchargez à nouveau l'export",
        )
    )


def _unreadable(name: str, exc: OSError) -> InputFileError:
    if isinstance(exc, IsADirectoryError):
        reason = "c'est un dossier"
    elif isinstance(exc, PermissionError):
        reason = "accès refusé"
    else:
        reason = exc.strerror or exc.__class__.__name__
    return InputFileError(
        Problem(
            f"fichier illisible ({reason})",
            file=name,
            hint="Vérifiez le chemin et les droits de lecture de l'export RNCP",
        )
    )


def _select_fiche(path: Path, wanted: str | None) -> tuple[Element, str | None]:
    """The fiche numbered ``wanted``, or the only fiche of the export."""
    name = str(path)
    target = None if wanted is None else _normalise_number(wanted, name)
    numbers: list[str] = []
    chosen: tuple[Element, str | None] | None = None
    for element, version in _iter_fiches(path):
        numero = _text(element, "NUMERO_FICHE") or "sans numéro"
        if target is not None and numero.upper() == target:
            return element, version
        numbers.append(numero)
        if chosen is None:
            chosen = element, version
    if not numbers:
        raise InputFileError(
            Problem(
                "l'export ne contient aucune fiche (élément FICHE)",
                file=name,
                hint="Téléchargez à nouveau l'export RNCP",
            )
        )
    if target is not None:
        raise InputFileError(
            Problem(
                f"la fiche {target} n'est pas dans cet export",
                file=name,
                value=wanted,
                hint=f"Fiches disponibles : {_enumerate(numbers)}",
            )
        )
    if len(numbers) > 1:
        raise InputFileError(
            Problem(
                f"l'export contient {len(numbers)} fiches : précisez laquelle importer",
                file=name,
                hint=f"Indiquez son numéro (option --fiche), parmi : {_enumerate(numbers)}",
            )
        )
    assert chosen is not None
    return chosen


def _normalise_number(wanted: str, name: str) -> str:
    """``RNCP36612`` for ``36612``, ``rncp 36612`` or ``RNCP36612``."""
    number = re.sub(r"\s+", "", str(wanted)).upper()
    if number.isdigit():
        number = f"RNCP{number}"
    if not re.fullmatch(r"[A-Z]+\d+", number):
        raise InputFileError(
            Problem(
                "numéro de fiche invalide",
                file=name,
                value=str(wanted),
                hint="Écrivez-le comme « RNCP36612 » ou « 36612 »",
            )
        )
    return number


def _enumerate(numbers: list[str]) -> str:
    listed = ", ".join(numbers[:MAX_LISTED])
    rest = len(numbers) - MAX_LISTED
    if rest <= 0:
        return listed
    return f"{listed} … et {rest} autres (« cc-analytics referentiel list » les affiche toutes)"


# ---------------------------------------------------------------------------------------
# Fiche -> referentiel structure
# ---------------------------------------------------------------------------------------
def _text(element: Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _block_elements(fiche: Element) -> list[Element]:
    return fiche.findall("BLOCS_COMPETENCES/BLOC_COMPETENCES")


def _blocks(
    elements: list[Element], numero: str, name: str, gaps: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Block dicts with their competencies and modalities; problems for empty lists."""
    problems: list[Problem] = []
    parsed: list[tuple[str, dict[str, Any], list[tuple[str | None, str]]]] = []
    for position, element in enumerate(elements, start=1):
        source_code = _text(element, "CODE")
        short = _short_block_code(source_code, position)
        items = _competency_items(_text(element, "LISTE_COMPETENCES"))
        ordinal = "1er" if position == 1 else f"{position}e"
        where = f"fiche {numero}, bloc {source_code or short} ({ordinal} bloc)"
        if not items:
            problems.append(
                Problem(
                    f"{where} : la liste des compétences (LISTE_COMPETENCES) est vide",
                    file=name,
                    value=source_code or short,
                    hint="Sans compétences ce bloc ne peut pas être évalué : vérifiez la fiche "
                    "sur francecompetences.fr ou complétez le référentiel YAML à la main",
                )
            )
        modalities = [
            text
            for text in (
                _LEADING_BULLET.sub("", item)
                for item in _split_items(_text(element, "MODALITES_EVALUATION"))
            )
            if text
        ]
        if not modalities:
            gaps.append(
                {
                    "code": short,
                    "what": "modalités",
                    "note": f"La fiche {numero} ne décrit pas les modalités d'évaluation "
                    f"du bloc {source_code or short}.",
                }
            )
        block = {
            "code": short,
            "label": _text(element, "LIBELLE"),
            "source_code": source_code,
            # the official code every RNCP document uses, when the fiche gives one
            "rncp_code": source_code if source_code and RNCP_BLOCK.match(source_code) else None,
            "modalities": modalities,
        }
        parsed.append((short, block, items))
    prefix = _own_codes_repeat_across_blocks([items for _, _, items in parsed])
    blocks = []
    for short, block, items in parsed:
        block["competencies"] = _competencies(short, items, prefix, gaps)
        blocks.append(block)
    return blocks, problems


def _short_block_code(source_code: str | None, position: int) -> str:
    """``BC01`` from ``RNCP36612BC01``; ``BC<nn>`` by position when the code is unusable."""
    match = _BLOCK_SUFFIX.search(source_code or "")
    return match[0].upper() if match else f"BC{position:02d}"


def _own_codes_repeat_across_blocks(blocks: list[list[tuple[str | None, str]]]) -> bool:
    seen: Counter[str] = Counter()
    for items in blocks:
        seen.update({code for code, _ in items if code is not None})
    return any(count > 1 for count in seen.values())


def _competencies(
    short: str, items: list[tuple[str | None, str]], prefix: bool, gaps: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    generated = [f"{short}.C{position:02d}" for position in range(1, len(items) + 1)]
    codes = [
        generated[i] if own is None else (f"{short}.{own}" if prefix else own)
        for i, (own, _) in enumerate(items)
    ]
    if len(set(codes)) < len(codes):
        codes = generated
        gaps.append(
            {
                "code": short,
                "what": "codes",
                "note": f"Codes de compétence en double dans le bloc {short} : codes "
                "attribués par position, codes de la fiche gardés en source_code.",
            }
        )
    return [
        {"code": code, "label": label, "source_code": own}
        for code, (own, label) in zip(codes, items, strict=True)
    ]


def _split_items(text: str | None) -> list[str]:
    """Items of a list field: separated by a line break or 2+ white-space characters."""
    if not text:
        return []
    return [item for item in (part.strip() for part in _SEPARATOR.split(text)) if item]


def _own_code(item: str) -> tuple[str | None, str]:
    """(the fiche's own code or None, label) of an item whose bullet is already removed."""
    match = _CODED_ITEM.match(item)
    # A bare number is a code only with punctuation: "3 entretiens…" is prose.
    if not match or (match["code"].isdigit() and not match["punct"]):
        return None, item
    return match["code"], match["label"].strip()


def _lone_code(item: str) -> str | None:
    """The code when the item is nothing but a code (``C1.``, ``1.1 -``)."""
    match = _CODE_ONLY.match(item)
    if not match or (match["code"].isdigit() and not match["punct"]):
        return None
    return match["code"]


def _competency_items(text: str | None) -> list[tuple[str | None, str]]:
    """(own code, label) of each competency; a code alone on its line joins the next item."""
    items: list[tuple[str | None, str]] = []
    pending: tuple[str, str] | None = None  # (code, text as written)
    for raw in _split_items(text):
        item = _LEADING_BULLET.sub("", raw)
        if not item:
            continue
        lone = _lone_code(item)
        if lone is not None:
            if pending is not None:
                items.append((None, pending[1]))
            pending = lone, item
            continue
        code, label = _own_code(item)
        if pending is not None and code is None:
            code = pending[0]
        elif pending is not None:
            items.append((None, pending[1]))
        pending = None
        items.append((code, label))
    if pending is not None:
        items.append((None, pending[1]))
    return items


def _statistics(fiche: Element) -> list[dict[str, int | None]]:
    """Per-promotion rows, integers (None when absent), sorted by year."""
    rows = [
        {column: _integer(_text(row, column)) for column in STATISTICS_COLUMNS}
        for row in fiche.findall("STATISTIQUES_PROMOTIONS/STATISTIQUES_PROMOTION")
    ]
    return sorted(rows, key=lambda row: (row["ANNEE"] is None, row["ANNEE"] or 0))


def _integer(text: str | None) -> int | None:
    """An integer count or percent; anything else (empty, « NC »…) is unknown."""
    match = re.fullmatch(r"(\d+)\s*%?", text or "")
    return int(match[1]) if match else None


def _iso_date(text: str | None) -> tuple[str | None, list[dict[str, Any]]]:
    """``2022-07-01`` for ``01/07/2022``; an unreadable date is recorded as a gap."""
    if not text:
        return None, []
    try:
        return datetime.strptime(text, "%d/%m/%Y").date().isoformat(), []
    except ValueError:
        return None, [
            {
                "code": None,
                "what": "date",
                "note": f"Date de décision illisible dans la fiche : « {text} ».",
            }
        ]
