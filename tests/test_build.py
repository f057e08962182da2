"""The main job (``cc-analytics build``): index, incremental rebuilds, failures, lock, logs.

Most tests run the real gate, ingest and metrics tables on a copy of the demo data, but
replace the notebook run (``run.run_job``) with a fake that writes a small HTML page, and
hand ``run.build`` a thread pool: they take about a second each. Two tests run the real
thing: the real process pool with the real notebooks, and a local Dask cluster; both build
the cohort reports of a copy of the demo reduced to two cohorts. Every test that starts a
worker pool (threads, processes or Dask) is marked ``slow``; the configuration and the lock
are checked in the fast lane.

The code digests (package, notebooks, template) are pinned in every test: the working tree
may be edited while the suite runs, and a changed file would (rightly) rebuild everything.
``test_code_digest_follows_the_notebook_of_its_kind`` checks the real ones.
"""

from __future__ import annotations

import html.parser
import re
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path

import filelock
import pytest

from cc_analytics import cli
from cc_analytics.build import keys
from cc_analytics.build import run as batch
from cc_analytics.build.config import BuildConfig, load_config, workspace_config
from cc_analytics.build.lock import LOCK_FILE
from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo"
#: The demo's six cohorts, as listed in data/raw/demo/candidates.csv.
DEMO_COHORTS = ["2023-LYON", "2023-NANTES", "2024-LYON", "2024-NANTES", "2025-LYON", "2025-NANTES"]
DEMO_LABELS = [f"cohorte {c}" for c in DEMO_COHORTS] + ["revue qualité", "renouvellement RNCP"]
#: Two small cohorts, for the tests that run real notebooks.
SMALL_COHORTS = ["2023-NANTES", "2024-LYON"]
REAL_CODE_DIGEST = keys.code_digest


# -- fixtures and helpers ---------------------------------------------------------------------
def pin_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys, "code_digest", lambda kind: f"code of {kind}")
    monkeypatch.setattr(keys, "code_digest_tables", lambda: "code of tables")
    monkeypatch.setattr(keys, "gate_digest", lambda: "code of the gate")


@pytest.fixture(autouse=True)
def pinned_code(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_code(monkeypatch)


#: Candidates kept per cohort: the demo's six cohorts, each small, so that the gate and the
#: tables cost little (these tests are about the build, not the numbers).
PER_COHORT = 4


def copy_demo(folder: Path) -> Path:
    """A copy of the demo in a project ``folder/"proj"``, where its outputs then land, with
    its first ``PER_COHORT`` candidates of each cohort."""
    target = folder / "proj" / "data" / "raw" / "demo"
    shutil.copytree(DEMO, target)
    seen: dict[str, int] = {}

    def first_of_each_cohort(row: list[str]) -> bool:
        seen[row[0]] = seen.get(row[0], 0) + 1
        return seen[row[0]] <= PER_COHORT

    keep_candidates(target, first_of_each_cohort)
    return target


@pytest.fixture(scope="module")
def gated_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose demo copy went through the gate, ingest and tables once (the slow
    part of a build), so that each test copying it only pays for what it changes."""
    dataset = copy_demo(tmp_path_factory.mktemp("gated"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        pin_code(monkeypatch)
        run_build(default_config(dataset), FakeNotebooks(), monkeypatch)
    return dataset.parents[2]


@pytest.fixture
def dataset(gated_project: Path, tmp_path: Path) -> Path:
    """The demo in a temporary project, already gated; its reports, built for another folder,
    are rebuilt by the first build."""
    shutil.copytree(gated_project, tmp_path / "proj")
    return tmp_path / "proj" / "data" / "raw" / "demo"


@pytest.fixture
def new_dataset(tmp_path: Path) -> Path:
    """The demo in a temporary project, never built."""
    return copy_demo(tmp_path)


def reports_of(dataset: Path) -> Path:
    return dataset.parents[2] / "reports"


def workspace_of(dataset: Path) -> Workspace:
    """The workspace of a dataset copied into ``<project>/data/raw/``: the project."""
    return Workspace(dataset.parents[2])


def default_config(dataset: Path) -> BuildConfig:
    """What ``cc-analytics build DATASET`` builds."""
    return workspace_config(workspace_of(dataset), dataset)


def config_from(config_file: Path) -> BuildConfig:
    """A configuration file, in the workspace of the folder that holds it."""
    return load_config(config_file, Workspace(config_file.parent))


def cli_build(dataset: Path, *args: str) -> int:
    """``cc-analytics build`` in the dataset's workspace, with ``args``."""
    return cli.main(["build", *args, "--workspace", str(dataset.parents[2])])


class FakeNotebooks:
    """Stands for ``batch.run_job``: writes ``<p>{version} {label}</p>`` as the report;
    ``fail`` names the labels that fail and how (``"raise"`` or ``"outcome"``)."""

    def __init__(self, version: str = "v1", fail: dict[str, str] | None = None,
                 message: str = "le carnet a échoué") -> None:  # fmt: skip
        self.version, self.fail, self.message = version, fail or {}, message
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, job: batch.Job) -> batch.Outcome:
        with self.lock:
            self.calls.append(job.label)
        out = job.request.out
        how = self.fail.get(job.label)
        if how == "raise":
            raise CcAnalyticsError(self.message)
        if how == "outcome":
            return batch.Outcome(job.dataset, job.label, job.request.kind, str(out), "failed",
                                 0.2, self.message)  # fmt: skip
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(f"<p>{self.version} {job.label}</p>", encoding="utf-8")
        return batch.Outcome(job.dataset, job.label, job.request.kind, str(out), "built", 1.5)


