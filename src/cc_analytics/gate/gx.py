"""The Great Expectations part of the input validation gate.

The canonical text-level tables (``candidates``, ``scores``, ``insertion``) are checked against
the suites in ``expectations/<table>.json``: declarative GX suites, one per table, each
expectation carrying a French ``meta.description_fr`` from which messages are rendered. Every
failure comes back with **all** its row positions and offending values, so the caller can point
at the user's file, row and column.

>>> table = pd.DataFrame({"candidate_id": ["C1", "C2"], "horizon_months": ["6", "12"],
...                       "status": ["emploi_autre", "non_repondant"]})
>>> failures = validate_table("insertion", table, {"candidate_ids": ["C1", "C2"]})
>>> [(f.column, f.positions, f.values) for f in failures]
[('horizon_months', (1,), ('12',))]

Behaviour worth knowing:

- Importing this module does not import Great Expectations (3–4 s, ~300 MB); the first
  validation does, and builds one ephemeral context for the whole process.
- Nulls: value expectations (in set, regex, unique) ignore missing values; only
  ``expect_column_values_to_not_be_null`` reports them. Compound uniqueness compares missing
  values as equal and skips a row only when *all* its values are missing, so an empty
  ``session_date`` needs no filling.
- A column the table lacks: a suite's ``expect_column_to_exist`` reports it once and the
  expectations on it are skipped; without one, each expectation on it is a failure with
  ``error`` set. Columns listed in the suite's ``meta.optional_columns`` may be absent: their
  expectations are then skipped silently. An expectation that cannot be evaluated for any other
  reason is reported as a failure with ``error`` set, never passed.
- Each expectation costs Great Expectations a fixed time (building its configuration and
  metric graph), whatever the data. The suites of the contract therefore hold one expectation
  per table, whose rules are standard expectations checked together in one vectorised pass
  (:mod:`.contract_check`); a failing rule is reported exactly as the standard expectation
  would be. Other expectations run as usual: a first pass in the cheapest result format finds
  the failing ones, and only those run again in full (every failing row and value).
- A rule's run-time value set (``{"parameter": "candidate_ids"}``) is handed to the check by
  reference: never copied into Great Expectations' configurations.
- Suites are read from the package (``SUITES_DIR``, the repository's ``expectations/``), or
  from ``suites_dir`` when given.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.cache import per_file_version
from ..core.errors import CcAnalyticsError, Problem
from .contract_check import (
    CHECKS,
    CONTRACT_EXPECTATION,
    parameters_in_force,
    rule_columns,
    rule_failures,
    rule_parameter,
)
from .contract_check import register as register_contract_expectation
from .suites import SUITES_DIR

_COLUMN_EXISTS = "expect_column_to_exist"
_COLUMN_KEYS = ("column", "column_A", "column_B")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    """One failed expectation on one table.

    ``positions`` are row positions (0-based, the table's RangeIndex), all of them, in order;
    ``values`` are the offending values at those positions (tuples for compound expectations,
    ``None`` for a missing value). Table-level failures (a missing column, a column of the wrong
    dtype) have no positions. ``kwargs`` are the expectation's arguments as written in the
    suite (``$PARAMETER`` references unresolved). ``error`` is set when the expectation could not
    be evaluated at all; ``observed_value`` is what GX measured for table-level checks.
    """

    table: str
    expectation: str
    column: str | None
    positions: tuple[int, ...]
    values: tuple[Any, ...]
    description_fr: str | None
    kwargs: dict[str, Any] = field(hash=False)
    observed_value: Any = field(default=None, hash=False)
    error: str | None = None
    #: The failing rows as a boolean mask over the table, when asked for instead of
    #: ``positions`` and ``values`` (``validate_table(..., detail=False)``): a huge table may
    #: fail on millions of rows, which are then never turned into Python objects.
    mask: Any = field(default=None, compare=False, hash=False, repr=False)


def load_suite(name: str, suites_dir: str | Path | None = None) -> tuple[Any, int]:
    """The GX ``ExpectationSuite`` stored in ``<suites_dir>/<name>.json`` and the number of
    checks the file holds (each rule of a contract expectation counts as one).

    Raises :class:`CcAnalyticsError` when the file is missing or invalid, or when GX dropped an
    expectation it did not recognise (it only logs those) — a gate with a silent hole is worse
    than no gate.
    """
    return _load_suite(Path(suites_dir if suites_dir is not None else SUITES_DIR) / f"{name}.json")


@per_file_version
def _load_suite(path: Path) -> tuple[Any, int]:
    """:func:`load_suite` of one file; suites are never modified in place (each validation
    runs copies of their expectations)."""
    data = _read_suite_file(path)
    expected = len(data["expectations"])
    gx = _import_gx()
    with _quiet_gx() as records:
        try:
            suite = gx.ExpectationSuite(**data)
        except Exception as exc:  # pydantic, marshmallow and GX errors alike: the file is bad
            raise CcAnalyticsError(
                Problem(
                    f"suite d'attentes invalide : {_first_line(exc)}",
                    file=str(path),
                    hint="Corrigez le fichier (nom de colonne, argument mal orthographié …)",
                )
            ) from exc
    loaded = [e.expectation_type for e in suite.expectations]
    if len(loaded) != expected:
        raise CcAnalyticsError(_dropped_problems(path, data["expectations"], loaded, records))
    rules = [r for e in suite.expectations for r in _rules(e)]
    unknown = [r for r in rules if r.get("type") not in CHECKS or "kwargs" not in r]
    if unknown:
        raise CcAnalyticsError([Problem(
            "règle de contrat inconnue : elle ne serait jamais vérifiée", file=str(path),
            value=str(rule.get("type")), hint="Règles possibles : " + ", ".join(CHECKS),
        ) for rule in unknown])  # fmt: skip
    return suite, expected - sum(1 for e in suite.expectations if _rules(e)) + len(rules)


def validate_table(
    name: str,
    df: pd.DataFrame,
    parameters: Mapping[str, Any] | None = None,
    suites_dir: str | Path | None = None,
    detail: bool = True,
) -> list[Failure]:
    """Every failure of table ``df`` against suite ``name``, in the suite's order; ``[]`` if clean.

    ``parameters`` gives the values of the suite's ``$PARAMETER`` references (for ``scores``:
    ``candidate_ids`` and ``competency_codes``; for ``insertion``: ``candidate_ids``); any
    iterable works. ``df`` is not modified. Without ``detail``, a failing contract rule
    comes back with its rows as :attr:`Failure.mask` instead of ``positions`` and ``values``.
    """
    suite, _ = load_suite(name, suites_dir)
    params = _parameters(name, suite, parameters)
    frame = df
    if not (isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1):
        frame = df.reset_index(drop=True)  # positions, whatever the caller's index

    optional = set(suite.meta.get("optional_columns") or ())
    existence_checked = {
        getattr(e, "column", None)
        for e in suite.expectations
        if e.expectation_type == _COLUMN_EXISTS
    }
    present = set(frame.columns)
    unchecked = existence_checked | optional
    failures: dict[tuple[int, int], Failure] = {}
    to_run: list[tuple[int, Any]] = []
    for index, expectation in enumerate(suite.expectations):
        for number, rule in enumerate(_rules(expectation)):
            absent = [c for c in rule_columns(rule) if c not in present]
            if absent and not set(absent) <= unchecked:
                failures[index, number] = _rule_failure(name, rule, error=_absent(absent))
        absent = [c for c in _columns(expectation) if c not in present]
        if not absent or expectation.expectation_type == _COLUMN_EXISTS:
            to_run.append((index, expectation))
        elif not set(absent) <= unchecked:
            # Nothing else reports this column: the skipped rule must not pass silently.
            failures[index, -1] = _failure(name, expectation, error=_absent(absent))

    if to_run:
        batch = _engine().batch_definition(name).get_batch(batch_parameters={"dataframe": frame})
        # A first pass only tells which expectations fail (the cheap result format: about half
        # the time of a complete one); only those run again for every failing row and value.
        failing = []
        for entry, evr in _run(batch, suite, to_run, params, "BOOLEAN_ONLY"):
            index, expectation = entry
            if evr.success:
                continue
            if _rules(expectation) and _exception_message(evr.exception_info) is None:
                # the contract's rules: the failing rows of each, computed here (vectorised)
                for number, rule in enumerate(_rules(expectation)):
                    if set(rule_columns(rule)) <= present:
                        mask = rule_failures(frame, rule, params)
                        if mask.any():
                            failures[index, number] = _rule_failure(name, rule, frame, mask,
                                                                    detail=detail)  # fmt: skip
            else:
                failing.append(entry)
        for (index, expectation), evr in _run(batch, suite, failing, params, "COMPLETE"):
            if not evr.success:
                failures[index, -1] = _failure_from_result(name, expectation, evr, frame)
    return [failures[key] for key in sorted(failures)]


def _rules(expectation: Any) -> list[dict[str, Any]]:
    """The rules of a contract expectation; ``[]`` for any other expectation."""
    if expectation.expectation_type != CONTRACT_EXPECTATION:
        return []
    return list(getattr(expectation, "rules", None) or [])


def _absent(columns: list[str]) -> str:
    return "colonne absente : " + ", ".join(f"« {c} »" for c in columns)


def _rule_failure(name: str, rule: Mapping[str, Any], frame: pd.DataFrame | None = None,
                  mask: Any = None, error: str | None = None,
                  detail: bool = True) -> Failure:  # fmt: skip
    """A failure of one contract rule, shaped as the standard expectation's would be."""
    columns = rule_columns(rule)
    positions: tuple[int, ...] = ()
    values: tuple[Any, ...] = ()
    if mask is not None and frame is not None and detail:
        positions = tuple(int(i) for i in mask.nonzero()[0])
        values = _values_at(frame, columns, list(positions))
    return Failure(
        table=name, expectation=rule["type"], column=", ".join(columns), positions=positions,
        values=values, description_fr=(rule.get("meta") or {}).get("description_fr"),
        kwargs=copy.deepcopy(dict(rule["kwargs"])), error=error,
        mask=None if detail else mask,
    )  # fmt: skip


