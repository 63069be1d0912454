"""The summary: figures per replication, then means with Student-t intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulator.analysis.summary import billed, summarize


def _stops(rows: list[tuple[int, str, float, float]]) -> pd.DataFrame:
    replication, outcome, latency, usd = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "replication": replication,
            "service": pd.Categorical(["svc"] * len(rows)),
            "outcome": pd.Categorical(outcome),
            "stop_latency_s": latency,
            "cost_after_request_usd": usd,
        }
    )


def test_a_replication_without_stops_counts_as_zero() -> None:
    stops = _stops(
        [(0, "STOPPED", 10.0, 1.0), (0, "STOPPED", 30.0, 3.0), (2, "STOPPED", 20.0, 2.0)]
    )
    row = summarize(stops, replications=4).iloc[0]
    assert row["replications"] == 4
    assert row["count"] == pytest.approx(3 / 4)
    assert row["cost_after_request_usd"] == pytest.approx(6.0 / 4)
    counts = np.array([2.0, 0.0, 1.0, 0.0])
    half = stats.t.ppf(0.975, 3) * counts.std(ddof=1) / 2
    assert row["count_ci_high"] - row["count"] == pytest.approx(half)
    assert row["latency_mean_s"] == pytest.approx((20.0 + 20.0) / 2)  # replications with stops


def test_one_replication_has_no_interval() -> None:
    row = summarize(_stops([(0, "STOPPED", 10.0, 1.0)]), replications=1).iloc[0]
    assert row["count"] == 1
    assert np.isnan(row["count_ci_low"])


def test_billed_counts_a_replication_that_billed_nothing_as_zero() -> None:
    costs = pd.DataFrame(
        {
            "replication": [0, 0, 2],
            "service": pd.Categorical(["svc"] * 3),
            "group": pd.Categorical(["fleet"] * 3),
            "item": pd.Categorical(["inference"] * 3),
            "usd": [1.0, 2.0, 6.0],
        }
    )
    row = billed(costs, replications=3).iloc[0]
    assert row["usd"] == pytest.approx(3.0)
    half = stats.t.ppf(0.975, 2) * np.std([3.0, 0.0, 6.0], ddof=1) / np.sqrt(3)
    assert row["usd_ci_high"] - row["usd"] == pytest.approx(half)
