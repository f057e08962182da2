"""Text for a terminal or a log file, where data must never act.

Names from data (cohorts, sites, dataset folders) reach build logs and error messages. An ANSI
escape could recolour or erase a line, a line feed could forge a « Terminé » line, a bidi mark
could reverse what an operator reads; each is shown as its escape code instead.

:class:`Progress` shows the steps of a long job (reading big files, the gate, the ingest) on
standard error: a line rewritten in place on a terminal, plain lines otherwise.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

#: C0 and C1 controls, zero-width and bidi formatting characters, the BOM.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_INVISIBLE_BUT_LINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def printable(text: object, keep_lines: bool = False) -> str:
    """``text`` with every control or invisible formatting character as a visible escape;
    line feeds kept with ``keep_lines`` (a message of several lines).

    >>> printable("2025-LYON\\x1b[2J\\nTerminé")
    '2025-LYON\\\\x1b[2J\\\\x0aTerminé'
    >>> printable("abc\\u202edef")
    'abc\\\\u202edef'
    """
    pattern = _INVISIBLE_BUT_LINES if keep_lines else _INVISIBLE
    return pattern.sub(_escape, str(text))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


#: Inputs from this size on (all files together) get progress lines: below it, every step
#: takes well under a second and lines would only clutter the output (and the tests').
PROGRESS_BYTES = 16 * 2**20


class Progress:
    """The steps of a long job on standard error, in French: on a terminal, one line per step
    rewritten in place with the time spent (ticking while the step runs); otherwise (cron,
    CI, a log file) plain lines, one when a step starts and one when it ends, as ``build``
    prints its reports.

    >>> import io
    >>> out = io.StringIO()
    >>> with Progress(out, tty=False).step("Lecture de notes.csv", 150 * 2**20):
    ...     pass
    >>> print(out.getvalue(), end="")
    Lecture de notes.csv (150 Mo)…
    Lecture de notes.csv (150 Mo) : fait en 0,0 s
    """

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True,
                 tty: bool | None = None) -> None:  # fmt: skip
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = _isatty(self.stream) if tty is None else tty

    @classmethod
    def for_size(cls, size: int, stream: TextIO | None = None) -> Progress:
        """Progress lines for inputs of ``size`` bytes: none below :data:`PROGRESS_BYTES`."""
        return cls(stream, enabled=size >= PROGRESS_BYTES)

    @contextmanager
    def step(self, label: str, size: int | None = None) -> Iterator[None]:
        """Show ``label`` (and ``size`` in Mo) while the block runs, then the time it took."""
        if not self.enabled:
            yield
            return
        text = printable(label) + (f" ({size / 2**20:.0f} Mo)" if size and size >= 2**20 else "")
        started = time.monotonic()
        ticking = _Ticker(self.stream, text, started) if self.tty else None
        if ticking is None:
            self._write(f"{text}…\n")
        try:
            yield
        finally:
            if ticking is not None:
                ticking.stop()
            seconds = f"{time.monotonic() - started:.1f}".replace(".", ",")
            start = "\r" if self.tty else ""  # on a terminal, over the ticking line
            self._write(f"{start}{text} : fait en {seconds} s\n")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed pipe never stops the job
            pass


class _Ticker:
    """On a terminal: the step's line rewritten every half second with the time spent."""

    def __init__(self, stream: TextIO, text: str, started: float) -> None:
        self.stream, self.text, self.started = stream, text, started
        self.done = threading.Event()
        self._show()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _show(self) -> None:
        seconds = f"{time.monotonic() - self.started:.0f}"
        try:
            self.stream.write(f"\r{self.text}… {seconds} s")
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def _run(self) -> None:
        while not self.done.wait(0.5):
            self._show()

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
