"""Every hosted model's inference requests, drawn up front as arrays (`draw_arrivals`).

A group's requests are a Poisson process whose rate is constant on each segment of the
run: the minutes (in UTC, which are the time zone's minutes too, as zones are offset by
whole minutes) cut further at every burst's edges. Per segment the group's count is one
Poisson draw of (rate x profile x bursts x length); each request goes to a model by the
group's popularity shares (splitting a Poisson process keeps each part Poisson, at its
share of the rate) and lands uniformly within its segment. A replay of per-minute counts
places exactly each row's count uniformly within its minute (a group's row split across
its models by popularity): minutes from the start, or an ISO timestamp's UTC minute, where
it is even when the start is not on a whole minute. So a month of millions of requests
costs a few array operations per segment and per request, never a Python step per request.

Every draw of group G is on stream `demand.G` (its lognormal shares on
`demand.G.popularity`): a policy, a caller or another group changes nothing of G's
requests, and replication k of two variants of a sweep sees the same ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import numpy as np
import pandas as pd

from simulator.engine.rng import Streams
from simulator.scenario.counts import minutes_from
from simulator.scenario.demand import Demand, hosted_models
from simulator.scenario.model import Scenario

MINUTE: Final = 60.0
_EMPTY: Final = np.zeros(0)


@dataclass(frozen=True)
class Hosted:
    """One hosted model with demand: its service, id, group and the group's demand."""

    service: str
    resource_id: str
    group: str
    demand: Demand


class Arrivals:
    """The arrival times of every model with demand: for each, sorted seconds from the
    start in [0, horizon), as one array cut by `offsets` (a model's are a view of it)."""

    def __init__(self, models: list[Hosted], times: np.ndarray, offsets: np.ndarray) -> None:
        self.models = models
        self.times = times
        self.offsets = offsets
        self._index = {m.resource_id: i for i, m in enumerate(models)}

    @classmethod
    def none(cls) -> Arrivals:
        """No request at all: what a run that derives nothing of its demand holds."""
        return cls([], _EMPTY, np.zeros(1, dtype=np.int64))

    def of(self, resource_id: str) -> np.ndarray:
        """The model's arrival times, sorted (empty for a model without demand)."""
        index = self._index.get(resource_id)
        if index is None:
            return _EMPTY
        return self.times[self.offsets[index] : self.offsets[index + 1]]

    def __iter__(self) -> Iterator[tuple[Hosted, np.ndarray]]:
        for index, model in enumerate(self.models):
            yield model, self.times[self.offsets[index] : self.offsets[index + 1]]

    def __len__(self) -> int:
        """How many requests arrive in all."""
        return len(self.times)


def draw_arrivals(scenario: Scenario, streams: Streams) -> Arrivals:
    """Every model's arrivals in replication `streams` of `scenario` (none without
    `demand:`), groups in the scenario's order, models as the fleet numbers them."""
    groups = hosted_models(scenario) if scenario.demand else {}  # a fleet-long list
    models: list[Hosted] = []
    parts: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    for demand in scenario.demand:
        members = groups[demand.group]
        models += [Hosted(service, rid, demand.group, demand) for service, rid, _ in members]
        times, counts = _group(demand, [rid for _, rid, _ in members], scenario, streams)
        parts.append(times)
        sizes.append(counts)
    offsets = np.zeros(len(models) + 1, dtype=np.int64)
    if models:
        np.cumsum(np.concatenate(sizes), out=offsets[1:])
    return Arrivals(models, np.concatenate(parts) if parts else _EMPTY, offsets)


def _group(
    demand: Demand, ids: list[str], scenario: Scenario, streams: Streams
) -> tuple[np.ndarray, np.ndarray]:
    """The group's arrivals, model after model (each model's sorted), and each one's count."""
    generator = streams.generator(f"demand.{demand.group}")
    shares = _shares(demand, len(ids), streams)
    if demand.replay is not None:
        begin, end, counts, owner = _replayed(demand, ids, scenario)
    else:
        edges = _edges(demand, scenario.start, scenario.horizon)
        begin, end = edges[:-1], edges[1:]
        rate = (demand.rate * len(ids)) if demand.rate is not None else (demand.total or 0.0)
        counts = generator.poisson(rate * _factors(demand, scenario.start, edges) * (end - begin))
        owner = None
    segment = np.repeat(np.arange(len(counts)), counts)
    times = begin[segment] + generator.random(len(segment)) * (end - begin)[segment]
    np.minimum(times, np.nextafter(end[segment], -np.inf), out=times)  # rounding: < end
    if owner is None:
        # the model a request goes to is drawn apart from its time: sort the times, then
        # draw the models, and a stable sort by model (radix for 16 bits) keeps each
        # model's times in order; a third of a sort of (model, time) pairs
        times.sort()
        owner = _owners(generator, shares, len(times))
        narrow = owner.astype(np.uint16) if len(ids) <= 1 << 16 else owner
        order = np.argsort(narrow, kind="stable")
    else:  # a replayed row's requests are its model's
        owner = np.repeat(owner, counts)
        order = np.lexsort((times, owner))
    return times[order], np.bincount(owner, minlength=len(ids))


