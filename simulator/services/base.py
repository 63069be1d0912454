"""What every service module shares: resources, progressions, and the plumbing to the plane.

A service declares, as data:

    Status          its status enum, as its API page lists it
    TRANSITIONS     the legal moves: {from: {to, ...}}
    PROGRESSIONS    the moves that happen by themselves once a status is entered:
                    {STOPPING: Progression("stop", to=STOPPED)} reads "after a draw of the
                    `stop` latency, STOPPING becomes STOPPED"
    OPERATIONS      request members and constraints per operation
    ERRORS          the errors the control plane raises in its name
    STOP            the stop operation, the statuses that end a stop, and how to observe them

and writes its operations as methods. This module imports no simpy, so the scenario schema
can import service settings without the engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from simulator.api.operations import Operation, ServiceErrors, ServiceSettings
from simulator.engine.lifecycle import Lifecycle

if TYPE_CHECKING:
    from simulator.api.plane import Handler, Response
    from simulator.engine.env import Simulation

HOURS_8 = 8 * 3600.0


@dataclass(frozen=True)
class Progression:
    """On entering a status: after a draw of `latency`, move to `to`, or to `failed` with
    the probability named `failure`; only if still in that status or one of `also_from`."""

    latency: str
    to: StrEnum
    failed: StrEnum | None = None
    failure: str | None = None
    also_from: frozenset[StrEnum] = field(default=frozenset())

    def __post_init__(self) -> None:
        if (self.failed is None) != (self.failure is None):
            raise TypeError("a Progression names both `failed` and `failure`, or neither")


@dataclass(frozen=True)
class StopSpec:
    """How a stop request ends: its operation, the statuses that end it, how to observe."""

    operation: str
    terminal: frozenset[StrEnum]
    describe: str
    describe_status: Callable[[Response], str]


class Resource:
    """One managed resource. `units` is what it bills by (inference units, instances)."""

    __slots__ = ("group", "id", "key", "status", "units")

    def __init__(self, key: int, resource_id: str, group: str, units: float) -> None:
        self.key = key
        self.id = resource_id
        self.group = group
        self.units = units
        self.status: StrEnum


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class ManagedService:
    name: ClassVar[str]
    Status: ClassVar[type[StrEnum]]
    TRANSITIONS: ClassVar[Mapping[Any, frozenset[Any]]]
    PROGRESSIONS: ClassVar[Mapping[Any, Progression]]
    OPERATIONS: ClassVar[Mapping[str, Operation]]
    ERRORS: ClassVar[ServiceErrors]
    STOP: ClassVar[StopSpec]
    token_lifetime_s: ClassVar[float] = HOURS_8

    def __init__(self, sim: Simulation, settings: ServiceSettings) -> None:
        self.sim = sim
        self.settings = settings
        self.errors = self.ERRORS
        self.operations = self.OPERATIONS
        self.lifecycle = Lifecycle(self.name, self.TRANSITIONS, sim.recorder, sim.clock)
        self.resources: dict[str, Resource] = {}
        self._samplers: dict[str, Callable[[], float]] = {}

    def handler(self, operation: str) -> Handler:
        method: Handler = getattr(self, snake_case(operation))
        return method

    # -- draws -------------------------------------------------------------------------

    def _latency(self, name: str) -> float:
        sampler = self._samplers.get(name)
        if sampler is None:
            distribution = getattr(self.settings.latency, name)  # type: ignore[attr-defined]
            sampler = self._samplers[name] = self.sim.sampler(f"{self.name}.{name}", distribution)
        return sampler()

    def _happens(self, probability_setting: str) -> bool:
        """A Bernoulli draw of the named probability setting, on its own stream."""
        probability: float = getattr(self.settings, probability_setting)
        if probability <= 0:
            return False
        name = f"{self.name}.{probability_setting}"
        sampler = self._samplers.get(name)
        if sampler is None:
            sampler = self._samplers[name] = self.sim.streams.sampler(
                name, lambda g, n: g.random(n)
            )
        return sampler() < probability

    # -- lifecycle ---------------------------------------------------------------------

    def add(self, resource_id: str, group: str, status: StrEnum, units: float) -> Resource:
        """A resource the simulation starts with, in `status` (progressing from there)."""
        resource = Resource(self.lifecycle.register(resource_id), resource_id, group, units)
        self.resources[resource_id] = resource
        self.lifecycle.begin(resource, status)
        self._progress(resource)
        return resource

    def move(self, resource: Resource, to: StrEnum, cause: str) -> None:
        self.lifecycle.move(resource, to, cause)
        self._progress(resource)

    def _progress(self, resource: Resource) -> None:
        progression = self.PROGRESSIONS.get(resource.status)
        if progression is not None:
            self.sim.after(
                self._latency(progression.latency),
                self._complete,
                resource,
                resource.status,
                progression,
            )

    def _complete(self, resource: Resource, entered: StrEnum, progression: Progression) -> None:
        if resource.status is not entered and resource.status not in progression.also_from:
            return  # another move won the race
        failed = progression.failure is not None and self._happens(progression.failure)
        to = progression.failed if failed and progression.failed is not None else progression.to
        self.move(resource, to, progression.latency)

    def populate(self, fleet: Any) -> None:
        """Add the resources a scenario's fleet entry for this service describes."""
        raise NotImplementedError

    # -- what requests need --------------------------------------------------------------

    def unknown_id(self, resource_id: str) -> int:
        """The key of a resource the simulation does not know (a replayed trace's typo)."""
        return self.sim.recorder.register(resource_id)

    def request(self, operation: str, resource: Resource, **extra: Any) -> dict[str, Any]:
        """The request for `operation` on `resource`, as a caller would write it."""
        raise NotImplementedError
