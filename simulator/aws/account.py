"""The simulated AWS account user code talks to: one per simulation.

Each request botocore sends from user code arrives here (`Account.send`, from the
`before-send` hook). It crosses the caller's simulated network, goes through the same
control plane as the built-in callers (throttle, IAM, validation, faults, idempotency, the
operation) and is recorded in `calls` like theirs: one row per attempt, on the caller's
own named streams (network, retry jitter, client tokens) for that operation. So a workload
written once as a request stream and once as boto3 code draws the same numbers.

A stop sent this way opens a stop record when the code calls (`starting`), as a built-in
stop does, before any wait of the client's own (adaptive mode's limiter); it is answered when
botocore has finished the call (after its retries) and observed when the same caller's
describe of that resource first shows a status that ends it.

An operation or service the simulator does not model answers as AWS answers an unknown
operation (`UnknownOperationException`, HTTP 400: ASSUMED) with a message that names what is
simulated, at once (no trip is simulated); it is a row of `calls` with that error code, and
counted in `unsimulated`.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter
from collections.abc import Generator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

import botocore.loaders
import simpy
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.model import ServiceModel

from simulator.api.errors import AwsError
from simulator.aws import wire
from simulator.aws.actors import ENDED
from simulator.aws.models import MODELS
from simulator.engine.stops import Stop
from simulator.services.base import ManagedService, Resource
from simulator.workload.clients import CALL_COLUMNS, CALL_JOINT, Client

if TYPE_CHECKING:
    from simulator.aws.actors import Actor
    from simulator.build import Model

SERVICES: dict[str, str] = {
    "rekognition": "rekognition",
    "lookoutvision": "lookoutvision",
    "comprehend": "comprehend",
    "sagemaker": "sagemaker",
    "neptunedata": "neptune",
}
"""botocore's service id (hyphenised) -> the simulator's service."""
UNKNOWN_OPERATION = ("UnknownOperationException", 400)


@cache
def service_model(name: str) -> ServiceModel:
    """botocore's model of a service, Lookout for Vision's from the package's data."""
    loader = botocore.loaders.Loader(extra_search_paths=[str(MODELS)])
    return ServiceModel(loader.load_service_model(name, "service-2"), name)


def _signature(params: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    return json.dumps([params.get(k) for k in keys], sort_keys=True, default=str)


class Account:
    """The simulated AWS of one simulation, as user code sees it."""

    def __init__(self, model: Model, epoch: float, region: str) -> None:
        self.model = model
        self.sim = model.sim
        self.region = region
        self.epoch = epoch
        """The scenario's start, as seconds since 1970: what `time.time()` reads at 0."""
        self.unsimulated: Counter[str] = Counter()
        """'service:Operation' -> attempts user code sent to what is not simulated."""
        calls = self.sim.recorder.table("calls", CALL_COLUMNS, CALL_JOINT)
        self._append, self._who = calls.append, calls.codes(CALL_JOINT[0])
        self._outcome = calls.codes(CALL_JOINT[1])
        self._watched: dict[tuple[str, str, str], list[Stop]] = {}
        """(caller, service, describe's identifying members) -> stops awaiting being seen."""
        self._describe_keys: dict[str, tuple[str, ...]] = {}
        self._unknown: dict[tuple[str, str], int] = {}

    def client(self, caller: str, region: str | None = None) -> Client:
        """The caller's client for `region`, the botocore client's `region_name` (user code
        makes one per region; None: the account's region, which its clients default to)."""
        return self.model.clients[caller].at(region or self.region)

    def _record(
        self,
        sent_at: float,
        caller: str,
        service: str,
        operation: str,
        key: int,
        attempt: int,
        status: int,
        code: str | None,
        latency_s: float,
    ) -> None:
        """A row of `calls`, its joint columns coded (`CALL_JOINT`)."""
        who, outcome = self._who[caller, service, operation], self._outcome[status, code]
        self._append(sent_at, who, key, attempt, outcome, latency_s)

    # -- one attempt ---------------------------------------------------------------------

    def send(self, actor: Actor, request: AWSPreparedRequest, event_name: str) -> AWSResponse:
        """The answer to one attempt botocore sends, once the simulated trip is over."""
        _, service_id, operation = event_name.split(".", 2)
        request_id = str(uuid.UUID(int=random.getrandbits(128), version=4))
        service = self.model.services.get(SERVICES.get(service_id, ""))
        if service is None or operation not in service.OPERATIONS:
            return self._unsimulated(actor, request, service_id, operation, request_id)
        model = service_model(service_id).operation_model(operation)
        params = wire.decode(request, model, self.epoch)
        attempt = _attempt_number(request)
        client = self.client(actor.caller, request.context.get("client_region"))
        attempt_made = self._attempt(actor, client, service.name, operation, params, attempt)
        outcome = actor.wait(self.sim.process(attempt_made))
        if outcome is None:  # ended before sending: the code never reads this answer
            return wire.encode_error(request, "json", 0, ENDED, ENDED, request_id)
        if isinstance(outcome, AwsError):
            return wire.encode_error(
                request, wire.protocol_of(request, model), outcome.http_status, outcome.code,
                outcome.message, request_id,
            )  # fmt: skip
        status, answer = outcome
        return wire.encode(request, model, status, answer, request_id, self.epoch)

    def _attempt(
        self,
        actor: Actor,
        client: Client,
        service: str,
        operation: str,
        params: dict[str, Any],
        attempt: int,
    ) -> Generator[simpy.Event, Any, tuple[int, Mapping[str, Any]] | AwsError | None]:
        """One attempt, as `Client.call` makes each: half the trip there (after any backoff
        botocore deferred), the control plane's answer, half the trip back."""
        env = self.sim.env
        endpoint = client.endpoint(service, operation)
        spec = endpoint.spec
        resource_id = params.get(spec.resource_param)
        managed = self.model.services[service]
        target = managed.resources.get(resource_id) if isinstance(resource_id, str) else None
        key = target.key if target is not None else self._key(service, resource_id)
        half_trip = endpoint.network() / 2
        pending, actor.pending_s = actor.pending_s, 0.0
        sent_at = env.now + pending
        actor.call.update(sent_at=sent_at, attempt=attempt)
        yield env.timeout(pending + half_trip)
        if actor.ended_at is not None and actor.ended_at <= sent_at:
            return None  # the code was ended before the attempt left: nothing was sent
        now = env.now
        result: tuple[int, Mapping[str, Any]] | AwsError
        try:
            result = (
                spec.success_status,
                client.plane.answer(endpoint.route, client.identity, params),
            )
            status, code = spec.success_status, None
        except AwsError as error:
            result, status, code = error, error.http_status, error.code
            actor.jitter = [endpoint.jitter()]  # as a built-in caller draws, per failure
        self._record(
            sent_at, actor.caller, service, operation, key, attempt, status, code,
            now + half_trip - sent_at,
        )  # fmt: skip
        yield env.timeout(half_trip)
        actor.call.pop("sent_at", None)
        if not isinstance(result, AwsError):
            self._observe(actor, managed, operation, params, result[1])
        if actor.ended_at is not None:  # the code is gone: the service's answer is the stop's
            self.answered(actor, status, code, attempt)
        return result

    def _key(self, service: str, resource_id: object) -> int:
        """The key of what a request names that is no resource (a project, a pipeline)."""
        name = "" if resource_id is None else str(resource_id)
        key = self._unknown.get((service, name))
        if key is None:
            key = self._unknown[service, name] = self.sim.recorder.unknown(name)
        return key

    # -- a call starting, and stops ---------------------------------------------------

    def starting(
        self,
        actor: Actor,
        service: str,
        operation: str,
        params: dict[str, Any],
        region: str | None = None,
    ) -> None:
        """A call of user code starts (before botocore builds its request): the token it left
        out, and the record of a stop, as a built-in caller makes them when it calls (none
        for code already ended, whose calls do not leave)."""
        if actor.ended_at is not None:
            return
        actor.call.pop("attempt", None)  # the attempts made are this call's
        managed = self.model.services[service]
        spec = managed.OPERATIONS.get(operation)
        if spec is None:
            return
        token = spec.idempotency_token
        if token is not None and token not in params:
            endpoint = self.client(actor.caller, region).endpoint(service, operation)
            params[token] = Client._client_token(endpoint.token_bits)
        if operation == managed.STOP.operation:
            resource_id = params.get(spec.resource_param)
            target = managed.resources.get(resource_id) if isinstance(resource_id, str) else None
            key = target.key if target is not None else self._key(service, resource_id)
            self._open_stop(actor, managed, key, target, self.sim.now)

    def _open_stop(
        self,
        actor: Actor,
        managed: ManagedService,
        key: int,
        target: Resource | None,
        sent_at: float,
    ) -> None:
        spec = managed.STOP
        stop = self.sim.recorder.stops.send(sent_at, managed.name, key)
        if target is not None:
            stop.follow(target.status.value, spec.terminal)
            described = managed.request(spec.describe, target)
            signature = _signature(described, tuple(described))
            watch = (actor.caller, managed.name, signature)
            self._watched.setdefault(watch, []).append(stop)
            self._describe_keys.setdefault(managed.name, tuple(described))
        actor.call["stop"] = stop

    def _observe(
        self,
        actor: Actor,
        managed: ManagedService,
        operation: str,
        params: Mapping[str, Any],
        answer: Mapping[str, Any],
    ) -> None:
        """A describe that shows a status ending a stop this caller sent: it is seen."""
        spec = managed.STOP
        keys = self._describe_keys.get(managed.name)
        if operation != spec.describe or keys is None:
            return
        watch = (actor.caller, managed.name, _signature(params, keys))
        stops = self._watched.get(watch)
        if not stops:
            return
        try:
            status = spec.describe_status(answer)
        except (KeyError, IndexError):
            return
        if status in spec.terminal:
            for stop in stops:
                stop.observed(self.sim.now)
            del self._watched[watch]

    def answered(self, actor: Actor, status: int, error_code: str | None, attempts: int) -> None:
        """botocore has finished the call: its stop record, if it was a stop, is answered."""
        stop = actor.call.pop("stop", None)
        if stop is not None:
            stop.answered(self.sim.now, status < 300, error_code, attempts)

    # -- what is not simulated -----------------------------------------------------------

    def _unsimulated(
        self,
        actor: Actor,
        request: AWSPreparedRequest,
        service_id: str,
        operation: str,
        request_id: str,
    ) -> AWSResponse:
        name = f"{service_id}:{operation}"
        self.unsimulated[name] += 1
        known = SERVICES.get(service_id)
        if known is None:
            what = f"simulated services: {', '.join(sorted(SERVICES))}"
        else:
            what = f"simulated operations: {', '.join(self.model.services[known].OPERATIONS)}"
        code, status = UNKNOWN_OPERATION
        now = self.sim.now
        self._record(
            now, actor.caller, service_id, operation, self._key(service_id, None),
            _attempt_number(request), status, code, 0.0,
        )  # fmt: skip
        try:
            model = service_model(service_id).operation_model(operation)
            protocol = wire.protocol_of(request, model)
        except Exception:  # a service botocore names otherwise: its answer may not parse
            protocol = "json"
        actor.wait(self.sim.timeout(0))
        return wire.encode_error(
            request, protocol, status, code, f"{name} is not simulated; {what}", request_id
        )


def _attempt_number(request: AWSPreparedRequest) -> int:
    """botocore's attempt number, from the `amz-sdk-request: attempt=N; max=M` header
    (bytes once botocore has prepared the request: `str` of them would read `b'attempt`)."""
    header = request.headers.get("amz-sdk-request", "")
    if isinstance(header, bytes):
        header = header.decode("ascii")
    for part in str(header).split(";"):
        name, _, value = part.strip().partition("=")
        if name == "attempt":
            return int(value)
    return 1
