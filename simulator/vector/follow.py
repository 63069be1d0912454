"""What becomes of each stop, drawn as arrays: its trip, its resource's stop, its polls.

For a stop sent at s by a caller whose round trips are R (drawn on the caller's stream for
the operation, as the event engine's client draws them) and a service whose stop latency is
L (on `<service>.stop`):

    the request reaches the service at   m = s + R/2     (the resource starts stopping)
    the answer reaches the caller at     a = m + R/2
    the resource is stopped at           e = m + L
    poll k is sent at                    p_k = a_(k-1) + delay  (p_0 = a, with no delay)
    and sees the end if                  p_k + R_k/2 >= e       (the end, scheduled first,
                                                                 goes first at a tie)

up to the caller's waiter's `max_attempts` polls. What happens at or after the horizon is
not recorded, as the event engine stops there: a stop whose request reaches the service
then is in flight, an end then is no end, a poll then is not made.

A stop never fails (eligibility refuses faults, throttles that may bind, denied callers),
so every call is one attempt and its answer the operation's success. The draws are the
event engine's streams taken in another order: equal in distribution, not bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from simulator.engine.rng import Streams
from simulator.scenario.model import Requests, Scenario
from simulator.services import SERVICES
from simulator.vector.eligibility import CannotDraw
from simulator.vector.paths import PATHS
from simulator.vector.requests import Sent


@dataclass(frozen=True)
class Calls:
    """One caller's attempts at one operation of one service."""

    caller: str
    service: str
    operation: str
    http_status: int
    keys: np.ndarray
    sent: np.ndarray
    latency: np.ndarray
    moment: np.ndarray
    """When each reached the service: the order the event engine records them in."""


@dataclass(frozen=True)
class Moves:
    """Status changes of one service's resources into `to`, from `after` (None: from the
    status each started in)."""

    service: str
    to: str
    after: str | None
    keys: np.ndarray
    times: np.ndarray


@dataclass(frozen=True)
class Stops:
    """One service's stops, as the event engine's stop records hold them (NaN: not yet)."""

    service: str
    stopped: str
    requested: np.ndarray
    keys: np.ndarray
    answered_at: np.ndarray
    ended_at: np.ndarray
    observed_at: np.ndarray


@dataclass(frozen=True)
class Followed:
    """What every stop became, service by service: the stop records, the status changes
    and the calls, each as the arrays `frames` makes the recorder's tables of."""

    stops: list[Stops]
    moves: list[Moves]
    calls: list[Calls]


def follow(scenario: Scenario, streams: Streams, sent: Sequence[Sent]) -> Followed:
    """Every stop of `sent` followed to its end, service by service."""
    followed = Followed([], [], [])
    for service in PATHS:
        mine = [s for s in sent if scenario.operation_stream(s.stream).service == service]
        if sum(len(s.times) for s in mine):
            _service(scenario, streams, service, _Merged.of(scenario, mine), followed)
    return followed


@dataclass(frozen=True)
class _Merged:
    """One service's stops from all its streams, in the order sent: when, to which
    resource, when its stream fires again, and by which caller (an index in `callers`),
    waiting or not."""

    times: np.ndarray
    keys: np.ndarray
    again: np.ndarray
    stream: np.ndarray
    callers: list[str]
    caller: np.ndarray
    waits: np.ndarray

    @classmethod
    def of(cls, scenario: Scenario, sent: list[Sent]) -> _Merged:
        times = np.concatenate([s.times for s in sent])
        order = np.argsort(times, kind="stable")
        stream = np.concatenate([np.full(len(s.times), s.stream) for s in sent])[order]
        callers = list(dict.fromkeys(scenario.requests[s.stream].caller for s in sent))
        caller = np.array(
            [callers.index(r.caller) if r.caller in callers else -1 for r in scenario.requests]
        )[stream]
        return cls(
            times[order],
            np.concatenate([s.keys for s in sent])[order],
            np.concatenate([s.again for s in sent])[order],
            stream,
            callers,
            caller,
            np.array([isinstance(r, Requests) and r.wait for r in scenario.requests])[stream],
        )


def _service(
    scenario: Scenario, streams: Streams, service: str, stops: _Merged, out: Followed
) -> None:
    """One service's stops: their trips, their resources' stops and moves, their calls."""
    path, spec = PATHS[service], SERVICES[service].STOP
    half = _halves(scenario, streams, service, spec.operation, stops)
    moment = stops.times + half
    _guard(service, stops, moment)
    landed = moment < scenario.horizon
    ends = _ends(scenario, streams, service, moment, landed)
    ended = ends < scenario.horizon
    out.moves.append(Moves(service, path.stopping.value, None, stops.keys[landed], moment[landed]))
    out.moves.append(
        Moves(service, path.stopped.value, path.stopping.value, stops.keys[ended], ends[ended])
    )
    arrives = moment + half
    observed = _calls(scenario, streams, service, stops, moment, arrives, ends, landed, out)
    out.stops.append(
        Stops(
            service,
            path.stopped.value,
            stops.times,
            stops.keys,
            np.where(landed, arrives, np.nan),
            np.where(ended, ends, np.nan),
            observed,
        )
    )


