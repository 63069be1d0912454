"""Callers: one botocore client per service each calls, with its retry mode, network
latency and waiter.

A call is a generator the requesting process runs with `yield from`: each attempt crosses
the network (half the round trip there, half back), the control plane answers at the
server's moment, the client decides whether to retry as botocore would, and every attempt is
appended to the `calls` table. A caller that leaves out an operation's idempotency token gets
one generated per call and reused by that call's retries, as the SDK does.

A waiter polls a describe operation every `delay` seconds, up to `max_attempts` times, like
the SDK's waiters (most of which wait 30 s between polls): one call that sends its request
again after each answer (`Poll`), rather than a call per poll.

A client is made for one region, as boto3's: a caller reaching another region's resources
does it through a client of its own for that region (`Client.at`), with its own retry
quota, limiter and streams, as automation that loops over regions makes one client each.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Generator, Mapping
from dataclasses import dataclass, replace
from itertools import count
from typing import Any, Final, NamedTuple
from uuid import UUID

import simpy

from simulator.api.errors import AwsError
from simulator.api.operations import Operation
from simulator.api.plane import ControlPlane, Identity, Response, Route
from simulator.api.validation import Unchanging
from simulator.engine.distributions import Distribution
from simulator.engine.env import Simulation
from simulator.engine.recorder import Columns
from simulator.workload.retries import (
    NO_RETRY_INCREMENT,
    AdaptiveLimiter,
    RetryMode,
    RetryPolicy,
    advancing,
    is_throttling,
)

CALL_COLUMNS: Final[Columns] = {
    "time": "float",
    "caller": "category",
    "service": "category",
    "operation": "category",
    "resource_id": "resource",
    "attempt": "small",
    "http_status": "small",
    "error_code": "category",
    "latency_s": "float",
}
CALL_JOINT: Final = (("caller", "service", "operation"), ("http_status", "error_code"))
"""The `calls` columns recorded as one code each (`Table`): a client knows the first
group's code for each of its endpoints, and its successes' code of the second."""


# Defined before Endpoint, which names it: the compiled build evaluates a NamedTuple's field
# types as the module loads, and a name defined below would crash that import.
class _Refunds:
    """The retry-quota refunds of successes whose way back `Client.call` folded.

    Each is due when its response reaches the client. Before the quota is read (a retry
    decision), every refund due by then is given back: those that arrive before (`now`,
    `order`), where `order` counts the scheduling of refunds and error returns alike, as
    SimPy would have fired those arrivals. Refunds commute (`RetryPolicy.give_back`), so the
    due ones are given back as one sum, and only when a read comes or when more than
    `GATHERED` wait: a success costs an append, and a pass over those waiting settles dozens.
    """

    GATHERED: Final = 64

    def __init__(self, policy: RetryPolicy, gathered: int = GATHERED) -> None:
        self.policy = policy
        self.gathered = gathered
        self._due: list[tuple[float, int, int]] = []  # (arrives at, order, refund)
        self._gather_at = gathered
        """Settle when more wait than this: those not due at the last pass, and `gathered`."""

    def defer(self, arrives_at: float, order: int, last_cost: int, now: float) -> None:
        due = self._due
        due.append((arrives_at, order, last_cost or NO_RETRY_INCREMENT))
        if len(due) > self._gather_at:
            self.settle(now, -1)

    def settle(self, now: float, order: int) -> None:
        """Give back every refund that arrives before (`now`, `order`)."""
        total, later = 0, []
        for refund in self._due:
            if refund[0] < now or (refund[0] == now and refund[1] < order):
                total += refund[2]
            else:
                later.append(refund)
        self._due = later
        self._gather_at = len(later) + self.gathered
        if total:
            self.policy.give_back(total)


class Endpoint(NamedTuple):
    """Everything a call to one (service, operation) needs, looked up once per caller: its
    client's retry policy, limiter and pending refunds, the operation's own streams (network
    times, retry jitter, client tokens), its spec, its route through the control plane and
    the codes its rows are recorded with."""

    retry: RetryPolicy
    limiter: AdaptiveLimiter | None
    refunds: _Refunds
    network: Callable[[], float]
    jitter: Callable[[], float]
    token_bits: Callable[[], float]
    spec: Operation
    route: Route
    recorded_as: int
    """The code of (caller, service, operation) in the `calls` table (`CALL_JOINT`)."""
    succeeded_as: int
    """The code of the operation's success (its HTTP status, no error code)."""


