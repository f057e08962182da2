"""Hardening of the main job and ``cc-analytics report`` (issue 15, items 1 and 8).

Item 1: an output changed, replaced or deleted behind the build's back is rebuilt (the state
keeps each output's audience and own hash), and ``report`` takes the build's lock. Item 8: a
build killed with ``kill -9`` leaves no worker, and no kernel, running or writing.

The tests on the build state run the real gate on a tiny dataset written here, with the
notebook run replaced by a fake (as in ``test_build.py``); two tests run the real thing in a
workspace made by ``cc-analytics init``: the reproduction of item 1, and the ``kill -9``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import filelock
import pytest

from cc_analytics import cli
from cc_analytics.build import keys
from cc_analytics.build import run as batch
from cc_analytics.build import state as state_module
from cc_analytics.build.config import workspace_config
from cc_analytics.build.lock import LOCK_FILE
from cc_analytics.build.state import BUILD_MANIFEST
from cc_analytics.workspace import Workspace

CHANGED = "modifié depuis la dernière construction : reproduit"
DELETED = "supprimé depuis la dernière construction : reproduit"
#: What the review page says of its audience (its notebook's own words).
EXTERNAL_PAGE, INTERNAL_PAGE = "Document externe", "Usage interne"
CC_ANALYTICS = Path(sys.executable).with_name("cc-analytics")

# a tiny valid dataset: one cohort of three candidates, scores in the long layout
CANDIDATES = """cohort;candidate_id;access_route;immersion;site
2024-LYON;C1;CA;oui;Lyon
2024-LYON;C2;FC;non;Lyon
2024-LYON;C3;VAE;;Lyon
"""
SCORES = """candidate_id;competency;evaluator;score;session_date
C1;B1A1C1;jury;3;2024-06-14
C1;B1A1C2;jury;2;2024-06-14
C1;B1A1C1;entreprise;2;2024-06-01
C2;B1A1C1;jury;1;2024-06-14
C3;B1A1C1;jury;4;2024-06-14
"""


# -- helpers ----------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def pinned_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """The working tree may be edited while the suite runs: a changed file would (rightly)
    rebuild everything and hide the reason these tests look for."""
    monkeypatch.setattr(keys, "code_digest", lambda kind: f"code of {kind}")
    monkeypatch.setattr(keys, "code_digest_tables", lambda: "code of tables")
    monkeypatch.setattr(keys, "gate_digest", lambda: "code of the gate")


def tiny_workspace(root: Path) -> Path:
    """A workspace holding the tiny dataset as ``data/raw/tiny``; returns the workspace."""
    dataset = root / "data" / "raw" / "tiny"
    dataset.mkdir(parents=True)
    (dataset / "candidates.csv").write_text(CANDIDATES, encoding="utf-8")
    (dataset / "scores.csv").write_text(SCORES, encoding="utf-8")
    return root


class FakeNotebooks:
    """Stands for ``batch.run_job``: writes ``<p>{label}</p>`` as the report."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, job: batch.Job) -> batch.Outcome:
        self.calls.append(job.label)
        job.request.out.parent.mkdir(parents=True, exist_ok=True)
        job.request.out.write_text(f"<p>{job.label}</p>", encoding="utf-8")
        return batch.Outcome(job.dataset, job.label, job.request.kind, str(job.request.out),
                             "built", 0.5)  # fmt: skip


