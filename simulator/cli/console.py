"""Where the command's words go: answers on stdout, everything else on stderr.

stdout carries what a command answers (a table, JSON, markdown), so `simulate run --json |
jq` reads nothing else; messages, progress bars, logs and errors go to stderr, as plain
lines (a live progress bar prints them above itself). A rich console for the answer is made
when a command prints one, not at import: it sees the stdout it will write to (a terminal,
a pipe, a test's capture) and the width asked for (`COLUMNS`), and `validate` and
`--help`, which print no table, never import rich.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Final, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

LOG_WIDTH: Final = 120
"""The width of stdout when it is not a terminal and `COLUMNS` does not say (a CI log):
wide enough for most tables in one piece; the layout fits whatever is chosen."""


class Settings:
    """What the global options set for this invocation."""

    quiet = False
    """`-q`: no progress bar and no messages, only the answer and errors."""
    verbose = 0
    """How many `-v`: 1 says what runs, 2 debugs."""
    handler: logging.Handler | None = None
    """The handler the command line put on the `simulator` logger."""


def stdout_console() -> Console:
    """A console on the current stdout: its terminal's width, `COLUMNS` if set, else
    `LOG_WIDTH`."""
    from rich.console import Console

    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit():
        return Console(highlight=False)
    return Console(width=LOG_WIDTH, highlight=False)


def say(text: str) -> None:
    """A line on stderr, whatever `-q` says: what went wrong, a gate that tripped."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def message(text: str) -> None:
    """A note for the person at the terminal (a path written, what ran) on stderr, unless
    `-q`: stdout holds the answer alone, whatever its format."""
    if not Settings.quiet:
        say(text)


class LogHandler(logging.Handler):
    """Log records on stderr, a line each: 'info: replication 2 of 5 done'."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            say(f"{record.levelname.lower()}: {self.format(record)}")
        except Exception:  # a log line must never end the command
            self.handleError(record)


def fail(text: str, status: int = 2) -> NoReturn:
    """Say what is wrong, as it is, and exit with `status`."""
    say(text)
    raise typer.Exit(status)
