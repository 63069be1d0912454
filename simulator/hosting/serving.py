"""What each inference request met, derived after the run: the `demand` and `waits` tables.

A request to a model arrives at a moment of the model's status timeline (its rows of
`transitions`). If the model is serving then (RUNNING for Rekognition, HOSTED for Lookout
for Vision), it is served, unless its second is full: in each whole second from the start
a model serves its first `capacity_per_unit` x (its inference units then) requests, and
answers the rest with the service's throttling error. If the model is not serving, the
requester fails at once (`on_not_running: fail`, the service's error for a model not
running), or waits (`wait`) for the model's next move into its serving status. The model
then serves those still waiting, one queue in the order they came, at its capacity: the
n-th it serves (from 0) in the n // capacity-th second from the move. A requester whose
turn would come more than `max_wait` after it arrived has given up by then (with the
error) and takes no turn. ASSUMED: the queue goes first (FIFO by arrival: the waiters came
before any request arriving after the move, and a client retrying on the service's
throttling error would meet the backlog the same way), so a request arriving in the
seconds the queue drains finds them ahead of it; the drain lasts `max_wait` at most. AWS
documents no queue at all: the wait is the requester's (its retries), not the service's.

The run sees nothing past the horizon: a request still waiting then (its turn, if any,
not yet come, and its `max_wait` not yet spent) is neither served nor failed, but
`pending` in `demand` and "waiting at the horizon" in `waits`, with the time it had waited.

Everything is arrays: the status in force at each arrival is one `searchsorted` over the
transitions keyed by (model, time) (complex numbers sort by their real part, then their
imaginary part: a lexicographic key that keeps every float exact), the next start one
more, the queue's turns one cumulative minimum, the place of each request in its second
one sort, and the per-minute counts one `reduceat`: a month of millions of requests in
about a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import numpy as np
import pandas as pd

from simulator.api.inference import INFERENCE
from simulator.hosting.demand import MINUTE, Arrivals
from simulator.tables import SCHEMAS, empty, utc_moments

SERVED: Final = "served"
GAVE_UP: Final = "gave up"
THROTTLED: Final = "throttled"
WAITING: Final = "waiting at the horizon"
OUTCOMES: Final = (SERVED, THROTTLED, GAVE_UP, WAITING)
"""A waiting request's outcomes, by the codes `_waits` gives them."""


@dataclass(frozen=True)
class _Timeline:
    """The transitions of the models with demand, by (model, time): the key of each, whether
    it enters the model's serving status, and its units."""

    keys: np.ndarray
    serving: np.ndarray
    units: np.ndarray
    times: np.ndarray


