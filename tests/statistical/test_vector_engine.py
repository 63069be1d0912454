"""The vector engine against the event engine: the same distributions of what a stop took,
cost, polled and ended as, on scenarios of each kind of stream the vector engine draws.

The level: every comparison is a two-sample test at 99% (it fails at p <= 0.01), with no
correction for their number, as the issue asks ("a two-sample test at 99%"). There are 8
or 9 comparisons per scenario, 25 in all, so under equality about one seed choice in five
would fail one of them; the seeds are the ones the scenarios were written with, not chosen
to pass (at them the smallest p is 0.13), and the test prints every p on failure to tell a
near miss from a real difference.

The two engines draw from the same named streams in different orders, so their tables
agree in distribution, not value by value. Run on one seed, they would also draw many of
the same values (a stream's values are the same, only handed out in another order), and a
two-sample test would compare a sample with itself: so the vector engine runs on another
seed, and the two samples are independent. The comparisons, pooled over replications:

- per stop, continuous (two-sample Kolmogorov-Smirnov, asymptotic): the latency from
  request to terminal status and to the caller seeing it, and `cost_after_request_usd`
  (discrete under per-minute billing, where KS, whose null distribution assumes no ties,
  is conservative: it rejects less often than its level, never more);
- per call, `calls.latency_s` of each operation (KS);
- per stop, discrete (chi-square test of a contingency table, the categories either engine
  saw fewer than 10 times pooled into one): the number of polls its caller made, its
  outcome with whether its caller saw the end, and its group (a stream choosing at random
  among groups of different `inference_units`). Stops of one replication are chosen without
  replacement, so their groups vary less than the multinomial the test assumes: conservative.

Each stop-level comparison needs stops from many replications: 1,800 to 3,000 stops an
engine per scenario. At these sizes each plausible bug `test_the_comparison_catches_plausible_bugs`
patches into the vector engine (the first poll a delay late, the waiter giving up three polls
early, a request taking its whole round trip to arrive, a random choice that takes the first
k) fails some comparison, at p below 0.001; the earlier comparison of latencies and costs
alone was blind to the first three.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulator.engine.rng import Streams
from simulator.runner import run_tables
from simulator.vector import follow, requests
from tests.kit import scenario

LEVEL = 0.01
"""Every comparison's level: it fails at p <= 0.01."""
RARE = 10
"""A category seen fewer times than this (both engines together) is pooled with the others
so rare; the chi-square test's approximation needs counts of this order in every cell."""
OTHER_SEED = 1000
"""Added to the scenario's seed for the vector engine's runs: independent samples."""
SCENARIOS = {
    # every evening at 20:00, all RUNNING models of two projects; the default uniform stop
    "rekognition-nightly": """
name: nightly
seed: 31
replications: 20
horizon: 2d
fleet:
  - {service: rekognition, project: storefront, count: 70}
  - {service: rekognition, project: warehouse, count: 30, inference_units: 2}
callers:
  scheduler: {retry: {mode: standard}}
requests:
  - {name: nightly, service: rekognition, caller: scheduler, every: 1d,
     time_of_day: "20:00", where: {status: [RUNNING]}}
""",
    # Poisson stops of half the fleet (two groups, 1 and 3 inference units), a gamma
    # network, per-minute billing, polls every 20 s
    "lookoutvision-poisson": """
name: poisson
seed: 32
replications: 12
horizon: 6h
fleet:
  - {service: lookoutvision, project: line, count: 200, inference_units: 3}
  - {service: lookoutvision, project: spare, count: 100}
callers:
  guard:
    network: {kind: gamma, mean: 120ms, shape: 2}
    waiter: {delay: 20s, max_attempts: 30}
requests:
  - {name: guard, service: lookoutvision, caller: guard, poisson: {rate: 0.05, start: 30m,
     end: 4h}, fraction: 0.5}
""",
    # a triangular stop cut by the horizon (stuck stops), a random count of two groups (1 and
    # 4 inference units), a mixture network, and a stream that does not wait
    "rekognition-triangular": """
name: triangular
seed: 33
replications: 30
horizon: 1h
services:
  rekognition:
    latency: {stop: {kind: triangular, low: 1m, mode: 4m, high: 10m}}
fleet:
  - {service: rekognition, project: a, count: 80}
  - {service: rekognition, project: b, count: 40, inference_units: 4}
  - {service: lookoutvision, project: quiet, count: 30}
callers:
  ops:
    network: {kind: mixture, components: [{weight: 0.9, of: {kind: uniform, low: 20ms,
              high: 200ms}}, {weight: 0.1, of: {kind: exponential, mean: 2s}}]}
    waiter: {delay: 15s, max_attempts: 20}
requests:
  - {name: late, service: rekognition, caller: ops, at: 52m, count: 70}
  - {name: quiet, service: lookoutvision, caller: ops, at: 30m, wait: false}
""",
}


@cache
def _events(name: str) -> dict[str, pd.DataFrame]:
    loaded = scenario(SCENARIOS[name])
    return run_tables(loaded, seed=loaded.seed, engine="events", baseline=False)


def _vector(name: str) -> dict[str, pd.DataFrame]:
    loaded = scenario(SCENARIOS[name])
    return run_tables(loaded, seed=loaded.seed + OTHER_SEED, engine="vector", baseline=False)


Sample = tuple[str, np.ndarray]
"""("ks", values) or ("chi2", categories)."""


