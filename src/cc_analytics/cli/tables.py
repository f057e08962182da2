"""``cc-analytics metrics|agreement|promotions|trends|followup``: result tables as CSV or
XLSX."""

from __future__ import annotations

import argparse

from ..core.errors import CcAnalyticsError, Problem
from .common import EXIT_OK, prepared_context, refused_usage


def metrics(args: argparse.Namespace) -> int:
    from ..reporting.exports import write_table
    from ..reporting.tables import disclosure_verdict, metrics_table

    if refused := _excel_fr_refused(args):
        return refused
    ctx = prepared_context(args)
    table = metrics_table(ctx, _group_columns(args.by, ctx), external=args.external)
    audit = disclosure_verdict(ctx)  # refuses, before writing, a table whose audit failed
    write_table(table, args.out, ctx.provenance(), "métriques", args.excel_fr)
    print(f"{len(table)} lignes écrites dans {args.out} ({ctx.rules.describe_fr()}){audit}.")
    return EXIT_OK


def agreement(args: argparse.Namespace) -> int:
    from ..reporting.exports import write_table
    from ..reporting.tables import agreement_table

    if refused := _excel_fr_refused(args):
        return refused
    ctx = prepared_context(args)
    table = agreement_table(ctx, _group_columns(args.by, ctx))
    write_table(table, args.out, ctx.provenance(), "accord", args.excel_fr)
    print(f"{len(table)} lignes écrites dans {args.out}.")
    return EXIT_OK


def promotions(args: argparse.Namespace) -> int:
    from ..reporting.exports import write_table
    from ..reporting.tables import promotions_caveat, promotions_table

    if refused := _excel_fr_refused(args):
        return refused
    ctx = prepared_context(args)
    table = promotions_table(ctx)
    caveat = promotions_caveat(ctx)
    info = {**ctx.provenance(), "Fiche RNCP": ctx.referentiel.rncp or "non renseignée"}
    if caveat:  # the certified counts go to the fiche: the reserve travels with them
        info["Référentiel incomplet"] = caveat
    write_table(table, args.out, info, "promotions", args.excel_fr)
    print(f"{len(table)} années écrites dans {args.out}.")
    if caveat:
        print(f"Attention — {caveat}")
    return EXIT_OK


def trends(args: argparse.Namespace) -> int:
    from ..engine.trends import CONFIRMED, WATCH
    from ..reporting.exports import write_table
    from ..reporting.tables import trends_information, trends_table

    if refused := _excel_fr_refused(args):
        return refused
    ctx = prepared_context(args)
    by = _group_columns(args.by, ctx)
    table = trends_table(ctx, by, external=args.external)
    write_table(
        table, args.out, trends_information(ctx, by, args.external), "tendances", args.excel_fr
    )
    confirmed, watch = (int((table["reading"] == r).sum()) for r in (CONFIRMED, WATCH))
    print(f"{len(table)} lignes écrites dans {args.out} : {confirmed} {CONFIRMED}, "
          f"{watch} {WATCH} (valeur p brute < 0,05 non confirmée) ; {ctx.rules.describe_fr()}.")  # fmt: skip
    return EXIT_OK


def followup(args: argparse.Namespace) -> int:
    from ..reporting.exports import write_table, write_workbook
    from ..reporting.requests import resolve_cohort
    from ..reporting.tables import followup_information, followup_sheets, followup_table

    if refused := _excel_fr_refused(args):
        return refused
    ctx = prepared_context(args)
    cohort = resolve_cohort(ctx, args.cohort)  # « 2024-lyon » is 2024-LYON
    info = followup_information(ctx, cohort)
    if args.out.suffix.lower() == ".xlsx":
        sheets = followup_sheets(ctx, cohort)
        write_workbook(sheets, args.out, info)
        rows = len(sheets["suivi"])
    else:
        table = followup_table(ctx, cohort)
        write_table(ctx.stamp(table), args.out, info, excel_fr=args.excel_fr)
        rows = len(table)
    presented = (ctx.results.candidates["cohort"] == cohort).to_numpy(dtype=bool) & (
        ctx.results.title_presented
    )
    people = f"{rows} ligne(s)" if rows else (
        "aucun candidat présenté pour l'instant" if not presented.any()
        else "tous les candidats présentés ont obtenu le titre")  # fmt: skip
    print(f"Suivi de la cohorte {cohort} : {people}, écrit dans {args.out} (document "
          "interne : il contient des données personnelles).")  # fmt: skip
    return EXIT_OK


def _excel_fr_refused(args: argparse.Namespace) -> int | None:
    """``--excel-fr`` shapes a CSV; an XLSX is always in French: say so rather than ignore it."""
    if args.excel_fr and args.out.suffix.lower() != ".csv":
        return refused_usage(args, Problem(
            f"l'option --excel-fr ne s'applique qu'à un fichier .csv, pas à « {args.out.name} » "
            "(un fichier .xlsx est toujours en français) ; retirez --excel-fr ou écrivez un "
            "fichier .csv."))  # fmt: skip
    return None


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
