"""What hosting policies cost and what they cost in availability, per service and fleet
group: the answers to "should we stop models that nobody calls?".

    hosting          per group, the mean over replications and its 95% interval of each of
                     METRICS (Student's t, as `analysis.summary` does)
    per_replication  the same figures, one row per replication and group
    hosting_metrics  one replication's figures per service, for a sweep's comparison

Read from the tables alone: `costs` and `baseline_costs` (the same run with no policy, on
the same demand draws: always-on), `demand` (requests per model and minute, by what they
met), `waits` (a row per request that waited for a start) and `transitions` (the starts,
and when each model could serve).

A policy's start is a move into the service's starting status that a policy caused (its
`cause` is `policy:<name>`; a start the scenario's own request streams sent is not a
policy's doing). It is a cold start when a request found the model not serving for it: a
request that arrived while it was starting (it waited for it, or failed on it), or that
was still waiting for the model when it was sent (it waited for it: it served it, or the
request gave up on it). Every other policy start is a warm start: a schedule's start
before the day's requests, a pre-warm, a budget's restart, none of which a request met. A
request's wait is in `waits` (`on_not_running: wait`, to the second); a request that fails
at once (`fail`) is known only by its minute in `demand` (its failures less those who gave
up waiting), so it makes a start cold when its minute overlaps the start's (the request
that finds a stopped model and starts it comes in the minute the start is sent, unless the
policy first waited for the model to finish stopping across a minute's end).

A model is available while RUNNING (Rekognition Custom Labels) or HOSTED (Lookout
for Vision): the statuses in which DetectCustomLabels and DetectAnomalies answer. Its
share of time available runs from its first status to the horizon, summed over the
group's models (each counts by how long it existed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import numpy as np
import pandas as pd

from simulator.analysis.order import natural_rows
from simulator.analysis.summary import mean_ci
from simulator.api.inference import SERVING

AVAILABLE: Final[Mapping[str, str]] = SERVING
"""The status in which each hosted service's model serves inference requests."""
STARTING: Final[Mapping[str, str]] = {
    "rekognition": "STARTING",
    "lookoutvision": "STARTING_HOSTING",
}
"""The status a start moves a stopped model into."""
POLICY_CAUSE: Final = "policy:"
"""How a transition's `cause` begins when a hosting policy made the move."""
KEYS: Final = ["service", "group"]
COUNTS: Final = ("requests", "served", "throttled", "failed", "pending", "delayed")
"""The columns of `demand` summed: requests = served + throttled + failed + pending (still
waiting for a start at the horizon), delayed of the served."""
PERCENTILES: Final = {"added_p50_s": 50.0, "added_p95_s": 95.0, "added_p99_s": 99.0}
"""The wait added before a delayed request was served, at these percentiles of a
replication's delayed requests (missing where none was delayed)."""
METRICS: Final = (
    "usd",
    "baseline_usd",
    "saved_usd",
    "cold_starts",
    "warm_starts",
    *COUNTS,
    *PERCENTILES,
    "available_share",
)
"""`usd` is what the group billed, `baseline_usd` what it would have always-on, `saved_usd`
their difference (paired on the same draws: its interval is the differences');
`cold_starts` the policy starts a request met, `warm_starts` the others."""
MINUTE: Final = 60.0
"""The width of a `demand` row's minute."""


