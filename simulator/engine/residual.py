"""How much longer a latency lasts once it has lasted `elapsed`: X - e given X > e.

A fleet entry can start its resources part-way through a status (`elapsed:`), as a look at
a fleet in steady state would find them. The time left is then not a fresh draw of the
latency (unless it is exponential, which is memoryless) but the residual: a draw of X - e
conditional on X > e. It is drawn by inverse transform of the survival function S: u
uniform on (0, S(e)], X = S^-1(u), one uniform per draw and exact however far into the
tail e lies (a rejection sampler would need 1/S(e) draws). Empirical and mixture latencies
draw among what survives `elapsed`.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

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

_NORMAL = NormalDist()
_BELOW_ONE = math.nextafter(1.0, 0.0)


def survival(distribution: Distribution, x: float) -> float:
    """P(X > x): the share of draws that outlast `x`."""
    match distribution:
        case Fixed(value=value):
            return float(value > x)
        case Uniform(low=low, high=high):
            return float(low > x) if high == low else min(1.0, max(0.0, (high - x) / (high - low)))
        case Exponential():
            return math.exp(-max(x, 0.0) / distribution.mean)
        case Lognormal():
            if x <= 0:
                return 1.0
            return 0.5 * math.erfc((math.log(x) - distribution.mu) / (distribution.sigma * 2**0.5))
        case Gamma(shape=shape):
            from scipy.special import gammaincc  # only for a gamma latency started part-way

            return float(gammaincc(shape, max(x, 0.0) * shape / distribution.mean))
        case Weibull(shape=shape, scale=scale):
            return math.exp(-((max(x, 0.0) / scale) ** shape))
        case Triangular(low=low, mode=mode, high=high):
            if x <= low or x >= high:
                return float(x <= low)
            if x <= mode:
                return 1 - (x - low) ** 2 / ((high - low) * (mode - low))
            return (high - x) ** 2 / ((high - low) * (high - mode))
        case Empirical(values=values):
            return sum(v > x for v in values) / len(values)
        case Mixture():
            shares = (c.of for c in distribution.components)
            return sum(
                float(p) * survival(of, x)
                for p, of in zip(distribution.probabilities, shares, strict=True)
            )
    raise TypeError(f"no survival function for {type(distribution).__name__}")


def residual(distribution: Distribution, elapsed: float, generator: np.random.Generator) -> float:
    """A draw of X - `elapsed` given X > `elapsed`; `survival(distribution, elapsed)` must
    be above zero (the scenario checks)."""
    tail = survival(distribution, elapsed)
    if tail <= 0:
        raise ValueError(f"no draw of {distribution!r} lasts longer than {elapsed:g}")
    u = min(tail * (1.0 - generator.random()), _BELOW_ONE)  # uniform on (0, S(e)]
    match distribution:
        case Fixed(value=value):
            end = value
        case Uniform(low=low, high=high):
            end = high - u * (high - low)
        case Exponential():
            end = elapsed - distribution.mean * math.log(u / tail)  # memoryless
        case Lognormal():
            end = math.exp(distribution.mu - distribution.sigma * _NORMAL.inv_cdf(u))
        case Gamma(shape=shape):
            from scipy.special import gammainccinv

            end = float(gammainccinv(shape, u)) * distribution.mean / shape
        case Weibull(shape=shape, scale=scale):
            end = scale * (-math.log(u)) ** (1 / shape)
        case Triangular(low=low, mode=mode, high=high):
            if u <= (high - mode) / (high - low):
                end = high - math.sqrt(u * (high - low) * (high - mode))
            else:
                end = low + math.sqrt((1 - u) * (high - low) * (mode - low))
        case Empirical(values=values):
            survivors = sorted(v for v in values if v > elapsed)
            end = survivors[min(int(u / tail * len(survivors)), len(survivors) - 1)]
        case Mixture():
            end = elapsed + _mixture(distribution, elapsed, u, generator)
        case _:
            raise TypeError(f"no residual for {type(distribution).__name__}")
    return max(0.0, end - elapsed)


def _mixture(mixture: Mixture, elapsed: float, u: float, generator: np.random.Generator) -> float:
    """The residual of the component `u` falls in, each weighted by its share of the
    draws that outlast `elapsed`."""
    components = [c.of for c in mixture.components]
    weights = [
        float(p) * survival(of, elapsed)
        for p, of in zip(mixture.probabilities, components, strict=True)
    ]
    chosen = max(i for i, weight in enumerate(weights) if weight > 0)  # if rounding leaves u
    cumulative = 0.0  # past the sum of the weights
    for index, weight in enumerate(weights):
        cumulative += weight
        if u <= cumulative:
            chosen = index
            break
    return residual(components[chosen], elapsed, generator)
