"""Every family fitted to one sample, ranked, checked and put in a table.

AIC (2k - 2 log L) ranks the families; two within 2 of each other are a near tie (Burnham &
Anderson: the data support both about as well), flagged rather than decided. Each family
gets a bootstrap (`simulator.fit.bootstrap`): a goodness-of-fit p-value and 95 % intervals for
its median and p95, from one seed, so the same sample and seed give the same table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from simulator.fit.bootstrap import Bootstrap, replicate
from simulator.fit.families import (
    FAMILIES,
    SHAPE_BOUND,
    ZERO,
    FamilyFit,
    Likelihood,
    fit_likelihood,
)
from simulator.fit.sample import Sample

if TYPE_CHECKING:
    import pandas as pd

FEW: Final = 20
"""Below this many usable durations the intervals are wide enough to say so."""
NEAR_TIE: Final = 2.0
"""An AIC difference under this is a near tie."""
REJECTED: Final = 0.05
"""A goodness-of-fit p-value under this rejects the family: the data are unlike its draws."""
COLUMNS: Final = (
    "family", "parameters", "log_likelihood", "aic", "delta_aic", "near_tie",
    "gof_distance", "gof_p", "replicates_failed", "median", "median_low", "median_high",
    "p95", "p95_low", "p95_high",
)  # fmt: skip


def seconds(value: float) -> str:
    """'61 s', '1,204 s', '0.42 s': whole seconds where a second is a small part."""
    return f"{_number(value)} s"


def span(low: float, high: float) -> str:
    """'61-190 s': an interval of seconds."""
    return f"{_number(low)}-{_number(high)} s"


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.2g}"


def _listing(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass(frozen=True, eq=False)
class FitReport:
    """The families fitted to one sample, best (lowest AIC) first."""

    sample: Sample
    """The usable durations fitted."""
    fits: tuple[FamilyFit, ...]
    bootstraps: dict[str, Bootstrap]
    replicates: int
    seed: int
    warnings: tuple[str, ...]

    @property
    def best(self) -> FamilyFit:
        return self.fits[0]

    def fit(self, family: str | None = None) -> FamilyFit:
        """The fit of `family`, or the best."""
        if family is None:
            return self.best
        for fit in self.fits:
            if fit.family == family:
                return fit
        fitted = ", ".join(fit.family for fit in self.fits)
        raise ValueError(f"no {family!r} fit: the fitted families are {fitted}")

    def distribution(self, family: str | None = None) -> dict[str, Any]:
        """What the scenario's latency setting is given: the best family's, or `family`'s."""
        return self.fit(family).distribution()

    @property
    def table(self) -> pd.DataFrame:
        """One row a family, best first: the parameters as the scenario writes them, log L,
        AIC, its distance to the best, the near ties, the goodness-of-fit distance and
        p-value, the replicates that could not be refitted, and the median and p95 with
        their 95 % bootstrap intervals (seconds; NaN where most replicates failed)."""
        import pandas as pd

        best = self.best.aic
        tied = sum(fit.aic - best < NEAR_TIE for fit in self.fits) > 1
        rows = []
        for fit in self.fits:
            boot = self.bootstraps[fit.family]
            delta = fit.aic - best
            rows.append(
                (
                    fit.family,
                    _flow(fit.parameters()),
                    fit.log_likelihood,
                    fit.aic,
                    delta,
                    bool(tied and delta < NEAR_TIE),
                    boot.distance,
                    boot.p_value,
                    boot.failed,
                    fit.median,
                    *boot.median_interval,
                    fit.p95,
                    *boot.p95_interval,
                )
            )
        return pd.DataFrame(rows, columns=list(COLUMNS))


def _flow(parameters: dict[str, float]) -> str:
    """'{median: 93.1, p95: 240.2}': as a scenario's YAML writes them."""
    return "{" + ", ".join(f"{name}: {value:g}" for name, value in parameters.items()) + "}"


