"""``cc-analytics validate`` and ``cc-analytics ingest``: the gate, and the processed tables."""

from __future__ import annotations

import argparse

from .common import EXIT_OK, dataset_of


def validate(args: argparse.Namespace) -> int:
    from ..gate.pipeline import gate_dataset

    gated = gate_dataset(dataset_of(args), args.referentiel)
    rows = gated.gate.rows
    print(
        f"Données valides : {rows['candidates']} candidats, {rows['scores']} notes, "
        f"{rows['insertion']} réponses d'enquête."
    )
    print(f"Rapport de validation : {gated.report}")
    return EXIT_OK


def ingest(args: argparse.Namespace) -> int:
    from ..gate.pipeline import ingest_dataset

    gated, target = ingest_dataset(dataset_of(args), args.referentiel, args.out_dir)
    print(f"Tables écrites dans {target} (rapport de validation : {gated.report}).")
    return EXIT_OK
