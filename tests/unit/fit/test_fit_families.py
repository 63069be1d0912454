"""The censored maximum-likelihood fits: closed forms, SciPy's own fit, the scenario's
parameterisations."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter
from scipy import stats

from simulator.engine.distributions import Distribution
from simulator.fit.families import FAMILIES, SHAPE_BOUND, Likelihood, fit_family
from simulator.fit.sample import Sample

SCIPY = {
    "exponential": stats.expon,
    "lognormal": stats.lognorm,
    "gamma": stats.gamma,
    "weibull": stats.weibull_min,
}


def mixed_sample(seed: int = 3, n: int = 120) -> Sample:
    """Lognormal durations: a third censored at 100 s, a third polled every 30 s."""
    rng = np.random.default_rng(seed)
    t = rng.lognormal(math.log(90), 0.6, n)
    kind = np.arange(n) % 3
    until = np.where(kind == 0, 100.0, np.inf)
    censored = t > until
    phase = rng.uniform(0, 30, n)
    high = phase + np.maximum(np.ceil((t - phase) / 30), 0) * 30
    low = np.where(kind == 2, np.maximum(high - 30, 0), t)
    high = np.where(kind == 2, high, t)
    low, high = np.where(censored, until, low), np.where(censored, np.inf, high)
    return Sample(low, high, np.where(kind == 2, 30.0, 0.0), until)


def censored_data(sample: Sample) -> stats.CensoredData:
    return stats.CensoredData(
        uncensored=sample.low[sample.is_exact],
        right=sample.low[sample.is_right],
        interval=np.column_stack([sample.low, sample.high])[sample.is_interval],
    )


def scipy_log_likelihood(frozen: Any, sample: Sample) -> float:
    """log L written with SciPy's frozen distribution, term by term."""
    exact, right, between = sample.is_exact, sample.is_right, sample.is_interval
    return float(
        frozen.logpdf(sample.low[exact]).sum()
        + frozen.logsf(sample.low[right]).sum()
        + np.log(frozen.cdf(sample.high[between]) - frozen.cdf(sample.low[between])).sum()
    )


def test_the_exponential_of_right_censored_durations_is_events_over_exposure() -> None:
    low = np.array([12.0, 40.0, 7.5, 100.0, 100.0, 63.0, 100.0])
    ended = np.array([True, True, True, False, False, True, False])
    sample = Sample(low, np.where(ended, low, np.inf), np.zeros(7), np.full(7, 100.0))
    fit = fit_family(sample, "exponential")
    assert fit.parameters() == {"mean": 105.6}  # 422.5 s watched / 4 ended, 4 digits
    assert fit.frozen.mean() == pytest.approx(422.5 / 4, rel=1e-6)
    assert fit.log_likelihood == pytest.approx(-4 * math.log(422.5 / 4) - 4, rel=1e-9)


def test_the_exponential_of_polled_durations_is_the_geometric_closed_form() -> None:
    """Polls every 30 s from the start: a duration in ((k-1) 30, k 30] is geometric in k,
    with q = exp(-30 / mean) estimated as sum(k - 1) / sum(k)."""
    k = np.array([1, 1, 2, 3, 1, 5, 2, 2, 4, 1, 3])
    sample = Sample((k - 1) * 30.0, k * 30.0, np.full(len(k), 30.0), np.full(len(k), np.inf))
    fit = fit_family(sample, "exponential")
    q = (k - 1).sum() / k.sum()
    assert fit.converged
    assert fit.frozen.mean() == pytest.approx(-30 / math.log(q), rel=1e-6)


@pytest.mark.parametrize("family", FAMILIES)
def test_the_likelihood_is_scipys_term_by_term(family: str) -> None:
    sample = mixed_sample()
    fit = fit_family(sample, family)
    expected = scipy_log_likelihood(fit.frozen, sample)
    assert fit.log_likelihood == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("family", FAMILIES)
