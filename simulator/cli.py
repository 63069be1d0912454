"""The `simulate` command: parse, call, print. The work is done elsewhere."""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TimeRemainingColumn
from rich.table import Table

from simulator.analysis.summary import billed, summarize
from simulator.errors import SimulatorError
from simulator.output import Format, write_run
from simulator.runner import run as run_replications
from simulator.scenario import load_scenario
from simulator.scenario.model import Scenario

app = typer.Typer(
    help="Simulate how long stopping managed ML resources takes and what it costs meanwhile.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)
out = Console(width=120) if not sys.stdout.isatty() else Console()

ScenarioFile = Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)]


@app.callback()
def main_callback() -> None:
    """Simulate how long stopping managed ML resources takes and what it costs meanwhile."""


class _DelayedProgress:
    """A progress bar that appears only once the work has taken more than `after_s`."""

    def __init__(self, label: str, after_s: float = 2.0) -> None:
        self.label = label
        self.after_s = after_s
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task = TaskID(0)

    def __call__(self, fraction: float) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < self.after_s:
                return
            self.bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                TaskProgressColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=1.0)
        self.bar.update(self.task, completed=fraction)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _load(path: Path) -> Scenario:
    try:
        return load_scenario(path)
    except SimulatorError as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(2) from None


def _interval(row: pd.Series, metric: str, fmt: str) -> str:
    value, low, high = row[metric], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = format(value, fmt)
    if isinstance(low, float) and not math.isnan(low):
        text += f" ±{(high - low) / 2:{fmt}}"
    return text


def print_summary(summary: pd.DataFrame, title: str) -> None:
    table = Table(title=title, title_justify="left")
    headers = ("service", "outcome", "stops", "latency mean s", "p50 s", "p95 s", "p99 s")
    for header in (*headers, "USD after request"):
        table.add_column(header, justify="left" if header in {"service", "outcome"} else "right")
    for _, row in summary.iterrows():
        table.add_row(
            row["service"],
            row["outcome"],
            _interval(row, "count", ".1f"),
            _interval(row, "latency_mean_s", ".1f"),
            _interval(row, "latency_p50_s", ".1f"),
            _interval(row, "latency_p95_s", ".1f"),
            _interval(row, "latency_p99_s", ".1f"),
            _interval(row, "cost_after_request_usd", ",.2f"),
        )
    out.print(table)
    out.print("[dim]mean over replications ± half-width of its 95% confidence interval[/dim]")


def print_billed(bill: pd.DataFrame) -> None:
    table = Table(title="billed over the horizon", title_justify="left")
    for header in ("service", "group", "item", "USD"):
        table.add_column(header, justify="right" if header == "USD" else "left")
    for _, row in bill.iterrows():
        table.add_row(row["service"], row["group"], row["item"], _interval(row, "usd", ",.2f"))
    out.print(table)


@app.command()
def run(
    scenario_file: ScenarioFile,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="run directory (default: runs/<scenario name>)")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="overrides the scenario's seed")] = None,
    replications: Annotated[
        int | None, typer.Option(min=1, help="overrides the scenario's replications")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="processes to run replications on")] = 1,
    fmt: Annotated[str, typer.Option("--format", help="table format: parquet or csv")] = "parquet",
) -> None:
    """Run a scenario and write its tables, summary and resolved scenario."""
    if fmt not in ("parquet", "csv"):
        err.print(f"--format: expected parquet or csv, got {fmt!r}")
        raise typer.Exit(2)
    scenario = _load(scenario_file)
    seed = scenario.seed if seed is None else seed
    count = scenario.replications if replications is None else replications
    progress = _DelayedProgress(f"{scenario.name}: {count} replication(s)")
    try:
        tables = run_replications(
            scenario, seed=seed, replications=count, workers=workers, progress=progress
        )
    finally:
        progress.close()
    summary = summarize(tables["stops"], count)
    bill = billed(tables["costs"], count)
    directory = out_dir or Path("runs") / scenario.name
    fmt_: Format = "csv" if fmt == "csv" else "parquet"
    write_run(directory, tables, summary, bill, scenario, seed=seed, replications=count, fmt=fmt_)
    print_summary(summary, f"{scenario.name}: seed {seed}, {count} replication(s)")
    print_billed(bill)
    out.print(f"tables written to {directory}/")


@app.command()
def validate(scenario_file: ScenarioFile) -> None:
    """Check a scenario file and say what is wrong with it, if anything."""
    scenario = _load(scenario_file)
    out.print(
        f"{scenario_file}: valid ({len(scenario.fleet)} fleet entries, "
        f"{len(scenario.requests)} request streams, horizon {scenario.horizon:g} s)"
    )


@app.command()
def schema() -> None:
    """Print the scenario JSON Schema, for editors that complete and check YAML."""
    sys.stdout.write(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n")


def main() -> None:
    app()
