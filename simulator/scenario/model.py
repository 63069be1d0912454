"""The scenario schema: what a `scenario.yaml` may say, with every default in one place.

Every behaviour AWS does not document is a setting here or in a service's `Settings`, with
its default; `simulate schema` prints the whole of it as JSON Schema for editors.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Self, TypeVar

from pydantic import (
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from simulator.engine.distributions import (
    Duration,
)
from simulator.engine.schema import DATETIME_PATTERN, Strict
from simulator.pricing.resolve import scenario_prices
from simulator.pricing.sources import PriceFiles
from simulator.scenario.callers import Caller, Consumer
from simulator.scenario.demand import Demand, check_demand
from simulator.scenario.fleet import Fleet, check_fleet, where_problem
from simulator.scenario.handler import Invocations
from simulator.scenario.logs import LogReplay, bind_logs, replay_kind
from simulator.scenario.policies import Policy, PolicyName, check_policies
from simulator.scenario.schedule import Poisson as Poisson
from simulator.scenario.schedule import Schedule
from simulator.scenario.sweep_block import Sweep
from simulator.scenario.trace import TraceFile, check_window, read_trace
from simulator.services import SERVICES
from simulator.services import comprehend as _comprehend
from simulator.services import lookoutvision as _lookoutvision
from simulator.services import neptune as _neptune
from simulator.services import rekognition as _rekognition
from simulator.services import sagemaker as _sagemaker
from simulator.services.regions import DEFAULT_REGION, Region

if TYPE_CHECKING:  # a replayed trace's reader imports pandas: validating is fast
    import pandas as pd

DEFAULT_START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday, midnight UTC

StartTime = Annotated[datetime, WithJsonSchema({"type": "string", "pattern": DATETIME_PATTERN})]
"""The scenario's `start`: ISO text only. A number would be Unix seconds, and `start: 12345`
a moment of 1970 nobody means (`Scenario._iso_start` refuses it)."""


class Services(Strict):
    """Per-service settings; a service left out keeps its defaults."""

    rekognition: _rekognition.Settings = _rekognition.Settings()
    lookoutvision: _lookoutvision.Settings = _lookoutvision.Settings()
    comprehend: _comprehend.Settings = _comprehend.Settings()
    neptune: _neptune.Settings = _neptune.Settings()
    sagemaker: _sagemaker.Settings = _sagemaker.Settings()


class Replay(TraceFile):
    """A trace of requests: CSV or Parquet with columns time, service, resource, operation,
    and optionally parameters (a JSON object) and caller. `time` is seconds from the start or
    an ISO timestamp."""

    @staticmethod
    def read_file(path: Path) -> pd.DataFrame:
        return read_trace(path)


class Where(Strict):
    """Which resources a request may target: all of a service's (in every region), or a
    group, or statuses, or a region."""

    group: str | None = None
    status: tuple[str, ...] | None = Field(
        default=None, description="only resources in one of these statuses at that moment"
    )
    region: Region | None = Field(default=None, description="only resources in this region")


class Requests(Schedule):
    """A stream of requests to one operation of one service.

    Exactly one of `at`, `every`, `poisson`, `replay` says when. `at` and `every` target all
    matching resources, or a random `count` or `fraction` of them; each `poisson` arrival
    targets one resource matching at that moment, at random among those the stream has not
    targeted yet, until it has sent `count` (or `fraction` of those matching at its start).
    """

    name: str | None = None
    service: str
    operation: str | None = Field(default=None, description="default: the service's stop")
    caller: str = "default"
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="request members added to each request"
    )
    replay: (
        Annotated[
            Annotated[Replay, Tag("trace")] | Annotated[LogReplay, Tag("log")],
            Discriminator(replay_kind),
        ]
        | None
    ) = None
    where: Where = Where()
    count: int | None = Field(default=None, ge=1)
    fraction: float | None = Field(default=None, gt=0, le=1)
    wait: bool = Field(default=True, description="poll until a stop ends, as an SDK waiter")

    @model_validator(mode="after")
    def _one_schedule(self) -> Self:
        self.check_schedule(("at", "every", "poisson", "replay"))
        if self.count is not None and self.fraction is not None:
            raise ValueError("give `count` or `fraction`, not both")
        if self.replay is not None:
            defaults: dict[str, object] = {
                "operation": None, "parameters": {}, "where": Where(), "count": None,
                "fraction": None,
            }  # fmt: skip
            given = [k for k, default in defaults.items() if getattr(self, k) != default]
            if given:
                raise ValueError(
                    f"with `replay`, the trace says what to send: {', '.join(given)} would be "
                    "ignored (put parameters in the trace's `parameters` column)"
                )
        if self.service not in SERVICES:
            raise ValueError(
                f"service: unknown service {self.service!r}; expected one of {', '.join(SERVICES)}"
            )
        service = SERVICES[self.service]
        if self.operation is not None and self.operation not in service.OPERATIONS:
            raise ValueError(
                f"operation: {self.service} has no operation {self.operation!r}; expected one "
                f"of {', '.join(service.OPERATIONS)}"
            )
        statuses = sorted(s.value for s in service.Status)
        for status in self.where.status or ():
            if status not in statuses:
                raise ValueError(
                    f"where.status: {self.service} has no status {status!r}; expected one of "
                    f"{', '.join(statuses)}"
                )
        return self

    @property
    def operation_name(self) -> str:
        return self.operation or SERVICES[self.service].STOP.operation


BlockT = TypeVar("BlockT", bound=Strict)


def _in_region(block: BlockT, region: str) -> BlockT:
    """`block` (checked already) in `region`, which it leaves out of the fields it set."""
    moved = block.model_copy(update={"region": region})
    moved.__pydantic_fields_set__.discard("region")
    return moved


def _stream_kind(value: object) -> str:
    if isinstance(value, dict):
        return "handler stream" if "handler" in value else "operation stream"
    return "handler stream" if isinstance(value, Invocations) else "operation stream"


Stream = Annotated[
    Annotated[Requests, Tag("operation stream")] | Annotated[Invocations, Tag("handler stream")],
    Discriminator(_stream_kind),
]
"""A request stream: one operation of one service, or the user's handler."""


