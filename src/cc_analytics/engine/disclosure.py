"""Disclosure audit: attack the hidden cells of published tables as a reader would, and hide
more cells until no hidden count can be worked out.

Hiding the results of small groups protects nothing when a reader can subtract: the cells of
a table by cohort and access route add up to the tables by cohort, by route, by site, by year
and to the overall figures, and each of those can be published by the same command or page.
The audit (the method of τ-ARGUS and sdcTable) takes everything a reader has:

- every visible cell of every table of the family, as a sum of the finest table's cells;
- inside each hidden cell: 0 ≤ k ≤ n, the score distribution adds up to n, and the acquired
  are at most (co-validation) or exactly (jury alone) those scored at or above the threshold;
- counts published elsewhere (``public_k``: the certified through VAE of a fiche), exactly;

and computes, for every hidden count (n when it is hidden, k, score_0…score_4 and the score
total behind a hidden mean), the smallest and largest value compatible with all of it, by
linear programming (HiGHS, through its own Python binding), rounded inwards to whole numbers.

A hidden count is **protected** when that interval spans at least ``width`` (the rules'
``protection_width``, 3 by default: a reader can say « between 2 and 5 », never « 3 » nor
« 3 or 4 »), or, when the published totals alone pin it down more tightly, as much as those
totals allow. A total at 0 % or 100 % tells every member's result whatever is hidden
(``by_totals``): no suppression changes that, and pages say so instead of pretending.

Only small groups' counts need room (τ-ARGUS's primary cells): a cell hidden to protect a
neighbour may itself be known. Secondary suppression (:func:`protect_family`) hides, one cell
at a time in each linked set, the visible cell with the fewest candidates that gives a leaking
count room (leaks a total shows alone are fixed first, without linear programs), attacks
again until every hidden count is protected, then tries to show again, largest first, the
cells hidden in complement that no longer need to be (a greedy heuristic: small, not minimal). Tables are nested: every table of a family is a
coarsening of the finest one. Coarser tables are settled first, each with its own coarser
tables, exactly as ``metrics --external --by`` would publish them alone; only the finest
table then gets new hidden cells. Rows are worked on in an order that does not depend on how
groups are labelled (their first candidate), so a table published alone and the same table
inside a finer family are hidden alike, and publishing both gives nothing away.

Limits: items are attacked one by one (the inequalities between items, such as « a validated
block needs each of its competencies acquired », are not used); two tables neither of which
refines the other (by cohort × route and by cohort × site, say) are each safe with their
common totals, not checked against each other.

Speed: the true table is one feasible point; a few programs with random objectives give more,
and a count whose values seen so far already span the required width needs no program of its
own. The others are solved exactly, many at once: independent linked sets are stacked in one
program whose objective adds one count of each set.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Literal, TypeVar

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .rules import PROTECTION_WIDTH

#: Counts of a cell, in the order of the value matrix; the score total (Σ s·score_s, the mean
#: times n) comes last in audits.
MEASURES = ("n", "k", "score_0", "score_1", "score_2", "score_3", "score_4")
SCORE_TOTAL = "score_total"
ITEM_COLUMNS = ["level", "code"]
_N, _K, _S = 0, 1, 2  # column of n, of k, of score_0
_TOTAL = len(MEASURES)
_SCORES = np.arange(5)
_EPS = 1e-6
_RANDOM_ROUNDS = 2
_CLEANUP_TRIES = 40  # cells hidden in complement that the clean-up tries to show again
_LARGE = 1e9  # « no limit » for a hidden count without any visible total

Acquired = Literal["equal", "at_most"] | None
T = TypeVar("T")

#: How group columns are named in what a reader sees (« par cohorte et voie d'accès »).
GROUP_NAMES = {"cohort": "cohorte", "access_route": "voie d'accès", "site": "site",
               "year": "année", "immersion": "immersion"}  # fmt: skip


def grouping_name(by: Sequence[str]) -> str:
    """« par cohorte et voie d'accès »; « ensemble » for no grouping."""
    if not by:
        return "ensemble"
    names = [GROUP_NAMES.get(c, c) for c in by]
    return "par " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1])


def acquired_relation(combine: str) -> Acquired:
    """How k follows from the jury score distribution under a combination mode."""
    return {"jury": "equal", "co_validation": "at_most"}.get(combine)


