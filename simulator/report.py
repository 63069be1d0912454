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
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pandas as pd

from simulator import humanize
from simulator.analysis.columns import (
    BILLED_COLUMNS,
    HOSTING_COLUMNS,
    SAVINGS_COLUMNS,
    SUMMARY_COLUMNS,
    Cell,
    Column,
    shown,
)
from simulator.analysis.summary import KEYS
from simulator.output import resolved_yaml
from simulator.paths import write_bytes, writing_into
from simulator.results import Results
from simulator.version import DISTRIBUTION, __version__

if TYPE_CHECKING:  # matplotlib loads with the first figure, not with the module
    from matplotlib.figure import Figure

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

FIGURES: Final = {
    "latency": "Stop latency",
    "cost": "Cost over the horizon",
    "timeline": "Status timeline (a sample of resources)",
    "outcomes": "Outcomes",
    "calls": "API calls",
    "demand": "Requests per minute against inference units running (the busiest day)",
}


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def write_report(results: Results, directory: Path) -> Path:
    """Write `<name>.png` for every figure and `report.html`; return the HTML's path.
    Raises ResultsError naming the file and the OS's reason if one cannot be written."""
    images = {name: png(figure) for name, figure in results.figures().items()}
    page = render_html(results, images)
    path = directory / "report.html"
    with writing_into(directory):
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in images.items():
            write_bytes(directory / f"{name}.png", data)
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
    drawn = " (vector engine)" if results.engine == "vector" else ""  # equal in distribution
    sections = [
        f"<h1>{html.escape(scenario.name)}{drawn}</h1>",
        f'<p class="question">{html.escape(scenario.description)}</p>'
        if scenario.description
        else "",
        f'<p class="meta">{html.escape(meta)}</p>',
        "<h2>Stops by outcome</h2>",
        table_html(results.summary(), KEYS, SUMMARY_COLUMNS),
        '<p class="note">Each figure is per replication: the mean over the replications, ± '
        "the half-width of its 95% confidence interval. Latency runs from the stop request to "
        "the terminal status; seen, to the caller seeing it. The cost after request is what "
        "the resources billed between each stop request and their end, summed.</p>",
        "<h2>What the stops saved</h2>",
        table_html(results.savings(), ["service", "group"], SAVINGS_COLUMNS),
        '<p class="note">Against the same run with no stop sent (same seed, same draws); the '
        "saving's interval is that of the paired differences.</p>",
        f"<h2>Billed over the horizon ({html.escape(horizon)})</h2>",
        table_html(results.billed(), ["service", "group", "item"], BILLED_COLUMNS),
        *(
            (
                "<h2>Inference requests and hosting</h2>",
                table_html(results.hosting(), ["service", "group"], HOSTING_COLUMNS),
                '<p class="note">Per group: saved against always-on on the same requests; '
                "cold starts are the starts of a policy a request met (warm: the others); the "
                "waits are those of the delayed requests; available is the share of time "
                "RUNNING or HOSTED.</p>",
            )
            if scenario.demand or scenario.policies
            else ()
        ),
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


def table_html(table: pd.DataFrame, keys: list[str], columns: Mapping[str, Column]) -> str:
    """The table as HTML: the keys, then each metric's mean with the half-width of its 95%
    interval beside it in grey, under its header; the numbers written as the terminal
    writes them (`simulator.analysis.columns`), every duration in the table's one unit."""
    table_shown = shown(table, keys, columns)
    left = [' class="key"'] * len(keys) + [""] * len(columns)  # numbers align right
    head = "".join(
        f"<th{k}>{html.escape(h)}</th>" for k, h in zip(left, table_shown.headers, strict=True)
    )
    rows = [
        [html.escape(name) for name in names] + [_cell(cell) for cell in cells]
        for names, cells in zip(table_shown.keys, table_shown.cells, strict=True)
    ]
    body = "".join(
        "<tr>" + "".join(f"<td{k}>{c}</td>" for k, c in zip(left, row, strict=True)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(cell: Cell) -> str:
    """A mean, and the half-width of its interval in grey: '-' for no value, no '±' for no
    interval (one replication)."""
    ci = f' <span class="ci">±{html.escape(cell.half)}</span>' if cell.half else ""
    return html.escape(cell.value) + ci
