"""When each stop is sent and to whom: a scenario's stop streams drawn as arrays.

With no other request touching the resources a stream may select (eligibility sees to it),
every resource it has not asked yet is still in the status it started in. So:

- an `at` or `every` occurrence selects the resources the service lists for its `where`
  that the stream has not stopped yet, and a random `count` or `fraction` of them, chosen
  by the event engine's own function (`simulator.workload.arrivals.positions`, on the
  stream's own generator);
- a `poisson` stream's arrivals are the running sums of exponential gaps from its start,
  each taking one resource its `where` selects, at random among those it has not asked:
  the first k of a random permutation, until its end, its `count` or `fraction`, or the
  resources run out.

The streams are the event engine's (`requests.<name>`, `requests.<name>.gaps`), but drawn
in another order: the stops are the same in distribution, not the same draws.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from simulator.engine.rng import Streams
from simulator.scenario.model import Requests, Scenario
from simulator.vector.fleet import Fleet
from simulator.workload.arrivals import occurrences, positions


@dataclass(frozen=True)
class Sent:
    """The stops one stream sends, in the order sent."""

    stream: int
    """The stream's index in the scenario's `requests`."""
    times: np.ndarray
    keys: np.ndarray
    """Each stop's resource, by its recorder key."""
    again: np.ndarray
    """When the stream fires next and would find the resource still unstopped had its stop
    not reached the service by then (infinity: never): a stop slower than that is one the
    vector engine cannot draw."""


def sent(scenario: Scenario, fleet: Fleet, streams: Streams) -> Iterator[Sent]:
    """Every stop stream's stops, stream by stream."""
    for index, requests in scenario.operation_streams:  # a handler's are not eligible
        selected = fleet.selected(requests.service, requests.where)
        name = scenario.stream_name(index)
        if requests.poisson is not None:
            yield _poisson(scenario, index, requests, selected, name, streams)
        else:
            yield _scheduled(scenario, index, requests, selected, name, streams)


def _scheduled(
    scenario: Scenario,
    index: int,
    requests: Requests,
    left: np.ndarray,
    name: str,
    streams: Streams,
) -> Sent:
    generator = streams.generator(f"requests.{name}")
    fires = occurrences(requests, scenario.start, scenario.horizon)
    times, keys, again = [], [], []
    for position, time in enumerate(fires):
        if not len(left):
            break
        chosen = positions(len(left), requests, generator)
        following = fires[position + 1] if position + 1 < len(fires) else np.inf
        times.append(np.full(len(chosen), time))
        keys.append(left[chosen])
        again.append(np.full(len(chosen), following))
        left = np.delete(left, chosen)
    if not times:
        return Sent(index, np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0))
    return Sent(index, np.concatenate(times), np.concatenate(keys), np.concatenate(again))


def _poisson(
    scenario: Scenario,
    index: int,
    requests: Requests,
    selected: np.ndarray,
    name: str,
    streams: Streams,
) -> Sent:
    poisson = requests.poisson
    assert poisson is not None
    limit = len(selected) if requests.count is None else min(requests.count, len(selected))
    if requests.fraction is not None:  # of those selected at its start, as the event engine
        limit = min(max(1, round(requests.fraction * len(selected))), len(selected))
    end = scenario.horizon if poisson.end is None else min(poisson.end, scenario.horizon)
    gaps = streams.generator(f"requests.{name}.gaps").exponential(1 / poisson.rate, limit)
    times = np.cumsum(np.concatenate(([poisson.start], gaps)))[1:]  # as the clock adds them
    times = times[times < end]
    order = streams.generator(f"requests.{name}").permutation(len(selected))[: len(times)]
    return Sent(index, times, selected[order], np.full(len(times), np.inf))
