from __future__ import annotations

from pathlib import Path

import pytest

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
