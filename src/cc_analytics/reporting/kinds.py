"""The report kinds, declared once: the notebook each runs, its default audience and the
options it reads; and the period (``--years``) the review and renewal reports cover.

Their French titles come from :mod:`cc_analytics.core.labels`. The notebooks are the
repository's ``notebooks/`` folder, shipped inside the package as ``cc_analytics/reporting/
notebooks``. Light on purpose: the command line's parser imports it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import Problem
from ..core.labels import REPORT_SHORT_LABELS, REPORT_TITLES
from ..core.text import visible

NOTEBOOKS_DIR = Path(__file__).resolve().parent / "notebooks"
EXPLORATION_NOTEBOOK = "exploration.ipynb"
#: Set to "1" in a report kernel: charts are emitted as HTML for the exported page.
REPORT_ENV = "CC_ANALYTICS_REPORT"


@dataclass(frozen=True)
class ReportKind:
    name: str
    notebook: str  # file name in NOTEBOOKS_DIR
    external: bool  # meant for readers outside the training body unless told otherwise
    #: The kind-specific options its notebook reads (keys of :data:`KIND_OPTIONS`); the others
    #: are refused rather than ignored.
    options: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return REPORT_TITLES[self.name]

    @property
    def short_label(self) -> str:
        """How the index and the logs name a report of this kind (« revue qualité »)."""
        return REPORT_SHORT_LABELS[self.name]

    @property
    def path(self) -> Path:
        return NOTEBOOKS_DIR / self.notebook


KINDS: dict[str, ReportKind] = {
    kind.name: kind
    for kind in (
        ReportKind("cohort", "cohort_report.ipynb", external=False,
                   options=("cohort", "followup")),
        ReportKind("review", "quality_review.ipynb", external=True,
                   options=("years", "site")),
        ReportKind("renewal", "renewal_evidence.ipynb", external=True,
                   options=("years", "rncp_export", "fiche")),
    )
}  # fmt: skip

#: The options only some kinds read: the report request's field (the notebook's parameter of
#: the same name) -> how the command line writes it, then how it writes « no » for a yes/no one.
KIND_OPTIONS: dict[str, tuple[str, ...]] = {
    "cohort": ("--cohort",),
    "followup": ("--followup", "--no-followup"),
    "years": ("--years",),
    "site": ("--site",),
    "rncp_export": ("--rncp-export",),
    "fiche": ("--fiche",),
}
#: Options that mean nothing without another one: field -> the field it needs.
OPTION_NEEDS: dict[str, str] = {"fiche": "rncp_export"}


def kinds_reading(option: str) -> list[str]:
    """The kinds whose notebook reads ``option`` (a key of :data:`KIND_OPTIONS`).

    >>> kinds_reading("years")
    ['review', 'renewal']
    """
    return [name for name, kind in KINDS.items() if option in kind.options]


def option_problems(kind: str, values: Mapping[str, object]) -> list[Problem]:
    """Every option given (``values``: field -> value, ``None`` when not given) that the
    ``kind`` of report would ignore, or that lacks the option it needs: each one, all at once.

    >>> (problem,) = option_problems("cohort", {"site": "Nantes", "cohort": "2024-LYON"})
    >>> problem.message
    "L'option --site ne s'applique pas au rapport « cohort » ; elle vaut pour : review"
    >>> problem.hint
    'Retirez --site, ou demandez le rapport « review »'
    """
    problems = []
    for option, flags in KIND_OPTIONS.items():
        value = values.get(option)
        if value is None:
            continue
        flag = flags[-1] if value is False else flags[0]
        if option not in KINDS[kind].options:
            readers = kinds_reading(option)
            problems.append(Problem(
                f"L'option {flag} ne s'applique pas au rapport « {kind} » ; elle vaut pour : "
                + ", ".join(readers),
                hint=f"Retirez {flag}, ou demandez le rapport "
                     + " ou le rapport ".join(f"« {r} »" for r in readers),
            ))  # fmt: skip
        elif (needed := OPTION_NEEDS.get(option)) and values.get(needed) is None:
            other = KIND_OPTIONS[needed][0]
            problems.append(Problem(f"L'option {flag} ne sert qu'avec {other}",
                                    hint=f"Ajoutez {other} FICHIER, ou retirez {flag}"))  # fmt: skip
    return problems


YEARS_EXAMPLE = "écrivez une année (2024) ou un intervalle (2023-2025)"
_YEAR = r"\d{4}"
_DASHES = "-–—"  # a hyphen, or the en and em dashes word processors put instead


def parse_period(text: str) -> tuple[int, int]:
    """``--years``: ``2024`` or ``2023-2025`` -> (first, last year); otherwise a ``ValueError``
    whose message says, in French, what is wrong and how to write it.

    >>> parse_period("2023–2025"), parse_period(" 2024 ")
    ((2023, 2025), (2024, 2024))
    >>> parse_period("2025-2023")
    Traceback (most recent call last):
    ValueError: L'intervalle 2025-2023 est à l'envers : écrivez 2023-2025.
    """
    cleaned = text.strip()
    if re.fullmatch(_YEAR, cleaned):
        return int(cleaned), int(cleaned)
    dash = f"[{_DASHES}]"
    if found := re.fullmatch(rf"({_YEAR})\s*{dash}\s*({_YEAR})", cleaned):
        first, last = int(found[1]), int(found[2])
        if first > last:
            raise ValueError(f"L'intervalle {first}-{last} est à l'envers : écrivez "
                             f"{last}-{first}.")  # fmt: skip
        return first, last
    numbers = re.findall(r"\d+", cleaned)
    shown = visible(cleaned)  # typed text quoted back: a control character is shown, not obeyed
    if not cleaned:
        message = f"La période est vide : {YEARS_EXAMPLE}."
    elif re.fullmatch(rf"\d\d(\s*{dash}\s*\d\d)?", cleaned):
        years = "-".join(f"20{n}" for n in sorted(numbers))
        message = f"Une année s'écrit avec ses quatre chiffres : {years} plutôt que « {shown} »."
    elif re.fullmatch(rf"{dash}?\s*{_YEAR}\s*{dash}?", cleaned):
        message = (f"Il manque une année à « {shown} » : une période a un début et une fin, "
                   f"comme 2023-2025 (ou une seule année : 2024).")  # fmt: skip
    elif len(numbers) >= 2 and all(len(n) == 4 for n in numbers):
        period = f"{min(numbers)}-{max(numbers)}"
        message = (f"Séparez les deux années par un tiret : {period} plutôt que « {shown} »."
                   if len(numbers) == 2 else
                   f"Une période a un début et une fin, pas {len(numbers)} années : écrivez "
                   f"{period}.")  # fmt: skip
    else:
        message = f"Période illisible « {shown} » : {YEARS_EXAMPLE}."
    raise ValueError(message)
