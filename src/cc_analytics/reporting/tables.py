"""The result tables a school exports (metrics, agreement, promotions), stamped with their rules.

One definition for the ``metrics``, ``agreement`` and ``promotions`` commands and for the main
job's ``reports/NAME/tables/``: the same table whoever asks.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..engine.aggregates import aggregate
from ..engine.agreement import agreement
from ..engine.privacy import flag_small_groups, protect
from ..engine.promotions import promotion_statistics
from .context import ReportContext


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
