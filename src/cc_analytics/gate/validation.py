"""The validation gate: every input checked, every problem reported at once, in French.

Great Expectations suites (``expectations/*.json``) check each table; the checks GX cannot
express across tables are done here and reported in the same list. Problems are located as
the user sees them: file (and sheet), spreadsheet row numbers, column as titled in the file,
offending values.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..contract import SCHEMAS
from ..core.errors import DataValidationError, Problem
from ..core.labels import ACCESS_ROUTES, INSERTION_STATUSES, SURVEY_HORIZONS
from ..core.terminal import Progress
from ..core.text import CONTROL_CHARACTERS, french_list
from ..inputs.messages import values_text
from ..inputs.read import COLUMN, RawDataset, read_dataset, rows_of
from ..inputs.sheets import FILE, ROW
from ..inputs.values import as_text
from ..referentiel import Referentiel
from ..referentiel.gaps import gap_message

DATE_HINT = (
    "Écrivez une date du calendrier au format JJ/MM/AAAA (14/06/2024) ou AAAA-MM-JJ "
    "(2024-06-14), ou laissez la case vide"
)
#: What to do, per (column, expectation): words a pedagogical lead acts on. Without an entry,
#: the expectation's own French description (``meta.description_fr``) is the hint.
HINTS: dict[tuple[str | None, str], str] = {
    (
        "score",
        "expect_column_values_to_be_in_set",
    ): "Saisissez un entier de 0 (non acquis) à 4 (expert), sans décimale, ou laissez la "
    "case vide si la compétence n'a pas été évaluée",
    (
        "competency",
        "expect_column_values_to_be_in_set",
    ): "Corrigez le code (forme B1A1C1) : la liste des compétences du référentiel est donnée "
    "par « cc-analytics referentiel show »",
    (
        "candidate_id",
        "expect_column_values_to_be_in_set",
    ): "Ajoutez ce candidat au fichier des candidats, ou corrigez son identifiant",
    ("evaluator", "expect_column_values_to_be_in_set"): "Indiquez « jury » ou « entreprise »",
    ("access_route", "expect_column_values_to_be_in_set"): "Voies acceptées : "
    + " ; ".join(f"{k} = {v}" for k, v in ACCESS_ROUTES.items()),
    ("immersion", "expect_column_values_to_be_in_set"): "Indiquez « oui » ou « non »",
    ("horizon_months", "expect_column_values_to_be_in_set"): "Indiquez "
    + french_list(list(SURVEY_HORIZONS))
    + " (mois)",
    ("status", "expect_column_values_to_be_in_set"): "Situations acceptées : "
    + " ; ".join(f"{k} = {v}" for k, v in INSERTION_STATUSES.items()),
    (
        "session_date",
        "expect_column_values_to_match_regex",
    ): DATE_HINT,
    ("decision_date", "expect_column_values_to_match_regex"): DATE_HINT,
    ("survey_date", "expect_column_values_to_match_regex"): DATE_HINT,
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
#: Rows that say the same thing twice, per table: what is wrong, and what to do.
DUPLICATES: dict[str, tuple[str, str]] = {
    "scores": (
        "note en double : même candidat, même compétence, même évaluateur et même date de session",
        "Supprimez le doublon ; s'il s'agit d'un rattrapage, indiquez sa date de session "
        "(plus tardive)",
    ),
    "insertion": (
        "réponse en double : même candidat et même délai d'enquête",
        f"Un candidat n'a qu'une situation par délai ({french_list(list(SURVEY_HORIZONS))} mois) : "
        "supprimez le doublon",
    ),
}
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
    "decision_date": "date de délibération non reconnue",
    "survey_date": "date d'enquête non reconnue",
}
NO_DATE = "sans date"


@dataclass(frozen=True)
class GateResult:
    """What the gate saw: problems (empty when the data passed) and counts for the report."""

    raw: RawDataset
    problems: list[Problem]
    expectations_run: dict[str, int]
    rows: dict[str, int]
    #: What ``prepare`` made of the tables while Great Expectations loaded (see
    #: :func:`run_gate`); ``None`` when it was not asked for, or not worth it (problems found)
    prepared: object | None = None

    @property
    def passed(self) -> bool:
        return not self.problems


def run_gate(folder: str, referentiel: Referentiel | None = None,
             progress: Progress | None = None,
             prepare: Callable[[RawDataset], object] | None = None) -> GateResult:  # fmt: skip
    """Read a dataset folder and check it in full; never raises for bad data values.

    Problems found while reading do not stop the checks: the rows that could be read are
    checked too, so that every problem is reported at once. ``progress`` shows the steps
    (reading each file, the checks) of a long run.

    Great Expectations takes seconds to import: it is imported in a thread while the files
    are read and the checks that need no Great Expectations run. ``prepare`` (the typed
    tables, for the pipeline) is work on the read tables done in that time too, when no
    problem is found so far; its result is :attr:`GateResult.prepared`, to be used only if
    the gate passes. If ``prepare`` fails on data the gate then refuses, ``prepared`` is
    ``None`` and the gate's problems say why.
    """
    progress = progress or Progress(enabled=False)
    # a failure of the import or set-up is raised again, in the gate's own words, below
    warming = threading.Thread(target=_warm_gx, daemon=True)
    warming.start()
    try:
        raw = read_dataset(folder, referentiel, progress)
        with progress.step("Contrôles croisés"):
            crossed = cross_table_problems(raw)
        prepared = None
        if prepare is not None and not raw.problems and not crossed and not raw.unusable:
            with contextlib.suppress(Exception):  # data the gate refuses below
                prepared = prepare(raw)
    except BaseException:
        warming.join()
        raise
    expectations_run: dict[str, int] = {}
    with progress.step("Contrôle des données (Great Expectations)"):
        warming.join()
        problems = [*raw.problems, *_gx_problems(raw, expectations_run), *crossed]
    order = {path.name: i for i, path in enumerate(raw.files.all)}
    problems.sort(key=lambda p: order.get((p.file or "").split(" [")[0], -1))  # file by file
    rows = {"candidates": len(raw.candidates), "scores": len(raw.scores),
            "insertion": len(raw.insertion)}  # fmt: skip
    return GateResult(raw, problems, expectations_run, rows,
                      prepared=None if problems else prepared)  # fmt: skip


def validate(folder: str, referentiel: Referentiel | None = None) -> GateResult:
    """:func:`run_gate`, raising :class:`DataValidationError` with every problem."""
    result = run_gate(folder, referentiel)
    if result.problems:
        raise DataValidationError(result.problems)
    return result


def _warm_gx() -> None:
    from .gx import warm_up

    with contextlib.suppress(Exception):  # the gate imports it again, and reports the error
        warm_up()


def _gx_problems(raw: RawDataset, expectations_run: dict[str, int]) -> list[Problem]:
    from .gx import load_suite, validate_table

    known_ids = pd.Index(raw.candidates["candidate_id"].dropna().unique())
    if "candidates" in raw.unusable:
        # the candidates file could not be read in full: it says nothing about who is unknown
        known_ids = known_ids.append([_distinct(raw.scores["candidate_id"]),
                                      _distinct(raw.insertion["candidate_id"])]).unique()  # fmt: skip
    # value sets handed by reference to the contract's checks, which look rows up in them
    parameters = {
        "competency_codes": raw.referentiel.competencies["code"].tolist(),
        "candidate_ids": known_ids,
    }
    tables = {"candidates": raw.candidates, "scores": raw.scores, "insertion": raw.insertion}
    problems: list[Problem] = []
    for name, table in tables.items():
        if name == "insertion" and raw.files.insertion is None:
            continue
        _, expectations_run[name] = load_suite(name)
        # compound uniqueness treats two missing dates as the same session (a duplicate)
        data = table[SCHEMAS[name].names].reset_index(drop=True)
        for failure in validate_table(name, data, parameters, detail=False):
            problems += _locate(failure, table.reset_index(drop=True), raw)
    return problems


def _distinct(values: pd.Series) -> pd.Index:
    """The distinct values of a column (of a categorical: its categories)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return pd.Index(values.cat.categories)
    return pd.Index(values.dropna().unique())


