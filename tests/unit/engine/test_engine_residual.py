"""The residual of each kind of latency: its survival function is scipy's, and its draws
follow X - e given X > e (Kolmogorov-Smirnov at the 1% level, a fixed seed)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter
from scipy import stats

from simulator.engine.distributions import Distribution, Lognormal
from simulator.engine.residual import residual, survival

READ = TypeAdapter(Distribution)
SIGMA = Lognormal(median=300, p95=720).sigma
# (distribution, its scipy twin, elapsed)
CONTINUOUS = {
    "exponential": ({"kind": "exponential", "mean": 300}, stats.expon(scale=300), 600),
    "uniform": ({"kind": "uniform", "low": 60, "high": 300}, stats.uniform(60, 240), 120),
    "uniform, before its low": (
        {"kind": "uniform", "low": 60, "high": 300},
        stats.uniform(60, 240),
        30,
    ),
    "lognormal": (
        {"kind": "lognormal", "median": 300, "p95": 720},
        stats.lognorm(SIGMA, scale=300),
        600,
    ),
    "lognormal, far in the tail": (
        {"kind": "lognormal", "median": 300, "p95": 720},
        stats.lognorm(SIGMA, scale=300),
        7200,
    ),
    "gamma": ({"kind": "gamma", "mean": 300, "shape": 2.5}, stats.gamma(2.5, scale=120), 500),
    "weibull, wearing out": (
        {"kind": "weibull", "shape": 2.2, "scale": 300},
        stats.weibull_min(2.2, scale=300),
        400,
    ),
    "weibull, long tail": (
        {"kind": "weibull", "shape": 0.5, "scale": 120},
        stats.weibull_min(0.5, scale=120),
        900,
    ),
    "triangular, before its mode": (
        {"kind": "triangular", "low": 60, "mode": 100, "high": 300},
        stats.triang(40 / 240, loc=60, scale=240),
        80,
    ),
    "triangular, after its mode": (
        {"kind": "triangular", "low": 60, "mode": 100, "high": 300},
        stats.triang(40 / 240, loc=60, scale=240),
        200,
    ),
}


@pytest.mark.parametrize("name", CONTINUOUS)
def test_a_continuous_residual_is_the_conditional_distribution(name: str) -> None:
    spec, twin, elapsed = CONTINUOUS[name]
    distribution = READ.validate_python(spec)
    assert survival(distribution, elapsed) == pytest.approx(twin.sf(elapsed), rel=1e-9)
    generator = np.random.default_rng(7)
    left = np.array([residual(distribution, elapsed, generator) for _ in range(5000)])
    assert (left >= 0).all()
    tail = twin.sf(elapsed)
    assert stats.kstest(left + elapsed, lambda x: 1 - twin.sf(x) / tail).pvalue > 0.01


def test_a_fixed_latency_has_what_is_left_of_it() -> None:
    fixed = READ.validate_python(300)
    assert survival(fixed, 299) == 1
    assert survival(fixed, 300) == 0
    assert residual(fixed, 120, np.random.default_rng(0)) == 180


def test_an_empirical_residual_draws_among_the_values_that_outlast_it() -> None:
    empirical = READ.validate_python({"kind": "empirical", "values": [10, 20, 30, 40]})
    assert survival(empirical, 25) == 0.5
    generator = np.random.default_rng(0)
    left = [residual(empirical, 25, generator) for _ in range(4000)]
    assert set(left) == {5.0, 15.0}
    assert left.count(5.0) / len(left) == pytest.approx(0.5, abs=0.03)


def test_a_mixture_residual_weighs_each_component_by_what_outlasts_it() -> None:
    """90% a fixed 30 s, 10% exponential with mean 10 min: after 60 s only the exponential
    is left, so the time left is exponential with mean 10 min (memoryless)."""
    mixture = READ.validate_python(
        {
            "kind": "mixture",
            "components": [
                {"weight": 0.9, "of": 30},
                {"weight": 0.1, "of": {"kind": "exponential", "mean": 600}},
            ],
        }
    )
    assert survival(mixture, 60) == pytest.approx(0.1 * np.exp(-60 / 600))
    generator = np.random.default_rng(0)
    left = np.array([residual(mixture, 60, generator) for _ in range(5000)])
    assert stats.kstest(left, stats.expon(scale=600).cdf).pvalue > 0.01


def test_nothing_is_left_past_the_longest_draw() -> None:
    uniform = READ.validate_python({"kind": "uniform", "low": 60, "high": 300})
    assert survival(uniform, 300) == 0
    with pytest.raises(ValueError, match="lasts longer than 300"):
        residual(uniform, 300, np.random.default_rng(0))
