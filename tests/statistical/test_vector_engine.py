"""The vector engine against the event engine: the same distributions of what a stop took
and cost, on scenarios of each kind of stream the vector engine draws.

The two engines draw from the same named streams in different orders, so their tables
agree in distribution, not value by value. Run on one seed, they would also draw many of
the same values (a stream's values are the same, only handed out in another order), and a
two-sample test would compare a sample with itself: so the vector engine runs on another
seed, and the two samples are independent. For each scenario, both run the same number of
replications and a two-sample Kolmogorov-Smirnov test compares, per stop, the latency from
request to terminal status and to the caller seeing it, and `cost_after_request_usd`, and
per replication the total billed. Each scenario's test is one hypothesis (the engines agree
on it) at the 99% level: its four comparisons share the 1% (Bonferroni: each p above
0.0025). The test has power: the same comparison rejects a vector engine whose stop latency
is 10% longer, on every scenario, for the latency to the terminal status.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulator.runner import run_tables
from tests.kit import scenario

LEVEL = 0.01 / 4
"""The 99% level of a scenario's test, shared by its four comparisons."""
OTHER_SEED = 1000
"""Added to the scenario's seed for the vector engine's runs: independent samples."""
SCENARIOS = {
    # every evening at 20:00, all RUNNING models of two projects; the default uniform stop
    "rekognition-nightly": (
        """
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
        "services:\n  rekognition:\n    latency: {stop: {kind: uniform, low: 66s, high: 330s}}\n",
    ),
    # Poisson stops of half the fleet, a gamma network, per-minute billing, polls every 20 s
    "lookoutvision-poisson": (
        """
name: poisson
seed: 32
replications: 15
horizon: 6h
fleet:
  - {service: lookoutvision, project: line, count: 300, inference_units: 2}
callers:
  guard:
    network: {kind: gamma, mean: 120ms, shape: 2}
    waiter: {delay: 20s, max_attempts: 30}
requests:
  - {name: guard, service: lookoutvision, caller: guard, poisson: {rate: 0.05, start: 30m,
     end: 4h}, fraction: 0.5}
""",
        "services:\n  lookoutvision:\n    latency: {stop: {kind: lognormal, median: 132s, "
        "p95: 396s}}\n",
    ),
    # a triangular stop cut by the horizon (stuck stops), a random count, a mixture network,
    # and a stream that does not wait
    "rekognition-triangular": (
        """
name: triangular
seed: 33
replications: 20
horizon: 1h
services:
  rekognition:
    latency: {stop: {kind: triangular, low: 1m, mode: 4m, high: 10m}}
fleet:
  - {service: rekognition, project: a, count: 120}
  - {service: rekognition, project: b, count: 60}
callers:
  ops:
    network: {kind: mixture, components: [{weight: 0.9, of: {kind: uniform, low: 20ms,
              high: 200ms}}, {weight: 0.1, of: {kind: exponential, mean: 2s}}]}
    waiter: {delay: 15s, max_attempts: 20}
requests:
  - {name: late, service: rekognition, caller: ops, at: 52m, count: 70, where: {group: a}}
  - {name: quiet, service: rekognition, caller: ops, at: 30m, where: {group: b}, wait: false}
""",
        "services:\n  rekognition:\n    latency: {stop: {kind: triangular, low: 66s, "
        "mode: 264s, high: 660s}}\n",
    ),
}


@cache
def _tables(name: str, engine: str, perturbed: bool = False) -> dict[str, pd.DataFrame]:
    text, slower = SCENARIOS[name]
    if perturbed:
        text = (
            text.replace(
                "services:\n  rekognition:\n    latency: {stop: {kind: triangular,"
                " low: 1m, mode: 4m, high: 10m}}\n",
                "",
            )
            + slower
        )
    loaded = scenario(text)
    seed = loaded.seed + (OTHER_SEED if engine == "vector" else 0)
    return run_tables(loaded, seed=seed, engine=engine)


def _metrics(tables: dict[str, pd.DataFrame]) -> dict[str, np.ndarray]:
    stops = tables["stops"]
    return {
        "to terminal": stops["stop_latency_s"].dropna().to_numpy(),
        "to seen": (stops["observed_at"] - stops["requested_at"]).dropna().to_numpy(),
        "cost per stop": stops["cost_after_request_usd"].to_numpy(),
        "billed per replication": tables["costs"].groupby("replication")["usd"].sum().to_numpy(),
    }


def _p(a: np.ndarray, b: np.ndarray) -> float:
    return float(stats.ks_2samp(a, b, method="asymp").pvalue)


@pytest.mark.slow
@pytest.mark.parametrize("name", SCENARIOS)
def test_the_vector_engine_draws_the_event_engines_distributions(name: str) -> None:
    events, vector = _metrics(_tables(name, "events")), _metrics(_tables(name, "vector"))
    sizes = {metric: (len(events[metric]), len(vector[metric])) for metric in events}
    assert min(min(pair) for pair in sizes.values()) >= 15, sizes  # enough to have power
    p = {metric: _p(events[metric], vector[metric]) for metric in events}
    assert min(p.values()) > LEVEL, p


@pytest.mark.slow
@pytest.mark.parametrize("name", SCENARIOS)
def test_the_comparison_rejects_a_stop_latency_10_percent_longer(name: str) -> None:
    events = _metrics(_tables(name, "events"))
    slower = _metrics(_tables(name, "vector", perturbed=True))
    assert _p(events["to terminal"], slower["to terminal"]) < LEVEL
