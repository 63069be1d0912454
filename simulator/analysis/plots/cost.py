"""What the run billed over time, with the stops and without them."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from simulator.analysis.order import natural
from simulator.analysis.plots.axes import dollar_axis, money, time_axis
from simulator.analysis.plots.data import groups, latest, mean_of, names, runs
from simulator.analysis.plots.figure import Figure, empty, new_figure, panels, plain
from simulator.analysis.plots.palette import Palette

_MAX_POINTS: Final = 20_000


def cost_over_time(
    costs: pd.DataFrame,
    baseline: pd.DataFrame | None = None,
    horizon: float | None = None,
    replications: int | None = None,
) -> Figure:
    """Cumulative dollars, one panel per service (their bills differ by orders of
    magnitude), a curve per fleet group (coloured by group), mean over replications: solid
    with the stops, dashed without them (`baseline`, the same run with nothing stopped), so
    the gap is the saving.

    Computed exactly from the billed rows (each accrues linearly from start to end), not
    sampled. `horizon` (s) ends the axis (default: the last billed second); the mean
    divides by `replications` (default: how many replications the tables hold).
    """
    title = "Cumulative cost" + ", with stops (solid) and without (dashed)" * (baseline is not None)
    tables = [costs] if baseline is None else [costs, baseline]
    if all(table.empty for table in tables):
        return empty(title, "no costs")
    end = horizon if horizon is not None else max(latest(t, "end") for t in tables)
    count = replications or max(runs(t) for t in tables)
    services = sorted(set().union(*(names(t["service"]) for t in tables)))
    fig = new_figure(max(8.0, 5.0 * min(3, len(services)) + 1.0), 4.6 * (1 + (len(services) > 3)))
    palette = Palette()
    for ax, service in zip(panels(fig, len(services)), services, strict=True):
        mine = [t[t["service"] == service] for t in tables]
        fleet = sorted(set().union(*(groups(t) for t in mine)), key=natural) or [""]
        spent = 0.0
        for group in fleet:
            hue = palette.group(group or service)
            ours = [t[t["group"].astype(str) == group] if group else t for t in mine]
            spent += _curves(ax, ours, end, count, hue, group if len(fleet) > 1 else None)
        if len(fleet) > 1:
            ax.legend(fontsize=8, loc="upper left", title="fleet group", title_fontsize=8)
        ax.set_title(f"{service}: {money(spent)} with stops", fontsize=10)
        ax.set_ylabel("cumulative cost (USD)")
        dollar_axis(ax.yaxis)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    styles = [("-", "with stops")] + [("--", "without stops")] * (baseline is not None)
    handles = [Line2D([], [], color="black", ls=ls, label=label) for ls, label in styles]
    fig.legend(handles=handles, loc="outside lower center", ncols=2)
    fig.suptitle(f"{title} ({mean_of(count)})")
    return fig


def _curves(
    ax: Axes, tables: list[pd.DataFrame], end: float, count: int, hue: str, group: str | None
) -> float:
    """One group's curves, with the stops and (given a baseline) without, the saving said in
    its legend entry (several groups) or by an arrow at the horizon (one); return the mean
    spent with the stops."""
    scale = time_axis(ax, 0.0, end)
    x, y = _cumulative(tables[0], end)
    spent = float(y[-1]) / count
    bx, by = _cumulative(tables[-1], end)
    without = float(by[-1]) / count
    label = None if group is None else f"{group}: {money(spent)}"
    if label and len(tables) == 2:
        label += f", {_saved(spent, without)}"
    ax.plot(x / scale, y / count, color=hue, lw=2, label=label and plain(label))
    if len(tables) == 2:
        ax.plot(bx / scale, by / count, color=hue, lw=1.5, ls="--")
        if group is None:
            _saving(ax, end / scale, spent, without, hue)
    return spent


def _saved(spent: float, without: float) -> str:
    saved = without - spent
    percent = 100 * saved / without if without > 0 else np.nan
    share = "" if np.isnan(percent) else f" ({percent:.{0 if abs(percent) >= 10 else 1}f}%)"
    return f"saved {money(saved)}{share}"


def _saving(ax: Axes, x: float, spent: float, without: float, hue: str) -> None:
    ax.annotate("", (x, spent), (x, without), arrowprops={"arrowstyle": "<->", "color": hue})
    ax.annotate(
        _saved(spent, without),
        (x, (spent + without) / 2),
        xytext=(-8, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        color=hue,
        fontweight="bold",
        bbox={"fc": "white", "ec": hue, "alpha": 0.9},
    )


def _cumulative(costs: pd.DataFrame, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """The running total of `costs` at every time its rate changes, from 0 to `horizon`.

    A row adds usd/(end - start) to the rate at its start and removes it at its end; a row
    with end == start (a rounding charge) is a step at its start, drawn as a vertical rise.
    Sorting the changes keeps this O(rows log rows), whatever the horizon. Past
    _MAX_POINTS points the curve is thinned evenly (the first and last points kept): far
    below a pixel apart, and a notebook or an SVG stays light.
    """
    start, stop = costs["start"].to_numpy(float), costs["end"].to_numpy(float)
    usd = costs["usd"].to_numpy(float)
    ramp = stop > start
    rate = usd[ramp] / (stop[ramp] - start[ramp])
    times = np.concatenate([[0.0, horizon], start[ramp], stop[ramp], start[~ramp]])
    slopes = np.concatenate([[0.0, 0.0], rate, -rate, np.zeros((~ramp).sum())])
    steps = np.concatenate([np.zeros(2 + 2 * len(rate)), usd[~ramp]])
    order = np.argsort(times)
    times = times[order]
    last = np.append(times[1:] != times[:-1], True)  # the last change at each time
    knots, slope = times[last], np.cumsum(slopes[order])[last]
    stepped = np.cumsum(steps[order])[last]
    after = stepped + np.concatenate([[0.0], np.cumsum(slope[:-1] * np.diff(knots))])
    jump = np.diff(stepped, prepend=0.0)
    before = after - jump
    keep = np.repeat(True, 2 * len(knots))
    keep[0::2] = jump != 0  # a point before the step only where there is a step
    x, y = np.repeat(knots, 2)[keep], np.column_stack([before, after]).ravel()[keep]
    if len(x) <= _MAX_POINTS:
        return x, y
    shown = np.unique(np.linspace(0, len(x) - 1, _MAX_POINTS).astype(np.int64))
    return x[shown], y[shown]
