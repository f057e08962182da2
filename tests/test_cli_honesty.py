"""The command line never ignores what it is told: an option a report kind does not read is a
usage error naming the kinds that read it, cohorts and sites are matched regardless of case (an
unknown one is answered with the nearest names), and a malformed ``--years`` is explained."""

from __future__ import annotations

import ast
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from cc_analytics.cli import main
from cc_analytics.cli.common import EXIT_INPUT, EXIT_OK, EXIT_USAGE
from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.referentiel import dump
from cc_analytics.reporting.kinds import KINDS, option_problems, parse_period
from cc_analytics.reporting.requests import (
    COHORTS,
    SITES,
    ReportRequest,
    check_options,
    check_request,
    known_name,
)
from cc_analytics.workspace.catalog import DatasetCatalog
from tests.fixtures import processed_dataset, scores_frame, tiny_referentiel


def run(*argv: object) -> tuple[int, str, str]:
    """Exit code, standard output and error of the command (argparse's exits included)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as done:
            code = done.code
    return code, out.getvalue(), err.getvalue()


# -- 1. an option the kind does not read is refused, naming the kinds that read it ------------
#: (kind, the option as typed, the flag named, the kinds that read it), worked out from the
#: notebooks' parameters: cohort reads --cohort and --followup, review --years and --site,
#: renewal --years, --rncp-export and --fiche.
NOT_READ = [
    ("cohort", ["--site", "Nantes"], "--site", "review"),
    ("cohort", ["--years", "2024"], "--years", "review, renewal"),
    ("cohort", ["--rncp-export", "export.xml"], "--rncp-export", "renewal"),
    ("cohort", ["--fiche", "RNCP1"], "--fiche", "renewal"),
    ("review", ["--cohort", "2024-LYON"], "--cohort", "cohort"),
    ("review", ["--followup"], "--followup", "cohort"),
    ("review", ["--no-followup"], "--no-followup", "cohort"),
    ("review", ["--rncp-export", "export.xml"], "--rncp-export", "renewal"),
    ("review", ["--fiche", "RNCP1"], "--fiche", "renewal"),
    ("renewal", ["--cohort", "2024-LYON"], "--cohort", "cohort"),
    ("renewal", ["--site", "Nantes"], "--site", "review"),
    ("renewal", ["--followup"], "--followup", "cohort"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "option", "flag", "readers"), NOT_READ)
def test_an_option_the_kind_does_not_read_is_a_usage_error(kind, option, flag, readers,
                                                           tmp_path):  # fmt: skip
    # no workspace at all: the refusal comes before anything is looked for, read or written
    extra = ["--cohort", "2024-LYON"] if kind == "cohort" else []
    code, out, err = run("report", kind, "demo", *extra, *option, "--out", tmp_path / "r.html")
    assert code == EXIT_USAGE
    assert out == ""
    assert err.startswith("cc-analytics report : erreur d'utilisation : ")
    assert (f"L'option {flag} ne s'applique pas au rapport « {kind} » ; elle vaut pour : "
            f"{readers}. Retirez {flag}") in err  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_years_on_a_cohort_report_no_longer_renames_the_file(tmp_path, monkeypatch):
    """It used to be accepted and only add « -2024 » to the page's name."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "raw").mkdir(parents=True)
    code, _, err = run("report", "cohort", "demo", "--cohort", "2024-LYON", "--years", "2024")
    assert code == EXIT_USAGE and "elle vaut pour : review, renewal" in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["data", "raw"]


def test_every_option_not_read_is_said_at_once(tmp_path):
    code, _, err = run("report", "review", "demo", "--cohort", "2024-LYON", "--no-followup",
                       "--fiche", "RNCP1", "--years", "2023-2025")  # fmt: skip
    assert code == EXIT_USAGE
    assert "3 problèmes" in err
    assert "L'option --cohort ne s'applique pas au rapport « review »" in err
    assert "L'option --no-followup ne s'applique pas au rapport « review »" in err
    assert "L'option --fiche ne s'applique pas au rapport « review »" in err
    assert "--years" not in err  # read by the review


def test_a_fiche_without_the_export_is_refused():
    code, _, err = run("report", "renewal", "demo", "--fiche", "RNCP36612")
    assert code == EXIT_USAGE
    assert "L'option --fiche ne sert qu'avec --rncp-export. Ajoutez --rncp-export FICHIER" in err


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("cohort", {"cohort": "2024-LYON", "followup": True}),
        ("cohort", {"cohort": "2024-LYON", "followup": False}),
        ("review", {"years": (2023, 2025), "site": "Lyon"}),
        ("renewal", {"years": (2024, 2024), "rncp_export": Path("x.xml"), "fiche": "RNCP1"}),
        ("renewal", {"rncp_export": Path("x.xml")}),
    ],
)
def test_the_options_a_kind_reads_are_accepted(kind, values):
    assert option_problems(kind, values) == []


