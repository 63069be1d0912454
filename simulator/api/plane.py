"""The control plane: one path every request takes, whatever the service.

    throttle -> IAM -> validation -> injected fault -> idempotency token -> the operation

Throttling comes first (a throttled request is not looked at further); the order is
ASSUMED, AWS does not document it. Each step raises the calling service's own error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from simulator.api.iam import Permissions
from simulator.api.idempotency import TokenStore
from simulator.api.operations import Operation, ServiceErrors, ServiceSettings
from simulator.api.throttle import TokenBucket
from simulator.api.validation import validate
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

    def handler(self, operation: str) -> Handler: ...


@dataclass(frozen=True)
class Identity:
    """Who is calling: the throttle key's account and the caller's IAM permissions."""

    name: str
    account: str
    permissions: Permissions


class ControlPlane:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.services: dict[str, Service] = {}
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}
        self._faults: dict[tuple[str, str], Callable[[], float]] = {}
        self._tokens: dict[str, TokenStore] = {}
        self._handlers: dict[tuple[str, str], Handler] = {}

    def register(self, service: Service) -> None:
        self.services[service.name] = service
        self._tokens[service.name] = TokenStore(service.token_lifetime_s)
        for name in service.operations:
            self._handlers[service.name, name] = service.handler(name)
        for name, probability in service.settings.faults.items():
            if probability > 0:
                self._faults[service.name, name] = self.sim.streams.sampler(
                    f"faults.{service.name}.{name}", lambda g, n: g.random(n)
                )

    def operation(self, service: str, operation: str) -> Operation:
        return self.services[service].operations[operation]

    def _bucket(self, caller: Identity, service: Service, operation: str) -> TokenBucket | None:
        key = (caller.account, service.name, operation)
        bucket = self._buckets.get(key)
        if bucket is None:
            throttle = service.settings.throttle.get(operation)
            if throttle is None:
                return None
            bucket = self._buckets[key] = TokenBucket(throttle.rate, throttle.burst, self.sim.now)
        return bucket

    def handle(
        self, caller: Identity, service_name: str, operation_name: str, params: Mapping[str, Any]
    ) -> Response:
        """The response of one attempt, or the AwsError it raises."""
        service = self.services[service_name]
        operation = service.operations[operation_name]
        errors = service.errors
        bucket = self._bucket(caller, service, operation_name)
        if bucket is not None and not bucket.try_take(self.sim.now):
            raise errors.throttling("Rate exceeded")
        if not caller.permissions.allows(operation.action):
            raise errors.access_denied(
                f"User: {caller.name} is not authorized to perform: {operation.action}"
            )
        validate(params, operation.params, errors.validation)
        fault = self._faults.get((service_name, operation_name))
        if fault is not None and fault() < service.settings.faults[operation_name]:
            raise errors.internal("Internal server error (injected fault)")
        token_field = operation.idempotency_token
        if token_field is None or token_field not in params:
            return self._handlers[service_name, operation_name](params)
        return self._idempotent(service, operation, params, token_field)

    def _idempotent(
        self, service: Service, operation: Operation, params: Mapping[str, Any], token_field: str
    ) -> Response:
        store, token, now = self._tokens[service.name], params[token_field], self.sim.now
        try:
            replayed = store.replay(token, params, token_field, now)
        except ValueError as error:
            assert service.errors.token_conflict is not None, service.name
            raise service.errors.token_conflict(str(error)) from None
        if replayed is not None:
            return replayed
        response = self._handlers[service.name, operation.name](params)
        store.remember(token, params, token_field, response, now)
        return response
