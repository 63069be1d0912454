"""A run's report: its figures as PNG files and one self-contained `report.html`.

The HTML carries everything inline (figures as base64 PNG, tables, the resolved scenario),
so it can be mailed or attached to a ticket as one file. It is rendered from a `Results`,
whether just run or read back from a run directory: `simulate report DIR` does the latter.

It is written for a person who did not write the scenario: the question the scenario
answers comes first, durations read in days, hours or minutes and money in dollars
(`simulator.humanize`), and the resolved scenario, long and exact, is folded away.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Final, Literal

import pandas as pd
from matplotlib.figure import Figure

from simulator import humanize
from simulator.analysis.summary import KEYS
from simulator.output import resolved_yaml, write_bytes
from simulator.results import Results
from simulator.version import DISTRIBUTION, __version__

DPI: Final = 110
_STYLE: Final = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222;
  padding: 0 1em; }
h1 { margin-bottom: 0.2em; }
.question { font-size: 1.25em; margin: 0.3em 0 0.4em; max-width: 48em; }
.meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5em 0 0.5em; font-size: 0.9em; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #ddd; text-align: right;
  white-space: nowrap; }
th { background: #f4f4f4; white-space: normal; vertical-align: bottom; }
.key { text-align: left; } .ci { color: #888; font-size: 0.85em; }
.note { color: #555; font-size: 0.9em; max-width: 60em; margin-bottom: 1.5em; }
img { max-width: 100%; margin: 0.5em 0 1.5em; }
details { margin: 1em 0 2em; } summary { cursor: pointer; font-weight: 600; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; }
"""

Kind = Literal["count", "share", "duration", "usd"]
"""How a column's numbers are written: a mean count, a share, a duration (in the unit that
fits the column, named in its header) or dollars."""

SUMMARY: Final[dict[str, tuple[str, Kind]]] = {
    "count": ("stops", "count"),
    "share": ("share", "share"),
    "latency_mean_s": ("latency mean", "duration"),
    "latency_p50_s": ("p50", "duration"),
    "latency_p95_s": ("p95", "duration"),
    "latency_p99_s": ("p99", "duration"),
    "observed_p95_s": ("seen p95", "duration"),
    "cost_after_request_usd": ("cost after request", "usd"),
}
SAVINGS: Final[dict[str, tuple[str, Kind]]] = {
    "billed_usd": ("billed", "usd"),
    "baseline_usd": ("without stops", "usd"),
    "saved_usd": ("saved", "usd"),
}
BILLED: Final[dict[str, tuple[str, Kind]]] = {"usd": ("billed", "usd")}
FIGURES: Final = {
    "latency": "Stop latency",
    "cost": "Cost over the horizon",
    "timeline": "Status timeline (a sample of resources)",
    "outcomes": "Outcomes",
    "calls": "API calls",
}


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def write_report(results: Results, directory: Path) -> Path:
    """Write `<name>.png` for every figure and `report.html`; return the HTML's path."""
    directory.mkdir(parents=True, exist_ok=True)
    images = {name: png(figure) for name, figure in results.figures().items()}
    for name, data in images.items():
        write_bytes(directory / f"{name}.png", data)
    page = render_html(results, images)
    path = directory / "report.html"
    write_bytes(path, page.encode())
    return path


