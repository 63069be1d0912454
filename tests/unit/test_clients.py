"""Callers: retries into throttles, IAM refusals, injected faults, waiters."""

from __future__ import annotations

import pandas as pd
import pytest

from simulator.runner import _recorded, simulate
from tests.kit import scenario

FLEET = """
name: unit
horizon: 1h
fleet:
  - {service: rekognition, count: %d, project: p}
"""


def test_throttled_stops_are_retried_with_botocore_standard_backoff() -> None:
    text = (
        FLEET % 3
        + """
services:
  rekognition:
    throttle: {StopProjectVersion: {rate: 1, burst: 1}}
callers:
  default: {network: 0, retry: {mode: standard, max_attempts: 6}, waiter: {delay: 1h}}
requests: [{service: rekognition, at: 0s}]
"""
    )
    tables = simulate(scenario(text), 0, 0)
    calls = tables["calls"].query("operation == 'StopProjectVersion'")
    assert tables["stops"]["accepted"].all()
    throttled = calls[calls["error_code"] == "ThrottlingException"]
    assert len(throttled) >= 2
    assert (throttled["http_status"] == 500).all()  # Rekognition's ThrottlingException is 500
    for _, attempts in calls.groupby("resource_id", observed=True):
        times = attempts["time"].to_numpy()
        for k, gap in enumerate(times[1:] - times[:-1], start=1):
            assert 0 <= gap <= min(2 ** (k - 1), 20)  # throttling base scale: 1 s


def test_a_caller_without_the_action_is_refused_without_retries() -> None:
    text = (
        FLEET % 1
        + """
callers:
  default: {permissions: ["rekognition:Describe*"]}
requests: [{service: rekognition, at: 0s}]
"""
    )
    tables = simulate(scenario(text), 0, 0)
    stop = tables["stops"].iloc[0]
    assert stop["outcome"] == "rejected"
    assert stop["error_code"] == "AccessDeniedException"
    assert stop["attempts"] == 1
    assert tables["calls"]["http_status"].tolist() == [400]


@pytest.mark.parametrize(("mode", "attempts"), [("standard", 3), ("legacy", 5)])
def test_an_always_failing_operation_uses_up_the_modes_attempts(mode: str, attempts: int) -> None:
    text = (
        FLEET % 1
        + f"""
services:
  rekognition: {{faults: {{StopProjectVersion: 1.0}}}}
callers:
  default: {{retry: {{mode: {mode}}}}}
requests: [{{service: rekognition, at: 0s}}]
"""
    )
    tables = simulate(scenario(text), 0, 0)
    stop = tables["stops"].iloc[0]
    assert (stop["outcome"], stop["error_code"], stop["attempts"]) == (
        "rejected",
        "InternalServerError",
        attempts,
    )
    assert set(tables["calls"]["http_status"]) == {500}


@pytest.mark.parametrize(
    ("latency", "observed_at"),
    [("10m", None), ("90s", 120.0)],
    ids=["gives up after its last poll", "its last poll sees the end"],
)
def test_a_waiter_polls_at_most_its_max_attempts(latency: str, observed_at: float | None) -> None:
    """Polls at 0, 60 and 120 s: a model still stopping then is left unobserved (the waiter
    gives up, as the SDK's raises WaiterError); one stopped at 90 s is seen by the third and
    last allowed poll."""
    text = (
        FLEET % 1
        + f"""
services:
  rekognition: {{latency: {{stop: {latency}}}}}
callers:
  default: {{network: 0, waiter: {{delay: 1m, max_attempts: 3}}}}
requests: [{{service: rekognition, at: 0s}}]
"""
    )
    tables = simulate(scenario(text), 0, 0)
    stop = tables["stops"].iloc[0]
    assert stop["outcome"] == "STOPPED"
    if observed_at is None:
        assert pd_isna(stop["observed_at"])
    else:
        assert stop["observed_at"] == pytest.approx(observed_at)
    polls = tables["calls"][tables["calls"]["operation"] == "DescribeProjectVersions"]
    assert polls["time"].tolist() == [0.0, 60.0, 120.0]


def test_a_stop_still_stopping_at_the_horizon_is_stuck() -> None:
    text = (
        FLEET % 1
        + """
services:
  rekognition: {latency: {stop: 2h}}
requests: [{service: rekognition, at: 0s}]
"""
    )
    assert simulate(scenario(text), 0, 0)["stops"]["outcome"].tolist() == ["stuck"]


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_a_callers_calls_to_one_operation_do_not_move_its_draws_for_another() -> None:
    """Network times, retry jitter and client tokens are drawn per operation: the stops
    left out of the counterfactual shift nothing in the same caller's starts, which is what
    makes the run and its counterfactual (and a sweep's variants) pair call for call."""
    text = """
    name: per-operation
    horizon: 2h
    fleet:
      - {service: rekognition, project: stopped, count: 30}
      - {service: rekognition, project: started, count: 30, status: STOPPED}
    callers:
      ops: {network: {kind: lognormal, median: 0.05, p95: 0.3}}
    requests:
      - {service: rekognition, caller: ops, every: 7m, where: {group: stopped}, count: 3}
      - {service: rekognition, caller: ops, operation: StartProjectVersion, every: 5m,
         where: {group: started, status: [STOPPED]}, count: 2}
    """
    parsed = scenario(text)
    with_stops = _recorded(parsed, 0, 0, None)[0]["calls"]
    without = _recorded(parsed, 0, 0, None, stops=False)[0]["calls"]

    def starts(calls: pd.DataFrame) -> pd.DataFrame:
        mine = calls[calls["operation"] == "StartProjectVersion"]
        return mine[["time", "resource_id", "attempt", "latency_s"]].reset_index(drop=True)

    assert (with_stops["operation"] == "StopProjectVersion").sum() > 0
    assert (without["operation"] == "StopProjectVersion").sum() == 0
    assert len(starts(with_stops)) > 0
    pd.testing.assert_frame_equal(starts(with_stops), starts(without))


def test_the_calls_tables_names_are_in_the_order_its_rows_bring_them() -> None:
    """The slow caller's stop opens its endpoint first, but the fast caller's describe is
    answered first: the calls table lists callers and operations as its rows first hold
    them, as a column recorded name by name would, whenever their codes were made."""
    text = (
        FLEET % 1
        + """
callers:
  slow: {network: 2s, waiter: {delay: 1h}}
  fast: {network: 0.1s}
requests:
  - {name: stop, service: rekognition, caller: slow, at: 0s}
  - {name: look, service: rekognition, operation: DescribeProjectVersions, caller: fast, at: 0s}
"""
    )
    calls = simulate(scenario(text), 0, 0, baseline=False)["calls"]
    assert calls["operation"].tolist()[:2] == ["DescribeProjectVersions", "StopProjectVersion"]
    for column in ("caller", "operation"):
        in_row_order = list(dict.fromkeys(calls[column]))
        assert list(calls[column].cat.categories) == in_row_order