def _with_control_characters(texts: pd.Index) -> list[str]:
    """The texts holding an invisible character (one regular expression over all of them, in
    Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if texts.empty:
        return []
    found = pc.match_substring_regex(pa.array(texts.astype("str").array),
                                     CONTROL_CHARACTERS.pattern)  # fmt: skip
    return texts[np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False),
                            dtype=bool)].astype(str).tolist()  # fmt: skip


def _where(failure, table: pd.DataFrame) -> pd.DataFrame:
    """File, row, column read from, and offending value (as text) of each failing row."""
    if failure.mask is not None:
        picked = table[failure.mask]
        columns = (failure.column or "").split(", ")
        texts = [as_text(picked[c]).astype("str") for c in columns if c in picked]
        if len(texts) == 1:
            value = texts[0].fillna("None")
        else:  # a key: its values joined, a missing date named
            value = texts[0].fillna(NO_DATE).str.cat([t.fillna(NO_DATE) for t in texts[1:]],
                                                     sep=" · ")  # fmt: skip
        value = value.to_numpy()
    else:
        picked = table.iloc[list(failure.positions)]
        value = [_key_text(v) if isinstance(v, tuple) else str(v) for v in failure.values]
    return pd.DataFrame({FILE: as_text(picked[FILE]).to_numpy(),
                         ROW: picked[ROW].to_numpy(dtype=np.int64),
                         COLUMN: as_text(picked[COLUMN]).to_numpy(), "value": value})  # fmt: skip


def _locate(failure, table: pd.DataFrame, raw: RawDataset) -> list[Problem]:
    """One problem per file and column, listing the spreadsheet rows and offending values."""
    expectation = failure.expectation
    column = failure.column
    hint = HINTS.get((column, expectation)) or failure.description_fr
    if failure.mask is None and not failure.positions:
        return [Problem(failure.error or failure.description_fr or expectation, column=column,
                        hint=HINTS.get((column, expectation)))]  # fmt: skip
    where = _where(failure, table)
    if expectation == "expect_compound_columns_to_be_unique":
        return _duplicates(failure.table, where)
    what = WHAT_BY_COLUMN.get(column or "", WHAT.get(expectation, expectation))
    if expectation == "expect_column_values_to_not_be_null":
        what = WHAT[expectation]
    elif expectation == "expect_column_values_to_be_unique":
        what = (
            "identifiant de candidat en double" if column == "candidate_id" else WHAT[expectation]
        )
    where["shown"], title_is_value = _user_columns(raw, where, column)
    # an unknown competency code of a grid is its column title: the header row is at fault
    where[ROW] = where[ROW].where(~title_is_value, where[FILE].map(_header_row(raw)))
    problems = []
    if column == "competency" and expectation == "expect_column_values_to_be_in_set":
        problems, where = _known_gaps(where, raw)
    for (file, shown), group in where.groupby([FILE, "shown"], sort=True):
        problems.append(Problem(
            what,
            file=file,
            row=rows_of(group[ROW]),
            column=shown or None,
            value=None if expectation.endswith("not_be_null")
            else values_text(list(group["value"].unique())),
            hint=hint,
        ))  # fmt: skip
    return problems


def _known_gaps(where: pd.DataFrame, raw: RawDataset) -> tuple[list[Problem], pd.DataFrame]:
    """Competency codes the referentiel records as gaps of its source (B2A2C1): real codes,
    answered with what they are and how to add them (not « unknown code, correct it »); and
    the failing rows left for the generic message."""
    problems = []
    known = pd.Series(False, index=where.index)
    for value in where["value"].unique():
        said = gap_message(raw.referentiel, str(value), raw.files.folder.name)
        if said is None:
            continue
        of_value = where["value"] == value
        known |= of_value
        for (file, shown), group in where[of_value].groupby([FILE, "shown"], sort=True):
            problems.append(Problem(said[0], file=file, row=rows_of(group[ROW]),
                                    column=shown or None, value=str(value), hint=said[1]))  # fmt: skip
    return problems, where[~known]


def _user_columns(raw: RawDataset, where: pd.DataFrame, column: str | None
                  ) -> tuple[pd.Series, pd.Series]:  # fmt: skip
    """The column title the user sees for each failing value of canonical ``column``, and
    whether the value is that title itself (a competency code heading a grid column)."""
    layouts = {f: raw.layouts[f] for f in where[FILE].unique() if f in raw.layouts}
    wide = where[FILE].map({f: layout.wide for f, layout in layouts.items()})
    wide = wide.astype("boolean").fillna(False).astype(bool)
    titles = {f: layout.columns.get(column or "", column or "") for f, layout in layouts.items()}
    title = where[FILE].map(titles).fillna(column or "")
    # a score sits in the column it was read from: "score" (or "note"), or a grid's code column
    if column == "score":
        from_cell = pd.Series(True, index=where.index)
    else:
        from_cell = wide & (column == "competency")
    from_cell &= where[COLUMN].fillna("") != ""
    shown = where[COLUMN].where(from_cell, title)
    return shown, wide & (column == "competency")


def _header_row(raw: RawDataset) -> dict[str, int]:
    return {file: layout.header_row for file, layout in raw.layouts.items()}


def _key_text(key: tuple) -> str:
    return " · ".join(NO_DATE if v is None else str(v) for v in key)


def _duplicates(table: str, where: pd.DataFrame) -> list[Problem]:
    """One problem per set of rows repeating the same key(s): a grid row typed twice repeats
    one key per competency, and is still one problem."""
    what, hint = DUPLICATES.get(table, (WHAT["expect_compound_columns_to_be_unique"], None))
    keys = where.groupby("value", sort=False).agg(
        files=(FILE, lambda f: " et ".join(dict.fromkeys(f))),
        rows=(ROW, rows_of),
    )
    problems = []
    for (files, rows), group in keys.groupby(["files", "rows"], sort=False):
        problems.append(Problem(what, file=files, row=rows, value=values_text(list(group.index)),
                                hint=hint))  # fmt: skip
    return problems


FORMULA_START = ("=", "+", "@")


def _per_file(raw: RawDataset, rows: pd.DataFrame, column: str, message: str, hint: str,
              value: str | None = None) -> list[Problem]:  # fmt: skip
    """One problem per file for the offending ``rows``, with their spreadsheet row numbers and,
    when ``value`` names a column, the offending values."""
    return [
        Problem(message, file=file, row=rows_of(group[ROW]),
                column=_title(raw, file, column),
                value=values_text(list(as_text(group[value]).astype(str).unique()))
                if value else None, hint=hint)
        for file, group in rows.groupby(as_text(rows[FILE]), sort=True)
    ]  # fmt: skip


def _formula_like_values(raw: RawDataset) -> list[Problem]:
    """Names that a spreadsheet would run as a formula when our exports are opened."""
    problems = []
    for column in ("cohort", "site", "candidate_id"):
        starts = raw.candidates[column].astype("string").str.startswith(FORMULA_START)
        problems += _per_file(
            raw, raw.candidates[starts.fillna(False).to_numpy()], column,
            "valeur commençant par « = », « + » ou « @ » : un tableur la lirait comme une formule",
            "Retirez ce premier caractère", value=column)  # fmt: skip
    return problems


#: Invisible characters by what a reader may know them as (any other: a control character).
CONTROL_NAMES = {"\x00": "caractère nul", "\x1b": "échappement (codes de couleur d'un terminal)",
                 **dict.fromkeys("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
                                 "marque de sens d'écriture (texte affiché à l'envers)")}  # fmt: skip


def _control_characters(raw: RawDataset) -> list[Problem]:
    """Invisible characters in any text of the inputs (control characters, ANSI escapes,
    bidirectional overrides): Excel refuses them in exports, they forge lines in logs and
    reverse what a page shows, and the user cannot see them in the cell."""
    problems = []
    tables = {"candidates": raw.candidates, "scores": raw.scores, "insertion": raw.insertion}
    for name, table in tables.items():
        for column in SCHEMAS[name].names:
            bad = _with_control_characters(_distinct(table[column]))
            if not bad:
                continue
            rows = table[table[column].isin(bad).to_numpy()]
            files = as_text(rows[FILE])
            shown = files.map(lambda file, column=column: _title(raw, file, column))
            if column == "score":  # a score sits in the column it was read from
                read_from = as_text(rows[COLUMN])
                shown = read_from.where(read_from.fillna("") != "", shown)
            for (file, title), group in rows.groupby([files, shown], sort=True):
                texts = as_text(group[column]).astype(str)
                found = CONTROL_CHARACTERS.findall("".join(texts.unique()))
                names = dict.fromkeys(CONTROL_NAMES.get(c, "caractère de contrôle") for c in found)
                problems.append(Problem(
                    f"caractère invisible dans la valeur : {french_list(list(names), 'et')}",
                    file=file, row=rows_of(group[ROW]), column=title,
                    value=values_text(list(texts.unique())),
                    hint="Retapez la valeur à la main dans le tableur : ce caractère, qui ne se "
                    "voit pas, vient d'un copier-coller depuis un autre logiciel et casserait "
                    "les exports et les rapports",
                ))  # fmt: skip
    return problems


def cross_table_problems(raw: RawDataset) -> list[Problem]:
    """Checks across tables, and on values, that the GX suites cannot express."""
    problems = (_impossible_dates(raw) + _decision_conflicts(raw) + _formula_like_values(raw)
                + _control_characters(raw))  # fmt: skip
    if "candidates" in raw.unusable:
        return problems  # the candidates file could not be read in full
    candidates = raw.candidates
    missing_immersion = candidates["immersion"].isna() & (candidates["access_route"] != "VAE")
    problems += _per_file(
        raw, candidates[missing_immersion], "immersion", "immersion non renseignée",
        "Indiquez « oui » si le candidat a une entreprise d'accueil, sinon « non » "
        "(la case ne peut rester vide que pour une VAE)")  # fmt: skip
    # an immersion that is neither oui nor non is reported above; no knock-on error here
    without = (candidates["immersion"] == "non") | candidates["immersion"].isna()
    no_immersion = pd.Index(candidates.loc[without, "candidate_id"].dropna().unique())
    scores = raw.scores
    employer = scores[((scores["evaluator"] == "entreprise") & scores["score"].notna()
                       & scores["candidate_id"].isin(no_immersion)).to_numpy()]  # fmt: skip
    problems += _per_file(
        raw, employer, "candidate_id",
        "note de l'entreprise pour un candidat sans immersion en entreprise (ou en VAE)",
        "La co-validation par l'entreprise suppose une immersion : corrigez l'immersion du "
        "candidat dans le fichier des candidats, ou retirez la note de l'entreprise",
        value="candidate_id")  # fmt: skip
    return problems


#: Date columns, by table, whose values the suites check only as written (AAAA-MM-JJ).
DATE_COLUMNS = {"scores": ("session_date", "decision_date"), "insertion": ("survey_date",)}


def _impossible_dates(raw: RawDataset) -> list[Problem]:
    """Dates written AAAA-MM-JJ that are not in the calendar (2024-02-30): the suite's regex
    lets them through."""
    problems = []
    for name, columns in DATE_COLUMNS.items():
        table = getattr(raw, name)
        for column in columns:
            if column not in table:
                continue
            wrong = table[_each_distinct(table[column], _impossible)]
            problems += _per_file(raw, wrong, column, "date inexistante", DATE_HINT,
                                  value=column)  # fmt: skip
    return problems


def _decision_conflicts(raw: RawDataset) -> list[Problem]:
    """Scores of one candidate and one session dated by different jury decisions: the
    promotion year follows the decision, so a session has one. A blank decision date beside
    a filled one is no conflict (the filled one is the session's). One problem per candidate,
    session and file, naming the rows and the dates found."""
    scores = raw.scores
    if "decision_date" not in scores:
        return []
    dated = scores[scores["decision_date"].notna().to_numpy()]
    if dated.empty:
        return []
    session = [_codes(dated["candidate_id"]), _codes(dated["session_date"])]
    group = pd.MultiIndex.from_arrays(session).factorize()[0]
    decisions = pd.DataFrame({"group": group, "decision": _codes(dated["decision_date"])})
    distinct = decisions.drop_duplicates().groupby("group").size()
    conflicting = np.isin(group, distinct.index[distinct.to_numpy() > 1])
    rows = dated[conflicting]
    if rows.empty:
        return []
    who = pd.DataFrame({
        "candidate": as_text(rows["candidate_id"]).astype(str).to_numpy(),
        "session": as_text(rows["session_date"]).fillna(NO_DATE).astype(str).to_numpy(),
        "decision": as_text(rows["decision_date"]).astype(str).to_numpy(),
        FILE: as_text(rows[FILE]).to_numpy(), ROW: rows[ROW].to_numpy(dtype=np.int64),
    })  # fmt: skip
    problems = []
    for (candidate, session), of_session in who.groupby(["candidate", "session"], sort=True):
        dates = sorted(of_session["decision"].unique())
        when = "sans date de session" if session == NO_DATE else f"session du {session}"
        for file, group in of_session.groupby(FILE, sort=True):
            problems.append(Problem(
                f"dates de délibération différentes pour le candidat {candidate} ({when}) : "
                f"{french_list(dates, 'et')}",
                file=file, row=rows_of(group[ROW]), column=_title(raw, file, "decision_date"),
                value=values_text(sorted(group["decision"].unique())),
                hint="Un jury délibère une fois par session : indiquez la même date de "
                "délibération sur toutes les lignes de ce candidat pour cette session (ou "
                "laissez-la vide sur toutes sauf une)",
            ))  # fmt: skip
    return problems


def _codes(values: pd.Series) -> np.ndarray:
    """An integer per distinct value (-1: missing), from a categorical's codes when it is one."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy()
    return pd.factorize(values)[0]


def _impossible(dates: pd.Series) -> np.ndarray:
    """Dates written AAAA-MM-JJ that the calendar does not have."""
    written = dates.notna() & dates.astype("string").str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    parsed = pd.to_datetime(dates.where(written), format="%Y-%m-%d", errors="coerce")
    return (written.fillna(False) & parsed.isna()).to_numpy(dtype=bool)


def _each_distinct(values: pd.Series, verdict) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``verdict`` (a boolean per value) of every row, computed once per distinct value of a
    categorical and gathered by its codes; a missing value reads False."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return verdict(values)
    per_category = verdict(pd.Series(values.cat.categories, dtype="str"))
    return np.append(per_category, False)[values.cat.codes.to_numpy()]


def _title(raw: RawDataset, file: str, column: str) -> str:
    layout = raw.layouts.get(file)
    return layout.columns.get(column, column) if layout else column
