"""``cc-analytics metrics|agreement|promotions|trends|followup``: result tables as CSV or
XLSX."""

from __future__ import annotations

import argparse

from ..core.errors import CcAnalyticsError
from .common import EXIT_OK, prepared_context


def metrics(args: argparse.Namespace) -> int:
    from ..reporting.exports import write_table
    from ..reporting.tables import metrics_table

    ctx = prepared_context(args)
    table = metrics_table(ctx, _group_columns(args.by, ctx), external=args.external)
    write_table(table, args.out, ctx.provenance(), "métriques")
    print(f"{len(table)} lignes écrites dans {args.out} ({ctx.rules.describe_fr()}).")
    return EXIT_OK


def agreement(args: argparse.Namespace) -> int:
    from ..reporting.exports import write_table
    from ..reporting.tables import agreement_table

    ctx = prepared_context(args)
    table = agreement_table(ctx, _group_columns(args.by, ctx))
    write_table(table, args.out, ctx.provenance(), "accord")
    print(f"{len(table)} lignes écrites dans {args.out}.")
    return EXIT_OK


def promotions(args: argparse.Namespace) -> int:
    from ..reporting.exports import write_table
    from ..reporting.tables import promotions_table

    ctx = prepared_context(args)
    table = promotions_table(ctx)
    write_table(table, args.out, ctx.provenance(), "promotions")
    print(f"{len(table)} années écrites dans {args.out}.")
    return EXIT_OK


def trends(args: argparse.Namespace) -> int:
    from ..engine.trends import CONFIRMED, WATCH
    from ..reporting.exports import write_table
    from ..reporting.tables import trends_information, trends_table

    ctx = prepared_context(args)
    by = _group_columns(args.by, ctx)
    table = trends_table(ctx, by, external=args.external)
    write_table(table, args.out, trends_information(ctx, by, args.external), "tendances")
    confirmed, watch = (int((table["reading"] == r).sum()) for r in (CONFIRMED, WATCH))
    print(f"{len(table)} lignes écrites dans {args.out} : {confirmed} {CONFIRMED}, "
          f"{watch} {WATCH} (valeur p brute < 0,05 non confirmée) ; {ctx.rules.describe_fr()}.")  # fmt: skip
    return EXIT_OK


def followup(args: argparse.Namespace) -> int:
    from ..reporting.exports import write_table, write_workbook
    from ..reporting.tables import followup_information, followup_sheets, followup_table

    ctx = prepared_context(args)
    info = followup_information(ctx, args.cohort)
    if args.out.suffix.lower() == ".xlsx":
        sheets = followup_sheets(ctx, args.cohort)
        write_workbook(sheets, args.out, info)
        rows = len(sheets["suivi"])
    else:
        table = followup_table(ctx, args.cohort)
        write_table(ctx.stamp(table), args.out, info)
        rows = len(table)
    presented = (ctx.results.candidates["cohort"] == args.cohort).to_numpy(dtype=bool) & (
        ctx.results.title_presented
    )
    people = f"{rows} ligne(s)" if rows else (
        "aucun candidat présenté pour l'instant" if not presented.any()
        else "tous les candidats présentés ont obtenu le titre")  # fmt: skip
    print(f"Suivi de la cohorte {args.cohort} : {people}, écrit dans {args.out} (document "
          "interne : il contient des données personnelles).")  # fmt: skip
    return EXIT_OK


def _group_columns(text: str, ctx) -> list[str]:  # type: ignore[no-untyped-def]
    """``--by``: candidate columns separated by commas, each checked."""
    columns = [c.strip() for c in text.split(",") if c.strip()]
    available = [c for c in ctx.results.candidates.columns if c != "candidate_id"]
    unknown = [c for c in columns if c not in available]
    if unknown:
        raise CcAnalyticsError(
            f"--by : colonne inconnue : {', '.join(unknown)}. Colonnes "
            f"possibles : {', '.join(available)}"
        )
    return columns
