"""Report file names: one file per cohort, whatever the cohorts are called (issue 15, item 3).

A cohort's file name is its name when that is already file-safe, else a readable slug
followed by a short hash of the name; the index keeps the true names.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from cc_analytics.core.text import unique_name as name_part
from tests.test_build import (
    DEMO_COHORTS,
    FakeNotebooks,
    copy_demo,
    default_config,
    edit_csv,
    links_of,
    reports_of,
    run_build,
)

#: Names that all used to become ``cohort-2025-LYON.html``, or one long or letterless name.
HOSTILE = {
    "2023-LYON": "2025 LYON",
    "2023-NANTES": "2025/LYON",
    "2024-LYON": "Lyon " + "x" * 80 + " matin",
    "2024-NANTES": "Lyon " + "x" * 80 + " soir",
    "2025-LYON": "東京",
    "2025-NANTES": "大阪",
}


@pytest.mark.parametrize("name", ["2024-LYON", "2023_NANTES-b", "A"])
def test_a_safe_name_is_kept_as_it_is(name):
    assert name_part(name) == name


def test_different_names_never_share_a_file_name():
    parts = [name_part(n) for n in HOSTILE.values()]
    assert len(set(parts)) == len(parts)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,71}", p) for p in parts)
    assert parts[0].startswith("2025-LYON-") and parts[1].startswith("2025-LYON-")
    assert parts[4].startswith("sans-nom-") and parts[4] != parts[5]
    assert name_part("2025 LYON") == parts[0]  # the same name, the same file, build after build


@pytest.mark.slow
def test_each_cohort_gets_its_own_report_and_the_index_its_true_name(tmp_path, monkeypatch):
    dataset = copy_demo(tmp_path)
    edit_csv(
        dataset / "candidates.csv",
        lambda lines: [
            lines[0],
            *(HOSTILE[line.split(";")[0]] + line[len(line.split(";")[0]) :] for line in lines[1:]),
        ],
    )

    summary = run_build(default_config(dataset), FakeNotebooks(), monkeypatch)

    assert not summary.failed, [o.message for o in summary.failed]
    out = reports_of(dataset) / "demo"
    pages = sorted(out.glob("cohort-*.html"))
    assert len(pages) == len(DEMO_COHORTS)
    # each page is the report of one cohort, and each cohort has one
    written = {p.read_text(encoding="utf-8") for p in pages}
    assert written == {f"<p>v1 cohorte {c}</p>" for c in HOSTILE.values()}
    # the index links every true name to that cohort's own page
    index = summary.index.read_text(encoding="utf-8")
    for cohort in HOSTILE.values():
        row = next(r for r in re.findall(r"<tr>.*?</tr>", index, re.S)
                   if f">cohorte {html.escape(cohort)}<" in r)  # fmt: skip
        (href,) = [h for h in re.findall(r'href="([^"]+)"', row) if "cohort-" in h]
        page = summary.index.parent / html.unescape(href)
        assert page.read_text(encoding="utf-8") == f"<p>v1 cohorte {cohort}</p>"
    assert len({h for h in links_of(summary.index) if "cohort-" in h}) == len(HOSTILE)


def test_file_names_stay_inside_the_reports_folder():
    for name in ("../../etc/passwd", "..", "/", "a/../../b", "\u202ecod.exe"):
        part = name_part(name)
        assert "/" not in part and ".." not in part and Path(part).name == part
