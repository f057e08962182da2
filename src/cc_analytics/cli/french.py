"""argparse speaking French, for our parsers only (no process-wide patch).

argparse writes its own words (usage prefix, section titles, the help option, error messages)
in English; :class:`FrenchParser` replaces them in its help and its errors, so another parser
in the same process (Jupyter's, say) is left alone.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import re
import sys
from collections.abc import Callable

from ..core.text import visible
from .common import EXIT_USAGE

#: Python's quoting of a value (``'cohort'``, ``"l'an"``) in argparse's messages.
_REPR = re.compile(r"'(?:[^'\\]|\\.)*'" + r'|"(?:[^"\\]|\\.)*"')


def _guillemets(text: str) -> str:
    """Values argparse quotes the Python way, quoted the French way (and shown, never obeyed,
    when they hold a control character)."""
    return _REPR.sub(lambda found: f"« {visible(str(ast.literal_eval(found[0])))} »", text)


def _invalid_choice(found: re.Match[str]) -> str:
    """« choix invalide », with the nearest choice when the value looks like one."""
    value, choices = found[1], found[2]
    typed = _REPR.fullmatch(value)
    names = [str(ast.literal_eval(c)) for c in _REPR.findall(choices)]
    message = f"choix invalide : {_guillemets(value)} (choix possibles : {_guillemets(choices)})"
    if typed and (near := difflib.get_close_matches(str(ast.literal_eval(value)), names, n=1)):
        message += f" ; vouliez-vous dire « {near[0]} » ?"
    return message


def _invalid_value(found: re.Match[str]) -> str:
    expected = {"int": "nombre entier attendu", "float": "nombre attendu"}
    return f"{expected.get(found[1], 'valeur invalide')}, pas {_guillemets(found[2])}"


#: argparse's error messages (English patterns) -> French (a text or a function of the match).
_ERRORS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), french)
    for pattern, french in (
        (r"^argument (.+?): (.*)$", r"argument \1 : \2"),
        (r"invalid choice: (.*) \(choose from (.*)\)$", _invalid_choice),
        (r"^the following arguments are required: (.*)$", r"arguments obligatoires manquants : \1"),
        (r"^unrecognized arguments: (.*)$", r"arguments non reconnus : \1"),
        (r"expected one argument", "une valeur est attendue"),
        (r"expected at least one argument", "au moins une valeur est attendue"),
        (r"expected at most one argument", "une valeur au plus est attendue"),
        (r"expected (\d+) arguments?", r"\1 valeur(s) attendue(s)"),
        (r"ignored explicit argument (.*)$",
         lambda found: f"cette option ne prend pas de valeur (reçu : {_guillemets(found[1])})"),
        (r"invalid (\w+) value: (.*)$", _invalid_value),
        (r"not allowed with argument (.*)$", r"incompatible avec l'argument \1"),
        (r"^ambiguous option: (.*) could match (.*)$", r"option ambiguë : \1 (possibles : \2)"),
        (r"^one of the arguments (.*) is required$", r"l'un des arguments \1 est obligatoire"),
        (r"^unexpected option string: (.*)$", r"option inattendue : \1"),
    )
)  # fmt: skip


def french_error(message: str) -> str:
    """argparse's ``message`` in French (unchanged when it is not one of argparse's own).

    >>> french_error("argument --threshold: invalid choice: 7 (choose from 0, 1, 2, 3, 4)")
    'argument --threshold : choix invalide : 7 (choix possibles : 0, 1, 2, 3, 4)'
    >>> french_error("argument RAPPORT: invalid choice: 'cohorte' (choose from 'cohort', 'review')")
    'argument RAPPORT : choix invalide : « cohorte » (choix possibles : « cohort », « review ») ; \
vouliez-vous dire « cohort » ?'
    >>> french_error("argument --seed: invalid int value: 'abc'")
    'argument --seed : nombre entier attendu, pas « abc »'
    """
    for pattern, french in _ERRORS:
        message = pattern.sub(french, message)
    return message


class FrenchHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        return super().add_usage(usage, actions, groups, "utilisation : " if prefix is None
                                 else prefix)  # fmt: skip


class FrenchParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose help and usage errors are in French (exit code 2)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="afficher cette aide et quitter")  # fmt: skip

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog} : erreur d'utilisation : {french_error(message)}\n")
