"""Demand and hosting: what the models were asked, what was running to answer, and what
each policy of a sweep trades between cost and requests not served at once.

    demand_and_units  one day of one replication: requests per minute (those failed or
                      throttled, and those delayed by a start, marked) against the
                      inference units running, per fleet group
    hosting_frontier  a sweep's variants as points of cost against the share of requests
                      failed, throttled or delayed, the Pareto front drawn through them
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from simulator.analysis.hosting import AVAILABLE
from simulator.analysis.plots.axes import dollar_axis, time_axis
from simulator.analysis.plots.figure import Figure, empty, new_figure, plain
from simulator.analysis.plots.palette import STATUS_COLOURS, Palette
from simulator.analysis.summary import mean_ci
from simulator.errors import UnknownName

DAY_S: Final = 86_400.0
SERIES: Final = (
    ("served at once", "#c7c7c7"),
    ("delayed by a start", STATUS_COLOURS["STARTING"]),
    ("failed, throttled or still waiting", STATUS_COLOURS["rejected"]),
)
"""What the requests of a minute met, stacked in this order, and their colours: grey for
the requests answered as they came, a start's colour for those that waited for one, the
colour of a rejected stop for those that got an error or were still waiting for a start at
the horizon (`pending`): none of them was served."""
UNITS_COLOUR: Final = STATUS_COLOURS["RUNNING"]
"""Running inference units bill: the colour of a billed status."""
UNSERVED: Final = ("requests_failed", "requests_throttled", "requests_delayed")
"""A sweep's metrics (`analysis.hosting.UNIT_METRICS`) that count a request not served at
once."""


def demand_and_units(
    demand: pd.DataFrame,
    transitions: pd.DataFrame,
    groups: Mapping[str, str],
    replication: int = 0,
    day: int | None = None,
) -> Figure:
    """One day (`day`, counted from the start; default the day with the most requests) of
    one replication: per service and fleet group with demand, its requests per minute,
    stacked by what they met, and on a second axis the inference units its models had
    running (RUNNING or HOSTED) at each moment. `groups` gives each resource's group (as
    `plots.resource_groups` finds them)."""
    title = "Requests per minute against running inference units"
    mine = demand[demand["replication"] == replication]
    if mine.empty:
        return empty(title, f"no requests in replication {replication}")
    minute = mine["minute"].to_numpy(np.int64)
    if day is None:
        per_day = np.bincount(minute // 1440, weights=mine["requests"].to_numpy(float))
        day = int(np.argmax(per_day))
    keys = mine[["service", "group"]].astype(str).drop_duplicates()
    pairs = sorted(keys.itertuples(index=False, name=None))
    fig = new_figure(10.0, 1.4 + 2.6 * len(pairs))
    axes = fig.subplots(len(pairs), 1, sharex=True, squeeze=False)[:, 0]
    moves = transitions[transitions["replication"] == replication]
    owner = moves["resource_id"].astype(str).map(groups)
    for ax, (service, group) in zip(axes, pairs, strict=True):
        rows = mine[(mine["service"].astype(str) == service) & (mine["group"].astype(str) == group)]
        ours = moves[(owner == group).to_numpy() & (moves["service"].astype(str) == service)]
        scale = _requests(ax, rows, day)
        _units(ax.twinx(), ours, service, day, scale)
        count = int(rows.loc[rows["minute"] // 1440 == day, "requests"].sum())
        ax.set_title(plain(f"{service}, {group}: {count:,} requests this day"), fontsize=10)
    for ax in axes[:-1]:
        ax.set_xlabel("")
    handles: list[Artist] = [Patch(color=hue, label=label) for label, hue in SERIES]
    handles.append(Line2D([], [], color=UNITS_COLOUR, lw=2, label="inference units running"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=9)
    fig.suptitle(f"{title}: day {day + 1}{_date(mine, day)}, replication {replication}")
    return fig


def _date(rows: pd.DataFrame, day: int) -> str:
    """The day's date in UTC, from the table's UTC minutes (none without them)."""
    if "minute_utc" not in rows or rows.empty:
        return ""
    first = rows.iloc[0]
    start = first["minute_utc"] - pd.Timedelta(minutes=int(first["minute"]))
    return f" ({(start + pd.Timedelta(days=day)):%a %Y-%m-%d} UTC)"


def _requests(ax: Axes, rows: pd.DataFrame, day: int) -> float:
    """The day's requests per minute, stacked: served at once, delayed, failed; return the
    time axis's seconds per unit."""
    minutes = rows["minute"].to_numpy(np.int64) - day * 1440
    inside = (minutes >= 0) & (minutes < 1440)

    def per_minute(values: np.ndarray) -> np.ndarray:
        return np.bincount(minutes[inside], weights=values[inside], minlength=1440)

    served = rows["served"].to_numpy(float)
    delayed = per_minute(rows["delayed"].to_numpy(float))
    failed = per_minute(rows["requests"].to_numpy(float) - served)
    heights = (per_minute(served) - delayed, delayed, failed)
    scale = time_axis(ax, day * DAY_S, (day + 1) * DAY_S)
    edges = (day * DAY_S + 60.0 * np.arange(1441)) / scale
    base = np.zeros(1440)
    for height, (_, hue) in zip(heights, SERIES, strict=True):
        if height.any():
            ax.stairs(base + height, edges, baseline=base, fill=True, color=hue)
        base = base + height
    ax.set_ylabel("requests per minute")
    ax.set_ylim(bottom=0, top=max(1.0, float(base.max())) * 1.1)
    ax.grid(alpha=0.3)
    return scale


