"""Every French word a user reads for a code of ours, declared once.

Each vocabulary maps the codes the data and the code use to the French label people read. The
table contract (:mod:`cc_analytics.contract`) takes its value sets from the keys of these
dictionaries, so a code and its label cannot drift apart.
"""

from __future__ import annotations

#: Access routes as France Compétences names their juries (in the fiche's order).
ACCESS_ROUTES: dict[str, str] = {
    "FI": "formation initiale (élève ou étudiant)",
    "CA": "contrat d'apprentissage",
    "FC": "formation continue",
    "CQ": "contrat de professionnalisation",
    "CL": "candidature individuelle",
    "VAE": "validation des acquis de l'expérience",
}
UNKNOWN_ROUTE = "voie inconnue"

#: Who scores a competency.
EVALUATORS: dict[str, str] = {"jury": "jury", "entreprise": "entreprise (co-validation)"}

#: Immersion in a company, as the processed data spell it.
YES, NO = "oui", "non"

#: Follow-up survey statuses (France Compétences insertion definitions, see the domain notes).
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

#: Survey horizons, in months after certification.
SURVEY_HORIZONS: dict[int, str] = {6: "6 mois", 24: "2 ans"}

#: How jury and employer scores combine (the rules' ``combine``).
COMBINE_MODES: dict[str, str] = {
    "co_validation": "co-validation : jury acquis et, s'il a noté, employeur acquis",
    "jury": "jury seul",
    "mean": "moyenne jury–employeur (jury seul sans note employeur)",
}

#: Items of the referentiel, as legends and tables name them.
LEVELS: dict[str, str] = {"title": "Titre", "block": "Bloc", "competency": "Compétence"}

#: A candidate without a site, in breakdowns by site.
NO_SITE = "site non renseigné"
#: A block, activity or competency whose title the official source does not give.
NAME_ABSENT = "intitulé absent de la source"

#: The title of each kind of report.
REPORT_TITLES: dict[str, str] = {
    "cohort": "Rapport de cohorte",
    "review": "Revue qualité inter-cohortes",
    "renewal": "Preuves pour le renouvellement RNCP",
}

#: How the index and the logs name a report of each kind (« cohorte 2024-LYON »).
REPORT_SHORT_LABELS: dict[str, str] = {
    "cohort": "cohorte",
    "review": "revue qualité",
    "renewal": "renouvellement RNCP",
}

#: What the main job says of each output.
BUILD_STATUSES: dict[str, str] = {
    "built": "produit",
    "up to date": "à jour (inchangé)",
    "failed": "échec",
    "invalid data": "données invalides",
    "skipped": "non reconstruit",
}

#: Why a competency stands between a candidate and the title (the follow-up table).
FOLLOWUP_STATUSES: dict[str, str] = {
    "non_evalue": "non évaluée",
    "non_acquis": "non acquise",
    "refus_entreprise": "acquise par le jury, refusée par l'entreprise",
}

#: The follow-up table's columns, as a pedagogical lead reads them.
FOLLOWUP_HEADERS: dict[str, str] = {
    "candidate_id": "Identifiant",
    "cohort": "Cohorte",
    "block": "Bloc",
    "competency": "Compétence",
    "label": "Intitulé",
    "jury_score": "Note du jury",
    "employer_score": "Note de l'entreprise",
    "status": "Situation",
    "last_session_date": "Dernière session du jury",
    "one_point_away": "À un point du seuil",
    "blocks_validated": "Blocs validés",
    "blocks_missing": "Blocs manquants",
    "competencies_missing": "Compétences manquantes",
    "one_competency_from_title": "À une compétence du titre",
    "candidates": "Candidats",
    "not_evaluated": "dont non évalués",
    "employer_refusals": "dont refus de l'entreprise (à revoir avec elle)",
    "candidate_ids": "Identifiants",
    "title": "Titre",
    "attestation_de_blocs": "Attestation de blocs possible",
    "pseudonym": "Pseudonyme (rapports)",
}

#: A line every working document with candidates' ids carries.
PERSONAL_DATA_NOTICE = (
    "Ce document contient des données personnelles (identifiants des candidats et leurs "
    "résultats) : usage interne, à ne pas diffuser ni transmettre hors de l'organisme."
)
