"""A fleet started part-way through a status: the time left is the latency's residual.

N resources enter their initial status at t=0 as if they had been in it for `elapsed` = e
seconds, so the time until each leaves it is X - e given X > e, X the status's latency:

    exponential (memoryless)   E[X - e | X > e] = the mean, and the same distribution
    uniform(low, high), e > low   (high - e) / 2
    lognormal, gamma             E[X - e | X > e] = integral over (e, inf) of S(x) dx / S(e),
                                 computed here by scipy (`expect`, conditional on X > e)

Bound: the 99% normal bound of a mean of N independent residuals (each resource draws its
own), with the sample's standard deviation. The whole residual distribution is held to the
conditional one as well, by a Kolmogorov-Smirnov test at the 1% level.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from simulator.runner import simulate
from simulator.scenario import parse_scenario
from tests.statistical._bounds import z

N = 4000
CONFIDENCE = 0.99
MINUTE = 60.0


def _lognormal(median: float, p95: float) -> stats.rv_continuous:
    sigma = (math.log(p95) - math.log(median)) / stats.norm.ppf(0.95)
    return stats.lognorm(sigma, scale=median)


# (service, fleet entry, the service's latency settings, the latency's scipy twin, e)
CASES = {
    "rekognition STARTING, exponential": (
        "rekognition",
        "status: STARTING",
        "start: {kind: exponential, mean: 5m}",
        stats.expon(scale=5 * MINUTE),
        10 * MINUTE,
    ),
    "rekognition STARTING, lognormal, 10 min in": (
        "rekognition",
        "status: STARTING",
        "start: {kind: lognormal, median: 5m, p95: 12m}",
        _lognormal(5 * MINUTE, 12 * MINUTE),
        10 * MINUTE,
    ),
    "rekognition STOPPING, uniform": (
        "rekognition",
        "status: STOPPING",
        "stop: {kind: uniform, low: 1m, high: 5m}",
        stats.uniform(1 * MINUTE, 4 * MINUTE),
        2 * MINUTE,
    ),
    "lookoutvision STARTING_HOSTING, lognormal": (
        "lookoutvision",
        "status: STARTING_HOSTING",
        "start: {kind: lognormal, median: 10m, p95: 30m}",
        _lognormal(10 * MINUTE, 30 * MINUTE),
        20 * MINUTE,
    ),
    "comprehend TRAINING, gamma": (
        "comprehend",
        "status: TRAINING",
        "training: {kind: gamma, mean: 45m, shape: 2}",
        stats.gamma(2, scale=45 * MINUTE / 2),
        60 * MINUTE,
    ),
}


def _left(service: str, fleet: str, latency: str, elapsed: float) -> pd.Series:
    """Each resource's time until it first leaves its initial status."""
    scenario = parse_scenario(
        f"""
name: elapsed
seed: 11
horizon: 30d
services:
  {service}: {{latency: {{{latency}}}}}
fleet:
  - {{service: {service}, count: {N}, {fleet}, elapsed: {elapsed}}}
"""
    )
    moves = simulate(scenario, scenario.seed, 0, baseline=False)["transitions"]
    left = moves[moves["cause"] != "initial"].groupby("resource_id", observed=True)["time"].min()
    assert len(left) == N  # every resource left its status within the horizon
    return left


@pytest.mark.parametrize("case", CASES)
def test_the_time_left_is_the_residual_of_the_latency(case: str) -> None:
    service, fleet, latency, twin, elapsed = CASES[case]
    left = _left(service, fleet, latency, elapsed)
    expected = twin.expect(lambda x: x - elapsed, lb=elapsed, conditional=True)
    half_width = z(CONFIDENCE) * left.std() / math.sqrt(N)
    assert abs(left.mean() - expected) < half_width, (left.mean(), expected, half_width)
    tail = twin.sf(elapsed)
    fit = stats.kstest(left + elapsed, lambda x: 1 - twin.sf(x) / tail)
    assert fit.pvalue > 1 - CONFIDENCE


def test_an_exponential_latency_is_memoryless() -> None:
    """The closed form, without scipy: the time left has the latency's own mean."""
    left = _left("rekognition", "status: STARTING", "start: {kind: exponential, mean: 5m}", 3600)
    half_width = z(CONFIDENCE) * left.std() / math.sqrt(N)
    assert abs(left.mean() - 5 * MINUTE) < half_width


def test_a_uniform_residual_has_the_closed_form_mean() -> None:
    left = _left("rekognition", "status: STOPPING", "stop: {kind: uniform, low: 1m, high: 5m}", 120)
    half_width = z(CONFIDENCE) * left.std() / math.sqrt(N)
    assert abs(left.mean() - (300 - 120) / 2) < half_width
    assert left.max() <= 180  # nothing outlasts the latency's upper bound
