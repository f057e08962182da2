"""The canonical tables: one declared schema each, used by the importers, the validation gate,
the processed Parquet files and the documentation alike.

Column names are English identifiers; each column also lists the French headers a school's
spreadsheet may use (compared without case, accents or punctuation).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Access routes as France Compétences names their juries.
ACCESS_ROUTES: dict[str, str] = {
    "FI": "formation initiale (élève ou étudiant)",
    "CA": "contrat d'apprentissage",
    "FC": "formation continue",
    "CQ": "contrat de professionnalisation",
    "CL": "candidature individuelle",
    "VAE": "validation des acquis de l'expérience",
}

#: Spellings seen in schools' files, normalised with :func:`normalise_token`.
ACCESS_ROUTE_ALIASES: dict[str, str] = {
    **{code.lower(): code for code in ACCESS_ROUTES},
    "formation_initiale": "FI", "initiale": "FI", "eleve": "FI", "etudiant": "FI",
    "scolaire": "FI", "statut_scolaire": "FI", "eleve_etudiant": "FI",
    "apprentissage": "CA", "contrat_d_apprentissage": "CA", "contrat_apprentissage": "CA",
    "apprenti": "CA", "alternance_apprentissage": "CA",
    "formation_continue": "FC", "continue": "FC", "stagiaire": "FC",
    "contrat_de_professionnalisation": "CQ", "contrat_professionnalisation": "CQ",
    "professionnalisation": "CQ", "contrat_pro": "CQ", "pro": "CQ",
    "candidature_individuelle": "CL", "candidat_libre": "CL", "libre": "CL",
    "individuelle": "CL",
    "validation_des_acquis_de_l_experience": "VAE", "validation_des_acquis": "VAE",
}  # fmt: skip

EVALUATORS: dict[str, str] = {"jury": "jury", "entreprise": "entreprise (co-validation)"}
EVALUATOR_ALIASES: dict[str, str] = {
    "jury": "jury", "j": "jury",
    "entreprise": "entreprise", "employeur": "entreprise", "employer": "entreprise",
    "company": "entreprise", "tuteur": "entreprise", "e": "entreprise",
}  # fmt: skip

YES, NO = "oui", "non"
BOOLEAN_ALIASES: dict[str, str] = {
    "oui": YES, "o": YES, "yes": YES, "y": YES, "true": YES, "vrai": YES, "1": YES, "x": YES,
    "non": NO, "n": NO, "no": NO, "false": NO, "faux": NO, "0": NO,
}  # fmt: skip

#: Follow-up survey statuses (France Compétences insertion definitions, see domain notes).
INSERTION_STATUSES: dict[str, str] = {
    "emploi_metier_vise": "en emploi dans le métier visé",
    "emploi_autre": "en emploi hors du métier visé",
    "recherche_emploi": "en recherche d'emploi",
    "poursuite_etudes": "en poursuite d'études",
    "alternance": "en contrat de travail en alternance (compté comme études)",
    "impossibilite": "dans l'impossibilité de travailler",
    "etranger": "en emploi hors du marché du travail français",
    "non_repondant": "n'a pas répondu",
}
EMPLOYED_STATUSES = frozenset({"emploi_metier_vise", "emploi_autre"})
NEUTRALISED_STATUSES = frozenset({"poursuite_etudes", "alternance", "impossibilite", "etranger"})
NON_RESPONDENT = "non_repondant"
SURVEY_HORIZONS = (6, 24)


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "str", "int", "bool", "date"
    required: bool
    label_fr: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSchema:
    name: str
    label_fr: str
    file_stems: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def header_map(self) -> dict[str, str]:
        """Normalised header spelling -> canonical column name."""
        out: dict[str, str] = {}
        for column in self.columns:
            for alias in (column.name, *column.aliases):
                out[normalise_token(alias)] = column.name
        return out


CANDIDATE_ID = Column("candidate_id", "str", True, "identifiant du candidat",
                      ("id", "identifiant", "id_candidat", "identifiant_candidat", "candidat",
                       "numero_candidat", "n_candidat", "matricule"))  # fmt: skip

CANDIDATES = TableSchema(
    "candidates", "candidats", ("candidates", "candidats"),
    (
        Column("cohort", "str", True, "cohorte", ("cohorte", "promotion", "promo", "groupe")),
        CANDIDATE_ID,
        Column("access_route", "str", True, "voie d'accès",
               ("voie", "voie_d_acces", "voie_acces", "route", "statut", "parcours")),
        Column("immersion", "bool", True, "immersion en entreprise",
               ("immersion_entreprise", "immersion_en_entreprise", "entreprise_d_accueil")),
        Column("site", "str", False, "site", ("centre", "campus", "lieu", "etablissement")),
    ),
)  # fmt: skip

SCORES = TableSchema(
    "scores", "notes", ("scores", "notes", "evaluations"),
    (
        CANDIDATE_ID,
        Column("competency", "str", True, "compétence",
               ("competence", "code", "code_competence", "competence_code")),
        Column("evaluator", "str", True, "évaluateur",
               ("evaluateur", "evaluation_par", "source", "correcteur")),
        Column("score", "int", False, "note (0 à 4)", ("note", "niveau", "valeur")),
        Column("session_date", "date", False, "date de session",
               ("date", "date_session", "session", "date_de_session", "date_jury")),
    ),
)  # fmt: skip

INSERTION = TableSchema(
    "insertion", "enquête d'insertion", ("insertion", "enquete", "enquete_insertion"),
    (
        CANDIDATE_ID,
        Column("horizon_months", "int", True, "délai de l'enquête (mois)",
               ("horizon", "mois", "delai", "delai_mois", "horizon_mois")),
        Column("status", "str", True, "situation", ("statut", "situation", "situation_pro")),
    ),
)  # fmt: skip

SCHEMAS = {s.name: s for s in (CANDIDATES, SCORES, INSERTION)}

#: Wide score grids: one file (or workbook sheet) per evaluator.
WIDE_STEMS: dict[str, tuple[str, ...]] = {
    "jury": ("jury", "scores_jury", "notes_jury"),
    "entreprise": ("entreprise", "scores_entreprise", "notes_entreprise", "employeur"),
}

#: Columns that identify a person by name: read, never kept (RGPD).
PERSONAL_COLUMNS = frozenset({
    "nom", "prenom", "prenoms", "name", "first_name", "last_name", "nom_prenom", "prenom_nom",
    "nom_de_famille", "nom_d_usage", "nom_naissance", "civilite", "email", "e_mail", "courriel",
    "mail", "adresse_mail", "telephone", "tel", "portable", "adresse", "date_de_naissance",
    "date_naissance", "naissance",
})  # fmt: skip


def normalise_token(text: object) -> str:
    """Lowercase ASCII with ``_`` between words: ``"Voie d'accès"`` -> ``"voie_d_acces"``."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
