"""The result tables a school exports (metrics, agreement, promotions), stamped with their rules.

One definition for the ``metrics``, ``agreement`` and ``promotions`` commands and for the main
job's ``reports/NAME/tables/``: the same table whoever asks.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..core.labels import FOLLOWUP_HEADERS, FOLLOWUP_STATUSES, PERSONAL_DATA_NOTICE, YES
from ..engine.aggregates import aggregate
from ..engine.agreement import agreement
from ..engine.followup import followup, jury_sheet, retake_plan
from ..engine.privacy import flag_small_groups, protect
from ..engine.promotions import promotion_statistics
from .context import ReportContext, require_cohort


def metrics_table(ctx: ReportContext, by: Sequence[str] = ("cohort",),
                  external: bool = False) -> pd.DataFrame:  # fmt: skip
    """Rates per group and item; small groups flagged, or hidden when ``external``."""
    by = list(by)
    table = aggregate(ctx.results, ctx.referentiel, by)
    small = ctx.rules.small_group
    if external:
        table = protect(table, small, siblings=[*by[:-1], "level", "code"])
    else:
        table = flag_small_groups(table, small)
    return ctx.stamp(table)


def agreement_table(ctx: ReportContext, by: Sequence[str] = ()) -> pd.DataFrame:
    """Jury–employer agreement per competency and overall, per group of ``by``."""
    return ctx.stamp(agreement(ctx.results, ctx.referentiel, list(by)))


def promotions_table(ctx: ReportContext) -> pd.DataFrame:
    """France Compétences statistics per promotion year."""
    return ctx.stamp(promotion_statistics(ctx.results, ctx.tables.insertion))


def followup_table(ctx: ReportContext, cohort: str) -> pd.DataFrame:
    """The follow-up of ``cohort``'s candidates without the title (internal: real ids), with
    each candidate's pseudonym last, the id the cohort report shows."""
    require_cohort(ctx, cohort)
    return _with_pseudonym(ctx, followup(ctx.results, ctx.tables.scores, ctx.referentiel, cohort))


def followup_sheets(ctx: ReportContext, cohort: str) -> dict[str, pd.DataFrame]:
    """The follow-up workbook: every row sorted by candidate, a sheet per block, the retake
    plan and the jury's sheet, in French."""
    table = followup_table(ctx, cohort)
    sheets = {"suivi": _in_french(table)}
    for block in ctx.referentiel.blocks["code"]:
        sheets[f"bloc {block}"] = _in_french(table[table["block"] == block])
    order = ctx.referentiel.competencies["code"].tolist()
    sheets["plan de rattrapage"] = _in_french(retake_plan(table, order))
    sheets["jury"] = _in_french(_with_pseudonym(ctx, jury_sheet(ctx.results, cohort)))
    return sheets


def _with_pseudonym(ctx: ReportContext, table: pd.DataFrame) -> pd.DataFrame:
    """So a lead can go from a report's « C-3f9a2b » to the candidate."""
    return table.assign(pseudonym=ctx.pseudonym(table["candidate_id"]).to_numpy())


def followup_information(ctx: ReportContext, cohort: str) -> dict[str, object]:
    """The « informations » sheet of a follow-up workbook."""
    return {"Document": f"Suivi des candidats sans le titre — cohorte {cohort}",
            **ctx.provenance(), "Données personnelles": PERSONAL_DATA_NOTICE}  # fmt: skip


def _in_french(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    if "status" in out:
        out["status"] = out["status"].map(FOLLOWUP_STATUSES)
    for column in out.select_dtypes("bool").columns:
        out[column] = out[column].map({True: YES, False: ""})
    if "last_session_date" in out:  # a date Excel sorts and filters (shown dd/mm/yyyy)
        out["last_session_date"] = out["last_session_date"].dt.normalize()
    return out.rename(columns=FOLLOWUP_HEADERS)
