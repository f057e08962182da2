"""Warm report kernels: one kernel per worker runs report after report, and no report ever
sees what another left (names, package state, caches, environment, data).

The kernel tests start real kernels (``slow``); the reset of the package's state is also
checked in this process, without a kernel.
"""

from __future__ import annotations

import json
import os
import re
import sys
import types
from pathlib import Path

import nbformat
import pytest

from cc_analytics.core import cache
from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.reporting import kinds, render
from cc_analytics.reporting.render import render_report, run_notebook, warm_kernels

from .fixtures import processed_dataset

ROOT = Path(__file__).resolve().parents[1]


# -- the package's state, put back (no kernel) --------------------------------------------------
def test_module_state_comes_back_as_remembered(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    referentiel = ROOT / "src" / "cc_analytics" / "referentiel" / "data"
    read = cache.per_file_version(lambda path: path.read_text(encoding="utf-8"))
    module = types.ModuleType("cc_analytics._warm_probe")
    module.registry = {"kept": 1}
    module.listed = ["kept"]
    module.read = read
    monkeypatch.setitem(sys.modules, module.__name__, module)
    state = cache.ModuleState()
    state.remember()

    # what a report could leave behind
    module.registry["leaked"] = 2
    module.listed.append("leaked")
    module.added = "leaked"
    module.read = None  # rebound
    read(next(referentiel.glob("*.yaml")))
    assert read.cache_info().currsize == 1
    newcomer = types.ModuleType("cc_analytics._warm_newcomer")
    sys.modules[newcomer.__name__] = newcomer
    os.environ["CC_ANALYTICS_WARM_LEAK"] = "1"
    os.chdir(referentiel)

    state.restore()

    assert module.registry == {"kept": 1} and module.listed == ["kept"]
    assert not hasattr(module, "added") and module.read is read
    assert read.cache_info().currsize == 0
    assert "cc_analytics._warm_newcomer" not in sys.modules
    assert "CC_ANALYTICS_WARM_LEAK" not in os.environ
    assert Path.cwd() == tmp_path


def test_every_cache_of_the_package_is_emptied():
    from cc_analytics.core import html  # holds a functools.cache

    cached = [f for f in vars(html).values() if hasattr(f, "cache_info")]
    assert cached, "core.html has no cache any more: pick another module for this test"
    assert cache.clear_caches() >= len(cached)
    assert all(f.cache_info().currsize == 0 for f in cached)


# -- one kernel, notebook after notebook (slow) -------------------------------------------------
def notebook(path: Path, *sources: str) -> Path:
    """A notebook with a ``parameters`` cell (``label``), then one code cell per source."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    nb.cells.append(nbformat.v4.new_code_cell('label = "?"', metadata={"tags": ["parameters"]}))
    nb.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, path)
    return path


def printed(nb: nbformat.NotebookNode) -> dict:
    """The JSON the notebook's last cell printed."""
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return json.loads(text)


LEAVE_TRACES = """
import os, json
import cc_analytics.reporting.kinds as kinds
from cc_analytics import load_referentiel
secret = "données du rapport 1"
kinds.KIND_OPTIONS["leaked"] = ("--leaked",)
kinds.LEAKED = secret
load_referentiel()
os.environ["CC_ANALYTICS_WARM_LEAK"] = secret
os.chdir("/")
print(json.dumps({"pid": os.getpid()}))
"""

FIND_TRACES = """
import os, json
import cc_analytics.reporting.kinds as kinds
from cc_analytics.referentiel import model
print(json.dumps({
    "pid": os.getpid(),
    "names": sorted(k for k in globals() if not k.startswith("_")),
    "options": sorted(kinds.KIND_OPTIONS),
    "module_name": hasattr(kinds, "LEAKED"),
    "referentiels_cached": model._read.cache_info().currsize,
    "environ": os.environ.get("CC_ANALYTICS_WARM_LEAK"),
    "cwd_is_root": os.getcwd() == "/",
    "report_env": os.environ.get("CC_ANALYTICS_REPORT"),
}))
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # kernels write under $HOME


@pytest.mark.slow
def test_a_second_notebook_on_the_warm_kernel_finds_nothing_of_the_first(tmp_path, home):
    first = notebook(tmp_path / "first.ipynb", LEAVE_TRACES)
    second = notebook(tmp_path / "second.ipynb", FIND_TRACES)
    with warm_kernels():
        try:
            one = printed(run_notebook(first, tmp_path / "1.ipynb", {"label": "un"}))
            two = printed(run_notebook(second, tmp_path / "2.ipynb", {"label": "deux"}))
        finally:
            render._discard_kernel()

    assert one["pid"] == two["pid"]  # the same kernel ran both
    # IPython's and ipykernel's own names, then only what the second notebook defined
    # itself: no `secret`, no import of the first
    assert two["names"] == ["In", "Out", "exit", "get_ipython", "json", "kinds", "label",
                            "model", "open", "os", "quit"]  # fmt: skip
    assert two["options"] == sorted(kinds.KIND_OPTIONS)
    assert two["module_name"] is False
    assert two["referentiels_cached"] == 0
    assert two["environ"] is None and two["cwd_is_root"] is False
    assert two["report_env"] == "1"  # what a cold report kernel has


SAYS_PID = 'import os, json\nprint(json.dumps({"pid": os.getpid()}))'


@pytest.mark.slow
def test_a_kernel_that_died_is_replaced(tmp_path, home):
    dies = notebook(tmp_path / "dies.ipynb", "import os\nos._exit(1)")
    says_pid = notebook(tmp_path / "pid.ipynb", SAYS_PID)
    with warm_kernels():
        try:
            before = printed(run_notebook(says_pid, tmp_path / "1.ipynb", {}))
            with pytest.raises(Exception, match=r"(?i)dead|died"):
                run_notebook(dies, tmp_path / "2.ipynb", {})
            after = printed(run_notebook(says_pid, tmp_path / "3.ipynb", {}))
        finally:
            render._discard_kernel()
    assert before["pid"] != after["pid"]


def write_generated(folder: Path) -> Path:
    """A generated dataset (other candidates, other numbers than the demo's)."""
    from cc_analytics.demo import generate_large, write_dataset

    write_dataset(generate_large(40, seed=7, n_cohorts=2), folder)
    return folder


#: What changes from one run of a notebook to the next whatever the data: plotly's div ids
#: and the time of generation.
VOLATILE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                      r"|\d\d/\d\d/\d{4} à \d\d:\d\d")  # fmt: skip


def outputs(path: Path) -> list[str]:
    """Every output of the notebook, its times and random ids blanked (as written: with
    ``ensure_ascii`` the « à » of a time would be ``\\u00e0`` and the time left in)."""
    nb = nbformat.read(path, as_version=4)
    return [VOLATILE.sub("…", json.dumps(output.get("data", output.get("text")), sort_keys=True,
                                         ensure_ascii=False))
            for cell in nb.cells for output in cell.get("outputs", [])]  # fmt: skip


@pytest.mark.slow
def test_two_datasets_on_one_warm_kernel_give_the_numbers_of_cold_runs(tmp_path, home):
    demo = processed_dataset(tmp_path / "data" / "raw" / "demo")
    generated = processed_dataset(write_generated(tmp_path / "data" / "raw" / "generated"))

    def report(catalog, cohort: str, name: str) -> Path:
        params = {"dataset": str(catalog.raw), "workspace": str(catalog.workspace),
                  "cohort": cohort, "external": False}  # fmt: skip
        return render_report("cohort", params, tmp_path / f"{name}.html", title=cohort).notebook

    with warm_kernels():
        try:
            warm_first = report(demo, "2024-LYON", "warm-demo")
            warm_second = report(generated, "2023-S0001", "warm-generated")
        finally:
            render._discard_kernel()
    cold = report(generated, "2023-S0001", "cold-generated")

    assert outputs(warm_second) == outputs(cold)
    assert outputs(warm_first) != outputs(cold)  # two datasets, two sets of numbers
    assert "2024-LYON" not in "".join(outputs(warm_second))


@pytest.mark.slow
def test_a_failing_report_leaves_the_next_one_clean(tmp_path, home):
    demo = processed_dataset(tmp_path / "data" / "raw" / "demo")
    params = {"dataset": str(demo.raw), "workspace": str(demo.workspace), "external": False}
    with warm_kernels():
        try:
            with pytest.raises(CcAnalyticsError, match="cohorte inconnue"):
                render_report("cohort", {**params, "cohort": "2099-NOWHERE"},
                              tmp_path / "fails.html", title="?")  # fmt: skip
            made = render_report("cohort", {**params, "cohort": "2024-LYON"},
                                 tmp_path / "made.html", title="2024-LYON")  # fmt: skip
        finally:
            render._discard_kernel()
    assert not (tmp_path / "fails.html").exists()
    assert "2024-LYON" in made.html.read_text(encoding="utf-8")


# -- progress lines of the build ----------------------------------------------------------------
@pytest.mark.slow
def test_build_says_how_many_reports_it_makes_before_the_first_ends(tmp_path, monkeypatch,
                                                                    caplog):  # fmt: skip
    from concurrent.futures import ThreadPoolExecutor

    from cc_analytics.build import run as batch

    from .test_build import DEMO_LABELS, FakeNotebooks, copy_demo, default_config, pin_code

    pin_code(monkeypatch)
    config = default_config(copy_demo(tmp_path))
    fake = FakeNotebooks()
    monkeypatch.setattr(batch, "run_job", fake)
    caplog.set_level("INFO", logger="cc_analytics.build")

    with ThreadPoolExecutor(max_workers=2) as pool:
        batch.build(config, executor=pool)
    lines = [record.getMessage() for record in caplog.records]
    announced = (f"{len(DEMO_LABELS)} rapport(s) à produire sur 2 processus ; le premier de "
                 "chaque processus prend quelques secondes de plus (démarrage)")  # fmt: skip
    assert announced in lines
    assert "demo : tableaux de résultats (usage interne)" in lines
    # the result tables are written while the workers make the reports: said after them
    assert lines.index(announced) < lines.index("demo : tableaux de résultats (usage interne)")

    caplog.clear()
    with ThreadPoolExecutor(max_workers=2) as pool:
        batch.build(config, executor=pool)  # nothing to do: nothing announced
    assert not [r for r in caplog.records if "à produire" in r.getMessage()]
