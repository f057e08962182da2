"""What the command handlers share: exit codes, usage refusals, the dataset a command is about,
its context."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..core.errors import CcAnalyticsError, Problem
from ..core.terminal import printable
from ..workspace.catalog import DatasetCatalog, Workspace

if TYPE_CHECKING:
    from ..reporting.context import ReportContext

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


def workspace_of(args: argparse.Namespace) -> Workspace:
    """``--workspace``, else the workspace around the current folder (a French error if none)."""
    return Workspace.resolve(getattr(args, "workspace", None))


def dataset_of(args: argparse.Namespace) -> DatasetCatalog:
    """The catalog of the command's dataset, in its workspace."""
    return workspace_of(args).existing_dataset(args.dataset)


def prepared_context(args: argparse.Namespace) -> ReportContext:
    """The dataset's context, its processed tables brought up to date first (gate + ingest
    when the raw files, the referentiel or the package changed)."""
    from ..gate.pipeline import prepare
    from ..reporting.context import load_context

    dataset = dataset_of(args)
    prepare(dataset, args.referentiel)
    return load_context(dataset, referentiel=args.referentiel, rules=args.rules,
                        threshold=args.threshold, combine=args.combine)  # fmt: skip


def refused_usage(args: argparse.Namespace, problems: Problem | Iterable[Problem]) -> int:
    """Say, as argparse says a usage error (and with its exit code), what the command line
    asks that cannot be done; every problem at once. Nothing has been read or written."""
    message = CcAnalyticsError(problems).render()
    command = " ".join(p for p in ("cc-analytics", args.command, getattr(args, "action", None))
                       if p)  # fmt: skip
    print(f"{command} : erreur d'utilisation : {printable(message, keep_lines=True)}",
          file=sys.stderr)  # fmt: skip
    return EXIT_USAGE