class CallResult:
    """What a call came back with, and `arrives_at`: when it reaches the caller.

    A success's way back is folded (see `Client.call`): the call returns when the server
    answers, so `arrives_at` may lie ahead of the clock. What is left of the trip is
    `in_flight_s`: a waiter started by this response is sent that much later (`after_s`),
    so it polls from the response's arrival and no caller adds a travel time.
    """

    __slots__ = ("arrives_at", "attempts", "error", "in_flight_s", "response")

    def __init__(
        self,
        response: Response | None,
        error: AwsError | None,
        attempts: int,
        arrives_at: float,
        in_flight_s: float = 0.0,
    ) -> None:
        self.response = response
        self.error = error
        self.attempts = attempts
        self.arrives_at = arrives_at
        self.in_flight_s = in_flight_s
        """`arrives_at` less the clock when the call returned, as the very float the trip
        drew: a wait computed from it (`after_s`) lands where an unfolded one would, to the
        bit."""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Waiter:
    delay_s: float
    max_attempts: int


class Poll(NamedTuple):
    """A waiter's polls, as one call repeats them (`Client.poll`): the status a response
    holds, the statuses that end the wait, the delay between an answer and the next poll,
    and how many polls at most."""

    status_of: Callable[[Response], str]
    until: Collection[str]
    delay_s: float
    max_attempts: int

    def seen(self, last: CallResult) -> float | None:
        """When the caller saw a status it waits for, given the last poll's result; None
        when the waiter gave up (its max attempts) or a poll failed after its retries, as an
        SDK waiter raises WaiterError then."""
        if last.response is None or self.status_of(last.response) not in self.until:
            return None
        return last.arrives_at


ONCE: Final = Poll(lambda response: "", (), 0.0, 1)
"""A call sent once (with its retries): a poll of one attempt."""


