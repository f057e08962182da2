"""``cc-analytics referentiel import|list|show|check|complete`` and ``cc-analytics rncp
similar``."""

from __future__ import annotations

import argparse
import shutil
import sys

from ..core.errors import CcAnalyticsError
from ..core.version import __version__
from .common import EXIT_OK, refused_usage, workspace_of


def import_source(args: argparse.Namespace) -> int:
    from ..referentiel import dump
    from ..referentiel.sources import read_source

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


def list_fiches(args: argparse.Namespace) -> int:
    from ..referentiel.rncp import list_fiches
    from ..referentiel.sources import RNCP, detect_format

    if detect_format(args.source) != RNCP:
        raise CcAnalyticsError(
            f"{args.source} : ce n'est pas un export RNCP ; « list » "
            "n'affiche que les fiches d'un export XML de France Compétences"
        )
    fiches = list_fiches(args.source)
    for row in fiches.itertuples(index=False):
        print(f"{row.numero}\t{row.blocks} blocs\t{row.etat}\t{row.intitule}")
    return EXIT_OK


def show(args: argparse.Namespace) -> int:
    from ..referentiel import display, load

    referentiel = load(args.file)
    if args.format == "csv":
        sys.stdout.write(display.competencies_csv(referentiel))
    else:
        width = min(shutil.get_terminal_size((100, 24)).columns, 120)
        sys.stdout.write(display.tree(referentiel, width))
    return EXIT_OK


def check(args: argparse.Namespace) -> int:
    from ..referentiel import load

    referentiel = load(args.file)
    print(
        f"{args.file} : référentiel cohérent — {len(referentiel.blocks)} blocs, "
        f"{len(referentiel.activities)} activités, {len(referentiel.competencies)} "
        f"compétences ({referentiel.id})."
    )
    print(gaps_report(referentiel))
    return EXIT_OK


def gaps_report(referentiel) -> str:  # type: ignore[no-untyped-def]
    """What ``check`` says of the gaps: those that still weigh on the figures, the others,
    those filled, and the official codes."""
    from ..referentiel.gaps import caveat, remaining
    from ..referentiel.official import block_codes

    structural, other = remaining(referentiel)
    lines = []
    if structural.empty:
        lines.append("Aucune lacune de la source ne pèse sur les chiffres : blocs et titre "
                     "sont entièrement décrits.")  # fmt: skip
    else:
        lines.append(f"Lacunes qui pèsent sur les chiffres ({len(structural)}), à combler avec "
                     "« cc-analytics referentiel complete » :")  # fmt: skip
        lines += [f"  - {_gap_line(g)}" for g in structural.itertuples(index=False)]
        lines.append(caveat(referentiel))
    if not other.empty:
        lines.append(f"Autres lacunes, sans effet sur les chiffres ({len(other)}) :")
        lines += [f"  - {_gap_line(g)}" for g in other.itertuples(index=False)]
    if not referentiel.filled.empty:
        lines.append(f"Lacunes comblées ({len(referentiel.filled)}) :")
        lines += [f"  - {_gap_line(g)} : « {g.label} »"
                  for g in referentiel.filled.itertuples(index=False)]  # fmt: skip
    codes = block_codes(referentiel)
    missing = [block for block, code in codes.items() if not code]
    fiche = referentiel.rncp or "non renseignée"
    lines.append(f"Fiche RNCP : {fiche} ; codes RNCP des blocs : "
                 + ", ".join(f"{b} = {c or '—'}" for b, c in codes.items())
                 + (" (à renseigner avec « cc-analytics referentiel complete … --fiche RNCP… "
                    "--block-code B1=RNCP…BC01 »)" if missing or not referentiel.rncp else ""))  # fmt: skip
    return "\n".join(lines)


def _gap_line(gap) -> str:  # type: ignore[no-untyped-def]
    code = gap.code if isinstance(gap.code, str) else "toute la source"
    return f"{code} — {gap.what}"


def complete(args: argparse.Namespace) -> int:
    """Write the dataset's completed referentiel (never into data/raw): gaps filled, official
    codes and classification set; say what remains."""
    from ..core.errors import Problem
    from ..referentiel import dump, load
    from ..referentiel import gaps as gap_rules
    from ..referentiel.official import configure, normalise_level

    problems = _complete_usage(args)
    if problems:
        return refused_usage(args, problems)
    workspace = workspace_of(args)
    dataset = workspace.existing_dataset(args.dataset)
    out = args.out or workspace.root / "referentiels" / f"{dataset.name}.yaml"
    own = dataset.raw / "referentiel.yaml"
    source = args.referentiel or (out if out.is_file() else own if own.is_file() else None)
    referentiel = load(source)
    if args.add:
        referentiel = gap_rules.complete(referentiel, args.add, args.label, args.block,
                                         args.activity)  # fmt: skip
    if args.resolve:
        referentiel = gap_rules.resolve(referentiel, args.resolve, args.label)
    blocks = dict(item.split("=", 1) for item in args.block_code)
    level = normalise_level(args.level) if args.level else None
    if args.level and level is None:
        raise CcAnalyticsError(Problem("niveau illisible", value=args.level,
                                       hint="Écrivez un chiffre de 1 à 8, ou NIV5"))  # fmt: skip
    referentiel = configure(referentiel, fiche=args.fiche and args.fiche.strip().upper(),
                            blocks={k.strip(): v.strip().upper() for k, v in blocks.items()},
                            rome=_listed(args.rome), nsf=_listed(args.nsf), level=level)  # fmt: skip
    dump(referentiel, out, header=f"Référentiel du jeu de données {dataset.name}, complété par "
         f"cc-analytics {__version__} à partir de {source or 'celui livré'}. Ce qui a été ajouté "
         "à la source figure dans « filled ».")  # fmt: skip
    structural, _ = gap_rules.remaining(referentiel)
    left = (f"{len(structural)} lacune(s) pèsent encore sur les chiffres "
            "(« cc-analytics referentiel check " + str(out) + " » les liste)"
            if len(structural) else "plus aucune lacune ne pèse sur les chiffres")  # fmt: skip
    print(f"Référentiel complété écrit dans {out} ({referentiel.id}) : {left}. Utilisez-le avec "
          f"--referentiel {out} (ou « referentiel = \"{out}\" » sous [[datasets]] dans "
          f"cc-analytics.toml, ou copiez-le vous-même en {own}).")  # fmt: skip
    return EXIT_OK