def fit_all(sample: Sample, *, seed: int = 0, bootstrap: int = 200) -> FitReport:
    """Every family of `FAMILIES` fitted to `sample`'s usable durations, ranked by AIC, each
    checked and given intervals by `bootstrap` replicates drawn from `seed`.

    Raises ValueError when no duration can be fitted (none at all, none usable, or none that
    ended); the caller names the file."""
    if bootstrap < 1:
        raise ValueError(f"bootstrap(={bootstrap}) must be at least 1 replicate")
    likelihood = Likelihood(sample)  # raises when nothing can be fitted
    usable = sample.where(sample.is_usable)
    tried = [fit_likelihood(likelihood, family) for family in FAMILIES]
    fits = sorted((f for f in tried if f.converged), key=lambda fit: fit.aic)  # stable
    failed = [fit.family for fit in tried if not fit.converged]
    if not fits:
        raise ValueError(f"no family could be fitted to {sample.describe()}")
    boots = {fit.family: replicate(fit, usable, replicates=bootstrap, seed=seed) for fit in fits}
    notes = _warnings(sample, usable, fits, boots, bootstrap)
    if failed:
        notes += (
            f"the {_listing(failed)} {'fit' if len(failed) == 1 else 'fits'} did not converge"
            f" (the durations pull the shape to {math.exp(SHAPE_BOUND):,.0f} or"
            f" 1/{math.exp(SHAPE_BOUND):,.0f}, or the optimiser stopped short): left out of"
            " the table",
        )
    return FitReport(usable, tuple(fits), boots, bootstrap, seed, notes)


def _warnings(
    sample: Sample,
    usable: Sample,
    fits: list[FamilyFit],
    boots: dict[str, Bootstrap],
    replicates: int,
) -> tuple[str, ...]:
    notes = []
    best = fits[0]
    if usable.n < FEW:
        low, high = boots[best.family].median_interval
        p95_low, p95_high = boots[best.family].p95_interval
        notes.append(
            f"only {usable.n} observations: the median's 95% interval spans"
            f" {span(low, high)} and the p95's {span(p95_low, p95_high)} ({best.family})"
        )
    if left_out := sample.n - usable.n:
        notes.append(
            f"{left_out} of {sample.n} durations were censored before any time passed"
            " (known only to be >= 0 s) and say nothing: left out"
        )
    if zeros := int(np.sum(usable.is_exact & (usable.low == 0))):
        notes.append(f"{zeros} durations of 0 s are read as shorter than {ZERO * 1000:g} ms")
    if (rejected := boots[best.family].p_value) < REJECTED:
        shown = ", ".join(f"{fit.family} {boots[fit.family].p_value:.2f}" for fit in fits)
        passing = [fit.family for fit in fits if boots[fit.family].p_value >= REJECTED]
        advice = (
            f"{_listing(passing)} {'is' if len(passing) == 1 else 'are'} not rejected:"
            f" consider {'it' if len(passing) == 1 else 'them'}, though AIC ranks lower"
            if passing
            else "the data look like none of the families: write the latency as `kind:"
            " empirical` with the data's durations (`values:`, or `csv:` and `column:`; the"
            " censored and polled ones make it short) or as a `mixture` of families"
        )
        notes.append(
            f"the chosen {best.family} fit is rejected by the goodness of fit (p ="
            f" {rejected:.2f} < {REJECTED:g}; each family's p: {shown}): {advice}"
        )
    tied = [fit.family for fit in fits if fit.aic - best.aic < NEAR_TIE]
    if len(tied) > 1:
        notes.append(
            f"{_listing(tied)} are within {NEAR_TIE:g} of AIC: the data cannot tell"
            f" them apart; {best.family} is chosen for the lower AIC"
        )
    for fit in fits:
        boot = boots[fit.family]
        if boot.mostly_failed:
            notes.append(
                f"{boot.failed} of {replicates} {fit.family} replicates could not be refitted:"
                " more than half, so its median's and p95's intervals are not given (NaN; the"
                " survivors are the draws it fits, not a sample of its draws) and its p-value"
                " rests on the few that could"
            )
        elif boot.failed:
            notes.append(
                f"{boot.failed} of {replicates} {fit.family} replicates could not be refitted"
                " and are left out of its p-value and intervals"
            )
    return tuple(notes)
