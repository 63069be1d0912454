"""Stop latency through the whole simulator: request, half a round trip, then the stop draw.

All models are stopped at once (`at: 0s`) by the default caller. An attempt crosses the
network in half its round-trip draw R, the server moves the model to STOPPING at that
moment and to STOPPED a draw S of `latency.stop` later (exponential, mean m). The stops
table's stop_latency_s = terminal_at - requested_at = R/2 + S, so

    E[latency] = m + E[R]/2,    Var[latency] = m^2 + Var[R]/4.

The round trip is a fixed 2 s, or a lognormal of the same order as m, so that a model
counting the whole round trip, or none of it, falls far outside the bound.
Bound: 99% normal approximation with the closed-form variance.
"""

from __future__ import annotations

import math

import pytest

from simulator.engine.distributions import Lognormal
from simulator.runner import run_tables
from simulator.scenario import parse_scenario
from tests.statistical._bounds import z

MODELS = 20_000
STOP_MEAN = 2.0  # m, seconds
CONFIDENCE = 0.99

NETWORKS = {
    "fixed": ("2s", 2.0, 0.0),
    "lognormal": (
        "{kind: lognormal, median: 1500ms, p95: 4s}",
        Lognormal(median=1.5, p95=4.0).mean,
        (math.exp(((math.log(4.0) - math.log(1.5)) / 1.6448536269514722) ** 2) - 1)
        * Lognormal(median=1.5, p95=4.0).mean ** 2,
    ),
}


def scenario_yaml(network: str) -> str:
    return f"""
name: stop-latency
seed: 5
horizon: 10m
services:
  rekognition:
    latency:
      stop: {{kind: exponential, mean: {STOP_MEAN}s}}
fleet:
  - service: rekognition
    count: {MODELS}
callers:
  default:
    network: {network}
requests:
  - name: all-at-once
    service: rekognition
    at: 0s
"""


@pytest.mark.parametrize("network", list(NETWORKS))
@pytest.mark.slow
def test_mean_stop_latency_is_half_trip_plus_stop(network: str) -> None:
    spec, trip_mean, trip_variance = NETWORKS[network]
    stops = run_tables(parse_scenario(scenario_yaml(spec)), replications=1, baseline=False)["stops"]
    assert len(stops) == MODELS
    assert (stops["requested_at"] == 0).all()
    assert (stops["outcome"].astype(str) == "STOPPED").all()  # none stuck at the horizon
    assert (stops["attempts"] == 1).all()

    latency = stops["stop_latency_s"].to_numpy()
    expected = STOP_MEAN + trip_mean / 2
    bound = z(CONFIDENCE) * math.sqrt((STOP_MEAN**2 + trip_variance / 4) / MODELS)
    assert abs(latency.mean() - expected) <= bound, (network, latency.mean(), expected, bound)
    if trip_variance == 0:
        # a fixed round trip: no latency below half of it
        assert latency.min() >= trip_mean / 2 - 1e-9
