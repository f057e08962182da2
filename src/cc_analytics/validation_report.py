"""The validation report: a self-contained HTML page for the quality file.

No script, no external resource: it displays the same offline, in any browser, and prints.
Everything that comes from data is escaped.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from . import __version__
from .atomic import write_text
from .errors import Problem
from .validation import GateResult

STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;
max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem}
.ok{color:#17663a}.ko{color:#a4161a}.muted{color:#5b6475;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #d5d9e0;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f4f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,monospace;font-size:.9em;word-break:break-all}
@media print{body{margin:0;max-width:none}}
"""


def render(result: GateResult, generated: datetime | None = None) -> str:
    """The report as an HTML string."""
    raw = result.raw
    return _page(raw.files.name, result.problems, generated, referentiel=raw.referentiel.id,
                 hashes=raw.files.hashes(), rows=result.rows,
                 expectations_run=result.expectations_run)  # fmt: skip


def render_unread(dataset: str, problems: list[Problem], generated: datetime | None = None) -> str:
    """The report of a dataset that could not be read at all (no candidates file …)."""
    return _page(dataset, problems, generated)


def _page(dataset: str, problems: list[Problem], generated: datetime | None,
          referentiel: str | None = None, hashes: dict[str, str] | None = None,
          rows: dict[str, int] | None = None,
          expectations_run: dict[str, int] | None = None) -> str:  # fmt: skip
    generated = generated or datetime.now().astimezone()
    read = hashes is not None
    if not problems:
        status = '<p class="ok"><strong>Données valides</strong> : aucune anomalie.</p>'
    else:
        status = (
            f'<p class="ko"><strong>{len(problems)} anomalie(s)</strong> : les données '
            + ("n'ont pas été traitées" if read else "n'ont pas pu être lues")
            + ". Corrigez les fichiers puis relancez.</p>"
        )
    problem_rows = "".join(
        "<tr>" + "".join(f"<td>{escape(v or '')}</td>" for v in (
            p.file, p.row, p.column, p.message,
            f"« {p.value} »" if p.value is not None else None, p.hint)) + "</tr>"
        for p in problems
    )  # fmt: skip
    problem_table = (
        "<table><thead><tr><th>Fichier</th><th>Ligne(s)</th><th>Colonne</th><th>Anomalie</th>"
        f"<th>Valeur(s)</th><th>Que faire</th></tr></thead><tbody>{problem_rows}</tbody></table>"
        if problems
        else ""
    )
    details = ""
    if read:
        files = "".join(
            f"<tr><td>{escape(name)}</td><td><code>{escape(digest)}</code></td></tr>"
            for name, digest in (hashes or {}).items()
        )
        counts = "".join(
            f'<tr><td>{escape(name)}</td><td class="num">{n}</td>'
            f'<td class="num">{(expectations_run or {}).get(name, "—")}</td></tr>'
            for name, n in (rows or {}).items()
        )
        details = f"""<h2>Fichiers contrôlés</h2>
<table><thead><tr><th>Fichier</th><th>Empreinte SHA-256</th></tr></thead><tbody>{files}</tbody>
</table>
<h2>Tables</h2>
<table><thead><tr><th>Table</th><th>Lignes lues</th><th>Contrôles Great Expectations</th></tr>
</thead><tbody>{counts}</tbody></table>
<p class="muted">Contrôles croisés (candidats notés présents dans le fichier des candidats,
notes entreprise réservées aux candidats en immersion, immersion renseignée, dates existantes)
effectués par cc-analytics en plus des suites Great Expectations.</p>
"""
    referentiel_text = (
        f" · référentiel\n<code>{escape(referentiel)}</code>" if referentiel is not None else ""
    )
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rapport de validation — {escape(dataset)}</title><style>{STYLE}</style></head>
<body><h1>Rapport de validation des données</h1>
<p class="muted">Jeu de données « {escape(dataset)} »{referentiel_text} · cc-analytics
{escape(__version__)} · {escape(generated.strftime("%d/%m/%Y %H:%M"))}</p>
{status}
{problem_table}
{details}</body></html>
"""


def write_report(result: GateResult, path: str | Path) -> Path:
    path = Path(path)
    write_text(path, render(result))
    return path


def write_unread_report(dataset: str, problems: list[Problem], path: str | Path) -> Path:
    path = Path(path)
    write_text(path, render_unread(dataset, problems))
    return path
