"""The ``cc-analytics`` command line.

Exit codes: 0 success, 1 bad input (the French message says what and where), 2 wrong usage.
Heavy libraries are imported inside the commands that need them, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .errors import CcAnalyticsError

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse with French usage errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog} : erreur d'utilisation : {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cc-analytics",
        description="Analyse des résultats de certification par compétences "
        "(titre RNCP « Chargé.e de clientèle »).",
    )
    parser.add_argument("--version", action="version", version=f"cc-analytics {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=_Parser)
    commands.required = True

    referentiel = commands.add_parser(
        "referentiel", help="importer, afficher, vérifier un référentiel"
    )
    sub = referentiel.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser(
        "import",
        help="importer un document officiel (export RNCP XML, tableau référentiel) en YAML",
    )
    p.add_argument("source", type=Path, help="fichier source (format détecté par le contenu)")
    p.add_argument("--fiche", help="numéro de fiche dans un export RNCP (ex. RNCP36612)")
    p.add_argument("--out", type=Path, required=True, help="fichier YAML à écrire")
    p.set_defaults(handler=_referentiel_import)

    p = sub.add_parser("list", help="lister les fiches d'un export RNCP")
    p.add_argument("source", type=Path)
    p.set_defaults(handler=_referentiel_list)

    p = sub.add_parser("show", help="afficher un référentiel (défaut : Chargé.e de clientèle)")
    p.add_argument("file", type=Path, nargs="?", help="référentiel YAML (défaut : celui livré)")
    p.add_argument(
        "--format",
        choices=["tree", "csv"],
        default="tree",
        help="tree : arbre lisible ; csv : une ligne par compétence",
    )
    p.set_defaults(handler=_referentiel_show)

    p = sub.add_parser("check", help="vérifier l'intégrité d'un référentiel YAML")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=_referentiel_check)
    return parser


def _referentiel_import(args: argparse.Namespace) -> int:
    from .referentiel import dump
    from .sources import read_source

    referentiel = read_source(args.source, args.fiche)
    dump(
        referentiel,
        args.out,
        header=f"Importé de {args.source.name} par cc-analytics "
        f"{__version__}. Relisez-le avant usage : ce que la source ne dit pas est dans « gaps ».",
    )
    print(
        f"Référentiel « {referentiel.title} » écrit dans {args.out} : "
        f"{len(referentiel.blocks)} blocs, {len(referentiel.competencies)} compétences, "
        f"{len(referentiel.gaps)} lacunes signalées."
    )
    return EXIT_OK


def _referentiel_list(args: argparse.Namespace) -> int:
    from .rncp_import import list_fiches
    from .sources import RNCP, detect_format

    if detect_format(args.source) != RNCP:
        raise CcAnalyticsError(
            f"{args.source} : ce n'est pas un export RNCP ; « list » "
            "n'affiche que les fiches d'un export XML de France Compétences"
        )
    fiches = list_fiches(args.source)
    for row in fiches.itertuples(index=False):
        print(f"{row.numero}\t{row.blocks} blocs\t{row.etat}\t{row.intitule}")
    return EXIT_OK


def _referentiel_show(args: argparse.Namespace) -> int:
    from . import display
    from .referentiel import load

    referentiel = load(args.file)
    if args.format == "csv":
        sys.stdout.write(display.competencies_csv(referentiel))
    else:
        width = min(shutil.get_terminal_size((100, 24)).columns, 120)
        sys.stdout.write(display.tree(referentiel, width))
    return EXIT_OK


def _referentiel_check(args: argparse.Namespace) -> int:
    from .referentiel import load

    referentiel = load(args.file)
    print(
        f"{args.file} : référentiel cohérent — {len(referentiel.blocks)} blocs, "
        f"{len(referentiel.activities)} activités, {len(referentiel.competencies)} "
        f"compétences ({referentiel.id})."
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CcAnalyticsError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
