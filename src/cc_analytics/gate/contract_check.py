"""One Great Expectations expectation per table that checks every rule of the table contract in
a single vectorised pass.

Each rule is written as a standard expectation would be (``type``, ``kwargs``, a French
``meta.description_fr``): ``expect_column_values_to_not_be_null``, ``…_to_be_in_set``,
``…_to_be_unique``, ``…_to_match_regex`` and ``expect_compound_columns_to_be_unique``, with Great
Expectations' own semantics (missing values are ignored by all but the first; compound
uniqueness treats missing values as equal and skips rows where all are missing). Great
Expectations runs the one expectation (``expect_table_to_follow_cc_analytics_contract``) and
its metric; the metric evaluates all rules with pandas at once.

Why: Great Expectations spends a fixed time per expectation building its configuration and
metric graph (about 5–9 ms, whatever the data), and copies a ``$PARAMETER`` value set again and
again — the candidate ids of a whole network. Here a value set known only at run time is
written ``{"parameter": "candidate_ids"}`` and handed to the metric by reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # the build's no-change path imports this module's names: keep it light
    import numpy as np
    import pandas as pd

CONTRACT_EXPECTATION = "expect_table_to_follow_cc_analytics_contract"
NOT_NULL = "expect_column_values_to_not_be_null"
IN_SET = "expect_column_values_to_be_in_set"
UNIQUE = "expect_column_values_to_be_unique"
REGEX = "expect_column_values_to_match_regex"
KEY = "expect_compound_columns_to_be_unique"
CHECKS = (NOT_NULL, IN_SET, UNIQUE, REGEX, KEY)

_PARAMETERS: ContextVar[Mapping[str, Any] | None] = ContextVar("cc_analytics_parameters",
                                                               default=None)  # fmt: skip


@contextmanager
def parameters_in_force(values: Mapping[str, Any]) -> Iterator[None]:
    """Run-time value sets for the rules validated inside the block (not copied anywhere)."""
    token = _PARAMETERS.set(values)
    try:
        yield
    finally:
        _PARAMETERS.reset(token)


def rule_columns(rule: Mapping[str, Any]) -> list[str]:
    kwargs = rule["kwargs"]
    return list(kwargs["column_list"]) if rule["type"] == KEY else [kwargs["column"]]


def rule_parameter(rule: Mapping[str, Any]) -> str | None:
    """The run-time value set a rule needs (``{"parameter": NAME}``), if any."""
    value_set = rule["kwargs"].get("value_set")
    return value_set.get("parameter") if isinstance(value_set, Mapping) else None


def rule_failures(frame: pd.DataFrame, rule: Mapping[str, Any],
                  parameters: Mapping[str, Any] | None = None) -> np.ndarray:  # fmt: skip
    """Boolean mask of the rows of ``frame`` that break ``rule`` (vectorised).

    A categorical column is checked on its categories (each distinct value once), then the
    verdicts are gathered by the rows' codes; uniqueness is counted on the codes. A table of
    millions of rows thus never has a Python object per row.
    """
    import numpy as np
    import pandas as pd

    kind, kwargs = rule["type"], rule["kwargs"]
    if kind == KEY:
        return _duplicated_keys(frame[list(kwargs["column_list"])],
                                bool(kwargs.get("ignore_row_if")))  # fmt: skip
    column = frame[kwargs["column"]]
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        present = codes >= 0
        if kind == NOT_NULL:
            return ~present
        if kind == UNIQUE:
            counts = np.bincount(codes[present], minlength=len(column.cat.categories))
            return present & (np.append(counts, 0)[codes] > 1)
        # one verdict per category, a gather over the rows; code -1 (missing) reads False
        wrong = rule_failures(pd.DataFrame({kwargs['column']: column.cat.categories}), rule,
                              parameters)  # fmt: skip
        return np.append(wrong, False)[codes]
    present = column.notna()
    if kind == NOT_NULL:
        bad = ~present
    elif kind == IN_SET:
        name = rule_parameter(rule)
        given = parameters if parameters is not None else (_PARAMETERS.get() or {})
        allowed = given[name] if name else kwargs["value_set"]
        bad = present & ~is_in(column, allowed)
    elif kind == UNIQUE:
        bad = present & column.duplicated(keep=False)
    elif kind == REGEX:
        found = column.astype("string").str.contains(kwargs["regex"], regex=True)
        bad = present & ~found.fillna(False).astype(bool)
    else:
        raise ValueError(f"unsupported rule: {kind}")
    return bad.to_numpy(dtype=bool)


def is_in(values: pd.Series, allowed: Any) -> np.ndarray:
    """Whether each value is in ``allowed``: Arrow's hash look-up for texts (pandas' ``isin``
    on text goes through Python objects, 50 times slower on 100,000 ids), pandas' otherwise."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = pa.large_string()
        found = pc.is_in(pa.array(values, from_pandas=True).cast(text),
                         value_set=pa.array(_listed(allowed), from_pandas=True).cast(text))  # fmt: skip
        return np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    except (pa.ArrowException, TypeError, ValueError):  # not all texts: pandas compares them
        return values.isin(allowed).to_numpy(dtype=bool)


