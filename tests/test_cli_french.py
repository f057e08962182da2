"""The command line speaks French, and only its own parsers do (no process-wide patch)."""

from __future__ import annotations

import argparse

import pytest

from cc_analytics.cli import main


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
        (["report"], "arguments obligatoires manquants : kind, dataset"),
        (["inconnue"], "choix invalide"),
    ],
)  # fmt: skip
def test_usage_errors_are_french_with_exit_code_2(argv, words, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "erreur d'utilisation" in err and words in err
    assert "utilisation :" in err and "usage:" not in err


def test_another_parser_in_the_process_keeps_its_own_words(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    other = argparse.ArgumentParser(prog="autre")
    other.add_argument("--x", required=True)
    assert other.format_help().startswith("usage: autre")
    with pytest.raises(SystemExit):
        other.parse_args([])
    assert "the following arguments are required: --x" in capsys.readouterr().err
