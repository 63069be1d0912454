"""The `simulate` application and its global options: `--version`, `-v`/`-q`, `-h`.

The commands live in modules of their own and register on `app`; every module imports
pandas, matplotlib and the simulation inside the commands that use them, so `simulate --help`
and `simulate validate` start without them.

The library logs through `logging.getLogger("simulator.<module>")` and never configures
it; this is where the command line does: WARNING by default, `-v` INFO (each replication
as it ends), `-vv` DEBUG, `-q` only errors (and no progress bar or messages). They may
come before the command or after it (`simulate run x.yaml -q`): each command takes them too
(`options.Verbose`, `options.Quiet`), and adds them to any given before it.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from simulator.cli.console import LogHandler, Settings

app = typer.Typer(
    help="Simulate how long stopping managed ML resources takes and what it costs meanwhile.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion, --show-completion
    rich_markup_mode=None,  # help text is text: rewrapped to the terminal, never markup
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(asked: bool) -> None:
    if asked:
        from simulator.version import DISTRIBUTION, __version__, build

        typer.echo(f"{DISTRIBUTION} {__version__} ({build()})")
        raise typer.Exit()


@app.callback()
def main_callback(
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            show_default=False,
            help="say more on stderr: -v what runs, -vv debugging",
        ),
    ] = 0,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="only the answer and errors: no progress")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="print the version and exit"
        ),
    ] = False,
) -> None:
    """Simulate how long stopping managed ML resources takes and what it costs meanwhile."""
    configure_logging(verbose, quiet)


def configure_logging(verbose: int, quiet: bool) -> None:
    """One handler on stderr for the `simulator` loggers, at the level the flags ask for;
    called again (a second invocation in one process, or the flags repeated after the
    command), it replaces its own handler."""
    Settings.quiet, Settings.verbose = quiet, verbose
    levels = (logging.WARNING, logging.INFO, logging.DEBUG)
    logger = logging.getLogger("simulator")
    logger.setLevel(logging.ERROR if quiet else levels[min(verbose, len(levels) - 1)])
    if Settings.handler is not None:
        logger.removeHandler(Settings.handler)
    Settings.handler = LogHandler()
    logger.addHandler(Settings.handler)
    logger.propagate = False  # printed here once, not again by a root handler


def more_verbose(count: int) -> None:
    """`-v` given after the command: added to any given before it."""
    if count:
        configure_logging(Settings.verbose + count, Settings.quiet)


def quieter(quiet: bool) -> None:
    """`-q` given after the command."""
    if quiet:
        configure_logging(Settings.verbose, quiet=True)


def main() -> None:
    app(prog_name="simulate")
