"""Referentiel YAML text to Python data, with bounded resources and French errors.

Only YAML's safe subset is read (no Python object, no custom tag), a key written twice in a
mapping is refused, and before anything is built the event stream is checked against
:mod:`.limits`: nesting depth, and the number of values once aliases (``*name``) are expanded —
a 1 KB « billion laughs » file would otherwise expand to billions of values. Aliases within that
budget are accepted: people do write ``&modalites`` once and ``*modalites`` in each block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import yaml

from ..core.errors import Problem, ReferentielError
from .limits import MAX_YAML_DEPTH, MAX_YAML_NODES

# libyaml (C) when PyYAML was built with it: ten times faster than the pure-Python parser.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SYNTAX_HINT = "Corrigez la syntaxe (indentation, deux-points, guillemets)"
#: PyYAML's and libyaml's wordings of a syntax problem, and what a reader is told instead.
_FRENCH_SYNTAX: list[tuple[str, str]] = [
    (r"cannot start any token", "caractère inattendu (une tabulation à la place d'espaces ?)"),
    (r"mapping values are not allowed", "deux-points inattendu : un texte contenant « : » "
     "s'écrit entre guillemets"),
    (r"unexpected end of stream", "fin de fichier inattendue (guillemet non fermé ?)"),
    (r"unknown escape character", "caractère d'échappement inconnu entre guillemets doubles "
     "(une barre « \\ » s'écrit « \\\\ », ou utilisez des guillemets simples)"),
    (r"expected ',' or '\]'", "crochet « [ » non fermé ou virgule manquante"),
    (r"expected ',' or '\}'", "accolade « { » non fermée ou virgule manquante"),
    (r"could not find expected ':'", "deux-points « : » manquant après une clé"),
    (r"block end|expected '-' indicator|expected key|document start",
     "indentation incohérente (les éléments d'une même liste s'alignent)"),
    (r"node content", "valeur manquante (crochet, accolade ou guillemet non fermé ?)"),
    (r"undefined alias", "alias (*nom) sans ancre (&nom) définie plus haut"),
    (r"duplicate anchor", "ancre (&nom) définie deux fois"),
    (r"single document", "le fichier contient plusieurs documents (ligne « --- ») : un seul "
     "référentiel par fichier"),
    (r"could not determine a constructor", "étiquette YAML non acceptée (« !… ») : retirez-la"),
    (r"unhashable key", "clé invalide : une clé est un mot suivi de deux-points"),
    (r"for merging", "fusion « << » invalide : elle attend une fiche ou une liste de fiches"),
    (r"base64", "données binaires (!!binary) illisibles"),
    (r"duplicate .*YAML directive", "directive %YAML en double"),
]  # fmt: skip


def parse(text: str, name: str) -> Any:
    """The Python data of a YAML text; a :class:`ReferentielError` naming the file and the line
    for a syntax error, a value beyond the limits or a key written twice."""
    try:
        _check_bounds(text, name)
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise ReferentielError(_syntax_problem(exc, name, text)) from None


def lines_of(text: str, paths: Iterable[Sequence[str | int]]) -> list[int | None]:
    """The YAML line (1-based) where each path (``("blocks", 1, "code")``) is written; the line
    of the nearest enclosing value when the path goes beyond what is written."""
    try:
        root = yaml.compose(text, Loader=_SafeLoader)
    except yaml.YAMLError:
        return [None for _ in paths]
    return [None if root is None else _node_at(root, path).start_mark.line + 1 for path in paths]


def _node_at(node: yaml.Node, path: Sequence[str | int]) -> yaml.Node:
    for step in path:
        if isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                break
            node = node.value[step]
        elif isinstance(node, yaml.MappingNode):
            values = [
                v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step
            ]
            if not values:
                break
            node = values[-1]
        else:
            break
    return node


# ---------------------------------------------------------------------------------------
# Bounds, checked on the event stream: nothing is built until they hold
# ---------------------------------------------------------------------------------------
def _check_bounds(text: str, name: str) -> None:
    open_collections: list[list[Any]] = []  # [anchor, expanded size so far] of each open one
    anchored: dict[str, int] = {}  # expanded size of each closed anchored value
    total, aliases = 0, False
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_collections) >= MAX_YAML_DEPTH:
                raise ReferentielError(_too_deep(name, event))
            open_collections.append([event.anchor, 1])
            size = 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, closed = open_collections.pop()
            if anchor is not None:
                anchored[anchor] = closed
            if open_collections:
                open_collections[-1][1] += closed
            continue
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                anchored[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            aliases = True
            if any(anchor == event.anchor for anchor, _ in open_collections):
                raise ReferentielError(_circular(name, event))
            size = anchored.get(event.anchor, 0)  # an undefined alias: the loader says so
        else:
            continue
        total += size
        if open_collections and not isinstance(event, yaml.CollectionStartEvent):
            open_collections[-1][1] += size
        if total > MAX_YAML_NODES:
            raise ReferentielError(_too_many(name, event, aliases))


def _line(event: yaml.Event) -> str | None:
    mark = getattr(event, "start_mark", None)
    return None if mark is None else str(mark.line + 1)


def _too_deep(name: str, where: Any) -> Problem:
    """``where``: the event that goes too deep, or libyaml's mark (not a ``yaml.Mark``)."""
    line = getattr(getattr(where, "start_mark", where), "line", None)
    return Problem(
        f"imbrication trop profonde (plus de {MAX_YAML_DEPTH} niveaux de listes et de fiches "
        "les unes dans les autres)",
        file=name,
        row=None if line is None else str(line + 1),
        hint="Un référentiel n'a que quelques niveaux (blocs > activités > compétences) : "
        "vérifiez l'indentation, ou qu'il s'agit du bon fichier",
    )


