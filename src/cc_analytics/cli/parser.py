"""The commands and their options; each handler lives in the module of its command group."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.atomic import unwritable
from ..core.labels import COMBINE_MODES
from ..core.text import visible
from ..core.version import __version__
from ..reporting.kinds import KINDS, parse_period
from . import build, data, lab, referentiel, report, tables, workspace
from .french import FrenchParser


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchParser(
        prog="cc-analytics",
        description="Analyse des résultats de certification par compétences "
        "(titre RNCP « Chargé.e de clientèle »).",
    )
    parser.add_argument("--version", action="version", version=f"cc-analytics {__version__}",
                        help="afficher la version et quitter")  # fmt: skip
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE",
                                     parser_class=FrenchParser)  # fmt: skip
    commands.required = True

    p = commands.add_parser("init", help="créer un espace de travail (dossiers, démo, carnet)")
    p.add_argument("folder", type=Path, metavar="DOSSIER",
                   help="dossier de l'espace de travail à créer")  # fmt: skip
    p.add_argument("--empty", action="store_true",
                   help="sans le jeu de démonstration dans data/raw/demo")  # fmt: skip
    p.add_argument("--no-notebook", action="store_true",
                   help="sans copie du carnet d'exploration dans notebooks/")  # fmt: skip
    p.set_defaults(handler=workspace.init)

    _referentiel_commands(commands)
    _rncp_commands(commands)

    p = commands.add_parser(
        "validate",
        help="contrôler un dossier de données (rien n'est écrit hormis le rapport de validation)",
    )
    _dataset_arguments(p)
    p.set_defaults(handler=data.validate)

    p = commands.add_parser(
        "ingest", help="contrôler puis écrire les tables normalisées (Parquet) dans data/processed/"
    )
    _dataset_arguments(p)
    p.add_argument("--out-dir", type=output_folder, metavar="DOSSIER",
                   help="dossier de sortie (défaut : data/processed/NOM)")  # fmt: skip
    p.set_defaults(handler=data.ingest)

    p = commands.add_parser("metrics", help="taux d'acquisition par compétence, bloc et titre")
    _dataset_arguments(p)
    _rules_arguments(p)
    p.add_argument(
        "--by",
        default="cohort",
        metavar="COLONNES",
        help="regroupement : colonnes des candidats séparées par des virgules "
        "(cohort, access_route, site, immersion, year) ; défaut : cohort",
    )
    p.add_argument(
        "--external",
        action="store_true",
        help="document externe : masque les résultats des petits effectifs",
    )
    p.add_argument("--out", type=output_file, required=True, metavar="FICHIER",
                   help="fichier .csv ou .xlsx")  # fmt: skip
    _excel_fr_argument(p)
    p.set_defaults(handler=tables.metrics)

    p = commands.add_parser("agreement", help="accord jury–entreprise (kappa pondéré)")
    _dataset_arguments(p)
    _rules_arguments(p)
    p.add_argument("--by", default="", metavar="COLONNES",
                   help="regroupement facultatif (ex. cohort)")  # fmt: skip
    p.add_argument("--out", type=output_file, required=True, metavar="FICHIER",
                   help="fichier .csv ou .xlsx")  # fmt: skip
    _excel_fr_argument(p)
    p.set_defaults(handler=tables.agreement)

    p = commands.add_parser(
        "trends",
        help="évolution de chaque taux d'une cohorte à la précédente du même site (test exact "
        "de Fisher, correction de Benjamini–Hochberg, écart et son intervalle)",
    )
    _dataset_arguments(p)
    _rules_arguments(p)
    p.add_argument(
        "--by",
        default="site",
        type=trend_groups,
        metavar="COLONNES",
        help="cohortes comparées au sein de chaque groupe : colonnes des candidats séparées par "
        'des virgules (site, access_route…) ; défaut : site ; --by "" compare chaque '
        "cohorte à la précédente, tous sites confondus",
    )
    p.add_argument(
        "--external",
        action="store_true",
        help="document externe : masque les résultats des petits effectifs et toute "
        "comparaison qui les touche",
    )
    p.add_argument("--out", type=output_file, required=True, metavar="FICHIER",
                   help="fichier .csv ou .xlsx")  # fmt: skip
    _excel_fr_argument(p)
    p.set_defaults(handler=tables.trends)

    p = commands.add_parser("promotions", help="statistiques RNCP par année de promotion")
    _dataset_arguments(p)
    _rules_arguments(p)
    p.add_argument("--out", type=output_file, required=True, metavar="FICHIER",
                   help="fichier .csv ou .xlsx")  # fmt: skip
    _excel_fr_argument(p)
    p.set_defaults(handler=tables.promotions)

    p = commands.add_parser(
        "followup",
        help="suivi des candidats sans le titre : ce qui leur manque, rattrapages, feuille du "
        "jury (document interne)",
    )
    _dataset_arguments(p)
    _rules_arguments(p)
    p.add_argument("--cohort", required=True, metavar="COHORTE",
                   help="cohorte à suivre (ex. 2024-LYON ; majuscules ou minuscules)")  # fmt: skip
    p.add_argument("--out", type=output_file, required=True, metavar="FICHIER",
                   help="fichier .csv ou .xlsx")  # fmt: skip
    _excel_fr_argument(p)
    p.set_defaults(handler=tables.followup)

    p = commands.add_parser(
        "report", help="produire un rapport HTML (cohorte, revue qualité, renouvellement RNCP)"
    )
    p.add_argument("kind", choices=list(KINDS), metavar="RAPPORT",
                   help="cohort : rapport de cohorte ; review : revue qualité inter-cohortes ; "
                        "renewal : preuves pour le renouvellement RNCP")  # fmt: skip
    _dataset_arguments(p)
    _rules_arguments(p)
    # each option below is read by some kinds only (reporting.kinds): the others refuse it
    p.add_argument("--cohort", metavar="COHORTE",
                   help="cohorte (rapport cohort ; ex. 2024-LYON, majuscules ou minuscules)")  # fmt: skip
    p.add_argument("--years", type=years, metavar="ANNÉES",
                   help="période : une année (2024) ou un intervalle (2023-2025) ; rapports "
                        "review et renewal (défaut : toutes les années)")  # fmt: skip
    p.add_argument("--site", metavar="SITE", help="site (rapport review)")
    p.add_argument("--rncp-export", type=Path, metavar="FICHIER",
                   help="export XML du RNCP à mettre en regard (rapport renewal)")  # fmt: skip
    p.add_argument("--fiche", metavar="NUMÉRO",
                   help="numéro de fiche dans l'export RNCP (rapport renewal, avec "
                        "--rncp-export)")  # fmt: skip
    audience = p.add_mutually_exclusive_group()
    audience.add_argument(
        "--external",
        dest="external",
        action="store_true",
        default=None,
        help="lecteurs externes : petits effectifs masqués (défaut : review, renewal)",
    )
    audience.add_argument(
        "--internal", dest="external", action="store_false", help="usage interne (défaut : cohort)"
    )
    shown = p.add_mutually_exclusive_group()
    shown.add_argument(
        "--followup", dest="followup", action="store_true", default=None,
        help="section « Candidats à accompagner » (défaut : dans un rapport de cohorte interne ; "
        "refusée dans un rapport externe)",
    )  # fmt: skip
    shown.add_argument("--no-followup", dest="followup", action="store_false",
                       help="sans la section « Candidats à accompagner »")  # fmt: skip
    p.add_argument(
        "--shared-plotly",
        action="store_true",
        help="rapport interne seulement : la page charge le plotly.min.js de son dossier au "
        "lieu de l'inclure (plus légère, mais ne s'affiche pas copiée seule)",
    )
    p.add_argument(
        "--out",
        type=output_file,
        metavar="FICHIER",
        help="fichier .html (la page), ou .pdf (PDF A4, la page .html étant écrite à côté) ; "
        "défaut : reports/NOM/….html",
    )
    p.add_argument("--wait", type=seconds, default=0, metavar="SECONDES",
                   help="si une construction tourne, attendre au plus SECONDES")  # fmt: skip
    p.set_defaults(handler=report.report)

    p = commands.add_parser(
        "build",
        help="tâche principale : contrôle, tables, tous les rapports et reports/index.html, "
        "pour chaque jeu de données de l'espace de travail",
    )
    p.add_argument("dataset", type=Path, nargs="?", metavar="DONNÉES",
                   help="un seul dossier de données (défaut : ceux de data/raw, ou ceux de "
                        "cc-analytics.toml)")  # fmt: skip
    p.add_argument(
        "--config",
        type=Path,
        metavar="FICHIER",
        help="configuration TOML (défaut : cc-analytics.toml de l'espace de travail)",
    )
    p.add_argument("--force", action="store_true", help="tout reconstruire")
    p.add_argument("--pdf", action="store_true",
                   help="écrire aussi un PDF A4 à côté de chaque rapport HTML (demande Chromium ; "
                        "ou pdf = true dans la section [build] de cc-analytics.toml)")  # fmt: skip
    p.add_argument("--jobs", type=positive, metavar="N",
                   help="processus en parallèle (défaut : un par cœur)")  # fmt: skip
    p.add_argument("--executor", default="local", metavar="EXÉCUTEUR",
                   help="local (défaut) ou dask:ADRESSE")  # fmt: skip
    p.add_argument("--wait", type=seconds, default=0, metavar="SECONDES",
                   help="si une autre construction tourne, attendre au plus SECONDES")  # fmt: skip
    _workspace_argument(p)
    p.set_defaults(handler=build.build)

    p = commands.add_parser("lab", help="ouvrir JupyterLab sur les carnets de l'espace de travail")
    p.add_argument("--port", type=port, default=8888,
                   help="port du serveur JupyterLab (défaut : 8888)")  # fmt: skip
    p.add_argument("--no-browser", action="store_true", help="ne pas ouvrir de navigateur")
    _workspace_argument(p)
    p.set_defaults(handler=lab.lab)

    p = commands.add_parser("demo", help="générer un jeu de données de démonstration")
    p.add_argument("folder", type=Path, metavar="DOSSIER", help="dossier à créer")
    p.add_argument("--seed", type=whole_number, default=2026, metavar="GRAINE",
                   help="graine du tirage : la même graine redonne les mêmes données "
                        "(défaut : 2026)")  # fmt: skip
    p.add_argument("--layout", choices=["wide", "long"], default="wide",
                   help="wide : une colonne par compétence (jury.csv, entreprise.csv) ; long : "
                        "une ligne par note (scores.csv) ; défaut : wide")  # fmt: skip
    p.set_defaults(handler=workspace.demo)
    return parser


def _actions(
    commands: argparse._SubParsersAction, name: str, help: str
) -> argparse._SubParsersAction:
    """A command made of actions (``cc-analytics NAME ACTION …``), one of them required."""
    group = commands.add_parser(name, help=help)
    sub = group.add_subparsers(dest="action", metavar="ACTION", parser_class=FrenchParser)
    sub.required = True
    return sub


def _referentiel_commands(commands: argparse._SubParsersAction) -> None:
    sub = _actions(commands, "referentiel", "importer, afficher, vérifier un référentiel")

    p = sub.add_parser(
        "import",
        help="importer un document officiel (export RNCP XML, tableau référentiel) en YAML",
    )
    p.add_argument("source", type=Path, metavar="SOURCE",
                   help="fichier source (format détecté par le contenu)")  # fmt: skip
    p.add_argument("--fiche", metavar="NUMÉRO",
                   help="numéro de fiche dans un export RNCP (ex. RNCP36612)")  # fmt: skip
    p.add_argument("--out", type=output_file, required=True, metavar="FICHIER",
                   help="fichier YAML à écrire")  # fmt: skip
    p.set_defaults(handler=referentiel.import_source)

    p = sub.add_parser("list", help="lister les fiches d'un export RNCP")
    p.add_argument("source", type=Path, metavar="SOURCE", help="export XML du RNCP")
    p.set_defaults(handler=referentiel.list_fiches)

    p = sub.add_parser("show", help="afficher un référentiel (défaut : Chargé.e de clientèle)")
    p.add_argument("file", type=Path, nargs="?", metavar="FICHIER",
                   help="référentiel YAML (défaut : celui livré)")  # fmt: skip
    p.add_argument(
        "--format",
        choices=["tree", "csv"],
        default="tree",
        help="tree : arbre lisible ; csv : une ligne par compétence",
    )
    p.set_defaults(handler=referentiel.show)

    p = sub.add_parser("check", help="vérifier l'intégrité d'un référentiel YAML et dire "
                       "quelles lacunes de la source restent à combler")  # fmt: skip
    p.add_argument("file", type=Path, metavar="FICHIER", help="référentiel YAML")
    p.set_defaults(handler=referentiel.check)

    p = sub.add_parser(
        "complete",
        help="écrire le référentiel complété d'un jeu de données : lacunes de la source "
        "comblées (--add, --resolve), numéro de fiche et codes RNCP des blocs, codes ROME/NSF",
    )
    p.add_argument("dataset", type=Path, metavar="DONNÉES",
                   help="dossier de données, ou son nom dans data/raw")  # fmt: skip
    p.add_argument("--add", metavar="CODE",
                   help="compétence (B2A2C1) ou activité (B2A1) à ajouter, ou bloc/activité "
                        "dont l'intitulé manque (B2, B2A2) ; avec --label")  # fmt: skip
    p.add_argument("--label", metavar="INTITULÉ",
                   help="intitulé officiel de ce qui est ajouté (avec --resolve : comment la "
                        "lacune a été vérifiée)")  # fmt: skip
    p.add_argument("--block", metavar="BLOC", help="bloc de l'activité ajoutée (ex. B2)")
    p.add_argument("--activity", metavar="ACTIVITÉ",
                   help="activité de la compétence ajoutée (ex. B2A2)")  # fmt: skip
    p.add_argument("--resolve", metavar="LACUNE",
                   help="lacune de toute la source à déclarer comblée (ex. pages), avec --label")  # fmt: skip
    p.add_argument("--fiche", metavar="NUMÉRO", help="numéro de fiche RNCP du titre (RNCP36612)")
    p.add_argument("--block-code", action="append", default=[], metavar="BLOC=CODE",
                   help="code RNCP officiel d'un bloc, ex. B1=RNCP36612BC01 (option "
                        "répétable)")  # fmt: skip
    p.add_argument("--rome", metavar="CODES", help="codes ROME du titre, séparés par des virgules")
    p.add_argument("--nsf", metavar="CODES", help="codes NSF du titre, séparés par des virgules")
    p.add_argument("--level", metavar="NIVEAU", help="niveau du titre (ex. 5 ou NIV5)")
    p.add_argument(
        "--referentiel", type=Path, metavar="FICHIER",
        help="référentiel de départ (défaut : le fichier de sortie s'il existe déjà, sinon le "
        "référentiel du dossier, sinon Chargé.e de clientèle)")  # fmt: skip
    p.add_argument("--out", type=output_file, metavar="FICHIER",
                   help="référentiel YAML à écrire (défaut : referentiels/NOM.yaml de l'espace "
                        "de travail ; jamais dans data/raw)")  # fmt: skip
    _workspace_argument(p)
    p.set_defaults(handler=referentiel.complete)


def _rncp_commands(commands: argparse._SubParsersAction) -> None:
    sub = _actions(commands, "rncp", "exploiter l'export RNCP de France Compétences")

    p = sub.add_parser(
        "similar",
        help="certifications similaires à la nôtre (codes ROME ou NSF partagés, même niveau), "
        "avec leurs statistiques publiées",
    )
    p.add_argument("export", type=Path, metavar="EXPORT", help="export XML du RNCP (lu en flux)")
    p.add_argument("--fiche", required=True, metavar="NUMÉRO",
                   help="numéro de fiche de notre titre (ex. RNCP36612)")  # fmt: skip
    p.add_argument("--rome", metavar="CODES",
                   help="nos codes ROME, séparés par des virgules (défaut : ceux du référentiel, "
                        "sinon ceux de notre fiche dans l'export)")  # fmt: skip
    p.add_argument("--nsf", metavar="CODES",
                   help="nos codes NSF, séparés par des virgules (même défaut)")  # fmt: skip
    levels = p.add_mutually_exclusive_group()
    levels.add_argument("--level", metavar="N",
                        help="comparer au niveau N (ex. 5) plutôt qu'au nôtre")  # fmt: skip
    levels.add_argument("--all-levels", action="store_true", help="comparer à tous les niveaux")
    p.add_argument("--referentiel", type=Path, metavar="FICHIER",
                   help="référentiel YAML dont lire nos codes (défaut : celui livré)")  # fmt: skip
    p.add_argument("--out", type=output_file, required=True, metavar="FICHIER",
                   help="fichier .csv ou .xlsx")  # fmt: skip
    _excel_fr_argument(p)
    p.set_defaults(handler=referentiel.similar)


MAX_WAIT = 24 * 3600


def output_file(text: str) -> Path:
    """``--out``: a file that can be written (not a folder, not in /proc …)."""
    if (reason := unwritable(text, outside_raw=True)) is not None:
        raise argparse.ArgumentTypeError(reason)
    return Path(text)


def output_folder(text: str) -> Path:
    """``--out-dir``: a folder that can be written."""
    if (reason := unwritable(text, directory=True, outside_raw=True)) is not None:
        raise argparse.ArgumentTypeError(reason)
    return Path(text)


def trend_groups(text: str) -> str:
    """``trends --by``: candidate columns, never ``cohort`` (the cohorts are what is compared)."""
    if "cohort" in (c.strip() for c in text.split(",")):
        raise argparse.ArgumentTypeError(
            "« cohort » ne peut pas regrouper les tendances, puisque ce sont les cohortes que "
            'l\'on compare ; donnez par exemple --by site, ou --by "" pour comparer chaque '
            "cohorte à la précédente, tous sites confondus"
        )
    return text


def years(text: str) -> tuple[int, int]:
    """``--years``: ``2024`` or ``2023-2025``; a reversed or malformed period is explained."""
    try:
        return parse_period(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def whole_number(text: str) -> int:
    """A whole number (``--seed``)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"nombre entier attendu, pas « {visible(text)} »"
        ) from None