def _owners(generator: np.random.Generator, shares: np.ndarray, count: int) -> np.ndarray:
    """The model each of `count` requests goes to, by `shares`."""
    if len(shares) == 1:
        return np.zeros(count, dtype=np.int64)
    cumulative = np.cumsum(shares)
    cumulative[-1] = 1.0
    return np.searchsorted(cumulative, generator.random(count), side="right").astype(np.int64)


def _shares(demand: Demand, count: int, streams: Streams) -> np.ndarray:
    """Each model's share of the group's requests (they sum to 1)."""
    popularity = demand.popularity
    if popularity.kind == "zipf":
        weights = np.arange(1, count + 1, dtype=float) ** -(popularity.s or 1.0)
    elif popularity.kind == "lognormal":
        generator = streams.generator(f"demand.{demand.group}.popularity")
        weights = generator.lognormal(0.0, popularity.sigma or 1.0, count)
    else:
        weights = np.ones(count)
    shares: np.ndarray = weights / weights.sum()
    return shares


def _edges(demand: Demand, start: datetime, horizon: float) -> np.ndarray:
    """The segments' edges, seconds from the start: 0, every whole UTC minute, every burst's
    start and end within the run, and the horizon."""
    first = (MINUTE - (start.second + start.microsecond / 1e6)) % MINUTE
    cuts = [np.array([0.0, horizon]), np.arange(first, horizon, MINUTE)]
    for burst in demand.bursts:
        begins = _burst_begins(burst.at, burst.every, burst.first, horizon)
        cuts += [begins, begins + burst.duration]
    edges = np.unique(np.concatenate(cuts))
    return edges[(edges >= 0.0) & (edges <= horizon)]


def _burst_begins(
    at: float | None, every: float | None, first: float, horizon: float
) -> np.ndarray:
    if every is None:
        return np.array([at]) if at is not None and at < horizon else _EMPTY
    return np.arange(first, horizon, every)


def _factors(demand: Demand, start: datetime, edges: np.ndarray) -> np.ndarray:
    """Each segment's multiplier: the profile's at its start's local minute and weekday,
    times every burst covering it (a segment lies wholly in or out of each burst)."""
    begins = edges[:-1]
    moments = pd.Timestamp(start) + pd.to_timedelta(np.floor(begins * 1e6), unit="us")
    local = pd.DatetimeIndex(moments).tz_convert(demand.profile.time_zone)
    minute = np.asarray(local.hour * 60 + local.minute)
    day = np.asarray(local.day_of_week)
    factors: np.ndarray = np.asarray(demand.profile.minute_factors())[minute]
    factors = factors * np.asarray(demand.profile.day_factors())[day]
    for burst in demand.bursts:
        if burst.every is None:
            assert burst.at is not None
            inside = (begins >= burst.at) & (begins < burst.at + burst.duration)
        else:
            since = begins - burst.first
            inside = (since >= 0) & (np.mod(since, burst.every) < burst.duration)
        factors = np.where(inside, factors * burst.multiplier, factors)
    return factors


def _replayed(
    demand: Demand, ids: list[str], scenario: Scenario
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """The replay's rows as segments (their minutes, cut at the start and the horizon: a
    timestamp's UTC minute holding the start lands its count in its part within the run),
    their counts, and each row's model (None for a group's rows: split by popularity)."""
    assert demand.replay is not None
    counts_frame = demand.replay.trace
    minutes = minutes_from(counts_frame, scenario.start).to_numpy(dtype=float)
    end = np.minimum(minutes * MINUTE + MINUTE, scenario.horizon)
    begin = np.maximum(minutes * MINUTE, 0.0)
    counts = counts_frame["count"].to_numpy(dtype=np.int64)
    if "resource" not in counts_frame.columns:
        return begin, end, counts, None
    index = {rid: i for i, rid in enumerate(ids)}
    owner = np.array([index[r] for r in counts_frame["resource"]], dtype=np.int64)
    return begin, end, counts, owner
