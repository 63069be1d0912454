"""API attempts over time: first tries, retries, throttles and errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from simulator.analysis.frames import throttles
from simulator.analysis.plots.axes import time_axis
from simulator.analysis.plots.data import group_column, in_order, latest, mean_of, names, runs
from simulator.analysis.plots.figure import Figure, empty, new_figure

CALL_KINDS: Final = (
    ("first attempt succeeded", "#1f77b4"),
    ("retry succeeded", "#17becf"),
    ("throttled", "#ff7f0e"),
    ("other error", "#d62728"),
)
_BIN_WIDTHS: Final = (5.0, 10.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 4 * 3600.0, 86400.0)
_BIN_NAMES: Final = {
    5.0: "5 s", 10.0: "10 s", 60.0: "minute", 300.0: "5 min", 900.0: "15 min",
    1800.0: "30 min", 3600.0: "hour", 4 * 3600.0: "4 h", 86400.0: "day",
}  # fmt: skip


def api_calls(
    calls: pd.DataFrame,
    bins: float | None = None,
    horizon: float | None = None,
    groups: Mapping[str, str] | None = None,
) -> Figure:
    """API attempts per time bin, stacked by result, one panel per service, or per fleet
    group where `groups` (resource id -> group) gives a service's resources several: how
    much of the traffic is retries and throttles, and when.

    The axis runs from the start to `horizon` (s; default: a little after the last call);
    `bins` is the bin width in seconds (default: the shortest of 5 s, 10 s, a minute, 5,
    15 or 30 minutes, an hour... giving at most 200 bins). Counts are the mean per
    replication.
    """
    title = "API attempts by result"
    if calls.empty:
        return empty(title, "no API calls")
    time = calls["time"].to_numpy(float)
    high = horizon if horizon is not None else 1.1 * latest(calls, "time") + 30.0
    width = bins or next((w for w in _BIN_WIDTHS if high / w <= 200), _BIN_WIDTHS[-1])
    per = _BIN_NAMES.get(width, f"{width:g} s")
    edges = np.arange(0.0, high + width, width)
    kind, count = _call_kind(calls), runs(calls)
    rows = _panels(calls, groups)
    fig = new_figure(10.0, 1.6 + 2.2 * len(rows))
    axes = fig.subplots(len(rows), 1, sharex=True, squeeze=False)[:, 0]
    present: set[int] = set()
    for ax, (name, mine) in zip(axes, rows, strict=True):
        scale = time_axis(ax, 0.0, high)
        base = np.zeros(len(edges) - 1)
        for code, (_, hue) in enumerate(CALL_KINDS):
            height = np.histogram(time[mine & (kind == code)], edges)[0] / count
            if height.any():
                present.add(code)
                ax.stairs(base + height, edges / scale, baseline=base, fill=True, color=hue)
            base += height
        over = f" over {count} replications" if count > 1 else ""
        ax.set_title(f"{name}: {int(mine.sum()):,} attempts{over}", fontsize=10)
        ax.set_ylabel(f"attempts per {per}")
        ax.grid(alpha=0.3)
    for ax in axes[:-1]:
        ax.set_xlabel("")
    handles = [Patch(color=hue, label=label) for label, hue in CALL_KINDS]
    fig.legend(
        handles=[handles[code] for code in sorted(present)],
        loc="outside lower center",
        ncols=len(present),
        fontsize=9,
    )
    fig.suptitle(f"{title}, per {per} ({mean_of(count)})")
    return fig


def _panels(calls: pd.DataFrame, groups: Mapping[str, str] | None) -> list[tuple[str, np.ndarray]]:
    """Each panel's title and which calls it holds: a service's, or where its calls name
    resources of several groups, each group's (calls naming no grouped resource last)."""
    found: list[tuple[str, np.ndarray]] = []
    for service in names(calls["service"]):
        mine = (calls["service"] == service).to_numpy()
        owner = group_column(calls.loc[mine, "resource_id"], groups)
        if owner is None:
            found.append((service, mine))
            continue
        for group in in_order(owner):
            ours = mine.copy()
            ours[mine] = (owner == group).to_numpy()
            found.append((f"{service}, fleet group {group}", ours))
    return found


def _call_kind(calls: pd.DataFrame) -> np.ndarray:
    """0 a first attempt that succeeded, 1 a retry that succeeded, 2 throttled, 3 another
    error: the index into CALL_KINDS."""
    error = calls["error_code"].astype(object)
    failed = error.notna().to_numpy() | (calls["http_status"].to_numpy(int) >= 400)
    throttled = throttles(calls)
    retry = calls["attempt"].to_numpy(int) > 1
    return np.where(throttled, 2, np.where(failed, 3, np.where(retry, 1, 0)))