def _halves(
    scenario: Scenario, streams: Streams, service: str, operation: str, stops: _Merged
) -> np.ndarray:
    """Half of each stop's round trip, drawn on its caller's stream for the stop."""
    half = np.empty(len(stops.times))
    for index, caller in enumerate(stops.callers):
        mask = stops.caller == index
        network = _network(scenario, streams, caller, service, operation)
        half[mask] = network(int(mask.sum())) / 2
    return half


def _guard(service: str, stops: _Merged, moment: np.ndarray) -> None:
    """Refuse a replication in which a stop reaches the service at or after its stream
    fires again (eligibility makes that at most 1e-12 likely): the two would meet."""
    met = moment >= stops.again
    if met.any():
        first = int(np.flatnonzero(met)[0])
        raise CannotDraw(
            f"requests[{stops.stream[first]}]: a stop sent at {stops.times[first]:g} s reached "
            f"{service} at {moment[first]:g} s, after the stream fired again at "
            f"{stops.again[first]:g} s; the vector engine cannot draw the two meeting: run the "
            "scenario with --engine events"
        )


def _ends(
    scenario: Scenario, streams: Streams, service: str, moment: np.ndarray, landed: np.ndarray
) -> np.ndarray:
    """When each stop's resource is stopped: a draw of the stop latency after its request
    lands (infinity for a request that lands at or after the horizon)."""
    latency = getattr(scenario.services, service).latency.stop
    ends = np.full(len(moment), np.inf)
    ends[landed] = moment[landed] + latency.draw(
        streams.generator(f"{service}.stop"), int(landed.sum())
    )
    return ends


def _calls(
    scenario: Scenario,
    streams: Streams,
    service: str,
    stops: _Merged,
    moment: np.ndarray,
    arrives: np.ndarray,
    ends: np.ndarray,
    landed: np.ndarray,
    out: Followed,
) -> np.ndarray:
    """Each caller's stop calls and its waiter's polls, added to `out`; returns when each
    stop's caller saw it end (NaN: it did not)."""
    kind, spec = SERVICES[service], SERVICES[service].STOP
    status = kind.OPERATIONS[spec.operation].success_status
    polled = kind.OPERATIONS[spec.describe].success_status
    observed = np.full(len(stops.times), np.nan)
    keys, times = stops.keys, stops.times
    for index, caller in enumerate(stops.callers):
        rows = np.flatnonzero(landed & (stops.caller == index))
        out.calls.append(
            Calls(caller, service, spec.operation, status, keys[rows], times[rows],
                  arrives[rows] - times[rows], moment[rows])
        )  # fmt: skip
        rows = rows[stops.waits[rows]]
        waiter = scenario.callers[caller].waiter
        network = _network(scenario, streams, caller, service, spec.describe)
        poll, seen = _polls(
            arrives[rows], ends[rows], network, waiter.delay, waiter.max_attempts, scenario.horizon
        )
        out.calls.append(
            Calls(caller, service, spec.describe, polled, keys[rows][poll.stop], poll.sent,
                  poll.latency, poll.moment)
        )  # fmt: skip
        observed[rows] = seen
    return observed


Draw = Callable[[int], np.ndarray]


def _network(
    scenario: Scenario, streams: Streams, caller: str, service: str, operation: str
) -> Draw:
    """Round trips of `caller`'s calls to one operation, on the event engine's stream."""
    distribution = scenario.callers[caller].network
    generator = streams.generator(f"callers.{caller}.{service}.{operation}.network")
    return lambda size: distribution.draw(generator, size)


@dataclass(frozen=True)
class _Polls:
    stop: np.ndarray
    """Which stop (of those polled for) each poll was for."""
    sent: np.ndarray
    latency: np.ndarray
    moment: np.ndarray


def _polls(
    first: np.ndarray, ends: np.ndarray, network: Draw, delay: float, attempts: int, horizon: float
) -> tuple[_Polls, np.ndarray]:
    """A waiter's polls for each stop whose answer arrives at `first` and whose resource
    stops at `ends`, round by round: the polls made, and when each stop was seen to end
    (NaN: not by the horizon, or the waiter gave up)."""
    seen = np.full(len(first), np.nan)
    stop, sent_at, latency, moment = [], [], [], []
    active, sent = np.arange(len(first)), first
    for _ in range(attempts):
        if not len(active):
            break
        half = network(len(active)) / 2
        reached = sent + half
        made = reached < horizon
        active, sent, half, reached = active[made], sent[made], half[made], reached[made]
        arrives = reached + half
        stop.append(active)
        sent_at.append(sent)
        latency.append(arrives - sent)
        moment.append(reached)
        ended = reached >= ends[active]
        seen[active[ended]] = arrives[ended]
        active, sent = active[~ended], arrives[~ended] + delay
    empty = np.zeros(0)
    polls = _Polls(
        np.concatenate(stop) if stop else np.zeros(0, dtype=np.int64),
        np.concatenate(sent_at) if sent_at else empty,
        np.concatenate(latency) if latency else empty,
        np.concatenate(moment) if moment else empty,
    )
    return polls, seen
