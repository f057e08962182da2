"""« Candidats à accompagner »: the follow-up of a cohort as an internal report shows it.

The rows are :func:`cc_analytics.engine.followup.followup`'s (the command's workbook), one per
candidate instead of one per competency, with pseudonymous ids, grouped by the blocks that are
missing. Never in an external report: asking for it there is an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core.errors import CcAnalyticsError, Problem
from ...engine.followup import EMPLOYER_REFUSAL, NOT_ACQUIRED, NOT_EVALUATED
from ..context import ReportContext
from ..tables import followup_table

#: Marks a competency scored one point below what was needed (with words, never colour alone).
NEAR_MARK = "◆"
NEAR_LEGEND = f"{NEAR_MARK} : à un point du seuil d'acquisition"
#: Short situations, one competency per line (the workbook spells them out).
ITEM_STATUSES = {NOT_EVALUATED: "non évaluée", NOT_ACQUIRED: "non acquise",
                 EMPLOYER_REFUSAL: "refusée par l'entreprise"}  # fmt: skip
REFUSAL_LEGEND = ("« refusée par l'entreprise » : acquise par le jury, mais l'entreprise, qui "
                  "co-valide, l'a notée sous le seuil")  # fmt: skip


@dataclass(frozen=True)
class FollowupView:
    cohort: str
    #: One row per candidate: group, pseudonym, competencies (text), counts, marks.
    candidates: pd.DataFrame
    #: One row per group (what is missing): candidates, of whom one competency from the title.
    groups: pd.DataFrame
    #: Candidates of the cohort with no score at all (not presented: not in the table).
    not_presented: int
    #: Candidates of the cohort presented (with or without the title).
    presented: int
    #: Whether an employer refusal can happen (co-validation), for the legend.
    refusals: bool


def shows_followup(ctx: ReportContext, asked: bool | None) -> bool:
    """Whether a cohort report shows its candidates to follow up: by default when internal;
    asking for it in an external report is an error."""
    if asked and ctx.external:
        raise CcAnalyticsError(external_followup_problem())
    return not ctx.external if asked is None else bool(asked)


def external_followup_problem() -> Problem:
    return Problem(
        "la section « Candidats à accompagner » n'est jamais publiée dans un rapport externe",
        hint="Elle liste des candidats un par un : produisez un rapport interne (--internal), "
        "ou retirez --followup",
    )


def followup_view(ctx: ReportContext, cohort: str) -> FollowupView:
    """The cohort's candidates without the title, one row each, grouped by missing blocks."""
    if ctx.external:
        raise CcAnalyticsError(external_followup_problem())
    table = followup_table(ctx, cohort)
    table["item"] = _item_text(table)
    grouped = table.groupby("candidate_id", sort=False)  # ids are unique, shown pseudonyms too
    people = grouped.agg(
        pseudonym=("pseudonym", "first"),
        group=("blocks_missing", "first"),
        competencies_missing=("competencies_missing", "first"),
        one_competency_from_title=("one_competency_from_title", "first"),
        near=("one_point_away", "sum"),
        items=("item", " · ".join),
    ).reset_index(drop=True)
    people["near"] = people["near"].astype(np.int64)
    people["blocks_missing"] = people["group"].astype(str).str.count(",") + 1
    people = people.sort_values(
        ["blocks_missing", "group", "competencies_missing", "pseudonym"], kind="stable"
    ).reset_index(drop=True)
    groups = people.groupby(["blocks_missing", "group"], sort=False).agg(
        candidates=("pseudonym", "size"),
        one_competency_from_title=("one_competency_from_title", "sum"),
        near=("near", lambda s: int((s > 0).sum())),
    )
    groups = groups.reset_index().drop(columns="blocks_missing")
    in_cohort = (ctx.results.candidates["cohort"] == cohort).to_numpy(dtype=bool)
    presented = ctx.results.title_presented
    return FollowupView(cohort=cohort, candidates=people.drop(columns="blocks_missing"),
                        groups=groups.astype({"one_competency_from_title": np.int64}),
                        not_presented=int((in_cohort & ~presented).sum()),
                        presented=int((in_cohort & presented).sum()),
                        refusals=ctx.rules.combine == "co_validation")  # fmt: skip


def legend(view: FollowupView) -> str:
    """What the marks and words of the follow-up tables mean."""
    return f"{NEAR_LEGEND} ; {REFUSAL_LEGEND}" if view.refusals else NEAR_LEGEND


def nobody_text(view: FollowupView) -> str:
    """Why the follow-up of a cohort is empty."""
    if view.presented == 0:
        return ("Aucun candidat de cette cohorte ne s'est encore présenté au jury : personne à "
                "accompagner pour l'instant.")  # fmt: skip
    return "Tous les candidats présentés ont obtenu le titre : aucun candidat à accompagner."


def group_title(group: str) -> str:
    """« Bloc B2 à valider » / « Blocs B1, B3 à valider »."""
    plural = "s" if "," in group else ""
    return f"Bloc{plural} {group} à valider"


def _item_text(table: pd.DataFrame) -> pd.Series:
    """``B2A1C1 non acquise (jury 1) ◆``: the competency, why, the scores, the mark."""
    status = table["status"].map(ITEM_STATUSES)
    jury = table["jury_score"].astype("string").fillna("")
    employer = table["employer_score"].astype("string").fillna("")
    with_employer = np.where(employer == "", "", ", entreprise " + employer)
    scores = np.where(table["status"] == NOT_EVALUATED, "", " (jury " + jury + with_employer + ")")
    near = np.where(table["one_point_away"], f" {NEAR_MARK}", "")
    return table["competency"] + " " + status + scores + near
