"""The Jupyter server's file access for ``cc-analytics lab``: report notebooks read-only.

The report notebooks make the official reports, so Lab shows them read-only wherever it can
see them (in a workspace they are not copied at all; in the cc-analytics repository they sit
beside the exploration notebook). File permissions cannot do it: the server often runs as root,
which may write any file. So this contents manager, which the server loads by name
(``--ServerApp.contents_manager_class``), serves the files listed in ``read_only``
(absolute paths) as not writable, their cells locked (``editable``/``deletable`` false) and
their metadata as Lab would write it (so they open unmodified), and refuses to save, rename,
delete or restore them, in French. A copy saved under another name is the user's: it is saved
unlocked.
"""

from __future__ import annotations

import os
from typing import Any

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web
from traitlets import List, Unicode

from .lab import lab_metadata

#: Set in the notebook metadata of a report notebook served read-only: a copy saved from it
#: is unlocked, and only the locks this server added are taken off.
MARK = "cc_analytics_read_only"
LOCKS = ("editable", "deletable")


class ReadOnlyReports(AsyncLargeFileManager):
    """Jupyter's own file manager, with the report notebooks read-only."""

    read_only = List(Unicode(), config=True, help="Absolute paths of the files served read-only.")

    def protected(self, path: str) -> bool:
        """Whether the API ``path`` is one of the read-only files (links resolved)."""
        try:
            os_path = self._get_os_path(path.strip("/"))
        except web.HTTPError:  # outside the served folder
            return False
        return os.path.realpath(os_path) in {os.path.realpath(p) for p in self.read_only}

    def is_writable(self, path: str) -> bool:
        return not self.protected(path) and super().is_writable(path)

    async def get(self, path: str, content: bool = True, type: str | None = None,
                  format: str | None = None, require_hash: bool = False) -> dict[str, Any]:  # fmt: skip
        model = await super().get(path, content=content, type=type, format=format,
                                  require_hash=require_hash)  # fmt: skip
        if model["type"] == "notebook" and model["content"] and self.protected(path):
            notebook = model["content"]
            notebook.metadata.update(lab_metadata())
            notebook.metadata[MARK] = True
            for cell in notebook.cells:
                for lock in LOCKS:
                    cell.metadata[lock] = False
        return model

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        self._refuse(path, "enregistré")
        if model.get("type") == "notebook" and model.get("content"):
            _unlock(model["content"])
        return await super().save(model, path)

    async def rename_file(self, old_path: str, new_path: str) -> None:
        self._refuse(old_path, "renommé")
        self._refuse(new_path, "remplacé")
        await super().rename_file(old_path, new_path)

    async def delete_file(self, path: str) -> None:
        self._refuse(path, "supprimé")
        await super().delete_file(path)

    async def restore_checkpoint(self, checkpoint_id: str, path: str) -> None:
        self._refuse(path, "restauré")
        await super().restore_checkpoint(checkpoint_id, path)

    def _refuse(self, path: str, done: str) -> None:
        if self.protected(path):
            name = path.strip("/").rsplit("/", 1)[-1]
            raise web.HTTPError(403, (
                f"« {name} » est un carnet de rapport, ouvert en lecture seule : il ne peut pas "
                f"être {done} depuis JupyterLab. Les rapports se produisent avec « cc-analytics "
                "report » ou « cc-analytics build » ; pour explorer les données, utilisez le "
                "carnet exploration.ipynb."
            ))  # fmt: skip


def _unlock(notebook: dict[str, Any]) -> None:
    """Take off the locks a read-only report notebook was served with (a copy of it)."""
    metadata = notebook.get("metadata", {})
    if not metadata.pop(MARK, False):
        return
    for cell in notebook.get("cells", []):
        for lock in LOCKS:
            if cell.get("metadata", {}).get(lock) is False:
                del cell["metadata"][lock]