def _run(batch: Any, suite: Any, entries: list[tuple[int, Any]], params: dict[str, Any],
         result_format: str) -> list[tuple[tuple[int, Any], Any]]:  # fmt: skip
    """Validate ``batch`` against the ``(index, expectation)`` entries of ``suite``; each entry
    with its result, in the entries' order."""
    if not entries:
        return []
    run_suite, by_id = _run_suite(suite, tuple(index for index, _ in entries))
    entry_of = dict(entries)
    # Great Expectations is handed only the values its own expectations refer to: it copies
    # and hashes them; the contract's rules read theirs by reference (parameters_in_force)
    referred = {k: _as_list(v) for k, v in params.items() if k in suite.suite_parameter_options}
    with _quiet_gx() as records, parameters_in_force(params):
        # Batch.validate rather than ValidationDefinition.run: run() also keeps every result
        # (COMPLETE: every failing index) in the context's in-memory store, for the process.
        result = batch.validate(run_suite, result_format=result_format,
                                expectation_parameters=referred)  # fmt: skip
    _forward_errors(records)
    out = []
    for evr in result.results:
        index = by_id[evr.expectation_config.id]
        out.append(((index, entry_of[index]), evr))
    return out


_RUN_SUITES: dict[tuple[int, tuple[int, ...]], tuple[Any, Any, dict[str, int]]] = {}
_RUN_SUITES_LOCK = threading.Lock()


