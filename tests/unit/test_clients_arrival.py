"""A call's result says when it reaches the caller (`arrives_at`, absolute), whether or not
the client folded the way back; a waiter started by it polls from that moment."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from simulator.workload.clients import CallResult
from tests.kit import build_model, run

ONE_MODEL = """
name: arrival
horizon: 1h
fleet: [{service: rekognition, count: 1, project: p}]
callers:
  default: {network: 0.2, retry: {mode: %s}, waiter: {delay: 30s}}
"""


@pytest.mark.parametrize(("mode", "returns_at"), [("standard", 1.1), ("adaptive", 1.2)])
def test_a_result_arrives_a_whole_trip_after_it_was_sent(mode: str, returns_at: float) -> None:
    """Sent at 1 s over a 0.2 s round trip: it arrives at 1.2 s. The standard client returns
    when the server answers (1.1 s) and folds the way back; the adaptive one, whose rate
    moves on arrival, returns on arrival."""
    model = build_model(ONE_MODEL % mode)
    sim, client = model.sim, model.clients["default"]
    service = model.services["rekognition"]
    version = next(iter(service.resources.values()))
    seen: list[tuple[float, CallResult]] = []

    def caller() -> Generator[Any, Any, None]:
        yield sim.timeout(1.0)
        params = service.request("DescribeProjectVersions", version)
        result = yield from client.call("rekognition", "DescribeProjectVersions", params, 0)
        seen.append((sim.now, result))

    sim.process(caller())
    sim.env.run(until=10.0)
    [(returned_at, result)] = seen
    assert result.ok
    assert result.attempts == 1
    assert returned_at == pytest.approx(returns_at)
    assert result.arrives_at == pytest.approx(1.2)


def test_the_waiter_polls_from_the_arrival_of_the_stop_answer() -> None:
    """The stop is sent at 0 and answered at 0.2; the waiter polls at 0.2, 30.4, 60.6, ...
    (each 30 s after the previous answer arrived) and sees STOPPED on the first poll after
    the model stops; the stop is observed when that poll's answer arrives."""
    tables = run(
        ONE_MODEL % "standard"
        + """
services: {rekognition: {latency: {stop: 100s}}}
requests: [{service: rekognition, at: 0s}]
""",
        baseline=False,
    )
    polls = tables["calls"].query("operation == 'DescribeProjectVersions'")
    assert polls["time"].tolist() == pytest.approx([0.2, 30.4, 60.6, 90.8, 121.0])
    [stop] = tables["stops"].itertuples()
    assert stop.terminal_at == pytest.approx(0.1 + 100.0)  # the server stops it on receipt
    assert stop.observed_at == pytest.approx(121.2)
