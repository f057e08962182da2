"""Demonstration data: the bundled demo dataset and the generator it comes from.

``DEMO_DATASET`` is the demo as shipped in the package (the repository's ``data/raw/demo``);
``cc-analytics init`` copies it into a new workspace. The generator makes it again, or a
dataset of any size for benchmarks.
"""

from pathlib import Path

from .generator import Dataset, generate_demo, generate_large, write_dataset

DEMO_DATASET = Path(__file__).resolve().parent / "datasets" / "demo"

__all__ = ["DEMO_DATASET", "Dataset", "generate_demo", "generate_large", "write_dataset"]
