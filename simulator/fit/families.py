"""Maximum-likelihood fits, with censoring, of the positive families the scenario format has.

Each duration weighs in by what it says: an exact one by its density, a right-censored one
by the chance of lasting longer (the survival function), one seen between two polls by the
chance of ending between them (F(high) - F(low), taken in logs on whichever side of the
median keeps its digits). The families are fitted with no location (durations start at 0,
as scipy's `floc=0`), in the parameters the scenario writes (`simulator/engine/distributions.py`).

The likelihood is written here on `scipy.special` rather than handed to `scipy.stats`'s
generic `fit(CensoredData)`: that one costs 250-550 µs an evaluation and about 170 of them
a fit, and the bootstrap refits each family hundreds of times. Tests hold the two to the same
maximum (`tests/unit/fit/test_fit_families.py`).
"""

from __future__ import annotations

import math
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Final

import numpy as np
from scipy import optimize, special, stats

from simulator.engine.distributions import (
    Z95,
    Exponential,
    Gamma,
    Lognormal,
    Weibull,
)
from simulator.fit.sample import Sample

FAMILIES: Final = ("exponential", "lognormal", "gamma", "weibull")
"""The scenario's families of positive durations, in the order the table breaks AIC ties."""
ZERO: Final = 1e-3
"""A duration recorded as 0 s is read as shorter than this (1 ms): none of the families puts
mass at 0, and a density at 0 is 0 or infinite, which no fit can use."""
SHAPE_BOUND: Final = 8.0
"""The largest |log| of a shape (or of the lognormal's sigma) searched: shapes from 0.0003
to 3,000. Durations that pull a fit to the bound are (nearly) all equal, which no
continuous family describes: such a fit is marked as not converged."""
_REACH: Final = 50.0
"""The largest |log| of a scale searched, far past any duration, short of overflow."""
_EULER: Final = 0.5772156649015329
_SIGNIFICANT: Final = 4
"""Significant digits of the parameters a scenario is given: 0.05 % at most, far inside any
interval a sample of durations gives."""
Model = Exponential | Lognormal | Gamma | Weibull


def _log_between(log_cdf: np.ndarray, log_sf: np.ndarray) -> np.ndarray:
    """log(F(high) - F(low)) from the logs of F and S at the two ends (first half low, second
    high): in survival terms beyond the median, in CDF terms before it, so that neither
    difference of two numbers near 1 loses the digits."""
    half = len(log_cdf) // 2
    cdf_low, cdf_high = log_cdf[:half], log_cdf[half:]
    sf_low, sf_high = log_sf[:half], log_sf[half:]
    upper = sf_low + np.log1p(-np.exp(sf_high - sf_low))
    lower = cdf_high + np.log1p(-np.exp(cdf_low - cdf_high))
    return np.asarray(np.where(sf_low < math.log(0.5), upper, lower))


