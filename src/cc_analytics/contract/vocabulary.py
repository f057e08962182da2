"""The values a school may write, and how each spelling maps to our codes.

Codes and their French labels are declared in :mod:`cc_analytics.core.labels`; here are the
spellings seen in schools' files (compared after :func:`~cc_analytics.core.text.fold`) and the
groups of codes the rules rely on.
"""

from __future__ import annotations

from ..core.labels import ACCESS_ROUTES, INSERTION_STATUSES, NO, SURVEY_HORIZONS, YES
from ..core.text import fold

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

EVALUATOR_ALIASES: dict[str, str] = {
    "jury": "jury", "j": "jury",
    "entreprise": "entreprise", "employeur": "entreprise", "employer": "entreprise",
    "company": "entreprise", "tuteur": "entreprise", "e": "entreprise",
}  # fmt: skip

BOOLEAN_ALIASES: dict[str, str] = {
    "oui": YES, "o": YES, "yes": YES, "y": YES, "true": YES, "vrai": YES, "1": YES, "x": YES,
    "non": NO, "n": NO, "no": NO, "false": NO, "faux": NO, "0": NO,
}  # fmt: skip

#: A status written as its code or as its French label.
STATUS_ALIASES: dict[str, str] = {fold(code): code for code in INSERTION_STATUSES} | {
    fold(label): code for code, label in INSERTION_STATUSES.items()
}

#: The scores of the 0 (non acquis) – 4 (expert) scale, as text cells hold them.
SCORE_VALUES: tuple[str, ...] = ("0", "1", "2", "3", "4")
#: Survey horizons, as text cells hold them.
HORIZON_VALUES: tuple[str, ...] = tuple(str(months) for months in SURVEY_HORIZONS)

#: Statuses that count as employed, those removed from numerator and denominator
#: (France Compétences' neutralised situations), and the non-respondent.
EMPLOYED_STATUSES = frozenset({"emploi_metier_vise", "emploi_autre"})
TARGET_JOB_STATUS = "emploi_metier_vise"
NEUTRALISED_STATUSES = frozenset({"poursuite_etudes", "alternance", "impossibilite", "etranger"})
NON_RESPONDENT = "non_repondant"

#: Columns that identify a person by name: read, never kept (RGPD).
PERSONAL_COLUMNS = frozenset({
    "nom", "prenom", "prenoms", "name", "first_name", "last_name", "nom_prenom", "prenom_nom",
    "nom_de_famille", "nom_d_usage", "nom_naissance", "civilite", "email", "e_mail", "courriel",
    "mail", "adresse_mail", "telephone", "tel", "portable", "adresse", "date_de_naissance",
    "date_naissance", "naissance",
})  # fmt: skip
#: Columns a school may keep beside the data; read and ignored.
IGNORED_COLUMNS = frozenset({"commentaire", "commentaires", "observations", "observation",
                             "remarque", "remarques", "notes_libres"})  # fmt: skip
