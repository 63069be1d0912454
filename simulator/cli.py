"""The `simulate` command: parse, call, print. The work is done elsewhere."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TaskProgressColumn,
    TextColumn,
)
from rich.table import Table
from rich.text import Text

from simulator.analysis.compare import comparison_text
from simulator.analysis.summary import (
    BILLED_COLUMNS,
    KEYS,
    SAVINGS_COLUMNS,
    SUMMARY_COLUMNS,
    with_intervals,
)
from simulator.errors import SimulatorError
from simulator.report import write_report
from simulator.results import Results, load_results
from simulator.results import run as run_scenario
from simulator.scenario import load_scenario
from simulator.scenario.model import Scenario
from simulator.scenario.variants import expand, parse_grid
from simulator.sweeps import PAIRED, SweepResults
from simulator.sweeps import sweep as run_sweep

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


class _TimeLeft(ProgressColumn):
    """The time left as the task's `finish_at` field (a `time.monotonic()`) says, counting
    down between updates; `-:--:--` until there is one."""

    def render(self, task: Task) -> Text:
        finish_at = task.fields.get("finish_at")
        if finish_at is None:
            return Text("-:--:--", style="progress.remaining")
        minutes, seconds = divmod(round(max(0.0, finish_at - time.monotonic())), 60)
        hours, minutes = divmod(minutes, 60)
        return Text(f"{hours}:{minutes:02d}:{seconds:02d}", style="progress.remaining")


class _DelayedProgress:
    """A progress bar that appears only once the work has taken more than `after_s`: a
    share of the work done, or with `counting` a count of things done ("3/12 units").

    The time left is this session's pace applied to the work left: the time since the
    work began over the work done since. rich's own estimate looks at the last 30 s only,
    so work in steps slower than that (a sweep's units) never got one. With `resumed`, the
    first call tells the work found done (a sweep's units run before): not done here, so
    it is left out of the pace.
    """

    def __init__(
        self,
        label: str,
        after_s: float = 2.0,
        counting: str | None = None,
        *,
        resumed: bool = False,
    ) -> None:
        self.label = label
        self.after_s = after_s
        self.counting = counting
        self.started = time.monotonic()
        self.origin: tuple[float, float] | None = None if resumed else (self.started, 0.0)
        self.finish_at: float | None = None
        self.bar: Progress | None = None
        self.task = TaskID(0)

    def __call__(self, completed: float, total: float = 1.0) -> None:
        now = time.monotonic()
        if self.origin is None:
            self.origin = (now, completed)
        began, done_before = self.origin
        if completed > done_before:
            pace_s = (now - began) / (completed - done_before)
            self.finish_at = now + pace_s * (total - completed)
        if self.bar is None:
            if now - self.started < self.after_s:
                return
            done: tuple[ProgressColumn, ...] = (
                (MofNCompleteColumn(), TextColumn(self.counting))
                if self.counting
                else (TaskProgressColumn(),)
            )
            self.bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                *done,
                _TimeLeft(),
                console=err,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total, completed=int(completed))
        self.bar.update(self.task, completed=completed, total=total, finish_at=self.finish_at)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _load(path: Path) -> Scenario:
    try:
        return load_scenario(path)
    except SimulatorError as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(2) from None


def _print_table(frame: pd.DataFrame, title: str, left: int) -> None:
    """A DataFrame of text as a terminal table; its first `left` columns are names."""
    table = Table(title=title, title_justify="left")
    for index, column in enumerate(frame.columns):
        if index < left:  # names are what a reader looks for: never cut them short
            width = max(len(str(v)) for v in [column, *frame[column]])
            table.add_column(str(column), justify="left", no_wrap=True, min_width=width)
        else:
            table.add_column(str(column), justify="right")
    for row in frame.itertuples(index=False):
        table.add_row(*(str(value) for value in row))
    out.print(table)


def print_answers(results: Results) -> None:
    """The summary, the savings and the bill: what `run` and `report` print alike."""
    title = f"{results.scenario.name}: seed {results.seed}, {results.replications} replication(s)"
    summary = with_intervals(results.summary(), KEYS, SUMMARY_COLUMNS)
    _print_table(summary, title, left=len(KEYS))
    saved = with_intervals(results.savings(), ["service", "group"], SAVINGS_COLUMNS)
    _print_table(saved, "what the stops saved (against the same draws, nothing stopped)", 2)
    bill = with_intervals(results.billed(), ["service", "group", "item"], BILLED_COLUMNS)
    _print_table(bill, "billed over the horizon", left=3)
    out.print("[dim]mean over replications ± half-width of its 95% confidence interval[/dim]")


ReportFlag = Annotated[
    bool, typer.Option("--report", help="also write PNG figures and report.html into the run")
]


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
    report: ReportFlag = False,
) -> None:
    """Run a scenario and write its tables, summary and resolved scenario."""
    if fmt not in ("parquet", "csv"):
        err.print(f"--format: expected parquet or csv, got {fmt!r}")
        raise typer.Exit(2)
    scenario = _load(scenario_file)
    count = scenario.replications if replications is None else replications
    progress = _DelayedProgress(f"{scenario.name}: {count} replication(s)")
    try:
        results = run_scenario(
            scenario, seed=seed, replications=count, workers=workers, progress=progress
        )
    finally:
        progress.close()
    directory = results.save(
        out_dir or Path("runs") / scenario.name, "csv" if fmt == "csv" else "parquet"
    )
    print_answers(results)
    if scenario.sweep is not None:
        out.print("[dim]ran the scenario as written; `simulate sweep` runs its variants[/dim]")
    out.print(f"tables written to {directory}/")
    if report:
        out.print(f"report written to {write_report(results, directory)}")


def print_sweep(results: SweepResults) -> None:
    """Per metric that varies, per variant: the mean and the paired difference from the
    baseline, each with its 95% interval, and the unpaired interval for contrast."""
    title = (
        f"{results.variants[0].scenario.name}: {len(results.variants)} variants x "
        f"{results.replications} replication(s), seed {results.seed}"
    )
    varying = results.varying()
    if varying:
        _print_table(comparison_text(results.comparison(), varying, results.baseline), title, 2)
    else:
        out.print(f"{title}: no variant changes any metric")
    out.print(
        f"[dim]mean ± half-width of its 95% interval; {PAIRED}, so the noise they share "
        "cancels in the differences (unpaired: the difference's interval had the runs been "
        "independent). Metrics no variant changes are left out: all are in "
        "summary.csv[/dim]"
    )


@app.command()
def sweep(
    scenario_file: ScenarioFile,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            help="PATH=V1,V2,...: a dotted path into the scenario and its values; repeat for a "
            "grid (default: the scenario's sweep block)"
        ),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="sweep directory (default: runs/<name>-sweep)")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="overrides the scenario's seed")] = None,
    replications: Annotated[
        int | None, typer.Option(min=1, help="per variant; overrides the scenario's")
    ] = None,
    baseline: Annotated[
        str | None, typer.Option(help="the variant to compare with (default: the first)")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="processes (default: one per core); 1 runs in this process"),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(help="a Dask scheduler's address, or 'local' for a LocalCluster of --workers"),
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="discard the results already in the directory")
    ] = False,
) -> None:
    """Run a scenario's what-if variants on common random numbers and compare them with
    the baseline. Units found done in the directory are not run again."""
    progress = _DelayedProgress(f"{scenario_file.stem}: sweep", counting="units", resumed=True)
    try:
        grid = parse_grid(vary) if vary else None
        results = run_sweep(
            scenario_file, grid, out=out_dir, seed=seed, replications=replications,
            baseline=baseline, workers=workers, dask=dask, fresh=fresh, progress=progress,
        )  # fmt: skip
    except SimulatorError as error:
        progress.close()
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        progress.close()
        err.print("interrupted: the finished units are kept; run the same command to go on")
        raise typer.Exit(130) from None
    progress.close()
    print_sweep(results)
    reused = len(results.variants) * results.replications - results.ran
    out.print(f"ran {results.ran} unit(s); {reused} found done")
    out.print(f"figures written to {results.write_figures()}/")
    out.print(f"summary written to {results.directory}/summary.csv")


@app.command("report")
def report_command(
    run_dir: Annotated[Path, typer.Argument(help="a run directory", show_default=False)],
) -> None:
    """Re-render a run's summary, figures and report.html from its directory, without
    running it again."""
    try:
        results = load_results(run_dir)
    except SimulatorError as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(2) from None
    print_answers(results)
    out.print(f"report written to {write_report(results, run_dir)}")


@app.command()
def validate(scenario_file: ScenarioFile) -> None:
    """Check a scenario file and say what is wrong with it, if anything."""
    scenario = _load(scenario_file)
    variants = ""
    if scenario.sweep is not None:
        try:
            found, _ = expand(scenario, source=str(scenario_file), base_dir=scenario_file.parent)
        except SimulatorError as error:
            err.print(str(error), markup=False, highlight=False)
            raise typer.Exit(2) from None
        variants = f", a sweep of {len(found)} variants"
    out.print(
        f"{scenario_file}: valid ({len(scenario.fleet)} fleet entries, "
        f"{len(scenario.requests)} request streams, horizon {scenario.horizon:g} s{variants})"
    )


@app.command()
def schema() -> None:
    """Print the scenario JSON Schema, for editors that complete and check YAML."""
    sys.stdout.write(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n")


def main() -> None:
    app()
