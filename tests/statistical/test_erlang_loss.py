"""Erlang loss through the whole simulator: a token bucket of burst 1 as an M/D/1/1 queue.

Poisson StopProjectVersion requests (rate lam) hit a throttle {rate: r, burst: 1}. A bucket
of one token admits a request only if 1/r has passed since the last admitted one, so it is
a single server with deterministic service 1/r and no waiting room: the share rejected is
Erlang B with one server, B = rho / (1 + rho), rho = lam / r (insensitive to the service
distribution). Each caller attempt is one arrival: one attempt (no retries), zero network
time (arrivals reach the server in the Poisson order and at the Poisson times), and every
arrival targets a different running model, so only the throttle can refuse it.

Bound: 99% normal approximation of a binomial proportion, sqrt(B(1-B)/n). Rejections are
not independent; by the renewal argument (each admission starts a dead time of 1/r holding
Poisson(rho) rejections) the true variance of the share is the binomial one divided by
1 + rho, so the binomial bound is conservative, as stated.
"""

from __future__ import annotations

import pytest

from simulator.runner import run_tables
from simulator.scenario import parse_scenario
from tests.statistical._bounds import binomial_half_width

RATE = 2.0  # throttle: admitted requests per second
ARRIVALS = 30_000
CONFIDENCE = 0.99


def scenario_yaml(lam: float, models: int) -> str:
    return f"""
name: erlang-loss
seed: 11
horizon: {3 * models / lam}
services:
  rekognition:
    throttle:
      StopProjectVersion: {{rate: {RATE}, burst: 1}}
fleet:
  - service: rekognition
    count: {models}
callers:
  default:
    retry: {{max_attempts: 1}}
    network: 0
requests:
  - name: stops
    service: rekognition
    operation: StopProjectVersion
    poisson: {{rate: {lam}}}
    wait: false
"""


@pytest.mark.parametrize("rho", [0.5, 2.0])
def test_rejected_share_is_erlang_b(rho: float) -> None:
    scenario = parse_scenario(scenario_yaml(rho * RATE, ARRIVALS))
    stops = run_tables(scenario, replications=1, baseline=False)["stops"]
    # the pool of models ran out before the horizon: every model was asked once
    assert len(stops) == ARRIVALS
    assert stops["resource_id"].nunique() == ARRIVALS
    assert (stops["attempts"] == 1).all()
    outcome = stops["outcome"].astype(str)
    assert set(outcome) <= {"rejected", "STOPPED"}
    rejected = outcome == "rejected"
    assert (stops.loc[rejected, "error_code"].astype(str) == "ThrottlingException").all()
    assert stops.loc[~rejected, "error_code"].isna().all()

    expected = rho / (1 + rho)
    share = float(rejected.mean())
    bound = binomial_half_width(expected, ARRIVALS, CONFIDENCE)
    assert abs(share - expected) <= bound, (rho, share, expected, bound)

    # admitted requests are at least 1/r apart (the bucket of burst 1 never admits two
    # within one refill): the deterministic half of the argument, checked exactly
    admitted = stops.loc[~rejected, "requested_at"].sort_values().to_numpy()
    assert (admitted[1:] - admitted[:-1] >= 1 / RATE - 1e-9).all()