def _run_suite(suite: Any, indices: tuple[int, ...]) -> tuple[Any, dict[str, int]]:
    """A suite of copies of ``suite``'s expectations at ``indices`` (Great Expectations wants
    copies), and the position in ``suite`` of each copy's id; built once and reused, since
    copying expectations costs as much as checking small tables."""
    key = (id(suite), indices)
    with _RUN_SUITES_LOCK:
        if key not in _RUN_SUITES:
            gx = _import_gx()
            with _quiet_gx():
                run_suite = gx.ExpectationSuite(
                    name=suite.name, expectations=[copy.copy(suite.expectations[i]) for i in indices])  # fmt: skip
            by_id = {}
            for index, run_copy in zip(indices, run_suite.expectations, strict=True):
                run_copy.id = str(uuid.uuid4())  # results come back reordered: match them by id
                by_id[run_copy.id] = index
            if len(_RUN_SUITES) > 256:
                _RUN_SUITES.clear()
            _RUN_SUITES[key] = (suite, run_suite, by_id)  # holding ``suite`` keeps its id unique
        _, run_suite, by_id = _RUN_SUITES[key]
        return run_suite, by_id


# --- Great Expectations, imported and set up once per process -------------------------------


class _Engine:
    """One ephemeral context, one pandas datasource, one dataframe asset per table."""

    def __init__(self) -> None:
        gx = _import_gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        with _quiet_gx():
            self.context = gx.get_context(mode="ephemeral")
            # tqdm's TQDM_DISABLE is ignored by GX; only the context setting silences the bars.
            self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
            self.datasource = self.context.data_sources.add_pandas("cc_analytics")
        # GX fingerprints every batch under 1 GB (``HASH_THRESHOLD``): an MD5 of a hash of
        # every cell, a second at 100,000 candidates, kept as a batch marker we never read
        from great_expectations.execution_engine import pandas_execution_engine

        pandas_execution_engine.HASH_THRESHOLD = 0
        self._batch_definitions: dict[str, Any] = {}
        self._lock = threading.Lock()

    def batch_definition(self, table: str) -> Any:
        with self._lock:
            if table not in self._batch_definitions:
                with _quiet_gx():
                    asset = self.datasource.add_dataframe_asset(name=table)
                    self._batch_definitions[table] = asset.add_batch_definition_whole_dataframe(
                        "whole_table"
                    )
            return self._batch_definitions[table]


