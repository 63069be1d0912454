"""`simulate fit OBSERVATIONS...`: a service's latency settings fitted to observed status
changes, as a table, JSON or markdown, a figure per latency, and a scenario fragment."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from simulator.cli.app import app
from simulator.cli.console import fail, message, stdout_console
from simulator.cli.formats import Format, JsonFlag, TextTable, chosen, emit_json, format_option
from simulator.cli.options import Quiet, Verbose
from simulator.errors import SimulatorError

if TYPE_CHECKING:
    import pandas as pd

    from simulator.fit.calibrate import Calibration

Observations = Annotated[
    list[Path],
    typer.Argument(
        help="transitions tables (CSV, Parquet or a run directory), polling logs "
        "(CSV resource_id,status,time), SageMaker EventBridge exports, CloudTrail logs",
        metavar="OBSERVATIONS",
        show_default=False,
    ),
]


@app.command()
def fit(
    observations: Observations,
    service: Annotated[
        str | None,
        typer.Option(help="the service whose latencies to fit; default: the one the data has"),
    ] = None,
    out: Annotated[
        Path, typer.Option(help="the scenario fragment to write (for a scenario's include:)")
    ] = Path("fitted.yaml"),
    figure: Annotated[
        Path | None,
        typer.Option(
            help="the figure (PNG; <stem>-<latency> for several latencies); default: --out "
            "with .png",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="seed of the bootstrap's draws")] = 0,
    bootstrap: Annotated[
        int, typer.Option(min=1, help="bootstrap replicates per family (intervals, GoF p)")
    ] = 200,
    fmt: Annotated[Format, format_option()] = Format.TEXT,
    as_json: JsonFlag = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Fit a service's latency settings to observed status changes.

    Each latency the service declares (Rekognition's stop: STOPPING to STOPPED, ...) gets
    its durations from the files: exact, right-censored (still in the status when the data
    ends, or another move won a race) or between two polls. Every positive family is fitted
    by maximum likelihood with censoring and ranked by AIC, with a bootstrap goodness-of-fit
    p-value and 95% intervals of the median and p95. Writes the best fits as a scenario
    fragment (--out; a scenario pulls it in with `include: [fitted.yaml]`) and a figure of
    each. Exit status 2 if a file cannot be read or holds no transition of the service."""
    from simulator.fit.calibrate import fit_latencies

    shown = chosen(fmt, as_json)
    figure = figure or out.with_suffix(".png")
    try:
        calibration = fit_latencies(observations, service, seed=seed, bootstrap=bootstrap)
        calibration.write(out)
        figures = calibration.write_figures(figure)
    except SimulatorError as error:
        fail(str(error))
    if shown is Format.JSON:
        emit_json(_json(calibration, out, figures))
    elif shown is Format.MD:
        sys.stdout.write(_markdown(calibration, out, figures))
    else:
        _print(calibration)
    message(f"wrote {out} (include it in a scenario: include: [{out.name}])")
    for path in figures:
        message(f"wrote {path}")


HEADERS = ["family", "parameters", "dAIC", "GoF p", "median s (95%)", "p95 s (95%)"]


def text_rows(table: pd.DataFrame) -> list[list[str]]:
    """One latency's families as the terminal shows them, the best first; `~` marks a near
    tie of AIC."""
    rows = []
    for row in table.to_dict("records"):
        tie = " ~" if row["near_tie"] else ""
        rows.append([
            row["family"], row["parameters"], f"{row['delta_aic']:.1f}{tie}",
            _p(row["gof_p"]),
            _interval(row["median"], row["median_low"], row["median_high"]),
            _interval(row["p95"], row["p95_low"], row["p95_high"]),
        ])  # fmt: skip
    return rows


def _p(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


def _interval(value: float, low: float, high: float) -> str:
    if math.isnan(low) or math.isnan(high):  # most replicates failed (a warning says so)
        return f"{value:,.4g} (no interval)"
    return f"{value:,.4g} ({low:,.4g}-{high:,.4g})"


def _blocks(calibration: Calibration) -> list[tuple[str, TextTable]]:
    """Each latency's heading (its counts) and table."""
    return [
        (
            f"{calibration.service} {name}: {calibration.durations.samples[name].describe()}",
            TextTable(HEADERS, text_rows(report.table), names=2),
        )
        for name, report in calibration.reports.items()
    ]


def _said(calibration: Calibration) -> list[str]:
    return [*(f"note: {n}" for n in calibration.notes),
            *(f"warning: {w}" for w in calibration.warnings)]  # fmt: skip


def _print(calibration: Calibration) -> None:
    from rich.text import Text

    from simulator.cli.tables import print_table

    console = stdout_console()
    for title, table in _blocks(calibration):
        console.print(Text(title, style="bold"))
        print_table(console, table)
        console.print()
    for line in _said(calibration):
        console.print(Text(line, style="dim"))


def _json(calibration: Calibration, out: Path, figures: list[Path]) -> dict[str, Any]:
    from simulator.cli.formats import records

    latencies = {}
    for name, report in calibration.reports.items():
        sample = calibration.durations.samples[name]
        latencies[name] = {
            "durations": sample.n, "exact": sample.exact_count,
            "right_censored": sample.right_count, "between_polls": sample.interval_count,
            "chosen": report.distribution(), "families": records(report.table),
        }  # fmt: skip
    return {
        "service": calibration.service,
        "sources": calibration.sources,
        "fragment": str(out),
        "figures": [str(path) for path in figures],
        "latencies": latencies,
        "notes": calibration.notes,
        "warnings": calibration.warnings,
    }


def _markdown(calibration: Calibration, out: Path, figures: list[Path]) -> str:
    from simulator.cli.formats import markdown

    parts = [f"### `{calibration.service}` latencies fitted to {len(calibration.sources)} file(s)"]
    for title, table in _blocks(calibration):
        parts += [f"**{title}**", markdown(table)]
    parts.append("\n".join(f"- {line}" for line in _said(calibration)))
    parts.append(f"_Fragment: `{out}`; figures: {', '.join(f'`{p}`' for p in figures)}._")
    return "\n\n".join(parts) + "\n"
