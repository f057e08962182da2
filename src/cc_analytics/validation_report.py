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
    generated = generated or datetime.now().astimezone()
    raw = result.raw
    status = (
        '<p class="ok"><strong>Données valides</strong> : aucune anomalie.</p>'
        if result.passed
        else f'<p class="ko"><strong>{len(result.problems)} anomalie(s)</strong> : les données '
        "n'ont pas été traitées. Corrigez les fichiers puis relancez.</p>"
    )
    files = "".join(
        f"<tr><td>{escape(name)}</td><td><code>{escape(digest)}</code></td></tr>"
        for name, digest in raw.files.hashes().items()
    )
    counts = "".join(
        f'<tr><td>{escape(name)}</td><td class="num">{n}</td>'
        f'<td class="num">{result.expectations_run.get(name, "—")}</td></tr>'
        for name, n in result.rows.items()
    )
    problems = "".join(
        "<tr>" + "".join(f"<td>{escape(v or '')}</td>" for v in (
            p.file, p.row, p.column, p.message, p.value, p.hint)) + "</tr>"
        for p in result.problems
    )  # fmt: skip
    problem_table = (
        "<table><thead><tr><th>Fichier</th><th>Ligne(s)</th><th>Colonne</th><th>Anomalie</th>"
        f"<th>Valeur(s)</th><th>Que faire</th></tr></thead><tbody>{problems}</tbody></table>"
        if result.problems
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rapport de validation — {escape(raw.files.name)}</title><style>{STYLE}</style></head>
<body><h1>Rapport de validation des données</h1>
<p class="muted">Jeu de données « {escape(raw.files.name)} » · référentiel
<code>{escape(raw.referentiel.id)}</code> · cc-analytics {escape(__version__)} ·
{escape(generated.strftime("%d/%m/%Y %H:%M"))}</p>
{status}
{problem_table}
<h2>Fichiers contrôlés</h2>
<table><thead><tr><th>Fichier</th><th>Empreinte SHA-256</th></tr></thead><tbody>{files}</tbody>
</table>
<h2>Tables</h2>
<table><thead><tr><th>Table</th><th>Lignes lues</th><th>Contrôles Great Expectations</th></tr>
</thead><tbody>{counts}</tbody></table>
<p class="muted">Contrôles croisés (candidats notés présents dans le fichier des candidats,
notes entreprise réservées aux candidats en immersion, immersion renseignée) effectués par
cc-analytics en plus des suites Great Expectations.</p>
</body></html>
"""


def write_report(result: GateResult, path: str | Path) -> Path:
    path = Path(path)
    write_text(path, render(result))
    return path
