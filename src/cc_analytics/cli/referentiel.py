"""``cc-analytics referentiel import|list|show|check``."""

from __future__ import annotations

import argparse
import shutil
import sys

from ..core.errors import CcAnalyticsError
from ..core.version import __version__
from .common import EXIT_OK


def import_source(args: argparse.Namespace) -> int:
    from ..referentiel import dump
    from ..referentiel.sources import read_source

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


def list_fiches(args: argparse.Namespace) -> int:
    from ..referentiel.rncp import list_fiches
    from ..referentiel.sources import RNCP, detect_format

    if detect_format(args.source) != RNCP:
        raise CcAnalyticsError(
            f"{args.source} : ce n'est pas un export RNCP ; « list » "
            "n'affiche que les fiches d'un export XML de France Compétences"
        )
    fiches = list_fiches(args.source)
    for row in fiches.itertuples(index=False):
        print(f"{row.numero}\t{row.blocks} blocs\t{row.etat}\t{row.intitule}")
    return EXIT_OK


def show(args: argparse.Namespace) -> int:
    from ..referentiel import display, load

    referentiel = load(args.file)
    if args.format == "csv":
        sys.stdout.write(display.competencies_csv(referentiel))
    else:
        width = min(shutil.get_terminal_size((100, 24)).columns, 120)
        sys.stdout.write(display.tree(referentiel, width))
    return EXIT_OK


def check(args: argparse.Namespace) -> int:
    from ..referentiel import load

    referentiel = load(args.file)
    print(
        f"{args.file} : référentiel cohérent — {len(referentiel.blocks)} blocs, "
        f"{len(referentiel.activities)} activités, {len(referentiel.competencies)} "
        f"compétences ({referentiel.id})."
    )
    return EXIT_OK
