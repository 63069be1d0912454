"""What hosting policies cost and what they cost in availability, on hand-made tables with
round numbers: every count, percentile and share below is worked out in its comment."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulator.analysis.hosting import (
    METRICS,
    hosting,
    hosting_metrics,
    owners,
    per_replication,
    policy_starts,
)

HORIZON = 36_000.0  # ten hours
GROUP = {"m0": "a", "m1": "a", "v0": "b"}
SERVICE = {"m0": "rekognition", "m1": "rekognition", "v0": "lookoutvision"}


def frame(columns: Sequence[str], rows: Sequence[tuple[object, ...]]) -> pd.DataFrame:
    """Rows of (replication, resource_id, *columns); service and group follow from the
    resource, text columns are categorical as in a run's tables."""
    table = pd.DataFrame(list(rows), columns=["replication", "resource_id", *columns])
    table.insert(1, "service", table["resource_id"].map(SERVICE))
    table.insert(3, "group", table["resource_id"].map(GROUP))
    text = ["resource_id", "service", "group", "outcome", "error_code"]
    return table.astype(dict.fromkeys([c for c in text if c in table], "category"))


def transitions() -> pd.DataFrame:
    """Replication 0: m0 is stopped by an idle policy at 1 h and started by it again at 2 h
    (RUNNING 0-3600 and 7800-36000: 31,800 s); m1 starts at 1000 s because a request
    stream sent a start, not a policy (RUNNING from 1600 s: 34,400 s); v0 is stopped at
    100 s and started at 30,000 s by a schedule (HOSTED 0-100 and 30,600-36,000: 5,500 s).
    Replication 1: all three serve throughout."""
    rows = [
        (0, "m0", 0.0, None, "RUNNING", "initial"),
        (0, "m0", 3600.0, "RUNNING", "STOPPING", "policy:idle"),
        (0, "m0", 3700.0, "STOPPING", "STOPPED", "stop"),
        (0, "m0", 7200.0, "STOPPED", "STARTING", "policy:idle"),
        (0, "m0", 7800.0, "STARTING", "RUNNING", "start"),
        (0, "m1", 0.0, None, "STOPPED", "initial"),
        (0, "m1", 1000.0, "STOPPED", "STARTING", "start"),
        (0, "m1", 1600.0, "STARTING", "RUNNING", "start"),
        (0, "v0", 0.0, None, "HOSTED", "initial"),
        (0, "v0", 100.0, "HOSTED", "STOPPING_HOSTING", "policy:nightly"),
        (0, "v0", 200.0, "STOPPING_HOSTING", "TRAINED", "stop"),
        (0, "v0", 30_000.0, "TRAINED", "STARTING_HOSTING", "policy:nightly"),
        (0, "v0", 30_600.0, "STARTING_HOSTING", "HOSTED", "start"),
        (1, "m0", 0.0, None, "RUNNING", "initial"),
        (1, "m1", 0.0, None, "RUNNING", "initial"),
        (1, "v0", 0.0, None, "HOSTED", "initial"),
    ]
    table = pd.DataFrame(
        rows, columns=["replication", "resource_id", "time", "from_status", "to_status", "cause"]
    )
    table.insert(2, "service", table["resource_id"].map(SERVICE))
    table["units"] = 1.0
    return table.astype(dict.fromkeys(["resource_id", "service", "from_status",
                                       "to_status", "cause"], "category"))  # fmt: skip


def demand() -> pd.DataFrame:
    """(replication, resource, minute, requests, served, throttled, failed, pending,
    delayed, added_latency_s). In replication 0, m0's minute 125 (while STARTING) had 5
    requests: 3 waited and were served, 2 gave up; m1's last minute 2 still waiting at the
    horizon."""
    columns = [
        "minute", "requests", "served", "throttled", "failed", "pending", "delayed", "added"
    ]  # fmt: skip
    table = frame(
        columns,
        [
            (0, "m0", 0, 10, 10, 0, 0, 0, 0, 0.0),
            (0, "m0", 125, 5, 3, 0, 2, 0, 3, 600.0),
            (0, "m1", 5, 100, 80, 20, 0, 0, 0, 0.0),
            (0, "m1", 599, 2, 0, 0, 0, 2, 0, 0.0),
            (0, "v0", 3, 4, 0, 0, 4, 0, 0, 0.0),
            (1, "m0", 10, 7, 7, 0, 0, 0, 0, 0.0),
        ],
    )
    return table.rename(columns={"added": "added_latency_s"})


def waits() -> pd.DataFrame:
    """The five requests of m0's minute 125: served after 300, 200 and 100 s; two gave up
    after 300 s."""
    return frame(
        ["arrived", "waited_s", "outcome", "error_code"],
        [
            (0, "m0", 7500.0, 300.0, "served", None),
            (0, "m0", 7510.0, 200.0, "served", None),
            (0, "m0", 7520.0, 100.0, "served", None),
            (0, "m0", 7530.0, 300.0, "gave up", "ResourceNotReadyException"),
            (0, "m0", 7540.0, 300.0, "gave up", "ResourceNotReadyException"),
        ],
    )