class RefusingExecutor(Executor):
    def submit(self, fn: Callable, /, *args: object, **kwargs: object):  # type: ignore[override]
        raise AssertionError("nothing should be submitted: everything is up to date")


def run_build(config: BuildConfig, fake: FakeNotebooks, monkeypatch: pytest.MonkeyPatch,
              **options: object) -> batch.BuildSummary:  # fmt: skip
    monkeypatch.setattr(batch, "run_job", fake)
    with ThreadPoolExecutor(max_workers=2) as pool:
        return batch.build(config, executor=pool, **options)  # type: ignore[arg-type]


def statuses(summary: batch.BuildSummary) -> dict[str, str]:
    return {o.label: o.status for o in summary.outcomes}


def report_statuses(summary: batch.BuildSummary) -> dict[str, str]:
    return {o.label: o.status for o in summary.outcomes if o.kind not in ("validation", "tables")}


class Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if tag == "a" and k == "href" and v]


def links_of(index: Path) -> list[str]:
    parser = Links()
    parser.feed(index.read_text(encoding="utf-8"))
    return parser.hrefs


def index_row(index: Path, label: str) -> str:
    """The ``<tr>`` of the index whose report is ``label``."""
    rows = re.findall(r"<tr>.*?</tr>", index.read_text(encoding="utf-8"), re.S)
    matching = [r for r in rows if f">{label}<" in r]
    assert len(matching) == 1, (label, rows)
    return matching[0]


