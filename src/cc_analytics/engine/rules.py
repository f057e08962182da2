"""The rules that turn scores into results: data a pedagogical lead can read and change.

Defaults (and what every output states):

- a score is **acquired** when it is ≥ the threshold (2);
- **retakes**: for one candidate, competency and evaluator, the score of the latest session
  counts (an empty score never erases an earlier one);
- **evaluator combination**: ``co_validation`` (jury acquired and, when the employer scored,
  employer acquired too), ``jury`` (jury alone), or ``mean`` (mean of jury and employer, when
  there is one, ≥ threshold). A competency is *evaluated* only when it has a jury score;
- **retake after the employer** (``retake_clears_employer``, off by default): when on, a jury
  *retake* (a jury score from a later session than that competency's first jury score) dated
  after the employer's latest score on it decides alone: the employer's earlier score is set
  aside, so a retake can lift an employer refusal. Off, the employer's score keeps counting
  whatever the jury did after it. A first jury session never sets the employer aside (the
  employer usually scores before the jury sits), and under ``jury`` the option changes nothing;
- a **block** is presented with at least one jury score in it, validated when every competency
  of the block in the referentiel is evaluated and acquired;
- the **title** is presented with at least one jury score, obtained when every block is validated;
- **insertion abroad** (``neutralise_abroad``, on by default): a respondent working outside the
  French labour market (``etranger``) is neutralised, as France Compétences' definitions ask;
  off (the title's jobs are substantially international, the FAQ's exception), they count as
  employed, outside the targeted job (the status does not say which job it is);
- a survey horizon of a promotion whose response rate (respondents / certified surveyed) is
  below ``min_response_rate`` percent (50: half the surveyed did not answer; our convention, not
  a France Compétences threshold) is flagged (:func:`~cc_analytics.engine.promotions.coverage_warnings`);
- groups of fewer than ``small_group`` candidates are flagged, and hidden in external outputs;
- before an external output is written, a disclosure audit attacks it with every total the
  same command or page can publish, and hides more cells until no hidden count of a small
  group can be narrowed to fewer than ``protection_width`` values apart (3: « between 2 and
  5 » at best), see :mod:`cc_analytics.engine.disclosure`.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

from ..core.errors import CcAnalyticsError, Problem
from ..core.labels import (
    ABROAD_RULES,
    COMBINE_MODES,
    RETAKE_AFTER_EMPLOYER,
    RETAKE_AFTER_EMPLOYER_JURY_ONLY,
)
from ..referentiel.scale import DEFAULT_ACQUISITION_THRESHOLD

Combine = Literal["co_validation", "jury", "mean"]
#: Groups of fewer candidates are flagged, and hidden in external documents.
SMALL_GROUP = 5
#: A hidden count must stay uncertain over at least this many units in external documents.
PROTECTION_WIDTH = 3
#: A survey horizon answered by fewer of the surveyed (in percent) is flagged.
MIN_RESPONSE_RATE = 50


@dataclass(frozen=True)
class Rules:
    threshold: int = DEFAULT_ACQUISITION_THRESHOLD
    combine: Combine = "co_validation"
    small_group: int = SMALL_GROUP
    protection_width: int = PROTECTION_WIDTH
    retake_clears_employer: bool = False
    neutralise_abroad: bool = True
    min_response_rate: int = MIN_RESPONSE_RATE

    def __post_init__(self) -> None:
        problems = []
        if not _is_int(self.threshold) or not 0 <= self.threshold <= 4:
            problems.append(
                Problem(
                    "le seuil d'acquisition doit être un entier de 0 à 4", value=str(self.threshold)
                )
            )
        if not isinstance(self.combine, str) or self.combine not in COMBINE_MODES:
            problems.append(
                Problem(
                    "mode de combinaison inconnu",
                    value=str(self.combine),
                    hint="Modes : " + ", ".join(COMBINE_MODES),
                )
            )
        if not _is_int(self.small_group) or self.small_group < 1:
            problems.append(
                Problem(
                    "le seuil des petits effectifs doit être un entier ≥ 1",
                    value=str(self.small_group),
                )
            )
        if not _is_int(self.protection_width) or self.protection_width < 1:
            problems.append(
                Problem(
                    "la largeur de protection doit être un entier ≥ 1 (1 : un résultat masqué "
                    "ne doit pas pouvoir être recalculé exactement ; 3 par défaut)",
                    value=str(self.protection_width),
                )
            )
        if not isinstance(self.retake_clears_employer, bool):
            problems.append(
                Problem(
                    "l'option retake_clears_employer (rattrapage du jury après la note de "
                    "l'entreprise) doit valoir true ou false",
                    value=str(self.retake_clears_employer),
                    hint="true : un rattrapage du jury postérieur à la dernière note de "
                    "l'entreprise décide seul ; false (défaut) : la note de l'entreprise reste "
                    "prise en compte",
                )
            )
        if not isinstance(self.neutralise_abroad, bool):
            problems.append(
                Problem(
                    "l'option neutralise_abroad (emploi à l'étranger) doit valoir true ou false",
                    value=str(self.neutralise_abroad),
                    hint="true (défaut) : un emploi hors du marché du travail français est "
                    "neutralisé ; false : il compte comme emploi (métiers internationaux)",
                )
            )
        if not _is_int(self.min_response_rate) or not 0 <= self.min_response_rate <= 100:
            problems.append(
                Problem(
                    "le taux de réponse minimal doit être un entier de 0 à 100 (en %, 50 par "
                    "défaut)",
                    value=str(self.min_response_rate),
                )
            )
        if problems:
            raise CcAnalyticsError(problems)

    def describe_fr(self) -> str:
        """One sentence for report footers and export metadata."""
        retake = (
            RETAKE_AFTER_EMPLOYER_JURY_ONLY
            if self.combine == "jury"
            else RETAKE_AFTER_EMPLOYER[self.retake_clears_employer]
        )
        return (
            f"acquis si note ≥ {self.threshold} ; rattrapage : dernière session ; "
            f"combinaison : {COMBINE_MODES[self.combine]} ; {retake} ; bloc validé si toutes "
            f"ses compétences sont évaluées et acquises ; titre obtenu si tous les blocs sont "
            f"validés ; insertion : {ABROAD_RULES[self.neutralise_abroad]}, taux de réponse "
            f"< {self.min_response_rate} % signalé ; effectifs < {self.small_group} masqués "
            f"dans les documents externes"
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_overrides(self, **values: Any) -> Rules:
        """Copy with the given values, ``None`` meaning "keep"."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # TOML ``true`` is no 1


