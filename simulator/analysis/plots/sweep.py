"""One metric across a sweep's variants: the means, and the differences from the baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from simulator.analysis.compare import label
from simulator.analysis.plots.axes import dollar_axis, duration_unit
from simulator.analysis.plots.figure import Figure, new_figure
from simulator.analysis.plots.palette import GROUP_COLOURS, Palette
from simulator.errors import UnknownName


def sweep_metric(
    comparison: pd.DataFrame,
    parameters: pd.DataFrame,
    metric: str,
    baseline: str,
    parameter: str | None = None,
) -> Figure:
    """One metric across a sweep's variants, against a swept `parameter` (default: the
    first that varies; the variants' names when none does).

    Left: each variant's mean over replications with its 95% interval, a line per value of
    the other swept parameters. Right: its difference from the baseline, with the 95%
    interval of the paired differences (dark, capped) over the unpaired one (light, wide):
    the replications of every variant share their random draws, so the noise they share
    cancels in the pairs. `comparison` and `parameters` are as `analysis.compare` and
    `SweepResults.parameters` give them. A metric or parameter the sweep does not have is
    an UnknownName that lists those it has.
    """
    metrics = list(dict.fromkeys(comparison["metric"]))
    if metric not in metrics:
        raise UnknownName(f"no metric {metric!r} in this sweep; its metrics: {', '.join(metrics)}")
    names = [str(c) for c in parameters.columns[1:]]
    if parameter is not None and parameter not in names:
        raise UnknownName(
            f"no swept parameter {parameter!r}; the parameters: {', '.join(names) or 'none'}"
        )
    rows = comparison[comparison["metric"] == metric].merge(parameters, on="variant")
    swept = [c for c in names if parameters[c].astype(str).nunique() > 1]
    x = parameter or (swept[0] if swept else "variant")
    others = [c for c in swept if c != x and rows.groupby(x)[c].nunique().max() > 1]
    values = list(dict.fromkeys(rows[x]))
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    scale, unit = _unit(metric, rows)
    fig = new_figure(12.0, 4.8)
    left, right = fig.subplots(1, 2)
    groups = rows.groupby(others, sort=False) if others else [((), rows)]
    palette = Palette()
    for key, group in groups:
        name = ", ".join(f"{_short(c)}={v}" for c, v in zip(others, key, strict=True))
        hue = palette.group(name) if others else GROUP_COLOURS[0]
        at = group[x].to_numpy(float) if numeric else group[x].map(values.index).to_numpy(float)
        style = "o-" if numeric else "o"  # a line only where the values have an order
        _intervals(left, at, group, "mean", "ci", scale, hue, style, name or None)
        _intervals(right, at, group, "diff", "unpaired_ci", scale, hue, "", None)
        _intervals(right, at, group, "diff", "diff_ci", scale, hue, style, None)
    right.axhline(0, color="black", lw=0.8)
    for ax in (left, right):
        if not numeric:
            ax.set_xticks(range(len(values)), [str(v) for v in values])
            ax.margins(x=0.15)
        ax.set_xlabel(x)
        ax.grid(alpha=0.3)
        _value_axis(ax, metric)
    words = label(metric)
    left.set_ylabel(f"{words} ({unit})" if unit else words)
    change = "percentage points" if unit == "%" else unit  # a share minus a share
    right.set_ylabel(f"difference ({change})" if change else "difference")
    runs = int(rows["replications"].max())
    left.set_title(f"mean over {runs} replications, with its 95% interval", fontsize=10)
    right.set_title(
        f"difference from the baseline ({baseline}):\npaired 95% interval (dark) and unpaired "
        "(light)",
        fontsize=10,
    )
    if others:
        left.legend(fontsize=8, title=", ".join(_short(c) for c in others))
    fig.suptitle(
        f"{words}\npaired on common random numbers: replication k of every variant "
        "uses the same streams",
    )
    return fig


def _intervals(
    ax: Axes,
    at: np.ndarray,
    rows: pd.DataFrame,
    value: str,
    interval: str,
    scale: float,
    hue: str,
    style: str,
    name: str | None,
) -> None:
    """Points at `at` with their interval as capped error bars; without a `style`, the
    interval alone as a wide light bar, for another interval drawn over it."""
    y = rows[value].to_numpy(float) / scale
    low = np.nan_to_num(y - rows[f"{interval}_low"].to_numpy(float) / scale)
    high = np.nan_to_num(rows[f"{interval}_high"].to_numpy(float) / scale - y)
    order = np.argsort(at, kind="stable")
    if not style:
        ax.errorbar(at, y, yerr=[low, high], fmt="none", ecolor=hue, elinewidth=9, alpha=0.25)
        return
    ax.errorbar(at[order], y[order], yerr=[low[order], high[order]], fmt=style, color=hue,
                capsize=5, lw=1.5, ms=6, label=name)  # fmt: skip


def _unit(metric: str, rows: pd.DataFrame) -> tuple[float, str]:
    """Seconds as s, min or h, whichever reads best; dollars in USD and shares in percent
    (their tick labels say `$` and `%` too); counts have none."""
    if metric.endswith("_s"):
        return duration_unit(float(np.nanmax(np.abs(rows["mean"].to_numpy(float)), initial=0)))
    if metric.endswith("_usd"):
        return 1.0, "USD"
    return 1.0, "%" if ".share_" in metric else ""


def _value_axis(ax: Axes, metric: str) -> None:
    if metric.endswith("_usd"):
        dollar_axis(ax.yaxis)
    elif ".share_" in metric:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))


def _short(path: str) -> str:
    """The last part of a dotted path, for a legend."""
    return path.rsplit(".", 1)[-1]