def positive(text: str) -> int:
    """``--jobs``: a whole number, at least 1."""
    number = whole_number(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"au moins 1 (reçu : {number})")
    return number


def port(text: str) -> int:
    """``--port``: a TCP port."""
    number = positive(text)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"un port va de 1 à 65535 (reçu : {number})")
    return number


def seconds(text: str) -> float:
    """``--wait``: seconds, from 0 to a day."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"un nombre de secondes est attendu, pas « {text} »"
        ) from None
    if not 0 <= value <= MAX_WAIT:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"entre 0 et {MAX_WAIT} secondes (reçu : {text})")
    return value


def _workspace_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workspace", type=Path, metavar="DOSSIER",
                   help="espace de travail (défaut : celui qui contient le dossier courant)")  # fmt: skip


def _dataset_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset", type=Path, metavar="DONNÉES",
                   help="dossier de données, ou son nom dans data/raw (voir README)")  # fmt: skip
    p.add_argument(
        "--referentiel",
        type=Path,
        metavar="FICHIER",
        help="référentiel YAML (défaut : celui du dossier, sinon Chargé.e de clientèle)",
    )
    _workspace_argument(p)


def _rules_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", type=Path, metavar="FICHIER", help="fichier de règles TOML")
    p.add_argument(
        "--threshold",
        type=int,
        choices=range(5),
        metavar="N",
        help="note minimale d'acquisition (0 à 4 ; défaut : 2)",
    )
    p.add_argument(
        "--combine",
        choices=list(COMBINE_MODES),
        help="combinaison jury/entreprise (défaut : co_validation)",
    )


def _excel_fr_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--excel-fr",
        action="store_true",
        help="CSV pour Excel en français : séparateur « ; », UTF-8 avec BOM, virgule "
        "décimale, en-têtes et valeurs en français (sans l'option : le CSV des scripts)",
    )