def _units(ax: Axes, moves: pd.DataFrame, service: str, day: int, scale: float) -> None:
    """The inference units the group's models had running, a step at each move: a model's
    `units` while in its service's serving status, none otherwise."""
    order = moves.sort_values(["time"], kind="stable")
    resource = order["resource_id"].astype(str)
    serving = order["to_status"].astype(str).to_numpy() == AVAILABLE.get(service)
    running = np.where(serving, order["units"].to_numpy(float), 0.0)
    before = pd.Series(running, index=order.index).groupby(resource).shift(fill_value=0.0)
    change = running - before.to_numpy(float)
    times = order["time"].to_numpy(float)
    low, high = day * DAY_S, (day + 1) * DAY_S
    level = np.cumsum(change)
    at_start = float(level[times <= low][-1]) if (times <= low).any() else 0.0
    within = (times > low) & (times < high)
    at_end = float(level[times < high][-1]) if (times < high).any() else 0.0
    x = np.concatenate([[low], times[within], [high]])
    y = np.concatenate([[at_start], level[within], [at_end]])
    ax.step(x / scale, y, where="post", color=UNITS_COLOUR, lw=2)
    ax.set_ylabel("inference units running", color=UNITS_COLOUR)
    ax.set_ylim(bottom=0, top=max(1.0, float(y.max())) * 1.15)


def hosting_frontier(
    metrics: pd.DataFrame, baseline: str | None = None, service: str | None = None
) -> Figure:
    """A sweep's variants as points: what each billed against the share of its requests
    that were not served at once (failed, throttled or delayed by a start), each the mean
    over replications with its 95% interval on both axes. The Pareto front joins the
    variants no other beats on both; the baseline is ringed.

    `metrics` is a sweep's per-unit metrics (`SweepResults.metrics`); `service` limits it
    to one service's models (default: every service with demand, added up). A service
    without demand in the sweep is an UnknownName that lists those with demand.
    """
    title = "Cost against requests not served at once"
    hosted = sorted({c.partition(".")[0] for c in metrics.columns if c.endswith(".requests")})
    if service is not None and service not in hosted:
        raise UnknownName(
            f"no demand on {service!r} in this sweep; services with demand: "
            f"{', '.join(hosted) or 'none'}"
        )
    chosen = [service] if service is not None else hosted
    if not chosen:
        return empty(title, "no demand in this sweep")
    points = _points(metrics, chosen)
    front = _front(points)
    on_front = [str(v) for v in front["variant"]]
    fig = new_figure(10.0, 7.0)
    ax = fig.subplots()
    palette = Palette()
    for row in points.to_dict("records"):
        variant, usd, share = str(row["variant"]), float(row["usd"]), float(row["share"])
        hue = palette.group(variant)
        ax.errorbar(
            usd, share,
            xerr=[[usd - row["usd_low"]], [row["usd_high"] - usd]],
            yerr=[[share - row["share_low"]], [row["share_high"] - share]],
            fmt="o", color=hue, ms=7, capsize=4, label=plain(variant),
        )  # fmt: skip
        if variant in on_front:  # named beside the point: the ones to choose from, above
            below = on_front.index(variant) % 2  # and below the front in turn, apart
            ax.annotate(plain(variant), (usd, share), xytext=(6, -14 if below else 6),
                        textcoords="offset points", fontsize=9, color=hue)  # fmt: skip
        if variant == baseline:
            ax.plot(usd, share, "o", ms=15, mfc="none", mec="black", mew=1.2,
                    label=plain(f"the baseline ({baseline})"))  # fmt: skip
    ax.step(front["usd"], front["share"], where="post", color="black", lw=1, ls="--",
            label="Pareto front: no variant is cheaper and serves more at once")  # fmt: skip
    ax.set_xlabel("billed over the horizon (USD)")
    ax.set_ylabel("requests failed, throttled or delayed")
    dollar_axis(ax.xaxis)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.margins(0.12)
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="outside lower center", ncols=3)
    runs = int(metrics["replication"].nunique())
    scope = ", ".join(chosen)
    fig.suptitle(
        f"{title} ({scope}): mean over {runs} replications with 95% intervals\n"
        "every variant meets the same demand (common random numbers)",
        fontsize=11,
    )
    return fig


def _points(metrics: pd.DataFrame, services: list[str]) -> pd.DataFrame:
    """Per variant (in the sweep's order): the mean of what it billed and of its share of
    requests not served at once, each with its 95% interval over replications (the share
    is each replication's, then averaged)."""

    def total(names: list[str]) -> pd.Series:
        return metrics[[f"{s}.{name}" for s in services for name in names]].sum(axis=1)

    requests = total(["requests"])
    unserved = total(list(UNSERVED)) / requests.where(requests > 0)
    per = pd.DataFrame(
        {"variant": metrics["variant"], "usd": total(["billed_usd"]), "share": unserved}
    )
    rows = [
        (variant, *mean_ci(mine["usd"]), *mean_ci(mine["share"]))
        for variant, mine in per.groupby("variant", sort=False)
    ]
    columns = ["variant", "usd", "usd_low", "usd_high", "share", "share_low", "share_high"]
    table = pd.DataFrame(rows, columns=columns)
    for bound in columns[2:4] + columns[5:]:  # one replication: no interval, no bar
        table[bound] = table[bound].fillna(table[bound.rsplit("_", 1)[0]])
    return table


def _front(points: pd.DataFrame) -> pd.DataFrame:
    """The variants no other is at least as good as on both axes and better on one, by
    cost: along them the share only falls as the cost rises."""
    ordered = points.sort_values(["usd", "share"], kind="stable")
    best = np.minimum.accumulate(ordered["share"].to_numpy(float))
    better = np.concatenate([[True], ordered["share"].to_numpy(float)[1:] < best[:-1]])
    return ordered[better]
