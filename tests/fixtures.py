"""Tiny hand-made data whose expected results a person worked out (see test_results.py)."""

from __future__ import annotations

import pandas as pd

from cc_analytics.referentiel import from_dict

SCALE = [{"value": v, "label": str(v)} for v in range(5)]


def tiny_referentiel():
    """Two blocks of two competencies each."""
    return from_dict({
        "title": "Titre essai",
        "scale": SCALE,
        "blocks": [
            {"code": "B1", "label": "Bloc un", "activities": [{"code": "B1A1", "label": "A", "competencies": [
                {"code": "B1A1C1", "label": "Un un"}, {"code": "B1A1C2", "label": "Un deux"}]}]},
            {"code": "B2", "label": "Bloc deux", "activities": [{"code": "B2A1", "label": "B", "competencies": [
                {"code": "B2A1C1", "label": "Deux un"}, {"code": "B2A1C2", "label": "Deux deux"}]}]},
        ],
    })  # fmt: skip


def tiny_candidates() -> pd.DataFrame:
    return pd.DataFrame({
        "cohort": ["X", "X", "X", "Y", "Z"],
        "candidate_id": ["A", "B", "C", "D", "E"],
        "access_route": ["CA", "VAE", "FI", "FC", "CL"],
        "immersion": [True, False, True, True, False],
        "site": ["Lyon", "Lyon", "Lyon", "Nantes", "Nantes"],
    })  # fmt: skip


def tiny_scores() -> pd.DataFrame:
    j, e = "jury", "entreprise"
    june, sept, y25 = "2024-06-01", "2024-09-01", "2025-06-01"
    rows = [
        # A: employer blocks B1A1C1 under co-validation; B1A1C2 retake 1 -> 2 (flips to acquired)
        ("A", "B1A1C1", j, 3, june), ("A", "B1A1C2", j, 1, june), ("A", "B1A1C2", j, 2, sept),
        ("A", "B2A1C1", j, 2, june), ("A", "B2A1C2", j, 4, june),
        ("A", "B1A1C1", e, 1, june), ("A", "B1A1C2", e, 3, june), ("A", "B2A1C2", e, 2, june),
        # B (VAE): B1A1C2 retake 3 -> 1 (flips to not acquired); B2A1C2 never scored
        ("B", "B1A1C1", j, 4, june), ("B", "B1A1C2", j, 3, june), ("B", "B1A1C2", j, 1, sept),
        ("B", "B2A1C1", j, 3, june),
        # C: employer 0 on B1A1C2; B2A1C2 absent (empty jury score), employer-only score there
        ("C", "B1A1C1", j, 2, june), ("C", "B1A1C2", j, 2, june), ("C", "B2A1C1", j, 3, june),
        ("C", "B2A1C2", j, None, june),
        ("C", "B1A1C1", e, 2, june), ("C", "B1A1C2", e, 0, june), ("C", "B2A1C2", e, 4, june),
        # D: alone in cohort Y, everything at 2, no employer score
        ("D", "B1A1C1", j, 2, y25), ("D", "B1A1C2", j, 2, y25), ("D", "B2A1C1", j, 2, y25),
        ("D", "B2A1C2", j, 2, y25),
        # E (cohort Z): no score at all
    ]  # fmt: skip
    return scores_frame(rows)


def scores_frame(rows: list[tuple]) -> pd.DataFrame:
    """Long scores from (candidate, competency, evaluator, score or None, ISO date) rows."""
    frame = pd.DataFrame(rows, columns=["candidate_id", "competency", "evaluator", "score",
                                        "session_date"])  # fmt: skip
    frame["score"] = frame["score"].astype("Int8")
    frame["session_date"] = pd.to_datetime(frame["session_date"])
    return frame


def in_workspace(folder, monkeypatch):
    """Make ``folder`` a workspace (``data/raw/``) and work from it."""
    from cc_analytics.workspace import Workspace

    (folder / "data" / "raw").mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(folder)
    return Workspace(folder.absolute())


def processed_dataset(folder, source=None, referentiel=None):
    """A dataset at ``folder`` (copied from ``source``, default the demo) in the workspace of
    ``folder``'s ``data/raw`` (created when missing), gated and ingested: its catalog."""
    import shutil

    from cc_analytics.demo import DEMO_DATASET
    from cc_analytics.gate.pipeline import prepare
    from cc_analytics.workspace import Workspace

    folder.parent.mkdir(parents=True, exist_ok=True)
    if source is not None or not folder.exists():
        shutil.copytree(source or DEMO_DATASET, folder)
    workspace = Workspace.find(folder)
    catalog = workspace.dataset(folder)
    prepare(catalog, referentiel)
    return catalog
