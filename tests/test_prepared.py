"""Issue 14, item 3: the tables every report reads, computed once per build by the main job and
handed to the report kernels (``reporting.prepared``), never a stale or foreign copy."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cc_analytics.build import run as batch
from cc_analytics.build.config import BuildConfig, DatasetConfig
from cc_analytics.reporting.context import load_context
from cc_analytics.reporting.prepared import DESCRIPTION, write_prepared
from cc_analytics.workspace import Workspace

from .fixtures import processed_dataset


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return processed_dataset(tmp_path_factory.mktemp("ws") / "data" / "raw" / "demo")


def prepared_from(catalog, folder: Path, **options) -> Path:
    ctx = load_context(catalog, **options)
    return write_prepared(ctx.tables, ctx.results, ctx.manifest, ctx.pseudonym_shown, folder)


def same_context(one, other) -> None:
    """Every table, every result and every pseudonym the same."""
    for name in ("candidates", "scores", "insertion"):
        pd.testing.assert_frame_equal(getattr(one.tables, name), getattr(other.tables, name))
    for field in fields(one.results):
        mine, theirs = getattr(one.results, field.name), getattr(other.results, field.name)
        if isinstance(mine, pd.DataFrame):
            pd.testing.assert_frame_equal(mine, theirs)
        elif isinstance(mine, pd.Series):
            pd.testing.assert_series_equal(mine, theirs)
        elif isinstance(mine, pd.Index):
            pd.testing.assert_index_equal(mine, theirs)
        elif isinstance(mine, np.ndarray):
            assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), field.name
        else:
            assert mine == theirs, field.name
    ids = one.tables.candidates["candidate_id"]
    assert one.pseudonym(ids).tolist() == other.pseudonym(ids).tolist()
    assert one.manifest == other.manifest


def test_a_kernel_reads_the_context_the_build_computed(demo, tmp_path):
    folder = prepared_from(demo, tmp_path / "prepared")
    same_context(load_context(demo, prepared=folder), load_context(demo))


def test_the_prepared_tables_are_what_the_kernel_uses(demo, tmp_path):
    """Read from the folder, not computed again: a mark left in the folder's copy shows."""
    folder = prepared_from(demo, tmp_path / "prepared")
    jury = np.load(folder / "results.npz")["jury"]
    arrays = dict(np.load(folder / "results.npz"))
    arrays["jury"] = np.where(jury >= 0, 4, jury).astype(jury.dtype)  # every score an expert's
    np.savez(folder / "results.npz", **arrays)
    ctx = load_context(demo, prepared=folder)
    assert set(np.unique(ctx.results.jury[ctx.results.jury >= 0])) == {4}


def test_a_folder_made_with_other_rules_is_not_used(demo, tmp_path):
    folder = prepared_from(demo, tmp_path / "prepared")  # threshold 2 (the referentiel's)
    strict = load_context(demo, threshold=4, prepared=folder)
    assert strict.rules.threshold == 4
    same_context(strict, load_context(demo, threshold=4))
    # and the difference is real: a 2 or a 3 acquires at threshold 2, not at 4
    assert strict.results.acquired.sum() < load_context(demo).results.acquired.sum()


def test_a_folder_of_tables_processed_since_is_not_used(demo, tmp_path):
    folder = prepared_from(demo, tmp_path / "prepared")
    description = json.loads((folder / DESCRIPTION).read_text(encoding="utf-8"))
    description["manifest"]["inputs"]["jury.csv"] = "0" * 64  # made from other raw files
    (folder / DESCRIPTION).write_text(json.dumps(description), encoding="utf-8")
    arrays = dict(np.load(folder / "results.npz"))
    arrays["acquired"] = np.zeros_like(arrays["acquired"])
    np.savez(folder / "results.npz", **arrays)
    ctx = load_context(demo, prepared=folder)
    assert ctx.results.acquired.any()
    same_context(ctx, load_context(demo))


@pytest.mark.parametrize("damage", ["missing", "garbage", "no arrays", "a pickle"])
def test_a_missing_or_damaged_folder_is_computed_instead(demo, tmp_path, damage):
    folder = prepared_from(demo, tmp_path / "prepared")
    if damage == "missing":
        folder = tmp_path / "gone"
    elif damage == "garbage":
        (folder / DESCRIPTION).write_text("{not json", encoding="utf-8")
    elif damage == "no arrays":
        (folder / "results.npz").unlink()
    else:  # an object array needs pickle to load: refused, never run
        arrays = dict(np.load(folder / "results.npz"))
        arrays["competencies"] = np.array([object()] * 2, dtype=object)
        np.savez(folder / "results.npz", **arrays)
    same_context(load_context(demo, prepared=folder), load_context(demo))


# -- the main job -------------------------------------------------------------------------------
class Recording:
    """Stands for ``run_job``: notes the folder each report was given and what is in it."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Path | None, bool]] = []
        self.lock = threading.Lock()

    def __call__(self, job: batch.Job) -> batch.Outcome:
        folder = job.request.prepared
        with self.lock:
            self.seen.append((job.label, folder, bool(folder and (folder / DESCRIPTION).is_file())))
        out = job.request.out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(f"<p>{job.label}</p>", encoding="utf-8")
        return batch.Outcome(job.dataset, job.label, job.request.kind, str(out), "built", 0.1)


def test_the_build_hands_one_folder_to_every_report_then_removes_it(tmp_path, monkeypatch):
    catalog = processed_dataset(tmp_path / "data" / "raw" / "demo")
    config = BuildConfig(workspace=Workspace(tmp_path), output=tmp_path / "reports",
                         datasets=(DatasetConfig(path=catalog.raw),))  # fmt: skip
    recording = Recording()
    monkeypatch.setattr(batch, "run_job", recording)
    with ThreadPoolExecutor(max_workers=2) as pool:
        summary = batch.build(config, executor=pool)
    assert summary.failed == []
    folders = {folder for _, folder, _ in recording.seen}
    assert len(recording.seen) > 3 and len(folders) == 1
    assert all(present for *_, present in recording.seen)
    (folder,) = folders
    assert folder.parent == catalog.processed.parent  # beside the processed tables
    assert config.output not in folder.parents  # never among the pages that get sent around
    assert not folder.exists()  # removed once the reports are made
    # the folder is not part of what a report depends on: nothing to rebuild the next time
    recording.seen.clear()
    monkeypatch.setattr(batch, "_fresh_outcomes", lambda *args: None)  # the full path
    with ThreadPoolExecutor(max_workers=2) as pool:
        again = batch.build(config, executor=pool)
    assert recording.seen == [] and {o.status for o in again.outcomes} == {"up to date"}
