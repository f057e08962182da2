from __future__ import annotations

from pathlib import Path

import pytest

from cc_analytics.core.startup import skip_unused_imports

# the test process starts as the command line does (see cc_analytics.core.startup)
skip_unused_imports()

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _shared_file(relative: str) -> Path:
    """A file from ../shared (read-only material); CI lays a copy beside the clone."""
    for base in (SHARED, Path("/work/shared")):
        if (base / relative).exists():
            return base / relative
    pytest.skip(f"shared material not found: {relative}")


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return _shared_file("seeds/000_1c7ba6e0a5200644.txt")


@pytest.fixture(scope="session")
def rncp_path() -> Path:
    return _shared_file("data/rncp/RNCP36612.xml")


@pytest.fixture(scope="session", autouse=True)
def outside_any_workspace(tmp_path_factory):
    """The tests run from an empty folder that is no workspace (module fixtures included): a
    command that forgets its workspace fails instead of writing into the repository, which is
    itself a workspace."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
        yield


@pytest.fixture(scope="session", autouse=True)
def _shared_browser_closed_at_the_end():
    """The one Chromium the browser tests share (tests/browser.py), closed once they are done."""
    yield
    from tests.browser import close_shared_browser

    close_shared_browser()