def _listed(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def _complete_usage(args: argparse.Namespace) -> list:  # type: ignore[type-arg]
    from ..core.errors import Problem

    problems = []
    asked = (args.add, args.resolve, args.fiche, args.block_code, args.rome, args.nsf,
             args.level)  # fmt: skip
    if not any(asked):
        problems.append(Problem(
            "rien à compléter : indiquez --add CODE --label \"…\" (ou --resolve, --fiche, "
            "--block-code, --rome, --nsf, --level)"))  # fmt: skip
    if (args.add or args.resolve) and not (args.label or "").strip():
        problems.append(Problem(f"--label est obligatoire avec --{'add' if args.add else 'resolve'}"
                                " : donnez l'intitulé officiel entre guillemets"))  # fmt: skip
    if args.add and args.resolve:
        problems.append(Problem("--add et --resolve ne se combinent pas : une lacune à la fois"))
    if (args.block or args.activity) and not args.add:
        problems.append(Problem("--block et --activity précisent --add : ajoutez --add CODE"))
    bad = [item for item in args.block_code if "=" not in item]
    if bad:
        problems.append(Problem(f"--block-code s'écrit BLOC=CODE, ex. B1=RNCP36612BC01 (reçu : "
                                f"{', '.join(bad)})"))  # fmt: skip
    return problems


def similar(args: argparse.Namespace) -> int:
    """``rncp similar``: the fiches similar to ours in an RNCP export, with their statistics."""
    import pandas as pd

    from ..core.errors import Problem
    from ..referentiel import load
    from ..referentiel.official import normalise_level
    from ..referentiel.similar import HEADERS_FR, Codes, find_similar
    from ..reporting.exports import write_table

    if args.excel_fr and args.out.suffix.lower() != ".csv":
        return refused_usage(args, Problem(
            f"l'option --excel-fr ne s'applique qu'à un fichier .csv, pas à « {args.out.name} » "
            "(un fichier .xlsx est toujours en français)"))  # fmt: skip
    if args.level and normalise_level(args.level) is None:
        return refused_usage(args, Problem(
            f"--level : niveau illisible (« {args.level} ») ; écrivez un chiffre de 1 à 8, "
            "ou NIV5"))  # fmt: skip
    referentiel = load(args.referentiel)
    codes = Codes(tuple(_listed(args.rome)) or referentiel.rome,
                  tuple(_listed(args.nsf)) or referentiel.nsf, referentiel.level)  # fmt: skip
    found = find_similar(args.export, args.fiche, codes, args.level, args.all_levels)
    table = found.table
    if args.out.suffix.lower() == ".xlsx" or args.excel_fr:
        table = table.rename(columns=HEADERS_FR)
    ours = found.ours
    info = {
        "Document": "Certifications similaires (critère 2 de l'enregistrement au RNCP)",
        "Export RNCP": str(args.export),
        "Notre fiche": f"{ours.numero} — {ours.intitule}" if ours else
        f"{args.fiche} (absente de l'export)",
        "Nos codes": _codes_text(found.codes),
        "Règle": found.rule,
        "cc-analytics": __version__,
    }  # fmt: skip
    write_table(table, args.out, info, "similaires", args.excel_fr)
    fiches = found.fiches
    print(f"Règle : {found.rule}.")
    print(f"Nos codes : {_codes_text(found.codes)}.")
    print(f"{len(fiches)} fiche(s) similaire(s) écrite(s) dans {args.out}"
          + (f", avec notre fiche {ours.numero} en tête (rang 0)" if ours else "") + ".")  # fmt: skip
    for row in fiches.head(10).itertuples(index=False):
        state = "?" if pd.isna(row.active) else "active" if row.active else "inactive"
        print(f"  {row.rank}. {row.numero} — {row.intitule} ({row.level or 'niveau ?'}, {state}) "
              f"; ROME : {row.shared_rome or '—'} ; NSF : {row.shared_nsf or '—'}")  # fmt: skip
    return EXIT_OK


def _codes_text(codes) -> str:  # type: ignore[no-untyped-def]
    return (f"ROME {', '.join(codes.rome) or '—'} ; NSF {', '.join(codes.nsf) or '—'} ; "
            f"niveau {codes.level or 'inconnu'}")  # fmt: skip
