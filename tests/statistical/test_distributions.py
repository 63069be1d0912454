"""Sample means of every distribution kind against its closed-form `mean`.

Each draw is n values from a named stream; the sample mean must lie within a 99.9%
normal-approximation bound of `.mean`, the bound's sd being the distribution's own
variance, computed here independently of the simulator (lognormal's from mu and sigma,
a mixture's by the law of total variance). Lognormal's two parameters, median and p95, are
also checked as quantiles: the count of draws at or below each is binomial(n, q).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import BaseModel

from simulator.engine.distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Mixture,
    Triangular,
    Uniform,
    Weibull,
)
from simulator.engine.rng import Streams
from tests.statistical._bounds import binomial_half_width, z

SEED = 20260105
N = 200_000
CONFIDENCE = 0.999


class _Field(BaseModel):
    """A distribution as a scenario field reads it (a bare value is `fixed`)."""

    of: Distribution


def _parse(spec: object) -> object:
    return _Field.model_validate({"of": spec}).of


def variance(d: object) -> float:
    """The distribution's variance, from its parameters (not from the simulator's code)."""
    if isinstance(d, Fixed):
        return 0.0
    if isinstance(d, Uniform):
        return (d.high - d.low) ** 2 / 12
    if isinstance(d, Exponential):
        return d.mean_**2
    if isinstance(d, Lognormal):
        mu = math.log(d.median)
        sigma = (math.log(d.p95) - mu) / 1.6448536269514722
        return (math.exp(sigma**2) - 1) * math.exp(2 * mu + sigma**2)
    if isinstance(d, Gamma):
        return d.mean_**2 / d.shape  # shape k, scale mean/k: k * scale^2
    if isinstance(d, Weibull):  # scale^2 (G(1 + 2/k) - G(1 + 1/k)^2)
        return d.scale**2 * (math.gamma(1 + 2 / d.shape) - math.gamma(1 + 1 / d.shape) ** 2)
    if isinstance(d, Triangular):
        a, c, b = d.low, d.mode, d.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    if isinstance(d, Empirical):
        return float(np.var(np.asarray(d.values, dtype=float)))
    if isinstance(d, Mixture):
        p = np.array([c.weight for c in d.components]) / sum(c.weight for c in d.components)
        means = np.array([c.of.mean for c in d.components])
        second = np.array([variance(c.of) + c.of.mean**2 for c in d.components])
        return float(p @ second - (p @ means) ** 2)
    raise TypeError(f"no variance for {d!r}")


def independent_mean(d: object) -> float:
    """The distribution's mean from its parameters, as the textbooks give it."""
    if isinstance(d, Lognormal):
        sigma = (math.log(d.p95) - math.log(d.median)) / 1.6448536269514722
        return d.median * math.exp(sigma**2 / 2)
    if isinstance(d, Triangular):
        return (d.low + d.mode + d.high) / 3
    if isinstance(d, Weibull):
        return d.scale * math.gamma(1 + 1 / d.shape)
    if isinstance(d, Mixture):
        total = sum(c.weight for c in d.components)
        return sum(c.weight / total * independent_mean(c.of) for c in d.components)
    return float(d.mean)  # type: ignore[attr-defined]


SPECS = {
    "fixed": "90s",
    "uniform": {"kind": "uniform", "low": "1m", "high": "5m"},
    "exponential": {"kind": "exponential", "mean": "2m"},
    "lognormal": {"kind": "lognormal", "median": "2m", "p95": "5m"},
    "lognormal-wide": {"kind": "lognormal", "median": "2h", "p95": "12h"},
    "gamma": {"kind": "gamma", "mean": "3m", "shape": 2.5},
    "gamma-small-shape": {"kind": "gamma", "mean": 10, "shape": 0.3},
    "weibull": {"kind": "weibull", "shape": 1.7, "scale": "4m"},
    "weibull-long-tail": {"kind": "weibull", "shape": 0.6, "scale": 90},
    "triangular": {"kind": "triangular", "low": 10, "mode": 20, "high": 70},
    "empirical": {"kind": "empirical", "values": [1, 2, 2, 3, "1m", 0]},
    "mixture": {
        "kind": "mixture",
        "components": [
            {"weight": 9, "of": "30s"},
            {"weight": 1, "of": {"kind": "exponential", "mean": "10m"}},
            {"weight": 2, "of": {"kind": "uniform", "low": 0, "high": 20}},
        ],
    },
}


@pytest.mark.parametrize("name", list(SPECS))
def test_sample_mean_matches_closed_form(name: str) -> None:
    d = _parse(SPECS[name])
    assert d.mean == pytest.approx(independent_mean(d), rel=1e-12)
    draws = d.draw(Streams(SEED).generator(f"statistical.{name}"), N)
    assert draws.shape == (N,)
    assert (draws >= 0).all()
    bound = z(CONFIDENCE) * math.sqrt(variance(d) / N)
    assert abs(draws.mean() - d.mean) <= bound, (name, draws.mean(), d.mean, bound)
    # The variance used for the bound is itself right (else the bound means nothing):
    # the sample variance within 10% of it, or both zero.
    assert draws.var() == pytest.approx(variance(d), rel=0.1, abs=1e-12)


@pytest.mark.parametrize(
    ("median", "p95"), [(120.0, 300.0), (7200.0, 43200.0), (0.05, 0.2)], ids=str
)
def test_lognormal_quantiles_are_its_parameters(median: float, p95: float) -> None:
    d = Lognormal(median=median, p95=p95)
    draws = d.draw(Streams(SEED).generator(f"statistical.lognormal.{median}"), N)
    for level, value in ((0.5, median), (0.95, p95)):
        share = float((draws <= value).mean())
        bound = binomial_half_width(level, N, CONFIDENCE)
        assert abs(share - level) <= bound, (level, value, share, bound)


@pytest.mark.parametrize(("shape", "scale"), [(1.7, 240.0), (0.6, 90.0)], ids=str)
def test_weibull_quantiles_are_scipy_s(shape: float, scale: float) -> None:
    """Shape and scale mean what scipy.stats.weibull_min(shape, scale=scale) means: the
    share of draws below its 10th, 50th and 90th percentiles is binomial around each."""
    from scipy import stats

    twin = stats.weibull_min(shape, scale=scale)
    draws = Weibull(shape=shape, scale=scale).draw(
        Streams(SEED).generator(f"statistical.weibull.{shape}"), N
    )
    for level in (0.1, 0.5, 0.9):
        share = float((draws <= twin.ppf(level)).mean())
        bound = binomial_half_width(level, N, CONFIDENCE)
        assert abs(share - level) <= bound, (level, share, bound)
