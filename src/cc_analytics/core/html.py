"""HTML pages of our own (index, validation report) from Jinja2 templates, always escaped.

Report pages go through nbconvert, which also renders Jinja2 templates; these pages are the
others. Autoescaping is on: every value from data is escaped, whatever the template says.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any


@cache
def _environment(folder: str) -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )  # fmt: skip


def render_page(folder: str | Path, template: str, **values: Any) -> str:
    """Render ``template`` of ``folder`` (a package's ``templates/``) with ``values``."""
    return _environment(str(folder)).get_template(template).render(**values)
