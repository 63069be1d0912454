"""Hosting policies against hand calculations: explicit arrivals, fixed latencies (start
300 s, stop 120 s) and a fixed 0.2 s round trip (0.1 s each way), so every stop, start,
refusal, dollar and request served or failed is known to the bit."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

import simulator.build
from simulator.analysis.hosting import per_replication
from simulator.hosting.demand import Arrivals, Hosted
from simulator.runner import simulate
from simulator.scenario import parse_scenario
from simulator.scenario.model import Scenario

RATE = 4.0 / 3600  # USD per inference-unit second
BASE = """\
    name: policies
    horizon: {horizon}
    fleet:
      - {{service: rekognition, project: p, count: {count}}}
    callers:
      default: {{network: {{kind: fixed, value: 0.2}}}}
    services:
      rekognition:
        latency: {{start: {{kind: fixed, value: 300}}, stop: {{kind: fixed, value: 120}}}}
        {throttle}
    demand:
      - {{group: p, rate: 1/min, serving: {{on_not_running: fail}}}}
    """


def scenario(policies: str, horizon: str = "2h", count: int = 1, throttle: str = "") -> Scenario:
    text = textwrap.dedent(BASE.format(horizon=horizon, count=count, throttle=throttle))
    return parse_scenario(text + "policies:\n" + textwrap.indent(textwrap.dedent(policies), "  "))


def model_id(index: int) -> str:
    return f"arn:aws:rekognition:us-east-1:123456789012:project/p/version/v{index}/1"


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> dict[int, list[float]]:
    """Each model's requests, by its index, as the test sets them: the run's arrivals."""
    given: dict[int, list[float]] = {}

    def explicit(scenario: Scenario, streams: object) -> Arrivals:
        demand = scenario.demand[0]
        count = scenario.fleet[0].count  # type: ignore[union-attr]
        models = [Hosted("rekognition", model_id(i), "p", demand) for i in range(count)]
        lists = [sorted(given.get(i, [])) for i in range(count)]
        offsets = np.cumsum([0, *map(len, lists)])
        return Arrivals(models, np.array([t for times in lists for t in times]), offsets)

    monkeypatch.setattr(simulator.build, "draw_arrivals", explicit)
    return given


def moves(tables: dict[str, pd.DataFrame]) -> list[tuple[float, str, str]]:
    frame = tables["transitions"]
    return [
        (round(float(t), 6), str(s), str(c))
        for t, s, c in zip(frame["time"], frame["to_status"], frame["cause"], strict=True)
    ]


def attempts(tables: dict[str, pd.DataFrame], operation: str) -> list[tuple[float, str]]:
    frame = tables["calls"]
    mine = frame[frame["operation"].astype(str) == operation]
    return [
        (round(float(t), 6), "-" if pd.isna(e) else str(e))
        for t, e in zip(mine["time"], mine["error_code"], strict=True)
    ]


def cost(tables: dict[str, pd.DataFrame], table: str = "costs") -> float:
    return float(tables[table]["usd"].sum())


def outcome(tables: dict[str, pd.DataFrame]) -> tuple[int, int, int]:
    demand = tables["demand"]
    return int(demand["served"].sum()), int(demand["failed"].sum()), int(demand["delayed"].sum())


def test_idle_stop_stops_after_the_idle_time_and_the_next_request_starts_the_model(
    requests: dict[int, list[float]],
) -> None:
    # requests at 60, 120 | 1500, 1600 | 5000; after 10 minutes idle (600 s):
    # 120 + 600 = 720: stop sent, STOPPING at 720.1, STOPPED at 840.1;
    # 1500: start sent (fails the request: fail fast), STARTING 1500.1, RUNNING 1800.1; 1600
    # fails too; its idle clock runs from when it serves, 1800.1: stop sent at 2400.1
    # (STOPPING 2400.2, STOPPED 2520.2); 5000 starts it (5000.1, RUNNING 5300.1, the request
    # fails) and from 5300.1 nothing comes: stop at 5900.1, STOPPING 5900.2, STOPPED 6020.2.
    requests[0] = [60, 120, 1500, 1600, 5000]
    tables = simulate(scenario("idle: {kind: idle_stop, groups: [p], after: 10m}"), 0, 0)
    assert moves(tables) == [
        (0.0, "RUNNING", "initial"),
        (720.1, "STOPPING", "policy:idle"),
        (840.1, "STOPPED", "stop"),
        (1500.1, "STARTING", "policy:idle"),
        (1800.1, "RUNNING", "start"),
        (2400.2, "STOPPING", "policy:idle"),
        (2520.2, "STOPPED", "stop"),
        (5000.1, "STARTING", "policy:idle"),
        (5300.1, "RUNNING", "start"),
        (5900.2, "STOPPING", "policy:idle"),
        (6020.2, "STOPPED", "stop"),
    ]
    assert attempts(tables, "StopProjectVersion") == [(720.0, "-"), (2400.1, "-"), (5900.1, "-")]
    assert attempts(tables, "StartProjectVersion") == [(1500.0, "-"), (5000.0, "-")]
    billed = 840.1 + (2520.2 - 1800.1) + (6020.2 - 5300.1)  # RUNNING and STOPPING
    assert cost(tables) == pytest.approx(billed * RATE, rel=1e-12)
    assert cost(tables, "baseline_costs") == pytest.approx(7200 * RATE, rel=1e-12)  # always on
    assert outcome(tables) == (2, 3, 0)  # served 60 and 120; 1500, 1600, 5000 failed


def test_without_start_on_demand_a_stopped_model_stays_stopped(
    requests: dict[int, list[float]],
) -> None:
    requests[0] = [60, 120, 1500, 1600, 5000]
    policy = "idle: {kind: idle_stop, groups: [p], after: 10m, start_on_demand: false}"
    tables = simulate(scenario(policy), 0, 0)
    assert moves(tables)[1:] == [(720.1, "STOPPING", "policy:idle"), (840.1, "STOPPED", "stop")]
    assert cost(tables) == pytest.approx(840.1 * RATE, rel=1e-12)
    assert outcome(tables) == (2, 3, 0)


def test_the_idle_clock_runs_from_when_the_model_serves_and_no_stop_meets_a_start(
    requests: dict[int, list[float]],
) -> None:
    # after 1 minute: stop at 10 + 60 = 70 (STOPPING 70.1, STOPPED 190.1); the request at
    # 400 starts it (STARTING 400.1, RUNNING 700.1); idle from 700.1, when it serves (not
    # from the start's acceptance, which sent stops at 460.1, 520.3, ... that the STARTING
    # model refused with ResourceInUseException): the stop at 760.1 is accepted (STOPPING
    # 760.2, STOPPED 880.2), the only one after the first.
    requests[0] = [10, 400]
    tables = simulate(scenario("idle: {kind: idle_stop, groups: [p], after: 1m}"), 0, 0)
    assert attempts(tables, "StopProjectVersion") == [(70.0, "-"), (760.1, "-")]
    assert moves(tables)[-2:] == [(760.2, "STOPPING", "policy:idle"), (880.2, "STOPPED", "stop")]
    billed = 190.1 + (880.2 - 700.1)
    assert cost(tables) == pytest.approx(billed * RATE, rel=1e-12)
    assert outcome(tables) == (1, 1, 0)


SCHEDULE = """\
    office:
      kind: schedule
      groups: [p]
      periods: [{begin: "09:00", end: "18:00", weekdays: mon-fri}]
    """


def test_schedule_stops_outside_its_period_and_starts_at_its_begin(
    requests: dict[int, list[float]],
) -> None:
    # Monday 00:00 UTC: outside the period, so every model is stopped at once (STOPPING
    # 0.1, STOPPED 120.1); started at 09:00 (32400.1, RUNNING 32700.1), stopped at 18:00
    # (64800.1, STOPPED 64920.1), and again on Tuesday. Requests at 10:00 are served, at
    # 08:00 fail.
    requests.update({0: [8 * 3600.0, 10 * 3600.0], 1: [10 * 3600.0], 2: []})
    tables = simulate(scenario(SCHEDULE, horizon="2d", count=3), 0, 0)
    day = 86400.0
    expected = [(0.1, "STOPPING"), (120.1, "STOPPED")]
    for offset in (0.0, day):
        expected += [
            (offset + 32400.1, "STARTING"), (offset + 32700.1, "RUNNING"),
            (offset + 64800.1, "STOPPING"), (offset + 64920.1, "STOPPED"),
        ]  # fmt: skip
    frame = tables["transitions"]
    for index in range(3):
        mine = frame[frame["resource_id"].astype(str) == model_id(index)]
        pairs = zip(mine["time"], mine["to_status"], strict=True)
        seen = [(round(float(t), 6), str(s)) for t, s in pairs]
        assert seen[1:] == expected
    billed = 120.1 + 2 * (64920.1 - 32700.1)
    assert cost(tables) == pytest.approx(3 * billed * RATE, rel=1e-12)
    assert cost(tables, "baseline_costs") == pytest.approx(3 * 2 * 86400 * RATE, rel=1e-12)
    assert outcome(tables) == (2, 1, 0)


def test_many_stops_at_once_meet_the_throttle_and_all_end(
    requests: dict[int, list[float]],
) -> None:
    office = 'office: {kind: schedule, groups: [p], periods: [{begin: "09:00", end: "18:00"}]}'
    throttle = "throttle: {StopProjectVersion: {rate: 5, burst: 5}}"
    tables = simulate(scenario(office, "1h", 60, throttle), 0, 0, baseline=False)
    codes = [code for _, code in attempts(tables, "StopProjectVersion")]
    assert codes.count("ThrottlingException") > 0
    assert codes.count("-") == 60  # every model's stop was accepted, after retries
    stopped = tables["transitions"]["to_status"].astype(str) == "STOPPED"
    assert int(stopped.sum()) == 60


def test_budget_stops_the_group_at_the_exact_crossing_and_restarts_it_next_window(
    requests: dict[int, list[float]],
) -> None:
    # two models of one unit: $8 an hour together, so a $1 cap is passed at 450 s exactly:
    # both stopped (STOPPING 450.1, STOPPED 570.1: $0.2668 over the cap). The window of an
    # hour ends at 3600: restarted (STARTING 3600.1, RUNNING 3900.1, not billed until then),
    # and the cap is passed again 450 s later, at 4350.1 (STOPPING 4350.2, STOPPED 4470.2).
    policy = "cap: {kind: budget, groups: [p], usd: 1, window: 1h}"
    tables = simulate(scenario(policy, horizon="2h", count=2), 0, 0)
    stops = attempts(tables, "StopProjectVersion")
    assert stops == [(450.0, "-"), (450.0, "-"), (4350.1, "-"), (4350.1, "-")]
    assert attempts(tables, "StartProjectVersion") == [(3600.0, "-"), (3600.0, "-")]
    first = [m for m in moves(tables) if m[0] < 3600]
    assert first == [
        (0.0, "RUNNING", "initial"), (0.0, "RUNNING", "initial"),
        (450.1, "STOPPING", "policy:cap"), (450.1, "STOPPING", "policy:cap"),
        (570.1, "STOPPED", "stop"), (570.1, "STOPPED", "stop"),
    ]  # fmt: skip
    billed = 570.1 + (4470.2 - 3900.1)
    assert cost(tables) == pytest.approx(2 * billed * RATE, rel=1e-12)


def test_a_histogram_of_too_few_idle_times_keeps_the_model_for_the_fallback(
    requests: dict[int, list[float]],
) -> None:
    # fewer idle times than min_idle_times (10): a fixed keep-alive of `fallback` (20 min)
    # after each request, as idle_stop: 100 + 1200 = 1300 (STOPPING 1300.1, STOPPED 1420.1);
    # the request at 3000 starts it (STARTING 3000.1, RUNNING 3300.1), and 20 minutes after
    # it became RUNNING, at 4500.1, it stops (4500.2, 4620.2).
    requests[0] = [100, 3000]
    policy = "hist: {kind: keep_alive_histogram, groups: [p], fallback: 20m}"
    tables = simulate(scenario(policy), 0, 0)
    assert moves(tables)[1:] == [
        (1300.1, "STOPPING", "policy:hist"), (1420.1, "STOPPED", "stop"),
        (3000.1, "STARTING", "policy:hist"), (3300.1, "RUNNING", "start"),
        (4500.2, "STOPPING", "policy:hist"), (4620.2, "STOPPED", "stop"),
    ]  # fmt: skip
    assert outcome(tables) == (1, 1, 0)


def test_a_representative_histogram_unloads_after_each_request_and_pre_warms(
    requests: dict[int, list[float]],
) -> None:
    # a request every 30 minutes: every idle time in bin 30, so once 3 are known
    # (min_idle_times) the pre-warm window is 1800 x 0.9 = 1620 s and the keep-alive ends
    # (30 + 1) x 60 x 1.1 = 2046 s after a request. 1620 - 300 (start lead) > 120 (stop):
    # worth unloading. Requests at 0, 1800, ..., 9000: kept (fallback 4 h) until the request
    # at 5400 (3 idle times); then stopped at once after it (STOPPING 5400.1), started at
    # 5400 + 1320 = 6720 (STARTING 6720.1, RUNNING 7020.1): the request at 7200 finds it
    # warm; again at 7200 (7200.1; 8520.1; RUNNING 8820.1) for the request at 9000.
    requests[0] = [float(t) for t in range(0, 9001, 1800)]
    policy = "hist: {kind: keep_alive_histogram, groups: [p], min_idle_times: 3}"
    tables = simulate(scenario(policy, horizon="3h"), 0, 0)
    assert moves(tables)[1:7] == [
        (5400.1, "STOPPING", "policy:hist"), (5520.1, "STOPPED", "stop"),
        (6720.1, "STARTING", "policy:hist"), (7020.1, "RUNNING", "start"),
        (7200.1, "STOPPING", "policy:hist"), (7320.1, "STOPPED", "stop"),
    ]  # fmt: skip
    assert outcome(tables) == (6, 0, 0)  # every request served warm


def test_a_lookout_for_vision_model_is_stopped_and_started_with_the_policys_units(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 2 units HOSTED; idle 10 minutes after the request at 60: StopModel at 660
    # (STOPPING_HOSTING 660.1, TRAINED 720.1); the request at 1500 fails and starts it with
    # 1 unit (STARTING_HOSTING 1500.1, HOSTED 2100.1), idle since it is HOSTED: StopModel
    # at 2700.1 (STOPPING_HOSTING 2700.2, TRAINED 2760.2). Billed by the started minute:
    # 720.1 s -> 13 minutes of 2 units, 660.1 s -> 12 minutes of 1.
    text = """\
        name: lv
        horizon: 2h
        fleet:
          - {service: lookoutvision, project: q, count: 1, inference_units: 2}
        callers:
          default: {network: {kind: fixed, value: 0.2}}
        services:
          lookoutvision:
            latency: {start: {kind: fixed, value: 600}, stop: {kind: fixed, value: 60}}
        demand:
          - {group: q, rate: 1/min, serving: {on_not_running: fail}}
        policies:
          idle: {kind: idle_stop, groups: [q], after: 10m, min_inference_units: 1}
        """
    model = "arn:aws:lookoutvision:us-east-1:123456789012:model/q/1"

    def explicit(scenario: Scenario, streams: object) -> Arrivals:
        hosted = Hosted("lookoutvision", model, "q", scenario.demand[0])
        return Arrivals([hosted], np.array([60.0, 1500.0]), np.array([0, 2]))

    monkeypatch.setattr(simulator.build, "draw_arrivals", explicit)
    tables = simulate(parse_scenario(textwrap.dedent(text)), 0, 0)
    frame = tables["transitions"]
    assert list(zip(frame["to_status"].astype(str), frame["units"], strict=True))[3:5] == [
        ("STARTING_HOSTING", 1.0), ("HOSTED", 1.0),
    ]  # fmt: skip
    assert moves(tables)[1:] == [
        (660.1, "STOPPING_HOSTING", "policy:idle"), (720.1, "TRAINED", "stop"),
        (1500.1, "STARTING_HOSTING", "policy:idle"), (2100.1, "HOSTED", "start"),
        (2700.2, "STOPPING_HOSTING", "policy:idle"), (2760.2, "TRAINED", "stop"),
    ]  # fmt: skip
    assert cost(tables) == pytest.approx((13 * 60 * 2 + 12 * 60) * RATE, rel=1e-12)
    assert outcome(tables) == (1, 1, 0)


def starts(tables: dict[str, pd.DataFrame], horizon: float) -> tuple[float, float]:
    """(cold, warm) policy starts of group p, as the hosting table counts them."""
    row = per_replication(tables, 1, horizon, [("rekognition", "p")]).iloc[0]
    return float(row["cold_starts"]), float(row["warm_starts"])


def test_starts_that_requests_met_are_cold_and_scheduled_or_pre_warm_ones_warm(
    requests: dict[int, list[float]],
) -> None:
    # idle_stop (as above): the requests at 1500 and 5000 find the model stopped and start
    # it (each fails in the minute its start is sent): 2 cold starts
    requests[0] = [60, 120, 1500, 1600, 5000]
    idle = simulate(scenario("idle: {kind: idle_stop, groups: [p], after: 10m}"), 0, 0)
    assert starts(idle, 7200) == (2.0, 0.0)
    # the schedule's 09:00 starts of 3 models on 2 days: the requests at 08:00 failed an
    # hour before, none came while they started: 6 warm starts
    requests.clear()
    requests.update({0: [8 * 3600.0, 10 * 3600.0], 1: [10 * 3600.0], 2: []})
    office = simulate(scenario(SCHEDULE, horizon="2d", count=3), 0, 0)
    assert starts(office, 2 * 86400) == (0.0, 6.0)
    # the histogram's pre-warms at 6720 and 8520 are RUNNING before the requests at 7200 and
    # 9000, and the one at 10,320 for a request that never comes meets none: 3 warm starts
    requests.clear()
    requests[0] = [float(t) for t in range(0, 9001, 1800)]
    policy = "hist: {kind: keep_alive_histogram, groups: [p], min_idle_times: 3}"
    hist = simulate(scenario(policy, horizon="3h"), 0, 0)
    assert starts(hist, 3 * 3600) == (0.0, 3.0)
