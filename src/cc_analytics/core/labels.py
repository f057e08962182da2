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

#: The rules' ``retake_clears_employer``, as every output states it (true / false).
RETAKE_AFTER_EMPLOYER: dict[bool, str] = {
    False: "rattrapage du jury après la note de l'entreprise : la note de l'entreprise reste "
    "prise en compte",
    True: "rattrapage du jury après la dernière note de l'entreprise : le jury décide seul",
}
#: The same, when the jury alone decides (the option changes nothing then).
RETAKE_AFTER_EMPLOYER_JURY_ONLY = "rattrapage du jury après la note de l'entreprise : sans objet"

#: The rules' ``neutralise_abroad``, as every output states it (true / false).
ABROAD_RULES: dict[bool, str] = {
    True: "emploi à l'étranger neutralisé",
    False: "emploi à l'étranger compté dans l'emploi, hors métier visé (métiers internationaux)",
}

#: A certified candidate absent from the insertion survey file: never asked, which is not
#: the same as asked without an answer (``non_repondant``).
NOT_SURVEYED = "non interrogé"

#: Survey coverage per promotion and horizon, as the renewal report names its columns.
SURVEY_COVERAGE: dict[str, str] = {
    "certified": "Certifiés",
    "surveyed": "Interrogés",
    "not_surveyed": "Non interrogés",
    "respondents": "Répondants",
    "response_rate": "Taux de réponse",
    "neutralised": "Neutralisés",
    "base": "Base de calcul des taux",
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

#: The columns of the exported tables (``metrics``, ``agreement``, ``promotions``, ``trends``,
#: ``followup``) as people read them: XLSX headers and ``--excel-fr`` CSV headers. The plain
#: CSV keeps the English names, the contract scripts read. France Compétences' own field
#: names (``ANNEE``, ``NOMBRE_CERTIFIES``…) stay as the fiche spells them.
EXPORT_HEADERS: dict[str, str] = {
    "site": "Site",
    "cohort": "Cohorte",
    "year": "Année de jury",
    "access_route": "Voie d'accès",
    "immersion": "Immersion en entreprise",
    "level": "Niveau",
    "code": "Code",
    "label": "Intitulé",
    "n": "Effectif",
    "k": "Réussites",
    "rate": "Taux",
    "ci_low": "IC 95 % borne basse",
    "ci_high": "IC 95 % borne haute",
    "mean_score": "Note moyenne",
    **{f"score_{s}": f"Note {s}" for s in range(5)},
    "small_group": "Petit effectif",
    "referentiel_complete": "Référentiel complet pour cette ligne",
    "rncp_code": "Code RNCP",
    "suppressed": "Masqué (petit effectif)",
    "pairs": "Paires de notes",
    "kappa": "Kappa pondéré",
    "exact_agreement": "Notes identiques",
    "mean_difference": "Écart moyen (entreprise − jury)",
    "reading": "Lecture",
    "previous_cohort": "Cohorte précédente",
    "n_previous": "Effectif précédent",
    "k_previous": "Réussites précédentes",
    "rate_previous": "Taux précédent",
    "difference": "Évolution",
    "diff_ci_low": "IC 95 % de l'évolution, borne basse",
    "diff_ci_high": "IC 95 % de l'évolution, borne haute",
    "test": "Test",
    "p_value": "Valeur p brute",
    "p_adjusted": "Valeur p ajustée",
    "flagged": "Écart confirmé après correction",
    "family": "Comparaison",
    "family_size": "Tests de la comparaison",
    "correction": "Correction des comparaisons multiples",
    "alpha": "Seuil de signification",
    "threshold": "Seuil d'acquisition",
    "combine": "Combinaison jury–entreprise",
    "retake_clears_employer": "Rattrapage du jury après l'entreprise : décide seul",
    "neutralise_abroad": "Emploi à l'étranger neutralisé",
    "referentiel": "Référentiel",
    **FOLLOWUP_HEADERS,
}

#: Words for the codes some exported columns hold (besides levels, routes, combinations and
#: follow-up statuses, which have their own vocabularies above).
EXPORT_VALUES: dict[str, dict[str, str]] = {
    "test": {"fisher_exact_two_sided": "test exact de Fisher (bilatéral)"},
    "correction": {"benjamini_hochberg": "Benjamini–Hochberg (taux de fausses découvertes)"},
}
