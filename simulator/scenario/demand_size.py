"""How much `demand:` one replication draws and tabulates, from the scenario alone: what
`simulate run`'s estimate prices before anything is drawn.

Requests are counted at each group's mean rate over the horizon: its profile minute by
minute from the start's local time (whole weeks, then the rest; daylight saving's hour is
left out), bursts by the share of the time they add their multiplier in. The `demand`
table has a row per model and minute with a request: with Poisson arrivals a model of rate
r has one in a minute at multiplier f with probability 1 - exp(-60 r f), summed over its
models and minutes. An equal split bounds that sum for any popularity (1 - exp(-x) is
concave), so a lognormal's drawn shares, or a Zipf split of more than `_ZIPF_MODELS`
models, are counted as equal. A replay counts its rows (a group's rows once per model at
most).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

import numpy as np

from simulator.scenario.demand import Demand, hosted_sizes
from simulator.scenario.zones import DAY_MINUTES

if TYPE_CHECKING:
    from simulator.scenario.model import Scenario

WEEK_MINUTES: Final = 7 * DAY_MINUTES
_ZIPF_MODELS: Final = 100_000
"""Beyond this many models, a Zipf split is counted as equal (its bound), not model by
model."""


def expected_requests(scenario: Scenario) -> float:
    """The inference requests one replication draws, on average (a replay: its counts)."""
    return sum(entry_requests(scenario, demand) for demand in scenario.demand)


def demand_rows(scenario: Scenario) -> float:
    """The `demand` table's rows one replication has, on average (at most, for a
    lognormal split or a huge Zipf one)."""
    sizes = hosted_sizes(scenario)
    total = 0.0
    for demand in scenario.demand:
        models = sizes[demand.group]
        if demand.replay is not None:
            trace = demand.replay.trace
            rows = float((trace["count"] > 0).sum())
            total += rows if "resource" in trace.columns else min(rows * models, _sum(trace))
            continue
        values, minutes = _horizon_factors(scenario, demand)
        rates = _model_rates(demand, models)
        chance = -np.expm1(-60.0 * np.outer(values, rates[0])) @ rates[1]  # by factor
        total += min(float(chance @ minutes), entry_requests(scenario, demand))
    return total


def entry_requests(scenario: Scenario, demand: Demand) -> float:
    """The requests of one `demand:` entry, on average."""
    if demand.replay is not None:
        return _sum(demand.replay.trace)
    models = hosted_sizes(scenario)[demand.group]
    rate = demand.total if demand.rate is None else demand.rate * models
    values, minutes = _horizon_factors(scenario, demand)
    return (rate or 0.0) * 60.0 * float(values @ minutes) * _burst_factor(scenario, demand)


def _sum(trace: object) -> float:
    import pandas as pd

    assert isinstance(trace, pd.DataFrame)
    return float(trace["count"].sum())


def _horizon_factors(scenario: Scenario, demand: Demand) -> tuple[np.ndarray, np.ndarray]:
    """The profile's distinct multipliers over the horizon, and how many minutes each."""
    profile = demand.profile
    week = np.outer(profile.day_factors(), profile.minute_factors()).ravel()  # Monday first
    local = scenario.start.astimezone(ZoneInfo(profile.time_zone))
    week = np.roll(week, -(local.weekday() * DAY_MINUTES + local.hour * 60 + local.minute))
    weeks, rest = divmod(scenario.horizon / 60.0, WEEK_MINUTES)
    weights = np.full(WEEK_MINUTES, weeks)
    whole = int(rest)
    weights[:whole] += 1.0
    if whole < WEEK_MINUTES:
        weights[whole] += rest - whole
    values, index = np.unique(week, return_inverse=True)
    return values, np.bincount(index.ravel(), weights=weights, minlength=len(values))


def _burst_factor(scenario: Scenario, demand: Demand) -> float:
    """The mean multiplier bursts add: each its multiplier for the share of the horizon it
    lasts (overlapping bursts multiplying)."""
    factor = 1.0
    for burst in demand.bursts:
        if burst.every is not None:
            share = burst.duration / burst.every
        else:
            at = burst.at or 0.0
            share = max(0.0, min(burst.duration, scenario.horizon - at)) / scenario.horizon
        factor *= 1.0 + (burst.multiplier - 1.0) * share
    return factor


def _model_rates(demand: Demand, models: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct per-model rates at multiplier 1, and how many models have each."""
    if demand.rate is not None:
        return np.array([demand.rate]), np.array([float(models)])
    total = demand.total or 0.0
    popularity = demand.popularity
    if popularity.kind == "zipf" and models <= _ZIPF_MODELS:
        weights = np.arange(1, models + 1, dtype=float) ** -(popularity.s or 1.0)
        return total * weights / weights.sum(), np.ones(models)
    return np.array([total / max(models, 1)]), np.array([float(models)])
