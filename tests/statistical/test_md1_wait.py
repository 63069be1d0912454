"""A client-side token bucket of burst 1 as an M/D/1 queue (Pollaczek-Khinchine).

Poisson arrivals (rate lam, gaps from a simulator stream) each reserve the next token of
TokenBucket(rate=1/D, burst=1) and wait the returned delay in SimPy. Reserving in debt is
Lindley's recursion W_n = max(0, W_{n-1} + D - A_n), so the waits are those of an M/D/1 queue
with service D: mean Wq = rho D / (2 (1 - rho)) and P(W = 0) = 1 - rho, rho = lam D.

Successive waits are autocorrelated, so the bound is by batch means: 5% warm-up dropped,
20 batches (each thousands of relaxation times long), 99% Student-t interval.
"""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from simulator.api.throttle import TokenBucket
from simulator.engine.rng import Streams
from tests.statistical._bounds import batch_means

D = 0.5  # seconds per token
CONFIDENCE = 0.99
BATCHES = 20


def simulate_waits(rho: float, customers: int, seed: int) -> np.ndarray:
    lam = rho / D
    env = simpy.Environment()
    gaps = Streams(seed).sampler("arrivals", lambda g, n: g.exponential(1 / lam, n))
    bucket = TokenBucket(rate=1 / D, burst=1, now=0.0)
    waits = np.full(customers, np.nan)

    def customer(index: int, delay: float):  # type: ignore[no-untyped-def]
        arrived = env.now
        yield env.timeout(delay)
        waits[index] = env.now - arrived

    def source():  # type: ignore[no-untyped-def]
        for index in range(customers):
            yield env.timeout(gaps())
            env.process(customer(index, bucket.reserve(env.now)))

    env.process(source())
    env.run()
    return waits


@pytest.mark.parametrize(
    ("rho", "customers"),
    [(0.5, 200_000), pytest.param(0.8, 400_000, marks=pytest.mark.slow)],
)
def test_mean_wait_is_pollaczek_khinchine(rho: float, customers: int) -> None:
    waits = simulate_waits(rho, customers, seed=17)
    assert not np.isnan(waits).any()
    assert (waits >= 0).all()

    expected = rho * D / (2 * (1 - rho))
    mean, half_width = batch_means(waits, BATCHES, CONFIDENCE)
    assert abs(mean - expected) <= half_width, (rho, mean, expected, half_width)
    # the bound is tight enough to tell an M/D/1 from an M/M/1 (twice the wait)
    assert half_width < expected / 4

    idle = 1 - rho
    share, idle_half_width = batch_means((waits == 0).astype(float), BATCHES, CONFIDENCE)
    assert abs(share - idle) <= idle_half_width, (rho, share, idle, idle_half_width)