class _Family(ABC):
    """A family in unconstrained coordinates `u` (logs of positive parameters), so that the
    optimiser searches all of R^k."""

    name: ClassVar[str]
    k: ClassVar[int]
    spread: ClassVar[int | None] = None
    """The coordinate that is the log of a shape (sigma, for the lognormal): past
    SHAPE_BOUND it says the durations have no spread to speak of, and the fit is refused."""

    @abstractmethod
    def start(self, guesses: np.ndarray) -> np.ndarray:
        """Coordinates to start from, by moments of one guess per duration."""

    @abstractmethod
    def log_pdf(self, u: np.ndarray, x: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def log_cdf_sf(self, u: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    @abstractmethod
    def scipy(self, u: np.ndarray) -> Any:
        """The frozen `scipy.stats` distribution (location 0)."""

    @abstractmethod
    def model(self, u: np.ndarray) -> Model:
        """The scenario's distribution, unrounded."""

    @abstractmethod
    def parameters(self, u: np.ndarray) -> dict[str, float]:
        """The parameters as a scenario writes them, unrounded."""


class _Exponential(_Family):
    name, k = "exponential", 1

    def start(self, guesses: np.ndarray) -> np.ndarray:
        return np.array([math.log(float(guesses.mean()))])

    def log_pdf(self, u: np.ndarray, x: np.ndarray) -> np.ndarray:
        return np.asarray(-u[0] - x / math.exp(u[0]))

    def log_cdf_sf(self, u: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        log_sf = -x / math.exp(u[0])
        return np.log(-np.expm1(log_sf)), log_sf

    def scipy(self, u: np.ndarray) -> Any:
        return stats.expon(scale=math.exp(u[0]))

    def model(self, u: np.ndarray) -> Model:
        return Exponential.model_validate(self.parameters(u))

    def parameters(self, u: np.ndarray) -> dict[str, float]:
        return {"mean": math.exp(u[0])}


class _Lognormal(_Family):
    name, k, spread = "lognormal", 2, 1

    def start(self, guesses: np.ndarray) -> np.ndarray:
        logs = np.log(guesses)
        return np.array([logs.mean(), math.log(max(float(logs.std()), 0.05))])

    def log_pdf(self, u: np.ndarray, x: np.ndarray) -> np.ndarray:
        sigma = math.exp(u[1])
        z = (np.log(x) - u[0]) / sigma
        return np.asarray(-0.5 * z * z - np.log(x) - u[1] - 0.5 * math.log(2 * math.pi))

    def log_cdf_sf(self, u: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = (np.log(x) - u[0]) / math.exp(u[1])
        return special.log_ndtr(z), special.log_ndtr(-z)

    def scipy(self, u: np.ndarray) -> Any:
        return stats.lognorm(math.exp(u[1]), scale=math.exp(u[0]))

    def model(self, u: np.ndarray) -> Model:
        return Lognormal.model_validate(self.parameters(u))

    def parameters(self, u: np.ndarray) -> dict[str, float]:
        return {"median": math.exp(u[0]), "p95": math.exp(u[0] + Z95 * math.exp(u[1]))}


class _Gamma(_Family):
    name, k, spread = "gamma", 2, 0

    def start(self, guesses: np.ndarray) -> np.ndarray:
        mean, var = float(guesses.mean()), float(guesses.var())
        shape = min(max(mean * mean / var, 1e-3), 1e3) if var > 0 else 10.0
        return np.array([math.log(shape), math.log(mean / shape)])

    def log_pdf(self, u: np.ndarray, x: np.ndarray) -> np.ndarray:
        shape, scale = math.exp(u[0]), math.exp(u[1])
        return np.asarray(
            (shape - 1) * np.log(x) - x / scale - special.gammaln(shape) - shape * u[1]
        )

    def log_cdf_sf(self, u: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # One incomplete gamma a point, the one on its side of the mean (the smaller, but for
        # shapes far below 1): its complement, 1 minus it, keeps the digits; the cost halves.
        shape, y = math.exp(u[0]), x / math.exp(u[1])
        lower = y < shape
        cdf = np.empty_like(y)
        cdf[lower] = special.gammainc(shape, y[lower])
        sf = 1.0 - cdf
        sf[~lower] = special.gammaincc(shape, y[~lower])
        cdf[~lower] = 1.0 - sf[~lower]
        return np.log(cdf), np.log(sf)

    def scipy(self, u: np.ndarray) -> Any:
        return stats.gamma(math.exp(u[0]), scale=math.exp(u[1]))

    def model(self, u: np.ndarray) -> Model:
        return Gamma.model_validate(self.parameters(u))

    def parameters(self, u: np.ndarray) -> dict[str, float]:
        return {"mean": math.exp(u[0] + u[1]), "shape": math.exp(u[0])}


class _Weibull(_Family):
    name, k, spread = "weibull", 2, 0

    def start(self, guesses: np.ndarray) -> np.ndarray:
        logs = np.log(guesses)  # log T is Gumbel: sd pi / (shape sqrt 6), mean log scale - γ/shape
        spread = max(float(logs.std()), 0.05)
        shape = min(max(math.pi / (spread * math.sqrt(6)), 0.1), 20.0)
        return np.array([math.log(shape), float(logs.mean()) + _EULER / shape])

    def log_pdf(self, u: np.ndarray, x: np.ndarray) -> np.ndarray:
        shape = math.exp(u[0])
        log_y = np.log(x) - u[1]
        return np.asarray(u[0] - u[1] + (shape - 1) * log_y - np.exp(shape * log_y))

    def log_cdf_sf(self, u: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        log_sf = -((x / math.exp(u[1])) ** math.exp(u[0]))
        return np.log(-np.expm1(log_sf)), log_sf

    def scipy(self, u: np.ndarray) -> Any:
        return stats.weibull_min(math.exp(u[0]), scale=math.exp(u[1]))

    def model(self, u: np.ndarray) -> Model:
        return Weibull.model_validate(self.parameters(u))

    def parameters(self, u: np.ndarray) -> dict[str, float]:
        return {"shape": math.exp(u[0]), "scale": math.exp(u[1])}


_BY_NAME: Final[dict[str, _Family]] = {
    f.name: f for f in (_Exponential(), _Lognormal(), _Gamma(), _Weibull())
}


def _family(name: str) -> _Family:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"unknown family {name!r}: expected one of {', '.join(FAMILIES)}"
        ) from None


def _significant(value: float) -> float:
    return float(f"{value:.{_SIGNIFICANT}g}")


@dataclass(frozen=True, eq=False)
class FamilyFit:
    """One family fitted to a sample: its parameters, log-likelihood and what follows."""

    family: str
    u: tuple[float, ...]
    """The parameters in the optimiser's coordinates (logs of the positive ones)."""
    log_likelihood: float
    n: int
    """The usable durations fitted."""
    converged: bool

    @property
    def k(self) -> int:
        """How many parameters were fitted."""
        return _family(self.family).k

    @property
    def aic(self) -> float:
        """Akaike's criterion, 2k - 2 log L: lower is better, a difference under 2 a tie."""
        return 2 * self.k - 2 * self.log_likelihood

    @cached_property
    def frozen(self) -> Any:
        """The fitted `scipy.stats` distribution, for its CDF and quantiles."""
        return _family(self.family).scipy(np.asarray(self.u))

    @property
    def model(self) -> Model:
        """The fitted distribution as the engine draws it (unrounded)."""
        return _family(self.family).model(np.asarray(self.u))

    @property
    def median(self) -> float:
        return float(self.frozen.ppf(0.5))

    @property
    def p95(self) -> float:
        return float(self.frozen.ppf(0.95))

    def parameters(self) -> dict[str, float]:
        """The parameters as a scenario writes them, to four significant digits."""
        exact = _family(self.family).parameters(np.asarray(self.u))
        return {name: _significant(value) for name, value in exact.items()}

    def distribution(self) -> dict[str, Any]:
        """The scenario's distribution: `{"kind": "lognormal", "median": 93.1, "p95": 240.2}`."""
        return {"kind": self.family, **self.parameters()}


class Likelihood:
    """The log-likelihood of a sample's usable durations under any family."""

    def __init__(self, sample: Sample) -> None:
        usable = sample.where(sample.is_usable)
        if usable.n == 0:
            raise ValueError(_none_usable(sample))
        exact = usable.is_exact & (usable.low > 0)
        zero = usable.is_exact & (usable.low == 0)
        between = usable.is_interval | zero
        self.n = usable.n
        self.exact = usable.low[exact]
        self.right = usable.low[usable.is_right]
        self.between_low = usable.low[between]
        self.between_high = np.where(zero, ZERO, usable.high)[between]
        if usable.exact_count == usable.n and len(np.unique(usable.low)) == 1:
            value = f"{usable.low[0]:g}"
            which = "the only duration is" if usable.n == 1 else f"all {usable.n} durations are"
            raise ValueError(
                f"{which} {value} s: no spread to fit a distribution to (a fixed latency,"
                f" `{value}s`, is what they say)"
            )
        if len(self.exact) == 0 and len(self.between_low) == 0:
            raise ValueError(
                f"no duration ended: all {self.n} are right-censored (the longest watched"
                f" {float(self.right.max()):.0f} s), so no family can be fitted"
            )
        self._points = np.concatenate([self.right, self.between_low, self.between_high])
        self.guesses = np.concatenate(
            [self.exact, self.right, (self.between_low + self.between_high) / 2]
        )

    def __call__(self, family: str, u: np.ndarray) -> float:
        spec = _family(family)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
            total = float(spec.log_pdf(u, self.exact).sum()) if len(self.exact) else 0.0
            if len(self._points):
                log_cdf, log_sf = spec.log_cdf_sf(u, self._points)
                right = len(self.right)
                total += float(log_sf[:right].sum())
                total += float(_log_between(log_cdf[right:], log_sf[right:]).sum())
        return total if math.isfinite(total) else -math.inf

    def exponential_closed_form(self) -> float | None:
        """The exponential's mean where it has a closed form (no duration between polls):
        the time watched, ended or not, over the number that ended."""
        if len(self.between_low) or not len(self.exact):
            return None
        return float((self.exact.sum() + self.right.sum()) / len(self.exact))


def _none_usable(sample: Sample) -> str:
    if sample.n == 0:
        return "no durations to fit"
    return (
        f"none of the {sample.n} durations can be fitted: each was censored before any time"
        " passed (known only to lie in [0, inf))"
    )


def fit_family(sample: Sample, family: str, *, start: tuple[float, ...] | None = None) -> FamilyFit:
    """The maximum-likelihood fit of `family` to `sample` (censored durations weighing in
    by what they say). `start` (a fit's `u`) seeds the search: the bootstrap refits start
    from the fit that simulated them."""
    return fit_likelihood(Likelihood(sample), family, start=start)


def fit_likelihood(
    likelihood: Likelihood, family: str, *, start: tuple[float, ...] | None = None
) -> FamilyFit:
    """`fit_family` on a likelihood already built."""
    spec = _family(family)
    if family == "exponential" and (mean := likelihood.exponential_closed_form()) is not None:
        closed = np.array([math.log(mean)])
        return FamilyFit(
            family, (float(closed[0]),), likelihood(family, closed), likelihood.n, True
        )
    first = np.asarray(start) if start is not None else spec.start(likelihood.guesses)
    best = _minimise(likelihood, family, first)
    if not best.success and start is not None:  # far from where it was simulated: afresh
        best = _minimise(likelihood, family, spec.start(likelihood.guesses))
    bounded = spec.spread is not None and abs(best.x[spec.spread]) > SHAPE_BOUND - 0.5
    converged = bool(best.success) and math.isfinite(best.fun) and not bounded
    u = tuple(float(v) for v in best.x)
    return FamilyFit(family, u, -float(best.fun), likelihood.n, converged)


def _minimise(likelihood: Likelihood, family: str, first: np.ndarray) -> Any:
    """-log L minimised from `first`: Brent's method for one parameter; Nelder-Mead for two,
    derivative-free (the incomplete gamma has no derivative in its shape to hand), from a
    simplex of 0.05 a side (5 % in scale) to 1e-6 (parameters to about six digits). Either's
    `success` says it converged to its tolerance."""

    spread = _family(family).spread

    def cost(u: np.ndarray) -> float:
        u = np.atleast_1d(u)
        if np.abs(u).max() > _REACH or (spread is not None and abs(u[spread]) > SHAPE_BOUND):
            return 1e300
        value = -likelihood(family, u)
        return value if math.isfinite(value) else 1e300

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if len(first) == 1:
            found = optimize.minimize_scalar(
                cost, bracket=(first[0] - 0.1, first[0] + 0.1), method="brent", tol=1e-10
            )
            found.x = np.atleast_1d(found.x)
            return found
        simplex = np.vstack([first, first + 0.05 * np.eye(len(first))])
        return optimize.minimize(
            cost,
            first,
            method="Nelder-Mead",
            options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000, "initial_simplex": simplex},
        )
