"""Where the command's words go: answers on stdout, everything else on stderr.

stdout carries what a command answers (a table, JSON, markdown), so `simulate run --json |
jq` reads nothing else; messages, progress bars, logs and errors go to stderr, as plain
lines (a live progress bar prints them above itself). A rich console for the answer is made
when a command prints one, not at import: it sees the stdout it will write to (a terminal,
a pipe, a test's capture) and the width asked for (`COLUMNS`), and `validate` and
`--help`, which print no table, never import rich.
"""

from __future__ import annotations

import io
import logging
import os
import re
import sys
from typing import TYPE_CHECKING, Final, NoReturn, TextIO, cast

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
    `LOG_WIDTH`; its lines without trailing spaces (`TrimmedLines`)."""
    from rich.console import Console

    out = cast(TextIO, TrimmedLines(sys.stdout))  # a TextIOBase: IO[str] in all but name
    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit():
        return Console(file=out, highlight=False)
    return Console(file=out, width=LOG_WIDTH, highlight=False)


_TRAILING: Final = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$")
"""Spaces at a line's end, before any colour codes that close it."""


class TrimmedLines(io.TextIOBase):
    """`stream`, each line written without the spaces at its end. rich pads what it lays
    out: a wrapped paragraph keeps the space it broke at, a table's last column its cell's
    padding; invisible on a terminal, they are noise in a log, a diff or a copied answer."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self.pending = ""

    def write(self, text: str) -> int:
        *lines, self.pending = (self.pending + text).split("\n")
        for line in lines:
            self.stream.write(_TRAILING.sub(r"\1", line) + "\n")
        return len(text)

    def flush(self) -> None:
        """Write a line begun but not ended as it is: what follows may continue it."""
        if self.pending:
            self.stream.write(self.pending)
            self.pending = ""
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()


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