def serve(
    arrivals: Arrivals, transitions: pd.DataFrame, start: datetime, horizon: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The `demand` and `waits` tables (their base columns) of one replication whose
    models moved as `transitions` (time, service, resource_id, to_status, units) until
    `horizon` (seconds from `start`)."""
    ids = transitions["resource_id"].dtype
    assert isinstance(ids, pd.CategoricalDtype)
    if len(arrivals) == 0:
        return empty("demand"), empty("waits")
    model = np.repeat(np.arange(len(arrivals.models)), np.diff(arrivals.offsets))
    times = arrivals.times
    timeline = _timeline(arrivals, transitions)
    keys = model + 1j * times
    now = np.searchsorted(timeline.keys, keys, side="right") - 1  # the status in force
    serving = timeline.serving[now]
    per_unit = np.array([m.demand.serving.capacity_per_unit for m in arrivals.models])
    wait = _waited(arrivals, timeline, model, keys, ~serving, per_unit, horizon)

    # capacity: each model's first requests of each whole second, those that waited first
    answered = serving | wait.delayed
    pending = np.zeros(len(times), dtype=bool)
    pending[wait.pending] = True
    row = now.copy()
    row[wait.delayed] = wait.rows
    throttled = np.zeros(len(times), dtype=bool)
    throttled[answered] = _beyond_capacity(
        model[answered],
        wait.served_at[answered],
        wait.delayed[answered],
        per_unit[model[answered]] * timeline.units[row[answered]],
    )
    served = answered & ~throttled
    delayed = wait.delayed & served
    added = np.where(delayed, wait.served_at - times, 0.0)
    failed = ~answered & ~pending
    demand = _per_minute(model, times, served, throttled, failed, pending, delayed, added)
    demand = _labelled(demand, arrivals, ids)
    demand["minute_utc"] = utc_moments(demand["minute"] * MINUTE, start)
    waits = _waits(arrivals, model, times, wait, throttled, horizon)
    return demand[list(SCHEMAS["demand"].base)], _labelled(waits, arrivals, ids)


@dataclass(frozen=True)
class _Waits:
    """What the requests that waited met: which were served (`delayed`, at `served_at`,
    the transitions' `rows` that ran their model), which gave up and which were still
    waiting at the horizon (`pending`) (indices)."""

    delayed: np.ndarray
    served_at: np.ndarray
    rows: np.ndarray
    gave_up: np.ndarray
    pending: np.ndarray


def _waited(
    arrivals: Arrivals,
    timeline: _Timeline,
    model: np.ndarray,
    keys: np.ndarray,
    down: np.ndarray,
    per_unit: np.ndarray,
    horizon: float,
) -> _Waits:
    """The requests that arrive to a model not serving and wait: each for its model's next
    move into its serving status. Those still waiting then form one queue per move, in the
    order they came; the move serves them at its capacity, the n-th served in its second
    n // capacity, and one whose turn comes past its `max_wait` has given up by then and
    takes no turn (see `_turns`). A turn at or past the horizon is not seen: the request
    is pending if its `max_wait` is not spent by then either."""
    settings = [m.demand.serving for m in arrivals.models]
    waits = np.array([s.on_not_running == "wait" for s in settings])
    max_wait = np.array([s.max_wait for s in settings])
    waiting = np.flatnonzero(down & waits[model])
    times = keys.imag
    deadline = times[waiting] + max_wait[model[waiting]]
    starts = np.flatnonzero(timeline.serving)
    later = np.searchsorted(timeline.keys[starts], keys[waiting], side="right")
    row = starts[np.minimum(later, len(starts) - 1)] if len(starts) else later
    found = (later < len(starts)) & (timeline.keys[row].real == model[waiting])
    found &= timeline.times[row] <= deadline
    queued, row = waiting[found], row[found]
    # the queued come by model then time, so those of one move are a run of them
    capacity = per_unit[model[queued]] * timeline.units[row]
    turn = _turns(row, timeline.times[row], deadline[found], capacity)
    in_time = ~np.isnan(turn) & (turn < horizon)
    served = queued[in_time]
    delayed = np.zeros(len(times), dtype=bool)
    delayed[served] = True
    served_at = times.copy()
    served_at[served] = turn[in_time]
    unserved = np.setdiff1d(waiting, served, assume_unique=True)
    late = deadline[np.searchsorted(waiting, unserved)] >= horizon
    return _Waits(delayed, served_at, row[in_time], unserved[~late], unserved[late])


def _turns(
    move: np.ndarray, at: np.ndarray, deadline: np.ndarray, capacity: np.ndarray
) -> np.ndarray:
    """When each queued request is served (NaN: it gave up first). The requests come in
    runs, one per `move` (at `at`, serving `capacity` a second), each in its order of
    arrival, so their `deadline`s rise. The n-th served (from 0) is served in second
    n // capacity, so a request is served if fewer than L = ceil(capacity x (floor(its
    deadline - at) + 1)) went before it; then c, the count served before each, follows
    c' = min(c + 1, L) (by induction c <= L, since L rises), which is
    c_j = min(j, j - 1 + min over k < j of (L_k - k)) with j its place in the run: a
    cumulative minimum, run by run (each run lifted above the ones after it)."""
    if len(move) == 0:
        return np.zeros(0)
    place = _places(move, np.zeros(len(move)))
    limit = np.ceil(capacity * (np.floor(deadline - at) + 1)).astype(np.int64)
    run = np.cumsum(place == 0) - 1
    value = limit - place
    lift = int(value.max() - value.min()) + 1
    lifted = value + lift * (run[-1] - run)  # a later run never sees an earlier one's
    before = np.minimum.accumulate(lifted) - lift * (run[-1] - run)
    # before[j] includes k = j; shift so it covers k < j, within the run
    shifted = np.where(place > 0, np.roll(before, 1), place)
    count = np.where(place > 0, np.minimum(place, place - 1 + shifted), 0)
    served = count < limit
    turn = at + np.floor(np.divide(count, capacity, out=np.zeros(len(move)), where=capacity > 0))
    return np.where(served & (capacity > 0), turn, np.nan)


def _timeline(arrivals: Arrivals, transitions: pd.DataFrame) -> _Timeline:
    """The models' transitions sorted by (model, time), keeping the recorded order of moves
    at one moment."""
    codes = transitions["resource_id"].cat.codes.to_numpy()
    index = pd.Index(transitions["resource_id"].cat.categories)
    positions = index.get_indexer([m.resource_id for m in arrivals.models])
    if (positions < 0).any():  # every fleet resource has its `initial` transition
        missing = arrivals.models[int(np.argmin(positions))].resource_id
        raise ValueError(f"{missing} has demand but no transitions")
    owner = np.full(len(index), -1, dtype=np.int64)
    owner[positions] = np.arange(len(positions))
    model = owner[codes]
    mine = model >= 0
    model, times = model[mine], transitions["time"].to_numpy(dtype=float)[mine]
    services = transitions["service"].astype(str).to_numpy()[mine]
    statuses = transitions["to_status"].astype(str).to_numpy()[mine]
    serving = np.zeros(len(model), dtype=bool)
    for service, inference in INFERENCE.items():
        serving |= (services == service) & (statuses == inference.serving)
    order = np.lexsort((times, model))
    units = transitions["units"].to_numpy(dtype=float)[mine]
    return _Timeline(model[order] + 1j * times[order], serving[order], units[order], times[order])


def _beyond_capacity(
    model: np.ndarray, at: np.ndarray, waited: np.ndarray, capacity: np.ndarray
) -> np.ndarray:
    """Whether each request (served at `at`) is beyond its model's capacity in its whole
    second: its place among the model's requests of that second, those that `waited`
    first and then in the order they were served, is at or past `capacity`. The requests
    come by model and arrival: in that order already unless some waited."""
    if not waited.any():
        beyond: np.ndarray = _places(model, np.floor(at)) >= capacity
        return beyond
    second = np.floor(at)
    order = np.lexsort((at, ~waited, second, model))
    beyond = np.empty(len(order), dtype=bool)
    beyond[order] = _places(model[order], second[order]) >= capacity[order]
    return beyond


def _places(model: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Each request's place (from 0) among those of its model and second, which come in
    runs."""
    first = np.ones(len(model), dtype=bool)
    first[1:] = (model[1:] != model[:-1]) | (second[1:] != second[:-1])
    index = np.arange(len(model))
    begins: np.ndarray = np.maximum.accumulate(np.where(first, index, 0))
    places: np.ndarray = index - begins
    return places


