"""The result tables a school exports (metrics, agreement, promotions, trends), stamped with
their rules.

One definition for the ``metrics``, ``agreement``, ``promotions`` and ``trends`` commands, for
the main job's ``reports/NAME/tables/`` and for the review report: the same table whoever asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from ..core.errors import CcAnalyticsError, Problem
from ..core.labels import (
    FOLLOWUP_HEADERS,
    FOLLOWUP_STATUSES,
    NO_SITE,
    PERSONAL_DATA_NOTICE,
    YES,
)
from ..engine.aggregates import aggregate
from ..engine.agreement import agreement
from ..engine.disclosure import grouping_name
from ..engine.followup import followup, jury_sheet, retake_plan
from ..engine.privacy import flag_small_groups, protect_published
from ..engine.promotions import promotion_statistics
from ..engine.results import Results
from ..engine.trends import rules_fr, trends
from ..referentiel import Referentiel
from ..referentiel.gaps import caveat, completeness, title_complete
from ..referentiel.official import rncp_codes
from .context import ReportContext, require_cohort


def metrics_table(ctx: ReportContext, by: Sequence[str] = ("cohort",),
                  external: bool = False) -> pd.DataFrame:  # fmt: skip
    """Rates per group and item; small groups flagged, or hidden when ``external``: then the
    disclosure audit attacks the table with every coarser table the command can publish
    (``--by`` any subset, and the site or year a group determines) and hides more cells
    until no hidden count can be worked out (its result goes to ``ctx.provenance()``)."""
    by = list(by)
    table = aggregate(ctx.results, ctx.referentiel, by)
    small = ctx.rules.small_group
    if external:
        table, result = protect_published(table, by, ctx.rules, population=ctx.results.candidates)
        ctx.disclosure.append((grouping_name(by), result))
    else:
        table = flag_small_groups(table, small)
    return with_referentiel_columns(ctx.stamp(table), ctx.referentiel)


def with_referentiel_columns(table: pd.DataFrame, referentiel: Referentiel) -> pd.DataFrame:
    """An aggregate table with, after its columns, ``referentiel_complete`` (False where the
    row rests on a block or title the source referentiel does not fully describe) and
    ``rncp_code`` (the fiche number for the title, the block's official code for a block and
    its competencies; empty where none is known)."""
    return table.assign(referentiel_complete=completeness(referentiel, table).to_numpy(),
                        rncp_code=rncp_codes(referentiel, table).to_numpy())  # fmt: skip


def disclosure_verdict(ctx: ReportContext) -> str:
    """`` ; petits effectifs : …`` for a command's last line, or ``""`` when nothing was
    audited; a French error when an audit still finds a hidden count a reader can work out
    (nothing is written then)."""
    if not ctx.disclosure:
        return ""
    failed = [(name, r) for name, r in ctx.disclosure if not r.passed]
    if failed:
        raise CcAnalyticsError([Problem(
            f"tableau {name} : {len(r.leaks())} résultat(s) masqué(s) resteraient calculables "
            "à partir des totaux publiés", hint="Augmentez le seuil des petits effectifs "
            "(small_group) dans le fichier de règles, ou regroupez moins finement (--by)")
            for name, r in failed])  # fmt: skip
    small = sum(r.small for _, r in ctx.disclosure)
    added = sum(r.secondary for _, r in ctx.disclosure)
    return (
        f" ; petits effectifs : {small} case(s) masquée(s), {added} en complément, aucun "
        f"résultat masqué retrouvable à moins de {ctx.rules.protection_width} près"
    )


def agreement_table(ctx: ReportContext, by: Sequence[str] = ()) -> pd.DataFrame:
    """Jury–employer agreement per competency and overall, per group of ``by``."""
    return ctx.stamp(agreement(ctx.results, ctx.referentiel, list(by)))


def promotions_table(ctx: ReportContext) -> pd.DataFrame:
    """France Compétences statistics per promotion year, then the fiche number
    (``rncp_code``) and whether the title they count rests on a fully described referentiel
    (``referentiel_complete``; :func:`promotions_caveat` says what is missing)."""
    table = ctx.stamp(promotion_statistics(ctx.results, ctx.tables.insertion))
    return table.assign(referentiel_complete=title_complete(ctx.referentiel),
                        rncp_code=ctx.referentiel.rncp)  # fmt: skip


def promotions_caveat(ctx: ReportContext) -> str:
    """What the certified counts rest on when the referentiel is incomplete (empty if not)."""
    return caveat(ctx.referentiel)


def trends_table(ctx: ReportContext, by: Sequence[str] = ("site",), external: bool = False,
                 results: Results | None = None, metrics: pd.DataFrame | None = None
                 ) -> pd.DataFrame:  # fmt: skip
    """Each item of each cohort against the previous cohort of its group (site by default):
    rates, difference with its Newcombe interval, Fisher's exact p-value, Benjamini–Hochberg
    adjusted p-value within the comparison, ``flagged`` (adjusted p < 0.05) and its reading
    (see :mod:`cc_analytics.engine.trends`). ``small_group``: either side has fewer candidates
    than the small-group threshold.

    ``external``: small groups hidden as in ``metrics --external`` (a pair touching a hidden
    cell shows no comparison). ``metrics``: the raw aggregate by ``[*by, "cohort"]`` with the
    caller's ``suppressed`` column, when a page decides what it hides for all its tables (the
    review); ``results``: the candidates to count (default: all of them).
    """
    # the views import this module: import theirs when called, not at import time
    from .views.common import cohort_order

    by = list(by)
    if metrics is None:
        metrics = _trend_metrics(ctx, ctx.results if results is None else results, by)
        if external:  # the cells ``metrics --external --by`` the same groups hides
            population = (ctx.results if results is None else results).candidates
            hidden, _ = protect_published(metrics, [*by, "cohort"], ctx.rules,
                                          population=population)  # fmt: skip
            metrics = metrics.assign(suppressed=hidden["suppressed"].to_numpy())
    table = trends(metrics, cohort_order(ctx), by)
    small = ctx.rules.small_group
    table.insert(table.columns.get_loc("suppressed"), "small_group",
                 ((table["n"] > 0) & (table["n"] < small))
                 | ((table["n_previous"] > 0) & (table["n_previous"] < small)))  # fmt: skip
    if not external and "suppressed" not in metrics:
        table = table.drop(columns="suppressed")
    return ctx.stamp(table)


def trends_information(ctx: ReportContext, by: Sequence[str], external: bool) -> dict[str, object]:
    """The « informations » sheet of a trends table: what it compares, its tests, its audience."""
    audience = (f"externe : résultats des groupes de moins de {ctx.rules.small_group} candidats "
                "masqués, et aucune comparaison qui les touche" if external
                else "interne : tous les résultats, petits effectifs signalés")  # fmt: skip
    return {"Document": "Évolution d'une cohorte à la précédente" + (
                f" du même groupe ({', '.join(by)})" if by else ""),
            **ctx.provenance(), "Tests": rules_fr(by), "Diffusion": audience}  # fmt: skip


def _trend_metrics(ctx: ReportContext, results: Results, by: list[str]) -> pd.DataFrame:
    """The aggregate the trends compare; a candidate without a site counts in a site of its own
    named « site non renseigné », as in the review."""
    if "site" in by:
        candidates = results.candidates
        results = replace(results, candidates=candidates.assign(
            site=candidates["site"].fillna(NO_SITE)))  # fmt: skip
    return aggregate(results, ctx.referentiel, [*by, "cohort"])


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
