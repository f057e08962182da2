"""The tables each report shows, one module per report, computed so that notebooks only plot::

ctx = load_context("demo")
views.cohort_view(ctx, "2024-LYON").blocks  # one row per block: n, k, rate, interval
"""

from .cohort import CohortView, cohort_view, criteria_of, quality_summary, route_breakdown
from .common import block_names, cohort_order, describe_period, privacy_note, referentiel_note
from .followup import FollowupView, followup_view, shows_followup
from .renewal import RenewalView, compare_published, insertion_rates, renewal_view
from .review import ReviewView, review_view

__all__ = [
    "CohortView",
    "FollowupView",
    "RenewalView",
    "ReviewView",
    "block_names",
    "cohort_order",
    "cohort_view",
    "compare_published",
    "criteria_of",
    "describe_period",
    "followup_view",
    "insertion_rates",
    "privacy_note",
    "quality_summary",
    "referentiel_note",
    "renewal_view",
    "review_view",
    "route_breakdown",
    "shows_followup",
]