def test_a_request_made_in_code_is_refused_too():
    """The main job and notebooks build requests without the command line: same refusal."""
    request = ReportRequest("cohort", dataset=None, cohort="2024-LYON", site="Nantes")  # type: ignore[arg-type]
    with pytest.raises(CcAnalyticsError, match="--site ne s'applique pas au rapport « cohort »"):
        check_options(request)


def _notebook_parameters(kind: str) -> set[str]:
    notebook = json.loads(KINDS[kind].path.read_text(encoding="utf-8"))
    (cell,) = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    tree = ast.parse("".join(cell["source"]))
    return {node.targets[0].id for node in tree.body if isinstance(node, ast.Assign)}


COMMON = {"dataset", "workspace", "referentiel", "rules", "threshold", "combine", "external"}
#: Parameters only the main job gives (no option of ``report``): see reporting.prepared
BUILD_ONLY = {"prepared"}


@pytest.mark.parametrize(
    ("kind", "own"),
    [
        ("cohort", {"cohort", "followup"}),
        ("review", {"years", "site"}),
        ("renewal", {"years", "rncp_export", "fiche"}),
    ],
)
def test_the_table_is_what_each_notebook_reads(kind, own):
    """The options a kind accepts are its notebook's parameters: none accepted and then
    ignored, none read and then refused."""
    assert _notebook_parameters(kind) == COMMON | own | BUILD_ONLY
    dataset = DatasetCatalog("d", Path("/w/data/raw/d"), Path("/w/data/processed/d"),
                             Path("/w/reports/d"), Path("/w"))  # fmt: skip
    assert set(ReportRequest(kind, dataset).parameters()) == COMMON | own


# -- 2. cohorts (and sites) matched regardless of case; the nearest names for an unknown one --
def test_a_cohort_is_matched_regardless_of_case():
    assert known_name("2024-lyon", ["2024-LYON", "2024-NANTES"], COHORTS) == "2024-LYON"
    assert known_name(" 2024-Lyon ", ["2024-LYON", "2024-NANTES"], COHORTS) == "2024-LYON"
    assert known_name("nantes", ["Lyon", "Nantes"], SITES) == "Nantes"


def test_an_unknown_cohort_gets_the_nearest_names_and_the_list():
    with pytest.raises(CcAnalyticsError) as error:
        known_name("2024-lyonn", ["2023-NANTES", "2024-LYON", "2024-NANTES"], COHORTS)
    assert str(error.value) == (
        "cohorte inconnue (valeur : « 2024-lyonn »). Vouliez-vous dire « 2024-LYON » ? "
        "Cohortes du jeu de données : 2023-NANTES, 2024-LYON, 2024-NANTES"
    )


def test_an_unknown_cohort_among_many_is_summarised():
    many = [f"20{y}-S{s:02d}" for y in (23, 24) for s in range(10)]  # 20 cohorts
    with pytest.raises(CcAnalyticsError) as error:
        known_name("2024-s1", many, COHORTS)
    message = str(error.value)
    assert "Vouliez-vous dire « 2024-S01 »" in message
    assert message.endswith("Le jeu de données compte 20 cohortes, de « 2023-S00 » à « 2024-S09 »")


