"""``cc-analytics build``: the main job, with a lock, a progress bar and a summary."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace

from .common import EXIT_INPUT, EXIT_OK, workspace_of


def build(args: argparse.Namespace) -> int:
    from ..build.config import workspace_config
    from ..build.executors import make_executor
    from ..build.lock import build_lock
    from ..build.outcomes import outcome_line
    from ..build.run import build as run_build
    from ..core.terminal import printable

    config = workspace_config(workspace_of(args), args.dataset, args.config)
    if args.jobs:
        config = replace(config, jobs=args.jobs)
    if args.pdf:
        config = replace(config, pdf=True)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("papermill").setLevel(logging.WARNING)
    with build_lock(config.output, args.wait), make_executor(args.executor,
                                                               config.jobs) as executor:  # fmt: skip
        summary = run_build(config, force=args.force, executor=executor,
                            progress=_progress_printer())  # fmt: skip
    reports = [o for o in summary.outcomes if o.is_report]
    built = sum(o.status == "built" for o in reports)
    fresh = sum(o.status == "up to date" for o in reports)
    print(
        f"Terminé : {built} rapport(s) produit(s), {fresh} à jour, {len(summary.failed)} échec(s).",
        file=sys.stderr,
    )
    for outcome in summary.failed:
        print(
            f"  échec — {outcome_line(outcome)} : {printable(outcome.message, keep_lines=True)}",
            file=sys.stderr,
        )
    print(f"Rapports : {summary.index}")
    return EXIT_INPUT if summary.failed else EXIT_OK


def _progress_printer():  # type: ignore[no-untyped-def]
    """A progress bar on a terminal, plain log lines otherwise (cron, CI)."""
    from ..build.outcomes import outcome_line

    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = None

        def on_progress(done: int, total: int, outcome) -> None:  # type: ignore[no-untyped-def]
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="rapport", file=sys.stderr)
            bar.set_postfix_str(outcome.label[:30])
            bar.update(1)
            if done == total:
                bar.close()

        return on_progress

    def on_line(done: int, total: int, outcome) -> None:  # type: ignore[no-untyped-def]
        print(f"[{done}/{total}] {outcome_line(outcome)}", file=sys.stderr, flush=True)

    return on_line
