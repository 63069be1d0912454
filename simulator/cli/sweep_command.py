"""`simulate sweep`: a scenario's what-if variants on common random numbers, compared
with the baseline, printed as a table, JSON or markdown."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from simulator.cli.app import app
from simulator.cli.console import fail, message, stdout_console
from simulator.cli.formats import (
    Format,
    JsonFlag,
    TextTable,
    chosen,
    emit_json,
    format_option,
    markdown,
    records,
)
from simulator.cli.options import Force, Quiet, ScenarioFile, Seed, Verbose
from simulator.errors import SimulatorError

if TYPE_CHECKING:
    import pandas as pd

    from simulator.sweeps import SweepResults


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
    seed: Seed = None,
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
    fmt: Annotated[Format, format_option()] = Format.TEXT,
    as_json: JsonFlag = False,
    force: Force = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Run a scenario's what-if variants and compare them with the baseline.

    The variants run on common random numbers, so their differences are paired. Units
    found done in the directory are not run again."""
    from simulator.cli.progress import DelayedProgress
    from simulator.scenario.variants import parse_grid
    from simulator.sweeps import sweep as run_sweep

    shown = chosen(fmt, as_json)
    progress = DelayedProgress(f"{scenario_file.stem}: sweep", counting="units")
    try:
        grid = parse_grid(vary) if vary else None
        results = run_sweep(
            scenario_file, grid, out=out_dir, seed=seed, replications=replications,
            baseline=baseline, workers=workers, dask=dask, fresh=fresh, progress=progress,
            force=force, figures=True,
        )  # fmt: skip
    except SimulatorError as error:
        progress.close()
        fail(str(error))
    except KeyboardInterrupt:
        progress.close()
        fail("interrupted: the finished units are kept; run the same command to go on", 130)
    progress.close()
    if shown is Format.JSON:
        emit_json(sweep_json(results))
    elif shown is Format.MD:
        sys.stdout.write(sweep_markdown(results))
    else:
        print_sweep(results)
    reused = len(results.variants) * results.replications - results.ran
    message(f"ran {results.ran} unit(s); {reused} found done")
    message(f"summary written to {results.directory}/summary.csv")
    message(f"figures written to {results.directory / 'figures'}/")


def _title(results: SweepResults) -> str:
    return (
        f"{results.variants[0].scenario.name}: {len(results.variants)} variants x "
        f"{results.replications} replication(s), seed {results.seed}"
    )


def _comparison(results: SweepResults) -> TextTable | None:
    """Per metric that varies and variant: the mean and the paired difference from the
    baseline, each with its 95% interval, and the unpaired interval for contrast."""
    varying = results.varying()
    if not varying:
        return None
    return comparison_table(results.comparison(), varying, results.baseline)


def comparison_table(comparison: pd.DataFrame, metrics: list[str], baseline: str) -> TextTable:
    """`compare`'s table of `metrics` as text: a metric written once over its variants
    when shown whole, on each of its tables when split per metric."""
    from simulator.analysis.compare import comparison_text

    frame = comparison_text(comparison, metrics, baseline)
    rows = [[str(value) for value in row] for row in frame.itertuples(index=False)]
    return TextTable([str(c) for c in frame.columns], rows, names=2, blank_repeats=True)


def _footnote() -> str:
    from simulator.sweeps import PAIRED

    return (
        f"mean ± half-width of its 95% interval; {PAIRED}, so the noise they share cancels "
        "in the differences (unpaired: the difference's interval had the runs been "
        "independent). Metrics no variant changes are left out: all are in summary.csv"
    )


def print_sweep(results: SweepResults) -> None:
    from rich.text import Text

    from simulator.cli.tables import print_table

    console = stdout_console()
    table = _comparison(results)
    if table is None:
        console.print(Text(f"{_title(results)}: no variant changes any metric"))
    else:
        console.print(Text(_title(results), style="bold"))
        print_table(console, table)
    console.print(Text(_footnote(), style="dim"))


def sweep_json(results: SweepResults) -> dict[str, Any]:
    """What `--json` prints: the study, and its comparison as records (comparison.csv)."""
    return {
        "scenario": results.variants[0].scenario.name,
        "seed": results.seed,
        "replications": results.replications,
        "baseline": results.baseline,
        "variants": [v.name for v in results.variants],
        "sweep_directory": str(results.directory),
        "varying": results.varying(),
        "comparison": records(results.comparison()),
    }


def sweep_markdown(results: SweepResults) -> str:
    table = _comparison(results)
    body = markdown(table) if table is not None else "No variant changes any metric."
    return f"### {_title(results)}\n\n{body}\n\n_{_footnote()}_\n"
