"""The package's face: a small public API that imports nothing heavy until used."""

from __future__ import annotations

import os

import pytest


def test_public_api_is_importable_lazily():
    import subprocess
    import sys

    code = (
        "import sys, cc_analytics; assert 'pandas' not in sys.modules; print(cc_analytics.Rules())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "threshold=2" in done.stdout


# -- a real package -------------------------------------------------------------------------------
PACKAGE_DATA = (
    "cc_analytics/reporting/notebooks/cohort_report.ipynb",
    "cc_analytics/reporting/notebooks/exploration.ipynb",
    "cc_analytics/reporting/templates/cc_report/index.html.j2",
    "cc_analytics/gate/expectations/scores.json",
    "cc_analytics/gate/templates/validation.html.j2",
    "cc_analytics/build/templates/index.html.j2",
    "cc_analytics/workspace/templates/README.md",
    "cc_analytics/workspace/templates/overrides.json",
    "cc_analytics/demo/datasets/demo/jury.csv",
    "cc_analytics/referentiel/data/chargee_de_clientele.yaml",
)


def _tracked_copy(root, target):
    """The files git tracks (links kept as links), as a fresh clone has them: no build
    leftovers of the working tree can slip into the wheel."""
    import shutil
    import subprocess

    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True,
                            check=False)  # fmt: skip
    if listed.returncode != 0:  # not a git checkout (an unpacked source archive): as it is
        return root
    for name in filter(None, listed.stdout.decode().split("\0")):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target / name, follow_symlinks=False)
    return target


def _snapshot(folder):
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}  # fmt: skip


@pytest.mark.slow
def test_the_wheel_works_outside_the_checkout_and_writes_nothing_in_itself(tmp_path):
    """``pip install`` of the wheel (not editable) into a new environment: init a workspace,
    validate, make a report; the installed package is never written to."""
    import subprocess
    import sys
    import sysconfig
    import zipfile
    from pathlib import Path

    root = _tracked_copy(Path(__file__).resolve().parents[1], tmp_path / "src-copy")
    env = {**os.environ, "HOME": str(tmp_path / "home"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(tmp_path / "dist"), str(root)], check=True, env=env)  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("cc_analytics-*.whl")
    assert set(PACKAGE_DATA) <= set(zipfile.ZipFile(wheel).namelist())

    venv = tmp_path / "v"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = Path(subprocess.run([venv / "bin" / "python", "-c", "import sysconfig; print("
                                "sysconfig.get_paths()['purelib'])"], check=True,
                               capture_output=True, text=True).stdout.strip())  # fmt: skip
    # the dependencies: this environment's, after the new one's own packages
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps",
                    str(wheel)], check=True, env=env)  # fmt: skip
    installed = site / "cc_analytics"
    assert not (installed / "reporting" / "notebooks").is_symlink()  # real files in a wheel
    before = _snapshot(installed)

    exe = str(venv / "bin" / "cc-analytics")
    # nbconvert's base templates are data files of this environment, not of its site-packages
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run([exe, *args], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=600)  # fmt: skip

    done = run("init", "ws", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    ws = tmp_path / "ws"
    done = run("report", "cohort", "demo", "--cohort", "2024-LYON", cwd=ws / "data")
    assert done.returncode == 0, done.stderr
    page = (ws / "reports" / "demo" / "cohort-2024-LYON.html").read_text(encoding="utf-8")
    assert "Rapport de cohorte — 2024-LYON" in page
    assert (ws / "data" / "processed" / "demo" / "manifest.json").is_file()
    assert (ws / "reports" / "demo" / "validation.html").is_file()
    after = _snapshot(installed)
    # nothing written inside the installed package (Python's own bytecode cache aside)
    assert {k: v for k, v in after.items() if "__pycache__" not in k} == {
        k: v for k, v in before.items() if "__pycache__" not in k}  # fmt: skip


def test_the_no_change_path_of_build_imports_nothing_heavy():
    """``cc-analytics build`` with nothing to do answers from its manifests: the modules on that
    path must not pull pandas, numpy, YAML or Great Expectations in at import time."""
    import subprocess
    import sys

    code = ("import sys, cc_analytics.cli, cc_analytics.cli.build, cc_analytics.build.run, "
            "cc_analytics.build.config; heavy = [m for m in ('pandas', 'numpy', 'yaml', "
            "'great_expectations', 'plotly', 'papermill') if m in sys.modules]; print(heavy)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr
