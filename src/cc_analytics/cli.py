"""The ``cc-analytics`` command line.

Exit codes: 0 success, 1 bad input (the French message says what and where), 2 wrong usage.
Heavy libraries are imported inside the commands that need them, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .errors import CcAnalyticsError

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


#: argparse's own words, in French (it calls ``argparse._`` at run time).
_FRENCH = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "show program's version number and exit": "afficher la version et quitter",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "choix invalide : %(value)r (choix possibles : %(choices)s)",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "expected one argument": "une valeur est attendue",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s) : %(value)r",
    "not allowed with argument %s": "incompatible avec l'argument %s",
}  # fmt: skip
argparse._ = lambda text: _FRENCH.get(text, text)  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    """argparse with French usage errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog} : erreur d'utilisation : {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cc-analytics",
        description="Analyse des résultats de certification par compétences "
        "(titre RNCP « Chargé.e de clientèle »).",
    )
    parser.add_argument("--version", action="version", version=f"cc-analytics {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=_Parser)
    commands.required = True

    referentiel = commands.add_parser(
        "referentiel", help="importer, afficher, vérifier un référentiel"
    )
    sub = referentiel.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser(
        "import",
        help="importer un document officiel (export RNCP XML, tableau référentiel) en YAML",
    )
    p.add_argument("source", type=Path, help="fichier source (format détecté par le contenu)")
    p.add_argument("--fiche", help="numéro de fiche dans un export RNCP (ex. RNCP36612)")
    p.add_argument("--out", type=Path, required=True, help="fichier YAML à écrire")
    p.set_defaults(handler=_referentiel_import)

    p = sub.add_parser("list", help="lister les fiches d'un export RNCP")
    p.add_argument("source", type=Path)
    p.set_defaults(handler=_referentiel_list)

    p = sub.add_parser("show", help="afficher un référentiel (défaut : Chargé.e de clientèle)")
    p.add_argument("file", type=Path, nargs="?", help="référentiel YAML (défaut : celui livré)")
    p.add_argument(
        "--format",
        choices=["tree", "csv"],
        default="tree",
        help="tree : arbre lisible ; csv : une ligne par compétence",
    )
    p.set_defaults(handler=_referentiel_show)

    p = sub.add_parser("check", help="vérifier l'intégrité d'un référentiel YAML")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=_referentiel_check)

    p = commands.add_parser(
        "validate",
        help="contrôler un dossier de données (rien n'est écrit hormis le rapport de validation)",
    )
    _dataset_arguments(p)
    p.set_defaults(handler=_validate)

    p = commands.add_parser(
        "ingest", help="contrôler puis écrire les tables normalisées (Parquet) dans data/processed/"
    )
    _dataset_arguments(p)
    p.add_argument("--out-dir", type=Path, help="dossier de sortie (défaut : data/processed/NOM)")
    p.set_defaults(handler=_ingest)

    p = commands.add_parser("metrics", help="taux d'acquisition par compétence, bloc et titre")
    _dataset_arguments(p)
    _rules_arguments(p)
    p.add_argument(
        "--by",
        default="cohort",
        help="regroupement : colonnes des candidats séparées par des virgules "
        "(cohort, access_route, site, immersion, year) ; défaut : cohort",
    )
    p.add_argument(
        "--external",
        action="store_true",
        help="document externe : masque les résultats des petits effectifs",
    )
    p.add_argument("--out", type=Path, required=True, help="fichier .csv ou .xlsx")
    p.set_defaults(handler=_metrics)

    p = commands.add_parser("agreement", help="accord jury–entreprise (kappa pondéré)")
    _dataset_arguments(p)
    _rules_arguments(p)
    p.add_argument("--by", default="", help="regroupement facultatif (ex. cohort)")
    p.add_argument("--out", type=Path, required=True, help="fichier .csv ou .xlsx")
    p.set_defaults(handler=_agreement)

    p = commands.add_parser("promotions", help="statistiques RNCP par année de promotion")
    _dataset_arguments(p)
    _rules_arguments(p)
    p.add_argument("--out", type=Path, required=True, help="fichier .csv ou .xlsx")
    p.set_defaults(handler=_promotions)

    p = commands.add_parser(
        "report", help="produire un rapport HTML (cohorte, revue qualité, renouvellement RNCP)"
    )
    p.add_argument("kind", choices=["cohort", "review", "renewal"])
    _dataset_arguments(p)
    _rules_arguments(p)
    p.add_argument("--cohort", help="cohorte (rapport cohort)")
    p.add_argument("--years", help="période, ex. 2023-2025 (rapports review et renewal)")
    p.add_argument("--site", help="site (rapport review)")
    p.add_argument(
        "--rncp-export", type=Path, help="export XML du RNCP à mettre en regard (rapport renewal)"
    )
    p.add_argument("--fiche", help="numéro de fiche dans l'export RNCP")
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
    p.add_argument(
        "--shared-plotly",
        action="store_true",
        help="un seul plotly.min.js partagé par le dossier au lieu de l'inclure",
    )
    p.add_argument("--out", type=Path, help="fichier HTML (défaut : reports/NOM/…)")
    p.set_defaults(handler=_report)

    p = commands.add_parser(
        "build",
        help="tâche principale : contrôle, tables, tous les "
        "rapports et reports/index.html (défaut : données de démonstration)",
    )
    p.add_argument("dataset", type=Path, nargs="?", help="dossier de données (défaut : démo)")
    p.add_argument(
        "--config",
        type=Path,
        help="configuration TOML (jeux de données, rapports, règles, dossier de sortie)",
    )
    p.add_argument("--force", action="store_true", help="tout reconstruire")
    p.add_argument("--jobs", type=int, help="processus en parallèle (défaut : un par cœur)")
    p.add_argument("--executor", default="local", help="local (défaut) ou dask:ADRESSE")
    p.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDES",
        help="si une autre construction tourne, attendre au plus SECONDES",
    )
    p.set_defaults(handler=_build)

    p = commands.add_parser("lab", help="ouvrir JupyterLab sur les carnets d'exploration")
    p.add_argument("--port", type=int, default=8888)
    p.add_argument("--no-browser", action="store_true")
    p.set_defaults(handler=_lab)

    p = commands.add_parser("demo", help="générer un jeu de données de démonstration")
    p.add_argument("folder", type=Path, help="dossier à créer")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--layout", choices=["wide", "long"], default="wide")
    p.set_defaults(handler=_demo)
    return parser


def _dataset_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset", type=Path, help="dossier de données (voir README)")
    p.add_argument(
        "--referentiel",
        type=Path,
        help="référentiel YAML (défaut : celui du dossier, sinon Chargé.e de clientèle)",
    )


def _rules_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", type=Path, help="fichier de règles TOML")
    p.add_argument(
        "--threshold",
        type=int,
        choices=range(5),
        metavar="N",
        help="note minimale d'acquisition (0 à 4 ; défaut : 2)",
    )
    p.add_argument(
        "--combine",
        choices=["co_validation", "jury", "mean"],
        help="combinaison jury/entreprise (défaut : co_validation)",
    )


def _referentiel_import(args: argparse.Namespace) -> int:
    from .referentiel import dump
    from .sources import read_source

    referentiel = read_source(args.source, args.fiche)
    dump(
        referentiel,
        args.out,
        header=f"Importé de {args.source.name} par cc-analytics "
        f"{__version__}. Relisez-le avant usage : ce que la source ne dit pas est dans « gaps ».",
    )
    print(
        f"Référentiel « {referentiel.title} » écrit dans {args.out} : "
        f"{len(referentiel.blocks)} blocs, {len(referentiel.competencies)} compétences, "
        f"{len(referentiel.gaps)} lacunes signalées."
    )
    return EXIT_OK


def _referentiel_list(args: argparse.Namespace) -> int:
    from .rncp_import import list_fiches
    from .sources import RNCP, detect_format

    if detect_format(args.source) != RNCP:
        raise CcAnalyticsError(
            f"{args.source} : ce n'est pas un export RNCP ; « list » "
            "n'affiche que les fiches d'un export XML de France Compétences"
        )
    fiches = list_fiches(args.source)
    for row in fiches.itertuples(index=False):
        print(f"{row.numero}\t{row.blocks} blocs\t{row.etat}\t{row.intitule}")
    return EXIT_OK


def _referentiel_show(args: argparse.Namespace) -> int:
    from . import display
    from .referentiel import load

    referentiel = load(args.file)
    if args.format == "csv":
        sys.stdout.write(display.competencies_csv(referentiel))
    else:
        width = min(shutil.get_terminal_size((100, 24)).columns, 120)
        sys.stdout.write(display.tree(referentiel, width))
    return EXIT_OK


def _referentiel_check(args: argparse.Namespace) -> int:
    from .referentiel import load

    referentiel = load(args.file)
    print(
        f"{args.file} : référentiel cohérent — {len(referentiel.blocks)} blocs, "
        f"{len(referentiel.activities)} activités, {len(referentiel.competencies)} "
        f"compétences ({referentiel.id})."
    )
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from .pipeline import gate_dataset

    gated = gate_dataset(args.dataset, args.referentiel)
    rows = gated.gate.rows
    print(
        f"Données valides : {rows['candidates']} candidats, {rows['scores']} notes, "
        f"{rows['insertion']} réponses d'enquête."
    )
    print(f"Rapport de validation : {gated.report}")
    return EXIT_OK


