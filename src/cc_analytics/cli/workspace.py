"""``cc-analytics init`` (a new workspace) and ``cc-analytics demo`` (a demo dataset)."""

from __future__ import annotations

import argparse

from .common import EXIT_OK


def init(args: argparse.Namespace) -> int:
    from ..demo import DEMO_DATASET
    from ..reporting.kinds import EXPLORATION_NOTEBOOK, NOTEBOOKS_DIR
    from ..workspace.init import init_workspace

    created = init_workspace(
        args.folder,
        demo=None if args.empty else DEMO_DATASET,
        notebook=None if args.no_notebook else NOTEBOOKS_DIR / EXPLORATION_NOTEBOOK,
    )
    root = created.workspace.root
    print(f"Espace de travail créé : {root}")
    for path in created.written:
        print(f"  {path.relative_to(root)}")
    print("Ensuite : placez-vous dans ce dossier et lancez « cc-analytics build » "
          "(le fichier README.md dit ce qui va où).")  # fmt: skip
    return EXIT_OK


def demo(args: argparse.Namespace) -> int:
    from ..demo import generate_demo, write_dataset

    files = write_dataset(generate_demo(args.seed), args.folder, layout=args.layout)
    print(f"Jeu de démonstration écrit dans {args.folder} : {', '.join(p.name for p in files)}.")
    return EXIT_OK
