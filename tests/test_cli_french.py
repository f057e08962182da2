"""The command line speaks French, and only its own parsers do (no process-wide patch)."""

from __future__ import annotations

import argparse
import re

import pytest

from cc_analytics.cli import main
from cc_analytics.cli.parser import build_parser
from cc_analytics.core.version import __version__


def test_help_is_french(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("utilisation : cc-analytics")
    assert "afficher cette aide et quitter" in out and "show this help" not in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["metrics", "demo", "--threshold", "7", "--out", "x.csv"],
         "argument --threshold : choix invalide : 7 (choix possibles : 0, 1, 2, 3, 4)"),
        (["metrics", "demo"], "arguments obligatoires manquants : --out"),
        (["build", "--nope"], "arguments non reconnus : --nope"),
        (["report"], "arguments obligatoires manquants : RAPPORT, DONNÉES"),
        (["inconnue"], "choix invalide : « inconnue » (choix possibles : « init », "),
        (["metric", "demo"], "; vouliez-vous dire « metrics » ?"),
        (["report", "cohorte", "demo"],
         "argument RAPPORT : choix invalide : « cohorte » (choix possibles : « cohort », "
         "« review », « renewal ») ; vouliez-vous dire « cohort » ?"),
        (["demo", "--seed", "abc", "x"], "argument --seed : nombre entier attendu, pas « abc »"),
        (["init", "--empty=oui", "x"],
         "argument --empty : cette option ne prend pas de valeur (reçu : « oui »)"),
        (["build", "--wait"], "argument --wait : une valeur est attendue"),
        (["lab", "--port", "x"], "argument --port : nombre entier attendu, pas « x »"),
        (["referentiel", "show", "--format", "xml"],
         "argument --format : choix invalide : « xml » (choix possibles : « tree », « csv »)"),
        (["report", "cohort", "demo", "--internal", "--external"],
         "argument --external : incompatible avec l'argument --internal"),
        (["demo"], "arguments obligatoires manquants : DOSSIER"),
    ],
)  # fmt: skip
def test_usage_errors_are_french_with_exit_code_2(argv, words, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "erreur d'utilisation" in err and words in err
    assert "utilisation :" in err and "usage:" not in err
    assert not ENGLISH.search(err), ENGLISH.search(err)


#: argparse's own English words, and the English names of arguments it would print.
ENGLISH = re.compile(
    r"usage:|error:|show this help|show program's|positional arguments|optional arguments|"
    r"\binvalid\b|choose from|required|expected|ignored|unrecognized|not allowed|ambiguous|"
    r"\b(dataset|folder|file|kind|OUT|YEARS|COHORT|RULES|SEED|CONFIG|JOBS|EXECUTOR|BY|FICHE|"
    r"RNCP_EXPORT|OUT_DIR|REFERENTIEL|LAYOUT|FORMAT)\b"
)


def _every_command(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """Every parser of the command line, with the words that reach it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _every_command(sub, (*path, name))


COMMANDS = [path for path, _ in _every_command(build_parser())]


def test_every_command_is_listed():
    """The list below is checked: a new command cannot escape the French checks."""
    assert {" ".join(p) for p in COMMANDS} == {
        "", "init", "referentiel", "referentiel import", "referentiel list", "referentiel show",
        "referentiel check", "referentiel complete", "rncp", "rncp similar", "validate",
        "ingest", "metrics", "agreement", "trends",
        "promotions", "followup", "report", "build", "lab", "demo",
    }  # fmt: skip


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "cc-analytics")
def test_every_help_is_french_and_explains_every_argument(path, capsys):
    with pytest.raises(SystemExit) as done:
        main([*path, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("utilisation : cc-analytics")
    assert not ENGLISH.search(out), ENGLISH.search(out)
    parser = dict(_every_command(build_parser()))[path]
    # a group of sub-commands is explained by each sub-command's own line
    commands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    helped = [*(a for a in parser._actions if a not in commands),
              *(c for a in commands for c in a._choices_actions)]  # fmt: skip
    silent = [a.dest for a in helped if a.help is None]
    assert silent == [], f"arguments sans aide : {silent}"


def test_version_is_french(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"cc-analytics {__version__}\n"
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "--version    afficher la version et quitter" in out
    assert "version number" not in out


def test_another_parser_in_the_process_keeps_its_own_words(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    other = argparse.ArgumentParser(prog="autre")
    other.add_argument("--x", required=True)
    assert other.format_help().startswith("usage: autre")
    with pytest.raises(SystemExit):
        other.parse_args([])
    assert "the following arguments are required: --x" in capsys.readouterr().err
