"""What the command handlers share: exit codes, the dataset a command is about, its context."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..core.errors import CcAnalyticsError
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


def years_of(text: str | None) -> tuple[int, int] | None:
    """``--years``: ``2023-2025`` or ``2024``; a French error for anything else."""
    from ..build.config import parse_years

    try:
        return parse_years(text)
    except ValueError:
        raise CcAnalyticsError(
            f"--years : période illisible « {text} » ; écrivez par exemple 2023-2025 ou 2024"
        ) from None
