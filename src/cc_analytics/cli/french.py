"""argparse speaking French, for our parsers only (no process-wide patch).

argparse writes its own words (usage prefix, section titles, the help option, error messages)
in English; :class:`FrenchParser` replaces them in its help and its errors, so another parser
in the same process (Jupyter's, say) is left alone.
"""

from __future__ import annotations

import argparse
import re
import sys

from .common import EXIT_USAGE

#: argparse's error messages (English patterns) -> French.
_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), french)
    for pattern, french in (
        (r"^argument (.+?): (.*)$", r"argument \1 : \2"),
        (r"invalid choice: (.*) \(choose from (.*)\)", r"choix invalide : \1 (choix possibles : \2)"),
        (r"^the following arguments are required: (.*)$", r"arguments obligatoires manquants : \1"),
        (r"^unrecognized arguments: (.*)$", r"arguments non reconnus : \1"),
        (r"expected one argument", "une valeur est attendue"),
        (r"expected at least one argument", "au moins une valeur est attendue"),
        (r"invalid (\w+) value: (.*)$", r"valeur invalide (\1) : \2"),
        (r"not allowed with argument (.*)$", r"incompatible avec l'argument \1"),
        (r"^ambiguous option: (.*) could match (.*)$", r"option ambiguë : \1 (possibles : \2)"),
        (r"^one of the arguments (.*) is required$", r"l'un des arguments \1 est obligatoire"),
    )
)  # fmt: skip


def french_error(message: str) -> str:
    """argparse's ``message`` in French (unchanged when it is not one of argparse's own).

    >>> french_error("argument --threshold: invalid choice: 7 (choose from 0, 1, 2, 3, 4)")
    'argument --threshold : choix invalide : 7 (choix possibles : 0, 1, 2, 3, 4)'
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
