"""Folding the way back (Client.call) and a waiter's polls into one call change no outcome:
a reference that waits for every leg and makes each poll a call of its own gives identical
tables when network times are fixed (with drawn network times the
draws fall to other calls, which changes values but not their distribution). The folded
run is this process's build, compiled or not; the reference is patched in pure Python."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

import pandas as pd
import pytest

from simulator.api.errors import AwsError
from simulator.runner import TABLES, run_tables
from simulator.workload import clients
from simulator.workload.clients import CallResult, Client, Poll
from tests.kit import in_pure_python, scenario


def _every_leg(
    self: Client,
    service: str,
    operation: str,
    params: Mapping[str, Any],
    resource_key: int,
    after_s: float = 0.0,
    poll: Poll | None = None,
) -> Generator[Any, Any, CallResult]:
    """Client.call as first written: each wait and each half of the trip its own timeout,
    and a waiter's polls one call each."""
    if poll is None:
        return (yield from _one_call(self, service, operation, params, resource_key, after_s))
    delay = 0.0
    for _ in range(poll.max_attempts):
        result = yield from _one_call(
            self, service, operation, params, resource_key, after_s + delay
        )
        after_s, delay = 0.0, poll.delay_s
        if result.response is None or poll.status_of(result.response) in poll.until:
            break
    return result


def _one_call(
    self: Client,
    service: str,
    operation: str,
    params: Mapping[str, Any],
    resource_key: int,
    after_s: float,
) -> Generator[Any, Any, CallResult]:
    env, plane, identity = self.sim.env, self.plane, self.identity
    endpoint = self.endpoint(service, operation)
    retry, network, jitter, spec = endpoint.retry, endpoint.network, endpoint.jitter, endpoint.spec
    attempt, last_cost, pending = 0, 0, after_s
    while True:
        attempt += 1
        half_trip = network() / 2
        if pending > 0:
            yield env.timeout(pending)
        sent_at = env.now
        yield env.timeout(half_trip)
        try:
            response, error = plane.handle(identity, service, operation, params), None
            status = spec.success_status
        except AwsError as raised:
            response, error, status = None, raised, raised.http_status
        code = None if error is None else error.code
        outcome = self._outcome[status, code]
        self._record(sent_at, endpoint.recorded_as, resource_key, attempt, outcome, 2 * half_trip)
        yield env.timeout(half_trip)
        if error is None:
            retry.succeeded(last_cost)
            return CallResult(response, None, attempt, env.now)
        decision = retry.delay(attempt, error, jitter())
        if decision is None:
            return CallResult(None, error, attempt, env.now)
        pending, last_cost = decision


SCENARIOS = {
    # Describe retries and successes arriving at the very same instants (the review's case).
    "ties": """
name: ties
horizon: 40s
services:
  rekognition:
    throttle: {DescribeProjectVersions: {rate: 1, burst: 1}}
fleet: [{service: rekognition, count: 300}]
callers:
  default: {network: 0.1}
requests:
  - {name: drain, service: rekognition, operation: DescribeProjectVersions, at: 0s}
  - {name: a, service: rekognition, operation: DescribeProjectVersions, at: 20s}
  - {name: b, service: rekognition, at: 20s}
""",
    "burst": """
name: burst
horizon: 30m
services:
  rekognition:
    throttle:
      StopProjectVersion: {rate: 5, burst: 5}
      DescribeProjectVersions: {rate: 4, burst: 4}
fleet: [{service: rekognition, count: 200}]
callers:
  default: {network: 0.05, retry: {mode: standard, max_attempts: 6}, waiter: {delay: 5s}}
requests: [{service: rekognition, at: 1m}]
""",
}


def reference_tables(name: str) -> dict[str, pd.DataFrame]:
    """The tables of scenario `name` with Client.call as first written: run through
    `in_pure_python`, since the compiled build's Client.call cannot be patched."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clients.Client, "call", _every_leg)
        return run_tables(scenario(SCENARIOS[name]), replications=2)


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.slow
def test_folding_changes_no_table(name: str) -> None:
    folded = run_tables(scenario(SCENARIOS[name]), replications=2)
    reference = in_pure_python(reference_tables, name)
    assert (folded["calls"]["attempt"] > 1).any()  # retries happen: the quota is in play
    for table in TABLES:
        pd.testing.assert_frame_equal(folded[table], reference[table])
