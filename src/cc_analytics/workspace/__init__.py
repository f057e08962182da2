"""Workspaces and their datasets: where raw files, processed tables and reports live."""

from .catalog import WORKSPACE_CONFIG, DatasetCatalog, Workspace, dataset_catalog

__all__ = ["WORKSPACE_CONFIG", "DatasetCatalog", "Workspace", "dataset_catalog"]
