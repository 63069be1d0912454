"""The control plane: one path every request takes, whatever the service.

    throttle -> IAM -> validation -> injected fault -> idempotency token -> the operation

Throttling comes first (a throttled request is not looked at further); the order is
ASSUMED, AWS does not document it. Each step raises the calling service's own error.

Every endpoint is regional: a request goes to its caller's region (a botocore client's
`region_name`), whose throttle buckets and idempotency tokens are that region's own, kept
per (account, region, operation) (DOC: quotas are per account per Region; a token's scope
beyond the operation is ASSUMED to follow the endpoint), and whose service answers only of
that region's resources (`ManagedService.serving`): another region's ARN is the service's
not-found error, as for any unknown ARN (ASSUMED: AWS documents no cross-region message).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from simulator.api.iam import Permissions
from simulator.api.idempotency import TokenStore
from simulator.api.operations import Operation, ServiceErrors, ServiceSettings, Throttle
from simulator.api.throttle import TokenBucket
from simulator.api.validation import Unchanging, validate
from simulator.engine.env import Simulation

Response = Mapping[str, Any]
Handler = Callable[[Mapping[str, Any]], Response]


class Service(Protocol):
    """What the control plane needs of a service."""

    @property
    def name(self) -> str: ...
    @property
    def errors(self) -> ServiceErrors: ...
    @property
    def operations(self) -> Mapping[str, Operation]: ...
    @property
    def settings(self) -> ServiceSettings: ...
    @property
    def token_lifetime_s(self) -> float: ...

    serving: str
    """The region whose endpoint answers: set before each handler runs."""

    def handler(self, operation: str) -> Handler: ...


@dataclass(frozen=True)
class Identity:
    """Who is calling, from where: the caller's account and the region of its client's
    endpoint (together, `scope`: the key of its throttle buckets and tokens), and its IAM
    permissions."""

    name: str
    account: str
    permissions: Permissions
    region: str = "us-east-1"  # the scenario's default (simulator.services.regions)
    scope: tuple[str, str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scope", (self.account, self.region))


@dataclass(slots=True)
class Route:
    """Everything one (service, operation) needs per request, looked up once (and kept by
    each caller's endpoint, so a call looks up nothing)."""

    service: Service
    operation: Operation
    handler: Handler
    throttle: Throttle | None
    fault_probability: float
    fault: Callable[[], float] | None
    buckets: dict[tuple[str, str], TokenBucket] = field(default_factory=dict)
    """The operation's throttle bucket of each (account, region)."""
    tokens: dict[tuple[str, str], TokenStore] = field(default_factory=dict)
    """Idempotency tokens by (account, region): a token is scoped to its operation there."""


class ControlPlane:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.services: dict[str, Service] = {}
        self._routes: dict[str, dict[str, Route]] = {}

    def register(self, service: Service) -> None:
        self.services[service.name] = service
        settings = service.settings
        for name, operation in service.operations.items():
            probability = settings.faults.get(name, 0.0)
            fault = None
            if probability > 0:
                fault = self.sim.streams.sampler(
                    f"faults.{service.name}.{name}", lambda g, n: g.random(n)
                )
            self._routes.setdefault(service.name, {})[name] = Route(
                service,
                operation,
                service.handler(name),
                settings.throttle.get(name),
                probability,
                fault,
            )

    def operation(self, service: str, operation: str) -> Operation:
        return self._routes[service][operation].operation

    def route(self, service: str, operation: str) -> Route:
        return self._routes[service][operation]

    def handle(
        self, caller: Identity, service_name: str, operation_name: str, params: Mapping[str, Any]
    ) -> Response:
        """The response of one attempt, or the AwsError it raises."""
        return self.answer(self._routes[service_name][operation_name], caller, params)

    def answer(self, route: Route, caller: Identity, params: Mapping[str, Any]) -> Response:
        """`handle`, for a caller that holds the route already."""
        errors = route.service.errors
        if route.throttle is not None:
            bucket = route.buckets.get(caller.scope)
            if bucket is None:
                throttle = route.throttle
                bucket = TokenBucket(throttle.rate, throttle.burst, self.sim.now)
                route.buckets[caller.scope] = bucket
            if not bucket.try_take(self.sim.now):
                raise errors.throttling("Rate exceeded")
        operation = route.operation
        if not caller.permissions.allows(operation.action):
            raise errors.access_denied(
                f"User: {caller.name} is not authorized to perform: {operation.action}"
            )
        if params.__class__ is not Unchanging:
            validate(params, operation.params, errors.validation, errors.missing_parameter)
        elif params.valid_for is not operation:
            validate(params, operation.params, errors.validation, errors.missing_parameter)
            params.valid_for = operation
        if route.fault is not None and route.fault() < route.fault_probability:
            raise errors.internal("Internal server error (injected fault)")
        route.service.serving = caller.region
        token_field = operation.idempotency_token
        if token_field is None or token_field not in params:
            return route.handler(params)
        return self._idempotent(route, caller.scope, params, token_field)

    def _idempotent(
        self, route: Route, scope: tuple[str, str], params: Mapping[str, Any], token_field: str
    ) -> Response:
        service = route.service
        store = route.tokens.get(scope)
        if store is None:
            store = route.tokens[scope] = TokenStore(service.token_lifetime_s)
        token, now = params[token_field], self.sim.now
        try:
            replayed = store.replay(token, params, token_field, now)
        except ValueError as error:
            assert service.errors.token_conflict is not None, service.name
            raise service.errors.token_conflict(str(error)) from None
        if replayed is not None:
            return replayed
        response = route.handler(params)
        store.remember(token, params, token_field, response, now)
        return response
