"""A run's report: its figures as PNG files and one self-contained `report.html`.

The HTML carries everything inline (figures as base64 PNG, tables, the resolved scenario),
so it can be mailed or attached to a ticket as one file. It is rendered from a `Results`,
whether just run or read back from a run directory: `simulate report DIR` does the latter.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Final

from matplotlib.figure import Figure

from simulator.analysis.summary import (
    BILLED_COLUMNS,
    KEYS,
    SAVINGS_COLUMNS,
    SUMMARY_COLUMNS,
    with_intervals,
)
from simulator.output import resolved_yaml, write_bytes
from simulator.results import Results
from simulator.version import DISTRIBUTION, __version__

DPI: Final = 110
_STYLE: Final = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 0.2em; } .meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #ddd; text-align: right; }
th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; margin: 0.5em 0 1.5em; } pre { background: #f7f7f7; padding: 1em; }
"""


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
    scenario = results.scenario
    summary = with_intervals(results.summary(), KEYS, SUMMARY_COLUMNS)
    saved = with_intervals(results.savings(), ["service", "group"], SAVINGS_COLUMNS)
    billed = with_intervals(results.billed(), ["service", "group", "item"], BILLED_COLUMNS)
    sections = [
        f"<h1>{html.escape(scenario.name)}</h1>",
        f'<p class="meta">seed {results.seed}, {results.replications} replication(s), '
        f"horizon {scenario.horizon:g} s, {DISTRIBUTION} {__version__}</p>",
        f"<p>{html.escape(scenario.description)}</p>" if scenario.description else "",
        "<h2>Stops by outcome</h2>",
        summary.to_html(index=False, border=0),
        "<p>Mean over replications ± half-width of its 95% confidence interval. Latency runs "
        "from the request to the terminal status; observed, to the caller seeing it.</p>",
        "<h2>What the stops saved</h2>",
        saved.to_html(index=False, border=0),
        "<p>Against the same run with no stop sent (same seed, same draws); the saving's "
        "interval is that of the paired differences.</p>",
        "<h2>Billed over the horizon</h2>",
        billed.to_html(index=False, border=0),
        *(
            f'<h2>{name.capitalize()}</h2><img alt="{name}" src="data:image/png;base64,'
            f'{base64.b64encode(data).decode()}">'
            for name, data in images.items()
        ),
        "<h2>Scenario (resolved)</h2>",
        f"<pre>{html.escape(resolved_yaml(scenario, results.seed, results.replications))}</pre>",
    ]
    body = "\n".join(s for s in sections if s)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(scenario.name)}: simulate report</title>"
        f"<style>{_STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )
