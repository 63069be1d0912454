"""Whether the vector engine can draw a scenario's stops as arrays, and if not, why.

The vector engine draws each stop on its own: its request's trip, its resource's stop
latency, its caller's polls. That is the event engine's answer, in distribution, only when
no stop can change what another finds. So a scenario is refused, with a sentence naming the
field that prevents it, when anything could make two requests meet:

- a fleet entry of a service whose stop is more than one drawn latency (Comprehend's race
  with training, Neptune's and SageMaker's processes), or resources that move by
  themselves (a status a progression runs from, maintenance windows), or that a stream may
  select in a status stops do not start from (an entry that can do neither, a STOPPED
  model no stream selects, stays in its status and is drawn);
- a request stream that is not the service's stop (a start undoes a stop), a replayed
  trace, extra request members, callback consumers;
- two stop streams that may select the same fleet group, or an `every` stream that could
  select again what it stopped (a status filter that takes stopped resources, or a stop
  whose request could still be on its way when the stream fires again);
- anything that makes a call fail and retry: an injected fault, a token bucket that could
  refuse (decided conservatively: it can refuse unless its burst holds every request the
  stops could make to it over the whole horizon), a caller denied the action, and
  adaptive retries, whose client-side limiter delays each request by what came before.

What passes is drawn exactly in distribution, with one exception: an `every` stream is
passed when a stop still on its way at the stream's next firing is at most `UNREACHABLE`
likely (a continuous network's tail), and a replication in which it happens anyway raises
CannotDraw rather than draw it wrongly. What cannot be drawn, the event engine runs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from simulator.api.iam import Permissions
from simulator.engine.residual import survival
from simulator.errors import SimulatorError
from simulator.scenario.callers import RetryMode
from simulator.scenario.model import Requests, Scenario
from simulator.services import SERVICES
from simulator.services.kit import SingleStepFleet
from simulator.vector.paths import PATHS
from simulator.workload.arrivals import occurrences

UNREACHABLE: Final = 1e-12
"""A stop whose request is on its way for its `every` stream's period or longer (half a
round trip of twice the period or more: at a tie the stream fires first) would meet the
stream's next occurrence. Where the caller's network makes that at most this probable, the
vector engine draws the stream, and a replication in which it happens anyway raises
CannotDraw rather than draw it wrongly."""

READS: Final = ("Describe", "List", "Get")
"""How the operations that only read a resource begin."""

_ELSEWHERE: Final = {
    "comprehend": "a stop races the classifier's training (it may end TRAINED), and whether "
    "a classifier is still SUBMITTED or TRAINING when a stop comes depends on its draws",
    "neptune": "a cancel interrupts a job's stages, each a process of its own",
    "sagemaker": "a stop races a pipeline execution's steps, callbacks and Lambda functions",
}
"""Why each service without a `PATHS` entry is the event engine's."""


class CannotDraw(SimulatorError):
    """The vector engine was asked to draw what it cannot: the message says why."""


@dataclass(frozen=True)
class Eligibility:
    """The decision, with one sentence per thing that prevents drawing the stops."""

    reasons: tuple[str, ...]

    @property
    def eligible(self) -> bool:
        return not self.reasons


def check(scenario: Scenario) -> Eligibility:
    """Whether the vector engine can draw `scenario`, and every reason it cannot."""
    said: set[str] = set()
    return Eligibility(
        (
            *_fleet(scenario, said),
            *_streams(scenario, said),
            *_overlaps(scenario),
            *_calls(scenario),
            *_policies(scenario),
        )
    )


_POLICIES: Final = {
    "idle_stop": "a hosting policy acts on requests as they arrive",
    "keep_alive_histogram": "a keep-alive histogram stops and pre-warms each model from the "
    "idle times between its requests, as they arrive",
    "schedule": "a schedule starts again at each period's begin the models it stopped (a start "
    "undoes a stop)",
    "budget": "a budget stops a group's models when their spend passes its cap, a moment "
    "every model's status moves, and starts them again each window",
}
"""Why each kind of hosting policy is the event engine's: each stops and starts models, a
loop of events (demand alone is drawn and served by both engines)."""


def _policies(scenario: Scenario) -> Iterator[str]:
    for name, policy in scenario.policies.items():
        yield f"policies.{name}: {_POLICIES[policy.kind]}"


def _elsewhere(field: str, service: str, said: set[str]) -> str:
    """Why `service` is the event engine's: in full the first time, then by name."""
    if service in said:
        return f"{field}: {service}, as above"
    said.add(service)
    return f"{field}: {service}: {_ELSEWHERE.get(service, 'not a single-step service')}"


def _fleet(scenario: Scenario, said: set[str]) -> Iterator[str]:
    if scenario.consumers:
        yield "consumers: callback consumers answer what SageMaker steps send as stops change them"
    services = set()
    for index, fleet in enumerate(scenario.fleet):
        path = PATHS.get(fleet.service)
        if path is None:
            yield _elsewhere(f"fleet[{index}].service", fleet.service, said)
            continue
        services.add(fleet.service)
        assert isinstance(fleet, SingleStepFleet), fleet  # every service in PATHS is
        yield from _still(scenario, index, fleet)
    for service in sorted(
        services | ({r.service for _, r in scenario.operation_streams} & set(PATHS))
    ):
        latency = getattr(scenario.services, service).latency
        for status, setting in PATHS[service].still.items():
            if getattr(latency, setting) is not None:
                yield (
                    f"services.{service}.latency.{setting}: set, so {status} resources leave "
                    "it by themselves (maintenance windows), and a stop then is refused"
                )


def _still(scenario: Scenario, index: int, fleet: SingleStepFleet) -> Iterator[str]:
    """A fleet entry outside the statuses stops start from is drawn as it is, in its status
    to the horizon, if it cannot move: no progression runs from its status, and no stream
    may select it (a stop would be refused, or would move it off the stop's path)."""
    path, status = PATHS[fleet.service], str(fleet.status)
    if status in path.stoppable:
        return
    allowed = ", ".join(sorted(path.stoppable))
    field = f"fleet[{index}].status: {status} is not a status {fleet.service} stops start from"
    kind = SERVICES[fleet.service]
    if kind.Status(status) in kind.PROGRESSIONS:
        yield f"{field} ({allowed}), and its resources move by themselves"
        return
    for number, requests in scenario.operation_streams:
        if requests.service == fleet.service and _selects(requests, fleet):
            yield f"{field} ({allowed}), and requests[{number}] may select it"
            return


def _selects(requests: Requests, fleet: SingleStepFleet) -> bool:
    """Whether a stream's `where` takes the entry's resources, which never leave its status."""
    where = requests.where
    group = where.group is None or where.group == fleet.group_name
    region = where.region is None or where.region == fleet.region
    return group and region and (where.status is None or str(fleet.status) in where.status)


def _streams(scenario: Scenario, said: set[str]) -> Iterator[str]:
    for index, stream in enumerate(scenario.requests):
        field = f"requests[{index}]"
        if not isinstance(stream, Requests):
            yield f"{field}.handler: the user's code decides what to send, and when"
            continue
        requests = stream
        if requests.replay is not None:
            yield f"{field}.replay: a trace may send any operation to any resource at any time"
            continue
        if requests.service not in PATHS:
            yield _elsewhere(f"{field}.service", requests.service, said)
            continue
        stop = SERVICES[requests.service].STOP
        if requests.operation_name != stop.operation:
            yield (
                f"{field}.operation: {requests.operation_name} is not {requests.service}'s stop "
                f"({stop.operation}): {_other(requests.operation_name)}"
            )
            continue
        if requests.parameters:
            yield (
                f"{field}.parameters: request members of the scenario's own may fail "
                "validation or replay an idempotency token"
            )
        yield from _caller(scenario, requests)
        yield from _repeats(scenario, index, requests)


def _other(operation: str) -> str:
    """Why a stream of an operation other than the stop is the event engine's."""
    if operation.startswith(READS):
        return (
            "the vector engine draws only stops and their polls, and each of its calls takes a "
            "token of the operation's throttle (the polls' too, for a describe) and is a row "
            "of `calls`"
        )
    return "it changes what the stops find"