def _numeric(text: object) -> bool:
    """Whether `text` is a string that reads as a number ('12345', '1.7e9'): pydantic
    would take it as Unix seconds, as it takes the number."""
    if not isinstance(text, str):
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def _stream_schema(schema: JsonDict) -> None:
    """A stream with a `handler` is checked as one, any other as an operation's stream, so
    an editor points into the stream rather than at "not valid under any schema"."""
    properties = schema["properties"]
    assert isinstance(properties, dict)
    requests = properties["requests"]
    assert isinstance(requests, dict)
    items = requests["items"]
    assert isinstance(items, dict)
    branches = items.pop("oneOf")
    assert isinstance(branches, list)
    operation, handler = branches
    items.update({"if": {"required": ["handler"]}, "then": handler, "else": operation})


class Scenario(Strict):
    """A fleet of resources, who calls what when, and how the services behave."""

    model_config = ConfigDict(json_schema_extra=_stream_schema)

    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$", description="used in output names")
    description: str = ""
    seed: int = Field(default=0, ge=0)
    replications: int = Field(default=1, ge=1)
    horizon: Duration = Field(gt=0, description="how long to simulate")
    start: StartTime = Field(
        default=DEFAULT_START, description="wall-clock time of t=0 (default a Monday, UTC)"
    )
    region: Region = Field(
        default=DEFAULT_REGION,
        description="the AWS region of every fleet entry and caller that names none",
    )
    services: Services = Services()
    fleet: list[Fleet] = Field(default_factory=list)
    callers: dict[str, Caller] = Field(default_factory=lambda: {"default": Caller()})
    requests: list[Stream] = Field(
        default_factory=list,
        description="request streams: each sends one operation, or runs a `handler`",
    )
    consumers: dict[str, Consumer] = Field(
        default_factory=dict,
        description="by SQS queue name: who answers the callback steps that use the queue",
    )
    demand: list[Demand] = Field(
        default_factory=list, description="inference requests to hosted models, per group"
    )
    policies: dict[PolicyName, Policy] = Field(
        default_factory=dict, description="hosting policies that stop and start models, by name"
    )
    prices: PriceFiles = Field(
        default=(), description="price files overriding the catalogue's, per region and item"
    )
    sweep: Sweep | None = Field(
        default=None, description="what-if variants for `simulate sweep`; `simulate run` ignores it"
    )
    include: tuple[str, ...] = Field(
        default=(),
        exclude=True,  # merged as the file loads: a resolved scenario holds their values
        description="fragments of service settings (what `simulate fit` writes), paths "
        "relative to this file, merged in order under this scenario's own `services`",
    )

    @field_validator("start", mode="before")
    @classmethod
    def _iso_start(cls, start: object) -> object:
        if isinstance(start, bool):
            raise ValueError(f"expected a date or an ISO timestamp, got {str(start).lower()}")
        if isinstance(start, int | float) or _numeric(start):
            raise ValueError(
                f"expected a date or an ISO timestamp such as 2026-01-05T00:00:00Z, got the "
                f"number {start!r} (which would be read as seconds since 1970)"
            )
        return start

    @field_validator("start")
    @classmethod
    def _aware(cls, start: datetime) -> datetime:
        return start if start.tzinfo is not None else start.replace(tzinfo=UTC)

    @model_validator(mode="after")
    def _regions(self) -> Self:
        """Every fleet entry and caller that names no region is in the scenario's: after
        loading, each one's `region` is a region's name, still not among the fields it set
        (`inherited_regions`), so a variant that changes `region` moves it too."""
        for index, entry in enumerate(self.fleet):
            if hasattr(entry, "region") and "region" not in entry.model_fields_set:
                self.fleet[index] = _in_region(entry, self.region)
        for name, caller in self.callers.items():
            if "region" not in caller.model_fields_set:
                self.callers[name] = _in_region(caller, self.region)
        return self

    @property
    def inherited_regions(self) -> dict[str, Any]:
        """The `region` fields the scenario's own gave, as `model_dump`'s `exclude` takes
        them: a resolved copy without them follows a changed `region`."""
        return {
            "fleet": {
                index: {"region"}
                for index, entry in enumerate(self.fleet)
                if hasattr(entry, "region") and "region" not in entry.model_fields_set
            },
            "callers": {
                name: {"region"}
                for name, caller in self.callers.items()
                if "region" not in caller.model_fields_set
            },
        }

    @model_validator(mode="after")
    def _references(self) -> Self:
        bind_logs(self)  # a log replay's requests, callers and resources; before the checks
        for index, fleet in enumerate(self.fleet):
            check_fleet(index, fleet, self.services)
        scenario_prices(self)  # every billed item priced in its region, or said which not
        self._pipelines()
        check_demand(self)
        check_policies(self)
        for index, requests in enumerate(self.requests):
            if requests.caller not in self.callers:
                raise ValueError(
                    f"requests[{index}].caller: no caller {requests.caller!r}; callers are "
                    f"{', '.join(self.callers)}"
                )
            if isinstance(requests.at, datetime):
                if requests.at.tzinfo is None:
                    raise ValueError(f"requests[{index}].at: give the timestamp's zone, e.g. 'Z'")
                if requests.at < self.start:
                    raise ValueError(f"requests[{index}].at: {requests.at} is before start")
            if requests.replay is not None:
                problem = check_window(
                    requests.replay.trace, requests.replay.path, self.start, self.horizon
                )
                if problem is not None:
                    raise ValueError(f"requests[{index}].replay: {problem}")
            if isinstance(requests, Invocations):
                continue
            where = requests.where
            problem = where_problem(
                requests.service, where.group, where.region, self.fleet, self.region
            )
            if problem is not None:
                raise ValueError(f"requests[{index}].where.{problem}")
            if requests.replay is not None:
                callers = requests.replay.trace["caller"].dropna().unique()
                unknown = [c for c in callers if c not in self.callers]
                if unknown:
                    raise ValueError(
                        f"requests[{index}].replay: trace names caller {unknown[0]!r}, which "
                        f"is not among the callers ({', '.join(self.callers)})"
                    )
        return self

    @property
    def operation_streams(self) -> list[tuple[int, Requests]]:
        """The streams that send one operation, with their indices in `requests`."""
        return [(i, r) for i, r in enumerate(self.requests) if isinstance(r, Requests)]

    def operation_stream(self, index: int) -> Requests:
        """Stream `index`, which the caller knows sends one operation."""
        stream = self.requests[index]
        assert isinstance(stream, Requests), f"requests[{index}] runs a handler"
        return stream

    @property
    def handler_streams(self) -> list[tuple[int, Invocations]]:
        """The streams that run the user's handler, with their indices in `requests`."""
        return [(i, r) for i, r in enumerate(self.requests) if isinstance(r, Invocations)]

    def _pipelines(self) -> None:
        """One fleet entry per pipeline; a consumer for every callback queue, and no
        consumer without a queue (it would wait for nothing)."""
        pipelines = [f for f in self.fleet if isinstance(f, _sagemaker.Fleet)]
        seen: set[str] = set()
        for index, fleet in enumerate(self.fleet):
            if not isinstance(fleet, _sagemaker.Fleet):
                continue
            if fleet.pipeline in seen:
                raise ValueError(
                    f"fleet[{index}].pipeline: {fleet.pipeline!r} is defined twice; give one "
                    "entry per pipeline (its `count` and `every` say how many executions)"
                )
            seen.add(fleet.pipeline)
        queues = {queue for fleet in pipelines for queue in fleet.queues}
        missing = sorted(queues - set(self.consumers))
        if missing:
            queue = missing[0]
            raise ValueError(
                f"consumers: no consumer for the callback queue {queue!r}; add one, e.g. "
                f"consumers: {{{queue}: {{handle: 10m}}}} (never_answers: 1 models a queue "
                "nobody reads)"
            )
        for queue, consumer in self.consumers.items():
            if queue not in queues:
                raise ValueError(
                    f"consumers.{queue}: no callback step uses the queue {queue!r}; queues are "
                    f"{', '.join(sorted(queues)) or 'none'}"
                )
            if consumer.caller not in self.callers:
                raise ValueError(
                    f"consumers.{queue}.caller: no caller {consumer.caller!r}; callers are "
                    f"{', '.join(self.callers)}"
                )

    def stream_name(self, index: int) -> str:
        return self.requests[index].name or f"requests{index}"
