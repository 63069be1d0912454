"""The goodness of fit stays fair when a race censors the durations (Comprehend's training
raced by its stop): the bootstrap draws the competing clock too.

A duration a race ended is known only to exceed the race's moment; one that completed was
at risk of the race too, whose moment is then unknown but later. Here the durations are
lognormal and the race's moment is exponential and independent, recorded as
`simulator.fit.durations` records them: a raced duration `[C, inf)` watched until C, a
completed one exact and watched until the data ends. A bootstrap that censored a completed
duration's replicates only where the data ends would see fewer races in its replicates than
in the data, and put the data's distance in the tail: p-values near 0 under the true family.

- Under the truth: 40 samples of 300, three in four raced, 40 replicates each. Below 0.05:
  2 expected; 6 or more (15 %) would be a bootstrap biased low (one that did not redraw
  the race gave 25 of 40, and a mean p-value of 0.1).
- A wrong family (exponential) is still rejected on 300 durations, two in five raced. (With
  three in four raced the data say too little: p = 0.13.)
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pytest

from simulator.engine.distributions import Lognormal
from simulator.fit.bootstrap import replicate
from simulator.fit.families import Likelihood, fit_likelihood
from simulator.fit.sample import Sample

TRUTH: Final = Lognormal(median=90.0, p95=240.0)
HEAVY, LIGHT = 60.0, 150.0
"""The race's moment: exponential of this mean, 75 % or 40 % of the durations raced."""
END: Final = 2000.0
"""When the data ends, after the start: (almost) never reached."""


def raced(n: int, rng: np.random.Generator, race_mean: float) -> Sample:
    """`n` lognormal durations, each raced by an independent exponential clock."""
    durations = TRUTH.draw(rng, n)
    race = rng.exponential(race_mean, n)
    lost = durations > race
    low = np.where(lost, race, durations)
    high = np.where(lost, np.inf, durations)
    until = np.where(lost, race, END)
    return Sample(low, high, np.zeros(n), until, raced=lost)


@pytest.mark.slow
def test_under_the_true_family_the_p_value_is_not_biased_low() -> None:
    rng = np.random.default_rng(15)
    p_values = []
    for seed in range(40):
        sample = raced(300, rng, HEAVY)
        fit = fit_likelihood(Likelihood(sample), "lognormal")
        p_values.append(replicate(fit, sample, replicates=40, seed=seed).p_value)
    assert sum(p < 0.05 for p in p_values) < 6
    assert np.mean(p_values) > 0.3


@pytest.mark.slow
def test_a_wrong_family_is_still_rejected() -> None:
    sample = raced(300, np.random.default_rng(16), LIGHT)
    fit = fit_likelihood(Likelihood(sample), "exponential")
    assert replicate(fit, sample, replicates=100, seed=1).p_value < 0.05
