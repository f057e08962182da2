"""The shape of a referentiel's YAML structure, declared once, and every way a file strays from it.

A referentiel file is hand-edited: an entry may be a number where a competency is expected, a
list where a mapping is, a code missing or written as a number. :func:`flaws` walks the
structure against :data:`REFERENTIEL` and returns every such problem at once, each with the
path of the value (``blocks[1].activities[0].competencies[2]``) and a French message, so that
nothing downstream ever meets a value of the wrong kind. Whether the codes agree with each other
(duplicates, a competency under the wrong activity, the scale) is :func:`.model.check`'s job.

>>> print(flaws({"blocks": [{"code": "B1", "competencies": [7]}]})[0].message)
blocks[0].competencies[0] : une compétence doit être une fiche avec un code et un intitulé, trouvé 7
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.text import CONTROL_CHARACTERS

Path = tuple[str | int, ...]
_QUOTE_HINT = "Écrivez-le entre guillemets (« '…' ») pour qu'il soit lu comme un texte"


@dataclass(frozen=True)
class Flaw:
    """One value of the wrong kind: where it is, what is wrong, what to do."""

    path: Path
    message: str
    hint: str


@dataclass(frozen=True)
class Text:
    """A text. ``required``: present and not empty. ``scalars``: numbers and dates are accepted
    and read as text (``version: 2``, ``date: 2024-06-14``)."""

    what: str
    example: str
    required: bool = False
    scalars: bool = False


@dataclass(frozen=True)
class Integer:
    what: str
    example: str
    required: bool = False


@dataclass(frozen=True)
class Flag:
    what: str
    example: str


@dataclass(frozen=True)
class Record:
    """A mapping with known keys; ``others`` is the kind of any other key's value (``None``:
    other keys are ignored, as comments would be)."""

    what: str
    hint: str
    fields: Mapping[str, Spec] = field(default_factory=dict)
    others: Spec | None = None


@dataclass(frozen=True)
class ListOf:
    """A list; ``of`` completes « une liste … » (``"de blocs"``)."""

    of: str
    item: Spec
    required: bool = False


@dataclass(frozen=True)
class TextOrRecord:
    """A text, or a record that details it (a modality with its sub-items)."""

    text: Text
    record: Record


Spec = Text | Integer | Flag | Record | ListOf | TextOrRecord


def _code(what: str, example: str) -> Text:
    return Text(what, example, required=True)


_COMPETENCY_FIELDS: dict[str, Spec] = {
    "code": _code("le code de la compétence", "code: B1A1C1"),
    "label": Text("l'intitulé de la compétence", "label: Analyser la demande du client"),
    "source_code": Text("le code d'origine de la compétence", "source_code: B1.A1.C1"),
}
_COMPETENCY_HINT = "Écrivez-la « - {code: B1A1C1, label: Analyser la demande du client} »"
COMPETENCY = Record(
    "une compétence doit être une fiche avec un code et un intitulé",
    _COMPETENCY_HINT,
    _COMPETENCY_FIELDS,
)
BLOCK_COMPETENCY = Record(
    "une compétence doit être une fiche avec un code et un intitulé",
    _COMPETENCY_HINT,
    {**_COMPETENCY_FIELDS, "activity": Text("l'activité de la compétence", "activity: B1A1")},
)
ACTIVITY = Record(
    "une activité doit être une fiche avec un code, un intitulé et ses compétences",
    "Écrivez-la « - code: B1A1 », avec « label: … » et « competencies: » en dessous",
    {
        "code": _code("le code de l'activité", "code: B1A1"),
        "label": Text("l'intitulé de l'activité", "label: Veille commerciale"),
        "competencies": ListOf("de compétences", COMPETENCY),
    },
)
CRITERION = Record(
    "un critère doit être une fiche avec son texte",
    "Écrivez-le « - {text: Les sources sont fiables., activities: [B1A1]} »",
    {
        "text": Text("le texte du critère", "text: Les sources sont fiables.", required=True),
        "activities": ListOf(
            "de codes d'activité", _code("le code d'une activité", "activities: [B1A1]")
        ),
    },
)
MODALITY = TextOrRecord(
    Text("une modalité", "- Dossier écrit", required=True),
    Record(
        "une modalité doit être un texte, ou une fiche avec son texte et ses détails",
        "Écrivez-la « - Dossier écrit », ou « - text: Dossier écrit » avec « items: » en dessous",
        {
            "text": Text("le texte de la modalité", "text: Dossier écrit", required=True),
            "items": ListOf("de détails", Text("un détail", "- Individuel", required=True)),
        },
    ),
)
BLOCK = Record(
    "un bloc doit être une fiche avec un code, un intitulé et ses activités",
    "Écrivez-le « - code: B1 », avec « label: … » et « activities: » en dessous",
    {
        "code": _code("le code du bloc", "code: B1"),
        "label": Text("l'intitulé du bloc", "label: Collecter l'information commerciale"),
        "source_code": Text("le code d'origine du bloc", "source_code: RNCP36612BC01"),
        "rncp_code": Text("le code officiel du bloc au RNCP", "rncp_code: RNCP36612BC01"),
        "activities": ListOf("d'activités", ACTIVITY),
        "competencies": ListOf("de compétences", BLOCK_COMPETENCY),
        "criteria": ListOf("de critères", CRITERION),
        "modalities": ListOf("de modalités", MODALITY),
        "knowledge": ListOf("de connaissances", Text("une connaissance", "- Droit", required=True)),
    },
)
SCALE_LEVEL = Record(
    "un niveau de l'échelle doit être une fiche avec une valeur et un libellé",
    "Écrivez-le « - {value: 2, label: acquis} »",
    {
        "value": Integer("la valeur du niveau", "value: 2", required=True),
        "label": Text("le libellé du niveau", "label: acquis"),
        "from_source": Flag("« from_source »", "from_source: true"),
    },
)
GAP = Record(
    "une lacune doit être une fiche avec « code », « what » et « note »",
    "Écrivez-la « - {code: B2, what: intitulé du bloc, note: absent de la source} »",
    {
        "code": Text("le code de la lacune", "code: B2"),
        "what": Text("ce qui manque", "what: intitulé du bloc"),
        "note": Text("la note de la lacune", "note: absent de la source"),
    },
)
FILLED = Record(
    "une lacune comblée doit être une fiche avec « code », « what », « label » et « note »",
    "Écrivez-la « - {code: B2A2C1, what: compétence, label: …, note: ajoutée le …} »",
    {
        "code": Text("le code de la lacune comblée", "code: B2A2C1"),
        "what": Text("ce qui a été ajouté", "what: compétence"),
        "label": Text("l'intitulé ajouté", "label: Définir les actions commerciales"),
        "note": Text("la note de la lacune comblée", "note: ajoutée le 2026-01-15"),
    },
)
STATISTICS_ROW = Record(
    "une ligne de statistiques doit être une fiche « colonne: nombre »",
    "Écrivez-la « - {ANNEE: 2023, NOMBRE_CERTIFIES: 12} »",
    others=Integer("une statistique", "NOMBRE_CERTIFIES: 12"),
)
#: The whole file. ``threshold`` is left to the integrity check, which says what it must be.
REFERENTIEL = Record(
    "un référentiel doit être une fiche « clé: valeur »",
    "Produisez-le avec « cc-analytics referentiel import »",
    {
        "format": Text("le format", "format: cc-analytics.referentiel/1"),
        "title": Text("le titre", "title: Chargé.e de clientèle"),
        "rncp": Text("le numéro RNCP", "rncp: RNCP36612", scalars=True),
        "version": Text("la version", "version: '2024'", scalars=True),
        "date": Text("la date", "date: 2024-06-14", scalars=True),
        "source": Text("la source", "source: fiche RNCP36612"),
        "scale_source": Text("la source de l'échelle", "scale_source: grille officielle"),
        "scale": ListOf("de niveaux", SCALE_LEVEL),
        "blocks": ListOf("de blocs", BLOCK, required=True),
        "gaps": ListOf("de lacunes", GAP),
        "filled": ListOf("de lacunes comblées", FILLED),
        "rome": ListOf("de codes ROME", Text("un code ROME", "rome: [D1402]", required=True)),
        "nsf": ListOf(
            "de codes NSF", Text("un code NSF", "nsf: [312t]", required=True, scalars=True)
        ),
        "level": Text("le niveau du titre", "level: NIV5", scalars=True),
        "statistics": ListOf("de lignes de statistiques", STATISTICS_ROW),
    },
)


def flaws(data: Any, spec: Spec = REFERENTIEL, path: Path = ()) -> list[Flaw]:
    """Every value of ``data`` that is not of the kind ``spec`` declares, in reading order."""
    return list(_walk(spec, data, path))


def path_text(path: Path) -> str:
    """``blocks[1].activities[0]`` for ``("blocks", 1, "activities", 0)``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _walk(spec: Spec, value: Any, path: Path) -> Iterator[Flaw]:
    if isinstance(spec, Record):
        yield from _record(spec, value, path)
    elif isinstance(spec, ListOf):
        if value is None:
            if spec.required:
                yield _flaw(path, f"la liste {spec.of} est vide", "Ajoutez-y au moins un élément")
        elif not isinstance(value, list):
            yield _flaw(
                path,
                f"doit être une liste {spec.of} (une ligne « - … » par élément), trouvé "
                f"{describe(value)}",
                "Écrivez chaque élément sur sa ligne, précédé de « - »",
            )
        else:
            for index, item in enumerate(value):
                yield from _walk(spec.item, item, (*path, index))
    elif isinstance(spec, TextOrRecord):
        if isinstance(value, Mapping):
            yield from _record(spec.record, value, path)
        elif not isinstance(value, str):
            yield _flaw(path, f"{spec.record.what}, trouvé {describe(value)}", spec.record.hint)
        else:
            yield from _walk(spec.text, value, path)
    else:
        yield from _scalar(spec, value, path)


