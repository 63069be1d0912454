"""When requests come and whom they target: `at`, `every`, `poisson`, `replay`.

Each stream of the scenario's `requests` is a process that, at each arrival, starts one
request per targeted resource (a generator nobody waits for: `Simulation.detach`). Whom a
`where` selects is the service's to say (`ManagedService.targets`): the workload knows
services only through that, their operations and the queues their consumers subscribe to.
A request to the service's stop operation is a *stop*: its record (`simulator.engine.stops`)
is made when it is sent and filled in when it is answered and when the caller's waiter sees
it end (the service's move records the end itself), so a stop still in flight at the
horizon is reported, not lost.

A stream's `where` selects resources in every region (or one, `where.region`), and each
request goes to its resource's region through the caller's client for that region, as
automation that stops a fleet in several regions makes one boto3 client per region.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd
import simpy

from simulator.engine.env import Simulation
from simulator.scenario.model import Requests, Scenario
from simulator.scenario.schedule import Schedule
from simulator.services.base import ManagedService, Resource, Where
from simulator.workload.clients import CALL_COLUMNS, CALL_JOINT, Client
from simulator.workload.consumers import start_consumers

Process = Generator[simpy.Event, Any, None]
Sampler = Callable[[], float]


class Requester:
    """Sends requests of one operation to one service and follows stops to their end."""

    def __init__(
        self, sim: Simulation, service: ManagedService, operation: str, wait: bool
    ) -> None:
        self.sim = sim
        self.service = service
        self.operation = operation
        self.is_stop = operation == service.STOP.operation
        self.wait = wait
        self._stops = sim.recorder.stops

    def send(
        self, client: Client, key: int, params: Mapping[str, Any], target: Resource | None
    ) -> Process:
        """Send one request, through the caller's client for the target's region (its own
        region's for a resource the simulation does not know)."""
        service = self.service
        if target is not None and target.region is not None:
            client = client.at(target.region)
        if not self.is_stop:
            yield from client.call(service.name, self.operation, params, key)
            return
        spec = service.STOP
        stop = self._stops.send(self.sim.now, service.name, key)
        if target is not None:  # a resource the simulation does not know never ends
            stop.follow(target.status.value, spec.terminal)
        result = yield from client.call(service.name, self.operation, params, key)
        error = None if result.error is None else result.error.code
        stop.answered(result.arrives_at, result.ok, error, result.attempts)
        if not (result.ok and self.wait and target is not None):
            return
        poll = client.poll(spec.describe_status, spec.terminal)  # StrEnum members: a
        last = yield from client.call(  # status text is in `terminal` as itself
            service.name,
            spec.describe,
            service.request(spec.describe, target),
            key,
            result.in_flight_s,
            poll,
        )
        seen_at = poll.seen(last)
        if seen_at is not None:
            stop.observed(seen_at)


class Unasked:
    """The resources a Poisson stream has not targeted yet; each arrival takes one at
    random among those its `where` selects at that moment, so a resource that enters a
    wanted status after the stream starts (a classifier that starts TRAINING) is found.

    A uniform pick among the unasked is kept if selected (a few tries: cheap while most
    are), else one among all the selected, found by a scan: either way, every selected
    resource is equally likely. Resources the service lists later join the unasked.
    """

    TRIES = 8

    def __init__(self, service: ManagedService, where: Where, uniform: Sampler) -> None:
        self.service = service
        self.where = where
        self.uniform = uniform
        self._left: list[Resource] = []
        self._listed = 0

    @property
    def exhausted(self) -> bool:
        """Every resource the service lists has been asked: only a new one can be next."""
        return not self._left and len(self.service.resources) == self._listed

    def take(self) -> Resource | None:
        listed = self.service.resources
        if len(listed) > self._listed:
            self._left.extend(islice(listed.values(), self._listed, None))
            self._listed = len(listed)
        left, selects, where = self._left, self.service.selects, self.where
        for _ in range(self.TRIES):
            if not left:
                return None
            index = int(self.uniform() * len(left))
            if selects(where, left[index]):
                return self._remove(index)
        selected = [i for i, resource in enumerate(left) if selects(where, resource)]
        if not selected:
            return None
        return self._remove(selected[int(self.uniform() * len(selected))])

    def _remove(self, index: int) -> Resource:
        left = self._left
        left[index], left[-1] = left[-1], left[index]
        return left.pop()


def positions(n: int, requests: Requests, generator: np.random.Generator) -> np.ndarray:
    """The positions, among `n` resources an occurrence selects, that it sends to: all, or
    a random `count` or `fraction` of them (at least one), in one call of `generator`. The
    vector engine chooses with it too, so both engines choose alike."""
    wanted = requests.count
    if requests.fraction is not None and n:
        wanted = max(1, round(requests.fraction * n))  # a fraction is never none
    if wanted is None or wanted >= n:
        return np.arange(n)
    return generator.choice(n, wanted, replace=False)


def _choose(
    resources: list[Resource], requests: Requests, generator: np.random.Generator
) -> Sequence[Resource]:
    chosen = positions(len(resources), requests, generator)
    if len(chosen) == len(resources):
        return resources
    return [resources[i] for i in chosen]


def occurrences(requests: Schedule, start: datetime, horizon: float) -> list[float]:
    """The times (seconds from start) at which an `at` or `every` stream fires."""
    if requests.at is not None:
        at = requests.at
        offset = (at - start).total_seconds() if isinstance(at, datetime) else at
        return [offset] if offset < horizon else []
    assert requests.every is not None
    first = requests.first
    clock = requests.clock_time()
    if clock is not None:
        moment = start.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
        if moment < start:
            moment += timedelta(days=1)
        first = (moment - start).total_seconds()
    return [float(t) for t in np.arange(first, horizon, requests.every)]


class Workload:
    """Starts the processes of every request stream of a scenario."""

    def __init__(
        self,
        sim: Simulation,
        scenario: Scenario,
        services: Mapping[str, ManagedService],
        clients: Mapping[str, Client],
        stops: bool = True,
    ) -> None:
        self.sim = sim
        self.scenario = scenario
        self.services = services
        self.clients = clients
        self.stops = stops
        """False for the counterfactual in which nothing is stopped: every stop request is
        left out, everything else (streams' names, hence their draws) stays as it is."""
        self._unknown: dict[tuple[str, str], int] = {}
        sim.recorder.table("calls", CALL_COLUMNS, CALL_JOINT)  # in the results even when empty

    def start(self) -> None:
        start_consumers(self.sim, self.scenario.consumers, self.services, self.clients)
        for index, requests in self.scenario.operation_streams:  # handlers: simulator.aws
            name = self.scenario.stream_name(index)
            stop = self.services[requests.service].STOP.operation
            if not self.stops and requests.replay is None and requests.operation_name == stop:
                continue
            if requests.replay is not None:
                self.sim.process(self._replay(requests))
            elif requests.poisson is not None:
                self.sim.process(self._poisson(requests, name))
            else:
                self.sim.process(self._scheduled(requests, name))

    def _requester(self, requests: Requests) -> Requester:
        return Requester(
            self.sim, self.services[requests.service], requests.operation_name, requests.wait
        )

    def _send(self, requester: Requester, requests: Requests, resource: Resource) -> None:
        params = requester.service.request(requester.operation, resource, **requests.parameters)
        client = self.clients[requests.caller]
        self.sim.detach(requester.send(client, resource.key, params, resource))

    def _scheduled(self, requests: Requests, name: str) -> Process:
        requester = self._requester(requests)
        service = self.services[requests.service]
        generator = self.sim.streams.generator(f"requests.{name}")
        for time in occurrences(requests, self.scenario.start, self.scenario.horizon):
            yield self.sim.timeout(time - self.sim.now)
            for resource in _choose(service.targets(requests.where), requests, generator):
                self._send(requester, requests, resource)

    def _poisson(self, requests: Requests, name: str) -> Process:
        assert requests.poisson is not None
        poisson = requests.poisson
        requester = self._requester(requests)
        service = self.services[requests.service]
        end = self.scenario.horizon if poisson.end is None else poisson.end
        gaps = self.sim.streams.sampler(
            f"requests.{name}.gaps", lambda g, n: g.exponential(1 / poisson.rate, n)
        )
        yield self.sim.timeout(poisson.start)
        limit = requests.count
        if requests.fraction is not None:  # of those selected at the start; never none
            limit = max(1, round(requests.fraction * len(service.targets(requests.where))))
        uniform = self.sim.streams.sampler(f"requests.{name}", lambda g, n: g.random(n))
        unasked = Unasked(service, requests.where, uniform)
        sent = 0
        while limit is None or sent < limit:
            yield self.sim.timeout(gaps())
            if self.sim.now >= end:
                return
            target = unasked.take()
            if target is not None:
                self._send(requester, requests, target)
                sent += 1
            elif unasked.exhausted:  # arrivals find nobody until the service lists one more:
                # wait for it (arrivals are memoryless, so the next comes a gap after it)
                yield service.listing() | self.sim.timeout(end - self.sim.now)
            # else none is selected now: a later arrival may find one (a status changes)

    def _replay(self, requests: Requests) -> Process:
        assert requests.replay is not None
        trace = requests.replay.trace
        times = trace["time"]
        if isinstance(times.dtype, pd.DatetimeTZDtype):
            times = (times - pd.Timestamp(self.scenario.start)).dt.total_seconds()
        requesters: dict[tuple[str, str], Requester] = {}
        rows = trace.assign(time=times).to_dict("records")
        for row in rows:
            time, operation, resource_id = (
                float(row["time"]),
                str(row["operation"]),
                str(row["resource"]),
            )
            if time >= self.scenario.horizon:
                return
            yield self.sim.timeout(max(0.0, time - self.sim.now))
            service = self.services[str(row["service"])]
            if not self.stops and operation == service.STOP.operation:
                continue
            requester = requesters.get((service.name, operation))
            if requester is None:
                requester = Requester(self.sim, service, operation, requests.wait)
                requesters[service.name, operation] = requester
            extra: dict[str, Any] = row["parameters"]
            resource = service.resources.get(resource_id)
            if resource is not None:
                params = service.request(operation, resource, **extra)
                key = resource.key
            else:
                resource_param = service.OPERATIONS[operation].resource_param
                params = {resource_param: resource_id, **extra}
                key = self._unknown_key(service, resource_id)
            caller = row["caller"] if isinstance(row["caller"], str) else requests.caller
            self.sim.detach(requester.send(self.clients[caller], key, params, resource))

    def _unknown_key(self, service: ManagedService, resource_id: str) -> int:
        key = self._unknown.get((service.name, resource_id))
        if key is None:
            key = self._unknown[service.name, resource_id] = service.unknown_id(resource_id)
        return key
