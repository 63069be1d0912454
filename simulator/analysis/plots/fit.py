"""Observed durations against the families fitted to them.

Left, the CDF: the data's nonparametric estimate as a black step line (Kaplan-Meier; where
durations were seen between polls, Turnbull's estimate, which knows how much of the
distribution lies in each grey box but not where inside it), each family's fitted CDF over
it, and the best family's median and p95 with their bootstrap intervals. Right, the same on
the survival scale (1 - CDF, logarithmic), where the tail that sets the p95 is visible:
on the left the last 5 % is a sliver under the top of the axes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from matplotlib.ticker import PercentFormatter

from simulator.analysis.plots.axes import duration_unit
from simulator.analysis.plots.figure import Figure, new_figure, plain
from simulator.analysis.plots.palette import Palette
from simulator.fit.nonparametric import Estimate, estimate

if TYPE_CHECKING:
    from simulator.fit.goodness import FitReport
    from simulator.fit.sample import Sample

DATA: Final = "black"
BOX: Final = "#bdbdbd"
_POINTS: Final = 400


def plot_fit(sample: Sample, report: FitReport | None = None, *, title: str = "") -> Figure:
    """The figure of `sample`'s durations (only its usable ones are drawn) and, given the
    `report` of their fit, every family's fitted CDF, the legend giving each its AIC
    difference from the best and its goodness-of-fit p-value."""
    usable = sample.where(sample.is_usable)
    found = estimate(usable)
    finite = np.concatenate([usable.low, usable.high[np.isfinite(usable.high)]])
    reach = float(finite.max()) if len(finite) else 1.0
    if report is not None:
        reach = max(reach, report.best.p95 * 1.15)
    scale, unit = duration_unit(reach)
    fig = new_figure(12.0, 5.2)
    cdf_ax, tail_ax = fig.subplots(1, 2, width_ratios=(1.6, 1.0))
    _estimate(cdf_ax, tail_ax, found, usable, scale)
    if report is not None:
        _families(cdf_ax, tail_ax, report, reach, scale, unit)
    for ax in (cdf_ax, tail_ax):
        ax.set_xlabel(f"duration ({unit})")
        ax.set_xlim(0, reach * 1.02 / scale)
        ax.grid(alpha=0.3)
    cdf_ax.set_ylim(0, 1.02)
    cdf_ax.set_ylabel("share ended within")
    cdf_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    cdf_ax.legend(loc="lower right", fontsize=8)
    tail_ax.set_yscale("log")
    tail_ax.set_ylim(max(0.5 / max(usable.n, 1), 1e-4), 1.05)
    tail_ax.set_ylabel("share still going (log scale)")
    tail_ax.set_title("the tail: 1 - CDF", fontsize=10)
    head = f"{title}: " if title else ""
    fig.suptitle(plain(f"{head}{usable.describe()}"))
    return fig


def _estimate(cdf_ax: Axes, tail_ax: Axes, found: Estimate, usable: Sample, scale: float) -> None:
    """The step line: flat where the estimate is known, through each box it leaves open
    (a straight rise, as good as any other inside), ending at the longest watch when the
    durations past it are censored. Censored durations are ticked on it."""
    x, y = [0.0], [0.0]
    for left, right, before, after in zip(
        found.left, found.right, found.before, found.after, strict=True
    ):
        if np.isinf(right):  # mass beyond the longest watch: where it lies, unknown
            x.append(left)
            y.append(before)
            break
        x += [left, right]
        y += [before, after]
    xs, ys = np.array(x) / scale, np.array(y)
    name = "Turnbull (polled)" if usable.interval_count else "Kaplan-Meier"
    cdf_ax.plot(xs, ys, color=DATA, lw=1.8, label=f"data: {name}", zorder=3)
    tail_ax.plot(xs, np.maximum(1 - ys, 1e-12), color=DATA, lw=1.8, zorder=3)
    _, _, boxes, levels = found.steps()
    for (left, right), (before, after) in zip(boxes, levels, strict=True):
        if np.isfinite(right) and after - before > 1e-6:
            corner, width = (left / scale, before), (right - left) / scale
            cdf_ax.add_patch(Rectangle(corner, width, after - before, color=BOX, alpha=0.5, lw=0))
    censored = usable.low[usable.is_right]
    if len(censored):
        at = np.interp(censored / scale, xs, ys)
        cdf_ax.plot(censored / scale, at, "|", color=DATA, ms=7, mew=0.8, zorder=4,
                    label=f"censored ({len(censored):,})")  # fmt: skip


def _families(
    cdf_ax: Axes, tail_ax: Axes, report: FitReport, reach: float, scale: float, unit: str
) -> None:
    grid = np.linspace(0.0, reach * 1.02, _POINTS)
    palette = Palette()
    table = report.table.set_index("family")
    for rank, fit in enumerate(report.fits):
        row = table.loc[fit.family]
        hue = palette.group(fit.family)
        cdf = fit.frozen.cdf(grid)
        rating = "best AIC" if rank == 0 else f"ΔAIC {row['delta_aic']:.1f}"
        tie = ", near tie" if row["near_tie"] else ""
        label = f"{fit.family} {row['parameters']}: {rating}{tie}, GoF p={row['gof_p']:.2g}"
        width, style = (2.4, "-") if rank == 0 else (1.3, "--")
        cdf_ax.plot(grid / scale, cdf, color=hue, lw=width, ls=style, label=label, zorder=2)
        tail_ax.plot(grid / scale, fit.frozen.sf(grid), color=hue, lw=width, ls=style, zorder=2)
    best = report.best
    boot = report.bootstraps[best.family]
    hue = palette.group(best.family)
    marks = (
        ("median", 0.5, best.median, boot.median_interval),
        ("p95", 0.95, best.p95, boot.p95_interval),
    )
    for name, share, value, (low, high) in marks:
        # a percentile interval need not hold the estimate (few durations): no bar that side
        spread = [[max(value - low, 0.0) / scale], [max(high - value, 0.0) / scale]]
        cdf_ax.errorbar(value / scale, share, xerr=spread, fmt="o", color=hue, mec=DATA,
                        mew=0.6, capsize=4, zorder=5)  # fmt: skip
        text = f"{name} {value / scale:.3g} {unit} (95%: {low / scale:.3g}-{high / scale:.3g})"
        offset, align = _beside(low / reach, high / reach)
        x = {"right": low, "left": high, "center": value}[align] / scale
        cdf_ax.annotate(text, (x, share), xytext=offset, textcoords="offset points",
                        ha=align, va="center" if align != "center" else "bottom",
                        fontsize=8, color=DATA)  # fmt: skip


def _beside(low: float, high: float) -> tuple[tuple[float, float], str]:
    """Where a mark's words go, given its interval as shares of the x axis: left of it where
    there is room (above a CDF, to its left, is empty), else right of it, else above it: an
    offset in points and the text's alignment."""
    if low > 0.3:
        return (-8.0, 0.0), "right"
    if high < 0.7:
        return (8.0, 0.0), "left"
    return (0.0, 6.0), "center"
