"""Figures of a run's tables: what a person looks at before reading the numbers.

    latency_ecdf     how long stops take, per service and outcome, with p50/p95/p99
    cost_over_time   cumulative dollars with the stops, and without them (the saving)
    status_timeline  a sample of resources, one bar per status, stop requests marked
    outcome_shares   the share of stops per outcome, per service
    api_calls        API attempts over time: first tries, retries, throttles, errors

Each is a pure function of the tables `simulate` returns (and plain numbers) that returns a
`matplotlib.figure.Figure` built with the object API: no pyplot state, so it renders
headless, shows itself in a notebook and saves with `fig.savefig`. A service, a status and
an outcome have the same colour in every figure. Times are shown from the scenario's start
in hours, days when the axis spans more than three days, minutes when it spans less than
an hour (a burst of stops); never in seconds.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence, Set
from typing import Final

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MultipleLocator, PercentFormatter, StrMethodFormatter

from simulator.analysis.compare import label
from simulator.analysis.frames import throttles

SERVICE_COLOURS: Final[Mapping[str, str]] = {
    "rekognition": "#1f77b4",
    "lookoutvision": "#9467bd",
    "comprehend": "#ff7f0e",
    "neptune": "#2ca02c",
    "sagemaker": "#8c564b",
}
_BILLING, _TRAINING, _STARTING, _STOPPING, _STOPPED = (
    "#d62728", "#ff7f0e", "#9edae5", "#f2b701", "#2ca02c",
)  # fmt: skip
_FAILED, _DELETING, _GONE = "#8c564b", "#7f7f7f", "#c7c7c7"
STATUS_COLOURS: Final[Mapping[str, str]] = {
    # serving or training: billed
    "RUNNING": _BILLING, "HOSTED": _BILLING, "SYSTEM_UPDATING": "#bcbd22",
    "TRAINING": _TRAINING, "TRAINING_IN_PROGRESS": _TRAINING, "InProgress": _TRAINING,
    "COPYING_IN_PROGRESS": "#dbdb8d", "Stored": "#e377c2",
    # on the way up or down
    "SUBMITTED": "#c5b0d5", "STARTING": _STARTING, "STARTING_HOSTING": _STARTING,
    "STOPPING": _STOPPING, "STOPPING_HOSTING": _STOPPING, "STOP_REQUESTED": _STOPPING,
    "Stopping": _STOPPING, "Starting": _STARTING,
    "Executing": _TRAINING, "Running": _TRAINING, "Sent": "#17becf",
    # where a stop ends
    "STOPPED": _STOPPED, "Stopped": _STOPPED,
    "TRAINED": "#1f77b4", "TRAINING_COMPLETED": "#1f77b4", "COPYING_COMPLETED": "#1f77b4",
    "TRAINED_WITH_WARNING": "#aec7e8", "Completed": "#9467bd", "Succeeded": "#9467bd",
    "Finished": "#9467bd", "CompletedWithFailures": "#c49c94", "TimedOut": _FAILED,
    "FAILED": _FAILED, "IN_ERROR": _FAILED, "TRAINING_FAILED": _FAILED,
    "HOSTING_FAILED": _FAILED, "COPYING_FAILED": _FAILED, "Failed": _FAILED,
    "DELETING": _DELETING, "Deleting": _DELETING, "Deleted": _GONE,
    "DEPRECATED": _GONE, "EXPIRED": _GONE,
    # outcomes of a stop that did not end
    "rejected": "#404040", "stuck": "#a50f15", "in_flight": "#bdbdbd",
}  # fmt: skip
UNENDED: Final = ("rejected", "stuck", "in_flight")
"""Outcomes of stops that have no stop latency."""
_SPARE: Final = (
    "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354",
    "#756bb1", "#636363", "#6baed6", "#fd8d3c", "#74c476", "#9e9ac8", "#969696", "#de9ed6",
)  # fmt: skip
CALL_KINDS: Final = (
    ("first attempt succeeded", "#1f77b4"),
    ("retry succeeded", "#17becf"),
    ("throttled", "#ff7f0e"),
    ("other error", "#d62728"),
)
_MAX_POINTS: Final = 20_000
_PERCENTILES: Final = ((50, "o"), (95, "s"), (99, "^"))
_BIN_WIDTHS: Final = (5.0, 10.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 4 * 3600.0, 86400.0)
_BIN_NAMES: Final = {
    5.0: "5 s", 10.0: "10 s", 60.0: "minute", 300.0: "5 min", 900.0: "15 min",
    1800.0: "30 min", 3600.0: "hour", 4 * 3600.0: "4 h", 86400.0: "day",
}  # fmt: skip


def colour(name: str, palette: Mapping[str, str] = STATUS_COLOURS) -> str:
    """The colour of a status, outcome or (with SERVICE_COLOURS) service; a name not in the
    palette gets a spare colour chosen from its text, so it too is the same in every figure."""
    return palette.get(name) or _SPARE[zlib.crc32(name.encode()) % len(_SPARE)]


def latency_ecdf(stops: pd.DataFrame) -> Figure:
    """Per service, the share of stops that had ended within each latency, per outcome.

    Solid: from the request to the terminal status (when billing ends); dashed: to the
    caller seeing it (when a script would move on). The gap between them is polling. Stops
    that never ended (rejected, stuck, in flight) have no latency: each panel's title counts
    them, so a fast curve over few stops does not hide them.
    """
    title = "Stop latency: request to terminal status (solid), to caller seeing it (dashed)"
    if stops.empty:
        return _empty(title, "no stops")
    ended = stops[stops["stop_latency_s"].notna()]
    seen = (ended["observed_at"] - ended["requested_at"]).to_numpy(float)
    spread = np.concatenate([ended["stop_latency_s"].to_numpy(float), seen[~np.isnan(seen)]])
    scale, unit = _duration_unit(float(np.percentile(spread, 99)) if len(spread) else 0.0)
    services = _names(stops["service"])
    fig = _figure(5.6 * len(services) + 1.0, 4.8)
    for ax, service in zip(_row(fig, len(services)), services, strict=True):
        _latency_panel(ax, stops[stops["service"] == service], service, scale, unit)
    fig.suptitle(f"{title}\n{_pooled(stops)}")
    return fig


def _latency_panel(ax: Axes, stops: pd.DataFrame, service: str, scale: float, unit: str) -> None:
    outcomes = stops["outcome"].astype(str)
    missing = {name: int((outcomes == name).sum()) for name in UNENDED}
    note = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in missing.items() if n)
    note = f"not shown (no latency): {note}" if note else "all ended"
    ax.set_title(f"{service}: {len(stops):,} stops; {note}", fontsize=10)
    handles: list[Line2D] = []
    for outcome in _names(outcomes[stops["stop_latency_s"].notna()]):
        mine = stops[outcomes == outcome]
        hue = colour(outcome)
        latency = np.sort(mine["stop_latency_s"].to_numpy(float)) / scale
        seen = (mine["observed_at"] - mine["requested_at"]).dropna().to_numpy(float) / scale
        _ecdf(ax, latency, hue, "-")
        _ecdf(ax, np.sort(seen), hue, "--")
        marks = np.percentile(latency, [q for q, _ in _PERCENTILES])
        for (q, marker), x in zip(_PERCENTILES, marks, strict=True):
            ax.plot([x, x], [0, q / 100], ls=":", lw=1.2, color=hue)
            ax.plot(x, q / 100, marker, color=hue, mec="black", mew=0.6, ms=6)
        values = ", ".join(f"p{q} {x:.3g}" for (q, _), x in zip(_PERCENTILES, marks, strict=True))
        label = f"{outcome} (n={len(latency):,}): {values} {unit}"
        handles.append(Line2D([], [], color=hue, lw=2, label=label))
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
        bbox_to_anchor=(0.5, -0.14),
        fontsize=8,
    )
    ax.set_xlabel(f"time since stop request ({unit})")
    ax.set_ylabel("share of ended stops")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.grid(alpha=0.3)


def _ecdf(ax: Axes, values: np.ndarray, hue: str, style: str) -> None:
    if len(values):
        shares = np.arange(1, len(values) + 1) / len(values)
        ax.step(np.append(0.0, values), np.append(0.0, shares), where="post", color=hue, ls=style)


def cost_over_time(
    costs: pd.DataFrame,
    baseline: pd.DataFrame | None = None,
    horizon: float | None = None,
    replications: int | None = None,
) -> Figure:
    """Cumulative dollars, one panel per service (their bills differ by orders of
    magnitude), mean over replications: solid with the stops, dashed without them
    (`baseline`, the same run with nothing stopped), so the gap is the saving.

    Computed exactly from the billed rows (each accrues linearly from start to end), not
    sampled. `horizon` (s) ends the curves (default: the last billed second); the mean
    divides by `replications` (default: how many replications the tables hold).
    """
    title = "Cumulative cost" + ", with stops (solid) and without (dashed)" * (baseline is not None)
    tables = [costs] if baseline is None else [costs, baseline]
    if all(table.empty for table in tables):
        return _empty(title, "no costs")
    end = horizon if horizon is not None else max(_latest(t, "end") for t in tables)
    runs = replications or max(_runs(t) for t in tables)
    scale, unit = _time_unit(end)
    services = sorted(set().union(*(_names(t["service"]) for t in tables)))
    fig = _figure(max(8.0, 5.0 * min(3, len(services)) + 1.0), 4.6 * (1 + (len(services) > 3)))
    for ax, service in zip(_row(fig, len(services)), services, strict=True):
        hue = colour(service, SERVICE_COLOURS)
        x, y = _cumulative(costs[costs["service"] == service], end)
        ax.plot(x / scale, y / runs, color=hue, lw=2)
        if baseline is not None:
            bx, by = _cumulative(baseline[baseline["service"] == service], end)
            ax.plot(bx / scale, by / runs, color=hue, lw=1.5, ls="--")
            _saving(ax, end / scale, y[-1] / runs, by[-1] / runs, hue)
        ax.set_title(f"{service}: ${y[-1] / runs:,.0f} with stops", fontsize=10)
        ax.set_xlabel(f"time since start ({unit})")
        ax.set_ylabel("cumulative cost (USD)")
        ax.yaxis.set_major_formatter(StrMethodFormatter("${x:,.0f}"))
        _time_ticks(ax, unit, end / scale)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    styles = [("-", "with stops")] + [("--", "without stops")] * (baseline is not None)
    handles = [Line2D([], [], color="black", ls=ls, label=label) for ls, label in styles]
    fig.legend(handles=handles, loc="outside lower center", ncols=2)
    fig.suptitle(f"{title} ({_mean_of(runs)})")
    return fig


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


def _saving(ax: Axes, x: float, spent: float, without: float, hue: str) -> None:
    saved = without - spent
    percent = 100 * saved / without if without > 0 else np.nan
    share = "" if np.isnan(percent) else f" ({percent:.{0 if abs(percent) >= 10 else 1}f}%)"
    ax.annotate("", (x, spent), (x, without), arrowprops={"arrowstyle": "<->", "color": hue})
    ax.annotate(
        f"saved ${saved:,.0f}{share}",
        (x, (spent + without) / 2),
        xytext=(-8, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        color=hue,
        fontweight="bold",
        bbox={"fc": "white", "ec": hue, "alpha": 0.9},
    )


def status_timeline(
    transitions: pd.DataFrame,
    stops: pd.DataFrame | None = None,
    sample: int = 20,
    replication: int = 0,
    seed: int = 0,
    horizon: float | None = None,
) -> Figure:
    """What a sample of resources did over one replication: a bar per status held, stop
    requests marked with a triangle (hollow when the stop was rejected or unanswered).
    Reading across a row shows how long after its request a resource kept a billed status.

    The sample (at most `sample` resources, chosen with `seed`) prefers resources that got
    stop requests when `stops` is given, and leaves out parts (`<job>/<part>` beside their
    job, billed on their own): a stop is sent to the job. The time axis ends soon after
    the sample's last change, not at `horizon` (s): the statuses at its right edge hold
    until then, and minutes of STOPPING stay visible in a month-long run.
    """
    moves = transitions[transitions["replication"] == replication]
    requests = None if stops is None else stops[stops["replication"] == replication]
    title = f"Status over time, replication {replication}"
    if moves.empty:
        return _empty(title, "no transitions")
    chosen, total = _sample(moves, requests, sample, seed)
    moves = moves[moves["resource_id"].isin(chosen)]
    if requests is not None:
        requests = requests[requests["resource_id"].isin(chosen)]
    last = _latest(moves, "time")
    if requests is not None:
        last = max(last, _latest(requests, "requested_at"))
    shown = _span(0.0, last, horizon)[1]
    end = horizon if horizon is not None else shown
    scale, unit = _time_unit(shown)
    fig = _figure(11.0, 1.6 + 0.3 * len(chosen))
    ax = fig.subplots()
    present: dict[str, None] = {}  # the statuses drawn, in order of appearance
    for row, resource in enumerate(chosen):
        held = moves[moves["resource_id"] == resource].sort_values("time", kind="stable")
        present.update(dict.fromkeys(_bars(ax, row, held, end, scale)))
        if requests is not None:
            _stop_marks(ax, row, requests[requests["resource_id"] == resource], scale)
    ax.set_yticks(range(len(chosen)), _short_names(chosen), fontsize=7)
    ax.set_ylim(len(chosen) - 0.5, -0.7)
    ax.set_xlim(0, shown / scale)
    _time_ticks(ax, unit, shown / scale)
    scale_end, unit_end = _time_unit(end)
    note = f"; the last statuses hold to the horizon, {end / scale_end:.3g} {unit_end}"
    ax.set_xlabel(f"time since start ({unit}){note if shown < end else ''}")
    services = _names(moves["service"])
    what = f"{services[0]} resources" if len(services) == 1 else "resources"
    ax.set_title(f"{title}: {len(chosen)} of {total} {what}")
    handles: list[Patch | Line2D] = [Patch(color=colour(s), label=s) for s in present]
    if requests is not None:
        handles += [
            Line2D([], [], marker="v", ls="", mfc=fill, mec="black", label=f"stop {label}")
            for fill, label in (("black", "accepted"), ("white", "rejected or unanswered"))
        ]
    fig.legend(handles=handles, loc="outside right upper", title="status", fontsize=8)
    return fig


def _bars(ax: Axes, row: int, held: pd.DataFrame, end: float, scale: float) -> list[str]:
    """One resource's statuses as bars, each until the next transition or `end`."""
    start = held["time"].to_numpy(float)
    width = np.append(start[1:], max(end, start[-1])) - start
    statuses = held["to_status"].astype(str).tolist()
    spans = list(zip(start / scale, width / scale, strict=True))
    ax.broken_barh(spans, (row - 0.4, 0.8), facecolors=[colour(s) for s in statuses])
    return statuses


