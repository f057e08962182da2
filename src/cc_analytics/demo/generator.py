"""Synthetic certification results: a small realistic demo and large benchmark datasets.

Both generators draw from the same seeded model (``numpy.random.default_rng``), fully
vectorised:

- each candidate has a latent ability (normal; its mean depends on the access route and on
  the cohort), each competency a difficulty (block B3 harder than B2, harder than B1);
- a candidate × competency "true" level is ability − difficulty + noise; the jury sees it with
  some noise, the employer (co-validation, only when the candidate has an immersion) with
  its own noise and about +0.3 of leniency; ordinal scores 0–4 are cuts of these latent values;
- a few jury scores are missing (absent: a row with an empty score; or not recorded: no row);
- candidates who failed (score below the threshold) or were absent on some competencies
  usually come back to a later session (September) for those competencies only, with a better
  expected level; some of them then pass, a few still fail;
- the certified candidates (every competency acquired after retakes) answer an insertion
  survey at 6 months, and at 24 months for cohorts at least two years old (the demo's
  reference date is early in the year after its last cohort), using every survey status.

:func:`generate_demo` gives the demo dataset shipped in ``data/raw/demo`` (and in the package,
as ``cc_analytics/demo/datasets/demo``) (6 cohorts, 3 years,
2 sites), :func:`generate_large` a dataset of any size for benchmarks, and
:func:`write_dataset` writes either as a school keeps its files (French Excel CSV).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.atomic import write_text
from ..core.labels import ACCESS_ROUTES, INSERTION_STATUSES, NO, YES
from ..core.labels import EVALUATORS as EVALUATOR_LABELS
from ..referentiel import Referentiel, load
from ..referentiel.codes import sort_key

ROUTES: tuple[str, ...] = tuple(ACCESS_ROUTES)
EVALUATORS: tuple[str, ...] = tuple(EVALUATOR_LABELS)
STATUSES: tuple[str, ...] = tuple(INSERTION_STATUSES)
#: What ``pd.to_datetime`` gives for ISO dates, so that a written and re-read dataset compares
#: equal; the values themselves are whole days.
DATE_DTYPE = "datetime64[us]"

# -- the model's parameters ------------------------------------------------------------------
#: Share of each access route among candidates (the demo also reserves one seat per route in
#: every cohort).
ROUTE_SHARES = {"FI": 0.20, "CA": 0.34, "FC": 0.14, "CQ": 0.20, "CL": 0.06, "VAE": 0.06}
#: Probability of an immersion in a company, by route: work-study contracts always have one,
#: VAE candidates never (they are assessed on their past experience).
IMMERSION_RATE = {"FI": 0.9, "CA": 1.0, "FC": 0.7, "CQ": 1.0, "CL": 0.4, "VAE": 0.0}
#: Mean latent ability by route (standard deviation ``ABILITY_SD``).
ROUTE_ABILITY = {"FI": 0.0, "CA": 0.2, "FC": 0.0, "CQ": 0.15, "CL": -0.3, "VAE": 0.25}
ABILITY_SD = 0.8
COHORT_SD = 0.2
#: Difficulty of the first and of the last block; blocks in between are spaced evenly and
#: each competency adds a little noise (``DIFFICULTY_SD``).
BLOCK_DIFFICULTY = (-0.5, 0.4)
DIFFICULTY_SD = 0.15
CELL_SD = 0.45  # candidate × competency level around ability − difficulty
JURY_SD = 0.35
EMPLOYER_SD = 0.45
EMPLOYER_LENIENCY = 0.3
RETAKE_GAIN = 0.6  # expected progress between the first session and the retake
#: Latent cut points between the scores 0|1, 1|2, 2|3 and 3|4.
CUTS = (-2.5, -1.3, 0.2, 1.4)
#: Share of candidates who come back for a retake (among those with something to retake and
#: no more than half of the competencies failed).
RETAKE_RATE = 0.85
#: Insertion survey: share of each status at 6 and 24 months, before the tilt by ability.
STATUS_SHARES: dict[int, dict[str, float]] = {
    6: {
        "emploi_metier_vise": 0.42, "emploi_autre": 0.14, "recherche_emploi": 0.14,
        "poursuite_etudes": 0.08, "alternance": 0.05, "impossibilite": 0.02, "etranger": 0.02,
        "non_repondant": 0.13,
    },
    24: {
        "emploi_metier_vise": 0.55, "emploi_autre": 0.15, "recherche_emploi": 0.07,
        "poursuite_etudes": 0.04, "alternance": 0.02, "impossibilite": 0.02, "etranger": 0.03,
        "non_repondant": 0.12,
    },
}  # fmt: skip
#: How much a better candidate leans towards a job in the targeted occupation (log-odds per
#: standard deviation of ability), and away from job seeking.
STATUS_TILT = {"emploi_metier_vise": 0.5, "recherche_emploi": -0.4}

DEMO_YEARS = (2023, 2024, 2025)
#: Demo sites: (name, cohort id suffix, candidate id letter).
DEMO_SITES = (("Lyon", "LYON", "L"), ("Nantes", "NANTES", "N"))
DEMO_COHORT_SIZE = (15, 40)
#: Demo rates of absences (empty jury score), unrecorded jury scores (no row), blank employer
#: scores; ``generate_large`` uses a fifth of them.
DEMO_RATES = {"absent": 0.006, "unrecorded": 0.002, "blank": 0.01}


@dataclass(frozen=True)
class Dataset:
    """The three canonical tables of certification results, typed.

    - ``candidates``: ``cohort``, ``candidate_id``, ``access_route``, ``site`` (text) and
      ``immersion`` (bool), one row per candidate;
    - ``scores``: ``candidate_id``, ``competency`` (canonical code), ``evaluator`` (``jury`` or
      ``entreprise``), ``score`` (``Int8``, 0–4, ``<NA>`` = absent / not evaluated),
      ``session_date`` (``datetime64``, whole days); a retake is a second jury row with a later
      date;
    - ``insertion``: ``candidate_id``, ``horizon_months`` (6 or 24), ``status`` (one of
      :data:`cc_analytics.core.labels.INSERTION_STATUSES`).

    Text columns have the ``str`` dtype in the demo; :func:`generate_large` uses ``category``
    to save memory.
    """

    candidates: pd.DataFrame
    scores: pd.DataFrame
    insertion: pd.DataFrame


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------
def generate_demo(seed: int = 2026, referentiel: Referentiel | None = None) -> Dataset:
    """The demo dataset: 6 cohorts (2023–2025, Lyon and Nantes) of 15–40 candidates each.

    Every access route is present in every cohort; candidate ids are pseudonymous
    (``C23L001``: year, site letter, number). Deterministic for a given ``seed``.

    >>> data = generate_demo()
    >>> sorted(data.candidates["cohort"].unique())[:2]
    ['2023-LYON', '2023-NANTES']
    """
    referentiel = referentiel if referentiel is not None else load()
    rng = np.random.default_rng(seed)
    n_sites = len(DEMO_SITES)
    cohort_year = np.repeat(np.array(DEMO_YEARS), n_sites)
    cohort_site = np.tile(np.arange(n_sites), len(DEMO_YEARS))
    low, high = DEMO_COHORT_SIZE
    sizes = rng.integers(low, high + 1, size=len(cohort_year))
    cohort = np.repeat(np.arange(len(cohort_year)), sizes)

    # one seat per route in every cohort, the other seats drawn from the route shares,
    # then shuffled within the cohort so that ids do not follow the route
    n_routes = len(ROUTES)
    route = np.concatenate(
        [
            np.tile(np.arange(n_routes), sizes.size),
            rng.choice(n_routes, size=int(sizes.sum()) - n_routes * sizes.size, p=_shares()),
        ]
    )
    seat_cohort = np.concatenate(
        [
            np.repeat(np.arange(sizes.size), n_routes),
            np.repeat(np.arange(sizes.size), sizes - n_routes),
        ]
    )
    shuffle = rng.random(route.size)
    route = route[np.lexsort((shuffle, seat_cohort))].astype(np.int8)

    number = np.arange(cohort.size) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1
    letters = np.array([letter for _, _, letter in DEMO_SITES])
    prefix = np.strings.add(
        np.strings.add("C", (cohort_year % 100).astype(str)), letters[cohort_site]
    )
    ids = np.strings.add(prefix[cohort], np.strings.zfill(number.astype(str), 3))
    cohort_ids = np.strings.add(
        np.strings.add(cohort_year.astype(str), "-"),
        np.array([suffix for _, suffix, _ in DEMO_SITES])[cohort_site],
    )
    site_names = [name for name, _, _ in DEMO_SITES]

    return _generate(
        rng,
        referentiel,
        cohort=cohort,
        route=route,
        cohort_year=cohort_year,
        cohort_site=cohort_site,
        cohort_ids=cohort_ids,
        site_names=site_names,
        candidate_ids=ids,
        rates=DEMO_RATES,
        categorical=False,
    )


def generate_large(
    n_candidates: int,
    seed: int = 0,
    referentiel: Referentiel | None = None,
    n_cohorts: int | None = None,
) -> Dataset:
    """A dataset of ``n_candidates`` for benchmarks, same model and tables as the demo.

    Every candidate has a jury score for every competency and, with an immersion, an employer
    score too (≈ 2 × 20 × ``n_candidates`` score rows), plus retakes, and absences at a fifth
    of the demo's rates. Cohorts (default: about 30 candidates each, consecutive ids) run over
    2023–2025, three per site (``2024-S0001``); candidate ids are ``C0000001``… Score rows
    come grouped: first jury session, then employer grids, then retakes.

    To keep memory modest, every text column is ``category`` (built from integer codes, never
    from a Python string per row): about 16 bytes per score row, so 1,000,000 candidates
    (~38 M rows) take ~0.65 GB, built in a few seconds with a peak of about twice that.
    """
    if n_candidates < 1:
        raise ValueError("n_candidates must be positive")
    referentiel = referentiel if referentiel is not None else load()
    rng = np.random.default_rng(seed)
    if n_cohorts is None:
        n_cohorts = max(1, round(n_candidates / 30))
    n_cohorts = max(1, min(int(n_cohorts), n_candidates))
    n_years = len(DEMO_YEARS)
    cohort_year = DEMO_YEARS[0] + np.arange(n_cohorts) % n_years
    cohort_site = np.arange(n_cohorts) // n_years
    n_sites = int(cohort_site[-1]) + 1
    width = max(4, len(str(n_sites)))
    site_names = np.strings.add("S", np.strings.zfill(np.arange(1, n_sites + 1).astype(str), width))
    cohort_ids = np.strings.add(
        np.strings.add(cohort_year.astype(str), "-"), site_names[cohort_site]
    )
    cohort = (np.arange(n_candidates, dtype=np.int64) * n_cohorts // n_candidates).astype(
        _code_dtype(n_cohorts)
    )
    route = rng.choice(len(ROUTES), size=n_candidates, p=_shares()).astype(np.int8)
    width = max(7, len(str(n_candidates)))
    ids = np.strings.add("C", np.strings.zfill(np.arange(1, n_candidates + 1).astype(str), width))
    rates = {key: value / 5 for key, value in DEMO_RATES.items()}
    return _generate(
        rng,
        referentiel,
        cohort=cohort,
        route=route,
        cohort_year=cohort_year,
        cohort_site=cohort_site,
        cohort_ids=cohort_ids,
        site_names=site_names,
        candidate_ids=ids,
        rates=rates,
        categorical=True,
    )


def write_dataset(
    data: Dataset,
    folder: str | Path,
    layout: str = "wide",
    referentiel: Referentiel | None = None,
) -> list[Path]:
    """Write ``data`` as a school keeps it: CSV files as French Excel saves them.

    Semicolon-separated, UTF-8 with a byte-order mark, CRLF line ends, ISO dates
    (``YYYY-MM-DD``), ``oui``/``non`` for booleans, an empty cell for a missing value:

    - ``candidates.csv`` and ``insertion.csv``, canonical column names;
    - ``layout="wide"``: ``jury.csv`` and ``entreprise.csv``, one row per candidate and
      session (``candidate_id;session_date;B1A1C1;…``), an empty cell for a competency not
      evaluated; a retake is a second row of the same candidate with the later date and only
      the retaken competencies filled. Competency columns follow ``referentiel`` when given,
      else the codes found in the scores, in natural order;
    - ``layout="long"``: ``scores.csv``, one row per score, canonical columns.

    Each file is written atomically; the same data gives the same bytes. Returns the paths
    written. Files of the other layout already in ``folder`` are left alone.
    """
    if layout not in ("wide", "long"):
        raise ValueError(f"layout must be 'wide' or 'long', not {layout!r}")
    folder = Path(folder)
    files: dict[str, str] = {"candidates.csv": _csv(_candidates_table(data.candidates))}
    scores = _scores_table(data.scores)
    if layout == "wide":
        codes = _competency_columns(scores["competency"], referentiel)
        order = pd.Index(data.candidates["candidate_id"].astype(str))
        for evaluator in EVALUATORS:
            subset = scores[scores["evaluator"] == evaluator]
            files[f"{evaluator}.csv"] = _csv(_wide(subset, codes, order))
    else:
        files["scores.csv"] = _csv(scores)
    files["insertion.csv"] = _csv(data.insertion.astype({"candidate_id": str, "status": str}))
    paths = []
    for name, text in files.items():
        path = folder / name
        write_text(path, text)
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Scores:
    """Simulated scores as candidate × competency matrices (rows of the long table later)."""

    jury: np.ndarray  # int8 (n, k), first jury session
    absent: np.ndarray  # bool (n, k): a jury row with an empty score
    unrecorded: np.ndarray  # bool (n, k): no jury row at all
    with_immersion: np.ndarray  # int32 positions of the candidates with an employer grid
    employer: np.ndarray  # int8 (len(with_immersion), k)
    blank: np.ndarray  # bool, same shape: an employer row with an empty score
    retake_candidate: np.ndarray  # int32 positions: one retake row each
    retake_competency: np.ndarray
    retake: np.ndarray  # int8 scores of the retake rows
    retake_absent: np.ndarray  # bool
    certified: np.ndarray  # bool (n,): every competency acquired after the retakes


def _generate(
    rng: np.random.Generator,
    referentiel: Referentiel,
    *,
    cohort: np.ndarray,
    route: np.ndarray,
    cohort_year: np.ndarray,
    cohort_site: np.ndarray,
    cohort_ids: np.ndarray,
    site_names: np.ndarray | list[str],
    candidate_ids: np.ndarray,
    rates: dict[str, float],
    categorical: bool,
) -> Dataset:
    """Draw everything that follows from the candidates' cohort and route; build the tables."""
    n = cohort.size
    n_cohorts = cohort_year.size
    threshold = int(referentiel.threshold)
    competencies = referentiel.competencies

    immersion = rng.random(n, dtype=np.float32) < _by_route(IMMERSION_RATE)[route]
    ability = rng.standard_normal(n, dtype=np.float32) * np.float32(ABILITY_SD)
    ability += _by_route(ROUTE_ABILITY)[route]
    ability += (rng.standard_normal(n_cohorts) * COHORT_SD).astype(np.float32)[cohort]
    difficulty = _difficulty(rng, competencies["block"])
    employer_date, jury_date, retake_date = _session_dates(rng, cohort_year, cohort)

    simulated = _simulate_scores(rng, ability, immersion, difficulty, threshold, rates)

    id_dtype = pd.CategoricalDtype(pd.Index(candidate_ids, dtype="str"))
    site_of_candidate = cohort_site[cohort]
    candidates = pd.DataFrame(
        {
            "cohort": pd.Categorical.from_codes(cohort, dtype=_categories(cohort_ids)),
            "candidate_id": pd.Categorical.from_codes(
                np.arange(n, dtype=_code_dtype(n)), dtype=id_dtype
            ),
            "access_route": pd.Categorical.from_codes(route, dtype=_categories(ROUTES)),
            "immersion": immersion,
            "site": pd.Categorical.from_codes(site_of_candidate, dtype=_categories(site_names)),
        }
    )
    scores = _score_frame(
        simulated,
        (jury_date, employer_date, retake_date),
        id_dtype,
        competencies["code"],
        sort=not categorical,
    )
    insertion = _insertion(
        rng,
        ability,
        simulated.certified,
        cohort_year[cohort],
        id_dtype,
        ensure_every_status=not categorical,
    )
    if not categorical:
        candidates = _as_text(candidates)
        scores = _as_text(scores)
        insertion = _as_text(insertion)
    return Dataset(candidates=candidates, scores=scores, insertion=insertion)