def _ingest(args: argparse.Namespace) -> int:
    from .pipeline import ingest_dataset

    gated, target = ingest_dataset(args.dataset, args.referentiel, args.out_dir)
    print(f"Tables écrites dans {target} (rapport de validation : {gated.report}).")
    return EXIT_OK


def _context(args: argparse.Namespace):
    """Validated tables (reused from data/processed when up to date) and results."""
    from .context import load_context

    return load_context(args.dataset, referentiel=args.referentiel, rules=args.rules,
                        threshold=args.threshold, combine=args.combine)  # fmt: skip


def _group_columns(text: str, results) -> list[str]:
    columns = [c.strip() for c in text.split(",") if c.strip()]
    available = [c for c in results.candidates.columns if c != "candidate_id"]
    unknown = [c for c in columns if c not in available]
    if unknown:
        raise CcAnalyticsError(
            f"--by : colonne inconnue : {', '.join(unknown)}. Colonnes "
            f"possibles : {', '.join(available)}"
        )
    return columns


def _metrics(args: argparse.Namespace) -> int:
    from .aggregates import aggregate
    from .exports import write_table
    from .privacy import flag_small_groups, protect

    ctx = _context(args)
    by = _group_columns(args.by, ctx.results)
    table = aggregate(ctx.results, ctx.referentiel, by)
    small = ctx.rules.small_group
    if args.external:
        table = protect(table, small, siblings=[*by[:-1], "level", "code"])
    else:
        table = flag_small_groups(table, small)
    write_table(ctx.stamp(table), args.out, ctx.provenance(), "métriques")
    print(f"{len(table)} lignes écrites dans {args.out} ({ctx.rules.describe_fr()}).")
    return EXIT_OK


def _agreement(args: argparse.Namespace) -> int:
    from .agreement import agreement
    from .exports import write_table

    ctx = _context(args)
    table = agreement(ctx.results, ctx.referentiel, _group_columns(args.by, ctx.results))
    write_table(ctx.stamp(table), args.out, ctx.provenance(), "accord")
    print(f"{len(table)} lignes écrites dans {args.out}.")
    return EXIT_OK


def _promotions(args: argparse.Namespace) -> int:
    from .exports import write_table
    from .promotions import promotion_statistics

    ctx = _context(args)
    table = promotion_statistics(ctx.results, ctx.tables.insertion)
    write_table(ctx.stamp(table), args.out, ctx.provenance(), "promotions")
    print(f"{len(table)} années écrites dans {args.out}.")
    return EXIT_OK


def _years(text: str | None) -> tuple[int, int] | None:
    from .build_config import parse_years

    try:
        return parse_years(text)
    except ValueError:
        raise CcAnalyticsError(
            f"--years : période illisible « {text} » ; écrivez par exemple 2023-2025 ou 2024"
        ) from None


def _report(args: argparse.Namespace) -> int:
    from .reports import ReportRequest, build_report

    request = ReportRequest(
        kind=args.kind,
        dataset=args.dataset,
        cohort=args.cohort,
        years=_years(args.years),
        site=args.site,
        referentiel=args.referentiel,
        rules=args.rules,
        threshold=args.threshold,
        combine=args.combine,
        external=args.external,
        rncp_export=args.rncp_export,
        fiche=args.fiche,
        shared_plotly=args.shared_plotly,
        out=args.out,
    )
    rendered = build_report(request)
    print(f"Rapport écrit : {rendered.html}")
    print(f"Carnet exécuté (audit) : {rendered.notebook}")
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    import logging
    from dataclasses import replace

    from filelock import FileLock, Timeout

    from . import batch
    from .build_config import default_config, load_config

    if args.config and args.dataset:
        raise CcAnalyticsError("donnez soit un dossier de données, soit --config, pas les deux")
    config = load_config(args.config) if args.config else default_config(args.dataset)
    if args.jobs:
        config = replace(config, jobs=args.jobs)
    rules_file = args.config if args.config and config.rules_overridden else None
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("papermill").setLevel(logging.WARNING)
    config.output.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(config.output / batch.LOCK_FILE))
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if args.wait <= 0:
                raise
            print(f"Une autre construction est en cours sur {config.output} : attente "
                  f"(au plus {args.wait:g} s)…", file=sys.stderr, flush=True)  # fmt: skip
            lock.acquire(timeout=args.wait)
    except Timeout:
        raise CcAnalyticsError(
            f"une autre construction est en cours sur {config.output} (verrou "
            f"{batch.LOCK_FILE}) ; réessayez plus tard ou ajoutez --wait 600"
        ) from None
    try:
        with _executor(args.executor, config.jobs) as executor:
            summary = batch.build(
                config,
                force=args.force,
                executor=executor,
                progress=_progress_printer(),
                rules_file=rules_file,
            )
    finally:
        lock.release()
    reports = [o for o in summary.outcomes if o.kind in ("cohort", "review", "renewal")]
    built = sum(o.status == "built" for o in reports)
    fresh = sum(o.status == "up to date" for o in reports)
    print(
        f"Terminé : {built} rapport(s) produit(s), {fresh} à jour, {len(summary.failed)} échec(s).",
        file=sys.stderr,
    )
    for outcome in summary.failed:
        print(f"  échec — {batch.outcome_line(outcome)} : {outcome.message}", file=sys.stderr)
    print(f"Rapports : {summary.index}")
    return EXIT_INPUT if summary.failed else EXIT_OK


