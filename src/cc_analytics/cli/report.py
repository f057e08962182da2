"""``cc-analytics report cohort|review|renewal``: one HTML report (and its PDF with ``--out FILE.pdf``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.errors import CcAnalyticsError
from ..workspace.catalog import DatasetCatalog, Workspace
from .common import EXIT_OK, dataset_of, refused_usage, workspace_of


def report(args: argparse.Namespace) -> int:
    from ..build.lock import build_lock
    from ..gate.pipeline import prepare
    from ..reporting.kinds import KIND_OPTIONS, option_problems
    from ..reporting.requests import ReportRequest, build_report, check_options

    # an option this kind of report would ignore is a usage error, said before anything is read
    given = {option: getattr(args, option) for option in KIND_OPTIONS}
    if problems := option_problems(args.kind, given):
        return refused_usage(args, problems)
    dataset = dataset_of(args)
    request = ReportRequest(
        kind=args.kind,
        dataset=dataset,
        cohort=args.cohort,
        years=args.years,
        site=args.site,
        referentiel=args.referentiel,
        rules=args.rules,
        threshold=args.threshold,
        combine=args.combine,
        external=args.external,
        followup=args.followup,
        rncp_export=args.rncp_export,
        fiche=args.fiche,
        shared_plotly=args.shared_plotly,
        out=args.out,
    )
    # before any work: a wrong --out, options that clash or a missing Chromium are said at once
    check_options(request)
    # the build's lock: never beside a build that writes the same pages and processed tables
    with build_lock(build_output(workspace_of(args), dataset), getattr(args, "wait", 0),
                    command="report"):  # fmt: skip
        prepare(dataset, args.referentiel)
        rendered = build_report(request)
    print(f"Rapport écrit : {rendered.html}")
    print(f"Carnet exécuté (audit) : {rendered.notebook}")
    if rendered.pdf is not None:
        print(f"PDF (A4) : {rendered.pdf}")
    return EXIT_OK


def build_output(workspace: Workspace, dataset: DatasetCatalog) -> Path:
    """The folder ``cc-analytics build`` writes to, and locks, for this workspace."""
    from ..build.config import workspace_config

    try:
        return workspace_config(workspace, dataset.raw).output
    except CcAnalyticsError:
        # a configuration the build would refuse: no build can be running under it, and the
        # report has no use for it; the workspace's default output is then the one to lock
        return workspace.reports