_ENGINE: _Engine | None = None
_ENGINE_LOCK = threading.Lock()


def _engine() -> _Engine:
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = _Engine()
        return _ENGINE


def warm_up() -> None:
    """Import Great Expectations and set up its context and the suites now (a few seconds,
    once per process), e.g. in a thread while the files are being read."""
    _engine()
    for name in ("candidates", "scores", "insertion"):
        load_suite(name)


def _import_gx() -> Any:
    with _quiet_gx():
        import great_expectations as gx

        register_contract_expectation()
    return gx


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _quiet_gx() -> Iterator[list[logging.LogRecord]]:
    """Keep GX's log records and warnings off the terminal; the records are handed back so
    that real errors can be raised or forwarded by the caller."""
    gx_logger = logging.getLogger("great_expectations")
    handler = _Capture()
    propagate = gx_logger.propagate
    gx_logger.addHandler(handler)
    gx_logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module=r"great_expectations(\.|$)")
            yield handler.records
    finally:
        gx_logger.removeHandler(handler)
        gx_logger.propagate = propagate


def _forward_errors(records: Iterable[logging.LogRecord]) -> None:
    for record in records:
        if record.levelno >= logging.ERROR:
            _log.warning("Great Expectations: %s", _first_line(record.getMessage()))


# --- suites -----------------------------------------------------------------------------------


