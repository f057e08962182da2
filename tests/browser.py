"""Open report pages in a real browser (Playwright driving Debian's Chromium) for tests.

Playwright cannot download its own browsers here, so it drives the system Chromium. When that
Chromium (or the Playwright driver) is missing, browser tests are skipped with the reason —
except on CI (``CI`` set), which installs Chromium: there a missing browser is a failure.
``CC_ANALYTICS_CHROMIUM`` points to another Chromium binary.

One :class:`Browser` serves a whole test session; :meth:`Browser.visit` opens a page in a fresh
context and records everything the page does (requests, console messages, script errors,
dialogs) so several tests can check one visit.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CC_ANALYTICS_CHROMIUM", "/usr/bin/chromium"))
#: root needs --no-sandbox; /dev/shm is small in containers; there is no GPU.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
DRAW_TIMEOUT_MS = 15_000


def missing_browser() -> str | None:
    """Why a browser test cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Playwright driver is not installed (pip install playwright)"
    return None


def on_ci() -> bool:
    """``CI`` set, as CI services do (``CI=true``); ``CI=0`` or ``CI=false`` do not count."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_browser() -> None:
    """Skip the calling test when no browser can run — fail instead on CI, which has one."""
    reason = missing_browser()
    if reason is None:
        return
    if on_ci():
        pytest.fail(f"browser tests cannot run on CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@dataclass
class Visit:
    """One page load and everything it did."""

    page: Any  # playwright.sync_api.Page
    url: str
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind == "error"] + self.page_errors

    def requests_besides(self, allowed: set[str]) -> list[str]:
        """Every request but those to ``allowed`` URLs (the page's own file, its plotly.js)."""
        return [url for url in self.requests if url not in allowed]

    def visible_text(self) -> str:
        """What a reader sees: rendered text only (closed ``<details>`` and scripts excluded)."""
        return self.page.locator("body").inner_text()

    def evaluate(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)


class Browser:
    """One Chromium for the session; each visit gets its own context (no shared state)."""

    def __init__(self, home: Path):
        from playwright.sync_api import sync_playwright

        env = {**os.environ, "HOME": str(home)}
        # the driver and Chromium write caches under $HOME: both start with the temp one
        previous = os.environ.get("HOME")
        os.environ["HOME"] = str(home)
        try:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=LAUNCH_ARGS, env=env
            )
        finally:
            if previous is None:
                os.environ.pop("HOME", None)
            else:
                os.environ["HOME"] = previous
        self._contexts: list[Any] = []

    def visit(self, html: Path, wait_for_charts: bool = True) -> Visit:
        """Open ``html`` from disk, let every chart draw, and return the record of the visit."""
        context = self._browser.new_context(viewport={"width": 1200, "height": 900})
        self._contexts.append(context)
        page = context.new_page()
        visit = Visit(page=page, url=html.resolve().as_uri())
        page.on("request", lambda r: visit.requests.append(r.url))
        page.on("requestfailed", lambda r: visit.failed_requests.append(r.url))
        page.on("console", lambda m: visit.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: visit.page_errors.append(str(e)))

        def on_dialog(dialog: Any) -> None:
            visit.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(visit.url, wait_until="load")
        if wait_for_charts:
            wait_for_charts_drawn(page)
        return visit

    def close(self) -> None:
        for context in self._contexts:
            context.close()
        self._browser.close()
        self._playwright.stop()


def wait_for_charts_drawn(page: Any, timeout_ms: int = DRAW_TIMEOUT_MS) -> None:
    """Wait until every chart figure holds a drawn plotly SVG (returns early if none can)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # on timeout, carry on: the test counting drawn charts says which ones are missing
    with suppress(PlaywrightTimeout):
        page.wait_for_function(
            """() => [...document.querySelectorAll('figure.chart')]
                     .every(f => f.querySelector('.js-plotly-plot .main-svg'))""",
            timeout=timeout_ms,
        )


_SHARED: list[Browser] = []


@contextmanager
def browser_session(home: Path) -> Iterator[Browser]:
    """Visits in the test process's one Chromium (started at the first use, ``home`` its
    $HOME; closed by :func:`close_shared_browser` at the end of the test session); the pages
    visited are closed at the end of the block. One Chromium, not one per block: Playwright's
    synchronous API cannot start while another of its sessions runs in the same thread, and
    a test worker interleaves the tests of several modules (and their module fixtures)."""
    require_browser()
    if not _SHARED:
        _SHARED.append(Browser(home))
    session = copy.copy(_SHARED[0])
    session._contexts = []  # its own pages, closed with it
    try:
        yield session
    finally:
        for context in session._contexts:
            context.close()


def close_shared_browser() -> None:
    while _SHARED:
        _SHARED.pop().close()
