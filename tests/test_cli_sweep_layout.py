"""The sweep's comparison at 80 and 120 columns: whichever layout fits, every variant's row
sits under its own metric, whether the metric heads a table of its own (`metric: ...`)
or is written once in the first column of one table."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from simulator.analysis.compare import compare
from simulator.cli.formats import markdown
from simulator.cli.sweep_command import comparison_table
from simulator.cli.tables import print_table

VARIANTS = ("mode=standard", "mode=legacy", "mode=adaptive")
METRICS = (
    "rekognition.latency_mean_s",
    "rekognition.latency_p95_s",
    "rekognition.billed_usd",
    "rekognition.share_stopped",
)


def comparison() -> pd.DataFrame:
    """Three variants, three replications each, figures as wide as a real sweep's."""
    draws = np.random.default_rng(4)
    rows = [
        {"variant": variant, "replication": k}
        | {m: 1000 * (i + 1) * draws.random() for m in METRICS[:-1]}
        | {METRICS[-1]: draws.random(), "rekognition.stops": 60.0}
        for i, variant in enumerate(VARIANTS)
        for k in range(3)
    ]
    return compare(pd.DataFrame(rows), VARIANTS[0])


def printed(width: int) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False, color_system=None)
    print_table(console, comparison_table(comparison(), list(METRICS), VARIANTS[0]))
    return out.getvalue().splitlines()


def placed(lines: list[str]) -> list[tuple[str, str]]:
    """(metric, variant) of each variant's row, the metric being the last `metric: ...`
    heading above it or the last metric named in the table's first column."""
    metric, found = "", []
    for line in lines:
        if line.startswith("metric:"):
            metric = line.removeprefix("metric:").strip()
            continue
        words = line.split()
        if words and words[0] in METRICS:
            metric, words = words[0], words[1:]
        if words and words[0] in VARIANTS:
            found.append((metric, words[0]))
    return found


@pytest.mark.parametrize("width", [80, 120])
def test_every_variant_sits_under_its_own_metric(width: int) -> None:
    lines = printed(width)
    assert max(len(line) for line in lines) <= width
    assert placed(lines) == [(m, v) for m in METRICS for v in VARIANTS], "\n".join(lines)


def test_at_80_columns_each_metric_heads_a_table_of_its_own() -> None:
    headings = [line for line in printed(80) if line.startswith("metric:")]
    assert headings == [f"metric: {m}" for m in METRICS]


def test_markdown_names_each_metric_once_over_its_variants() -> None:
    table = markdown(comparison_table(comparison(), list(METRICS), VARIANTS[0]))
    first_cells = [row.split("|")[1].strip() for row in table.splitlines()[2:]]
    assert first_cells == [c for m in METRICS for c in (m, "", "")]
