"""What JupyterLab gets from cc-analytics: its settings, and notebooks it opens unmodified.

``cc-analytics lab`` starts JupyterLab with ``LAB_SETTINGS`` as its application settings folder:
its ``overrides.json`` sets the defaults of this server only (French interface, no news
pop-up, no update check), so nothing is written in the user's ``~/.jupyter`` and a setting the
user chooses in Lab still wins. Lab reads only a file of that name in the folder; it lives
among the package's ``templates`` because that is the folder the package data ships.

JupyterLab marks a notebook modified as soon as it opens it when the file is not exactly what
it would save: the kernel's name and language as this interpreter reports them, cell ids,
nbformat 4.5, one-space JSON indent with sorted keys and a final newline. :func:`as_lab_saves`
writes a notebook that way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

LAB_SETTINGS = Path(__file__).resolve().parent / "templates"
KERNEL = "python3"


def lab_metadata() -> dict[str, Any]:
    """The ``kernelspec`` and ``language_info`` JupyterLab writes into a notebook it runs on
    this interpreter's ``python3`` kernel (``language_info`` names this Python's version)."""
    from ipykernel.ipkernel import IPythonKernel
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(KERNEL)
    return {
        "kernelspec": {"display_name": spec.display_name, "language": spec.language,
                       "name": KERNEL},
        "language_info": dict(IPythonKernel.language_info),
    }  # fmt: skip


def as_lab_saves(text: str) -> str:
    """The notebook ``text`` as JupyterLab would save it when it opens it here."""
    import nbformat

    notebook = nbformat.reads(text, as_version=4)
    notebook.metadata.update(lab_metadata())
    return nbformat.writes(notebook) + "\n"