def _stop_marks(ax: Axes, row: int, requests: pd.DataFrame, scale: float) -> None:
    """A triangle above the bar at each stop request: filled if accepted, else hollow."""
    accepted = requests["accepted"].fillna(False).to_numpy(bool)
    at = requests["requested_at"].to_numpy(float) / scale
    for taken, fill in ((accepted, "black"), (~accepted, "white")):
        ax.plot(at[taken], np.full(taken.sum(), row - 0.42), "v", mfc=fill, mec="black")


def _sample(
    moves: pd.DataFrame, requests: pd.DataFrame | None, size: int, seed: int
) -> tuple[list[str], int]:
    """`size` resource ids chosen with `seed`, in natural order, and how many resources
    there were to choose from. Stopped resources come first, an even share of each stop
    outcome before the rest (a stuck execution among a hundred stopped ones is what the
    figure is looked at for), then resources nobody stopped."""
    ids = {str(r) for r in moves["resource_id"].unique()}
    whole = sorted((r for r in ids if not _is_part(r, ids)), key=_natural)
    outcomes: dict[str, set[str]] = {}
    if requests is not None and "outcome" in requests:
        for outcome, resources in requests.groupby("outcome", observed=True)["resource_id"]:
            outcomes[str(outcome)] = {str(r) for r in resources}
    elif requests is not None:
        outcomes["stopped"] = {str(r) for r in requests["resource_id"].unique()}
    share = max(1, size // max(1, len(outcomes)))
    pools = [(share, [r for r in whole if r in of]) for of in outcomes.values()]
    stopped = set().union(*outcomes.values())
    pools += [(size, [r for r in whole if r in stopped]), (size, whole)]
    rng = np.random.default_rng(seed)
    chosen: list[str] = []
    for most, pool in pools:
        pool = [r for r in pool if r not in chosen]
        take = min(most, size - len(chosen), len(pool))
        chosen += [pool[i] for i in rng.choice(len(pool), take, replace=False)]
    return sorted(chosen, key=_natural), len(whole)


def _is_part(resource: str, ids: Set[str]) -> bool:
    """A part is named `<owner>/<part>` after a resource of the same run: a bare "/" is not
    enough, ARNs have them too. (So a part never comes alone: its owner is there.)"""
    owner, slash, _ = resource.rpartition("/")
    return bool(slash) and owner in ids


def _short_names(ids: Sequence[str]) -> list[str]:
    """Resource ids without what they all share (the ARN's account and region, the
    resource type), so the distinguishing end stays readable."""
    names = [i.split(":", 5)[-1] if i.startswith("arn:") else i for i in ids]
    parts = [n.split("/") for n in names]
    shared = 0
    while len(parts) > 1 and all(
        len(p) > shared + 1 and p[shared] == parts[0][shared] for p in parts
    ):
        shared += 1
    return ["/".join(p[shared:]) for p in parts]


def outcome_shares(stops: pd.DataFrame) -> Figure:
    """Per service, how stop requests ended, as shares of all of them with their counts: the
    rejected, stuck and in-flight shares are the stops that left resources billing."""
    title = "Stop outcomes by service"
    if stops.empty:
        return _empty(title, "no stops")
    counts = pd.crosstab(stops["service"].astype(str), stops["outcome"].astype(str))
    ended = sorted(o for o in counts.columns if o not in UNENDED)
    counts = counts[ended + [o for o in UNENDED if o in counts.columns]]
    shares = counts.div(counts.sum(axis=1), axis=0)
    fig = _figure(9.0, 1.9 + 0.55 * len(counts))
    ax = fig.subplots()
    left = np.zeros(len(counts))
    rows = np.arange(len(counts))
    for outcome in counts.columns:
        width = shares[outcome].to_numpy(float)
        ax.barh(rows, width, left=left, height=0.6, color=colour(outcome), label=outcome)
        for row, (x, w, n) in enumerate(zip(left, width, counts[outcome], strict=True)):
            _count_label(ax, x + w / 2, row, w, int(n), colour(outcome))
        left += width
    ax.set_yticks(rows, [f"{s}\n({n:,} stops)" for s, n in counts.sum(axis=1).items()])
    ax.set_ylim(len(counts) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(f"share of stop requests (%); counts over {_pooled(stops)}")
    ax.set_title(title)
    fig.legend(loc="outside lower center", ncols=min(6, len(counts.columns)), title="outcome")
    return fig


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


def api_calls(
    calls: pd.DataFrame, bins: float | None = None, horizon: float | None = None
) -> Figure:
    """API attempts per time bin, stacked by result, one panel per service: how much of the
    traffic is retries and throttles, and when.

    The axis spans the calls (from the start, unless they begin late in the run) and ends
    before `horizon` (s); `bins` is the bin width in seconds (default: the shortest of 5 s,
    10 s, a minute, 5, 15 or 30 minutes, an hour... giving at most 200 bins). Counts are
    the mean per replication.
    """
    title = "API attempts by result"
    if calls.empty:
        return _empty(title, "no API calls")
    time = calls["time"].to_numpy(float)
    low, high = _span(float(time.min()), float(time.max()), horizon)
    width = bins or next((w for w in _BIN_WIDTHS if (high - low) / w <= 200), _BIN_WIDTHS[-1])
    per = _BIN_NAMES.get(width, f"{width:g} s")
    edges = np.arange(low // width * width, high + width, width)
    kind, runs = _call_kind(calls), _runs(calls)
    scale, unit = _time_unit(high - low)
    services = _names(calls["service"])
    fig = _figure(10.0, 1.6 + 2.4 * len(services))
    axes = fig.subplots(len(services), 1, sharex=True, squeeze=False)[:, 0]
    present: set[int] = set()
    for ax, service in zip(axes, services, strict=True):
        mine = (calls["service"] == service).to_numpy()
        base = np.zeros(len(edges) - 1)
        for code, (_, hue) in enumerate(CALL_KINDS):
            height = np.histogram(time[mine & (kind == code)], edges)[0] / runs
            if height.any():
                present.add(code)
                ax.stairs(base + height, edges / scale, baseline=base, fill=True, color=hue)
            base += height
        over = f" over {runs} replications" if runs > 1 else ""
        ax.set_title(f"{service}: {int(mine.sum()):,} attempts{over}", fontsize=10)
        ax.set_ylabel(f"attempts per {per}")
        ax.grid(alpha=0.3)
    axes[-1].set_xlim(low / scale, high / scale)
    _time_ticks(axes[-1], unit, (high - low) / scale)
    axes[-1].set_xlabel(f"time since start ({unit})")
    handles = [Patch(color=hue, label=label) for code, (label, hue) in enumerate(CALL_KINDS)]
    fig.legend(
        handles=[handles[code] for code in sorted(present)],
        loc="outside lower center",
        ncols=len(present),
        fontsize=9,
    )
    fig.suptitle(f"{title}, per {per} ({_mean_of(runs)})")
    return fig


def _call_kind(calls: pd.DataFrame) -> np.ndarray:
    """0 a first attempt that succeeded, 1 a retry that succeeded, 2 throttled, 3 another
    error: the index into CALL_KINDS."""
    error = calls["error_code"].astype(object)
    failed = error.notna().to_numpy() | (calls["http_status"].to_numpy(int) >= 400)
    throttled = throttles(calls)
    retry = calls["attempt"].to_numpy(int) > 1
    return np.where(throttled, 2, np.where(failed, 3, np.where(retry, 1, 0)))


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
    `SweepResults.parameters` give them.
    """
    rows = comparison[comparison["metric"] == metric].merge(parameters, on="variant")
    swept = [str(c) for c in parameters.columns[1:] if parameters[c].astype(str).nunique() > 1]
    x = parameter or (swept[0] if swept else "variant")
    others = [c for c in swept if c != x and rows.groupby(x)[c].nunique().max() > 1]
    values = list(dict.fromkeys(rows[x]))
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    scale, unit = _metric_unit(metric, rows)
    fig = _figure(12.0, 4.8)
    left, right = fig.subplots(1, 2)
    groups = rows.groupby(others, sort=False) if others else [((), rows)]
    for key, group in groups:
        name = ", ".join(f"{_short(c)}={v}" for c, v in zip(others, key, strict=True))
        hue = colour(name) if others else SERVICE_COLOURS["rekognition"]
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
    left.set_ylabel(f"{metric.partition('.')[2]}{f' ({unit})' if unit else ''}")
    right.set_ylabel(f"difference{f' ({unit})' if unit else ''}")
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
        f"{label(metric)}\npaired on common random numbers: replication k of every variant "
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
    label: str | None,
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
                capsize=5, lw=1.5, ms=6, label=label)  # fmt: skip


def _metric_unit(metric: str, rows: pd.DataFrame) -> tuple[float, str]:
    """Seconds as s, min or h, whichever reads best; dollars and shares as they are (their
    axis formats say so)."""
    if metric.endswith("_s"):
        return _duration_unit(float(np.nanmax(np.abs(rows["mean"].to_numpy(float)), initial=0)))
    return 1.0, ""


def _value_axis(ax: Axes, metric: str) -> None:
    if metric.endswith("_usd"):
        ax.yaxis.set_major_formatter(StrMethodFormatter("${x:,.0f}"))
    elif ".share_" in metric:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))


def _short(path: str) -> str:
    """The last part of a dotted path, for a legend."""
    return path.rsplit(".", 1)[-1]


# -- shared --------------------------------------------------------------------------------


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _row(fig: Figure, count: int) -> list[Axes]:
    """`count` axes side by side, or in two rows when there are more than three."""
    columns = count if count <= 3 else (count + 1) // 2
    grid = fig.subplots((count + columns - 1) // columns, columns, squeeze=False)
    for spare in grid.ravel()[count:]:
        spare.set_visible(False)
    return list(grid.ravel()[:count])


def _empty(title: str, message: str) -> Figure:
    """A figure that says there is nothing to draw, instead of failing in a report loop."""
    fig = _figure(6.0, 3.0)
    ax = fig.subplots()
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=14)
    ax.set_axis_off()
    ax.set_title(title)
    return fig


def _names(values: pd.Series) -> list[str]:
    """The distinct values present (not merely among a categorical's categories), sorted."""
    return sorted({str(v) for v in values.dropna().unique()})


def _latest(table: pd.DataFrame, column: str) -> float:
    return float(table[column].max()) if len(table) else 0.0


def _runs(table: pd.DataFrame) -> int:
    return max(1, table["replication"].nunique())


def _mean_of(runs: int) -> str:
    return "1 replication" if runs == 1 else f"mean of {runs} replications"


def _pooled(table: pd.DataFrame) -> str:
    runs = _runs(table)
    return "1 replication" if runs == 1 else f"{runs} replications pooled"


def _time_unit(extent_s: float) -> tuple[float, str]:
    """Hours; days past three days, minutes up to an hour: seconds from the start are
    unreadable, and a burst of a few minutes is lost on an axis in hours."""
    if extent_s > 3 * 86400:
        return 86400.0, "days"
    return (3600.0, "hours") if extent_s > 3600 else (60.0, "minutes")


_TICKS: Final = {
    "days": (1, 2, 5, 7, 14, 28),
    "hours": (0.25, 0.5, 1, 2, 3, 6, 12, 24),
    "minutes": (1, 2, 5, 10, 15, 30),
}


def _time_ticks(ax: Axes, unit: str, extent: float) -> None:
    """At most 10 ticks a round number of days, hours (1, 2, 3, 6, 12) or minutes apart."""
    ticks = _TICKS[unit]
    ax.xaxis.set_major_locator(
        MultipleLocator(next((t for t in ticks if extent / t <= 10), ticks[-1]))
    )


def _span(first_s: float, last_s: float, horizon: float | None) -> tuple[float, float]:
    """The part of the run a time axis shows: from the start, or from a little before the
    first event when that comes late (a burst at 20:00), to a little after the last."""
    pad = 0.1 * (last_s - first_s) + 30.0
    high = min(horizon, last_s + pad) if horizon is not None else last_s + pad
    return (0.0 if first_s < 0.25 * high else first_s - pad), high


def _duration_unit(longest_s: float) -> tuple[float, str]:
    """Seconds, minutes or hours, whichever keeps the longest value under about 600."""
    if longest_s < 600:
        return 1.0, "s"
    return (60.0, "min") if longest_s < 600 * 60 else (3600.0, "h")


def _natural(name: str) -> list[int | str]:
    """Sort key that puts `model-2` before `model-10`."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]
