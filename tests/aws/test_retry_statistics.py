"""The retry cross-check of `test_retry_modes.py` with random latencies: the burst's network
round trip lognormal (median 50 ms, p95 200 ms, the callers' default) and each model's stop
uniform over 1-5 minutes (Rekognition's default), 30 replications sent by the built-in
caller and 30 by the handler.

Both sides draw from the same named streams, so the same seed would give the handler the
built-in caller's very numbers (as the fixed-latency test shows): here they run on
different seeds (0-29 and 1000-1029), two independent samples. The replications are the
units (the stops of one replication meet at the throttle, so they are not independent):
per replication, the mean attempts per stop and the mean stop latency (request until
STOPPED), compared with a two-sided Mann-Whitney U test at the 1% level. Fixed seeds: the
verdicts are the same on every run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scipy.stats import mannwhitneyu

from tests.aws import _burst
from tests.aws.test_retry_modes import TIMES

REPLICATIONS = 30
LEVEL = 0.01
NETWORK = {"kind": "lognormal", "median": 0.05, "p95": 0.2}
STOP_LATENCY = {"kind": "uniform", "low": 60, "high": 300}


def _per_replication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, how: str, first_seed: int
) -> tuple[list[float], list[float]]:
    """Per replication: mean attempts per stop, mean latency of the stops that ended."""
    settings = _burst.settings(mode, len(TIMES), network=NETWORK, stop_latency=STOP_LATENCY)
    attempts, latencies = [], []
    for seed in range(first_seed, first_seed + REPLICATIONS):
        stops = _burst.run(tmp_path, monkeypatch, how, settings, TIMES, seed)["stops"]
        attempts.append(float(stops["attempts"].mean()))
        ended = stops[stops["outcome"].astype(str) == "STOPPED"]
        latencies.append(float(ended["stop_latency_s"].mean()))
    return attempts, latencies


@pytest.mark.slow
@pytest.mark.parametrize(
    "mode",
    ["legacy", "standard", "adaptive"],
)
def test_the_retries_agree_in_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    builtin = _per_replication(tmp_path, monkeypatch, mode, "builtin", 0)
    handler = _per_replication(tmp_path, monkeypatch, mode, "handler", 1000)
    p_attempts = mannwhitneyu(builtin[0], handler[0]).pvalue
    p_latency = mannwhitneyu(builtin[1], handler[1]).pvalue
    assert p_attempts > LEVEL, f"attempts per stop: p = {p_attempts:.2g}"
    assert p_latency > LEVEL, f"stop latency: p = {p_latency:.2g}"
    assert min(builtin[0]) > 1  # every replication retried some stops
