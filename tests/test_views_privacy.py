"""What external readers can and cannot learn from the report views (demo data)."""

from __future__ import annotations

import hashlib

import pytest

from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.reporting import views
from cc_analytics.reporting.context import load_context
from tests.fixtures import processed_dataset


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return processed_dataset(tmp_path_factory.mktemp("proj") / "data" / "raw" / "demo")


def test_pseudonyms_cannot_be_reversed_from_what_a_report_prints(demo):
    ctx = load_context(demo)
    ids = ctx.tables.candidates["candidate_id"]
    given = ctx.pseudonym(ids)
    pseudonyms = set(given)
    assert len(pseudonyms) == ids.nunique()  # one per candidate
    # every hash a report prints (input files) is useless to rebuild a candidate's pseudonym
    # (compared candidate by candidate: 6 hex digits may collide across candidates by chance)
    for digest in ctx.manifest["inputs"].values():
        guesses = ["C-" + hashlib.sha256(f"{digest}:{c}".encode()).hexdigest()[:6] for c in ids]
        assert sum(g == p for g, p in zip(guesses, given, strict=True)) == 0
    key_file = demo.workspace / "data" / "processed" / "demo.pseudonym-key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert set(load_context(demo).pseudonym(ids)) == pseudonyms  # stable across runs


def test_external_cohort_report_has_no_candidate_level_view(demo):
    internal = views.cohort_view(load_context(demo), "2024-LYON")
    external = views.cohort_view(load_context(demo, external=True), "2024-LYON")
    assert len(internal.heatmap) == 15
    assert len(external.heatmap) == 0
    assert "suppressed" in external.agreement and "suppressed" in external.headline


def test_followup_is_internal_only(demo):
    external = load_context(demo, external=True)
    assert views.shows_followup(load_context(demo), None) is True
    assert views.shows_followup(external, None) is False
    assert views.shows_followup(load_context(demo), False) is False
    with pytest.raises(CcAnalyticsError, match="jamais publiée dans un rapport externe"):
        views.shows_followup(external, True)
    with pytest.raises(CcAnalyticsError, match="jamais publiée dans un rapport externe"):
        views.followup_view(external, "2024-LYON")


def test_renewal_routes_hide_two_private_cells_beside_published_vae_counts(demo):
    view = views.renewal_view(load_context(demo, external=True))
    routes = view.routes
    for _, year in routes.groupby("year"):
        private_hidden = year["suppressed"] & (year["access_route"] != "VAE")
        assert private_hidden.sum() != 1, year[["access_route", "n", "suppressed"]]


def test_pseudonyms_are_64_bits_shown_short_and_never_shared_in_a_dataset():
    """33,334 candidates: 6 hex characters (24 bits) would give about 33 pairs of candidates
    the same pseudonym; the dataset's shown length grows until none do."""
    import hmac

    import pandas as pd

    from cc_analytics.reporting.context import ReportContext
    from cc_analytics.workspace.processed import Tables
    from tests.fixtures import tiny_referentiel

    ids = pd.Series([f"E{i:06d}" for i in range(33_334)])
    candidates = pd.DataFrame({"candidate_id": ids})
    key = b"k" * 32
    ctx = ReportContext("x", Tables(candidates, None, None, tiny_referentiel()), None, None, {},
                        pseudonym_key=key)  # fmt: skip
    shown = ctx.pseudonym(ids)
    assert shown.nunique() == len(ids)  # no two candidates share one
    full = [hmac.new(key, c.encode(), "sha256").hexdigest()[:16] for c in ids[:3]]
    length = len(shown[0]) - 2
    assert 6 < length <= 16 and shown[:3].tolist() == ["C-" + f[:length] for f in full]
    # with 6 characters, some would have collided: the longer name is needed, not decoration
    assert len({f"{hmac.new(key, c.encode(), 'sha256').hexdigest()[:6]}" for c in ids}) < len(ids)
    # a small dataset keeps the short form
    small = ReportContext("y", Tables(candidates[:15], None, None, tiny_referentiel()), None,
                          None, {}, pseudonym_key=key)  # fmt: skip
    assert small.pseudonym(ids[:15]).str.len().eq(8).all()