def _samples(tables: dict[str, pd.DataFrame]) -> dict[str, Sample]:
    stops, calls = tables["stops"], tables["calls"]
    key = ["replication", "resource_id"]
    describes = calls[calls["operation"].astype(str).str.startswith("Describe")]
    polls = describes.groupby(key, observed=True).size().rename("polls")
    polled = stops.join(polls, on=key)["polls"].fillna(0).astype(int)
    seen = np.where(stops["observed_at"].notna(), "seen", "unseen")
    samples: dict[str, Sample] = {
        "to terminal": ("ks", stops["stop_latency_s"].dropna().to_numpy()),
        "to seen": ("ks", (stops["observed_at"] - stops["requested_at"]).dropna().to_numpy()),
        "cost per stop": ("ks", stops["cost_after_request_usd"].to_numpy()),
        "polls per stop": ("chi2", polled.to_numpy()),
        "outcome": ("chi2", (stops["outcome"].astype(str) + "/" + seen).to_numpy()),
        "group": ("chi2", stops["group"].astype(str).to_numpy()),
    }
    for operation, latencies in calls.groupby("operation", observed=True)["latency_s"]:
        samples[f"{operation} latency"] = ("ks", latencies.to_numpy())
    return samples


def _chi2(a: np.ndarray, b: np.ndarray) -> float:
    """The p of a chi-square test that `a` and `b` are drawn from one categorical
    distribution, rare categories pooled; 1 if a single category is left."""
    counts = pd.DataFrame({"a": pd.Series(a).value_counts(), "b": pd.Series(b).value_counts()})
    counts = counts.fillna(0)
    rare = counts.sum(axis=1) < RARE
    table = pd.concat([counts[~rare], counts[rare].sum().to_frame("rare").T])
    table = table[table.sum(axis=1) > 0]
    if len(table) < 2:
        return 1.0
    return float(stats.chi2_contingency(table.to_numpy()).pvalue)


def _p(events: dict[str, Sample], vector: dict[str, Sample]) -> dict[str, float]:
    assert events.keys() == vector.keys(), (events.keys(), vector.keys())
    p = {}
    for metric, (kind, a) in events.items():
        b = vector[metric][1]
        if kind == "ks":
            p[metric] = float(stats.ks_2samp(a, b, method="asymp").pvalue)
        else:
            p[metric] = _chi2(a, b)
    return p


@pytest.mark.slow
@pytest.mark.parametrize("name", SCENARIOS)
def test_the_vector_engine_draws_the_event_engines_distributions(name: str) -> None:
    events, vector = _samples(_events(name)), _samples(_vector(name))
    sizes = {metric: (len(events[metric][1]), len(vector[metric][1])) for metric in events}
    assert min(min(pair) for pair in sizes.values()) >= 200, sizes  # enough to have power
    p = _p(events, vector)
    assert min(p.values()) > LEVEL, p


Follow = Callable[..., object]


def _late_first_poll(original: Follow) -> Follow:
    """The first poll one waiter delay late."""
    return lambda first, ends, network, delay, *rest: original(
        first + delay, ends, network, delay, *rest
    )


def _gives_up_early(original: Follow) -> Follow:
    """The waiter giving up three polls early."""
    return lambda first, ends, network, delay, attempts, horizon: original(
        first, ends, network, delay, max(1, attempts - 3), horizon
    )


def _whole_trip_there(original: Follow) -> Follow:
    """A stop's request taking the whole round trip to reach the service."""

    def network(scenario, streams, caller, service, operation):
        draw = original(scenario, streams, caller, service, operation)
        stop = follow.SERVICES[service].STOP.operation
        return (lambda size: 2 * draw(size)) if operation == stop else draw

    return network


class _InOrder:
    """Streams whose `requests.<name>` generator "permutes" by leaving things in order."""

    def __init__(self, streams: Streams, name: str) -> None:
        self.streams, self.name = streams, name

    def generator(self, stream: str) -> object:
        real = self.streams.generator(stream)
        if stream != f"requests.{self.name}":
            return real
        return SimpleNamespace(permutation=np.arange)


def _first_selected(original: Follow) -> Follow:
    """A Poisson stream taking the first k resources it selects (`selected[:k]`), not a
    random k of them."""
    return lambda scenario, index, requests_, selected, name, streams: original(
        scenario, index, requests_, selected, name, _InOrder(streams, name)
    )


def _first_chosen(original: Follow) -> Follow:
    """A random `count` taking the first resources it selects."""
    return lambda left, requests_, generator: np.arange(len(original(left, requests_, generator)))


MUTANTS = {
    "first poll one delay late": (follow, "_polls", _late_first_poll),
    "waiter gives up 3 polls early": (follow, "_polls", _gives_up_early),
    "whole round trip before arrival": (follow, "_network", _whole_trip_there),
    "poisson takes selected[:k]": (requests, "_poisson", _first_selected),
    "count takes the first k": (requests, "choose", _first_chosen),
}


@contextmanager
def _mutated(mutant: str) -> Iterator[None]:
    module, name, mutate = MUTANTS[mutant]
    original = getattr(module, name)
    setattr(module, name, mutate(original))
    try:
        yield
    finally:
        setattr(module, name, original)


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS)
def test_the_comparison_catches_plausible_bugs(mutant: str) -> None:
    """Each bug, patched into the vector engine, fails the comparison on some scenario."""
    worst = {}
    for name in SCENARIOS:
        with _mutated(mutant):
            vector = _samples(_vector(name))
        p = _p(_samples(_events(name)), vector)
        worst[name] = min(p.items(), key=lambda item: item[1])
    assert min(p for _, p in worst.values()) < LEVEL, worst
