from __future__ import annotations

import pytest

from cc_analytics.referentiel.codes import canonical_code, code_level, sort_key, split_code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("B1.A1.C1", "B1A1C1"),
        ("B2A2C2", "B2A2C2"),
        (" b3 a3 c4 ", "B3A3C4"),
        ("B1.A1", "B1A1"),
        ("B01A02C03", "B1A2C3"),
        ("B2", "B2"),
        ("B1A1C1x", None),
        ("Bloc 1", None),
        ("", None),
    ],
)
def test_canonical_code(text, code):
    assert canonical_code(text) == code


def test_split_and_level():
    assert split_code("B3A2C4") == ("B3", "B3A2", "B3A2C4")
    assert split_code("B3") == ("B3", None, None)
    assert [code_level(c) for c in ("B1", "B1A1", "B1A1C1")] == ["block", "activity", "competency"]


def test_natural_sort():
    assert sorted(["B1A10C1", "B1A2C1", "B10", "B2"], key=sort_key) == [
        "B1A2C1", "B1A10C1", "B2", "B10"]  # fmt: skip
