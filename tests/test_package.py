"""The package's face: a small public API that imports nothing heavy until used."""

from __future__ import annotations


def test_public_api_is_importable_lazily():
    import subprocess
    import sys

    code = (
        "import sys, cc_analytics; assert 'pandas' not in sys.modules; print(cc_analytics.Rules())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "threshold=2" in done.stdout
