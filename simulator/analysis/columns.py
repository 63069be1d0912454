"""How the answers' tables are shown: one specification of their columns, and one way of
writing their numbers, for the terminal, markdown and the HTML report alike.

Each column is a metric of the summary, savings, billed or hosting table, its header and
its kind:

    count      a mean count, to a tenth: "2.5"
    share      a percentage through `humanize.percent`: "64%", "0.3%"
    duration   in one unit for the whole table, the one that fits its longest duration,
               named in each duration column's header ("p95 (min)"): a p50 in seconds
               beside a p95 in minutes would invite a wrong comparison
    usd        dollars through `humanize.usd`: "$1,234.50", "-$50.00"

A cell is a mean and the half-width of its 95% interval, each written the same way; the
terminal and markdown join them ("0.3% ±4%"), the report greys the half-width. `--json`
and the CSV files keep the numbers raw.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple

import pandas as pd

from simulator import humanize

Kind = Literal["count", "share", "duration", "usd"]


class Column(NamedTuple):
    """A metric's header (a duration's unit is added to it) and how its numbers read."""

    header: str
    kind: Kind


SUMMARY_COLUMNS: Final[Mapping[str, Column]] = {
    "count": Column("stops", "count"),
    "share": Column("share", "share"),
    "latency_mean_s": Column("latency mean", "duration"),
    "latency_p50_s": Column("p50", "duration"),
    "latency_p95_s": Column("p95", "duration"),
    "latency_p99_s": Column("p99", "duration"),
    "observed_p95_s": Column("seen p95", "duration"),
    "cost_after_request_usd": Column("cost after request", "usd"),
}
SAVINGS_COLUMNS: Final[Mapping[str, Column]] = {
    "billed_usd": Column("billed", "usd"),
    "baseline_usd": Column("without stops", "usd"),
    "saved_usd": Column("saved", "usd"),
}
BILLED_COLUMNS: Final[Mapping[str, Column]] = {"usd": Column("billed", "usd")}
HOSTING_COLUMNS: Final[Mapping[str, Column]] = {
    "usd": Column("billed", "usd"),
    "saved_usd": Column("saved vs always-on", "usd"),
    "cold_starts": Column("cold starts", "count"),
    "warm_starts": Column("warm starts", "count"),
    "requests": Column("requests", "count"),
    "throttled": Column("throttled", "count"),
    "failed": Column("failed", "count"),
    "pending": Column("waiting at the end", "count"),
    "delayed": Column("delayed", "count"),
    "added_p50_s": Column("wait p50", "duration"),
    "added_p95_s": Column("wait p95", "duration"),
    "added_p99_s": Column("wait p99", "duration"),
    "available_share": Column("available", "share"),
}
"""`analysis.hosting`'s table: the waits are those of the delayed requests."""


@dataclass(frozen=True)
class Cell:
    """A mean as text, and the half-width of its interval ("" where there is none: one
    replication, or no value)."""

    value: str
    half: str

    def text(self) -> str:
        """The cell as one line: '0.3% ±4%'."""
        return f"{self.value} ±{self.half}" if self.half else self.value


@dataclass(frozen=True)
class Shown:
    """A table as it is shown: the headers (keys', then the metrics' with their units),
    and per row its keys as text and its cells."""

    headers: list[str]
    keys: list[list[str]]
    cells: list[list[Cell]]


def shown(table: pd.DataFrame, keys: Sequence[str], columns: Mapping[str, Column]) -> Shown:
    """`table`'s `keys` and `columns` (each metric with `_ci_low` and `_ci_high` beside
    it) written by the rules in the module's docstring."""
    durations = [metric for metric, column in columns.items() if column.kind == "duration"]
    unit = humanize.duration_unit(table[durations].to_numpy(float).ravel())
    headers = list(keys)
    rows: list[list[Cell]] = [[] for _ in range(len(table))]
    for metric, (header, kind) in columns.items():
        write = _writer(kind, table[metric], unit)
        headers.append(f"{header} ({unit.symbol})" if kind == "duration" else header)
        half = (table[f"{metric}_ci_high"] - table[f"{metric}_ci_low"]) / 2
        for row, value, width in zip(rows, table[metric], half, strict=True):
            row.append(_cell(float(value), float(width), write))
    names = [[str(v) for v in row] for row in table[list(keys)].itertuples(index=False)]
    return Shown(headers, names, rows)


def with_intervals(
    table: pd.DataFrame, keys: Sequence[str], columns: Mapping[str, Column]
) -> pd.DataFrame:
    """`shown` as a frame of text, each cell 'mean ±half-width': what the terminal and
    markdown print."""
    table_shown = shown(table, keys, columns)
    rows = [
        [*names, *(cell.text() for cell in cells)]
        for names, cells in zip(table_shown.keys, table_shown.cells, strict=True)
    ]
    return pd.DataFrame(rows, columns=table_shown.headers, dtype=object)


def _cell(value: float, half: float, write: Callable[[float], str]) -> Cell:
    if math.isnan(value):
        return Cell(humanize.MISSING, "")
    return Cell(write(value), "" if math.isnan(half) else write(half))


def _writer(kind: Kind, values: pd.Series, unit: humanize.DurationUnit) -> Callable[[float], str]:
    """How one number of a column of this kind is written (a duration in `unit`, with the
    decimals the column's longest value needs)."""
    if kind == "usd":
        return humanize.usd
    if kind == "share":
        return humanize.percent
    if kind == "count":
        return "{:,.1f}".format
    places = humanize.decimals(values.abs().max() / unit.seconds)
    return lambda seconds: f"{seconds / unit.seconds:,.{places}f}"
