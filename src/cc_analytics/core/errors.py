"""One exception family whose messages a pedagogical lead can act on.

Every problem names the file, the place in it (row, column, code), what is wrong and what to
do, in French. An error may carry many problems: inputs are checked in full and all problems
are reported at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as the user sees it."""

    message: str
    file: str | None = None
    row: str | None = None
    column: str | None = None
    value: str | None = None
    hint: str | None = None

    def render(self) -> str:
        where = [self.file] if self.file else []
        if self.row:
            where.append(f"{'lignes' if ',' in self.row else 'ligne'} {self.row}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        text = " — ".join(where)
        text = f"{text} : {self.message}" if text else self.message
        if self.value is not None:
            text += f" (valeur : « {self.value} »)"
        if self.hint:
            text += f". {self.hint}"
        return text


class CcAnalyticsError(Exception):
    """Base of every error cc-analytics raises on purpose; ``str()`` is the French message."""

    def __init__(self, problems: Problem | str | Iterable[Problem]):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        #: A report written about these problems (the validation report), if any.
        self.report: Path | None = None
        super().__init__(self.render())

    def render(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0].render()
        lines = [f"{len(self.problems)} problèmes :"]
        lines += [f"  - {p.render()}" for p in self.problems]
        return "\n".join(lines)


class InputFileError(CcAnalyticsError):
    """A file is missing, unreadable, or not in a format cc-analytics knows."""


class ReferentielError(CcAnalyticsError):
    """A referentiel is inconsistent or cannot be read."""


class DataValidationError(CcAnalyticsError):
    """Score data failed the validation gate."""
