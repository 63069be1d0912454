"""What a sample of resources did over one replication: a bar per status held."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from simulator.analysis.order import natural
from simulator.analysis.plots.axes import time_axis
from simulator.analysis.plots.data import group_column, in_order, latest, names
from simulator.analysis.plots.figure import Figure, empty, new_figure
from simulator.analysis.plots.palette import Palette


def status_timeline(
    transitions: pd.DataFrame,
    stops: pd.DataFrame | None = None,
    sample: int = 20,
    replication: int = 0,
    seed: int = 0,
    horizon: float | None = None,
    groups: Mapping[str, str] | None = None,
    costs: pd.DataFrame | None = None,
) -> Figure:
    """A sample of resources over one replication, a bar per status held, stop requests
    marked with a triangle (hollow when the stop was rejected or unanswered). Reading across
    a row shows how long after its request a resource kept a billed status.

    With `groups` (resource id -> fleet group) naming several groups, a panel per group,
    each with its share of the sample: the groups are what the scenario compares. The
    sample (at most `sample` resources, chosen with `seed`) prefers resources that got stop
    requests when `stops` is given, and leaves out parts (`<job>/<part>` beside their job,
    billed on their own): a stop is sent to the job. Given the `costs`, a part still billed
    after its resource's last change (a kept job's S3 artifacts) gets a row under it: what
    a stop left billing. The time axis ends at `horizon` (s; default: soon after the
    sample's last change), as every time axis of a run does.
    """
    moves = transitions[transitions["replication"] == replication]
    requests = None if stops is None else stops[stops["replication"] == replication]
    title = f"Status over time, replication {replication}"
    if moves.empty:
        return empty(title, "no transitions")
    ids = {str(r) for r in moves["resource_id"].unique()}
    whole = pd.Series(sorted((r for r in ids if not _is_part(r, ids)), key=natural), dtype=str)
    owner = group_column(whole, groups)
    blocks = (
        [("", whole.tolist())]
        if owner is None
        else [(g, whole[owner == g].tolist()) for g in in_order(owner)]
    )
    share = max(1, sample // len(blocks))
    chosen = [_sample(block, requests, share, seed) for _, block in blocks]
    end = horizon if horizon is not None else _end(moves, requests, chosen)
    billed = None if costs is None else costs[costs["replication"] == replication]
    lines = [_rows(resources, ids, moves, billed) for resources in chosen]
    fig = new_figure(11.0, 1.6 + 0.3 * sum(map(len, lines)) + 0.45 * len(blocks))
    axes = fig.subplots(
        len(blocks), 1, sharex=True, squeeze=False,
        height_ratios=[len(rows) + 1.5 for rows in lines],
    )[:, 0]  # fmt: skip
    palette = Palette()
    for ax, (group, block), resources, rows in zip(axes, blocks, chosen, lines, strict=True):
        scale = time_axis(ax, 0.0, end)
        for row, (resource, _) in enumerate(rows):
            held = moves[moves["resource_id"] == resource].sort_values("time", kind="stable")
            _bars(ax, row, held, end, scale, palette)
            if requests is not None:
                _stop_marks(ax, row, requests[requests["resource_id"] == resource], scale)
        short = dict(zip(resources, _short_names(resources), strict=True))
        labels = [short.get(resource, f"\u21b3 {part}") for resource, part in rows]
        ax.set_yticks(range(len(rows)), labels, fontsize=7)
        ax.set_ylim(len(rows) - 0.5, -0.7)
        if group:
            ax.set_title(f"fleet group {group}: {len(resources)} of {len(block)}", fontsize=10)
    for ax in axes[:-1]:
        ax.set_xlabel("")
    services = names(moves["service"])
    what = f"{services[0]} resources" if len(services) == 1 else "resources"
    shown = f"{sum(map(len, chosen))} of {len(whole)} {what}"
    (fig.suptitle if owner is not None else axes[0].set_title)(f"{title}: {shown}")
    handles: list[Patch | Line2D] = [
        Patch(color=hue, label=name) for (_, name), hue in palette.given.items()
    ]
    if requests is not None:
        handles += [
            Line2D([], [], marker="v", ls="", mfc=fill, mec="black", label=f"stop {label}")
            for fill, label in (("black", "accepted"), ("white", "rejected or unanswered"))
        ]
    fig.legend(handles=handles, loc="outside right upper", title="status", fontsize=8)
    return fig


def _rows(
    resources: list[str], ids: Set[str], moves: pd.DataFrame, costs: pd.DataFrame | None
) -> list[tuple[str, str]]:
    """The rows of a panel, (resource id, part name or ""): each resource, and under it
    each of its parts billed after the resource's last change."""
    rows = []
    for resource in resources:
        rows.append((resource, ""))
        parts = sorted((i for i in ids if i.startswith(f"{resource}/")), key=natural)
        if costs is None or not parts:
            continue
        changed = latest(moves[moves["resource_id"] == resource], "time")
        for part in parts:
            if latest(costs[costs["resource_id"] == part], "end") > changed + 1.0:
                rows.append((part, part.removeprefix(f"{resource}/")))
    return rows


def _end(moves: pd.DataFrame, requests: pd.DataFrame | None, chosen: Sequence[list[str]]) -> float:
    """Without a horizon: a little after the sample's last change or stop request."""
    shown = {r for rows in chosen for r in rows}
    last = latest(moves[moves["resource_id"].astype(str).isin(shown)], "time")
    if requests is not None:
        last = max(last, latest(requests[requests["resource_id"].astype(str).isin(shown)],
                                "requested_at"))  # fmt: skip
    return 1.1 * last + 30.0


def _bars(
    ax: Axes, row: int, held: pd.DataFrame, end: float, scale: float, palette: Palette
) -> None:
    """One resource's statuses as bars, each until the next transition or `end`."""
    start = held["time"].to_numpy(float)
    width = np.append(start[1:], max(end, start[-1])) - start
    statuses = held["to_status"].astype(str).tolist()
    spans = list(zip(start / scale, width / scale, strict=True))
    ax.broken_barh(spans, (row - 0.4, 0.8), facecolors=[palette.status(s) for s in statuses])


def _stop_marks(ax: Axes, row: int, requests: pd.DataFrame, scale: float) -> None:
    """A triangle above the bar at each stop request: filled if accepted, else hollow."""
    accepted = requests["accepted"].fillna(False).to_numpy(bool)
    at = requests["requested_at"].to_numpy(float) / scale
    for taken, fill in ((accepted, "black"), (~accepted, "white")):
        ax.plot(at[taken], np.full(taken.sum(), row - 0.42), "v", mfc=fill, mec="black")


def _sample(whole: list[str], requests: pd.DataFrame | None, size: int, seed: int) -> list[str]:
    """`size` of the resources `whole` chosen with `seed`, in natural order. Stopped
    resources come first, an even share of each stop outcome before the rest (a stuck
    execution among a hundred stopped ones is what the figure is looked at for), then
    resources nobody stopped."""
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
    return sorted(chosen, key=natural)


def _is_part(resource: str, ids: Set[str]) -> bool:
    """A part is named `<owner>/<part>` after a resource of the same run: a bare "/" is not
    enough, ARNs have them too. (So a part never comes alone: its owner is there.)"""
    owner, slash, _ = resource.rpartition("/")
    return bool(slash) and owner in ids


def _short_names(ids: Sequence[str]) -> list[str]:
    """Resource ids without what they all share (the ARN's account and region, the
    resource type), so the distinguishing end stays readable."""
    labels = [i.split(":", 5)[-1] if i.startswith("arn:") else i for i in ids]
    parts = [n.split("/") for n in labels]
    shared = 0
    while len(parts) > 1 and all(
        len(p) > shared + 1 and p[shared] == parts[0][shared] for p in parts
    ):
        shared += 1
    return ["/".join(p[shared:]) for p in parts]