def _simulate_scores(
    rng: np.random.Generator,
    ability: np.ndarray,
    immersion: np.ndarray,
    difficulty: np.ndarray,
    threshold: int,
    rates: dict[str, float],
) -> _Scores:
    """Jury, employer and retake scores; and who is certified after the retakes."""
    n, k = ability.size, difficulty.size
    level = ability[:, None] - difficulty[None, :]
    level += _normal(rng, (n, k), CELL_SD)

    latent = _normal(rng, (n, k), JURY_SD)
    latent += level
    jury = _ordinal(latent)
    del latent
    absent = _sparse_mask(rng, (n, k), rates["absent"])
    unrecorded = _sparse_mask(rng, (n, k), rates["unrecorded"]) & ~absent

    with_immersion = np.flatnonzero(immersion).astype(np.int32)
    latent = _normal(rng, (with_immersion.size, k), EMPLOYER_SD)
    latent += level[with_immersion]
    latent += np.float32(EMPLOYER_LENIENCY)
    employer = _ordinal(latent)
    del latent
    blank = _sparse_mask(rng, employer.shape, rates["blank"])

    # retakes: the failed or absent competencies of a candidate who comes back
    to_retake = jury < threshold
    to_retake |= absent
    to_retake &= ~unrecorded
    n_to_retake = to_retake.sum(axis=1)
    comes_back = (n_to_retake > 0) & (n_to_retake <= k // 2)
    comes_back &= rng.random(n, dtype=np.float32) < RETAKE_RATE
    to_retake &= comes_back[:, None]
    retake_candidate, retake_competency = np.nonzero(to_retake)
    del to_retake
    latent = _normal(rng, retake_candidate.size, JURY_SD)
    latent += level[retake_candidate, retake_competency]
    latent += np.float32(RETAKE_GAIN)
    retake = _ordinal(latent)
    del latent, level
    retake_absent = _sparse_mask(rng, retake.shape, rates["absent"])

    acquired = jury >= threshold
    acquired &= ~absent
    acquired &= ~unrecorded
    acquired[retake_candidate, retake_competency] = (retake >= threshold) & ~retake_absent
    certified = acquired.all(axis=1)
    del acquired
    return _Scores(
        jury=jury,
        absent=absent,
        unrecorded=unrecorded,
        with_immersion=with_immersion,
        employer=employer,
        blank=blank,
        retake_candidate=retake_candidate.astype(np.int32),
        retake_competency=retake_competency.astype(_code_dtype(k)),
        retake=retake,
        retake_absent=retake_absent,
        certified=certified,
    )


def _score_frame(
    simulated: _Scores,
    dates: tuple[np.ndarray, np.ndarray, np.ndarray],
    id_dtype: pd.CategoricalDtype,
    codes: pd.Series,
    sort: bool,
) -> pd.DataFrame:
    """The long score table, filled in place to keep the memory peak low.

    Rows come as three parts: first jury session, employer grids, retakes; ``sort`` then
    orders them by candidate, evaluator, date and competency (the demo).
    """
    s = simulated
    n, k = s.jury.shape
    recorded = ~s.unrecorded
    per_candidate = recorded.sum(axis=1)
    n_jury = int(per_candidate.sum())
    n_employer = s.employer.size
    total = n_jury + n_employer + s.retake.size
    candidate = np.empty(total, dtype=np.int32)
    competency = np.empty(total, dtype=_code_dtype(k))
    evaluator = np.zeros(total, dtype=np.int8)
    value = np.empty(total, dtype=np.int8)
    missing = np.empty(total, dtype=bool)
    date = np.empty(total, dtype=DATE_DTYPE)
    jury_date, employer_date, retake_date = (d.astype(DATE_DTYPE) for d in dates)
    every_competency = np.arange(k, dtype=competency.dtype)

    part = slice(0, n_jury)
    candidate[part] = np.repeat(np.arange(n, dtype=np.int32), per_candidate)
    np.compress(recorded.ravel(), np.tile(every_competency, n), out=competency[part])
    np.compress(recorded.ravel(), s.jury.ravel(), out=value[part])
    np.compress(recorded.ravel(), s.absent.ravel(), out=missing[part])
    np.take(jury_date, candidate[part], mode="clip", out=date[part])
    del recorded

    part = slice(n_jury, n_jury + n_employer)
    candidate[part].reshape(-1, k)[:] = s.with_immersion[:, None]
    competency[part].reshape(-1, k)[:] = every_competency
    evaluator[part] = 1
    value[part] = s.employer.ravel()
    missing[part] = s.blank.ravel()
    np.take(employer_date, candidate[part], mode="clip", out=date[part])

    part = slice(n_jury + n_employer, total)
    candidate[part] = s.retake_candidate
    competency[part] = s.retake_competency
    value[part] = s.retake
    missing[part] = s.retake_absent
    np.take(retake_date, candidate[part], mode="clip", out=date[part])

    value[missing] = 0  # the values under <NA> are not data: keep them fixed
    if sort:
        order = np.lexsort((competency, date, evaluator, candidate))
        candidate, competency, evaluator = candidate[order], competency[order], evaluator[order]
        value, missing, date = value[order], missing[order], date[order]
    return pd.DataFrame(
        {
            "candidate_id": pd.Categorical.from_codes(
                candidate.astype(_code_dtype(len(id_dtype.categories)), copy=False),
                dtype=id_dtype,
            ),
            "competency": pd.Categorical.from_codes(competency, dtype=_categories(codes)),
            "evaluator": pd.Categorical.from_codes(evaluator, dtype=_categories(EVALUATORS)),
            "score": pd.arrays.IntegerArray(value, missing),
            "session_date": date,
        },
        copy=False,
    )


def _insertion(
    rng: np.random.Generator,
    ability: np.ndarray,
    certified: np.ndarray,
    year: np.ndarray,
    id_dtype: pd.CategoricalDtype,
    ensure_every_status: bool,
) -> pd.DataFrame:
    """Survey answers of the certified candidates, at 6 months and (older cohorts) 24."""
    standard = (ability - ability.mean()) / max(float(ability.std()), 1e-9)
    parts = []
    for horizon, shares in STATUS_SHARES.items():
        surveyed = certified if horizon == 6 else certified & (year <= year.max() - 2)
        who = np.flatnonzero(surveyed)
        logits = np.log(np.array([shares[s] for s in STATUSES]))[None, :].repeat(who.size, 0)
        for status, tilt in STATUS_TILT.items():
            logits[:, STATUSES.index(status)] += tilt * standard[who]
        status = np.argmax(logits + rng.gumbel(size=logits.shape), axis=1).astype(np.int8)
        parts.append((who, np.full(who.size, horizon, dtype=np.int64), status))
    who, horizon, status = (np.concatenate(columns) for columns in zip(*parts, strict=True))
    if ensure_every_status:
        status = _with_every_status(rng, status)
    return pd.DataFrame(
        {
            "candidate_id": pd.Categorical.from_codes(
                who.astype(_code_dtype(len(id_dtype.categories))), dtype=id_dtype
            ),
            "horizon_months": horizon,
            "status": pd.Categorical.from_codes(status, dtype=_categories(STATUSES)),
        }
    )


def _with_every_status(rng: np.random.Generator, status: np.ndarray) -> np.ndarray:
    """Give each status that was not drawn to one answer of a status drawn several times.

    A small demo could miss a rare status by chance; reports must show them all.
    """
    status = status.copy()
    for code in range(len(STATUSES)):  # a handful of statuses
        if (status == code).any():
            continue
        counts = np.bincount(status, minlength=len(STATUSES))
        donors = np.flatnonzero(counts[status] > 1)
        if donors.size:
            status[rng.choice(donors)] = code
    return status


def _session_dates(
    rng: np.random.Generator, cohort_year: np.ndarray, cohort: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-candidate dates (working days of the cohort year): employer grid, jury, retake.

    The jury of a cohort sits over three days in June; the employer grid is signed two to
    four weeks before; the retake session is a two-day session in September.
    """
    n_cohorts, n = cohort_year.size, cohort.size
    year_start = (cohort_year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    june = year_start + np.timedelta64(159, "D") + rng.integers(0, 15, n_cohorts)
    september = year_start + np.timedelta64(250, "D") + rng.integers(0, 10, n_cohorts)
    jury_start = np.busday_offset(june, 0, roll="forward")
    retake_start = np.busday_offset(september, 0, roll="forward")
    jury = np.busday_offset(jury_start[cohort], rng.integers(0, 3, n))
    employer = np.busday_offset(jury_start[cohort], -rng.integers(10, 21, n))
    retake = np.busday_offset(retake_start[cohort], rng.integers(0, 2, n))
    return employer, jury, retake


def _difficulty(rng: np.random.Generator, blocks: pd.Series) -> np.ndarray:
    """Competency difficulties: evenly spaced by block (in referentiel order) plus noise."""
    order = pd.Index(pd.unique(blocks))
    position = order.get_indexer(blocks)
    first, last = BLOCK_DIFFICULTY
    step = (last - first) / max(len(order) - 1, 1)
    difficulty = first + step * position + rng.standard_normal(position.size) * DIFFICULTY_SD
    return difficulty.astype(np.float32)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------
def _shares() -> np.ndarray:
    shares = np.array([ROUTE_SHARES[route] for route in ROUTES])
    return shares / shares.sum()


def _by_route(values: dict[str, float]) -> np.ndarray:
    return np.array([values[route] for route in ROUTES], dtype=np.float32)


def _normal(rng: np.random.Generator, shape: int | tuple[int, ...], sd: float) -> np.ndarray:
    out = rng.standard_normal(shape, dtype=np.float32)
    out *= np.float32(sd)
    return out


def _ordinal(latent: np.ndarray) -> np.ndarray:
    """Scores 0..4: how many cut points the latent value exceeds."""
    scores = np.zeros(latent.shape, dtype=np.int8)
    for cut in CUTS:
        scores += latent > np.float32(cut)
    return scores


def _sparse_mask(rng: np.random.Generator, shape: int | tuple[int, ...], rate: float) -> np.ndarray:
    """A boolean array with about ``rate`` of its cells True, drawn without a full uniform."""
    mask = np.zeros(shape, dtype=bool)
    if rate > 0 and mask.size:
        count = rng.binomial(mask.size, rate)
        mask.flat[rng.integers(0, mask.size, count)] = True
    return mask


def _code_dtype(n_categories: int) -> type[np.signedinteger]:
    """The integer type pandas uses for the codes of ``n_categories`` categories."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_categories < np.iinfo(dtype).max:
            return dtype
    return np.int64


def _categories(values: object) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(pd.Index(np.asarray(values).astype(str), dtype="str"))


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as plain ``str`` columns (the demo's canonical form)."""
    kinds = {name: "str" for name, dtype in frame.dtypes.items() if dtype == "category"}
    return frame.astype(kinds)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
def _csv(frame: pd.DataFrame) -> str:
    """French Excel CSV text: BOM, semicolons, CRLF, empty cells for missing values."""
    return "\ufeff" + frame.to_csv(sep=";", index=False, lineterminator="\r\n", na_rep="")


def _iso(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates).dt.strftime("%Y-%m-%d")


def _candidates_table(candidates: pd.DataFrame) -> pd.DataFrame:
    table = candidates.astype({c: str for c in candidates.columns if c != "immersion"})
    table["immersion"] = np.where(candidates["immersion"].to_numpy(dtype=bool), YES, NO)
    return table


def _scores_table(scores: pd.DataFrame) -> pd.DataFrame:
    table = scores.astype({"candidate_id": str, "competency": str, "evaluator": str})
    table["session_date"] = _iso(scores["session_date"])
    return table[["candidate_id", "competency", "evaluator", "score", "session_date"]]


def _competency_columns(codes: pd.Series, referentiel: Referentiel | None) -> list[str]:
    found = set(codes.unique())
    if referentiel is None:
        return sorted(found, key=sort_key)
    known = referentiel.competency_codes()
    return known + sorted(found - set(known), key=sort_key)


def _wide(scores: pd.DataFrame, codes: list[str], order: pd.Index) -> pd.DataFrame:
    """One row per candidate and session, one column per competency (empty = no score)."""
    keys = ["candidate_id", "session_date"]
    wide = scores.pivot(index=keys, columns="competency", values="score")
    wide = wide.reindex(columns=codes).reset_index()
    wide.columns.name = None
    wide.insert(0, "_rank", order.get_indexer(wide["candidate_id"]))
    wide = wide.sort_values(["_rank", "session_date"], kind="stable")
    return wide.drop(columns="_rank").reset_index(drop=True)
