"""Every command answers hostile input with a French message and exit 1 or 2, never a
traceback, and writes nothing (issue 15, item 7).

The corpus: usage errors (``--jobs``, ``--wait``, ``--port``, ``--out`` into a folder, under a
file or into /proc), then hostile dataset folders (binary content, NUL bytes, control
characters in a cohort, malformed or exploding ``referentiel.yaml``) fed to every command that
reads a dataset.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cc_analytics.cli import main
from tests.test_cli_metrics import write_dataset

#: The commands that read a dataset and write something, with what they need besides.
WRITERS = {
    "metrics": ["--out", "{out}.csv"],
    "agreement": ["--out", "{out}.xlsx"],
    "promotions": ["--out", "{out}.csv"],
    "followup": ["--cohort", "X", "--out", "{out}.xlsx"],
    "report": ["--out", "{out}.html"],  # « report cohort DATASET --cohort X »
    "ingest": [],
    "validate": [],
}


def run(capsys, argv: list[str]) -> tuple[int, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit_:  # argparse's usage errors
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out + err


def assert_french_refusal(code: int, text: str, expected: tuple[int, ...] = (1, 2)) -> None:
    assert code in expected, text
    assert "Traceback" not in text and "Error:" not in text, text
    assert "Erreur" in text or "erreur d'utilisation" in text, text


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    write_dataset(project / "data" / "raw" / "tiny")
    return project


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")} if folder.exists() else set()


# -- usage -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ["build", "--jobs", "-1"], ["build", "--jobs", "0"], ["build", "--jobs", "x"],
        ["build", "--wait", "-1"], ["build", "--wait", "nan"], ["build", "--wait", "inf"],
        ["lab", "--port", "70000"], ["report", "cohort", "tiny", "--wait", "-5"],
    ],
)  # fmt: skip
def test_bad_numbers_are_usage_errors(capsys, argv):
    code, text = run(capsys, argv)
    assert_french_refusal(code, text, expected=(2,))


@pytest.mark.parametrize("where", ["folder", "under a file", "proc", "dev"])
@pytest.mark.parametrize("command", sorted(set(WRITERS) - {"ingest", "validate"}))
def test_a_wrong_out_is_refused_before_any_work(capsys, project, tmp_path, command, where):
    folder = tmp_path / "sortie"
    folder.mkdir()
    (tmp_path / "fichier").write_text("x")
    suffix = {"report": ".html", "followup": ".xlsx", "agreement": ".xlsx"}.get(command, ".csv")
    out = {"folder": folder, "under a file": tmp_path / "fichier" / f"x{suffix}",
           "proc": Path("/proc") / f"x{suffix}", "dev": Path("/dev") / f"x{suffix}"}[where]  # fmt: skip
    if where == "folder":
        out = folder / f"d{suffix}"
        out.mkdir()
    argv = [command, *(["cohort"] if command == "report" else []), "tiny", "--workspace", project]
    argv += ["--cohort", "X"] if command in ("report", "followup") else []
    before = files_under(project) | files_under(folder)
    code, text = run(capsys, [*argv, "--out", out])
    assert_french_refusal(code, text, expected=(2,))
    assert files_under(project) | files_under(folder) == before  # nothing written, not even data


def test_ingest_into_proc_is_refused(capsys, project):
    code, text = run(capsys, ["ingest", "tiny", "--workspace", project, "--out-dir", "/proc/x"])
    assert_french_refusal(code, text, expected=(2,))


# -- hostile datasets ----------------------------------------------------------------------
def binary_candidates(folder: Path) -> None:
    (folder / "candidates.csv").write_bytes(bytes(range(256)) * 8)


def nul_in_scores(folder: Path) -> None:
    text = (folder / "scores.csv").read_text(encoding="utf-8")
    (folder / "scores.csv").write_text(text.replace("B1A1C1", "B1A1\x00C1", 1), encoding="utf-8")


def escape_in_cohort(folder: Path) -> None:
    text = (folder / "candidates.csv").read_text(encoding="utf-8")
    (folder / "candidates.csv").write_text(text.replace("\nX;", "\nX\x1b[2J\x00;"),
                                           encoding="utf-8")  # fmt: skip


def bidi_in_site(folder: Path) -> None:
    text = (folder / "candidates.csv").read_text(encoding="utf-8")
    (folder / "candidates.csv").write_text(text.replace("Lyon", "Ly\u202eon", 1), encoding="utf-8")


def competency_as_a_number(folder: Path) -> None:
    text = (folder / "referentiel.yaml").read_text(encoding="utf-8")
    head, _, tail = text.partition("competencies:\n")
    lines = tail.splitlines()
    # the first competency entry (a mapping of several lines) becomes the number 7
    first_end = next(i for i, line in enumerate(lines[1:], 1) if line.lstrip().startswith("- "))
    indent = lines[0][: len(lines[0]) - len(lines[0].lstrip())]
    (folder / "referentiel.yaml").write_text(
        head + "competencies:\n" + f"{indent}- 7\n" + "\n".join(lines[first_end:]) + "\n",
        encoding="utf-8")  # fmt: skip


def alias_bomb(folder: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]")
    (folder / "referentiel.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def deep_nesting(folder: Path) -> None:
    (folder / "referentiel.yaml").write_text("title: " + "[" * 5000 + "]" * 5000 + "\n",
                                             encoding="utf-8")  # fmt: skip


HOSTILE = {
    "binary candidates.csv": binary_candidates,
    "NUL in scores.csv": nul_in_scores,
    "ANSI escape and NUL in a cohort": escape_in_cohort,
    "bidi override in a site": bidi_in_site,
    "a competency replaced by 7": competency_as_a_number,
    "YAML alias bomb": alias_bomb,
    "YAML nested 5000 deep": deep_nesting,
}


@pytest.mark.parametrize("spoil", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("command", list(WRITERS))
def test_every_command_refuses_a_hostile_dataset_in_french(capsys, project, tmp_path, spoil,
                                                            command):  # fmt: skip
    dataset = project / "data" / "raw" / "tiny"
    spoil(dataset)
    out = tmp_path / "sortie"
    argv = [command, *(["cohort"] if command == "report" else []), "tiny", "--workspace", project]
    argv += ["--cohort", "X"] if command == "report" else []
    argv += [a.format(out=out) for a in WRITERS[command]]
    raw = {p: p.read_bytes() for p in dataset.iterdir()}
    code, text = run(capsys, argv)
    assert_french_refusal(code, text, expected=(1,))
    assert {p: p.read_bytes() for p in dataset.iterdir()} == raw  # data/raw is never written
    assert not list(tmp_path.glob("sortie*"))  # no output
    processed = project / "data" / "processed"
    assert not [p for p in files_under(processed) if p.suffix in (".parquet", ".json")]
    reports = [p for p in files_under(project / "reports") if p.name != "validation.html"]
    assert not [p for p in reports if p.suffix in (".html", ".ipynb", ".csv", ".xlsx")]
    shutil.rmtree(project / "reports", ignore_errors=True)


def test_an_output_never_replaces_a_raw_input_or_a_protected_file(capsys, project, tmp_path):
    raw = project / "data" / "raw" / "tiny" / "candidates.csv"
    before = raw.read_bytes()
    code, text = run(capsys, ["metrics", "tiny", "--workspace", project, "--out", raw])
    assert_french_refusal(code, text, expected=(2,))
    assert "jamais modifiées" in text and raw.read_bytes() == before
    protected = tmp_path / "protégé.csv"
    protected.write_text("garder")
    protected.chmod(0o444)
    if not __import__("os").access(protected, __import__("os").W_OK):  # root may write anyway
        code, text = run(capsys, ["metrics", "tiny", "--workspace", project, "--out", protected])
        assert_french_refusal(code, text, expected=(2,))
        assert protected.read_text() == "garder"


def test_two_dataset_folders_never_share_their_outputs():
    from cc_analytics.core.text import unique_name

    assert unique_name("a-b") == "a-b" and unique_name("a b") != "a-b"


def test_control_characters_in_a_referentiel_are_refused_in_french():
    from cc_analytics.core.errors import CcAnalyticsError
    from cc_analytics.referentiel import from_dict
    from tests.fixtures import SCALE

    with pytest.raises(CcAnalyticsError, match="caractère de contrôle"):
        from_dict({"title": "Chargé.e\x1b[31m", "scale": SCALE, "blocks": [{
            "code": "B1", "label": "Bloc", "activities": [{"code": "B1A1", "label": "A",
            "competencies": [{"code": "B1A1C1", "label": "Un"}]}]}]})  # fmt: skip


def test_an_escape_in_any_text_never_crashes_an_xlsx(tmp_path):
    import openpyxl
    import pandas as pd

    from cc_analytics.reporting.exports import write_table

    out = tmp_path / "t.xlsx"
    write_table(pd.DataFrame({"cohort": ["X\x1b[31m"], "rate": [0.5]}), out, {"Titre": "T\x07"})
    book = openpyxl.load_workbook(out)
    assert book.worksheets[0]["A2"].value == "X\\x1b[31m"
