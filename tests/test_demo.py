"""Tests for cc_analytics.demo: the synthetic demo and benchmark datasets and their files.

The generator is random; these tests check the facts the demo promises (structure, rules of
the certification, determinism), computed here from the tables, never copied from a run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cc_analytics import referentiel as ref
from cc_analytics.core.labels import ACCESS_ROUTES, INSERTION_STATUSES
from cc_analytics.demo import Dataset, generate_demo, generate_large, write_dataset

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "raw" / "demo"
CODES = ref.load().competency_codes()


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return generate_demo()


def jury(data: Dataset) -> pd.DataFrame:
    return data.scores[data.scores["evaluator"] == "jury"]


def final_jury(data: Dataset) -> pd.DataFrame:
    """The latest jury row of each candidate × competency (a retake replaces the first try)."""
    rows = jury(data).sort_values("session_date", kind="stable")
    return rows.drop_duplicates(["candidate_id", "competency"], keep="last")


def certified(data: Dataset) -> pd.Series:
    """Per candidate: every competency of the referentiel scored 2 or more after retakes."""
    rows = final_jury(data)
    acquired = rows["score"].ge(2).fillna(False).astype(bool)
    count = acquired.groupby(rows["candidate_id"]).sum()
    ids = data.candidates["candidate_id"]
    return pd.Series(count.reindex(ids, fill_value=0).to_numpy() == len(CODES), index=ids)


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


# --- determinism ---------------------------------------------------------------------------
def test_same_seed_gives_identical_frames(demo):
    again = generate_demo()
    for name in ("candidates", "scores", "insertion"):
        pd.testing.assert_frame_equal(getattr(demo, name), getattr(again, name))


def test_different_seed_gives_different_data(demo):
    other = generate_demo(seed=7)
    assert not other.scores.equals(demo.scores)
    assert not other.candidates.equals(demo.candidates)


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_same_seed_gives_identical_bytes(tmp_path, layout):
    first = write_dataset(generate_demo(), tmp_path / "a", layout=layout)
    second = write_dataset(generate_demo(), tmp_path / "b", layout=layout)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_shipped_demo_files_are_what_the_generator_writes(tmp_path):
    # the files in data/raw/demo must not drift from the generator
    written = write_dataset(generate_demo(), tmp_path, layout="wide")
    for path in written:
        assert (SHIPPED / path.name).read_bytes() == path.read_bytes(), path.name


# --- typed canonical form --------------------------------------------------------------------
def test_tables_have_the_canonical_columns_and_dtypes(demo):
    assert demo.candidates.dtypes.astype(str).to_dict() == {
        "cohort": "str",
        "candidate_id": "str",
        "access_route": "str",
        "immersion": "bool",
        "site": "str",
    }
    assert demo.scores.dtypes.astype(str).to_dict() == {
        "candidate_id": "str",
        "competency": "str",
        "evaluator": "str",
        "score": "Int8",
        "session_date": "datetime64[us]",
    }
    assert demo.insertion.dtypes.astype(str).to_dict() == {
        "candidate_id": "str",
        "horizon_months": "int64",
        "status": "str",
    }


def test_ids_are_pseudonymous_and_unique(demo):
    ids = demo.candidates["candidate_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"C\d\d[LN]\d{3}").all()
    # the id carries the cohort's year and site
    assert (ids.str[1:3] == demo.candidates["cohort"].str[2:4]).all()
    assert (ids.str[3] == demo.candidates["site"].str[0]).all()
    assert set(demo.scores["candidate_id"]) <= set(ids)
    assert set(demo.insertion["candidate_id"]) <= set(ids)


# --- cohorts, routes, immersion ----------------------------------------------------------------
def test_cohorts_years_sites_and_sizes(demo):
    c = demo.candidates
    sizes = c.groupby("cohort").size()
    assert len(sizes) >= 6
    assert sizes.between(15, 40).all()
    years = sorted(c["cohort"].str[:4].astype(int).unique())
    assert len(years) == 3
    assert years == list(range(years[0], years[0] + 3))
    assert set(c["site"]) == {"Lyon", "Nantes"}
    assert c.groupby("cohort")["site"].nunique().eq(1).all()


def test_every_access_route_present_and_in_most_cohorts(demo):
    c = demo.candidates
    assert set(c["access_route"]) == set(ACCESS_ROUTES)
    routes_per_cohort = c.groupby("cohort")["access_route"].nunique()
    assert (routes_per_cohort == len(ACCESS_ROUTES)).mean() > 0.5


def test_immersion_rules(demo):
    c = demo.candidates
    assert not c.loc[c["access_route"] == "VAE", "immersion"].any()
    assert (~c.loc[c["access_route"].isin(["FC", "CL"]), "immersion"]).any()
    assert c.loc[c["access_route"].isin(["CA", "CQ"]), "immersion"].all()


def test_employer_scores_only_with_immersion(demo):
    c = demo.candidates
    employer = demo.scores[demo.scores["evaluator"] == "entreprise"]
    without = set(c.loc[~c["immersion"], "candidate_id"])
    vae = set(c.loc[c["access_route"] == "VAE", "candidate_id"])
    assert not set(employer["candidate_id"]) & without
    assert not set(employer["candidate_id"]) & vae
    # with an immersion: one employer row per competency
    per_candidate = employer.groupby("candidate_id").size()
    assert set(per_candidate.index) == set(c.loc[c["immersion"], "candidate_id"])
    assert (per_candidate == len(CODES)).all()


# --- scores ----------------------------------------------------------------------------------
def test_scores_are_on_the_scale_and_codes_canonical(demo):
    s = demo.scores
    assert s["score"].dropna().between(0, 4).all()
    assert set(s["competency"]) == set(CODES)
    assert set(s["evaluator"]) == {"jury", "entreprise"}
    assert not s.duplicated(["candidate_id", "competency", "evaluator", "session_date"]).any()


def test_session_dates_are_days_of_the_cohort_year(demo):
    s = demo.scores.merge(demo.candidates[["candidate_id", "cohort"]], on="candidate_id")
    assert (s["session_date"].dt.year == s["cohort"].str[:4].astype(int)).all()
    assert (s["session_date"] == s["session_date"].dt.normalize()).all()
    # the employer grid is signed before the jury's first session
    first = s.groupby(["candidate_id", "evaluator"])["session_date"].min().unstack()
    both = first.dropna()
    assert (both["entreprise"] < both["jury"]).all()


def test_absences_exist(demo):
    j = jury(demo)
    assert 0 < j["score"].isna().sum() < 0.05 * len(j)
    # some competencies have no jury row at all
    pairs = j[["candidate_id", "competency"]].drop_duplicates()
    assert len(pairs) < len(demo.candidates) * len(CODES)


def test_retakes_follow_a_failure_with_a_later_date(demo):
    j = jury(demo).sort_values("session_date", kind="stable")
    key = ["candidate_id", "competency"]
    first = j.drop_duplicates(key, keep="first").set_index(key)
    retakes = j[j.duplicated(key, keep="first")].set_index(key)
    assert len(retakes) > 20
    assert retakes.index.is_unique  # at most one retake
    before = first.loc[retakes.index]
    assert (retakes["session_date"] > before["session_date"]).all()
    assert (retakes["session_date"].dt.month == 9).all()
    # only what was failed (score < 2) or missed is retaken
    assert before["score"].lt(2).fillna(True).all()
    # usually better: some flip to acquired, a few stay failed
    passed = retakes["score"].ge(2).fillna(False).astype(bool)
    assert passed.mean() > 0.5
    assert (~passed).sum() > 0
    paired = retakes["score"].notna() & before["score"].notna()
    assert retakes.loc[paired, "score"].mean() > before.loc[paired, "score"].mean()


def test_employer_is_more_lenient_than_the_jury_on_paired_scores(demo):
    key = ["candidate_id", "competency"]
    first_jury = jury(demo).sort_values("session_date").drop_duplicates(key, keep="first")
    employer = demo.scores[demo.scores["evaluator"] == "entreprise"]
    paired = first_jury.merge(employer, on=key, suffixes=("_jury", "_entreprise")).dropna(
        subset=["score_jury", "score_entreprise"]
    )
    assert len(paired) > 1000
    assert paired["score_entreprise"].mean() >= paired["score_jury"].mean()
    # correlated, not independent
    assert np.corrcoef(paired["score_jury"], paired["score_entreprise"])[0, 1] > 0.5


def test_block_b3_is_harder_than_b1(demo):
    j = jury(demo)
    by_block = j.groupby(j["competency"].str[:2])["score"].mean()
    assert by_block["B3"] < by_block["B1"]


def test_title_obtention_per_cohort_is_mixed(demo):
    rate = certified(demo).groupby(demo.candidates.set_index("candidate_id")["cohort"]).mean()
    assert rate.between(0.45, 0.9).all(), rate


# --- insertion survey ---------------------------------------------------------------------------
def test_insertion_uses_every_status_and_both_horizons(demo):
    i = demo.insertion
    assert set(i["status"]) == set(INSERTION_STATUSES)
    assert set(i["horizon_months"]) == {6, 24}
    for _, answers in i.groupby("horizon_months"):
        assert answers["status"].value_counts().index[0] == "emploi_metier_vise"
    assert not i.duplicated(["candidate_id", "horizon_months"]).any()


def test_insertion_surveys_certified_candidates(demo):
    i = demo.insertion
    ok = certified(demo)
    six = set(i.loc[i["horizon_months"] == 6, "candidate_id"])
    assert six == set(ok[ok].index)
    cohort = demo.candidates.set_index("candidate_id")["cohort"]
    years_24 = cohort.loc[list(i.loc[i["horizon_months"] == 24, "candidate_id"])].str[:4]
    assert set(years_24) == {"2023"}  # only cohorts at least two years old


# --- files -----------------------------------------------------------------------------------
def test_files_follow_french_excel_conventions(tmp_path, demo):
    paths = write_dataset(demo, tmp_path)
    assert [p.name for p in paths] == [
        "candidates.csv",
        "jury.csv",
        "entreprise.csv",
        "insertion.csv",
    ]
    for path in paths:
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        assert raw.endswith(b"\r\n")
        assert b"\n" not in raw.replace(b"\r\n", b"")
    header = (tmp_path / "jury.csv").read_bytes().decode("utf-8-sig").split("\r\n")[0]
    assert header == ";".join(["candidate_id", "session_date", *CODES])
    candidates = read_csv(tmp_path / "candidates.csv")
    assert list(candidates.columns) == [
        "cohort",
        "candidate_id",
        "access_route",
        "immersion",
        "site",
    ]
    assert set(candidates["immersion"]) == {"oui", "non"}
    assert list(read_csv(tmp_path / "insertion.csv").columns) == [
        "candidate_id",
        "horizon_months",
        "status",
    ]


def test_wide_files_hold_every_score_with_retakes_as_second_rows(tmp_path, demo):
    write_dataset(demo, tmp_path, layout="wide")
    for evaluator in ("jury", "entreprise"):
        wide = read_csv(tmp_path / f"{evaluator}.csv")
        assert wide["session_date"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
        long = wide.melt(["candidate_id", "session_date"], var_name="competency")
        long = long[long["value"] != ""]
        expected = demo.scores[
            (demo.scores["evaluator"] == evaluator) & demo.scores["score"].notna()
        ]
        got = set(zip(long["candidate_id"], long["competency"], long["session_date"],
                      long["value"].astype(int), strict=True))  # fmt: skip
        want = set(zip(expected["candidate_id"], expected["competency"],
                       expected["session_date"].dt.strftime("%Y-%m-%d"),
                       expected["score"].astype(int), strict=True))  # fmt: skip
        assert got == want
    jury_wide = read_csv(tmp_path / "jury.csv")
    repeated = jury_wide[jury_wide["candidate_id"].duplicated(keep=False)]
    assert len(repeated) > 0
    for _, rows in repeated.groupby("candidate_id"):  # a few candidates
        assert len(rows) == 2
        first, retake = rows.iloc[0], rows.iloc[1]
        assert retake["session_date"] > first["session_date"]
        filled = [code for code in CODES if retake[code] != ""]
        assert 0 < len(filled) <= len(CODES) // 2
        assert all(first[code] == "" or int(first[code]) < 2 for code in filled)


def test_long_file_round_trips(tmp_path, demo):
    paths = write_dataset(demo, tmp_path, layout="long")
    assert [p.name for p in paths] == ["candidates.csv", "scores.csv", "insertion.csv"]
    back = pd.read_csv(
        tmp_path / "scores.csv",
        sep=";",
        encoding="utf-8-sig",
        dtype={"score": "Int8"},
        parse_dates=["session_date"],
    )
    pd.testing.assert_frame_equal(back, demo.scores.reset_index(drop=True))


def test_unknown_layout_is_refused(tmp_path, demo):
    with pytest.raises(ValueError, match="layout"):
        write_dataset(demo, tmp_path, layout="pivot")


# --- large -------------------------------------------------------------------------------------
def test_generate_large_shape_and_dtypes():
    n = 10_000
    data = generate_large(n)
    c, s = data.candidates, data.scores
    assert len(c) == n and c["candidate_id"].is_unique
    # jury: every competency (a few unrecorded, a few retakes); employer: with immersion
    employer = s["evaluator"] == "entreprise"
    assert employer.sum() == len(CODES) * c["immersion"].sum()
    assert 0.97 * len(CODES) * n < (~employer).sum() < 1.1 * len(CODES) * n
    assert 1.7 * len(CODES) * n < len(s) < 2 * len(CODES) * n
    for frame, columns in (
        (c, ["cohort", "candidate_id", "access_route", "site"]),
        (s, ["candidate_id", "competency", "evaluator"]),
        (data.insertion, ["candidate_id", "status"]),
    ):
        for column in columns:
            assert isinstance(frame[column].dtype, pd.CategoricalDtype), column
    assert c["immersion"].dtype == bool
    assert str(s["score"].dtype) == "Int8"
    assert s["session_date"].dtype == "datetime64[us]"
    assert s["score"].dropna().between(0, 4).all()
    assert set(c["access_route"]) == set(ACCESS_ROUTES)
    assert not c.loc[c["access_route"] == "VAE", "immersion"].any()
    assert set(data.insertion["horizon_months"]) == {6, 24}


def test_generate_large_is_deterministic_and_sized_by_cohorts():
    a = generate_large(200, seed=3, n_cohorts=4)
    b = generate_large(200, seed=3, n_cohorts=4)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    assert a.candidates["cohort"].nunique() == 4
    assert not generate_large(200, seed=4, n_cohorts=4).scores.equals(a.scores)