def load_rules(path: str | Path | None) -> Rules:
    """Rules from a TOML file (keys: the fields of :class:`Rules`, e.g. ``threshold``,
    ``combine``, ``retake_clears_employer = true``, ``neutralise_abroad = false``); defaults
    without one."""
    if path is None:
        return Rules()
    return Rules(**read_rules_file(path))


def read_rules_file(path: str | Path) -> dict[str, Any]:
    """The rules a TOML file sets, and only those, checked.

    Keys are at the top level or in a ``[rules]`` table (then other sections, such as a
    build configuration's, are left alone). Layer the result over other rules
    with ``base.with_overrides(**read_rules_file(path))``: a key the file does not set keeps
    the base value (the referentiel's threshold, say) instead of falling back to the default.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CcAnalyticsError(Problem("fichier de règles introuvable", file=str(path))) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CcAnalyticsError(
            Problem(f"fichier de règles illisible : {exc}", file=str(path))
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise CcAnalyticsError(Problem(f"TOML invalide : {exc}", file=str(path))) from None
    known = {f.name for f in fields(Rules)}
    if "rules" in data:
        # a build configuration holds [build] and [[datasets]] beside [rules]: those are not
        # rules; but a rule written above [rules] would be silently lost, so it is refused
        outside = sorted(set(data) & known)
        if not isinstance(data["rules"], dict) or outside:
            raise CcAnalyticsError(
                Problem(
                    "« rules » doit être une section [rules] qui contient toutes les règles",
                    file=str(path),
                    value=", ".join(outside) or None,
                    hint="Mettez les règles soit toutes dans [rules], soit toutes hors section",
                )
            )
        data = data["rules"]
    unknown = sorted(set(data) - known)
    if unknown:
        raise CcAnalyticsError(
            Problem(
                f"règle inconnue : {', '.join(unknown)}",
                file=str(path),
                hint=f"Règles possibles : {', '.join(sorted(known))}",
            )
        )
    try:
        Rules(**data)
    except CcAnalyticsError as exc:
        raise CcAnalyticsError([replace(p, file=str(path)) for p in exc.problems]) from None
    return dict(data)