class Client:
    """A caller: one botocore client per service it calls, each with its own retry quota
    and, in adaptive mode, its own rate limiter (botocore keeps both per client)."""

    def __init__(
        self,
        sim: Simulation,
        plane: ControlPlane,
        identity: Identity,
        retry: tuple[RetryMode, int | None],
        network: Distribution,
        waiter: Waiter,
        streams: str | None = None,
        routes: Callable[[str, str], Route] | None = None,
    ) -> None:
        self.sim = sim
        self.plane = plane
        self._route = plane.route if routes is None else routes
        """How it finds an operation's route: the plane's, or a policy's own (whose handler
        records the policy as the cause of what it moves)."""
        self.identity = identity
        self.retry_mode, self.max_attempts = retry
        self.waiter = waiter
        self._streams = streams or f"callers.{identity.name}"
        """What its streams' names begin with: its caller's, and another region's after it."""
        self._home = self._streams
        """Its home region's client's `_streams`, which another region's streams extend."""
        self._regions: dict[str, Client] = {identity.region: self}
        self._per_service: dict[str, tuple[RetryPolicy, AdaptiveLimiter | None, _Refunds]] = {}
        self._order = count()  # scheduling order of refunds and error returns (see _Refunds)
        self._network_distribution = network
        self._endpoints: dict[tuple[str, str], Endpoint] = {}
        calls = sim.recorder.table("calls", CALL_COLUMNS, CALL_JOINT)
        self._record, self._who = calls.append, calls.codes(CALL_JOINT[0])
        self._outcome = calls.codes(CALL_JOINT[1])

    def at(self, region: str) -> Client:
        """This caller's client for `region` (itself, in its own region): made on first use,
        its streams named `callers.<name>@<region>.*`, so a second region's calls shift no
        draw of the first's."""
        found = self._regions.get(region)
        if found is None:
            identity = replace(self.identity, region=region)
            found = Client(
                self.sim, self.plane, identity, (self.retry_mode, self.max_attempts),
                self._network_distribution, self.waiter, f"{self._home}@{region}",
                self._route,
            )  # fmt: skip
            found._home, found._regions = self._home, self._regions
            self._regions[region] = found
        return found

    def service_client(self, service: str) -> tuple[RetryPolicy, AdaptiveLimiter | None, _Refunds]:
        """The retry policy, limiter and pending refunds of this caller's client for
        `service`."""
        found = self._per_service.get(service)
        if found is None:
            adaptive = self.retry_mode is RetryMode.ADAPTIVE
            policy = RetryPolicy(self.retry_mode, self.max_attempts)
            limiter = AdaptiveLimiter(self.sim.now) if adaptive else None
            found = self._per_service[service] = (policy, limiter, _Refunds(policy))
        return found

    def endpoint(self, service: str, operation: str) -> Endpoint:
        """This caller's endpoint for one operation. Its streams are kept apart per
        operation, so calls to one operation (the stops, left out of the counterfactual; a
        retry mode's extra attempts in a sweep) shift nothing in the draws of the others."""
        found = self._endpoints.get((service, operation))
        if found is None:
            prefix, streams = f"{self._streams}.{service}.{operation}", self.sim.streams
            route = self._route(service, operation)
            found = self._endpoints[service, operation] = Endpoint(
                *self.service_client(service),
                self.sim.sampler(f"{prefix}.network", self._network_distribution),
                streams.sampler(f"{prefix}.jitter", lambda g, n: g.random(n)),
                streams.sampler(
                    f"{prefix}.tokens", lambda g, n: g.integers(0, 2**63, n, dtype="int64")
                ),
                route.operation,
                route,
                self._who[self.identity.name, service, operation],
                self._outcome[route.operation.success_status, None],
            )
        return found

    @staticmethod
    def _client_token(bits: Callable[[], float]) -> str:
        """A UUID4 string from a token stream (the SDK's uuid4, reproducibly)."""
        high, low = int(bits()), int(bits())
        return str(UUID(int=(high << 64 | low) & ((1 << 128) - 1), version=4))

    def call(
        self,
        service: str,
        operation: str,
        params: Mapping[str, Any],
        resource_key: int,
        after_s: float = 0.0,
        poll: Poll = ONCE,
    ) -> Generator[simpy.Event, Any, CallResult]:
        """Send the request `after_s` seconds from now, retrying as the client's mode says;
        with `poll`, send it again after each answer until `poll` is satisfied (a waiter).

        A wait before sending (`after_s`, a retry's backoff, a waiter's delay) and the
        outbound half of the trip are one timeout: nothing happens between them. Likewise a
        success returns as soon as the server answers, saying when the response
        `arrives_at`: its only effect on arrival, the retry quota's refund, is applied when
        due (see `_Refunds`). Polls then cost one event each instead of three, and a
        waiter's polls are one generator, not one per poll. With the adaptive limiter, whose
        token is taken at sending and whose rate moves on arrival, every leg is waited for
        as it happens.

        A single call is a poll of one attempt (`ONCE`). The result is the last poll's: one
        that satisfied it, one that failed after its retries, or the last a waiter sends
        (its max attempts).
        """
        env, answer, identity = self.sim.env, self.plane.answer, self.identity
        timeout, record, order_of = env.timeout, self._record, self._order.__next__
        endpoint = self._endpoints.get((service, operation)) or self.endpoint(service, operation)
        retry, limiter, refunds, network, jitter, token_bits, spec, route, who, success = endpoint
        status_of, until, delay_s, polls = poll
        token = spec.idempotency_token
        if token is not None and token in params:
            token = None  # the caller's own, sent with every attempt (and every poll)
        if polls > 1:
            params = Unchanging(params)  # every poll sends the same request: validated once
        sent = params
        attempt, last_cost, pending = 0, 0, after_s
        while True:
            if token is not None and attempt == 0:  # one per call, kept by its retries
                sent = {**params, token: self._client_token(token_bits)}
            attempt += 1
            half_trip = network() / 2
            if limiter is not None:
                if pending > 0:
                    yield timeout(pending)
                pending, wait = 0.0, limiter.take(env.now)
                while wait > 0:  # as botocore's bucket: sleep, or be woken, and look again
                    woken = env.event()
                    limiter.waiting.append(woken)
                    yield timeout(advancing(env.now, wait)) | woken
                    if not woken.triggered:
                        limiter.waiting.remove(woken)
                    wait = limiter.take(env.now)
            sent_at = env.now + pending
            yield timeout(pending + half_trip)
            now = env.now
            try:
                response = answer(route, identity, sent)
            except AwsError as raised:
                error = raised
            else:
                arrives_at = now + half_trip
                record(sent_at, who, resource_key, attempt, success, arrives_at - sent_at)
                in_flight_s = half_trip
                if limiter is None:
                    refunds.defer(arrives_at, order_of(), last_cost, now)
                else:
                    yield timeout(half_trip)
                    limiter.response(env.now, False)
                    retry.succeeded(last_cost)
                    arrives_at, in_flight_s = env.now, 0.0
                if polls <= 1 or status_of(response) in until:  # at least one
                    return CallResult(response, None, attempt, arrives_at, in_flight_s)
                polls -= 1
                attempt, last_cost, pending = 0, 0, in_flight_s + delay_s
                continue
            outcome = self._outcome[error.http_status, error.code]
            record(sent_at, who, resource_key, attempt, outcome, now + half_trip - sent_at)
            order = order_of()
            yield timeout(half_trip)
            if limiter is not None:
                limiter.response(env.now, is_throttling(error))
            refunds.settle(env.now, order)
            decision = retry.delay(attempt, error, jitter())
            if decision is None:
                return CallResult(None, error, attempt, env.now)
            pending, last_cost = decision

    def poll(self, status_of: Callable[[Response], str], until: Collection[str]) -> Poll:
        """This client's waiter, polling until `status_of` a response is one of `until`: give
        it to `call` with the describe request (as botocore's Waiter.wait, the first poll goes
        as soon as the response that started the wait reaches the caller, then one every
        `delay` seconds after each answer arrives)."""
        return Poll(status_of, until, self.waiter.delay_s, self.waiter.max_attempts)