def _executor(spec: str, jobs: int):
    import contextlib
    import os
    from concurrent.futures import ProcessPoolExecutor

    if spec == "local":
        return ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1)
    if spec.startswith("dask:"):
        try:
            from distributed import Client
        except ImportError:
            raise CcAnalyticsError(
                "--executor dask demande l'extra « dask » : pip install -e '.[dask]'"
            ) from None
        address = spec.removeprefix("dask:")
        try:
            client = Client(address, timeout="20s")
        except OSError as exc:
            raise CcAnalyticsError(
                f"--executor : cluster Dask injoignable à « {address} » ({exc}) ; vérifiez "
                "l'adresse du scheduler (ex. dask:tcp://hôte:8786) et qu'il tourne"
            ) from None

        @contextlib.contextmanager
        def dask_executor():
            try:
                yield client.get_executor()
            finally:
                client.close()

        return dask_executor()
    raise CcAnalyticsError(f"--executor : « {spec} » inconnu ; local ou dask:ADRESSE")


def _progress_printer():
    """A progress bar on a terminal, plain log lines otherwise (cron, CI)."""
    from . import batch

    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = None

        def on_progress(done: int, total: int, outcome) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="rapport", file=sys.stderr)
            bar.set_postfix_str(outcome.label[:30])
            bar.update(1)
            if done == total:
                bar.close()

        return on_progress

    def on_line(done: int, total: int, outcome) -> None:
        print(f"[{done}/{total}] {batch.outcome_line(outcome)}", file=sys.stderr, flush=True)

    return on_line


def _lab(args: argparse.Namespace) -> int:
    """JupyterLab on ``notebooks/``, opening the exploration notebook.

    The server keeps Jupyter's token (never disabled here; set ``JUPYTER_TOKEN`` to choose
    it). Kernels run on this interpreter with this package first on their path.
    """
    import importlib.util
    import os
    import signal
    import subprocess

    from .paths import NOTEBOOKS_DIR, PACKAGE_DIR

    if importlib.util.find_spec("jupyterlab") is None:
        raise CcAnalyticsError(
            "JupyterLab n'est pas installé pour cet interpréteur Python "
            f"({sys.executable}) ; installez cc-analytics avec ses dépendances (pip install -e .)"
        )
    if not NOTEBOOKS_DIR.is_dir():
        raise CcAnalyticsError(
            f"dossier des carnets introuvable : {NOTEBOOKS_DIR} ; « cc-analytics lab » "
            "s'utilise depuis une copie du projet (installation pip install -e .)"
        )
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--notebook-dir={NOTEBOOKS_DIR}",
        f"--port={args.port}",
    ]
    exploration = NOTEBOOKS_DIR / "exploration.ipynb"
    if exploration.exists():
        command.append(str(exploration))  # the browser opens on it
    if args.no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    # the kernels import this very copy of the package, installed or not
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(PACKAGE_DIR.parent), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])]
    )
    print(
        f"JupyterLab sur {NOTEBOOKS_DIR} (carnet exploration.ipynb) ; l'adresse à ouvrir, "
        "avec son jeton, s'affiche ci-dessous. Ctrl+C pour arrêter."
    )
    server = subprocess.Popen(command, env=env)
    # stopping this command stops the server too, instead of leaving it running alone
    previous = signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        while True:
            try:
                return server.wait()
            except KeyboardInterrupt:
                # Jupyter handles Ctrl+C itself (confirmation, then kernels shut down);
                # subprocess.call would kill it here and leave its kernels running
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)


def _demo(args: argparse.Namespace) -> int:
    from .demo import generate_demo, write_dataset

    files = write_dataset(generate_demo(args.seed), args.folder, layout=args.layout)
    print(f"Jeu de démonstration écrit dans {args.folder} : {', '.join(p.name for p in files)}.")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CcAnalyticsError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        if exc.report is not None:
            print(f"Rapport de validation : {exc.report}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