def fake_build(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[FakeNotebooks, dict]:
    """Build the tiny dataset with fake notebooks; the notebooks run and each outcome."""
    fake = FakeNotebooks()
    monkeypatch.setattr(batch, "run_job", fake)
    config = workspace_config(Workspace(root), "tiny")
    with ThreadPoolExecutor(max_workers=2) as pool:
        summary = batch.build(config, executor=pool)
    return fake, {o.label: o for o in summary.outcomes}


def manifest(folder: Path) -> dict:
    return json.loads((folder / BUILD_MANIFEST).read_text(encoding="utf-8"))


def sha256(path: Path) -> str:
    return keys.file_sha256(path) or ""


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def demo_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace from ``cc-analytics init`` (the demo data), kernels' $HOME under tmp."""
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # kernels write under $HOME
    assert cli.main(["init", str(tmp_path / "ws"), "--no-notebook"]) == 0
    return tmp_path / "ws"


# -- item 1: the state knows each output's audience and hash -----------------------------------
@pytest.mark.slow
def test_the_state_records_each_reports_audience_and_hash(tmp_path, monkeypatch):
    root = tiny_workspace(tmp_path)
    fake_build(root, monkeypatch)

    out = root / "reports" / "tiny"
    entries = manifest(out)["reports"]
    assert entries["review.html"]["audience"] == "externe"
    assert entries["cohort-2024-LYON.html"]["audience"] == "interne"
    for name, entry in entries.items():
        assert entry["sha256"] == sha256(out / name)
    tables = manifest(out)["tables"]["files"]
    assert tables == {name: sha256(out / "tables" / name) for name in batch.TABLE_FILES}


@pytest.mark.slow
def test_a_report_written_over_or_deleted_is_rebuilt_and_said_so(tmp_path, monkeypatch):
    root = tiny_workspace(tmp_path)
    fake_build(root, monkeypatch)
    out = root / "reports" / "tiny"
    review, renewal = out / "review.html", out / "renewal.html"
    review.write_text("<p>Usage interne : tous les résultats sont affichés</p>", encoding="utf-8")
    renewal.unlink()

    fake, outcomes = fake_build(root, monkeypatch)

    assert sorted(fake.calls) == ["renouvellement RNCP", "revue qualité"]
    assert (outcomes["revue qualité"].status, outcomes["revue qualité"].message) == (
        "built", CHANGED)  # fmt: skip
    assert outcomes["renouvellement RNCP"].message == DELETED
    assert outcomes["cohorte 2024-LYON"].status == "up to date"
    assert review.read_text(encoding="utf-8") == "<p>revue qualité</p>"
    assert manifest(out)["reports"]["review.html"]["sha256"] == sha256(review)
    # the index says why, next to the report
    index = (root / "reports" / "index.html").read_text(encoding="utf-8")
    assert CHANGED in index and DELETED in index


@pytest.mark.slow
def test_a_page_replaced_by_an_identical_copy_is_not_rebuilt(tmp_path, monkeypatch):
    """Only the content counts: a copy of the same bytes (a restore from backup) is fine."""
    root = tiny_workspace(tmp_path)
    fake_build(root, monkeypatch)
    review = root / "reports" / "tiny" / "review.html"
    content = review.read_bytes()
    review.unlink()
    review.write_bytes(content)

    fake, outcomes = fake_build(root, monkeypatch)

    assert fake.calls == []
    assert outcomes["revue qualité"].status == "up to date"


@pytest.mark.slow
def test_pages_as_written_are_not_read_again_and_a_same_size_edit_is_found(tmp_path,
                                                                           monkeypatch):  # fmt: skip
    """Size and modification time as written: the page is not hashed again (a build with
    nothing to do read every page); a change of either is hashed, even at the same size."""
    root = tiny_workspace(tmp_path)
    fake_build(root, monkeypatch)
    out = root / "reports" / "tiny"
    hashed: list[str] = []
    real = state_module.file_sha256
    monkeypatch.setattr(state_module, "file_sha256",
                        lambda path: hashed.append(path.name) or real(path))  # fmt: skip

    fake, _ = fake_build(root, monkeypatch)
    reports = set(manifest(out)["reports"])  # the report pages (the gate's page is hashed)
    assert fake.calls == [] and reports and not reports & set(hashed)

    review = out / "review.html"
    text = review.read_text(encoding="utf-8")
    review.write_text(text.replace("revue", "REVUE"), encoding="utf-8")  # same size
    later = review.stat().st_mtime_ns + 10**9
    os.utime(review, ns=(later, later))
    fake, outcomes = fake_build(root, monkeypatch)
    assert fake.calls == ["revue qualité"]
    assert outcomes["revue qualité"].message == CHANGED


@pytest.mark.slow
def test_a_table_edited_by_hand_is_written_again(tmp_path, monkeypatch):
    root = tiny_workspace(tmp_path)
    fake_build(root, monkeypatch)
    metrics = root / "reports" / "tiny" / "tables" / "metrics.csv"
    good = metrics.read_bytes()
    metrics.write_text("cohort,rate\n2024-LYON,1.0\n", encoding="utf-8")

    _, outcomes = fake_build(root, monkeypatch)

    tables = outcomes[batch.TABLES_LABEL]
    assert (tables.status, tables.message) == ("built", CHANGED)
    assert metrics.read_bytes() == good


# -- item 1: report takes the build's lock -----------------------------------------------------
@pytest.mark.parametrize("output", [None, "sortie"])
def test_report_refuses_while_a_build_holds_the_lock(tmp_path, capsys, output):
    """A build holds the lock of its output folder (the workspace's reports/, or the one its
    cc-analytics.toml names): ``report`` says so in French, exits 1 and writes nothing."""
    root = tiny_workspace(tmp_path / "ws")
    locked = root / "reports"
    if output:
        (root / "cc-analytics.toml").write_text(f'[build]\noutput = "{output}"\n')
        locked = root / output
    locked.mkdir()
    before = tree(root)

    started = time.monotonic()
    with filelock.FileLock(str(locked / LOCK_FILE)):
        code = cli.main(["report", "review", "tiny", "--workspace", str(root)])

    assert code == 1
    assert time.monotonic() - started < 5  # refused at once, no wait
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ") and "Traceback" not in err
    assert f"{locked} : rapport non produit : une construction (cc-analytics build)" in err
    assert "Rien n'a été écrit" in err and "relancez cette commande" in err
    assert {k: v for k, v in tree(root).items() if not k.endswith(LOCK_FILE)} == before


# -- item 1, the reproduction, with real notebooks --------------------------------------------
@pytest.mark.slow
def test_an_internal_review_never_takes_the_external_ones_place(tmp_path, monkeypatch, capsys):
    """``build; report review --internal; build``: the internal page has its own file and the
    external one is left alone; written over the external page by hand, it is rebuilt."""
    ws = demo_workspace(tmp_path, monkeypatch)
    (ws / "cc-analytics.toml").write_text(
        '[[datasets]]\npath = "data/raw/demo"\nreports = ["review"]\n', encoding="utf-8"
    )
    build = ["build", "--workspace", str(ws), "--jobs", "1"]
    review = ws / "reports" / "demo" / "review.html"
    assert cli.main(build) == 0, capsys.readouterr().err
    external = review.read_bytes()
    assert EXTERNAL_PAGE in review.read_text(encoding="utf-8")
    assert INTERNAL_PAGE not in review.read_text(encoding="utf-8")

    assert cli.main(["report", "review", "demo", "--internal", "--workspace", str(ws)]) == 0
    internal = ws / "reports" / "demo" / "review-interne.html"
    assert INTERNAL_PAGE in internal.read_text(encoding="utf-8")
    assert review.read_bytes() == external
    capsys.readouterr()
    assert cli.main(build) == 0
    assert "Terminé : 0 rapport(s) produit(s), 1 à jour" in capsys.readouterr().err

    shutil.copyfile(internal, review)  # the break of the issue: the internal page in its place
    assert cli.main(build) == 0
    err = capsys.readouterr().err
    assert "demo — revue qualité : produit" in err and CHANGED in err, err
    text = review.read_text(encoding="utf-8")
    assert EXTERNAL_PAGE in text and INTERNAL_PAGE not in text


# -- item 8: workers die with their parent ----------------------------------------------------
def processes_of(home: Path) -> list:
    """Every live process started for this test's build (they all carry its $HOME)."""
    import psutil

    found = []
    for process in psutil.process_iter(["pid"]):
        try:
            if (process.status() != psutil.STATUS_ZOMBIE
                    and process.environ().get("HOME") == str(home)):  # fmt: skip
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def kernels(processes: list) -> list:
    import psutil

    with_cmdline = []
    for process in processes:
        try:
            if any("ipykernel" in part for part in process.cmdline()):
                with_cmdline.append(process)
        except psutil.Error:
            continue
    return with_cmdline


def wait_for(condition, timeout: float):  # type: ignore[no-untyped-def]
    """Poll ``condition`` until it returns something true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def report_times(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kill -9 replayed on Linux")
def test_a_killed_build_leaves_no_worker_nor_kernel_and_no_late_report(tmp_path, monkeypatch):
    """``cc-analytics build --jobs 2 --force`` on the demo, killed with SIGKILL while its
    workers run notebooks: its lock is free at once, and within a few seconds no worker and no
    kernel is left; no report is written after the kill."""
    psutil = pytest.importorskip("psutil")
    ws = demo_workspace(tmp_path, monkeypatch)
    home = tmp_path / "home"
    with (tmp_path / "build.log").open("wb") as log:
        build = subprocess.Popen([str(CC_ANALYTICS), "build", "--jobs", "2", "--force"], cwd=ws,
                                 env={**os.environ, "HOME": str(home)}, stdout=log,
                                 stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        started = wait_for(lambda: len(kernels(processes_of(home))) >= 2, timeout=300)
        assert started, (tmp_path / "build.log").read_text(encoding="utf-8", errors="replace")
        workers = psutil.Process(build.pid).children()
        running = kernels(processes_of(home))
        os.kill(build.pid, signal.SIGKILL)
        killed_at = time.time()
        build.wait()
        lock = filelock.FileLock(str(ws / "reports" / LOCK_FILE))
        lock.acquire(timeout=5)  # released with the build: a new build may start

        gone = wait_for(lambda: not processes_of(home), timeout=5)
        times = report_times(ws / "reports")
        time.sleep(3)  # a worker still alive would go on writing its report
        lock.release()

        assert len(workers) == 2 and len(running) >= 2  # both workers, each with its kernel
        assert gone, [(p.pid, p.cmdline()) for p in processes_of(home)]
        assert report_times(ws / "reports") == times
        assert {p: t for p, t in times.items() if t > (killed_at + 1) * 1e9} == {}
    finally:
        if build.poll() is None:
            build.kill()
        for process in processes_of(home):  # only what this test started: its own $HOME
            process.kill()


@pytest.mark.slow
def test_the_validation_page_written_over_is_written_again(tmp_path, monkeypatch):
    """validation.html is an output too: a copy changed behind the build's back is redone."""
    root = tiny_workspace(tmp_path)
    fake_build(root, monkeypatch)
    page = root / "reports" / "tiny" / "validation.html"
    assert "EVIL" not in page.read_text(encoding="utf-8")
    page.write_text("EVIL", encoding="utf-8")

    fake_build(root, monkeypatch)

    assert "EVIL" not in page.read_text(encoding="utf-8")
    assert "validation" in page.read_text(encoding="utf-8").lower()