def edit_csv(path: Path, edit: Callable[[list[str]], list[str]]) -> None:
    """Edit the lines of a demo CSV, keeping its BOM, separator and CRLF line ends."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_bytes(("\ufeff" + "\r\n".join(edit(lines)) + "\r\n").encode("utf-8"))


def keep_cohorts(dataset: Path, cohorts: list[str]) -> None:
    """Reduce a copy of the demo to ``cohorts``."""
    keep_candidates(dataset, lambda row: row[0] in cohorts)


def keep_candidates(dataset: Path, keep: Callable[[list[str]], bool]) -> None:
    """Keep the candidates whose row ``keep`` accepts, in every file (both grids, the survey)."""
    kept: set[str] = set()

    def candidates(lines: list[str]) -> list[str]:
        rows = [line for line in lines[1:] if keep(line.split(";"))]
        kept.update(line.split(";")[1] for line in rows)
        return [lines[0], *rows]

    edit_csv(dataset / "candidates.csv", candidates)
    for name in ("jury.csv", "entreprise.csv", "insertion.csv"):
        edit_csv(dataset / name, lambda lines: [lines[0]] + [
            line for line in lines[1:] if line.split(";")[0] in kept])  # fmt: skip


def write_config(folder: Path, dataset: Path, reports: list[str]) -> Path:
    config = folder / "build.toml"
    config.write_text(
        f'[build]\noutput = "reports"\n\n[[datasets]]\npath = "{dataset}"\n'
        f"reports = {reports!r}\n".replace("'", '"'),
        encoding="utf-8",
    )
    return config


# -- index ------------------------------------------------------------------------------------
@pytest.mark.slow
def test_index_lists_every_report_with_status_duration_and_links(new_dataset, monkeypatch):
    dataset = new_dataset
    summary = run_build(default_config(dataset), FakeNotebooks(), monkeypatch)

    assert statuses(summary) == {"contrôle des données": "built",
                                 "tableaux de résultats (usage interne)": "built",
                                 **dict.fromkeys(DEMO_LABELS, "built")}  # fmt: skip
    assert summary.failed == []
    output = reports_of(dataset)
    assert summary.index == output / "index.html"
    hrefs = links_of(summary.index)
    expected = ["demo/validation.html", "demo/tables/index.html",
                *(f"demo/cohort-{c}.html" for c in DEMO_COHORTS),
                "demo/renewal.html", "demo/review.html"]  # fmt: skip
    assert sorted(hrefs) == sorted(expected)
    for href in hrefs:  # relative links to files that exist
        assert not href.startswith(("/", "http")) and (output / href).exists(), href
    for label in DEMO_LABELS:  # the fake reports took 1.5 s each
        row = index_row(summary.index, label)
        assert "produit" in row and "1,5\u00a0s" in row, row
    text = summary.index.read_text(encoding="utf-8")
    for name in ("candidates.csv", "jury.csv", "entreprise.csv", "insertion.csv"):
        assert f"<code>{name}</code>" in text  # inputs, with their hashes
    assert (output / "demo" / "tables" / "metrics.xlsx").exists()
    assert "Kernel" not in text and "C23L001" not in text


# -- incremental builds -----------------------------------------------------------------------
@pytest.mark.slow
def test_second_build_is_up_to_date_without_the_executor(dataset, monkeypatch):
    config = default_config(dataset)
    run_build(config, FakeNotebooks(), monkeypatch)

    def no_tables(*args: object) -> None:
        raise AssertionError("nothing changed: no table should be read")

    monkeypatch.setattr(batch, "_prepare_dataset", no_tables)
    progress: list[tuple[int, int, str]] = []
    second = batch.build(config, executor=RefusingExecutor(),
                         progress=lambda done, total, o: progress.append((done, total, o.status)))  # fmt: skip

    assert set(statuses(second).values()) == {"up to date"}
    assert len(second.outcomes) == 2 + len(DEMO_LABELS)
    assert progress == [(i, 8, "up to date") for i in range(1, 9)]
    assert "à jour (inchangé)" in index_row(second.index, "cohorte 2024-LYON")
    assert sorted(links_of(second.index)) == sorted(links_of(reports_of(dataset) / "index.html"))


@pytest.mark.slow
def test_a_deleted_report_alone_is_rebuilt(dataset, monkeypatch):
    config = default_config(dataset)
    run_build(config, FakeNotebooks(), monkeypatch)
    (reports_of(dataset) / "demo" / "cohort-2025-LYON.html").unlink()

    fake = FakeNotebooks("v2")
    summary = run_build(config, fake, monkeypatch)

    assert fake.calls == ["cohorte 2025-LYON"]
    assert statuses(summary)["contrôle des données"] == "up to date"
    assert statuses(summary)["tableaux de résultats (usage interne)"] == "up to date"


@pytest.mark.slow
def test_a_changed_input_file_rebuilds_everything_of_its_dataset(dataset, monkeypatch):
    config = default_config(dataset)
    run_build(config, FakeNotebooks(), monkeypatch)
    edit_csv(dataset / "candidates.csv", lambda lines: [*lines, "2024-LYON;C24L999;CA;non;Lyon"])

    fake = FakeNotebooks("v2")
    summary = run_build(config, fake, monkeypatch)

    assert set(statuses(summary).values()) == {"built"}
    assert sorted(fake.calls) == sorted(DEMO_LABELS)
    assert "v2" in (reports_of(dataset) / "demo" / "cohort-2023-LYON.html").read_text()


@pytest.mark.slow
def test_a_survey_edit_leaves_the_cohort_reports_alone(dataset, monkeypatch):
    config = default_config(dataset)
    run_build(config, FakeNotebooks(), monkeypatch)
    edit_csv(dataset / "insertion.csv", lambda lines: lines[:-1])  # one answer fewer

    fake = FakeNotebooks("v2")
    summary = run_build(config, fake, monkeypatch)

    # cohort reports do not read the survey; the review and the renewal evidence do
    assert sorted(fake.calls) == ["renouvellement RNCP", "revue qualité"]
    assert statuses(summary)["cohorte 2024-LYON"] == "up to date"


@pytest.mark.slow
def test_an_up_to_date_report_keeps_its_last_duration_in_the_index(dataset, monkeypatch):
    config = default_config(dataset)
    run_build(config, FakeNotebooks(), monkeypatch)  # each fake report "takes" 1,5 s
    second = run_build(config, FakeNotebooks("v2"), monkeypatch)
    row = index_row(second.index, "cohorte 2024-LYON")
    assert "à jour (inchangé)" in row and "1,5\u00a0s" in row


@pytest.mark.slow
def test_force_rebuilds_everything(dataset, monkeypatch):
    config = default_config(dataset)
    run_build(config, FakeNotebooks(), monkeypatch)

    fake = FakeNotebooks("v2")
    summary = run_build(config, fake, monkeypatch, force=True)

    assert set(statuses(summary).values()) == {"built"}
    assert sorted(fake.calls) == sorted(DEMO_LABELS)


@pytest.mark.slow
def test_a_changed_notebook_rebuilds_only_its_reports(dataset, monkeypatch):
    config = default_config(dataset)
    run_build(config, FakeNotebooks(), monkeypatch)
    monkeypatch.setattr(keys, "code_digest", lambda kind: f"code of {kind}" + (
        " (edited)" if kind == "review" else ""))  # fmt: skip

    fake = FakeNotebooks("v2")
    summary = run_build(config, fake, monkeypatch)

    assert fake.calls == ["revue qualité"]
    assert statuses(summary)["cohorte 2024-LYON"] == "up to date"


def test_code_digest_follows_the_notebook_of_its_kind(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("cohort_report.ipynb", "quality_review.ipynb", "renewal_evidence.ipynb"):
        (notebooks / name).write_text('{"cells": []}', encoding="utf-8")
    monkeypatch.setattr("cc_analytics.reporting.kinds.NOTEBOOKS_DIR", notebooks)
    before = {kind: REAL_CODE_DIGEST(kind) for kind in ("cohort", "review", "renewal")}
    assert len(set(before.values())) == 3

    (notebooks / "quality_review.ipynb").write_text('{"cells": [1]}', encoding="utf-8")

    after = {kind: REAL_CODE_DIGEST(kind) for kind in ("cohort", "review", "renewal")}
    assert after["review"] != before["review"]
    assert after["cohort"] == before["cohort"] and after["renewal"] == before["renewal"]


@pytest.mark.slow
def test_changed_rules_rebuild_tables_and_reports(tmp_path, dataset, monkeypatch):
    config_file = write_config(tmp_path, dataset, ["cohort"])
    config_file.write_text(config_file.read_text() + '\n[rules]\ncombine = "jury"\n')
    config = config_from(config_file)
    run_build(config, FakeNotebooks(), monkeypatch)
    # another setting of the file changes: the rules do not, nothing is rebuilt
    config_file.write_text(config_file.read_text().replace("[build]", "[build]\njobs = 1"))
    again = run_build(config_from(config_file), FakeNotebooks(), monkeypatch)
    assert set(statuses(again).values()) == {"up to date"}

    config_file.write_text(config_file.read_text().replace('"jury"', '"mean"'))
    fake = FakeNotebooks("v2")
    summary = run_build(config_from(config_file), fake, monkeypatch)

    assert statuses(summary)["tableaux de résultats (usage interne)"] == "built"
    assert sorted(fake.calls) == sorted(f"cohorte {c}" for c in DEMO_COHORTS)


# -- failures ---------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("how", ["raise", "outcome"])
def test_a_failing_report_keeps_its_previous_html_and_the_others_go_on(dataset, monkeypatch,
                                                                       how):  # fmt: skip
    config = default_config(dataset)
    run_build(config, FakeNotebooks("v1"), monkeypatch)
    page = reports_of(dataset) / "demo" / "cohort-2024-LYON.html"
    assert page.read_text() == "<p>v1 cohorte 2024-LYON</p>"

    edit_csv(dataset / "candidates.csv", lambda lines: [*lines, "2024-LYON;C24L999;CA;non;Lyon"])
    fake = FakeNotebooks("v2", fail={"cohorte 2024-LYON": how})
    summary = run_build(config, fake, monkeypatch)

    assert sorted(fake.calls) == sorted(DEMO_LABELS)
    assert [o.label for o in summary.failed] == ["cohorte 2024-LYON"]
    assert "le carnet a échoué" in summary.failed[0].message
    assert page.read_text() == "<p>v1 cohorte 2024-LYON</p>"  # the last good page is kept
    other = reports_of(dataset) / "demo" / "cohort-2024-NANTES.html"
    assert other.read_text() == "<p>v2 cohorte 2024-NANTES</p>"
    row = index_row(summary.index, "cohorte 2024-LYON")
    assert "échec" in row and 'href="demo/cohort-2024-LYON.html"' in row

    retry = FakeNotebooks("v3")  # next run: the failed report (only) is tried again
    run_build(config, retry, monkeypatch)
    assert retry.calls == ["cohorte 2024-LYON"]
    assert page.read_text() == "<p>v3 cohorte 2024-LYON</p>"


@pytest.mark.slow
def test_invalid_data_builds_no_report_and_keeps_the_previous_ones(dataset, monkeypatch):
    config = default_config(dataset)
    run_build(config, FakeNotebooks("v1"), monkeypatch)
    jury = dataset / "jury.csv"
    good = jury.read_bytes()
    edit_csv(jury, lambda lines: [lines[0], lines[1].replace(";2023-06-15;1;", ";2023-06-15;3,5;"),
                                  *lines[2:]])  # fmt: skip
    assert jury.read_bytes() != good

    fake = FakeNotebooks("v2")
    monkeypatch.setattr(batch, "run_job", fake)
    summary = batch.build(config, executor=RefusingExecutor())

    assert fake.calls == []
    assert statuses(summary)["contrôle des données"] == "invalid data"
    assert [o.label for o in summary.failed] == ["contrôle des données"]
    assert "validation.html" in summary.failed[0].message
    assert report_statuses(summary) == dict.fromkeys(DEMO_LABELS, "skipped")
    out = reports_of(dataset) / "demo"
    assert (out / "cohort-2024-LYON.html").read_text() == "<p>v1 cohorte 2024-LYON</p>"
    validation = (out / "validation.html").read_text(encoding="utf-8")
    assert "jury.csv" in validation and "3,5" in validation
    assert "données invalides" in index_row(summary.index, "contrôle des données")
    assert "non reconstruit" in index_row(summary.index, "cohorte 2024-LYON")

    jury.write_bytes(good)  # the data as it was: the gate runs again, the reports are current
    fixed = run_build(config, FakeNotebooks("v3"), monkeypatch)
    assert statuses(fixed)["contrôle des données"] == "built"
    assert report_statuses(fixed) == dict.fromkeys(DEMO_LABELS, "up to date")
    assert "3,5" not in (out / "validation.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_one_invalid_dataset_does_not_stop_another(tmp_path, dataset, monkeypatch):
    other = dataset.parent / "ecole"
    shutil.copytree(DEMO, other)
    edit_csv(other / "candidates.csv", lambda lines: [*lines, "2024-LYON;C24L999;alternant;non;"])
    config_file = write_config(dataset.parents[2], dataset, ["cohort"])
    config_file.write_text(config_file.read_text() + f'\n[[datasets]]\npath = "{other}"\n')

    summary = run_build(config_from(config_file), FakeNotebooks(), monkeypatch)

    by_dataset = {(o.dataset, o.label): o.status for o in summary.outcomes}
    assert by_dataset[("ecole", "contrôle des données")] == "invalid data"
    assert [o.dataset for o in summary.failed] == ["ecole"]
    assert all(by_dataset[("demo", f"cohorte {c}")] == "built" for c in DEMO_COHORTS)
    hrefs = links_of(summary.index)
    assert "ecole/validation.html" in hrefs and "demo/cohort-2023-LYON.html" in hrefs
    assert "alternant" in (reports_of(dataset) / "ecole" / "validation.html").read_text()


# -- the command line: lock, wait, logs -------------------------------------------------------
def test_a_second_build_stops_while_one_is_running(new_dataset, capsys):
    dataset = new_dataset
    output = reports_of(dataset)
    output.mkdir(parents=True)
    with filelock.FileLock(str(output / LOCK_FILE)):
        code = cli_build(dataset, str(dataset))

    assert code == 1
    err = capsys.readouterr().err
    assert "construction est en cours" in err and "--wait" in err
    assert not (output / "index.html").exists()


@pytest.mark.slow
def test_wait_queues_the_build_until_the_lock_is_free(dataset, monkeypatch, capsys):
    output = reports_of(dataset)
    monkeypatch.setattr(batch, "run_job", FakeNotebooks())
    monkeypatch.setattr("cc_analytics.build.executors.make_executor",
                        lambda spec, jobs: ThreadPoolExecutor(2))  # fmt: skip
    held, release = threading.Event(), threading.Event()

    def other_run() -> None:
        with filelock.FileLock(str(output / LOCK_FILE)):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=other_run)
    thread.start()
    held.wait(5)
    threading.Timer(0.5, release.set).start()
    code = cli_build(dataset, str(dataset), "--wait", "30")
    thread.join()

    assert code == 0
    assert "attente" in capsys.readouterr().err
    assert (output / "index.html").exists()


@pytest.mark.slow
def test_logs_name_no_candidate(dataset, monkeypatch, capsys, caplog):
    """A report failing with a candidate id in its message, then data with an unknown
    candidate: the ids appear in neither the log, the summary nor the index."""
    caplog.set_level("DEBUG")
    monkeypatch.setattr("cc_analytics.build.executors.make_executor",
                        lambda spec, jobs: ThreadPoolExecutor(2))  # fmt: skip
    fake = FakeNotebooks(fail={"cohorte 2023-LYON": "raise"},
                         message="note manquante pour C23L001 et C23L002")  # fmt: skip
    monkeypatch.setattr(batch, "run_job", fake)

    assert cli_build(dataset, str(dataset)) == 1
    captured = capsys.readouterr()
    assert "échec" in captured.err and "[identifiant masqué]" in captured.err

    edit_csv(dataset / "jury.csv", lambda lines: [*lines, lines[1].replace("C23L001", "C23L999")])
    assert cli_build(dataset, str(dataset)) == 1
    again = capsys.readouterr()

    index = (reports_of(dataset) / "index.html").read_text(encoding="utf-8")
    logs = captured.out + captured.err + again.out + again.err + caplog.text + index
    assert "données invalides" in logs
    assert not re.search(r"C\d\dL\d\d\d", logs), logs


# -- configuration ----------------------------------------------------------------------------
def test_config_reads_reports_rules_and_refuses_mistakes(tmp_path, new_dataset):
    dataset = new_dataset
    config_file = write_config(tmp_path, dataset, ["cohort"])
    config = config_from(config_file)
    assert config.datasets[0].reports == ("cohort",)
    assert config.output == tmp_path / "reports" and config.rules_file is None

    config_file.write_text(config_file.read_text().replace('["cohort"]', '"review"'))
    assert config_from(config_file).datasets[0].reports == ("review",)

    config_file.write_text(config_file.read_text() + "\n[rules]\ncombne = 'jury'\n")
    with pytest.raises(CcAnalyticsError, match="règle inconnue : combne"):
        config_from(config_file)

    twin = tmp_path / "other" / "demo"
    shutil.copytree(DEMO, twin)
    config_file.write_text(write_config(tmp_path, dataset, ["cohort"]).read_text()
                           + f'\n[[datasets]]\npath = "{twin}"\n')  # fmt: skip
    with pytest.raises(CcAnalyticsError, match="même nom de dossier"):
        config_from(config_file)


# -- the real thing (slow) --------------------------------------------------------------------
def reduced_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cohorts: list[str]) -> Path:
    dataset = copy_demo(tmp_path)
    keep_cohorts(dataset, cohorts)
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # kernels write under $HOME
    return dataset


def check_cohort_pages(dataset: Path, cohorts: list[str]) -> None:
    output = reports_of(dataset)
    hrefs = links_of(output / "index.html")
    assert sorted(h for h in hrefs if "cohort-" in h) == [f"demo/cohort-{c}.html" for c in cohorts]
    for cohort in cohorts:
        page = output / "demo" / f"cohort-{cohort}.html"
        text = page.read_text(encoding="utf-8")
        assert cohort in text and "Rapport de cohorte" in text
        assert page.with_suffix(".ipynb").exists()  # the executed notebook, for audit


@pytest.mark.slow
def test_build_runs_real_notebooks_in_worker_processes(tmp_path, monkeypatch, capsys):
    dataset = reduced_demo(tmp_path, monkeypatch, SMALL_COHORTS)
    config = write_config(dataset.parents[2], dataset, ["cohort"])

    assert cli_build(dataset, "--config", str(config)) == 0

    check_cohort_pages(dataset, SMALL_COHORTS)
    err = capsys.readouterr().err
    assert "[2/2]" in err and "Terminé : 2 rapport(s) produit(s), 0 à jour, 0 échec(s)." in err
    assert cli_build(dataset, "--config", str(config)) == 0
    assert "Terminé : 0 rapport(s) produit(s), 2 à jour, 0 échec(s)." in capsys.readouterr().err


@pytest.mark.slow
def test_build_on_a_dask_cluster(tmp_path, monkeypatch, capsys):
    distributed = pytest.importorskip("distributed")
    dataset = reduced_demo(tmp_path, monkeypatch, SMALL_COHORTS[:1])  # one notebook is enough
    config = write_config(dataset.parents[2], dataset, ["cohort"])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:  # fmt: skip
        code = cli_build(dataset, "--config", str(config), "--executor",
                         f"dask:{cluster.scheduler_address}")  # fmt: skip

    assert code == 0, capsys.readouterr().err
    check_cohort_pages(dataset, SMALL_COHORTS[:1])


def test_config_years_and_misspelt_keys(tmp_path):
    (tmp_path / "d").mkdir()
    good = tmp_path / "good.toml"
    good.write_text('[[datasets]]\npath = "d"\nreview_years = "2023-2025"\n'
                    "renewal_years = [2024, 2025]\n", encoding="utf-8")  # fmt: skip
    config = config_from(good)
    assert config.datasets[0].review_years == (2023, 2025)
    assert config.datasets[0].renewal_years == (2024, 2025)
    bad = tmp_path / "bad.toml"
    bad.write_text('[build]\noutpt = "r"\n[[datasets]]\npath = "d"\nrncp-export = "x.xml"\n'
                   'review_years = "2025-2023"\n', encoding="utf-8")  # fmt: skip
    with pytest.raises(CcAnalyticsError) as caught:
        config_from(bad)
    text = str(caught.value)
    assert "clé inconnue dans [build] : outpt" in text
    assert "clé inconnue dans [datasets] : rncp-export" in text
    assert (
        "« review_years » illisible : L'intervalle 2025-2023 est à l'envers : écrivez 2023-2025."
        in text
    )


def test_config_refuses_keys_of_a_report_it_does_not_build(tmp_path):
    (tmp_path / "d").mkdir()
    bad = tmp_path / "bad.toml"
    bad.write_text('[[datasets]]\npath = "d"\nreports = ["cohort"]\nreview_years = [2023, 2025]\n'
                   'fiche = "RNCP1"\n', encoding="utf-8")  # fmt: skip
    with pytest.raises(CcAnalyticsError) as caught:
        config_from(bad)
    text = str(caught.value)
    assert "« review_years » ne sert qu'au rapport « review », absent de « reports »" in text
    assert "« fiche » ne sert qu'au rapport « renewal », absent de « reports »" in text
    assert "« fiche » sans « rncp_export »" in text
    reversed_list = tmp_path / "rev.toml"
    reversed_list.write_text('[[datasets]]\npath = "d"\nrenewal_years = [2025, 2023]\n',
                             encoding="utf-8")  # fmt: skip
    with pytest.raises(CcAnalyticsError, match=r"à l'envers : écrivez \[2023, 2025\]"):
        config_from(reversed_list)