def _caller(scenario: Scenario, requests: Requests) -> Iterator[str]:
    name, service = requests.caller, SERVICES[requests.service]
    caller = scenario.callers[name]
    if caller.retry.mode is RetryMode.ADAPTIVE:
        yield (
            f"callers.{name}.retry.mode: adaptive: its client-side rate limiter delays each "
            "request by what the caller sent before"
        )
    operations = [service.STOP.operation] + ([service.STOP.describe] if requests.wait else [])
    permissions = Permissions(caller.permissions)
    for operation in operations:
        action = service.OPERATIONS[operation].action
        if not permissions.allows(action):
            yield f"callers.{name}.permissions: do not allow {action}: its calls are denied"


def _repeats(scenario: Scenario, index: int, requests: Requests) -> Iterator[str]:
    """An `every` stream that fires more than once must not find again what it stopped."""
    if requests.every is None:
        return
    fires = len(occurrences(requests, scenario.start, scenario.horizon))
    if fires < 2:
        return
    path = PATHS[requests.service]
    status = requests.where.status
    again = sorted(path.after_stop if status is None else path.after_stop & set(status))
    if again:
        yield (
            f"requests[{index}].where.status: the stream fires {fires} times and selects "
            f"{', '.join(again)}: it would stop again what it stopped"
        )
    network = scenario.callers[requests.caller].network
    # half the round trip is on the way there, and at a tie the stream fires first: the
    # request must land strictly before, so P(R >= 2 every), atoms included
    late = survival(network, math.nextafter(2 * requests.every, 0.0))
    if late > UNREACHABLE:
        yield (
            f"requests[{index}].every: a stop may still be on its way {requests.every:g} s "
            f"later, when the stream fires again (probability {late:.2g} of the caller's "
            "network): the two would meet"
        )


def _reach(scenario: Scenario, requests: Requests) -> set[str]:
    """The fleet groups a stream may select."""
    groups = {f.group_name for f in scenario.fleet if f.service == requests.service}
    group = requests.where.group
    return groups if group is None else groups & {group}


def _overlaps(scenario: Scenario) -> Iterator[str]:
    stops = [
        (index, requests)
        for index, requests in scenario.operation_streams
        if requests.replay is None
        and requests.service in PATHS
        and requests.operation_name == SERVICES[requests.service].STOP.operation
    ]
    for position, (first, one) in enumerate(stops):
        for second, other in stops[position + 1 :]:
            if one.service != other.service:
                continue
            shared = sorted(_reach(scenario, one) & _reach(scenario, other))
            if shared:
                yield (
                    f"requests[{first}] and requests[{second}]: both may stop {one.service} "
                    f"group {shared[0]!r}: a second stop finds what the first left"
                )


def _calls(scenario: Scenario) -> Iterator[str]:
    """Faults and throttles on the operations the stops call."""
    for service in sorted(
        {r.service for _, r in scenario.operation_streams if r.replay is None} & set(PATHS)
    ):
        spec = SERVICES[service].STOP
        settings = getattr(scenario.services, service)
        streams = [
            r for _, r in scenario.operation_streams if r.service == service and r.replay is None
        ]
        # each region's endpoint has its own buckets: the stops of the region with the
        # most resources are the most a bucket meets (accounts apart or not)
        regions: Counter[str | None] = Counter()
        for fleet in scenario.fleet:
            if fleet.service == service:
                regions[getattr(fleet, "region", None)] += fleet.count
        resources = max(regions.values(), default=0)
        polls = max(
            (scenario.callers[r.caller].waiter.max_attempts for r in streams if r.wait), default=0
        )
        for operation, most in ((spec.operation, resources), (spec.describe, resources * polls)):
            if most == 0:
                continue
            probability = settings.faults.get(operation, 0.0)
            if probability > 0:
                yield (
                    f"services.{service}.faults.{operation}: {probability:g}: a call may fail "
                    "and be retried"
                )
            throttle = settings.throttle.get(operation)
            if throttle is not None and most > throttle.burst:
                yield (
                    f"services.{service}.throttle.{operation}: a token bucket of "
                    f"{throttle.rate:g}/s, burst {throttle.burst:g}, may refuse some of the up "
                    f"to {most:,} requests the stops make to it"
                )
