"""The summary: figures per replication, then means with Student-t intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulator.analysis.summary import billed, savings, summarize


def _stops(
    rows: list[tuple[int, str, float, float]], groups: list[str] | None = None
) -> pd.DataFrame:
    """Stops requested at t=100, each observed 5 s after it ended; all of group `g` unless
    `groups` says."""
    replication, outcome, latency, usd = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "replication": replication,
            "service": pd.Categorical(["svc"] * len(rows)),
            "group": pd.Categorical(groups or ["g"] * len(rows)),
            "outcome": pd.Categorical(outcome),
            "requested_at": 100.0,
            "stop_latency_s": latency,
            "observed_at": 105.0 + np.array(latency),
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
    assert row["observed_mean_s"] == pytest.approx((25.0 + 25.0) / 2)


def test_share_is_of_the_services_stops_in_each_replication() -> None:
    stops = _stops(
        [
            (0, "STOPPED", 10.0, 1.0),
            (0, "TRAINED", 30.0, 3.0),
            (0, "STOPPED", 20.0, 2.0),
            (1, "STOPPED", 20.0, 2.0),
        ]
    )
    shares = summarize(stops, replications=2).set_index("outcome")["share"]
    assert shares["STOPPED"] == pytest.approx((2 / 3 + 1.0) / 2)
    assert shares["TRAINED"] == pytest.approx((1 / 3 + 0.0) / 2)


def test_share_is_of_the_groups_stops() -> None:
    """Two fleet groups of one service: each outcome's share is of its own group's stops,
    so a group where every stop failed shows 100%, not its share of the service."""
    stops = _stops(
        [(0, "Stopped", 10.0, 1.0), (0, "Stopped", 10.0, 1.0), (0, "Failed", 10.0, 1.0)],
        groups=["short-timeout", "long-timeout", "short-timeout"],
    )
    shares = summarize(stops, replications=1).set_index(["group", "outcome"])["share"]
    assert shares.to_dict() == {
        ("long-timeout", "Stopped"): 1.0,
        ("short-timeout", "Failed"): 0.5,
        ("short-timeout", "Stopped"): 0.5,
    }


def test_savings_are_paired_differences_per_replication() -> None:
    def costs(usd: list[float]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "replication": range(len(usd)),
                "service": pd.Categorical(["svc"] * len(usd)),
                "group": pd.Categorical(["g"] * len(usd)),
                "usd": usd,
            }
        )

    actual, baseline = costs([10.0, 20.0, 30.0]), costs([15.0, 26.0, 37.0])
    row = savings(actual, baseline, replications=3).iloc[0]
    assert (row["billed_usd"], row["baseline_usd"]) == pytest.approx((20.0, 26.0))
    assert row["saved_usd"] == pytest.approx(6.0)
    half = stats.t.ppf(0.975, 2) * np.std([5.0, 6.0, 7.0], ddof=1) / np.sqrt(3)
    assert row["saved_usd_ci_high"] - row["saved_usd"] == pytest.approx(half)
    # far narrower than the totals' own intervals: the draws are shared
    assert half < (row["billed_usd_ci_high"] - row["billed_usd"]) / 5


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
