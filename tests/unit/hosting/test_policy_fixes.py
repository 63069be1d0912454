"""The hosting policies' fixes of the senior review, each against a hand calculation (fixed
latencies: start 300 s, stop 120 s; a fixed 0.2 s round trip, 0.1 s each way)."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from simulator.runner import simulate
from simulator.scenario import parse_scenario
from simulator.vector.eligibility import check

TWO_GROUPS = """\
    name: budget-per-group
    horizon: 4h
    fleet:
      - {service: rekognition, project: a, count: 2}
      - {service: rekognition, project: b, count: 1}
    callers:
      default: {network: {kind: fixed, value: 0.2}}
    services:
      rekognition:
        latency: {start: {kind: fixed, value: 300}, stop: {kind: fixed, value: 120}}
    policies:
      cap: {kind: budget, groups: [a, b], usd: 10, window: 1d}
    """


def stops_sent(tables: dict[str, pd.DataFrame]) -> list[tuple[str, float]]:
    calls = tables["calls"]
    stops = calls[calls["operation"].astype(str) == "StopProjectVersion"]
    project = stops["resource_id"].astype(str).str.extract(r"project/(\w+)/")[0]
    return sorted(zip(project, stops["time"].round(6), strict=True))


def test_a_budget_caps_each_of_its_groups_on_its_own_spend() -> None:
    # $4 an hour a model: group a (2 models) spends $8/h and passes $10 at 75 minutes
    # (4500 s); group b (1 model) spends $4/h and passes it at 150 minutes (9000 s). Pooled,
    # the $12/h of all three would pass $10 at 50 minutes and stop all three then.
    tables = simulate(parse_scenario(textwrap.dedent(TWO_GROUPS)), 0, 0, baseline=False)
    assert stops_sent(tables) == [("a", 4500.0), ("a", 4500.0), ("b", 9000.0)]


def test_the_vector_engine_gives_each_kind_of_policy_its_own_reason() -> None:
    text = textwrap.dedent(TWO_GROUPS) + textwrap.indent(
        textwrap.dedent("""\
            office: {kind: schedule, groups: [a], periods: [{begin: "09:00", end: "18:00"}]}
            idle: {kind: idle_stop, groups: [b], after: 5m}
            hist: {kind: keep_alive_histogram, groups: [b]}
            """),
        "  ",
    )
    reasons = dict(reason.split(": ", 1) for reason in check(parse_scenario(text)).reasons)
    assert reasons == {
        "policies.cap": "a budget stops a group's models when their spend passes its cap, a "
        "moment every model's status moves, and starts them again each window",
        "policies.office": "a schedule starts again at each period's begin the models it "
        "stopped (a start undoes a stop)",
        "policies.idle": "a hosting policy acts on requests as they arrive",
        "policies.hist": "a keep-alive histogram stops and pre-warms each model from the idle "
        "times between its requests, as they arrive",
    }


def test_a_schedule_never_sends_a_stop_to_a_model_that_is_starting() -> None:
    # the period 00:03-00:05 (UTC): at 0 the running model is stopped (STOPPING 0.1, STOPPED
    # 120.1); at 180 started (STARTING 180.1, RUNNING 480.1); the end at 300 finds it
    # STARTING, where StopProjectVersion is refused (ResourceInUseException): the stop waits
    # until it serves and is sent at 480.1 (STOPPING 480.2, STOPPED 600.2), no call refused.
    text = textwrap.dedent(TWO_GROUPS).split("policies:")[0].replace("count: 2", "count: 1")
    period = '{begin: "00:03", end: "00:05"}'
    text += f"policies:\n  office: {{kind: schedule, groups: [a], periods: [{period}]}}\n"
    tables = simulate(parse_scenario(text), 0, 0, baseline=False)
    calls = tables["calls"]
    mine = calls[calls["resource_id"].astype(str).str.contains("project/a/")]
    sent = [
        (str(op), round(float(t), 6), "-" if pd.isna(e) else str(e))
        for op, t, e in zip(mine["operation"], mine["time"], mine["error_code"], strict=True)
    ]
    assert sent == [
        ("StopProjectVersion", 0.0, "-"),
        ("StartProjectVersion", 180.0, "-"),
        ("StopProjectVersion", 480.1, "-"),
    ]


def test_a_policys_stops_are_rows_of_the_stops_table() -> None:
    # the budget's stops of group a at 4500 and b at 9000 (sent; STOPPING 0.1 later, STOPPED
    # 120.1 later: a stop latency of 120.1 s), each answered at once (0.2 s round trip), each
    # costing $4/h for its 120.1 s until STOPPED; no waiter: observed_at missing
    tables = simulate(parse_scenario(textwrap.dedent(TWO_GROUPS)), 0, 0, baseline=False)
    stops = tables["stops"].sort_values(["requested_at", "resource_id"])
    assert list(stops["group"].astype(str)) == ["a", "a", "b"]
    assert list(stops["requested_at"]) == [4500.0, 4500.0, 9000.0]
    assert list(stops["accepted"]) == [True, True, True]
    assert list(stops["attempts"]) == [1, 1, 1]
    assert list(stops["terminal_status"].astype(str)) == ["STOPPED"] * 3
    assert list(stops["terminal_at"].round(6)) == [4620.1, 4620.1, 9120.1]
    assert list(stops["stop_latency_s"].round(6)) == [120.1, 120.1, 120.1]
    assert stops["observed_at"].isna().all()
    assert list(stops["outcome"].astype(str)) == ["STOPPED"] * 3
    assert stops["cost_after_request_usd"].to_numpy() == pytest.approx([120.1 * 4 / 3600] * 3)
