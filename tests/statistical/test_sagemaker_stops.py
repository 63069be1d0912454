"""SageMaker stops through the whole simulator, against the probabilities that decide them.

A Lambda step cannot be stopped: N executions each run one Lambda step, started at a known
moment (a fixed orchestration gap after t=0), whose function runs an exponential time D of
mean m; the step gives up at its timeout T. Every execution still Executing s seconds after
the step started is stopped then (a network of no delay: the stop arrives as it is sent). It
ends Failed if the timeout comes before the function ends, so, by memorylessness,

    P(Failed | stopped) = P(D >= T | D > s) = exp(-(T - s) / m),

and the share of executions stopped at all is P(D > s) = exp(-s / m).

A callback step blocks a stop until its consumer answers; a consumer that never answers a
step with probability p (decided once per step, independently) leaves that share of the
blocked executions Stopping at the horizon: `stuck`.

Bounds: the 99% normal approximation of a binomial proportion (each execution draws its own
duration, or its own silence: the trials are independent), with fixed seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.runner import simulate
from tests.kit import scenario
from tests.statistical._bounds import binomial_half_width

CONFIDENCE = 0.99
EXECUTIONS = 5_000
ORCHESTRATION = 10.0  # seconds: every Lambda step starts then

# (function mean m, step timeout T, stop offset s) in seconds, and a seed of its own: with
# one seed, the cases would scale the same exponential draws and err together
LAMBDA_CASES = {
    "m60-T120-s60": (60.0, 120.0, 60.0, 1),
    "m120-T300-s30": (120.0, 300.0, 30.0, 2),
    "m200-T600-s300": (200.0, 600.0, 300.0, 3),
}


def lambda_yaml(mean: float, timeout: float, offset: float) -> str:
    return f"""
    name: sagemaker-lambda-stops
    horizon: 1h
    services:
      sagemaker:
        latency: {{orchestration: {ORCHESTRATION}}}
    fleet:
      - service: sagemaker
        pipeline: p
        count: {EXECUTIONS}
        steps:
          - {{name: fn, type: Lambda, timeout: {timeout},
              duration: {{kind: exponential, mean: {mean}}}}}
    callers:
      default:
        network: 0
        retry: {{max_attempts: 1}}
    requests:
      - {{service: sagemaker, at: {ORCHESTRATION + offset}, where: {{status: [Executing]}},
          wait: false}}
    """


@pytest.mark.parametrize("case", list(LAMBDA_CASES))
def test_share_of_lambda_stops_failed_is_the_chance_the_timeout_comes_first(case: str) -> None:
    mean, timeout, offset, seed = LAMBDA_CASES[case]
    stops = simulate(scenario(lambda_yaml(mean, timeout, offset)), seed, 0, baseline=False)["stops"]
    p_running = math.exp(-offset / mean)
    count_bound = binomial_half_width(p_running, EXECUTIONS, CONFIDENCE) * EXECUTIONS
    assert abs(len(stops) - p_running * EXECUTIONS) <= count_bound, (len(stops), p_running)
    assert stops["accepted"].all()
    assert stops["resource_id"].is_unique

    outcome = stops["outcome"].astype(str)
    assert set(outcome) == {"Stopped", "Failed"}  # none stuck: a Lambda step always ends
    expected = math.exp(-(timeout - offset) / mean)
    share = float((outcome == "Failed").mean())
    bound = binomial_half_width(expected, len(stops), CONFIDENCE)
    assert abs(share - expected) <= bound, (case, len(stops), share, expected, bound)

    # Failed exactly at the timeout; Stopped when the function ended, before it
    ended = stops["terminal_at"].to_numpy() - ORCHESTRATION
    failed = (outcome == "Failed").to_numpy()
    assert np.allclose(ended[failed], timeout, atol=1e-9)
    assert ((ended[~failed] > offset) & (ended[~failed] < timeout)).all()


NEVER_ANSWERS = (0.1, 0.5)
CALLBACK_EXECUTIONS = 3_000


def callback_yaml(never_answers: float) -> str:
    return f"""
    name: sagemaker-silent-consumer
    seed: 11
    horizon: 2h
    services:
      sagemaker:
        latency: {{orchestration: 2}}
    fleet:
      - service: sagemaker
        pipeline: approval
        count: {CALLBACK_EXECUTIONS}
        steps:
          - {{name: approve, type: Callback, queue: approvals}}
    consumers:
      approvals: {{receive: 5, handle: 1h, handle_stop: 30, never_answers: {never_answers}}}
    callers:
      default:
        network: 0
        retry: {{max_attempts: 1}}
    requests:
      - {{service: sagemaker, at: 10m, wait: false}}
    """


@pytest.mark.parametrize("never_answers", NEVER_ANSWERS)
def test_a_consumer_that_never_answers_leaves_that_share_stuck(never_answers: float) -> None:
    tables = simulate(scenario(callback_yaml(never_answers)), 11, 0, baseline=False)
    stops = tables["stops"]
    assert len(stops) == CALLBACK_EXECUTIONS  # every callback still waited at 10 min
    outcome = stops["outcome"].astype(str)
    assert set(outcome) == {"stuck", "Stopped"}
    share = float((outcome == "stuck").mean())
    bound = binomial_half_width(never_answers, CALLBACK_EXECUTIONS, CONFIDENCE)
    assert abs(share - never_answers) <= bound, (share, never_answers, bound)
    # the others stopped once their cleanup was answered: 5 s to receive, 30 s to clean up
    answered = stops.loc[(outcome == "Stopped").to_numpy(), "terminal_at"]
    assert np.allclose(answered.to_numpy(), 600 + 5 + 30, atol=1e-9)
