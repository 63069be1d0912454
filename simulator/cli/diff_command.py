"""`simulate diff RUN_A RUN_B`: what changed from one run to another, as a table, JSON or
markdown, with `--fail-if` gates that exit 1 for CI."""

from __future__ import annotations

import sys
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from simulator.cli.app import app
from simulator.cli.console import fail, say, stdout_console
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
from simulator.cli.options import Quiet, RunA, RunB, Verbose
from simulator.errors import SimulatorError

if TYPE_CHECKING:
    import pandas as pd

    from simulator.cli.gates import Gate
    from simulator.results import Results

FailIf = Annotated[
    list[str] | None,
    typer.Option(
        "--fail-if",
        help="'[SERVICE/GROUP/OUTCOME] METRIC OP VALUE', e.g. 'billed_usd > +5%': exit 1 if "
        "the change passes it; repeatable",
        show_default=False,
    ),
]


@app.command()
def diff(
    run_a: RunA,
    run_b: RunB,
    fail_if: FailIf = None,
    fmt: Annotated[Format, format_option()] = Format.TEXT,
    as_json: JsonFlag = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Show what changed from run A to run B, with 95% intervals.

    Per service, group and outcome the stops, latency percentiles and cost after the
    request; per service and group the USD billed and saved; each change with its 95%
    interval, paired when the runs share seed and replications. Exit status 1 if a
    --fail-if gate trips, 2 if one cannot be read."""
    from simulator.analysis.diff import Run, paired
    from simulator.analysis.diff import diff as compute
    from simulator.cli.gates import parse_gate
    from simulator.results import load_results

    shown = chosen(fmt, as_json)
    try:
        gates = [parse_gate(text) for text in fail_if or []]
        a, b = load_results(run_a), load_results(run_b)
    except SimulatorError as error:
        fail(str(error))
    runs = [
        Run(r.stops, r.costs, r.baseline_costs, r.seed, r.replications, r.engine) for r in (a, b)
    ]
    table = compute(*runs)
    for gate in gates:
        if gate.selected(table).empty:
            fail(f"--fail-if {gate.text!r}: no {gate.metric} row matches "
                 f"{'/'.join(p for p in gate.selector if p)}; see the diff's rows")  # fmt: skip
    tripped = {gate.text: gate.tripped(table) for gate in gates}
    pairing = _pairing(a, b, paired(*runs))
    if shown is Format.JSON:
        emit_json(_json(run_a, a, run_b, b, paired(*runs), pairing, table, tripped))
    elif shown is Format.MD:
        sys.stdout.write(_markdown(run_a, run_b, pairing, table, tripped))
    else:
        _print(run_a, run_b, pairing, table)
    _report_gates(gates, tripped)


def _pairing(a: Results, b: Results, pairs: bool) -> str:
    if a.engine != b.engine:
        return (
            f"unpaired (Welch's interval): A was run by the {a.engine} engine, B by the "
            f"{b.engine} engine, which take the same streams' values in another order, so "
            "their replications did not draw the same random numbers"
        )
    if pairs:
        return (
            f"paired: both runs have seed {a.seed} and {a.replications} replication(s), so "
            "replication k of B is compared with replication k of A (Student's t on the "
            "differences)"
        )
    return (
        f"unpaired (Welch's interval): A has seed {a.seed} and {a.replications} "
        f"replication(s), B seed {b.seed} and {b.replications}; the same seed and count "
        "would pair them and narrow the intervals"
    )


_FORMATS = {"stops": ",.1f", "usd": ",.2f", "s": ",.1f"}


def _fmt(metric: str) -> str:
    return _FORMATS["stops" if metric == "stops" else metric.rsplit("_", 1)[1]]


def text_rows(table: pd.DataFrame) -> list[list[str]]:
    """The diff as the terminal shows it: names, A, B, the change ±half-width, and %."""
    import math

    rows = []
    for row in table.to_dict("records"):
        fmt = _fmt(row["metric"])
        change = row["change"]
        if math.isnan(change):
            shown = "-"
        else:
            half = (row["change_ci_high"] - row["change_ci_low"]) / 2
            shown = f"{change:+{fmt}}" + ("" if math.isnan(half) else f" ±{half:{fmt}}")
        percent = _percent(row["relative"])
        rows.append([
            row["service"], row["group"], row["outcome"], row["metric"],
            "-" if math.isnan(row["a"]) else f"{row['a']:{fmt}}",
            "-" if math.isnan(row["b"]) else f"{row['b']:{fmt}}",
            shown, percent,
        ])  # fmt: skip
    return rows


def _percent(relative: float) -> str:
    """A change relative to A's mean: '+7.1%'; 'from 0' where A's mean is zero (infinite
    relative change), '-' where there is none."""
    import math

    if math.isnan(relative):
        return "-"
    return "from 0" if math.isinf(relative) else f"{relative:+.1%}"


HEADERS = ["service", "group", "outcome", "metric", "A", "B", "change B - A", "change %"]


def _print(run_a: Path, run_b: Path, pairing: str, table: pd.DataFrame) -> None:
    from rich.text import Text

    from simulator.cli.tables import print_table

    console = stdout_console()
    console.print(Text(f"from A {run_a} to B {run_b}", style="bold"))
    print_table(console, TextTable(HEADERS, text_rows(table), names=4))
    console.print(Text(f"means over replications; change ± half-width of its 95% interval, "
                       f"{pairing}", style="dim"))  # fmt: skip


def _json(
    run_a: Path, a: Results, run_b: Path, b: Results, pairs: bool, pairing: str,
    table: pd.DataFrame, tripped: dict[str, pd.DataFrame],
) -> dict[str, Any]:  # fmt: skip
    def run(directory: Path, results: Results) -> dict[str, Any]:
        return {
            "run_directory": str(directory), "scenario": results.scenario.name,
            "seed": results.seed, "replications": results.replications,
        }  # fmt: skip

    return {
        "a": run(run_a, a),
        "b": run(run_b, b),
        "paired": pairs,
        "pairing": pairing,
        "changes": records(table),
        "gates": [
            {"gate": gate, "tripped": not rows.empty, "rows": records(rows)}
            for gate, rows in tripped.items()
        ],
    }


def _markdown(
    run_a: Path, run_b: Path, pairing: str, table: pd.DataFrame,
    tripped: dict[str, pd.DataFrame],
) -> str:  # fmt: skip
    parts = [
        f"### From `{run_a}` to `{run_b}`",
        markdown(TextTable(HEADERS, text_rows(table), names=4)),
        f"_Means over replications; change ± half-width of its 95% interval, {pairing}._",
    ]
    failed = [gate for gate, rows in tripped.items() if not rows.empty]
    if failed:
        parts.append("\n".join(f"- :x: `--fail-if {gate}` tripped" for gate in failed))
    return "\n\n".join(parts) + "\n"


def _report_gates(gates: list[Gate], tripped: dict[str, pd.DataFrame]) -> None:
    """Each tripped gate and the rows it tripped on, on stderr; exit status 1 if any."""
    failed = [gate for gate in gates if not tripped[gate.text].empty]
    for gate in failed:
        where = ", ".join(_where(row, gate) for row in tripped[gate.text].to_dict("records"))
        say(f"--fail-if {gate.text!r} tripped: {where}")
    if failed:
        raise typer.Exit(1)


def _where(row: Mapping[Hashable, Any], gate: Gate) -> str:
    """'rekognition/shop (+7.1%)': a row a gate tripped on, and its change ('from 0' for
    a relative change from a mean of zero, as the table says it)."""
    names = "/".join(p for p in (row["service"], row["group"], row["outcome"]) if p)
    change = _percent(row["relative"]) if gate.relative else f"{row['change']:+{_fmt(gate.metric)}}"
    return f"{names} ({change})"