def _read_suite_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CcAnalyticsError(
            Problem(
                "suite d'attentes introuvable",
                file=str(path),
                hint="Vérifiez le nom de la table ; réinstallez cc-analytics si le fichier "
                "manque dans le paquet",
            )
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CcAnalyticsError(
            Problem(f"suite d'attentes illisible : {exc}", file=str(path))
        ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CcAnalyticsError(
            Problem(f"JSON invalide : {exc.msg}", file=str(path), row=str(exc.lineno))
        ) from exc
    expectations = data.get("expectations") if isinstance(data, dict) else None
    if not isinstance(expectations, list) or not all(
        isinstance(e, dict) and isinstance(e.get("type"), str) for e in expectations
    ):
        raise CcAnalyticsError(
            Problem(
                "suite d'attentes invalide : une liste « expectations » d'objets ayant chacun "
                "un « type » est attendue",
                file=str(path),
            )
        )
    return data


def _dropped_problems(
    path: Path,
    written: list[dict[str, Any]],
    loaded: list[str],
    records: list[logging.LogRecord],
) -> list[Problem]:
    """Which expectations of the file GX left out (it keeps the others in order)."""
    problems = []
    kept = iter(loaded)
    next_kept = next(kept, None)
    for number, entry in enumerate(written, start=1):
        if entry["type"] == next_kept:
            next_kept = next(kept, None)
            continue
        problems.append(
            Problem(
                f"l'attente n° {number} a été ignorée par Great Expectations "
                f"({len(loaded)} attentes chargées sur {len(written)})",
                file=str(path),
                value=entry["type"],
                hint="Vérifiez l'orthographe du type d'attente (ex. "
                "« expect_column_values_to_be_in_set »)",
            )
        )
    if not problems:  # counts differ but the order-preserving match found nothing
        reasons = "; ".join(_first_line(r.getMessage()) for r in records) or "raison inconnue"
        problems.append(
            Problem(
                f"{len(written) - len(loaded)} attente(s) ignorée(s) par Great Expectations "
                f"({len(loaded)} chargées sur {len(written)}) : {reasons}",
                file=str(path),
            )
        )
    return problems


def _parameters(name: str, suite: Any, given: Mapping[str, Any] | None) -> dict[str, Any]:
    given = dict(given or {})
    needed = {*suite.suite_parameter_options,
              *(rule_parameter(r) for e in suite.expectations for r in _rules(e))} - {None}  # fmt: skip
    missing = sorted(p for p in needed if p not in given)
    if missing:
        raise CcAnalyticsError(
            Problem(
                f"paramètre(s) manquant(s) pour valider la table « {name} » : "
                + ", ".join(missing),
                hint="Passez-les dans parameters= (ex. la liste des identifiants de candidats)",
            )
        )
    return {k: _as_value(v) for k, v in given.items()}


def _as_value(value: Any) -> Any:
    """Value sets as given: an Index, a Series or an array stays one (the contract's rules
    look rows up in it by hash); sets and generators become lists."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return value
    if isinstance(value, pd.Index | pd.Series | np.ndarray | list):
        return value
    return list(value)


def _as_list(value: Any) -> Any:
    """GX wants plain lists for value sets."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return value
    return list(value)


# --- results ------------------------------------------------------------------------------------


def _columns(expectation: Any) -> list[str]:
    """The columns an expectation reads (its fields, not ``.configuration``, which Great
    Expectations rebuilds on every access)."""
    columns = [getattr(expectation, k, None) for k in _COLUMN_KEYS]
    return [c for c in columns if isinstance(c, str)] + list(
        getattr(expectation, "column_list", None) or ())  # fmt: skip


def _failure(
    name: str, expectation: Any, observed_value: Any = None, error: str | None = None
) -> Failure:
    columns = _columns(expectation)
    return Failure(
        table=name,
        expectation=expectation.expectation_type,
        column=", ".join(columns) if columns else None,
        positions=(),
        values=(),
        description_fr=(expectation.meta or {}).get("description_fr"),
        kwargs=copy.deepcopy(dict(expectation.configuration.kwargs)),
        observed_value=observed_value,
        error=error,
    )


def _failure_from_result(name: str, expectation: Any, evr: Any, frame: pd.DataFrame) -> Failure:
    error = _exception_message(evr.exception_info)
    if error is not None:
        return _failure(name, expectation, error=f"la vérification n'a pas pu s'exécuter : {error}")
    result = evr.result or {}
    failure = _failure(name, expectation, observed_value=result.get("observed_value"))
    missing = ((result.get("details") or {}).get("mismatched") or {}).get("missing")
    if missing:  # expect_table_columns_to_match_set
        return replace(failure, column=", ".join(missing))
    index_list = result.get("unexpected_index_list")
    if index_list:
        positions = sorted(int(i) for i in index_list)
        columns = _columns(expectation)
        return replace(
            failure, positions=tuple(positions), values=_values_at(frame, columns, positions)
        )
    if result.get("unexpected_list"):  # a map expectation that returned no index
        return replace(failure, values=tuple(result["unexpected_list"]))
    return failure


def _values_at(frame: pd.DataFrame, columns: list[str], positions: list[int]) -> tuple[Any, ...]:
    if not columns:
        return ()
    rows = frame[columns].iloc[positions].astype(object)
    rows = rows.where(rows.notna(), None)
    if len(columns) == 1:
        return tuple(rows[columns[0]].tolist())
    return tuple(rows.itertuples(index=False, name=None))


def _exception_message(info: Any) -> str | None:
    """GX reports an exception either flat or keyed by metric; collect the messages."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else list(info.values())
    messages = [
        _first_line(entry.get("exception_message") or "erreur inconnue")
        for entry in entries
        if isinstance(entry, Mapping) and entry.get("raised_exception")
    ]
    return "; ".join(dict.fromkeys(messages)) or None


def _first_line(message: object) -> str:
    text = str(message).strip()
    return text.splitlines()[0] if text else text
