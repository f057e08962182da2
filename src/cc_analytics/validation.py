"""The validation gate: every input checked, every problem reported at once, in French.

Great Expectations suites (``expectations/*.json``) check each table; the checks GX cannot
express across tables are done here and reported in the same list. Problems are located as
the user sees them: file (and sheet), spreadsheet row numbers, column, offending values.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .dataset import COLUMN, RawDataset, read_dataset
from .errors import DataValidationError, Problem
from .referentiel import Referentiel
from .schemas import ACCESS_ROUTES, INSERTION_STATUSES, SCHEMAS
from .tabular import FILE, ROW

MAX_ROWS_SHOWN = 15
MAX_VALUES_SHOWN = 8

#: What to do, per (column, expectation): words a pedagogical lead acts on.
HINTS: dict[tuple[str | None, str], str] = {
    (
        "score",
        "expect_column_values_to_be_in_set",
    ): "Saisissez un entier de 0 (non acquis) à 4 (expert), sans décimale, ou laissez la "
    "case vide si la compétence n'a pas été évaluée",
    (
        "competency",
        "expect_column_values_to_be_in_set",
    ): "Utilisez un code de compétence du référentiel (cc-analytics referentiel show)",
    (
        "candidate_id",
        "expect_column_values_to_be_in_set",
    ): "Ajoutez ce candidat au fichier des candidats, ou corrigez son identifiant",
    ("evaluator", "expect_column_values_to_be_in_set"): "Indiquez « jury » ou « entreprise »",
    ("access_route", "expect_column_values_to_be_in_set"): "Voies acceptées : "
    + ", ".join(f"{k} ({v})" for k, v in ACCESS_ROUTES.items()),
    ("immersion", "expect_column_values_to_be_in_set"): "Indiquez « oui » ou « non »",
    ("horizon_months", "expect_column_values_to_be_in_set"): "Indiquez 6 ou 24 (mois)",
    ("status", "expect_column_values_to_be_in_set"): "Situations acceptées : "
    + ", ".join(INSERTION_STATUSES),
    (
        "session_date",
        "expect_column_values_to_match_regex",
    ): "Écrivez la date au format AAAA-MM-JJ (2024-06-14) ou JJ/MM/AAAA",
    ("cohort", "expect_column_values_to_not_be_null"): "Indiquez la cohorte de chaque candidat",
    (
        "candidate_id",
        "expect_column_values_to_not_be_null",
    ): "Chaque ligne doit porter l'identifiant du candidat",
    (
        "access_route",
        "expect_column_values_to_not_be_null",
    ): "Indiquez la voie d'accès de chaque candidat",
    (
        "candidate_id",
        "expect_column_values_to_be_unique",
    ): "Chaque candidat ne doit figurer qu'une fois : supprimez le doublon",
}
DUPLICATE_HINT = (
    "Une même note est saisie deux fois : supprimez le doublon, ou, s'il s'agit d'un "
    "rattrapage, indiquez une date de session plus tardive"
)
WHAT: dict[str, str] = {
    "expect_column_values_to_be_in_set": "valeur non reconnue",
    "expect_column_values_to_not_be_null": "valeur manquante",
    "expect_column_values_to_be_unique": "valeur en double",
    "expect_column_values_to_match_regex": "format non reconnu",
    "expect_compound_columns_to_be_unique": "ligne en double",
    "expect_column_values_to_be_of_type": "type inattendu",
}
WHAT_BY_COLUMN: dict[str, str] = {
    "score": "note invalide",
    "competency": "code de compétence inconnu du référentiel",
    "candidate_id": "candidat absent du fichier des candidats",
    "evaluator": "évaluateur inconnu",
    "access_route": "voie d'accès inconnue",
    "immersion": "immersion : valeur non reconnue",
    "status": "situation d'enquête inconnue",
    "horizon_months": "délai d'enquête inconnu",
    "session_date": "date non reconnue",
}


@dataclass(frozen=True)
class GateResult:
    """What the gate saw: problems (empty when the data passed) and counts for the report."""

    raw: RawDataset
    problems: list[Problem]
    expectations_run: dict[str, int]
    rows: dict[str, int]

    @property
    def passed(self) -> bool:
        return not self.problems


def run_gate(folder: str, referentiel: Referentiel | None = None) -> GateResult:
    """Read a dataset folder and check it in full; never raises for bad data values."""
    raw = read_dataset(folder, referentiel)
    problems = list(raw.problems)
    expectations_run: dict[str, int] = {}
    if not raw.problems:  # the tables have every required column: values can be checked
        problems += _gx_problems(raw, expectations_run)
        problems += cross_table_problems(raw)
    rows = {"candidates": len(raw.candidates), "scores": len(raw.scores),
            "insertion": len(raw.insertion)}  # fmt: skip
    return GateResult(raw, problems, expectations_run, rows)


def validate(folder: str, referentiel: Referentiel | None = None) -> GateResult:
    """:func:`run_gate`, raising :class:`DataValidationError` with every problem."""
    result = run_gate(folder, referentiel)
    if result.problems:
        raise DataValidationError(result.problems)
    return result


def _gx_problems(raw: RawDataset, expectations_run: dict[str, int]) -> list[Problem]:
    from .gx_gate import load_suite, validate_table

    parameters = {
        "competency_codes": raw.referentiel.competencies["code"].tolist(),
        "candidate_ids": raw.candidates["candidate_id"].dropna().unique().tolist(),
    }
    tables = {"candidates": raw.candidates, "scores": raw.scores, "insertion": raw.insertion}
    problems: list[Problem] = []
    for name, table in tables.items():
        if name == "insertion" and raw.files.insertion is None:
            continue
        _, expectations_run[name] = load_suite(name)
        # compound uniqueness treats two missing dates as the same session (a duplicate)
        data = table[SCHEMAS[name].names].reset_index(drop=True)
        for failure in validate_table(name, data, parameters):
            problems += _locate(failure, table.reset_index(drop=True))
    return problems


def _locate(failure, table: pd.DataFrame) -> list[Problem]:
    """One problem per file and column, listing the spreadsheet rows and offending values."""
    expectation = failure.expectation
    column = failure.column
    if not failure.positions:
        return [
            Problem(
                failure.description_fr or expectation,
                column=column,
                hint=HINTS.get((column, expectation)),
            )
        ]
    where = table.iloc[list(failure.positions)][[FILE, ROW, COLUMN]].copy()
    where["value"] = [str(v) for v in failure.values]
    compound = expectation == "expect_compound_columns_to_be_unique"
    what = WHAT_BY_COLUMN.get(column or "", WHAT.get(expectation, expectation))
    if compound:
        what = "même candidat, compétence, évaluateur et date de session sur plusieurs lignes"
    elif expectation == "expect_column_values_to_not_be_null":
        what = "valeur manquante"
    elif expectation == "expect_column_values_to_be_unique":
        what = "valeur en double"
    problems = []
    for (file, user_column), group in where.groupby([FILE, COLUMN], sort=True):
        rows = sorted(set(group[ROW]), key=int)
        values = list(dict.fromkeys(group["value"]))
        shown_column = user_column or (column if not compound else None)
        problems.append(Problem(
            what,
            file=file,
            row=_rows_text(rows),
            column=shown_column,
            value=None if compound or expectation.endswith("not_be_null") else _values_text(values),
            hint=DUPLICATE_HINT if compound else HINTS.get((column, expectation)),
        ))  # fmt: skip
    return problems


def _rows_text(rows: list[str]) -> str:
    shown = ", ".join(rows[:MAX_ROWS_SHOWN])
    more = len(rows) - MAX_ROWS_SHOWN
    label = "lignes" if len(rows) > 1 else ""
    text = f"{shown} et {more} autres" if more > 0 else shown
    return f"{label} {text}".strip() if label else text


def _values_text(values: list[str]) -> str:
    shown = "», «".join(values[:MAX_VALUES_SHOWN]).replace("», «", " », « ")
    more = len(values) - MAX_VALUES_SHOWN
    return f"{shown} » … ({more} autres)" if more > 0 else shown


def cross_table_problems(raw: RawDataset) -> list[Problem]:
    """Checks across tables that GX suites cannot express."""
    problems: list[Problem] = []
    candidates = raw.candidates
    missing_immersion = candidates["immersion"].isna() & (candidates["access_route"] != "VAE")
    for file, group in candidates[missing_immersion].groupby(FILE):
        problems.append(
            Problem(
                "immersion non renseignée",
                file=file,
                row=_rows_text(list(group[ROW])),
                column="immersion",
                hint="Indiquez « oui » si le candidat a une entreprise d'accueil, sinon « non »",
            )
        )
    no_immersion = set(candidates.loc[candidates["immersion"] != "oui", "candidate_id"])
    scores = raw.scores
    employer = scores[(scores["evaluator"] == "entreprise") & scores["score"].notna()
                      & scores["candidate_id"].isin(no_immersion)]  # fmt: skip
    for (file, column), group in employer.groupby([FILE, COLUMN]):
        problems.append(
            Problem(
                "note entreprise pour un candidat sans immersion en entreprise (ou VAE)",
                file=file,
                row=_rows_text(sorted(set(group[ROW]), key=int)),
                column=column or "score",
                value=_values_text(list(dict.fromkeys(group["candidate_id"]))),
                hint="La co-validation par l'entreprise suppose une immersion : corrigez "
                "l'immersion du candidat, ou retirez la note entreprise",
            )
        )
    return problems
