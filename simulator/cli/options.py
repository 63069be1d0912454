"""Arguments and options that several commands share, so they read and behave the same."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ScenarioFile = Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)]
RunDirectory = Annotated[Path, typer.Argument(help="a run directory", show_default=False)]
Seed = Annotated[int | None, typer.Option(min=0, help="overrides the scenario's seed")]