def _record(spec: Record, value: Any, path: Path) -> Iterator[Flaw]:
    if not isinstance(value, Mapping):
        yield _flaw(path, f"{spec.what}, trouvé {describe(value)}", spec.hint)
        return
    for key, kind in spec.fields.items():
        if key in value:
            yield from _walk(kind, value[key], (*path, key))
        elif isinstance(kind, Text | Integer) and kind.required:
            yield _flaw(path, f"{kind.what} manque", f"Ajoutez « {kind.example} »")
        elif isinstance(kind, ListOf) and kind.required:
            yield _flaw(path, f"la liste {kind.of} manque (« {key}: »)", f"Ajoutez « {key}: »")
    if spec.others is not None:
        for key, item in value.items():
            if key not in spec.fields:
                yield from _walk(spec.others, item, (*path, str(key)))


def _scalar(spec: Text | Integer | Flag, value: Any, path: Path) -> Iterator[Flaw]:
    if value is None or (isinstance(value, str) and not value.strip()):
        if not isinstance(spec, Flag) and spec.required:
            yield _flaw(
                path, f"{spec.what} est vide", f"Écrivez-le, par exemple « {spec.example} »"
            )
        return
    if isinstance(spec, Text):
        accepted = isinstance(value, str) or (
            spec.scalars and (_is_number(value) or isinstance(value, dt.date))
        )
        expected = "un texte"
    elif isinstance(spec, Integer):
        accepted = isinstance(value, int) and not isinstance(value, bool)
        expected = "un nombre entier"
    else:
        accepted, expected = isinstance(value, bool), "« true » ou « false »"
    if accepted and isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        yield _flaw(path, f"{spec.what} contient un caractère de contrôle ou d'inversion du sens "
                    f"d'écriture : {describe(value)}",
                    "Retapez ce texte sans copier-coller depuis un terminal ou un autre logiciel")  # fmt: skip
        return
    if accepted:
        return
    if isinstance(spec, Text) and (_is_number(value) or isinstance(value, bool | dt.date)):
        hint = f"{_QUOTE_HINT}, par exemple « {spec.example} »"
    else:
        single = {Text: "un seul texte", Integer: "un seul nombre entier"}.get(type(spec), expected)
        hint = f"Écrivez {single}, par exemple « {spec.example} »"
    yield _flaw(path, f"{spec.what} doit être {expected}, trouvé {describe(value)}", hint)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _flaw(path: Path, message: str, hint: str) -> Flaw:
    where = path_text(path)
    return Flaw(path, f"{where} : {message}" if where else message, hint)


def describe(value: Any, width: int = 40) -> str:
    """A value as a message quotes it, short and printable.

    >>> describe(7), describe(None), describe(["a"]), describe("a\\x1b[31m")
    ('7', 'une valeur vide', 'une liste', 'le texte « a\\\\x1b[31m »')
    """
    if value is None:
        return "une valeur vide"
    if isinstance(value, bool):
        return f"« {'true' if value else 'false'} » (lu comme oui/non)"
    if _is_number(value):
        return _printable(str(value), width)
    if isinstance(value, str):
        return f"le texte « {_printable(value, width)} »"
    if isinstance(value, dt.date):
        return f"la date {value.isoformat()}"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, Mapping):
        keys = ", ".join(_printable(str(k), 20) for k in list(value)[:3])
        return f"une fiche ({keys}{', …' if len(value) > 3 else ''})" if keys else "une fiche vide"
    if isinstance(value, bytes):
        return "des données binaires"
    return "une valeur d'un autre type"


def _printable(text: str, width: int) -> str:
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return text if len(text) <= width else text[: width - 1] + "…"
