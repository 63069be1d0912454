"""What every service module shares: resources, progressions, and the plumbing to the plane.

A service declares, as data:

    Status          its status enum, as its API page lists it
    TRANSITIONS     the legal moves of each kind of resource: {Status: {from: {to, ...}}}
    PROGRESSIONS    the moves that happen by themselves once a status is entered:
                    {STOPPING: Progression("stop", to=STOPPED)} reads "after a draw of the
                    `stop` latency, STOPPING becomes STOPPED"
    STAGES          progressions its processes run by name rather than on entering a
                    status (Neptune's job parts): {"training": Progression("training", ...)}
    DRAWS           every other latency its processes draw by name (SageMaker's
                    "provisioning"), each a field of its settings' `Latencies`
    OPERATIONS      request members and constraints per operation
    ERRORS          the errors the control plane raises in its name
    STOP            the stop operation, the statuses that end a stop, and how to observe them

as class attributes (the base declares their types: a service assigns them), and writes its
operations as methods. What fleets and single-step services share is in `kit`. This module
imports no simpy, so the scenario schema can import service settings without the engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Protocol

from pydantic import Field

from simulator.api.operations import Operation, ServiceErrors, ServiceSettings
from simulator.engine.distributions import Duration
from simulator.engine.lifecycle import Lifecycle, Transitions
from simulator.engine.residual import residual, survival
from simulator.services.regions import DEFAULT_REGION
from simulator.services.registration import ServiceDefinitionError, check_definition

if TYPE_CHECKING:
    import simpy

    from simulator.api.plane import Handler, Response
    from simulator.engine.distributions import Distribution
    from simulator.engine.env import Simulation

HOURS_8 = 8 * 3600.0
NOWHERE: Mapping[str, Any] = MappingProxyType({})
"""What a service holds in a region where it has nothing: an index by region answers a
request's `serving` region with it, never making an entry for the asking."""

Elapsed = Annotated[
    Duration,
    Field(
        description="how long each resource has already been in `status` at t=0: the time "
        "left is drawn given the latency has lasted this long (steady state with "
        "non-exponential latencies); 0: it has just entered it"
    ),
]
"""A fleet entry's `elapsed`: its resources start part-way through their status."""

Deliver = Callable[[Mapping[str, Any]], None]
"""A queue's consumer: told each message as the service sends it."""
Subscribe = Callable[[Deliver], None]
"""How a consumer starts polling one queue."""


class Where(Protocol):
    """Which resources a request stream selects (the scenario's `where`)."""

    @property
    def group(self) -> str | None: ...

    @property
    def status(self) -> tuple[str, ...] | None: ...

    @property
    def region(self) -> str | None: ...


@dataclass(frozen=True)
class Progression:
    """On entering a status: after a draw of `latency`, move to `to`, or to a status of
    `otherwise` with the probability its setting names; only if the resource is still in
    that status or one of `also_from` (where a race has moved it meanwhile).

    A latency setting that is None (a maintenance window switched off) means no progression.
    """

    latency: str
    to: StrEnum
    otherwise: Mapping[StrEnum, str] = field(default_factory=dict)
    also_from: frozenset[StrEnum] = field(default=frozenset())


@dataclass(frozen=True)
class StopSpec:
    """How a stop request ends: its operation, the statuses that end it, how to observe."""

    operation: str
    terminal: frozenset[StrEnum]
    describe: str
    describe_status: Callable[[Response], str]


class Resource:
    """One managed resource. `units` is what it bills by (inference units, instances);
    `moves` counts its transitions, so a timer set on entering a status can tell whether
    the resource has left it since (and perhaps come back). `created` is the simulated
    time it entered the simulation: what a listing answers as its creation time. `region`
    is the one whose endpoint knows it (None: any caller's, as a Neptune cluster's own
    endpoint is reached from every region)."""

    __slots__ = ("created", "group", "id", "key", "moves", "region", "status", "units")

    def __init__(
        self,
        key: int,
        resource_id: str,
        group: str,
        units: float,
        created: float = 0.0,
        region: str | None = None,
    ) -> None:
        self.key = key
        self.id = resource_id
        self.group = group
        self.units = units
        self.created = created
        self.region = region
        self.moves = 0
        self.status: StrEnum