def test_cohorts_that_differ_by_case_only_are_never_guessed():
    twins = ["2024-LYON", "2024-Lyon"]
    assert known_name("2024-Lyon", twins, COHORTS) == "2024-Lyon"  # typed exactly: that one
    with pytest.raises(CcAnalyticsError) as error:
        known_name("2024-lyon", twins, COHORTS)
    assert str(error.value) == (
        "cohorte ambiguë : plusieurs noms ne diffèrent que par les majuscules (valeur : "
        "« 2024-lyon »). Écrivez exactement l'un d'eux : 2024-LYON, 2024-Lyon"
    )


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Three cohorts on two sites, gated and processed, in a workspace of their own."""
    folder = tmp_path_factory.mktemp("espace") / "data" / "raw" / "tiny"
    folder.mkdir(parents=True)
    pd.DataFrame({
        "cohort": ["2024-LYON", "2024-LYON", "2024-NANTES", "2025-LYON"],
        "candidate_id": ["A", "B", "C", "D"],
        "access_route": ["CA"] * 4,
        "immersion": ["oui"] * 4,
        "site": ["Lyon", "Lyon", "Nantes", "Lyon"],
    }).to_csv(folder / "candidates.csv", sep=";", index=False)  # fmt: skip
    rows = [(c, code, "jury", score, "2024-06-01")
            for c, score in zip("ABCD", (3, 1, 2, 2), strict=True)
            for code in ("B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2")]  # fmt: skip
    scores = scores_frame(rows)
    scores["session_date"] = scores["session_date"].dt.strftime("%Y-%m-%d")
    scores.to_csv(folder / "scores.csv", sep=";", index=False)
    dump(tiny_referentiel(), folder / "referentiel.yaml")
    return processed_dataset(folder)


def test_a_report_request_names_the_cohort_and_site_as_the_data_spell_them(tiny):
    request = check_request(ReportRequest("cohort", tiny, cohort="2024-lyon"))
    assert request.cohort == "2024-LYON"
    assert request.output().name == "cohort-2024-LYON.html"
    assert check_request(ReportRequest("review", tiny, site="nantes")).site == "Nantes"
    assert request.parameters()["cohort"] == "2024-LYON"


def test_report_answers_an_unknown_cohort_with_the_nearest(tiny, tmp_path):
    out = tmp_path / "r.html"
    code, _, err = run("report", "cohort", "tiny", "--workspace", tiny.workspace,
                       "--cohort", "2024-LYN", "--out", out)  # fmt: skip
    assert code == EXIT_INPUT
    assert err == (
        "Erreur : cohorte inconnue (valeur : « 2024-LYN »). Vouliez-vous dire « 2024-LYON » ? "
        "Cohortes du jeu de données : 2024-LYON, 2024-NANTES, 2025-LYON\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_report_answers_an_unknown_site_with_the_nearest(tiny, tmp_path):
    code, _, err = run("report", "review", "tiny", "--workspace", tiny.workspace,
                       "--site", "Nante", "--out", tmp_path / "r.html")  # fmt: skip
    assert code == EXIT_INPUT
    assert "site inconnu (valeur : « Nante »). Vouliez-vous dire « Nantes » ?" in err
    assert list(tmp_path.iterdir()) == []


def test_followup_matches_the_cohort_regardless_of_case(tiny, tmp_path):
    out = tmp_path / "suivi.csv"
    code, stdout, err = run("followup", "tiny", "--workspace", tiny.workspace,
                            "--cohort", "2024-lyon", "--out", out)  # fmt: skip
    assert (code, err) == (EXIT_OK, "")
    assert stdout.startswith("Suivi de la cohorte 2024-LYON : ")
    assert out.exists()


def test_followup_answers_an_unknown_cohort_with_the_nearest(tiny, tmp_path):
    code, _, err = run("followup", "tiny", "--workspace", tiny.workspace,
                       "--cohort", "2024-nante", "--out", tmp_path / "x.csv")  # fmt: skip
    assert code == EXIT_INPUT
    assert "cohorte inconnue (valeur : « 2024-nante »). Vouliez-vous dire « 2024-NANTES »" in err
    assert list(tmp_path.iterdir()) == []


# -- 3. --years: reversed or malformed, explained with an example -----------------------------
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2025-2023", "L'intervalle 2025-2023 est à l'envers : écrivez 2023-2025."),
        ("23-25", "Une année s'écrit avec ses quatre chiffres : 2023-2025 plutôt que « 23-25 »."),
        ("2023-", "Il manque une année à « 2023- » : une période a un début et une fin, comme "
                  "2023-2025 (ou une seule année : 2024)."),
        ("2023/2025", "Séparez les deux années par un tiret : 2023-2025 plutôt que « 2023/2025 »."),
        ("2023 à 2025", "Séparez les deux années par un tiret : 2023-2025 plutôt que "
                        "« 2023 à 2025 »."),
        ("2023-2024-2025", "Une période a un début et une fin, pas 3 années : écrivez 2023-2025."),
        ("juin", "Période illisible « juin » : écrivez une année (2024) ou un intervalle "
                 "(2023-2025)."),
        ("", "La période est vide : écrivez une année (2024) ou un intervalle (2023-2025)."),
    ],
)  # fmt: skip
def test_a_malformed_period_is_explained(typed, message):
    code, _, err = run("report", "review", "demo", "--years", typed)
    assert code == EXIT_USAGE
    assert err.endswith(f"cc-analytics report : erreur d'utilisation : argument --years : "
                        f"{message}\n")  # fmt: skip
    assert "illisible" not in err or typed == "juin"


@pytest.mark.parametrize(
    ("typed", "period"),
    [("2024", (2024, 2024)), ("2023-2025", (2023, 2025)), ("2023–2025", (2023, 2025)),
     (" 2023 - 2025 ", (2023, 2025))],
)  # fmt: skip
def test_a_period_is_read(typed, period):
    assert parse_period(typed) == period
