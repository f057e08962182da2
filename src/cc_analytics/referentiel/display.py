"""Terminal renderings of a referentiel: a readable tree, and CSV for scripts."""

from __future__ import annotations

import csv
import io
import textwrap

from ..core.cells import neutralised
from ..core.labels import NAME_ABSENT
from .model import Referentiel

UNKNOWN = f"({NAME_ABSENT})"


def tree(r: Referentiel, width: int = 100) -> str:
    """The referentiel as an indented tree, labels wrapped to ``width``."""
    lines = [r.title, f"  identifiant : {r.id}"]
    if r.rncp:
        lines.append(f"  fiche RNCP : {r.rncp}")
    if r.source:
        lines += textwrap.wrap(
            f"source : {r.source}", width, initial_indent="  ", subsequent_indent="    "
        )
    scale = " · ".join(f"{s.value} {s.label}" for s in r.scale.itertuples(index=False))
    lines += textwrap.wrap(
        f"échelle : {scale} ; acquis à partir de {r.threshold}",
        width,
        initial_indent="  ",
        subsequent_indent="    ",
    )
    n_blocks, n_acts, n_comps = len(r.blocks), len(r.activities), len(r.competencies)
    lines.append(f"  {n_blocks} blocs, {n_acts} activités, {n_comps} compétences")
    lines.append("")
    for block in r.blocks.itertuples(index=False):
        lines += _item(block.code, block.label, 0, width)
        activities = r.activities[r.activities["block"] == block.code]
        competencies = r.competencies[r.competencies["block"] == block.code]
        for activity in activities.itertuples(index=False):
            lines += _item(activity.code, activity.label, 1, width)
            for c in competencies[competencies["activity"] == activity.code].itertuples():
                lines += _item(c.code, c.label, 2, width)
        for c in competencies[competencies["activity"].isna()].itertuples(index=False):
            lines += _item(c.code, c.label, 1, width)
    if not r.gaps.empty:
        lines += ["", "Lacunes de la source :"]
        for gap in r.gaps.itertuples(index=False):
            where = f"{gap.code} — " if isinstance(gap.code, str) else ""
            lines += textwrap.wrap(
                f"- {where}{gap.what} : {gap.note}",
                width,
                initial_indent="  ",
                subsequent_indent="    ",
            )
    return "\n".join(lines) + "\n"


def _item(code: str, label: object, depth: int, width: int) -> list[str]:
    indent = "  " * depth
    text = label if isinstance(label, str) and label else UNKNOWN
    head = f"{indent}{code}  "
    return textwrap.wrap(
        text, max(width, len(head) + 20), initial_indent=head, subsequent_indent=" " * len(head)
    ) or [head]


def competencies_csv(r: Referentiel) -> str:
    """One row per competency: ``block,activity,competency,label``; a label that a spreadsheet
    could run as a formula is quoted (:mod:`cc_analytics.core.cells`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["block", "activity", "competency", "label"])
    for c in r.competencies.itertuples(index=False):
        activity = c.activity if isinstance(c.activity, str) else ""
        writer.writerow([neutralised(v) for v in (c.block, activity, c.code, c.label)])
    return out.getvalue()