def snake_case(name: str) -> str:
    """The handler method of an operation: CancelMLModelTrainingJob -> cancel_ml_model_..."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


class ManagedService:
    name: ClassVar[str]
    Status: ClassVar[type[StrEnum]]
    TRANSITIONS: ClassVar[Transitions]
    PROGRESSIONS: ClassVar[Mapping[Any, Progression]]
    STAGES: ClassVar[Mapping[str, Progression]] = {}
    DRAWS: ClassVar[frozenset[str]] = frozenset()
    OPERATIONS: ClassVar[Mapping[str, Operation]]
    ERRORS: ClassVar[ServiceErrors]
    STOP: ClassVar[StopSpec]
    token_lifetime_s: ClassVar[float] = HOURS_8
    _drawn: ClassVar[frozenset[str]] = frozenset()
    """Every latency the service declares it draws: its progressions', stages' and DRAWS."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A service's names are checked as its class is defined (`registration`)."""
        super().__init_subclass__(**kwargs)
        check_definition(cls)
        progressions = (*getattr(cls, "PROGRESSIONS", {}).values(), *cls.STAGES.values())
        cls._drawn = frozenset(p.latency for p in progressions) | cls.DRAWS

    def __init__(self, sim: Simulation, settings: ServiceSettings) -> None:
        self.sim = sim
        self.settings = settings
        self.errors = self.ERRORS
        self.operations = self.OPERATIONS
        self.lifecycle = Lifecycle(self.name, self.TRANSITIONS, sim.recorder, sim.clock)
        self.resources: dict[str, Resource] = {}
        self._samplers: dict[str, Callable[[], float]] = {}
        self._named: dict[str, int] = {}
        self._listing: simpy.Event | None = None
        self._stops = sim.recorder.stops
        self._waited_on = self._stops.pending  # resource keys a stop waits for
        self._ends_stop = self.STOP.terminal
        self.acting: str | None = None
        """Whom the request being handled acts for (`policy:<name>`, set around its handler
        by `simulator.hosting.policies`): the cause its moves record instead of their own."""
        self.moved: Callable[[Resource], None] | None = None
        """Told of every move once it is made: what a hosting policy that waits for a
        model's status (a start to end, a budget's rate to change) listens to."""
        self.serving = DEFAULT_REGION
        """The region whose endpoint answers the request being handled: the control plane
        sets it before each handler runs (one request at a time), and a service answers
        only of that region's resources, as a regional endpoint knows only its own."""

    def handler(self, operation: str) -> Handler:
        method: Handler = getattr(self, snake_case(operation))
        return method

    # -- draws -------------------------------------------------------------------------

    def _latency(self, name: str) -> float | None:
        """A draw of the latency setting `name`, on its own stream; None if it is off.

        Only a latency the class declares (PROGRESSIONS, STAGES, DRAWS) may be drawn: those
        are the names checked against the settings when the service is defined."""
        if name not in self._drawn:
            raise ServiceDefinitionError(
                f"{self.name}: draws the latency {name!r}, which neither its PROGRESSIONS, "
                "STAGES nor DRAWS declare"
            )
        distribution = getattr(self.settings.latency, name)  # type: ignore[attr-defined]
        return None if distribution is None else self._draw(name, distribution)

    def _residual(self, name: str, elapsed: float) -> float | None:
        """What is left of a draw of the latency `name` that has lasted `elapsed` already;
        None if it is off. On a stream of its own (`<service>.<name>.elapsed`): one stream
        feeds one sampler, so a fleet entry started part-way shifts no other draw of the
        latency."""
        distribution = getattr(self.settings.latency, name)  # type: ignore[attr-defined]
        if distribution is None:
            return None
        stream = self.sim.streams.generator(f"{self.name}.{name}.elapsed")
        return residual(distribution, elapsed, stream)

    def _draw(self, purpose: str, distribution: Distribution) -> float:
        """A draw of `distribution` on the stream named `purpose` (within this service)."""
        name = f"{self.name}.{purpose}"
        sampler = self._samplers.get(name)
        if sampler is None:
            sampler = self._samplers[name] = self.sim.sampler(name, distribution)
        return sampler()

    def _uniform(self, purpose: str) -> float:
        """A U(0,1) draw on the stream named `purpose` (within this service)."""
        name = f"{self.name}.{purpose}"
        sampler = self._samplers.get(name)
        if sampler is None:
            sampler = self._samplers[name] = self.sim.streams.sampler(
                name, lambda g, n: g.random(n)
            )
        return sampler()

    def _outcome(self, progression: Progression) -> StrEnum:
        """Where a progression ends: one uniform draw against the cumulative probabilities
        of `otherwise`, in their declared order; `to` for the rest."""
        if not progression.otherwise:
            return progression.to
        chances = [(s, float(getattr(self.settings, p))) for s, p in progression.otherwise.items()]
        if not any(chance > 0 for _, chance in chances):
            return progression.to
        draw, cumulative = self._uniform(f"{progression.latency}.outcome"), 0.0
        for status, chance in chances:
            cumulative += chance
            if draw < cumulative:
                return status
        return progression.to

    # -- lifecycle ---------------------------------------------------------------------

    def add(
        self,
        resource_id: str,
        group: str,
        status: StrEnum,
        units: float,
        kind: str = "",
        owner: Resource | None = None,
        elapsed: float = 0.0,
        region: str | None = None,
    ) -> Resource:
        """A resource entering the simulation now, in `region` (a part: its owner's), in
        `status` (progressing from there, as if it had been in it for `elapsed` seconds
        already).

        Resources that requests can target are listed in `resources`; parts of another
        (`owner`: a job's instances, its S3 artifacts) are billed but not listed.
        """
        owner_key = None if owner is None else owner.key
        key = self.lifecycle.register(resource_id, group, kind, owner_key)
        if owner is not None:
            region = owner.region
        resource = Resource(key, resource_id, group, units, float(self.sim.now), region)
        if owner is None:
            self.resources[resource_id] = resource
            if self._listing is not None:
                listing, self._listing = self._listing, None
                listing.succeed(resource)
        self.lifecycle.begin(resource, status)
        self._progress(resource, elapsed)
        return resource

    def move(self, resource: Resource, to: StrEnum, cause: str) -> None:
        self.lifecycle.move(resource, to, cause if self.acting is None else self.acting)
        resource.moves += 1
        if self.moved is not None:
            self.moved(resource)
        if resource.key in self._waited_on and to in self._ends_stop:
            self._stops.end(resource.key, self.sim.now, to.value)  # the stops sent to it end now
        self._progress(resource)

    def _progress(self, resource: Resource, elapsed: float = 0.0) -> None:
        progression = self.PROGRESSIONS.get(resource.status)
        if progression is None:
            return
        if elapsed:
            delay = self._residual(progression.latency, elapsed)
        else:
            delay = self._latency(progression.latency)
        if delay is not None:
            self.sim.after(delay, self._complete, resource, resource.moves, progression)

    def _complete(self, resource: Resource, moves: int, progression: Progression) -> None:
        if resource.moves != moves and resource.status not in progression.also_from:
            return  # the resource has moved on: another move won the race
        self.move(resource, self._outcome(progression), progression.latency)

    def numbered(self, name: str, count: int) -> range:
        """The next `count` numbers of resources called `<name>-<i>`: two fleet entries of
        one name continue its numbering instead of repeating ids."""
        first = self._named.get(name, 0)
        self._named[name] = first + count
        return range(first, first + count)

    def populate(self, fleet: Any) -> None:
        """Add the resources a scenario's fleet entry for this service describes."""
        raise NotImplementedError

    @classmethod
    def cannot_have_lasted(
        cls, settings: ServiceSettings, status: StrEnum, elapsed: float
    ) -> str | None:
        """Why no resource can have been in `status` for `elapsed` seconds (a fleet entry's
        `elapsed`), or None if one can."""
        progression = cls.PROGRESSIONS.get(status)
        latency = None
        if progression is not None:
            latency = getattr(settings.latency, progression.latency)  # type: ignore[attr-defined]
        if progression is None or latency is None:
            return (
                f"{status} does not end by itself in {cls.name}: there is no time left to shorten"
            )
        if survival(latency, elapsed) <= 0:
            return (
                f"no {cls.name} `{progression.latency}` latency lasts longer than {elapsed:g} s, "
                f"so no resource is still {status} after it"
            )
        return None

    # -- what the workload sees --------------------------------------------------------------

    def selects(self, where: Where, resource: Resource) -> bool:
        """Whether a request stream selecting `where` may target the listed `resource`
        now: it is of the group and region, in one of the statuses at this moment."""
        return (
            (where.group is None or resource.group == where.group)
            and (where.status is None or resource.status in where.status)
            and (where.region is None or resource.region == where.region)
        )

    def here(self, resource: Resource | None) -> Resource | None:
        """`resource` if the endpoint answering now knows it (it is in the region being
        served, or reached from any), else None: another region's ARN is not found."""
        if resource is None or resource.region is None or resource.region == self.serving:
            return resource
        return None

    def targets(self, where: Where) -> list[Resource]:
        """Every resource a request stream selecting `where` may target now, in the order
        they were listed."""
        return [r for r in self.resources.values() if self.selects(where, r)]

    def listing(self) -> simpy.Event:
        """An event that fires when this service next lists a resource requests can
        target (a pipeline execution starting): what a request stream that has asked
        every listed resource waits for, instead of waking at each arrival for nothing."""
        if self._listing is None:
            self._listing = self.sim.env.event()
        return self._listing

    def queues(self) -> Mapping[str, Subscribe]:
        """The message queues this service sends to, each with how a consumer subscribes
        to it: none, unless a service's resources send messages (SageMaker's callbacks)."""
        return {}

    # -- what requests need --------------------------------------------------------------

    def unknown_id(self, resource_id: str) -> int:
        """The key of a resource the simulation does not know (a replayed trace's typo)."""
        return self.sim.recorder.unknown(resource_id)

    def request(self, operation: str, resource: Resource, **extra: Any) -> dict[str, Any]:
        """The request for `operation` on `resource`, as a caller would write it: by
        default, the resource's id in the member that names it (`resource_param`); a
        service whose members name it otherwise (a project and a version) says how."""
        return {self.OPERATIONS[operation].resource_param: resource.id, **extra}
