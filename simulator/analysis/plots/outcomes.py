"""How stop requests ended: the share of each outcome, per service and fleet group."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.ticker import PercentFormatter

from simulator.analysis.order import natural
from simulator.analysis.plots.data import groups, pooled
from simulator.analysis.plots.figure import Figure, empty, new_figure
from simulator.analysis.plots.latency import UNENDED
from simulator.analysis.plots.palette import Palette


def outcome_shares(stops: pd.DataFrame) -> Figure:
    """A bar per service, or per fleet group where a service's fleet has several (the
    groups a scenario compares), of how its stop requests ended: shares of all of them with
    their counts. The rejected, stuck and in-flight shares are the stops that left
    resources billing."""
    title = "Stop outcomes by service" + " and fleet group" * (len(groups(stops)) > 1)
    if stops.empty:
        return empty(title, "no stops")
    counts = pd.crosstab(_bars(stops), stops["outcome"].astype(str))
    counts = counts.loc[sorted(counts.index, key=lambda k: [natural(p) for p in k.split("\n")])]
    ended = sorted(o for o in counts.columns if o not in UNENDED)
    counts = counts[ended + [o for o in UNENDED if o in counts.columns]]
    shares = counts.div(counts.sum(axis=1), axis=0)
    fig = new_figure(
        9.0, 1.9 + 0.55 * len(counts) * (1 + 0.3 * counts.index.str.contains("\n").any())
    )
    ax = fig.subplots()
    left = np.zeros(len(counts))
    rows = np.arange(len(counts))
    palette = Palette()
    for outcome in counts.columns:
        hue = palette.status(outcome)
        width = shares[outcome].to_numpy(float)
        ax.barh(rows, width, left=left, height=0.6, color=hue, label=outcome)
        for row, (x, w, n) in enumerate(zip(left, width, counts[outcome], strict=True)):
            _count_label(ax, x + w / 2, row, w, int(n), hue)
        left += width
    ax.set_yticks(rows, [f"{bar}\n({n:,} stops)" for bar, n in counts.sum(axis=1).items()])
    ax.set_ylim(len(counts) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(f"share of stop requests (%); counts over {pooled(stops)}")
    ax.set_title(title)
    fig.legend(loc="outside lower center", ncols=min(6, len(counts.columns)), title="outcome")
    return fig


def _bars(stops: pd.DataFrame) -> pd.Series:
    """Each stop's bar: its service, and its fleet group where the service has several."""
    service = stops["service"].astype(str)
    if "group" not in stops:
        return service.rename("bar")
    group = stops["group"].astype(str)
    several = group.groupby(service).transform("nunique") > 1
    return service.where(~several, service + "\n" + group).rename("bar")


def _count_label(ax: Axes, x: float, row: int, width: float, count: int, hue: str) -> None:
    """A segment's count inside it, in black or white for contrast; above it if too narrow."""
    if count == 0:
        return
    if width >= 0.06:
        dark = sum(c * w for c, w in zip(to_rgb(hue), (0.3, 0.59, 0.11), strict=True)) < 0.5
        ax.text(
            x,
            row,
            f"{count:,}\n{width:.0%}",
            ha="center",
            va="center",
            fontsize=8,
            color="white" if dark else "black",
        )
    else:
        ax.text(x, row - 0.32, f"{count:,}", ha="center", va="bottom", fontsize=7)
