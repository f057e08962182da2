"""The canonical tables, declared once: columns, their French names, what they may hold.

Everything else reads this declaration: the readers (headers as schools type them), the Great
Expectations suites (generated from it by :mod:`cc_analytics.gate.suites`, and checked against
the committed ``expectations/*.json`` by the tests), the typed processed tables and the docs.

Column names are English identifiers; each column lists the French headers a school's
spreadsheet may use (compared after :func:`~cc_analytics.core.text.fold`). Values are checked
as text, the way they were typed: a value set is either a tuple of allowed texts or the name of
a set known only at run time (the candidates of the file, the referentiel's competencies).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..core.labels import ACCESS_ROUTES, EVALUATORS, INSERTION_STATUSES, NO, SURVEY_HORIZONS, YES
from ..core.text import fold, french_list
from .vocabulary import HORIZON_VALUES, SCORE_VALUES


@dataclass(frozen=True)
class Parameter:
    """A value set given at validation time (GX ``$PARAMETER``)."""

    name: str


@dataclass(frozen=True)
class Column:
    name: str
    label_fr: str
    aliases: tuple[str, ...] = ()
    dtype: str = "str"  # once typed: "str", "int", "bool", "date"
    required: bool = True  # the header must be in the file
    optional: bool = False  # may be absent from the table altogether (no check then)
    nullable: bool = True  # empty cells allowed
    values: tuple[str, ...] | Parameter | None = None
    pattern: str | None = None
    unique: bool = False
    #: French descriptions per check ("missing", "values", "unique"); ``{values}`` is replaced
    #: by the value set. Without one, a generic sentence is generated.
    descriptions: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class TableSchema:
    name: str
    label_fr: str
    description_fr: str
    file_stems: tuple[str, ...]
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # columns that identify a row (compound uniqueness)
    key_description_fr: str = ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def header_map(self) -> dict[str, str]:
        """Folded header spelling -> canonical column name."""
        return {fold(alias): c.name for c in self.columns for alias in (c.name, *c.aliases)}


CANDIDATE_ID = Column(
    "candidate_id", "identifiant du candidat",
    ("id", "identifiant", "id_candidat", "identifiant_candidat", "candidat", "numero_candidat",
     "n_candidat", "matricule"),
    nullable=False,
)  # fmt: skip
#: A candidate id in another table must be one of the candidates file.
KNOWN_CANDIDATE = replace(CANDIDATE_ID, values=Parameter("candidate_ids"))

CANDIDATES = TableSchema(
    "candidates", "candidats", "Table des candidats : une ligne par candidat.",
    ("candidates", "candidats"),
    (
        Column("cohort", "cohorte", ("cohorte", "promotion", "promo", "groupe"), nullable=False,
               descriptions={"missing": "La cohorte doit être renseignée pour chaque candidat."}),
        replace(CANDIDATE_ID, unique=True, descriptions={
            "missing": "L'identifiant du candidat doit être renseigné.",
            "unique": "Un même identifiant de candidat apparaît sur plusieurs lignes : chaque "
                      "candidat ne doit figurer qu'une fois."}),
        Column("access_route", "voie d'accès",
               ("voie", "voie_d_acces", "voie_acces", "route", "statut", "parcours"),
               nullable=False, values=tuple(ACCESS_ROUTES), descriptions={
                   "missing": "La voie d'accès doit être renseignée pour chaque candidat.",
                   "values": "La voie d'accès doit être l'une de : {values}."}),
        Column("immersion", "immersion en entreprise",
               ("immersion_entreprise", "immersion_en_entreprise", "entreprise_d_accueil"),
               dtype="bool", values=(YES, NO), descriptions={
                   "values": "L'immersion en entreprise doit valoir « oui » ou « non » (case "
                             "vide admise, règle VAE vérifiée à part)."}),
        Column("site", "site", ("centre", "campus", "lieu", "etablissement"), required=False,
               optional=True),
    ),
)  # fmt: skip

SCORES = TableSchema(
    "scores", "notes",
    "Notes, format long : une ligne par candidat, compétence, évaluateur et date de session.",
    ("scores", "notes", "evaluations"),
    (
        replace(KNOWN_CANDIDATE, descriptions={
            "missing": "L'identifiant du candidat doit être renseigné pour chaque note.",
            "values": "Ce candidat est noté mais ne figure pas dans la liste des candidats."}),
        Column("competency", "compétence",
               ("competence", "code", "code_competence", "competence_code"), nullable=False,
               values=Parameter("competency_codes"), descriptions={
                   "missing": "La compétence évaluée doit être renseignée pour chaque note.",
                   "values": "Cette compétence n'existe pas dans le référentiel (code attendu, "
                             "par exemple B1A1C1)."}),
        Column("evaluator", "évaluateur", ("evaluateur", "evaluation_par", "source", "correcteur"),
               nullable=False, values=tuple(EVALUATORS), descriptions={
                   "missing": "L'évaluateur (jury ou entreprise) doit être renseigné pour "
                              "chaque note.",
                   "values": "L'évaluateur doit être « jury » ou « entreprise »."}),
        Column("score", "note, de 0 à 4", ("note", "niveau", "valeur"), dtype="int",
               required=False, values=SCORE_VALUES, descriptions={
                   "values": "La note doit être un entier de 0 (non acquis) à 4 (expert) ; une "
                             "case vide signifie « non évalué »."}),
        Column("session_date", "date de session",
               ("date", "date_session", "session", "date_de_session", "date_jury"), dtype="date",
               required=False, pattern=r"^\d{4}-\d{2}-\d{2}$", descriptions={
                   "values": "La date de session n'est pas une date reconnue (format attendu : "
                             "AAAA-MM-JJ ; case vide admise)."}),
        Column("decision_date", "date de délibération du jury",
               ("date_decision", "date_de_decision", "date_deliberation",
                "date_de_deliberation", "deliberation", "date_pv", "date_du_pv",
                "date_proces_verbal", "date_du_proces_verbal"), dtype="date",
               required=False, optional=True, pattern=r"^\d{4}-\d{2}-\d{2}$", descriptions={
                   "values": "La date de délibération n'est pas une date reconnue (format "
                             "attendu : AAAA-MM-JJ ; case vide admise)."}),
    ),
    key=("candidate_id", "competency", "evaluator", "session_date"),
    key_description_fr="Note en double : même candidat, même compétence, même évaluateur et "
    "même date de session.",
)  # fmt: skip

INSERTION = TableSchema(
    "insertion", "enquête d'insertion",
    "Enquête d'insertion : une ligne par candidat et par délai d'enquête "
    f"({french_list(list(SURVEY_HORIZONS))} mois).",
    ("insertion", "enquete", "enquete_insertion"),
    (
        replace(KNOWN_CANDIDATE, descriptions={
            "missing": "L'identifiant du candidat doit être renseigné pour chaque réponse.",
            "values": "Ce candidat figure dans l'enquête mais pas dans la liste des candidats."}),
        Column("horizon_months", "délai de l'enquête, en mois",
               ("horizon", "mois", "delai", "delai_mois", "horizon_mois"), dtype="int",
               nullable=False, values=HORIZON_VALUES, descriptions={
                   "missing": "Le délai de l'enquête ({values} mois) doit être renseigné.",
                   "values": "Le délai de l'enquête doit valoir {values} (mois)."}),
        Column("status", "situation", ("statut", "situation", "situation_pro"), nullable=False,
               values=tuple(INSERTION_STATUSES), descriptions={
                   "missing": "La situation doit être renseignée (« non_repondant » si le "
                              "candidat n'a pas répondu).",
                   "values": "La situation doit être l'une de : {values}."}),
        Column("survey_date", "date de l'enquête",
               ("date_enquete", "date_d_enquete", "date_de_l_enquete", "date_de_reponse"),
               dtype="date", required=False, optional=True, pattern=r"^\d{4}-\d{2}-\d{2}$",
               descriptions={
                   "values": "La date de l'enquête n'est pas une date reconnue (format attendu : "
                             "AAAA-MM-JJ ; case vide admise)."}),
    ),
    key=("candidate_id", "horizon_months"),
    key_description_fr="Réponse en double : un candidat ne doit avoir qu'une situation par "
    "délai d'enquête.",
)  # fmt: skip

SCHEMAS: dict[str, TableSchema] = {s.name: s for s in (CANDIDATES, SCORES, INSERTION)}

#: Wide score grids: one file (or workbook sheet) per evaluator.
WIDE_STEMS: dict[str, tuple[str, ...]] = {
    "jury": ("jury", "scores_jury", "notes_jury"),
    "entreprise": ("entreprise", "scores_entreprise", "notes_entreprise", "employeur"),
}