def _per_minute(
    model: np.ndarray,
    times: np.ndarray,
    served: np.ndarray,
    throttled: np.ndarray,
    failed: np.ndarray,
    pending: np.ndarray,
    delayed: np.ndarray,
    added: np.ndarray,
) -> pd.DataFrame:
    """One row per (model, minute of arrival) with requests: arrivals are in model order,
    then time, so each row's requests are a run of them."""
    minute = np.floor(times / MINUTE).astype(np.int64)
    change = np.ones(len(times), dtype=bool)
    change[1:] = (model[1:] != model[:-1]) | (minute[1:] != minute[:-1])
    begins = np.flatnonzero(change)

    def total(values: np.ndarray) -> np.ndarray:
        summed: np.ndarray = np.add.reduceat(values, begins)
        return summed

    return pd.DataFrame(
        {
            "model": model[begins],
            "minute": minute[begins],
            "requests": np.diff(np.append(begins, len(times))),
            "served": total(served.astype(np.int64)),
            "throttled": total(throttled.astype(np.int64)),
            "failed": total(failed.astype(np.int64)),
            "pending": total(pending.astype(np.int64)),
            "delayed": total(delayed.astype(np.int64)),
            "added_latency_s": total(added),
        }
    )


def _waits(
    arrivals: Arrivals,
    model: np.ndarray,
    times: np.ndarray,
    wait: _Waits,
    throttled: np.ndarray,
    horizon: float,
) -> pd.DataFrame:
    """One row per request that waited: served (or, rarely, throttled) when its model ran,
    gave up after its `max_wait`, or still waiting at the horizon (waited until it), in
    the order they arrived, model by model."""
    rows = np.sort(np.concatenate([np.flatnonzero(wait.delayed), wait.gave_up, wait.pending]))
    owner = model[rows]
    delayed = wait.delayed[rows]
    pending = np.isin(rows, wait.pending, assume_unique=True)
    outcome = np.where(delayed, np.where(throttled[rows], 1, 0), np.where(pending, 3, 2))
    max_wait = np.array([m.demand.serving.max_wait for m in arrivals.models])
    inference = [INFERENCE[m.service] for m in arrivals.models]
    errors = [i.not_running for i in inference] + [i.beyond_capacity for i in inference]
    error = np.where(outcome == 2, owner, np.where(outcome == 1, owner + len(inference), -1))
    text = np.array([*errors, None], dtype=object)[error]
    waited = np.where(pending, horizon - times[rows], max_wait[owner])
    return pd.DataFrame(
        {
            "model": owner,
            "arrived": times[rows],
            "waited_s": np.where(delayed, wait.served_at[rows] - times[rows], waited),
            "outcome": pd.Categorical.from_codes(outcome, categories=pd.Index(OUTCOMES)),
            "error_code": pd.Categorical(text, categories=sorted(set(errors))),
        }
    )


def _labelled(frame: pd.DataFrame, arrivals: Arrivals, ids: pd.CategoricalDtype) -> pd.DataFrame:
    """`frame` with its `model` column replaced by service, resource_id and group."""
    models = arrivals.models
    index = frame.pop("model").to_numpy()
    services = pd.Categorical([m.service for m in models])
    groups = pd.Categorical([m.group for m in models])
    codes = pd.Index(ids.categories).get_indexer([m.resource_id for m in models])
    labels = {
        "service": pd.Categorical.from_codes(services.codes[index], dtype=services.dtype),
        "resource_id": pd.Categorical.from_codes(codes[index], dtype=ids),
        "group": pd.Categorical.from_codes(groups.codes[index], dtype=groups.dtype),
    }
    return pd.DataFrame({**labels, **{name: frame[name] for name in frame.columns}})