def render_html(results: Results, images: dict[str, bytes]) -> str:
    """The report page: the scenario's question, how it was run, the tables, the figures,
    and the resolved scenario folded away. Every text from the scenario is escaped."""
    scenario = results.scenario
    horizon = humanize.duration(scenario.horizon)
    start = scenario.start.strftime("%a %Y-%m-%d %H:%M %Z").strip()
    meta = (
        f"seed {results.seed} · {humanize.plural(results.replications, 'replication')} · "
        f"horizon {horizon} from {start} · {DISTRIBUTION} {__version__}"
    )
    resolved = resolved_yaml(scenario, results.seed, results.replications)
    sections = [
        f"<h1>{html.escape(scenario.name)}</h1>",
        f'<p class="question">{html.escape(scenario.description)}</p>'
        if scenario.description
        else "",
        f'<p class="meta">{html.escape(meta)}</p>',
        "<h2>Stops by outcome</h2>",
        table_html(results.summary(), KEYS, SUMMARY),
        '<p class="note">Each figure is per replication: the mean over the replications, ± '
        "the half-width of its 95% confidence interval. Latency runs from the stop request to "
        "the terminal status; seen, to the caller seeing it. The cost after request is what "
        "the resources billed between each stop request and their end, summed.</p>",
        "<h2>What the stops saved</h2>",
        table_html(results.savings(), ["service", "group"], SAVINGS),
        '<p class="note">Against the same run with no stop sent (same seed, same draws); the '
        "saving's interval is that of the paired differences.</p>",
        f"<h2>Billed over the horizon ({html.escape(horizon)})</h2>",
        table_html(results.billed(), ["service", "group", "item"], BILLED),
        *(
            f"<h2>{html.escape(FIGURES.get(name, name.capitalize()))}</h2>"
            f'<img alt="{html.escape(name)}" src="data:image/png;base64,'
            f'{base64.b64encode(data).decode()}">'
            for name, data in images.items()
        ),
        "<details><summary>Scenario (resolved, every default written out)</summary>"
        f"<pre>{html.escape(resolved)}</pre></details>",
    ]
    body = "\n".join(s for s in sections if s)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(scenario.name)}: simulate report</title>"
        f"<style>{_STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )


def table_html(table: pd.DataFrame, keys: list[str], columns: dict[str, tuple[str, Kind]]) -> str:
    """The table as HTML: the keys, then each metric's mean with the half-width of its 95%
    interval beside it in grey, under its header. Every duration of the table is in one
    unit, the one that fits the longest, named in each duration column's header: a p50 in
    seconds beside a p95 in minutes would invite a wrong comparison."""
    durations = [metric for metric, (_, kind) in columns.items() if kind == "duration"]
    unit = humanize.duration_unit(table[durations].to_numpy(float).ravel())
    headers = [*keys]
    cells: list[list[str]] = [[html.escape(str(v)) for v in row] for row in table[keys].values]
    for metric, (header, kind) in columns.items():
        write, symbol = _writer(kind, table[metric], unit)
        headers.append(f"{header} ({symbol})" if symbol else header)
        half = (table[f"{metric}_ci_high"] - table[f"{metric}_ci_low"]) / 2
        for row, value, width in zip(cells, table[metric], half, strict=True):
            row.append(_cell(value, width, write))
    left = [' class="key"'] * len(keys) + [""] * len(columns)  # numbers align right
    head = "".join(f"<th{k}>{html.escape(h)}</th>" for k, h in zip(left, headers, strict=True))
    body = "".join(
        "<tr>" + "".join(f"<td{k}>{c}</td>" for k, c in zip(left, row, strict=True)) + "</tr>"
        for row in cells
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: float, half: float, write: Callable[[float], str]) -> str:
    """A mean, and the half-width of its interval in grey: '-' for no value, no '±' for no
    interval (one replication)."""
    if math.isnan(value):
        return humanize.MISSING
    ci = "" if math.isnan(half) else f' <span class="ci">±{html.escape(write(half))}</span>'
    return html.escape(write(value)) + ci


def _writer(
    kind: Kind, values: pd.Series, unit: humanize.DurationUnit
) -> tuple[Callable[[float], str], str]:
    """How to write one number of a column of this kind (a duration in `unit`, with the
    decimals its longest value needs), and the unit for its header (empty when the numbers
    carry their own, as dollars and shares do)."""
    if kind == "usd":
        return humanize.usd, ""
    if kind == "share":
        return humanize.percent, ""
    if kind == "count":
        return "{:,.1f}".format, ""
    places = humanize.decimals(values.abs().max() / unit.seconds)
    return (lambda seconds: f"{seconds / unit.seconds:,.{places}f}"), unit.symbol