def owners(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Each resource's service and fleet group (columns resource_id, service, group), from
    the tables that name them: always-on bills every hosted model, so `baseline_costs`
    names even one no request ever reached."""
    frames = [
        tables[name][["resource_id", "service", "group"]].astype(str)
        for name in ("baseline_costs", "costs", "demand", "waits")
        if name in tables and len(tables[name])
    ]
    if not frames:
        return pd.DataFrame(columns=["resource_id", "service", "group"], dtype=str)
    return pd.concat(frames).drop_duplicates("resource_id", ignore_index=True)


def _by_group(frame: pd.DataFrame, column: str | None = None) -> pd.Series:
    """The sum of `column` (the row count without one) per replication, service and group."""
    keyed = frame.assign(service=frame["service"].astype(str), group=frame["group"].astype(str))
    grouped = keyed.groupby(["replication", *KEYS])
    return (grouped.size() if column is None else grouped[column].sum()).astype(float)


def _with_groups(transitions: pd.DataFrame, owned: pd.DataFrame) -> pd.DataFrame:
    """The transitions of the resources `owned` names, with their group."""
    groups = owned.set_index("resource_id")["group"]
    found = transitions["resource_id"].astype(str).map(groups)
    mine = transitions.assign(group=found, service=transitions["service"].astype(str))
    return mine[found.notna()]


def policy_starts(tables: Mapping[str, pd.DataFrame], owned: pd.DataFrame) -> pd.DataFrame:
    """Per replication, service and group: `cold_starts` and `warm_starts` (see the module's
    docstring), as floats."""
    moves = _with_groups(tables["transitions"], owned)
    moves = moves.assign(resource_id=moves["resource_id"].astype(str))
    moves = moves.sort_values(["replication", "resource_id", "time"], kind="stable")
    time = moves["time"].to_numpy(float)
    same = (moves["resource_id"].to_numpy()[1:] == moves["resource_id"].to_numpy()[:-1]) & (
        moves["replication"].to_numpy()[1:] == moves["replication"].to_numpy()[:-1]
    )
    ends = np.append(np.where(same, time[1:], np.inf), np.inf)  # its next move, if any
    starting = moves["to_status"].astype(str) == moves["service"].map(STARTING)
    policy = moves["cause"].astype(str).str.startswith(POLICY_CAUSE)
    chosen = (starting & policy).to_numpy()
    starts = moves[chosen].assign(end=ends[chosen])
    low, high, owner = _unserved(tables)
    cold = _met(starts, low, high, owner)
    keyed = starts.assign(cold=cold.astype(float), warm=(~cold).astype(float))
    return pd.DataFrame(
        {
            "cold_starts": _by_group(keyed, "cold"),
            "warm_starts": _by_group(keyed, "warm"),
        }
    )


def _unserved(tables: Mapping[str, pd.DataFrame]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The requests that found their model not serving, each as the span in which it was
    there to meet a start (from its arrival to the end of its wait; for a failure known by
    its minute only, that minute), and its (replication, resource) as text."""
    waits, demand = tables["waits"], tables["demand"]
    arrived = waits["arrived"].to_numpy(float)
    gave_up = waits[waits["outcome"].astype(str) == "gave up"]
    minute = np.floor(gave_up["arrived"].to_numpy(float) / MINUTE)
    given = pd.Series(1, index=_minutes(gave_up, minute)).groupby(level=[0, 1, 2]).sum()
    failing = demand[demand["failed"].to_numpy() > 0]  # a row per minute of a model
    waited = given.reindex(_minutes(failing, failing["minute"].to_numpy()))
    at_once = failing[failing["failed"].to_numpy(float) > waited.fillna(0).to_numpy()]
    start = at_once["minute"].to_numpy(float) * MINUTE
    low = np.concatenate([arrived, start])
    high = np.concatenate(
        [arrived + waits["waited_s"].to_numpy(float), np.nextafter(start + MINUTE, -np.inf)]
    )
    owner = np.concatenate([_owner(waits), _owner(at_once)])
    return low, high, owner


def _minutes(frame: pd.DataFrame, minute: np.ndarray) -> pd.MultiIndex:
    """Each row's (replication, resource, `minute`)."""
    keys = [frame["replication"].to_numpy(), frame["resource_id"].astype(str).to_numpy(),
            minute.astype(np.int64)]  # fmt: skip
    return pd.MultiIndex.from_arrays(keys)


def _owner(frame: pd.DataFrame) -> np.ndarray:
    return (frame["replication"].astype(str) + "/" + frame["resource_id"].astype(str)).to_numpy(
        dtype=object
    )


def _keys(owner: np.ndarray, time: np.ndarray) -> np.ndarray:
    """(owner, time) as complex numbers, which sort by their real part, then their imaginary
    part (set, not multiplied: 1j * inf would be nan + inf j)."""
    keys = np.empty(len(owner), dtype=complex)
    keys.real, keys.imag = owner, time
    return keys


def _met(starts: pd.DataFrame, low: np.ndarray, high: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Whether a request of the same model met each start (its `time` to its `end`): one
    whose span began before the start ended and had not ended when it was sent. Among a
    model's requests sorted by the span's beginning, those beginning before the end are a
    prefix; the latest end of that prefix (a running maximum) says whether any reaches the
    start."""
    if not len(starts):
        return np.zeros(0, dtype=bool)
    if not len(low):
        return np.zeros(len(starts), dtype=bool)
    codes, _ = pd.factorize(np.concatenate([owner, _owner(starts)]))
    mine, theirs = codes[: len(owner)], codes[len(owner) :]
    order = np.lexsort((low, mine))
    mine, low, high = mine[order], low[order], high[order]
    latest = pd.Series(high).groupby(mine).cummax().to_numpy()
    keys = _keys(mine, low)
    found = np.searchsorted(keys, _keys(theirs, starts["end"].to_numpy(float)), side="left") - 1
    ok = found >= 0
    found = np.maximum(found, 0)
    met: np.ndarray = (
        ok & (mine[found] == theirs) & (latest[found] >= starts["time"].to_numpy(float))
    )
    return met


def available_share(transitions: pd.DataFrame, owned: pd.DataFrame, horizon: float) -> pd.Series:
    """Per replication, service and group: the time its models spent in their service's
    AVAILABLE status over the time they existed (from each one's first status to the
    horizon). Moves at one moment count in the order recorded."""
    moves = _with_groups(transitions, owned)
    moves = moves.assign(resource_id=moves["resource_id"].astype(str))
    moves = moves.sort_values(["replication", "resource_id", "time"], kind="stable")
    time = moves["time"].to_numpy(float)
    resource = moves["resource_id"].to_numpy()
    replication = moves["replication"].to_numpy()
    last = np.ones(len(moves), dtype=bool)  # the last move of its resource
    last[:-1] = (resource[1:] != resource[:-1]) | (replication[1:] != replication[:-1])
    until = np.where(last, horizon, np.roll(time, -1))
    held = np.clip(until, None, horizon) - np.clip(time, None, horizon)
    serving = moves["to_status"].astype(str).to_numpy() == moves["service"].map(AVAILABLE)
    first = np.ones(len(moves), dtype=bool)
    first[1:] = last[:-1]
    timed = moves.assign(
        available=np.where(serving, held, 0.0), existed=np.where(first, horizon - time, 0.0)
    )
    return _by_group(timed, "available") / _by_group(timed, "existed")


def added_latency(waits: pd.DataFrame) -> pd.DataFrame:
    """Per replication, service and group: the percentiles of PERCENTILES of the waits of
    the requests served after waiting (those that gave up are failed requests)."""
    served = waits[waits["outcome"].astype(str) == "served"]
    keyed = served.assign(service=served["service"].astype(str), group=served["group"].astype(str))
    grouped = keyed.groupby(["replication", *KEYS])["waited_s"]
    return pd.DataFrame(
        {name: grouped.quantile(q / 100) for name, q in PERCENTILES.items()},
        columns=list(PERCENTILES),
    )


def counts(tables: Mapping[str, pd.DataFrame], owned: pd.DataFrame) -> pd.DataFrame:
    """Per replication, service and group: dollars with the policies and always-on, the
    saving, cold and warm starts and the requests by what they met (missing where none)."""
    demand = tables["demand"]
    starts = policy_starts(tables, owned)
    return pd.DataFrame(
        {
            "usd": _by_group(tables["costs"], "usd"),
            "baseline_usd": _by_group(tables["baseline_costs"], "usd"),
            "cold_starts": starts["cold_starts"],
            "warm_starts": starts["warm_starts"],
            **{name: _by_group(demand, name) for name in COUNTS},
        }
    )


def per_replication(
    tables: Mapping[str, pd.DataFrame],
    replications: int,
    horizon: float,
    groups: Iterable[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """One row per replication and (service, group) of `groups` (default: those with
    demand), columns `replication`, service, group and METRICS. A replication without
    requests, costs or cold starts in a group has zeros there; the latency percentiles
    are missing where nothing was delayed, the share where the group had no model."""
    owned = owners(tables)
    pairs = list(groups) if groups is not None else _demand_groups(tables)
    index = pd.MultiIndex.from_tuples(
        [(r, service, group) for r in range(replications) for service, group in pairs],
        names=["replication", *KEYS],
    )
    found = counts(tables, owned).reindex(index).fillna(0.0)
    found["saved_usd"] = found["baseline_usd"] - found["usd"]
    latency = added_latency(tables["waits"]).reindex(index)
    share = available_share(tables["transitions"], owned, horizon).reindex(index)
    found = pd.concat([found, latency, share.rename("available_share")], axis=1)
    return found[list(METRICS)].reset_index()


def _demand_groups(tables: Mapping[str, pd.DataFrame]) -> list[tuple[str, str]]:
    named = [tables[name][KEYS].astype(str) for name in ("demand", "waits") if len(tables[name])]
    if not named:
        return []
    return list(pd.concat(named).drop_duplicates().itertuples(index=False, name=None))


def hosting(
    tables: Mapping[str, pd.DataFrame],
    replications: int,
    horizon: float,
    groups: Iterable[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Per service and group (of `groups`, default those with demand), in natural order:
    `replications`, then each of METRICS with `_ci_low` and `_ci_high`, the mean over
    replications and its 95% interval (none from one replication)."""
    columns = [*KEYS, "replications"]
    for metric in METRICS:
        columns += [metric, f"{metric}_ci_low", f"{metric}_ci_high"]
    table = per_replication(tables, replications, horizon, groups)
    rows = []
    for key, rows_of_group in table.groupby(KEYS, sort=False):
        row: dict[str, object] = dict(zip(KEYS, key, strict=True))
        row["replications"] = len(rows_of_group)
        for metric in METRICS:
            mean, low, high = mean_ci(rows_of_group[metric])
            row[metric], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"] = mean, low, high
        rows.append(row)
    return natural_rows(pd.DataFrame(rows, columns=columns), KEYS)


UNIT_METRICS: Final = {
    "requests": "inference requests",
    "requests_failed": "inference requests failed (the model not available, or gave up)",
    "requests_throttled": "inference requests beyond the running units' capacity",
    "requests_delayed": "inference requests served after waiting for a start",
    "requests_pending": "inference requests still waiting for a start at the horizon",
    "cold_starts": "starts a hosting policy made that a request found the model not serving "
    "for (it waited for the start, or failed on it)",
    "warm_starts": "the other starts a hosting policy made (scheduled, pre-warm, restarts)",
}
"""Each, named `<service>.<metric>`, per replication of a sweep, for every service with
demand in the replication."""


def hosting_metrics(tables: Mapping[str, pd.DataFrame]) -> dict[str, float]:
    """One replication's UNIT_METRICS per service with demand (none without demand)."""
    if "demand" not in tables or tables["demand"].empty:
        return {}
    found = counts(tables, owners(tables)).fillna(0.0).groupby(level="service").sum()
    metrics: dict[str, float] = {}
    for service, row in found.iterrows():
        if row["requests"] == 0:
            continue
        figures = {
            "requests": row["requests"],
            "requests_failed": row["failed"],
            "requests_throttled": row["throttled"],
            "requests_delayed": row["delayed"],
            "requests_pending": row["pending"],
            "cold_starts": row["cold_starts"],
            "warm_starts": row["warm_starts"],
        }
        metrics |= {f"{service}.{name}": float(value) for name, value in figures.items()}
    return metrics
