"""Where the command's words go: answers on stdout, everything else on stderr.

stdout carries what a command answers (a table, JSON, markdown), so `simulate run --json |
jq` reads nothing else; messages, progress bars, logs and errors go to stderr. A console is
made when a command prints, not at import, so it sees the stdout it will write to (a
terminal, a pipe, a test's capture) and the width asked for (`COLUMNS`).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Final, NoReturn

import typer
from rich.console import Console
from rich.text import Text

LOG_WIDTH: Final = 120
"""The width of stdout when it is not a terminal and `COLUMNS` does not say (a CI log):
wide enough for most tables in one piece; the layout fits whatever is chosen."""

err = Console(stderr=True, soft_wrap=True, highlight=False)
"""Messages, progress and errors. Soft-wrapped: an error line stays one line, whole."""


class Settings:
    """What the global options set for this invocation."""

    quiet = False
    """`-q`: no progress bar and no messages, only the answer and errors."""
    handler: logging.Handler | None = None
    """The handler the command line put on the `simulator` logger."""


def stdout_console() -> Console:
    """A console on the current stdout: its terminal's width, `COLUMNS` if set, else
    `LOG_WIDTH`."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit():
        return Console(highlight=False)
    return Console(width=LOG_WIDTH, highlight=False)


def message(text: str) -> None:
    """A note for the person at the terminal (a path written, what ran) on stderr, unless
    `-q`: stdout holds the answer alone, whatever its format."""
    if not Settings.quiet:
        err.print(Text(text, style="dim"))


class LogHandler(logging.Handler):
    """Log records on stderr through `err`, so they print above a progress bar rather
    than through it: 'info: replication 2 of 5 done'."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            err.print(Text(f"{record.levelname.lower()}: {self.format(record)}"))
        except Exception:  # a log line must never end the command
            self.handleError(record)


def fail(text: str, status: int = 2) -> NoReturn:
    """Say what is wrong, as it is (never read as markup), and exit with `status`."""
    err.print(Text(text))
    raise typer.Exit(status)
