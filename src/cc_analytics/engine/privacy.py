"""Small-group protection for every output read outside the training body.

Groups of fewer than ``small_group`` candidates (the rules' setting) are flagged; in external outputs their results
are hidden. Hiding one cell is not enough when a total is published beside it: the hidden
value could be recomputed as total − visible siblings.

- :func:`protect_published` is what external tables of results use: the disclosure audit of
  :mod:`.disclosure` attacks the table with every coarser table the same command or page can
  publish (by cohort, route, site, year, overall) and hides more cells until no hidden count
  of a small group can be worked out to within the rules' ``protection_width``.
- :func:`protect` is the simple complementary suppression (when a set of sibling cells has
  exactly one hidden cell, the smallest visible sibling is hidden too), for tables that are
  no breakdown of counts (agreement, headline indicators).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .disclosure import AuditResult, acquired_relation, grouping_name, protect_family
from .rules import SMALL_GROUP, Rules

#: Result columns hidden in a protected row (counts of candidates presented stay visible).
HIDDEN_COLUMNS = ("k", "rate", "ci_low", "ci_high", "mean_score", "score_0", "score_1",
                  "score_2", "score_3", "score_4", "kappa", "exact_agreement",
                  "mean_difference")  # fmt: skip


def flag_small_groups(table: pd.DataFrame, small_group: int = SMALL_GROUP,
                      n_column: str = "n") -> pd.DataFrame:  # fmt: skip
    """Add a ``small_group`` column: 0 < n < ``small_group`` (an empty group hides nothing)."""
    n = table[n_column]
    return table.assign(small_group=(n > 0) & (n < small_group))


def protect(table: pd.DataFrame, small_group: int = SMALL_GROUP,
            siblings: Sequence[str] = (), n_column: str = "n", public: object = None,
            hide_counts: bool = False) -> pd.DataFrame:  # fmt: skip
    """Hide the results of small groups, with complementary suppression.

    ``siblings`` are the columns that identify a set of cells adding up to a published
    total (e.g. ``["cohort", "level", "code"]`` when the table breaks a cohort down by access
    route). ``public`` marks cells whose ``k`` is published elsewhere (the certified through
    VAE of a fiche, say): hiding them protects nothing against a subtraction, so a set then
    needs two hidden cells besides them. ``hide_counts`` hides ``n`` too (use it when a
    hidden cell's ``k`` is public, or its rate would follow from ``k`` and ``n``).
    Adds ``small_group`` and ``suppressed``; blanks ``HIDDEN_COLUMNS`` where suppressed.
    """
    out = flag_small_groups(table, small_group, n_column)
    suppressed = out["small_group"].to_numpy().copy()
    if siblings and len(out):
        keys = out.groupby(list(siblings), sort=False, dropna=False).ngroup().to_numpy()
        n = out[n_column].to_numpy()
        known = np.zeros(len(out), bool) if public is None else np.asarray(public, bool)
        # a lone hidden cell is recomputable from the total; so is a lone hidden private
        # cell when the public ones are subtracted too
        for eligible in (np.ones(len(out), bool), ~known):
            hidden = np.bincount(keys, weights=suppressed & eligible, minlength=keys.max() + 1)
            candidates = (hidden[keys] == 1) & ~suppressed & eligible & (n > 0)
            if candidates.any():
                pick = out.loc[candidates, [n_column]].assign(_key=keys[candidates])
                smallest = pick.sort_values([n_column], kind="stable").groupby("_key").head(1)
                suppressed[out.index.get_indexer(smallest.index)] = True
    out["suppressed"] = suppressed
    return blank_suppressed(out, (*HIDDEN_COLUMNS, n_column) if hide_counts else HIDDEN_COLUMNS)


def blank_suppressed(out: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Empty ``columns`` of the suppressed rows."""
    for column in (c for c in columns if c in out):
        # counts stay integers (nullable), so a hidden cell does not turn k = 2 into "2.0"
        kind = out[column].dtype.kind
        values = out[column].astype("Int64" if kind in "iub" else "float64")
        out[column] = values.mask(out["suppressed"])
    return out


#: Why a row is hidden, and what a published total tells of a hidden group, in French.
PRIVACY_TEXTS = {
    "small": "masqué : petit effectif",
    "secondary": "masqué : protège un petit effectif voisin",
    "flagged": "petit effectif",
}
GROUP_OUTCOMES = {
    "all": "tous les candidats de ce groupe ont réussi (un total publié est à 100 %)",
    "none": "aucun candidat de ce groupe n'a réussi (un total publié est à 0 %)",
}


def related_columns(population: pd.DataFrame, by: Sequence[str]) -> list[str]:
    """Columns of ``population`` (candidates) that each group of ``by`` determines: tables by
    them are coarser than the table by ``by`` (a cohort's site and year, say)."""
    by = list(by)
    others = [c for c in population.columns if c not in {*by, "candidate_id"}]
    if not others or not len(population):
        return []
    if not by:
        distinct = population[others].nunique(dropna=False)
    else:
        distinct = population.groupby(by, dropna=False, observed=True)[others].nunique(
            dropna=False).max()  # fmt: skip
    return [c for c in others if distinct[c] <= 1]


def protect_published(table: pd.DataFrame, by: Sequence[str], rules: Rules, *,
                      population: pd.DataFrame | None = None, public: object = None,
                      hide_counts: bool = False, primary: object = None,
                      k_bounds: tuple[np.ndarray, np.ndarray] | None = None,
                      ) -> tuple[pd.DataFrame, AuditResult]:  # fmt: skip
    """Hide the small groups of an aggregate ``table`` (one row per group of ``by`` and item)
    and whatever the disclosure audit finds necessary; the table and the audit's result.

    ``population``: the candidates counted (its columns that ``by`` determines give coarser
    tables to attack with). ``public``, ``hide_counts``: see :func:`protect`. ``primary``: rows
    to hide as small groups whatever their size; ``k_bounds``: what a reader knows of each
    row's k besides [0, n] (see :func:`.disclosure.protect_family`).
    Adds ``small_group``, ``suppressed``, ``privacy`` (why, in French, and what a published
    total at 0 % or 100 % tells of the group); blanks ``HIDDEN_COLUMNS`` where suppressed.
    """
    by = list(by)
    out = flag_small_groups(table, rules.small_group).reset_index(drop=True)
    related: list[str] = []
    cells, anchors = out, None
    if population is not None and "candidate_id" in population and len(out):
        related = related_columns(population, by)
        groups = population.groupby(by, dropna=False, observed=True) if by else None
        attributes = (groups[related].first() if by else population[related].head(1)).assign(
            _anchor=groups["candidate_id"].min() if by else population["candidate_id"].min())  # fmt: skip
        if by:
            cells = out.merge(attributes.reset_index(), on=by, how="left", validate="m:1")
        else:
            cells = out.assign(**attributes.iloc[0].to_dict())
        # the group's first candidate names it whatever its labels (see protect_family)
        anchors = cells["_anchor"].astype(str).to_numpy()
    result = protect_family(
        cells, by, rules.small_group, rules.protection_width, related=related,
        primary=None if primary is None else np.asarray(primary, bool) | out["small_group"],
        public_k=None if public is None else np.asarray(public, bool), hide_counts=hide_counts,
        acquired=acquired_relation(rules.combine), threshold=rules.threshold, k_bounds=k_bounds,
        anchors=anchors, name=grouping_name(by),
    )  # fmt: skip
    out["suppressed"] = result.hidden
    # a row hidden as primary without being small protects a small group elsewhere
    reason = np.where(out["small_group"], result.reason, np.where(result.hidden, "secondary", ""))
    texts = pd.Series(reason).map(PRIVACY_TEXTS).fillna("").to_numpy(object)
    texts = np.where(out["small_group"] & ~result.hidden, PRIVACY_TEXTS["flagged"], texts)
    outcome = pd.Series(result.group_outcomes()).map(GROUP_OUTCOMES).fillna("").to_numpy(object)
    out["privacy"] = np.where(outcome != "", texts + " ; mais " + outcome, texts)
    hidden_columns = (*HIDDEN_COLUMNS, "n") if hide_counts else HIDDEN_COLUMNS
    return blank_suppressed(out, hidden_columns), result