def _listed(values: Any) -> Any:
    """A value set as Arrow takes it (an array, a Series, an Index or a list)."""
    import pandas as pd

    if isinstance(values, pd.Index | pd.Series):
        return values.array
    return values if isinstance(values, list) else list(values)


def _duplicated_keys(keys: pd.DataFrame, skip_all_missing: bool) -> np.ndarray:
    """Rows whose key repeats another's (missing values equal to each other); rows where the
    whole key is missing are skipped when ``skip_all_missing``.

    Categorical keys are numbered on their codes, one integer per row (mixed radix), so the
    duplicates of millions of rows are found by one hash of integers.
    """
    import numpy as np
    import pandas as pd

    if all(isinstance(keys[c].dtype, pd.CategoricalDtype) for c in keys.columns):
        sizes = [len(keys[c].cat.categories) + 1 for c in keys.columns]
        if float(np.prod(np.array(sizes, dtype=np.float64))) < 2.0**62:
            duplicated = _repeated(lambda: _key_numbers(keys, sizes))
            if skip_all_missing:
                missing = np.ones(len(keys), dtype=bool)
                for column in keys.columns:
                    missing &= keys[column].cat.codes.to_numpy() < 0
                duplicated &= ~missing
            return duplicated
    considered = ~keys.isna().all(axis=1) if skip_all_missing else True
    return (keys.duplicated(keep=False) & considered).to_numpy(dtype=bool)


def _key_numbers(keys: pd.DataFrame, sizes: list[int]) -> np.ndarray:
    """One integer per row for a key of categoricals: their codes in mixed radix (missing:
    0), computed in place (at 38 M rows each copy is 300 MB)."""
    import numpy as np

    number = np.zeros(len(keys), dtype=np.int64)
    for column, size in zip(keys.columns, sizes, strict=True):
        number *= size
        number += keys[column].cat.codes.to_numpy()
        number += 1
    return number


def _repeated(numbers: Callable[[], np.ndarray]) -> np.ndarray:
    """Whether each of the ``numbers()`` occurs more than once: sorted in place, then, only
    when some number repeats (a table that fails), made again to look the repeated ones up.
    A hash table of millions of integers (``duplicated``) costs several times the sort, in
    cache misses, and keeping the numbers in their order beside the sorted ones, 300 MB."""
    import numpy as np

    ordered = numbers()
    ordered.sort()
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return np.zeros(len(ordered), dtype=bool)
    repeated = ordered[1:][same]
    del ordered, same
    return np.isin(numbers(), repeated)


def failing_rules(frame: pd.DataFrame, rules: list[Mapping[str, Any]],
                  parameters: Mapping[str, Any] | None = None) -> dict[str, int]:  # fmt: skip
    """Number of failing rows per rule index (as text: JSON keys), rules whose columns are
    all present only; empty when every rule holds."""
    present = set(frame.columns)
    counts = {}
    for index, rule in enumerate(rules):
        if set(rule_columns(rule)) <= present:
            failing = int(rule_failures(frame, rule, parameters).sum())
            if failing:
                counts[str(index)] = failing
    return counts


def register() -> None:
    """Define the expectation and its metric in Great Expectations (once per process;
    defining the classes is what registers them)."""
    global _REGISTERED
    if _REGISTERED:
        return
    from great_expectations.core.metric_domain_types import MetricDomainTypes
    from great_expectations.execution_engine import PandasExecutionEngine
    from great_expectations.expectations.expectation import BatchExpectation
    from great_expectations.expectations.metrics.metric_provider import metric_value
    from great_expectations.expectations.metrics.table_metric_provider import (
        TableMetricProvider,
    )

    class TableContractFailures(TableMetricProvider):
        metric_name = "table.cc_analytics_contract_failures"
        value_keys = ("rules",)

        @metric_value(engine=PandasExecutionEngine)
        def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics,
                    runtime_configuration):  # type: ignore[no-untyped-def]  # fmt: skip
            frame, _, _ = execution_engine.get_compute_domain(
                metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE)  # fmt: skip
            return failing_rules(frame, metric_value_kwargs["rules"])

    class ExpectTableToFollowCcAnalyticsContract(BatchExpectation):
        """Every rule of a table of the cc-analytics contract holds (see the module)."""

        rules: list
        metric_dependencies: ClassVar = ("table.cc_analytics_contract_failures",)
        success_keys: ClassVar = ("rules",)

        def _validate(self, metrics, runtime_configuration=None, execution_engine=None):  # type: ignore[no-untyped-def]
            failures = metrics["table.cc_analytics_contract_failures"]
            return {"success": not failures, "result": {"observed_value": failures}}

    _REGISTERED = True


_REGISTERED = False