# -- what callers declare, and what they get back ---------------------------------------------
@dataclass(frozen=True)
class AuditTable:
    """One published table: its true cells and what a reader sees of them.

    ``cells``: the ``by`` columns, ``level``, ``code``, ``n``, ``k`` and, on competency rows,
    ``score_0``…``score_4`` (missing elsewhere). ``hidden``: the row's results are hidden (k,
    rate, interval, mean, distribution); ``hidden_n``: its count n too; ``public_k``: its k is
    published elsewhere, so a reader knows it whatever this table hides.
    """

    name: str
    cells: pd.DataFrame
    by: tuple[str, ...]
    hidden: np.ndarray
    hidden_n: np.ndarray | None = None
    public_k: np.ndarray | None = None
    sensitive: np.ndarray | None = None  # the small groups among the hidden (default: all)

    def flags(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        size = len(self.cells)
        hidden = np.asarray(self.hidden, bool)
        hidden_n = (
            np.zeros(size, bool) if self.hidden_n is None else np.asarray(self.hidden_n, bool)
        )
        public = np.zeros(size, bool) if self.public_k is None else np.asarray(self.public_k, bool)
        sensitive = hidden if self.sensitive is None else np.asarray(self.sensitive, bool) & hidden
        return hidden, hidden_n & hidden, public, sensitive


@dataclass(frozen=True)
class AuditResult:
    """What the attack found, and the finest table's cells hidden in the end.

    ``quantities``: one row per hidden count of every table of the family: ``table`` (its
    name), ``row`` (row of that table), ``measure``, true ``value``, ``low``–``high`` (the
    interval the attack narrowed it to: exact where ``exact``, else an interval it reached
    that is already wide enough), ``required`` width, ``protected`` and ``by_totals`` (pinned
    down by published totals whatever is hidden). ``reason`` per row of the finest table:
    ``small`` (small group), ``secondary`` (hidden so that a neighbour stays protected), ``""``.
    """

    tables: tuple[str, ...]
    hidden: np.ndarray
    reason: np.ndarray
    quantities: pd.DataFrame
    width: int
    public: int = 0  # hidden counts a reader knows anyway: published elsewhere
    margins_hidden: int = 0  # cells hidden in the coarser tables

    @property
    def passed(self) -> bool:
        """No hidden count is narrower than required, except those the totals give."""
        q = self.quantities
        return bool((q["protected"] | q["by_totals"]).all())

    @property
    def small(self) -> int:
        return int((self.reason == "small").sum())

    @property
    def secondary(self) -> int:
        return int((self.reason == "secondary").sum())

    def leaks(self) -> pd.DataFrame:
        q = self.quantities
        return q[~q["protected"] & ~q["by_totals"]]

    def group_outcomes(self) -> np.ndarray:
        """Per row of the finest table: ``all`` / ``none`` where a published total at 100 % /
        0 % gives the hidden k of the whole group, else ``""``."""
        q = self.quantities
        given = (q["table_index"] == 0) & (q["measure"] == "k") & q["by_totals"]
        rows = q[given & (q["low_totals"] == q["high_totals"])]
        out = np.full(len(self.hidden), "", dtype=object)
        value, n = rows["value"].to_numpy(), rows["n"].to_numpy()
        out[rows["row"].to_numpy(int)] = np.select([value == 0, value == n], ["none", "all"], "")
        return out

    def summary_fr(self) -> str:
        """What was hidden and what the attack found, in French (provenance, exports)."""
        q = self.quantities
        sensitive = int(q["sensitive"].sum()) if len(q) else 0
        given = int(q["by_totals"].sum()) if len(q) else 0
        margins = ", ".join(self.tables[1:]) or "aucun"
        text = (f"{self.small} masquée(s) (petit effectif) + {self.secondary} en complément ; "
                f"attaque avec les totaux ({margins}) : ")  # fmt: skip
        if self.passed:
            text += (f"aucun des {sensitive} effectifs masqués de petits groupes n'est retrouvé "
                     f"à moins de {self.width} près")  # fmt: skip
        else:
            text += f"ÉCHEC, {len(self.leaks())} effectif(s) masqué(s) retrouvable(s)"
        if given:
            text += (f", hors {given} que ces totaux donnent eux-mêmes (total à 0 % ou 100 %, ou "
                     "presque ; signalé)")  # fmt: skip
        if self.public:
            text += f" ; {self.public} publié(s) par ailleurs (fiche)"
        return text


# -- the family: the finest table and the coarser ones linked to it --------------------------
@dataclass(frozen=True)
class _Margin:
    name: str
    parent: np.ndarray  # row of the finest table -> cell of this table
    hidden: np.ndarray
    hidden_n: np.ndarray
    public_k: np.ndarray
    sensitive: np.ndarray  # small groups: the hidden cells whose counts must stay uncertain

    def visible(self, measure: int) -> np.ndarray:
        if measure == _N:
            return ~self.hidden_n
        if measure == _K:
            return ~self.hidden | self.public_k
        return ~self.hidden


@dataclass(frozen=True)
class _Family:
    name: str
    values: np.ndarray  # [rows, MEASURES] true counts; NaN where not published (scores)
    item: np.ndarray  # item id per row: items are attacked apart
    hidden: np.ndarray
    hidden_n: np.ndarray
    public_k: np.ndarray
    sensitive: np.ndarray
    k_low: np.ndarray
    k_high: np.ndarray
    margins: tuple[_Margin, ...]
    acquired: Acquired = None
    threshold: int = 2
    hide_counts: bool = False  # a cell hidden later hides its n too

    @property
    def has_scores(self) -> np.ndarray:
        return ~np.isnan(self.values[:, _S])

    def totals(self, margin: _Margin) -> np.ndarray:
        """[cells, MEASURES + score total] of ``margin``: sums of the finest cells."""
        cells = int(margin.parent.max()) + 1 if len(margin.parent) else 0
        values = np.nan_to_num(_with_total(self.values))
        return np.column_stack([np.bincount(margin.parent, values[:, m], cells)
                                for m in range(_TOTAL + 1)])  # fmt: skip

    def restricted(self, rows: np.ndarray) -> _Family:
        """The family on some rows (whole items); margins keep only the cells they touch."""
        margins = []
        for margin in self.margins:
            cells, parent = np.unique(margin.parent[rows], return_inverse=True)
            margins.append(_Margin(margin.name, parent, margin.hidden[cells],
                                   margin.hidden_n[cells], margin.public_k[cells],
                                   margin.sensitive[cells]))  # fmt: skip
        return replace(self, values=self.values[rows], item=self.item[rows],
                       hidden=self.hidden[rows], hidden_n=self.hidden_n[rows],
                       public_k=self.public_k[rows], sensitive=self.sensitive[rows],
                       k_low=self.k_low[rows],
                       k_high=self.k_high[rows], margins=tuple(margins))  # fmt: skip


def _with_total(values: np.ndarray) -> np.ndarray:
    return np.column_stack([values, values[:, _S:] @ _SCORES])


def _values(cells: pd.DataFrame) -> np.ndarray:
    if not len(cells):
        return np.zeros((0, len(MEASURES)))
    columns = [pd.to_numeric(cells[m], errors="coerce").astype("float64").to_numpy()
               if m in cells else np.full(len(cells), np.nan) for m in MEASURES]  # fmt: skip
    values = np.column_stack(columns)
    values[np.isnan(values[:, _S:]).any(axis=1), _S:] = np.nan  # a distribution is whole or absent
    values[:, :_S] = np.nan_to_num(values[:, :_S])
    return values


def _items(cells: pd.DataFrame) -> np.ndarray:
    return cells.groupby(ITEM_COLUMNS, sort=False, dropna=False).ngroup().to_numpy()


def _family(tables: Sequence[AuditTable], acquired: Acquired, threshold: int) -> _Family:
    """Link ``tables`` (finest first) through their shared columns and items."""
    finest, *coarser = tables
    cells = finest.cells.reset_index(drop=True)
    values = _values(cells)
    hidden, hidden_n, public, sensitive = finest.flags()
    base = _Family(finest.name, values, _items(cells), hidden, hidden_n, public, sensitive,
                   np.zeros(len(cells)), np.full(len(cells), np.inf), (), acquired, threshold)  # fmt: skip
    margins = []
    for table in coarser:
        missing = sorted(set(table.by) - set(finest.by))
        if missing:
            raise ValueError(f"{table.name}: columns {missing} are not in {finest.name}")
        shared = [*table.by, *ITEM_COLUMNS]
        position = table.cells.reset_index(drop=True)[shared]
        position = position.assign(_cell=np.arange(len(position)))
        parent = cells[[*finest.by, *ITEM_COLUMNS]].merge(position, on=shared, how="left")
        if parent["_cell"].isna().any():
            raise ValueError(f"{table.name}: some cells of {finest.name} have no total here")
        margin = _Margin(table.name, parent["_cell"].to_numpy(np.int64), *table.flags())
        given = _values(table.cells.reset_index(drop=True))
        if not np.allclose(given[:, :_S], base.totals(margin)[:, :_S]):
            raise ValueError(f"{table.name} is not the sum of the cells of {finest.name}")
        margins.append(margin)
    return replace(base, margins=tuple(margins))


# -- the reader's linear system -----------------------------------------------------------------
@dataclass(frozen=True)
class _System:
    var: np.ndarray  # [rows, MEASURES] index of the unknown, -1 where the reader knows the count
    a_eq: sp.csr_array
    b_eq: np.ndarray
    a_ub: sp.csr_array
    b_ub: np.ndarray
    bounds: np.ndarray  # [unknowns, 2]
    component: np.ndarray  # linked set of each unknown
    x: np.ndarray  # the true values: one feasible point
    solver: dict = field(default_factory=dict, compare=False, repr=False)  # built when needed


class _Rows:
    """Sparse constraint rows under construction: coefficients on unknowns, constants apart."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.rhs: list[np.ndarray] = []
        self.count = 0

    def add(self, row: np.ndarray, col: np.ndarray, coef: np.ndarray, rhs: np.ndarray) -> None:
        self.parts.append((row + self.count, col, coef))
        self.rhs.append(np.asarray(rhs, float))
        self.count += len(rhs)

    def matrix(self, unknowns: int) -> tuple[sp.csr_array, np.ndarray]:
        if not self.count:
            return sp.csr_array((0, unknowns)), np.zeros(0)
        rows, cols, data = (np.concatenate(p) for p in zip(*self.parts, strict=True))
        return (sp.csr_array((data, (rows, cols)), shape=(self.count, unknowns)),
                np.concatenate(self.rhs))  # fmt: skip


def _sums(values: np.ndarray, var: np.ndarray, group: np.ndarray, measure: int,
          coef: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Σ of one measure over the rows of each group (``-1``: left out): the unknowns' entries
    (group, unknown, coefficient) and each group's known part."""
    inside = group >= 0
    size = int(group.max()) + 1 if inside.any() else 0
    v = var[:, measure]
    free, known = inside & (v >= 0), inside & (v < 0)
    constant = np.bincount(group[known], np.nan_to_num(values[known, measure]) * coef, size)
    return group[free], v[free], np.full(int(free.sum()), coef), constant


def _system(family: _Family) -> _System:
    values, hidden = family.values, family.hidden
    scores = family.has_scores
    free = np.zeros(values.shape, bool)
    free[:, _N] = family.hidden_n
    free[:, _K] = hidden & ~family.public_k
    free[:, _S:] = (hidden & scores)[:, None]
    var = np.full(values.shape, -1, np.int64)
    var[free] = np.arange(free.sum())
    unknowns = int(free.sum())
    eq, ub = _Rows(), _Rows()

    # every visible cell of a coarser table is the sum of its finest cells
    for margin in family.margins:
        totals = family.totals(margin)
        for m in range(len(MEASURES)):
            shown = margin.visible(m)[margin.parent] & ~np.isnan(values[:, m])
            g, v, c, constant = _sums(values, var, np.where(shown, margin.parent, -1), m)
            if len(g):
                used, local = np.unique(g, return_inverse=True)
                eq.add(local, v, c, totals[used, m] - constant[used])

    # inside a hidden row: the distribution adds up to n; acquired ≤ (or =) scored ≥ threshold
    rows = np.flatnonzero(hidden & scores)
    if len(rows):
        local = np.arange(len(rows))
        n_var = var[rows, _N]
        n_free = n_var >= 0
        eq.add(np.concatenate([np.tile(local, 5), local[n_free]]),
               np.concatenate([*(var[rows, _S + s] for s in _SCORES), n_var[n_free]]),
               np.concatenate([np.ones(5 * len(rows)), -np.ones(int(n_free.sum()))]),
               np.where(n_free, 0.0, values[rows, _N]))  # fmt: skip
        if family.acquired is not None:
            passing = _SCORES[family.threshold <= _SCORES]
            k_var = var[rows, _K]
            k_free = k_var >= 0
            target = eq if family.acquired == "equal" else ub
            target.add(np.concatenate([local[k_free], np.tile(local, len(passing))]),
                       np.concatenate([k_var[k_free], *(var[rows, _S + s] for s in passing)]),
                       np.concatenate([np.ones(int(k_free.sum())),
                                       -np.ones(len(passing) * len(rows))]),
                       np.where(k_free, 0.0, -values[rows, _K]))  # fmt: skip
    # k ≤ n when n is unknown too; n ≥ a k the reader knows
    both = np.flatnonzero((var[:, _K] >= 0) & (var[:, _N] >= 0))
    if len(both):
        local = np.arange(len(both))
        ub.add(np.concatenate([local, local]), np.concatenate([var[both, _K], var[both, _N]]),
               np.concatenate([np.ones(len(both)), -np.ones(len(both))]), np.zeros(len(both)))  # fmt: skip
    known_k = np.flatnonzero((var[:, _K] < 0) & (var[:, _N] >= 0))
    if len(known_k):
        ub.add(np.arange(len(known_k)), var[known_k, _N], -np.ones(len(known_k)),
               -values[known_k, _K])  # fmt: skip

    bounds = np.zeros((unknowns, 2))
    bounds[:, 1] = np.inf
    n_known = np.where(family.hidden_n, np.inf, values[:, _N])
    k_rows = np.flatnonzero(var[:, _K] >= 0)
    bounds[var[k_rows, _K], 0] = family.k_low[k_rows]
    bounds[var[k_rows, _K], 1] = np.minimum(family.k_high[k_rows], n_known[k_rows])
    for s in _SCORES:
        s_rows = np.flatnonzero(var[:, _S + s] >= 0)
        bounds[var[s_rows, _S + s], 1] = n_known[s_rows]

    a_eq, b_eq = eq.matrix(unknowns)
    a_ub, b_ub = ub.matrix(unknowns)
    x = np.zeros(unknowns)
    x[var[free]] = values[free]
    return _System(var, a_eq, b_eq, a_ub, b_ub, bounds, _components(a_eq, a_ub, unknowns), x)


def _components(a_eq: sp.csr_array, a_ub: sp.csr_array, unknowns: int) -> np.ndarray:
    """Linked sets of unknowns: two unknowns are linked when a constraint holds both."""
    if not unknowns:
        return np.zeros(0, np.int64)
    incidence = (sp.vstack([a_eq, a_ub]).tocsr() != 0).astype(np.int8)
    return connected_components((incidence.T @ incidence).tocsr(), directed=False)[1]


# -- the hidden counts, and what the totals alone say of each ---------------------------------
@dataclass(frozen=True)
class _Quantities:
    table: np.ndarray  # 0: the finest table, j + 1: margin j
    cell: np.ndarray  # row of that table
    measure: np.ndarray  # index in MEASURES, or _TOTAL for the score total
    item: np.ndarray
    sensitive: np.ndarray  # a count of a small group: its interval must be wide enough
    coef: sp.csr_array  # [quantities, unknowns]
    constant: np.ndarray
    low0: np.ndarray  # the interval the totals alone leave (every neighbour hidden)
    high0: np.ndarray


def _boxes(family: _Family) -> tuple[np.ndarray, np.ndarray]:
    """Per row and measure (score total last): the widest values a reader could think of."""
    n = family.values[:, _N]
    n_high = np.where(family.hidden_n, np.inf, n)
    for margin in family.margins:  # a hidden n is at most each visible total holding it
        cap = np.where(margin.hidden_n, np.inf, family.totals(margin)[:, _N])[margin.parent]
        n_high = np.where(family.hidden_n, np.minimum(n_high, cap), n_high)
    n_high = np.minimum(n_high, _LARGE)  # so that sums of boxes never meet inf − inf
    low = np.zeros((len(n), _TOTAL + 1))
    high = np.repeat(n_high[:, None], _TOTAL + 1, axis=1)
    low[:, _K] = family.k_low
    high[:, _K] = np.minimum(n_high, family.k_high)
    high[:, _TOTAL] = 4 * n_high
    return low, high


def _quantities(family: _Family, system: _System) -> _Quantities:
    """Every hidden count of the finest table and of the coarser ones, as a linear expression
    of the unknowns, with the interval the published totals alone leave it."""
    values = family.values
    scores = family.has_scores
    low_box, high_box = _boxes(family)
    totals = [family.totals(m) for m in family.margins]
    parts: list[dict[str, np.ndarray]] = []
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    offset = 0

    def add(table: int, group: np.ndarray, hidden_cells: np.ndarray, measure: int,
            holders: list[int], sensitive: np.ndarray) -> None:  # fmt: skip
        """The quantities Σ over the rows of each hidden cell of ``group``."""
        nonlocal offset
        selected = np.flatnonzero(hidden_cells)
        if not len(selected):
            return
        size = len(hidden_cells)
        row_cell = np.where(np.isin(group, selected), group, -1)
        if measure == _TOTAL:
            terms = [_sums(values, system.var, row_cell, _S + s, float(s)) for s in _SCORES]
            g, v, c = (np.concatenate([t[i] for t in terms]) for i in range(3))
            constant = sum(t[3] for t in terms)
        else:
            g, v, c, constant = _sums(values, system.var, row_cell, measure)
        index = np.full(size, -1)
        index[selected] = np.arange(len(selected)) + offset
        entries.append((index[g], v, c))
        offset += len(selected)
        # the box of the cell, then each visible total holding it, all neighbours unknown
        own_low = np.bincount(group, low_box[:, measure], size)
        own_high = np.bincount(group, high_box[:, measure], size)
        low, high = own_low[selected], own_high[selected]
        first = np.full(size, -1)
        first[group[::-1]] = np.arange(len(group))[::-1]
        for j in holders:
            margin = family.margins[j]
            parent = margin.parent[first[selected]]
            shown = margin.visible(measure)[parent]
            cells = len(totals[j])
            others_high = np.bincount(margin.parent, high_box[:, measure], cells)[parent]
            others_low = np.bincount(margin.parent, low_box[:, measure], cells)[parent]
            total = totals[j][parent, measure]
            low = np.where(shown, np.maximum(low, total - (others_high - own_high[selected])), low)
            high = np.where(shown, np.minimum(high, total - (others_low - own_low[selected])), high)
        parts.append({"table": np.full(len(selected), table), "cell": selected,
                      "measure": np.full(len(selected), measure),
                      "item": family.item[first[selected]], "sensitive": sensitive[selected],
                      "constant": constant[selected] if len(constant) else np.zeros(len(selected)),
                      "low0": low, "high0": high})  # fmt: skip

    rows = np.arange(len(values))
    kinds = [(_N, family.hidden_n), (_K, family.hidden & ~family.public_k),
             *((_S + s, family.hidden & scores) for s in _SCORES),
             (_TOTAL, family.hidden & scores)]  # fmt: skip
    everything = list(range(len(family.margins)))
    for measure, hidden_rows in kinds:
        add(0, rows, hidden_rows, measure, everything, family.sensitive)
    for j, margin in enumerate(family.margins):
        holders = [i for i, other in enumerate(family.margins)
                   if i != j and _refines(margin.parent, other.parent)]  # fmt: skip
        cells = len(totals[j])
        cell_scores = np.zeros(cells, bool)
        cell_scores[margin.parent[scores]] = True
        for measure in (_N, _K, *(_S + _SCORES), _TOTAL):
            hidden_cells = ~margin.visible(min(measure, _S))
            if measure >= _S:
                hidden_cells = hidden_cells & cell_scores
            add(j + 1, margin.parent, hidden_cells, measure, holders, margin.sensitive)

    count = offset
    if entries:
        q, v, c = (np.concatenate([e[i] for e in entries]) for i in range(3))
    else:
        q, v, c = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    coef = sp.csr_array((c, (q, v)), shape=(count, len(system.x)))

    def joined(key: str, dtype: type = float) -> np.ndarray:
        return np.concatenate([p[key] for p in parts]) if parts else np.zeros(0, dtype)

    return _Quantities(joined("table", int), joined("cell", int), joined("measure", int),
                       joined("item", int), joined("sensitive", bool), coef, joined("constant"), joined("low0"),
                       joined("high0"))  # fmt: skip


def _refines(fine: np.ndarray, coarse: np.ndarray) -> bool:
    """Whether each cell of ``fine`` (row -> cell) lies in one cell of ``coarse``, which has
    fewer cells (the same partition is no coarser table)."""
    if not len(fine):
        return False
    pairs = len(np.unique(np.column_stack([fine, coarse]), axis=0))
    return pairs == len(np.unique(fine)) and len(np.unique(coarse)) < pairs


# -- the attack ---------------------------------------------------------------------------------
def _solve(system: _System, objective: np.ndarray, keep: np.ndarray) -> np.ndarray | None:
    """Minimise ``objective`` over the unknowns of ``keep`` (whole linked sets); the point found
    (the other unknowns keep their true values), or ``None`` when it is unbounded."""
    if not keep.any():
        return system.x.copy()
    solver = system.solver.get("highs")
    if solver is None:
        solver = system.solver["highs"] = _Solver(system)
    return solver.minimise(objective, keep)


def _silent(make: Callable[[], T]) -> T:
    """``make()`` with this process's standard output closed at the file level: HiGHS 1.16
    prints its banner from C++ as a model is created, before any option can turn it off,
    and it would land in the middle of a command's or a build's output."""
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        return make()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


class _Solver:
    """One HiGHS model of a reader's system, solved again and again with other objectives.

    The unknowns outside the linked sets attacked are fixed at their true values (no
    constraint links two sets, so this is the same as leaving them out); each new objective
    starts from the last optimal basis, which after a change of costs is a few pivots away,
    where solving each program from scratch rebuilt and presolved the whole model.
    """

    def __init__(self, system: _System) -> None:
        import highspy

        self.x = system.x
        self.bounds = system.bounds
        self.status = highspy.HighsModelStatus
        self.highs = h = _silent(highspy.Highs)
        h.setOptionValue("output_flag", False)
        # after a change of costs the last basis is still feasible: primal simplex goes on from
        # it (the dual simplex, HiGHS's default, took three times as long on the demo)
        h.setOptionValue("simplex_strategy", 4)
        size = len(system.x)
        self.kept = np.zeros(size, bool)  # every unknown starts fixed at its true value
        h.addVars(size, system.x.astype(float), system.x.astype(float))
        inf = highspy.kHighsInf
        for matrix, lower, upper in (
            (system.a_eq, system.b_eq, system.b_eq),
            (system.a_ub, np.full(len(system.b_ub), -inf), system.b_ub),
        ):  # fmt: skip
            if matrix.shape[0]:
                csr = sp.csr_array(matrix)
                h.addRows(csr.shape[0], np.asarray(lower, float), np.asarray(upper, float),
                          csr.nnz, csr.indptr.astype(np.int32), csr.indices.astype(np.int32),
                          csr.data.astype(float))  # fmt: skip

    def minimise(self, objective: np.ndarray, keep: np.ndarray) -> np.ndarray | None:
        h = self.highs
        changed = np.flatnonzero(keep != self.kept)
        if len(changed):
            lower = np.where(keep[changed], self.bounds[changed, 0], self.x[changed])
            upper = np.where(keep[changed], self.bounds[changed, 1], self.x[changed])
            upper = np.where(np.isinf(upper), h.getInfinity(), upper)
            h.changeColsBounds(len(changed), changed.astype(np.int32), lower, upper)
            self.kept = keep.copy()
        cost = np.where(keep, objective, 0.0).astype(float)
        h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        h.run()
        status = h.getModelStatus()
        if status in (self.status.kUnbounded, self.status.kUnboundedOrInfeasible):
            return None
        if status != self.status.kOptimal:  # the true table is feasible: a numerical failure
            raise RuntimeError(
                f"disclosure audit: linear program failed ({h.modelStatusToString(status)})"
            )
        x = np.asarray(h.getSolution().col_value, float)
        return np.where(keep, x, self.x)


def _outer(family: _Family, system: _System, q: _Quantities) -> tuple[np.ndarray, np.ndarray]:
    """Cheap outer bounds of the hidden counts of the finest table: each visible total holding
    a count, alone (total − visible cells − what the other hidden cells can hold). A count
    they pin down more tightly than required leaks, whatever the full attack finds."""
    low, high = np.full(len(q.cell), -np.inf), np.full(len(q.cell), np.inf)
    fine = np.flatnonzero(q.table == 0)
    if not len(fine):
        return low, high
    values = np.nan_to_num(_with_total(family.values))
    low_box, high_box = _boxes(family)
    known = np.column_stack([system.var < 0, ~(family.hidden & family.has_scores)])
    rows, measures = q.cell[fine], q.measure[fine]
    lo, hi = low_box[rows, measures], high_box[rows, measures]
    for margin in family.margins:
        cells = len(margin.hidden)
        total = family.totals(margin)
        for m in np.unique(measures):
            on = measures == m
            r = rows[on]
            shown = margin.visible(min(m, _S))[margin.parent[r]]
            h = margin.parent[r]
            seen = np.bincount(margin.parent, np.where(known[:, m], values[:, m], 0), cells)[h]
            hid_hi = np.bincount(margin.parent, np.where(known[:, m], 0, high_box[:, m]), cells)[h]
            hid_lo = np.bincount(margin.parent, np.where(known[:, m], 0, low_box[:, m]), cells)[h]
            rest = total[h, m] - seen
            lo[on] = np.where(shown, np.maximum(lo[on], rest - (hid_hi - high_box[r, m])), lo[on])
            hi[on] = np.where(shown, np.minimum(hi[on], rest - (hid_lo - low_box[r, m])), hi[on])
    low[fine], high[fine] = np.ceil(lo - _EPS), np.floor(hi + _EPS)
    return low, high


def _supports(coef: sp.csr_array, component: np.ndarray) -> list[np.ndarray]:
    """The linked sets each quantity draws on (most draw on one)."""
    rows = np.repeat(np.arange(coef.shape[0]), np.diff(coef.indptr))
    comps = component[coef.indices] if len(coef.indices) else np.zeros(0, np.int64)
    size = coef.shape[0]
    low = np.full(size, np.iinfo(np.int64).max)
    high = np.full(size, -1)
    np.minimum.at(low, rows, comps)
    np.maximum.at(high, rows, comps)
    out = [np.zeros(0, np.int64)] * size
    for i in np.flatnonzero(high >= 0):
        out[i] = (np.array([low[i]]) if low[i] == high[i]
                  else np.unique(comps[coef.indptr[i]:coef.indptr[i + 1]]))  # fmt: skip
    return out


def _attack(system: _System, q: _Quantities, required: np.ndarray, outer_low: np.ndarray,
            outer_high: np.ndarray, seed: int = 0, cheap: bool = False,
            early: bool = False) -> tuple[np.ndarray, ...]:  # fmt: skip
    """Interval of each quantity and whether it is proven too narrow.

    Intervals are exact where they had to be computed (``exact``), else as wide as required
    already (values of feasible points found on the way), or the outer bounds of a count
    proven too narrow by them.
    """
    coef = q.coef.tocsr()
    value = coef @ system.x + q.constant
    low, high = np.round(value), np.round(value)
    size = len(value)
    support = _supports(coef, system.component)
    fixed = np.array([not len(s) for s in support], bool)  # no unknown in it: known exactly
    # cheap: leaks proven without a program (the full attack computes their exact interval)
    narrow = ~fixed & (outer_high - outer_low < required) & cheap
    low[narrow], high[narrow] = outer_low[narrow], outer_high[narrow]
    exact_low, exact_high = fixed.copy(), fixed.copy()
    target_low = np.where(np.isfinite(outer_low), outer_low, value - required)
    target_high = np.where(np.isfinite(outer_high), outer_high, value + required)

    def seen(x: np.ndarray) -> None:
        values = coef @ x + q.constant
        np.minimum(low, np.ceil(values - _EPS), out=low, where=~narrow)
        np.maximum(high, np.floor(values + _EPS), out=high, where=~narrow)

    def pending() -> np.ndarray:
        return ~narrow & ~(exact_low & exact_high) & (high - low < required)

    if cheap:
        return low, high, exact_low & exact_high, narrow, np.zeros(size, bool)
    # feasible points pushing every count still in doubt towards its far side at once
    rng = np.random.default_rng(seed)
    for _ in range(_RANDOM_ROUNDS):
        todo = np.flatnonzero(pending())
        if not len(todo):
            break
        upwards = (target_high - high)[todo] >= (low - target_low)[todo]
        weights = rng.uniform(0.5, 1.5, len(todo)) * np.where(upwards, -1.0, 1.0)
        keep = np.isin(system.component, np.concatenate([support[i] for i in todo]))
        for sign in (1.0, -1.0):
            x = _solve(system, sign * (coef[todo].T @ weights), keep)
            if x is not None:
                seen(x)
    # exact bounds, one count per linked set in each program; ``early``: a linked set stops at
    # its first proven leak (it will be attacked again once a neighbour is hidden)
    leaking: set[int] = set()
    skipped = np.zeros(size, bool)
    todo = list(np.flatnonzero(pending()))
    while todo:
        batch, used = [], set()
        for i in todo:
            comps = set(support[i].tolist())
            if not comps & used:
                batch.append(i)
                used |= comps
        keep = np.isin(system.component, list(used))
        for sign, exact, side in ((-1.0, exact_high, high), (1.0, exact_low, low)):
            still = pending()
            part = [i for i in batch if still[i] and not exact[i]]
            if not part:
                continue
            x = _solve(system, sign * (coef[part].T @ np.ones(len(part))), keep)
            if x is not None:
                seen(x)
            else:  # unbounded somewhere: one at a time, infinite where it is
                for i in part:
                    xi = _solve(system, sign * coef[[i]].T @ np.ones(1),
                                np.isin(system.component, support[i]))  # fmt: skip
                    if xi is None:
                        side[i] = -sign * np.inf
                    else:
                        seen(xi)
            exact[part] = True
        proven = [
            i for i in batch if exact_low[i] and exact_high[i] and high[i] - low[i] < required[i]
        ]
        for i in proven:
            leaking |= set(support[i].tolist())
        still = pending()
        done = set(batch)
        todo = [i for i in todo if i not in done and still[i]]
        if early:
            skip = [i for i in todo if set(support[i].tolist()) & leaking]
            skipped[skip] = True
            todo = [i for i in todo if not skipped[i]]
    return low, high, exact_low & exact_high, narrow, skipped


def _audit(family: _Family, width: int, cheap: bool = False,
           early: bool = False) -> tuple[pd.DataFrame, _System, _Quantities]:  # fmt: skip
    """Attack ``family`` once; one row per hidden count (see :class:`AuditResult`).
    ``cheap``: only the leaks the totals show one at a time, no linear program; ``early``:
    a linked set stops at its first leak (``undecided`` marks the counts not attacked)."""
    system = _system(family)
    q = _quantities(family, system)
    low0 = np.ceil(q.low0 - _EPS)
    high0 = np.floor(q.high0 + _EPS)
    room = high0 - low0
    # only small groups need room (hiding a neighbour protects them, not itself); a score
    # total is no count: only its exact value, the hidden mean, must stay unknown
    required = np.where(q.sensitive, np.minimum(np.where(q.measure == _TOTAL, 1, width), room), 0)
    low, high, exact, narrow, skipped = _attack(
        system, q, required, *_outer(family, system, q), cheap=cheap, early=early
    )
    names = [family.name, *(m.name for m in family.margins)]
    table = pd.DataFrame({
        "table": np.array(names, dtype=object)[q.table] if len(q.table) else [],
        "table_index": q.table, "row": q.cell, "item": q.item,
        "measure": np.array([*MEASURES, SCORE_TOTAL], dtype=object)[q.measure]
        if len(q.measure) else [],
        "value": q.coef @ system.x + q.constant, "n": _cell_counts(family, q),
        "low": low, "high": high, "exact": exact,
        "low_totals": low0, "high_totals": high0, "required": required,
        "sensitive": q.sensitive,
    })  # fmt: skip
    wide = (table["high"] - table["low"]) >= table["required"]
    table["protected"] = ~narrow & (wide | cheap | skipped)  # cheap: only proven leaks count
    table["undecided"] = skipped
    table["by_totals"] = q.sensitive & (room <= 0)
    return table, system, q


def _cell_counts(family: _Family, q: _Quantities) -> np.ndarray:
    """The true n of each quantity's cell."""
    counts = [family.values[:, _N], *(family.totals(m)[:, _N] for m in family.margins)]
    out = np.zeros(len(q.cell))
    for j, n in enumerate(counts):
        on = q.table == j
        out[on] = n[q.cell[on]]
    return out


def audit(tables: Sequence[AuditTable], width: int = PROTECTION_WIDTH,
          acquired: Acquired = None, threshold: int = 2) -> AuditResult:  # fmt: skip
    """Attack the hidden cells of ``tables`` (the finest first, then coarser tables whose cells
    are unions of its cells): every hidden count's interval, and whether it is protected.

    ``acquired``: how k relates to the jury score distribution on competency rows
    (:func:`acquired_relation`).
    """
    family = _family(tables, acquired, threshold)
    quantities, _, _ = _audit(family, width)
    return AuditResult(tuple(t.name for t in tables), family.hidden,
                       np.where(family.hidden, "small", ""), quantities, width,
                       public=int((family.hidden & family.public_k).sum()),
                       margins_hidden=int(sum(m.hidden.sum() for m in family.margins)))  # fmt: skip


# -- secondary suppression --------------------------------------------------------------------
def _suppress(family: _Family, width: int) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Hide more cells of the finest table until every hidden count is protected (or given by
    the totals); the hidden flags, the reasons, and the last attack of every item.

    Leaks the totals show one at a time (a lone hidden cell, a total at its hidden cells'
    bounds) are fixed first, without linear programs; then the full attack runs, and the
    items it finds leaking go round again.
    """
    hidden = family.hidden.copy()
    reason = np.where(hidden, "small", "").astype(object)
    hidden_n = family.hidden_n.copy()
    audits: dict[int, pd.DataFrame] = {}
    # counts no neighbour is left to protect (the totals give them), with the width they had:
    # they only count as given while no later change narrows them further
    given: dict[tuple[int, int, str], float] = {}

    def attack(items: np.ndarray, cheap: bool = False,
               early: bool = False) -> tuple[pd.DataFrame, np.ndarray]:  # fmt: skip
        """The audit of ``items`` and, for its leaks, the row to hide in each linked set."""
        current = replace(family, hidden=hidden, hidden_n=hidden_n)
        rows = np.flatnonzero(np.isin(current.item, items))
        table, system, q = _audit(current.restricted(rows), width, cheap, early)
        table = _to_family_numbers(table, family, rows)
        table["by_totals"] |= _given(table, given)
        leaks = table[~table["protected"] & ~table["by_totals"]]
        picked: list[int] = []
        if leaks.empty:
            return table, np.zeros(0, np.int64)
        near = _Neighbourhood(current)
        linked = _linked_sets(system, q)[leaks.index.to_numpy()]
        for _, group in leaks.groupby(linked, sort=False):
            for _, leak in group.iterrows():  # the first leak of the set that can get room
                candidate = near.to_hide(leak)
                if candidate is not None:
                    picked.append(candidate)
                    break
                # every neighbour hidden already: the totals give it
                key = (int(leak["table_index"]), int(leak["row"]), str(leak["measure"]))
                given[key] = min(given.get(key, np.inf), float(leak["high"] - leak["low"]))
        return table, np.unique(np.asarray(picked, np.int64))

    def hide(picked: np.ndarray) -> np.ndarray:
        hidden[picked] = True
        reason[picked] = "secondary"
        if family.hide_counts:
            hidden_n[picked] = True
        return np.unique(family.item[picked])

    todo = np.unique(family.item)
    while len(todo):
        cheap_todo = todo
        while len(cheap_todo):
            _, picked = attack(cheap_todo, cheap=True)
            cheap_todo = hide(picked) if len(picked) else picked
        table, picked = attack(todo, early=True)
        for item in todo:
            audits[int(item)] = table[table["item"] == item]
        todo = hide(picked) if len(picked) else picked
        if not len(todo):  # no leak left to fix: finish the attacks cut short
            todo = np.unique([i for i, a in audits.items() if a["undecided"].any()])
            if len(todo):
                table, picked = attack(todo, early=False)
                for item in todo:
                    audits[int(item)] = table[table["item"] == item]
                todo = hide(picked) if len(picked) else picked
    # clean-up: show again, largest first, each cell hidden in complement that no longer needs
    # to be (a later choice may protect what an earlier one was hidden for). Items are attacked
    # apart (no constraint links two items), so each round tries the next cell of every item
    # at once: the same outcome as trying the cells one after another, in far fewer attacks.
    extra = np.flatnonzero(reason == "secondary")
    tries = extra[np.argsort(-family.values[extra, _N], kind="stable")][:_CLEANUP_TRIES]
    queues: dict[int, list[int]] = {}
    for row in tries:
        queues.setdefault(int(family.item[row]), []).append(int(row))
    while queues:
        batch = np.array([queue.pop(0) for queue in queues.values()], np.int64)
        queues = {item: queue for item, queue in queues.items() if queue}
        hidden[batch], hidden_n[batch], reason[batch] = False, family.hidden_n[batch], ""
        known = dict(given)
        items = np.unique(family.item[batch])
        tables = _by_item(attack(items, cheap=True)[0], items)
        safe = {item for item, table in tables.items() if _safe(table)}
        if safe:  # a leak stops the attack early: the cell stays hidden
            items = np.fromiter(safe, np.int64)
            tables.update(_by_item(attack(items, early=True)[0], items))
            safe = {item for item in safe if _safe(tables[item])}
            # stopped at a count the totals give: attack those to the end
            undecided = [item for item in safe if tables[item]["undecided"].any()]
            if undecided:
                items = np.array(undecided, np.int64)
                tables.update(_by_item(attack(items)[0], items))
                safe = {item for item in safe if _safe(tables[item])}
        given.clear()  # a try records nothing
        given.update(known)
        for row in batch:
            item = int(family.item[row])
            if item in safe:
                audits[item] = tables[item]
                continue
            hidden[row], reason[row] = True, "secondary"
            hidden_n[row] = hidden_n[row] or family.hide_counts
    unfinished = np.unique([i for i, a in audits.items() if a["undecided"].any()])
    if len(unfinished):  # every count of the final tables attacked to the end
        table = attack(unfinished)[0]
        for item in unfinished:
            audits[int(item)] = table[table["item"] == item]
    result = pd.concat(list(audits.values()), ignore_index=True)
    result["by_totals"] |= _given(result, given)
    return hidden, reason, result.reset_index(drop=True)


def _by_item(table: pd.DataFrame, items: np.ndarray) -> dict[int, pd.DataFrame]:
    """An audit's rows for each of ``items`` (none for an item left without hidden count)."""
    groups = {int(item): rows for item, rows in table.groupby("item", sort=False)}
    return {int(item): groups.get(int(item), table.iloc[:0]) for item in items}


def _safe(table: pd.DataFrame) -> bool:
    """Whether every hidden count of an audit is protected or given by the totals."""
    return bool((table["protected"] | table["by_totals"]).all())


def _given(table: pd.DataFrame, given: dict[tuple[int, int, str], float]) -> np.ndarray:
    """Which rows of an audit are counts no neighbour can protect (the totals give them), no
    narrower than when they were found so."""
    keys = zip(table["table_index"].astype(int), table["row"].astype(int),
               table["measure"].astype(str), strict=True)  # fmt: skip
    width = (table["high"] - table["low"]).to_numpy()
    return np.array([key in given and w >= given[key] for key, w in zip(keys, width, strict=True)],
                    bool)  # fmt: skip


def _to_family_numbers(table: pd.DataFrame, family: _Family, rows: np.ndarray) -> pd.DataFrame:
    """Rows and cells of a restricted family's audit, numbered as in the whole family."""
    out = table.copy()
    index = out["table_index"].to_numpy()
    row = out["row"].to_numpy().copy()
    on = index == 0
    row[on] = rows[row[on]]
    for j, margin in enumerate(family.margins):
        on = index == j + 1
        row[on] = np.unique(margin.parent[rows])[row[on]]
    out["row"] = row
    return out


def _linked_sets(system: _System, q: _Quantities) -> np.ndarray:
    """For each quantity, one linked set it belongs to (its own number when it has none)."""
    coef = q.coef.tocsr()
    out = np.empty(coef.shape[0], np.int64)
    first = coef.indptr[:-1]
    has = np.diff(coef.indptr) > 0
    out[has] = system.component[coef.indices[first[has]]]
    out[~has] = -1 - np.flatnonzero(~has)
    return out


class _Neighbourhood:
    """Where to find the visible row to hide for a leaking count (computed once per attack)."""

    def __init__(self, family: _Family) -> None:
        self.family = family
        self.n = family.values[:, _N]
        self.values = np.nan_to_num(_with_total(family.values))
        self.low_box, self.high_box = _boxes(family)
        self.open = ~family.hidden & (self.n > 0)

    def to_hide(self, leak: pd.Series) -> int | None:
        """The row to hide so that ``leak`` gets room.

        Looked for inside its cell first (a hidden total), then in the visible totals holding
        it, the one that pins it down most first (as total − visible cells, alone); in each, a
        row whose count can move the way needed, with the fewest candidates. ``None``: no
        visible row left around it.
        """
        family, n = self.family, self.n
        table, cell = int(leak["table_index"]), int(leak["row"])
        measure = (*MEASURES, SCORE_TOTAL).index(leak["measure"])
        rows = (
            np.flatnonzero(family.margins[table - 1].parent == cell) if table else np.array([cell])
        )
        values = self.values[:, measure]
        low_box, high_box = self.low_box[:, measure], self.high_box[:, measure]
        cap = 4 * n if measure == _TOTAL else n
        room = ((values > 0) & (leak["high"] < leak["high_totals"])) | (
            (values < cap) & (leak["low"] > leak["low_totals"]))  # fmt: skip
        inside = np.zeros(len(n), bool)
        inside[rows] = True
        circles: list[tuple[float, np.ndarray]] = [(-np.inf, inside)]
        unknown = family.hidden_n if measure == _N else family.hidden
        for margin in family.margins:
            holding = np.unique(margin.parent[rows])
            for holder in holding[margin.visible(min(measure, _S))[holding]]:
                members = margin.parent == holder
                hid = members & ~inside & unknown
                circles.append((high_box[hid].sum() - low_box[hid].sum(), members))
        circles.sort(key=lambda c: c[0])  # the total that pins the leak down most first
        fallback = None
        for _, near in circles:
            pool = np.flatnonzero(near & self.open & room)
            if len(pool):
                return int(pool[np.argmin(n[pool])])  # the first of equals
            if fallback is None and (near & self.open).any():
                pool = np.flatnonzero(near & self.open)
                fallback = int(pool[np.argmin(n[pool])])
        return fallback


# -- families of nested tables ----------------------------------------------------------------
def protect_family(cells: pd.DataFrame, by: Sequence[str], small_group: int,
                   width: int = PROTECTION_WIDTH, *, related: Sequence[str] = (),
                   primary: np.ndarray | None = None, public_k: np.ndarray | None = None,
                   hide_counts: bool = False, acquired: Acquired = None, threshold: int = 2,
                   k_bounds: tuple[np.ndarray, np.ndarray] | None = None,
                   anchors: Sequence[str] | None = None,
                   name: str | None = None) -> AuditResult:  # fmt: skip
    """Hide the small groups of ``cells`` (grouped by ``by``) and whatever else keeps them
    protected against every coarser table (see the module docstring).

    ``related``: columns of ``cells`` that ``by`` determines (the site and year of a cohort):
    tables by them are coarser tables too. ``primary``: rows to hide whatever their size
    (default: 0 < n < ``small_group``). ``public_k``, ``hide_counts``: see :class:`AuditTable`.
    ``k_bounds``: what a reader knows of each row's k besides [0, n]. ``anchors``: per row, a
    name of its group that does not depend on how the group is labelled (its first
    candidate): rows are worked on in that order, so that a table hides the same cells
    whether it is published alone or as the coarser table of another (default: the labels).
    """
    cells = cells.reset_index(drop=True)
    by = list(by)
    size = len(cells)
    if not size:
        return AuditResult((name or grouping_name(by),), np.zeros(0, bool),
                           np.zeros(0, dtype=object), _no_quantities(), width)  # fmt: skip
    anchor = _labels(cells, by) if anchors is None else np.asarray(anchors, dtype=str)
    order = np.lexsort((_items(cells), np.unique(anchor, return_inverse=True)[1].ravel()))
    cells = cells.iloc[order].reset_index(drop=True)
    columns = [*by, *(c for c in related if c not in by)]
    item = _items(cells)
    values = _values(cells)
    public = np.zeros(size, bool) if public_k is None else np.asarray(public_k, bool)[order]
    settled: list[_Settled] = []
    for group_name, key in _partitions(cells, columns, by):
        cell = _cell_ids(key, item)
        values_of, item_of, public_of = _coarser_cells(values, item, cell, public)
        small = (values_of[:, _N] > 0) & (values_of[:, _N] < small_group)
        family = _Family(group_name, values_of, item_of, small, small & hide_counts, public_of,
                         small, np.zeros(len(small)), np.full(len(small), np.inf), (),
                         acquired, threshold, hide_counts)  # fmt: skip
        family = replace(family, margins=_margins_of(settled, cell, family))
        hidden, _, _ = _suppress(family, width)
        settled.append(_Settled(group_name, cell, hidden, hidden & hide_counts, small))
    n = values[:, _N]
    first = (n > 0) & (n < small_group) if primary is None else np.asarray(primary, bool)[order]
    low, high = (np.zeros(size), np.full(size, np.inf)) if k_bounds is None else (
        np.asarray(k_bounds[0], float)[order], np.asarray(k_bounds[1], float)[order])  # fmt: skip
    family = _Family(name or grouping_name(by), values, item, first, first & hide_counts,
                     public, first, low, high, (), acquired, threshold, hide_counts)  # fmt: skip
    family = replace(family, margins=_margins_of(settled, np.arange(size), family))
    hidden, reason, quantities = _suppress(family, width)
    # back to the caller's row order
    fine = quantities["table_index"].to_numpy() == 0
    quantities.loc[fine, "row"] = order[quantities.loc[fine, "row"].to_numpy(int)]
    hidden_out, reason_out = np.zeros(size, bool), np.full(size, "", dtype=object)
    hidden_out[order], reason_out[order] = hidden, reason
    return AuditResult((family.name, *(m.name for m in family.margins)), hidden_out,
                       reason_out, quantities, width, public=int((hidden & public).sum()),
                       margins_hidden=int(sum(m.hidden.sum() for m in family.margins)))  # fmt: skip


def _no_quantities() -> pd.DataFrame:
    columns = ["table", "table_index", "row", "item", "measure", "value", "n", "low", "high",
               "exact", "low_totals", "high_totals", "required", "sensitive", "protected",
               "by_totals", "undecided"]  # fmt: skip
    return pd.DataFrame({c: pd.Series(dtype=bool if c in _FLAGS else object) for c in columns})


_FLAGS = {"exact", "sensitive", "protected", "by_totals", "undecided"}


def _labels(cells: pd.DataFrame, by: Sequence[str]) -> np.ndarray:
    """``access_route=CA|cohort=2024-LYON`` per row (columns by name)."""
    parts = [f"{c}=" + cells[c].astype(str) for c in sorted(by)]
    if not parts:
        return np.full(len(cells), "", dtype=object)
    return pd.concat(parts, axis=1).agg("|".join, axis=1).to_numpy(dtype=object)


@dataclass(frozen=True)
class _Settled:
    """A coarser table whose hidden cells are decided: ``cell`` numbers the finest rows."""

    name: str
    cell: np.ndarray
    hidden: np.ndarray
    hidden_n: np.ndarray
    sensitive: np.ndarray


def _cell_ids(key: np.ndarray, item: np.ndarray) -> np.ndarray:
    return np.unique(np.column_stack([key, item]), axis=0, return_inverse=True)[1].ravel()


def _coarser_cells(values: np.ndarray, item: np.ndarray, cell: np.ndarray,
                   public: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Counts, item and public flag of the table whose cells group the finest rows by ``cell``."""
    cells = int(cell.max()) + 1 if len(cell) else 0
    summed = np.zeros((cells, len(MEASURES)))
    for m in range(len(MEASURES)):
        summed[:, m] = np.bincount(cell, np.nan_to_num(values[:, m]), cells)
    first = np.full(cells, -1)
    first[cell[::-1]] = np.arange(len(cell))[::-1]
    summed[np.isnan(values[first, _S]), _S:] = np.nan
    return summed, item[first], np.bincount(cell, ~public, cells) == 0


def _margins_of(settled: list[_Settled], rows: np.ndarray, family: _Family) -> tuple[_Margin, ...]:
    """The settled tables coarser than ``family`` (whose cells group the finest rows by
    ``rows``), finest first."""
    margins = []
    first = np.full(len(family.values), -1)
    first[rows[::-1]] = np.arange(len(rows))[::-1]
    for table in settled:
        if not _refines(rows, table.cell):
            continue
        parent = table.cell[first]
        public = np.bincount(parent, ~family.public_k, len(table.hidden)) == 0
        margins.append(_Margin(table.name, parent, table.hidden, table.hidden_n, public,
                               table.sensitive))  # fmt: skip
    # finest first; equal sizes in an order that does not depend on how groups are named
    return tuple(sorted(margins, key=lambda m: (-len(m.hidden), m.parent.tobytes())))


def _partitions(cells: pd.DataFrame, columns: list[str],
                by: list[str]) -> list[tuple[str, np.ndarray]]:  # fmt: skip
    """Every distinct grouping of the rows coarser than ``by`` (by subsets of ``columns``),
    coarsest first, each named by its smallest set of columns."""
    seen: dict[bytes, tuple[str, np.ndarray, int]] = {}
    finest = _canonical(cells, by)
    for size in range(len(columns) + 1):
        for subset in combinations(columns, size):
            key = _canonical(cells, list(subset))
            signature = key.tobytes()
            if signature in seen or not _refines(finest, key):
                continue
            seen[signature] = (grouping_name(subset), key, int(key.max()) + 1 if len(key) else 0)
    return [(name, key) for name, key, _ in sorted(seen.values(), key=lambda s: s[2])]


def _canonical(cells: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Group number of each row, numbered in order of first appearance (so equal groupings
    give equal arrays)."""
    if not columns:
        return np.zeros(len(cells), np.int64)
    group = cells.groupby(columns, sort=False, dropna=False).ngroup().to_numpy()
    return group.astype(np.int64)