def test_the_fit_reaches_scipys_maximum_on_censored_data(family: str) -> None:
    """SciPy's generic `fit` on CensoredData (floc=0) finds the same maximum, or a lower one:
    its Nelder-Mead stops at a looser tolerance."""
    sample = mixed_sample()
    fit = fit_family(sample, family)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        theirs = SCIPY[family](*SCIPY[family].fit(censored_data(sample), floc=0))
    assert fit.converged
    assert fit.log_likelihood >= scipy_log_likelihood(theirs, sample) - 1e-6
    assert fit.median == pytest.approx(theirs.median(), rel=2e-3)
    assert fit.p95 == pytest.approx(theirs.ppf(0.95), rel=2e-3)


@pytest.mark.parametrize("family", FAMILIES)
def test_the_scenario_accepts_the_fit_and_draws_what_was_fitted(family: str) -> None:
    fit = fit_family(mixed_sample(), family)
    written = fit.distribution()
    assert written["kind"] == family
    model = TypeAdapter(Distribution).validate_python(written)
    assert model.mean == pytest.approx(fit.frozen.mean(), rel=1e-3)
    draws = model.draw(np.random.default_rng(0), 20_000)
    assert stats.kstest(draws, fit.frozen.cdf).pvalue > 0.001  # the same law, not a lookalike


def test_the_parameters_are_the_scenarios() -> None:
    sample = mixed_sample()
    lognormal, gamma, weibull = (fit_family(sample, f) for f in ("lognormal", "gamma", "weibull"))
    assert lognormal.parameters() == {
        "median": float(f"{lognormal.median:.4g}"),
        "p95": float(f"{lognormal.p95:.4g}"),
    }
    assert gamma.parameters()["mean"] == float(f"{gamma.frozen.mean():.4g}")
    shape, scale = weibull.frozen.args[0], weibull.frozen.kwds["scale"]
    assert weibull.parameters() == {"shape": float(f"{shape:.4g}"), "scale": float(f"{scale:.4g}")}


def test_aic_counts_the_parameters() -> None:
    sample = mixed_sample()
    assert fit_family(sample, "exponential").k == 1
    gamma = fit_family(sample, "gamma")
    assert gamma.aic == pytest.approx(4 - 2 * gamma.log_likelihood)


def test_a_zero_duration_is_read_as_under_a_millisecond() -> None:
    sample = Sample.exact([0.0, 5.0, 9.0, 14.0])
    likelihood = Likelihood(sample)
    assert list(likelihood.between_high) == [1e-3]
    assert fit_family(sample, "lognormal").converged


def test_an_unknown_family_is_named() -> None:
    with pytest.raises(ValueError, match="unknown family 'pareto': expected one of exponential"):
        fit_family(Sample.exact([1.0, 2.0]), "pareto")


def test_nothing_to_fit_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no durations to fit"):
        fit_family(Sample.exact([]), "gamma")
    never = Sample(np.zeros(3), np.full(3, np.inf), np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="none of the 3 durations can be fitted"):
        fit_family(never, "gamma")
    watched = Sample(np.array([50.0, 80.0]), np.full(2, np.inf), np.zeros(2), np.array([50.0, 80]))
    with pytest.raises(ValueError, match="no duration ended: all 2 are right-censored"):
        fit_family(watched, "weibull")


def test_durations_without_spread_are_refused_and_a_fixed_latency_suggested() -> None:
    with pytest.raises(ValueError, match=r"all 4 durations are 30 s: no spread .* `30s`"):
        fit_family(Sample.exact([30.0] * 4), "lognormal")
    with pytest.raises(ValueError, match=r"the only duration is 12\.5 s"):
        fit_family(Sample.exact([12.5]), "exponential")


def test_a_shape_pulled_to_its_bound_is_not_converged() -> None:
    """Thirty durations of 30 s and one of 31: the gamma's shape runs to its bound."""
    sample = Sample.exact(np.r_[np.full(30, 30.0), 31.0])
    gamma = fit_family(sample, "gamma")
    assert abs(gamma.u[0]) > SHAPE_BOUND - 0.5
    assert not gamma.converged
    assert fit_family(sample, "lognormal").converged