def costs(rows: Sequence[tuple[int, str, float]]) -> pd.DataFrame:
    table = frame(["usd"], rows)
    table["item"] = pd.Categorical(["inference"] * len(table))
    return table


def tables() -> dict[str, pd.DataFrame]:
    """Group a bills $30 of an always-on $40 in replication 0 and $40 in replication 1;
    group b $5 of $20, then $20."""
    return {
        "transitions": transitions(),
        "demand": demand(),
        "waits": waits(),
        "costs": costs(
            [
                (0, "m0", 10.0),
                (0, "m1", 20.0),
                (0, "v0", 5.0),
                (1, "m0", 20.0),
                (1, "m1", 20.0),
                (1, "v0", 20.0),
            ]
        ),
        "baseline_costs": costs([(k, m, 20.0) for k in (0, 1) for m in ("m0", "m1", "v0")]),
    }


def test_each_replication_counts_what_the_tables_hold() -> None:
    table = per_replication(tables(), 2, HORIZON).set_index(["replication", "group"])
    a0, b0, a1, b1 = (table.loc[key] for key in ((0, "a"), (0, "b"), (1, "a"), (1, "b")))
    assert (a0["usd"], a0["baseline_usd"], a0["saved_usd"]) == (30.0, 40.0, 10.0)
    assert (b0["usd"], b0["baseline_usd"], b0["saved_usd"]) == (5.0, 20.0, 15.0)
    assert (a1["saved_usd"], b1["saved_usd"]) == (0.0, 0.0)
    # m1's start came from a request stream, not a policy: no start of a policy's. m0's
    # start at 7200 met the requests of minute 125 (they came while it started): cold. v0's
    # schedule start at 30,000 met no request (its 4 failed at minute 3): warm
    assert (a0["cold_starts"], b0["cold_starts"], a1["cold_starts"]) == (1.0, 0.0, 0.0)
    assert (a0["warm_starts"], b0["warm_starts"], a1["warm_starts"]) == (0.0, 1.0, 0.0)
    counted = ["requests", "served", "throttled", "failed", "pending", "delayed"]
    assert a0[counted].tolist() == [117.0, 93.0, 20.0, 2.0, 2.0, 3.0]
    assert b0[counted].tolist() == [4.0, 0.0, 0.0, 4.0, 0.0, 0.0]
    assert a1[counted].tolist() == [7.0, 7.0, 0.0, 0.0, 0.0, 0.0]
    assert b1[counted].tolist() == [0.0] * 6  # no request at all: zeros, not missing
    # the served waits 100, 200, 300 s (those that gave up are not delayed): linear
    # percentiles at positions 1, 1.9 and 1.98 of 0..2
    assert a0[["added_p50_s", "added_p95_s", "added_p99_s"]].tolist() == pytest.approx(
        [200.0, 290.0, 298.0]
    )
    assert np.isnan(a1["added_p50_s"])
    assert np.isnan(b0["added_p95_s"])
    assert a0["available_share"] == pytest.approx((31_800 + 34_400) / 72_000)
    assert b0["available_share"] == pytest.approx(5_500 / 36_000)
    assert (a1["available_share"], b1["available_share"]) == (1.0, 1.0)


def test_the_answer_is_the_mean_over_replications_with_its_t_interval() -> None:
    answer = hosting(tables(), 2, HORIZON)
    assert answer[["service", "group"]].values.tolist() == [  # services in natural order
        ["lookoutvision", "b"],
        ["rekognition", "a"],
    ]
    a = answer.set_index("group").loc["a"]
    assert a["replications"] == 2
    assert (a["usd"], a["baseline_usd"], a["saved_usd"]) == (35.0, 40.0, 5.0)
    half = stats.t.ppf(0.975, 1) * np.std([10.0, 0.0], ddof=1) / np.sqrt(2)
    assert a["saved_usd_ci_high"] - a["saved_usd"] == pytest.approx(half)
    assert a["baseline_usd_ci_low"] == a["baseline_usd_ci_high"] == 40.0  # no spread
    assert (a["requests"], a["served"], a["throttled"], a["delayed"]) == (62.0, 50.0, 10.0, 1.5)
    assert a["pending"] == 1.0
    assert a["cold_starts"] == 0.5
    # one replication delayed anything: its percentile, with no interval
    assert a["added_p95_s"] == pytest.approx(290.0)
    assert np.isnan(a["added_p95_s_ci_low"])
    assert a["available_share"] == pytest.approx((66_200 / 72_000 + 1.0) / 2)
    assert list(answer.columns[:3]) == ["service", "group", "replications"]
    assert [c for c in answer.columns if c.endswith("_ci_low")] == [f"{m}_ci_low" for m in METRICS]


