"""What every hosting policy shares: its hands on the control plane, and the walk along a
model's arrivals.

A policy is automation with a boto3 client of its own, as a Lambda function that stops
idle models would be: it calls as the scenario's caller `caller` (its permissions, account,
region, retry mode and network; its calls are rows of `calls` under that caller's name and
meet the same throttle buckets), but its client is its own, with its own retry quota and
streams (`policies.<name>.*`), so with or without a policy every other caller's draws are
the same. Every move a policy's request makes is recorded with the cause `policy:<name>`
(`ManagedService.acting`, set around the handler by the policy's routes).

Re-tries (our choice, not AWS's): before sending, a policy waits while the model is on its
way by itself (STARTING, STOPPING: either would refuse the call), then skips a move that
is done already (a stop to a model STOPPING or STOPPED, a start to one STARTING or
RUNNING): it knows a model's status as a describe call would tell it, without sending one.
A stop is sent only to a model in a status its service stops from (RUNNING; HOSTED or
HOSTING_FAILED); a start is sent otherwise, and a model in a status where it is illegal
answers the service's error. A refused call (that error, or a throttle the client's own
retries did not get past) is sent again `retry` later while the policy still wants it, at
most `attempts` times in a row; then the policy leaves the model alone until its next
decision. A schedule has no such limit: it sends again every `retry` until its next edge,
as Instance Scheduler's runs (every 5 minutes by default) enforce the state a period wants
at each run. So 500 stops at once meet the quota and back off, and a model stuck in a
status no policy can leave is asked a few times, not every second.

Each stop a policy sends is a row of `stops`, as a request stream's stop is
(`simulator.workload.arrivals.Requester`): opened when it is sent, with the model's group,
followed to the service's terminal status (the service's move records the end), answered
with the client's last error and attempts. Its `observed_at` stays missing: a policy sends
no waiter and polls nothing (it reads a model's status as it needs it, above), so no
caller observes the end; the end itself is `terminal_at`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

import numpy as np
import simpy

from simulator.api.inference import SERVING
from simulator.api.plane import ControlPlane, Response, Route
from simulator.engine.env import Simulation
from simulator.services.base import ManagedService, Resource
from simulator.workload.clients import Client

Process = Generator[simpy.Event, Any, Any]
ClientFor = Callable[[str, str, Callable[[str, str], Route]], Client]
"""(caller, streams' prefix, routes) -> a client of that caller with its own streams."""


class Arrivals(Protocol):
    """Each model's requests (`simulator.hosting.demand`): sorted seconds from the start."""

    def of(self, resource_id: str) -> np.ndarray: ...


@dataclass(frozen=True)
class Hosting:
    """A hosted service's start operation, and the statuses in which a stop or a start is
    done already (sent, it would only be refused or repeat itself)."""

    start: str
    stoppable: frozenset[str]
    """The statuses the service accepts a stop in."""
    stopped: frozenset[str]
    """A stop is done: the model is stopping or stopped."""
    started: frozenset[str]
    """A start is done: the model is starting or serving."""
    serving: frozenset[str]
    """It serves requests: `simulator.api.inference`'s status (SYSTEM_UPDATING bills, ASSUMED, but
    does not serve)."""
    changing: frozenset[str]
    """It is on its way to serving or stopped, by itself (a call now would be refused)."""


HOSTING: Final[Mapping[str, Hosting]] = {
    "rekognition": Hosting(
        "StartProjectVersion",
        frozenset({"RUNNING"}),
        frozenset({"STOPPING", "STOPPED"}),
        frozenset({"STARTING", "RUNNING"}),
        frozenset({SERVING["rekognition"]}),
        frozenset({"STARTING", "STOPPING"}),
    ),
    "lookoutvision": Hosting(
        "StartModel",
        frozenset({"HOSTED", "HOSTING_FAILED"}),
        frozenset({"STOPPING_HOSTING", "TRAINED"}),
        frozenset({"STARTING_HOSTING", "HOSTED", "SYSTEM_UPDATING"}),
        frozenset({SERVING["lookoutvision"]}),
        frozenset({"STARTING_HOSTING", "STOPPING_HOSTING", "SYSTEM_UPDATING"}),
    ),
}


def acting_routes(
    plane: ControlPlane, services: Mapping[str, ManagedService], cause: str
) -> Callable[[str, str], Route]:
    """The plane's routes, each handler wrapped to record `cause` for the moves it makes.
    A route shares the plane's throttle buckets and idempotency tokens (the same dicts)."""

    def route(service_name: str, operation: str) -> Route:
        found = plane.route(service_name, operation)
        service, handler = services[service_name], found.handler

        def handle(params: Mapping[str, Any]) -> Response:
            service.acting = cause
            try:
                return handler(params)
            finally:
                service.acting = None

        return Route(
            found.service, found.operation, handle, found.throttle, found.fault_probability,
            found.fault, found.buckets, found.tokens,
        )  # fmt: skip

    return route


class Control:
    """One policy's stops and starts of one service's models, with its re-tries."""

    def __init__(
        self,
        sim: Simulation,
        service: ManagedService,
        watch: Watch,
        client: Client,
        retry_s: float,
        attempts: int | None,
        units: int | None = None,
    ) -> None:
        self.sim = sim
        self.service = service
        self.watch = watch
        self.client = client
        self.retry_s = retry_s
        self.attempts = attempts
        """Refused sends in a row before it gives up (None: while the policy wants it)."""
        self.units = units
        self.hosting = HOSTING[service.name]

    def serving(self, model: Resource) -> bool:
        """It serves requests, and bills for it."""
        return model.status in self.hosting.serving

    def returning(self, model: Resource) -> bool:
        """Starting, or updating (Lookout for Vision's maintenance): it serves again by
        itself."""
        return model.status in self.hosting.started and model.status in self.hosting.changing

    def up(self, model: Resource) -> bool:
        """Serving, or starting: what a stop would be sent to."""
        return model.status in self.hosting.started

    def settled(self, model: Resource) -> Process:
        """Wait until `model` is no longer starting or stopping."""
        while model.status in self.hosting.changing:
            yield self.watch.next_move(model)

    def stop(self, model: Resource, wanted: Callable[[], bool] = lambda: True) -> Process:
        """Stop `model` (True once it is accepted or done already)."""
        return self._persist(model, self.service.STOP.operation, self.hosting.stopped, wanted)

    def start(self, model: Resource, wanted: Callable[[], bool] = lambda: True) -> Process:
        """Start `model` with the policy's units, else as it last ran."""
        return self._persist(model, self.hosting.start, self.hosting.started, wanted)

    def _persist(
        self, model: Resource, operation: str, done: frozenset[str], wanted: Callable[[], bool]
    ) -> Process:
        attempt = 0
        while self.attempts is None or attempt < self.attempts:
            attempt += 1
            if attempt > 1:
                yield self.sim.timeout(self.retry_s)
            yield from self.settled(model)  # a call now would only be refused
            if model.status in done:
                return True
            if not wanted():
                return False
            if operation != self.hosting.start and model.status not in self.hosting.stoppable:
                return False  # a stop would only be refused
            extra: dict[str, Any] = {}
            if self.units is not None and operation == self.hosting.start:
                extra["MinInferenceUnits"] = self.units
            params = self.service.request(operation, model, **extra)
            client = self.client if model.region is None else self.client.at(model.region)
            stop = None
            if operation == self.service.STOP.operation:  # a row of `stops`, as a stream's
                stop = self.sim.recorder.stops.send(self.sim.now, self.service.name, model.key)
                stop.follow(model.status.value, self.service.STOP.terminal)
            result = yield from client.call(self.service.name, operation, params, model.key)
            if stop is not None:
                error = None if result.error is None else result.error.code
                stop.answered(result.arrives_at, result.ok, error, result.attempts)
            if result.ok:
                return True
        return False


class Watch:
    """The moves of one service's models that policies wait on (its `moved`): an event at
    a model's next move, or a listener told of every move of a model."""

    def __init__(self, sim: Simulation, service: ManagedService) -> None:
        self.sim = sim
        self._next: dict[int, simpy.Event] = {}
        self._listeners: dict[int, list[Callable[[Resource], None]]] = {}
        service.moved = self._moved

    def _moved(self, model: Resource) -> None:
        event = self._next.pop(model.key, None)
        if event is not None:
            event.succeed(model)
        for listener in self._listeners.get(model.key, ()):
            listener(model)

    def next_move(self, model: Resource) -> simpy.Event:
        """An event that fires when `model` next moves."""
        event = self._next.get(model.key)
        if event is None:
            event = self._next[model.key] = self.sim.env.event()
        return event

    def listen(self, model: Resource, listener: Callable[[Resource], None]) -> None:
        self._listeners.setdefault(model.key, []).append(listener)


def first_gap(times: np.ndarray, since: float, longer: float, chunk: int = 256) -> float:
    """The last request (or `since`, which counts as one) before the first gap of more than
    `longer` seconds without a request from `since` on, given the sorted request `times`:
    the model has been idle for `longer` at this moment plus `longer`.

    Walks the arrivals from `since` in chunks that double, so finding it costs what lies
    between `since` and the answer, and a policy's walks over a run cost the arrivals once.
    """
    index = int(np.searchsorted(times, since, side="left"))
    previous = since
    while index < len(times):
        part = times[index : index + chunk]
        over = np.flatnonzero(np.diff(part, prepend=previous) > longer)
        if len(over):
            first = int(over[0])
            return float(part[first - 1]) if first else previous
        previous = float(part[-1])
        index += len(part)
        chunk *= 2
    return previous


def next_arrival(times: np.ndarray, after: float, strictly: bool = True) -> float:
    """The first request after `after` (at or after it, unless `strictly`); infinity if
    none."""
    index = int(np.searchsorted(times, after, side="right" if strictly else "left"))
    return float(times[index]) if index < len(times) else float("inf")