def _too_many(name: str, event: yaml.Event, aliases: bool) -> Problem:
    limit = f"{MAX_YAML_NODES:,}".replace(",", " ")
    if aliases:
        return Problem(
            f"trop de valeurs une fois les alias (*nom) développés (plus de {limit})",
            file=name,
            row=_line(event),
            hint="Un référentiel en compte quelques centaines : retirez les ancres (&nom) et "
            "les alias (*nom) qui se répètent les uns les autres",
        )
    return Problem(
        f"trop de valeurs pour un référentiel (plus de {limit})",
        file=name,
        row=_line(event),
        hint="Un référentiel en compte quelques centaines : vérifiez qu'il s'agit du bon fichier",
    )


def _circular(name: str, event: yaml.Event) -> Problem:
    return Problem(
        f"l'alias *{event.anchor} renvoie à la liste ou à la fiche qui le contient : son "
        "contenu serait infini",
        file=name,
        row=_line(event),
        hint="Retirez cet alias ou écrivez la valeur en entier",
    )


# ---------------------------------------------------------------------------------------
# Syntax errors in French
# ---------------------------------------------------------------------------------------
def _syntax_problem(exc: yaml.YAMLError, name: str, text: str) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        return Problem(
            f"caractère interdit dans un fichier YAML (caractère de contrôle "
            f"{_code_point(exc.character)})",
            file=name,
            row=_reader_line(text, getattr(exc, "position", None)),
            hint="Retirez les caractères de contrôle, ou enregistrez le fichier comme texte "
            "UTF-8 (ce n'est peut-être pas un fichier texte)",
        )
    mark = getattr(exc, "problem_mark", None)
    problem = str(getattr(exc, "problem", None) or exc)
    if "nesting depth" in problem:  # libyaml's own bound (1000), met before ours when scanning
        return _too_deep(name, mark)
    hint = _SYNTAX_HINT
    said = f"{getattr(exc, 'context', None) or ''} {problem}"
    french = next((fr for pattern, fr in _FRENCH_SYNTAX if re.search(pattern, said)), None)
    if french is None and problem.endswith(" en double"):  # our own: a key written twice
        french, hint = problem, "Gardez cette clé une seule fois dans sa fiche"
    return Problem(
        f"YAML invalide : {french or f'erreur de syntaxe (détail technique : {problem})'}",
        file=name,
        row=str(mark.line + 1) if mark else None,
        hint=hint,
    )


def _reader_line(text: str, position: int | None) -> str | None:
    """The line of a reader error: libyaml counts UTF-8 bytes, PyYAML counts characters."""
    if position is None:
        return None
    if _SafeLoader is yaml.SafeLoader:
        return str(text.count("\n", 0, position) + 1)
    return str(text.encode("utf-8", "surrogatepass").count(b"\n", 0, position) + 1)


def _code_point(character: Any) -> str:
    if isinstance(character, str) and character:
        character = ord(character)
    return f"0x{character:02X}" if isinstance(character, int) else "inconnu"


# ---------------------------------------------------------------------------------------
class _UniqueKeyLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """A safe loader that refuses a key written twice in the same mapping."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        try:
            duplicate = key in seen
        except TypeError:  # a list or a mapping as a key: the safe constructor refuses it
            continue
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"clé « {key} » en double", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