def test_a_group_given_without_demand_has_zeros_and_a_replication_without_any_too() -> None:
    """Groups named by the scenario: one no request reached, and a third replication in
    which nothing happened at all."""
    answer = hosting(tables(), 3, HORIZON, groups=[("rekognition", "c"), ("rekognition", "a")])
    assert answer["group"].tolist() == ["a", "c"]
    c = answer.set_index("group").loc["c"]
    assert (c["requests"], c["usd"], c["cold_starts"]) == (0.0, 0.0, 0.0)
    assert np.isnan(c["available_share"])  # no model of its own: no share
    a = answer.set_index("group").loc["a"]
    assert a["requests"] == pytest.approx(124.0 / 3)


def test_a_sweep_unit_sums_its_groups_per_service() -> None:
    one = {name: table[table["replication"] == 0] for name, table in tables().items()}
    assert hosting_metrics(one) == {
        "rekognition.requests": 117.0,
        "rekognition.requests_failed": 2.0,
        "rekognition.requests_throttled": 20.0,
        "rekognition.requests_delayed": 3.0,
        "rekognition.requests_pending": 2.0,
        "rekognition.cold_starts": 1.0,
        "rekognition.warm_starts": 0.0,
        "lookoutvision.requests": 4.0,
        "lookoutvision.requests_failed": 4.0,
        "lookoutvision.requests_throttled": 0.0,
        "lookoutvision.requests_delayed": 0.0,
        "lookoutvision.requests_pending": 0.0,
        "lookoutvision.cold_starts": 0.0,
        "lookoutvision.warm_starts": 1.0,
    }
    assert hosting_metrics({**one, "demand": one["demand"].iloc[:0]}) == {}


def test_no_group_asked_for_is_an_empty_table_with_every_column() -> None:
    answer = hosting(tables(), 2, HORIZON, groups=[])
    assert answer.empty
    assert "available_share_ci_high" in answer.columns
    nothing = {name: table.iloc[:0] for name, table in tables().items()}
    assert hosting(nothing, 2, HORIZON).empty


def test_a_policy_start_is_cold_only_where_a_request_met_it() -> None:
    """m0's five policy starts, each STARTING for 300 s after a stop:
    A at 2000: a request waiting since 1990 (served at 2300) was waiting when it was sent;
    B at 5000: the request at 4000 gave up at 4300, before it; the one at 4980 gave up
       after 15 s, at 4995 (its minute, 4980-5040, overlaps B, but its wait says it left);
    C at 8000: a request came at 8100, while it started (served at 8300);
    D at 10,000: a request failed at once in minute 171 (10,260-10,320), while it started;
    E at 12,000: a request failed at once in minute 198 (11,880-11,940), before it;
    and m1's start by a request stream (not a policy's), met by a request: neither.
    Cold: A, C, D; warm: B, E."""
    moves = [(0, "m0", 0.0, None, "RUNNING", "initial"), (0, "m1", 0.0, None, "STOPPED", "initial")]
    status = "RUNNING"
    for start in (2000.0, 5000.0, 8000.0, 10_000.0, 12_000.0):
        moves += [
            (0, "m0", start - 1000, status, "STOPPING", "policy:p"),
            (0, "m0", start - 900, "STOPPING", "STOPPED", "stop"),
            (0, "m0", start, "STOPPED", "STARTING", "policy:p"),
            (0, "m0", start + 300, "STARTING", "RUNNING", "start"),
        ]
    moves += [(0, "m1", 500.0, "STOPPED", "STARTING", "start"),
              (0, "m1", 800.0, "STARTING", "RUNNING", "start")]  # fmt: skip
    table = pd.DataFrame(
        moves, columns=["replication", "resource_id", "time", "from_status", "to_status", "cause"]
    )
    table.insert(2, "service", table["resource_id"].map(SERVICE))
    table["units"] = 1.0
    waits = frame(
        ["arrived", "waited_s", "outcome", "error_code"],
        [
            (0, "m0", 1990.0, 310.0, "served", None),
            (0, "m0", 4000.0, 300.0, "gave up", "ResourceNotReadyException"),
            (0, "m0", 4980.0, 15.0, "gave up", "ResourceNotReadyException"),
            (0, "m0", 8100.0, 200.0, "served", None),
            (0, "m1", 600.0, 200.0, "served", None),
        ],
    )
    columns = ["minute", "requests", "served", "throttled", "failed", "delayed", "added"]
    demand = frame(
        columns,
        [
            (0, "m0", 33, 1, 1, 0, 0, 1, 310.0),
            (0, "m0", 66, 1, 0, 0, 1, 0, 0.0),
            (0, "m0", 83, 1, 0, 0, 1, 0, 0.0),
            (0, "m0", 135, 1, 1, 0, 0, 1, 200.0),
            (0, "m0", 171, 1, 0, 0, 1, 0, 0.0),
            (0, "m0", 198, 1, 0, 0, 1, 0, 0.0),
            (0, "m1", 10, 1, 1, 0, 0, 1, 200.0),
        ],
    ).rename(columns={"added": "added_latency_s"})
    found = {"transitions": table, "waits": waits, "demand": demand}
    starts = policy_starts(found, owners(found))
    assert starts.loc[(0, "rekognition", "a")].tolist() == [3.0, 2.0]
