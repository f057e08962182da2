"""Reading CSV sheets as schools save them: the separator told by a parser that honours quotes."""

from __future__ import annotations

import pytest

from cc_analytics.inputs.sheets import detect_separator, read_sheets


@pytest.mark.parametrize(
    ("lines", "separator"),
    [
        # a comment quoted in a semicolon file, with more commas than the file has semicolons
        (['cohort;candidate_id;access_route;immersion;commentaire',
          '2024-LYON;C1;CA;oui;"a, b, c, d, e, f, g, h"',
          '2024-LYON;C2;FC;non;"très bien, à revoir, absent, présent"'], ";"),
        # a decimal comma in every row of a semicolon file
        (["candidate_id;note", "C1;3,0", "C2;2,0", "C3;4,0"], ";"),
        (["candidate_id,note", "C1,3", "C2,4"], ","),
        (["candidate_id\tnote", "C1\t3", "C2\t4"], "\t"),
        # a title line above the headers does not mislead it
        (["Résultats 2024", "candidate_id;note", "C1;3", "C2;4"], ";"),
        # a quoted semicolon in a comma file
        (['candidate_id,commentaire', 'C1,"oui; non; peut-être"', "C2,ok"], ","),
    ],
)  # fmt: skip
def test_separator(lines, separator):
    assert detect_separator(lines) == separator


def test_a_semicolon_file_with_a_quoted_comma_comment_keeps_its_header(tmp_path):
    path = tmp_path / "candidates.csv"
    path.write_text(
        "cohort;candidate_id;access_route;immersion;commentaire\n"
        '2024-LYON;C1;CA;oui;"a, b, c, d, e, f, g, h"\n'
        "2024-LYON;C2;FC;non;\n",
        encoding="utf-8",
    )
    (sheet,) = read_sheets(path)
    assert sheet.headers == ("cohort", "candidate_id", "access_route", "immersion", "commentaire")
    assert sheet.frame["commentaire"].tolist() == ["a, b, c, d, e, f, g, h", ""]
    assert sheet.frame["_row"].tolist() == ["2", "3"]


def test_the_separator_is_judged_beyond_the_first_lines(tmp_path):
    """Five plain lines, then quoted commas: the whole sample decides, not the first lines."""
    rows = [f"2024-LYON;C{i};CA;oui;" for i in range(1, 6)]
    rows += [f'2024-LYON;C{i};FC;non;"x, y, z, w, v, u"' for i in range(6, 40)]
    path = tmp_path / "candidates.csv"
    path.write_text("cohort;candidate_id;access_route;immersion;commentaire\n"
                    + "\n".join(rows) + "\n", encoding="utf-8")  # fmt: skip
    (sheet,) = read_sheets(path)
    assert sheet.headers[0] == "cohort" and len(sheet.frame) == 39
