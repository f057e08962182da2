"""``cc-analytics report cohort|review|renewal``: one HTML report."""

from __future__ import annotations

import argparse

from .common import EXIT_OK, dataset_of, years_of


def report(args: argparse.Namespace) -> int:
    from ..gate.pipeline import prepare
    from ..reporting.render import check_output
    from ..reporting.requests import ReportRequest, build_report

    dataset = dataset_of(args)
    request = ReportRequest(
        kind=args.kind,
        dataset=dataset,
        cohort=args.cohort,
        years=years_of(args.years),
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
    check_output(request.output())  # before any work: a wrong --out is said at once
    prepare(dataset, args.referentiel)
    rendered = build_report(request)
    print(f"Rapport écrit : {rendered.html}")
    print(f"Carnet exécuté (audit) : {rendered.notebook}")
    return EXIT_OK
