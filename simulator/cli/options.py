"""Arguments and options that several commands share, so they read and behave the same."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simulator.cli.app import more_verbose, quieter

ScenarioFile = Annotated[
    Path, typer.Argument(help="scenario YAML file", metavar="SCENARIO_FILE", show_default=False)
]
RunDirectory = Annotated[
    Path, typer.Argument(help="a run directory", metavar="RUN_DIR", show_default=False)
]
RunA = Annotated[
    Path, typer.Argument(help="the run to compare from", metavar="RUN_A", show_default=False)
]
RunB = Annotated[
    Path, typer.Argument(help="the run to compare to", metavar="RUN_B", show_default=False)
]
Seed = Annotated[int | None, typer.Option(min=0, help="overrides the scenario's seed")]
Verbose = Annotated[
    int,
    typer.Option(
        "--verbose", "-v", count=True, show_default=False, expose_value=False,
        callback=more_verbose, help="say more on stderr: -v what runs, -vv debugging",
    ),
]  # fmt: skip
"""`-v` after the command, as before it; the command never sees it (`expose_value`)."""
Quiet = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", expose_value=False, callback=quieter,
        help="only the answer and errors: no progress",
    ),
]  # fmt: skip
Force = Annotated[
    bool,
    typer.Option(
        "--force", help="run even what the estimate says this machine cannot do, or not soon"
    ),
]
"""Overrides the refusal of `simulator.estimate.check`."""
