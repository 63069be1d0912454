"""How long stops take: the share of stops ended within each latency, per service."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter
from matplotlib.transforms import ScaledTranslation, Transform

from simulator.analysis.plots.axes import duration_unit
from simulator.analysis.plots.data import groups, names, pooled
from simulator.analysis.plots.figure import Figure, empty, new_figure, panels
from simulator.analysis.plots.palette import Palette

UNENDED: Final = ("rejected", "stuck", "in_flight")
"""Outcomes of stops that have no stop latency."""
_PERCENTILES: Final = ((50, "o"), (95, "s"), (99, "^"))
_LINE: Final = 1.4
"""A line of text's height, descenders and parentheses included, per point of its size."""
_GAP: Final = 4.0
"""Points between the x label and the legend below it."""


def latency_ecdf(stops: pd.DataFrame) -> Figure:
    """Per service, the share of stops that had ended within each latency: a curve per
    fleet group where the service's fleet has several (the groups are what a scenario
    compares: three Lambda timeouts, clean against kept), else a curve per outcome.

    Solid: from the request to the terminal status (when billing ends); dashed: to the
    caller seeing it (when a script would move on). The gap between them is polling. Stops
    that never ended (rejected, stuck, in flight) have no latency: each panel's title counts
    them, so a fast curve over few stops does not hide them.
    """
    title = "Stop latency: request to terminal status (solid), to caller seeing it (dashed)"
    if stops.empty:
        return empty(title, "no stops")
    ended = stops[stops["stop_latency_s"].notna()]
    seen = (ended["observed_at"] - ended["requested_at"]).to_numpy(float)
    spread = np.concatenate([ended["stop_latency_s"].to_numpy(float), seen[~np.isnan(seen)]])
    scale, unit = duration_unit(float(np.percentile(spread, 99)) if len(spread) else 0.0)
    services = names(stops["service"])
    fig = new_figure(5.6 * len(services) + 1.0, 4.8)
    palette = Palette()
    for ax, service in zip(panels(fig, len(services)), services, strict=True):
        _panel(ax, stops[stops["service"] == service], service, scale, unit, palette)
    fig.suptitle(f"{title}\n{pooled(stops)}")
    return fig


def _panel(
    ax: Axes, stops: pd.DataFrame, service: str, scale: float, unit: str, palette: Palette
) -> None:
    outcomes = stops["outcome"].astype(str)
    missing = {name: int((outcomes == name).sum()) for name in UNENDED}
    note = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in missing.items() if n)
    note = f"not shown (no latency): {note}" if note else "all ended"
    ax.set_title(f"{service}: {len(stops):,} stops; {note}", fontsize=10)
    ended = stops[stops["stop_latency_s"].notna()]
    fleet = groups(stops)
    if len(fleet) > 1:
        curves = [(g, ended[ended["group"].astype(str) == g], palette.group(g)) for g in fleet]
        what = "fleet group"
    else:
        kinds = outcomes[stops["stop_latency_s"].notna()]
        curves = [(o, ended[kinds == o], palette.status(o)) for o in names(kinds)]
        what = "outcome"
    drawn = [_curve(ax, name, mine, hue, scale, unit) for name, mine, hue in curves]
    handles = [h for h in drawn if h is not None]
    if not handles:
        ax.text(0.5, 0.5, "no stop ended", transform=ax.transAxes, ha="center", va="center")
    styles = [("-", "to terminal status"), ("--", "to caller seeing it")]
    handles += [Line2D([], [], color="black", ls=ls, label=text) for ls, text in styles]
    symbols = tuple(Line2D([], [], marker=m, ls="", color="w", mec="k") for _, m in _PERCENTILES)
    labels = [str(h.get_label()) for h in handles] + ["p50, p95, p99 (dotted)"]
    ax.legend(
        [*handles, symbols],
        labels,
        handler_map={tuple: HandlerTuple(ndivide=None)},
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=ax.transAxes + _below_x_label(ax),
        fontsize=8,
        title=f"by {what}" if curves else None,
        title_fontsize=8,
    )
    ax.set_xlabel(f"time since stop request ({unit})")
    ax.set_ylabel("share of ended stops")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.grid(alpha=0.3)


def _below_x_label(ax: Axes) -> Transform:
    """A shift down from the axes' bottom edge past its tick marks, tick labels and x label
    (and a gap): where the legend starts so it never covers them. Measured in points from
    the sizes the axis is drawn with, so it holds at any figure height or DPI, where a
    fraction of the axes' height (the -0.14 this replaced) put the legend over the label."""
    size = rcParams["xtick.major.size"] + rcParams["xtick.major.pad"]
    ticks = FontProperties(size=rcParams["xtick.labelsize"]).get_size_in_points()
    label = FontProperties(size=rcParams["axes.labelsize"]).get_size_in_points()
    points = size + _LINE * ticks + rcParams["axes.labelpad"] + _LINE * label + _GAP
    return ScaledTranslation(0.0, -points / 72.0, ax.figure.dpi_scale_trans)


def _curve(
    ax: Axes, name: str, stops: pd.DataFrame, hue: str, scale: float, unit: str
) -> Line2D | None:
    """The ECDFs of one group's or outcome's stops, its percentiles marked; its legend
    entry, or None when none of them ended."""
    latency = np.sort(stops["stop_latency_s"].to_numpy(float)) / scale
    if not len(latency):
        return None
    seen = (stops["observed_at"] - stops["requested_at"]).dropna().to_numpy(float) / scale
    _ecdf(ax, latency, hue, "-")
    _ecdf(ax, np.sort(seen), hue, "--")
    marks = np.percentile(latency, [q for q, _ in _PERCENTILES])
    for (q, marker), x in zip(_PERCENTILES, marks, strict=True):
        ax.plot([x, x], [0, q / 100], ls=":", lw=1.2, color=hue)
        ax.plot(x, q / 100, marker, color=hue, mec="black", mew=0.6, ms=6)
    values = ", ".join(f"p{q} {x:.3g}" for (q, _), x in zip(_PERCENTILES, marks, strict=True))
    return Line2D([], [], color=hue, lw=2, label=f"{name} (n={len(latency):,}): {values} {unit}")


def _ecdf(ax: Axes, values: np.ndarray, hue: str, style: str) -> None:
    if len(values):
        shares = np.arange(1, len(values) + 1) / len(values)
        ax.step(np.append(0.0, values), np.append(0.0, shares), where="post", color=hue, ls=style)
