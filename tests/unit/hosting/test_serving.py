"""What each inference request met, against hand calculations: fixed arrivals, a fixed
status timeline, exact served, throttled, failed, delayed and added latency per minute."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator.hosting.demand import Arrivals, Hosted
from simulator.hosting.serving import serve
from simulator.runner import simulate
from simulator.scenario.demand import Demand
from simulator.scenario.model import DEFAULT_START
from simulator.vector.eligibility import check
from tests.kit import run, scenario

HORIZON = 3600.0

MODEL = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v0/1"
OTHER = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v1/1"
COLUMNS = ["minute", "requests", "served", "throttled", "failed", "delayed", "added_latency_s"]


def arrivals(times: list[float], serving: dict[str, object], other: list[float] = ()) -> Arrivals:  # type: ignore[assignment]
    """MODEL's requests at `times` (OTHER's at `other`), served as `serving` says."""
    demand = Demand.model_validate({"group": "g", "rate": 1, "serving": serving})
    models = [Hosted("rekognition", MODEL, "g", demand), Hosted("rekognition", OTHER, "g", demand)]
    offsets = np.array([0, len(times), len(times) + len(other)])
    return Arrivals(models, np.array([*times, *other], dtype=float), offsets)


def timeline(moves: list[tuple[float, str, str, float]]) -> pd.DataFrame:
    """Transitions (time, resource, status entered, units), in the order recorded."""
    ids = pd.CategoricalDtype([MODEL, OTHER])
    return pd.DataFrame(
        {
            "time": [m[0] for m in moves],
            "service": pd.Categorical(["rekognition"] * len(moves)),
            "resource_id": pd.Categorical([m[1] for m in moves], dtype=ids),
            "to_status": pd.Categorical([m[2] for m in moves]),
            "units": [m[3] for m in moves],
        }
    )


# RUNNING with 1 unit to 100 s, STOPPING, STOPPED at 160, STARTING at 200, RUNNING at 500
# with `units` units (those in force when a waiting request is served); OTHER runs
# throughout
def moves(units: float = 1.0) -> list[tuple[float, str, str, float]]:
    return [
        (0.0, MODEL, "RUNNING", 1.0),
        (0.0, OTHER, "RUNNING", 1.0),
        (100.0, MODEL, "STOPPING", 1.0),
        (160.0, MODEL, "STOPPED", 1.0),
        (200.0, MODEL, "STARTING", 1.0),
        (500.0, MODEL, "RUNNING", units),
    ]


def rows(frame: pd.DataFrame, resource: str = MODEL) -> list[tuple[float, ...]]:
    mine = frame[frame["resource_id"] == resource]
    return [tuple(r) for r in mine[COLUMNS].itertuples(index=False)]


def waited(waits: pd.DataFrame) -> list[tuple[object, ...]]:
    """The waits' rows as (arrived, waited_s, outcome, error_code or None)."""
    errors = [None if pd.isna(e) else e for e in waits["error_code"]]
    return list(zip(waits["arrived"], waits["waited_s"], waits["outcome"], errors, strict=True))


def test_fail_fast_counts_each_minute_by_hand() -> None:
    """Capacity 2 per second per unit: the third request of second 10 is throttled; the
    requests while STOPPING (120) and STARTING (300) fail; one at the very moment the
    model runs again (500) is served, as is one after (510)."""
    times = [10.0, 10.2, 10.5, 30.0, 120.0, 300.0, 500.0, 510.0]
    demand, waits = serve(
        arrivals(times, {"capacity_per_unit": 2}), timeline(moves()), DEFAULT_START, HORIZON
    )
    assert rows(demand) == [
        (0, 4, 3, 1, 0, 0, 0.0),
        (2, 1, 0, 0, 1, 0, 0.0),
        (5, 1, 0, 0, 1, 0, 0.0),
        (8, 2, 2, 0, 0, 0, 0.0),
    ]
    assert waits.empty
    assert demand["minute_utc"].iloc[1] == pd.Timestamp(DEFAULT_START) + pd.Timedelta(minutes=2)
    assert set(demand["group"]) == {"g"}
    assert set(demand["service"]) == {"rekognition"}


def test_waiting_requests_are_served_when_the_model_runs_or_give_up_after_max_wait() -> None:
    """max_wait 250 s: the request at 120 would wait 380 s for 500: it gives up after 250;
    those at 300, 301 and 302 wait 200, 199 and 198 s and are served at 500, first in
    second 500 as they waited; capacity 3: the one arriving at 500 is throttled."""
    times = [120.0, 300.0, 301.0, 302.0, 500.0]
    serving = {"capacity_per_unit": 3, "on_not_running": "wait", "max_wait": 250}
    demand, waits = serve(arrivals(times, serving), timeline(moves()), DEFAULT_START, HORIZON)
    assert rows(demand) == [
        (2, 1, 0, 0, 1, 0, 0.0),
        (5, 3, 3, 0, 0, 3, 597.0),
        (8, 1, 0, 1, 0, 0, 0.0),
    ]
    assert waited(waits) == [
        (120.0, 250.0, "gave up", "ResourceNotReadyException"),
        (300.0, 200.0, "served", None),
        (301.0, 199.0, "served", None),
        (302.0, 198.0, "served", None),
    ]


def test_the_requests_that_waited_are_served_first_come_at_the_model_s_capacity() -> None:
    """Capacity 2: of the three that waited for the start at 500, the first two are served
    in second 500, the third (arrived at 302) in second 501: 199 s added, not throttled."""
    times = [300.0, 301.0, 302.0]
    serving = {"capacity_per_unit": 2, "on_not_running": "wait", "max_wait": 250}
    demand, waits = serve(arrivals(times, serving), timeline(moves()), DEFAULT_START, HORIZON)
    assert rows(demand) == [(5, 3, 3, 0, 0, 3, 598.0)]
    assert waited(waits) == [
        (300.0, 200.0, "served", None),
        (301.0, 199.0, "served", None),
        (302.0, 199.0, "served", None),
    ]


def test_the_requests_that_waited_go_before_those_arriving_in_their_second() -> None:
    """Capacity 1, RUNNING at 500.7: those that waited are served at 500.7 and 501.7; the
    request arriving at 501.2 finds second 501 taken by the second of them: throttled."""
    late_start = [(0.0, MODEL, "STOPPED", 1.0), (0.0, OTHER, "RUNNING", 1.0)]
    late_start.append((500.7, MODEL, "RUNNING", 1.0))
    serving = {"capacity_per_unit": 1, "on_not_running": "wait", "max_wait": 250}
    demand, waits = serve(
        arrivals([300.0, 301.0, 501.2], serving), timeline(late_start), DEFAULT_START, HORIZON
    )
    assert rows(demand) == [(5, 2, 2, 0, 0, 2, 200.7 + 200.7), (8, 1, 0, 1, 0, 0, 0.0)]
    assert [w[1] for w in waited(waits)] == [200.7, 200.7]


def test_capacity_is_per_unit_times_the_units_the_transitions_give() -> None:
    """With 2 units once RUNNING at 500 (1 while STARTING), second 500 serves 6: the six
    requests that waited are all served, with 200 + 199 + ... + 195 s added."""
    times = [300.0, 301.0, 302.0, 303.0, 304.0, 305.0, 500.5]
    serving = {"capacity_per_unit": 3, "on_not_running": "wait", "max_wait": 250}
    demand, waits = serve(
        arrivals(times, serving), timeline(moves(units=2.0)), DEFAULT_START, HORIZON
    )
    assert rows(demand) == [(5, 6, 6, 0, 0, 6, 1185.0), (8, 1, 0, 1, 0, 0, 0.0)]
    assert list(waits["outcome"]) == ["served"] * 6


def test_a_waiter_is_served_only_within_its_max_wait_and_one_that_gave_up_takes_no_turn() -> None:
    """Capacity 1, RUNNING at 100, max_wait 52: five wait from 50.0 to 51.0 (each 0.25 s
    after the last), their deadlines 102 to 103. Turns: 100, 101, 102; the fourth's would be
    103, past its 102.75: it gave up (waited 52, the error) and takes no turn, so the fifth
    (deadline 103) is served at 103. Second 104 is free: the request at 104.5 is served."""
    stopped = [(0.0, MODEL, "STOPPED", 1.0), (0.0, OTHER, "RUNNING", 1.0)]
    stopped.append((100.0, MODEL, "RUNNING", 1.0))
    serving = {"capacity_per_unit": 1, "on_not_running": "wait", "max_wait": 52}
    times = [50.0, 50.25, 50.5, 50.75, 51.0, 104.5]
    demand, waits = serve(arrivals(times, serving), timeline(stopped), DEFAULT_START, HORIZON)
    assert waited(waits) == [
        (50.0, 50.0, "served", None),
        (50.25, 50.75, "served", None),
        (50.5, 51.5, "served", None),
        (50.75, 52.0, "gave up", "ResourceNotReadyException"),
        (51.0, 52.0, "served", None),
    ]
    assert rows(demand) == [(0, 5, 4, 0, 1, 4, 50.0 + 50.75 + 51.5 + 52.0), (1, 1, 1, 0, 0, 0, 0.0)]


def test_a_request_still_waiting_at_the_horizon_is_pending_not_failed() -> None:
    """Horizon 100, the model RUNNING at 99.5, capacity 1, max_wait 60: the request at 30
    gave up at 90 (failed); the one at 80 is served at 99.5; the one at 80.5 would be
    served at 100.5, past the horizon, and its max_wait is not spent: pending, having
    waited 19.5 s. The counts are disjoint and add up to the requests."""
    late = [(0.0, MODEL, "STOPPED", 1.0), (0.0, OTHER, "RUNNING", 1.0)]
    late.append((99.5, MODEL, "RUNNING", 1.0))
    serving = {"capacity_per_unit": 1, "on_not_running": "wait", "max_wait": 60}
    demand, waits = serve(
        arrivals([30.0, 80.0, 80.5], serving, [31.0]), timeline(late), DEFAULT_START, 100.0
    )
    assert rows(demand) == [(0, 1, 0, 0, 1, 0, 0.0), (1, 2, 1, 0, 0, 1, 19.5)]
    mine = demand[demand["resource_id"] == MODEL]
    assert list(mine["pending"]) == [0, 1]
    assert rows(demand, OTHER) == [(0, 1, 1, 0, 0, 0, 0.0)]
    assert waited(waits) == [
        (30.0, 60.0, "gave up", "ResourceNotReadyException"),
        (80.0, 19.5, "served", None),
        (80.5, 19.5, "waiting at the horizon", None),
    ]


def test_another_model_s_start_does_not_serve_a_waiting_request() -> None:
    """The next start is looked up within the request's own model."""
    running_later = [
        (0.0, MODEL, "STOPPED", 1.0),
        (0.0, OTHER, "STOPPED", 1.0),
        (50.0, OTHER, "RUNNING", 1.0),
    ]
    serving = {"on_not_running": "wait", "max_wait": 600}
    demand, waits = serve(
        arrivals([10.0], serving), timeline(running_later), DEFAULT_START, HORIZON
    )
    assert rows(demand) == [(0, 1, 0, 0, 1, 0, 0.0)]
    assert list(waits["waited_s"]) == [600.0]


@pytest.mark.parametrize("on_not_running", ["fail", "wait"])
def test_a_run_has_the_tables_of_its_demand(on_not_running: str) -> None:
    """End to end: a model stopped at 30 m fails (or waits in vain for) every later request;
    counts are disjoint and add up, and the tables' columns are the schema's."""
    tables = run(
        f"""
        name: served
        horizon: 1h
        fleet: [{{service: rekognition, project: p, count: 2}}]
        requests: [{{service: rekognition, at: 30m, count: 1}}]
        demand:
          - group: p
            rate: 1/s
            serving: {{on_not_running: {on_not_running}, max_wait: 1m}}
        """
    )
    demand, waits = tables["demand"], tables["waits"]
    counted = demand["served"] + demand["throttled"] + demand["failed"] + demand["pending"]
    assert (demand["requests"] == counted).all()
    stopped = tables["stops"]["resource_id"].iloc[0]
    late = demand[(demand["resource_id"] == stopped) & (demand["minute"] >= 36)]
    assert len(late) > 0
    assert (late["failed"] + late["pending"] == late["requests"]).all()
    # only the last minute's waiters (max_wait 1m) are still waiting at the horizon
    assert set(late.loc[late["pending"] > 0, "minute"]) == (
        {59} if on_not_running == "wait" else set()
    )
    running = demand[demand["resource_id"] != stopped]
    assert running["failed"].sum() == 0
    assert running["requests"].sum() > 3000
    assert (len(waits) > 0) == (on_not_running == "wait")


def test_both_engines_serve_the_same_requests_and_the_vector_one_refuses_policies() -> None:
    """The vector engine draws the event engine's arrivals (the same streams) and serves
    them alike: with every model running throughout, the two demand tables are equal. A
    hosting policy acts on requests as they arrive: the vector engine says so."""
    text = """
        name: engines
        horizon: 2h
        fleet: [{service: rekognition, project: p, count: 3}]
        demand: [{group: p, total: 2/s, popularity: {kind: zipf, s: 1}}]
        """
    events = simulate(scenario(text), 0, 0, engine="events")["demand"]
    vector = simulate(scenario(text), 0, 0, engine="vector")["demand"]
    pd.testing.assert_frame_equal(events, vector)
    assert events["requests"].sum() > 10_000
    policies = text + "policies: {idle: {kind: idle_stop, groups: [p], after: 5m}}\n"
    assert check(scenario(policies)).reasons == (
        "policies.idle: a hosting policy acts on requests as they arrive",
    )


def test_a_cold_start_s_queue_drains_within_max_wait() -> None:
    """The review's case: one model, 20/s from 09:00 to 10:00, waiting up to 5 m, stopped
    after 15 m idle. Each morning's first request starts it, thousands queue at 5/s of
    capacity: those served wait at most 300 s (the old drain served them up to 1,201 s
    after they came), the rest gave up, and the new arrivals meet no stale queue."""
    tables = run(
        """
        name: drain
        horizon: 2d
        fleet: [{service: rekognition, project: p, count: 1}]
        demand:
          - group: p
            rate: 20/s
            profile: {hours: {"09:00-10:00": 1}}
            serving: {on_not_running: wait, max_wait: 5m}
        policies: {idle: {kind: idle_stop, groups: [p], after: 15m}}
        """
    )
    waits, demand = tables["waits"], tables["demand"]
    assert waits["waited_s"].max() <= 300.0
    outcomes = waits["outcome"].value_counts()
    assert outcomes["served"] > 1000
    assert outcomes["gave up"] > 1000
    starts = tables["transitions"]["to_status"].eq("RUNNING").sum() - 1  # not the initial
    assert outcomes["served"] <= starts * 5 * 301  # 5/s for at most max_wait, per start
    assert demand["delayed"].sum() == outcomes["served"]


def test_a_demand_row_is_narrow() -> None:
    """Issue 16's benchmark (200 models, a month) gives millions of `demand` rows: the
    replication, the minute and the counts are four bytes each (int32) and the added
    latency four (float32), so a row takes 47 bytes in memory (4 the replication, 3 the
    three labels' codes, 8 the moment, 4 the latency, 28 the minute and the six counts) and
    the labels' categories, not the 83 of int64 and float64."""
    tables = run(
        """
        name: narrow
        horizon: 1h
        fleet: [{service: rekognition, project: p, count: 2}]
        demand: [{group: p, rate: 1/s}]
        """
    )
    demand = tables["demand"]
    assert len(demand) == 120
    per_row = demand.memory_usage(deep=False, index=False).sum() / len(demand)
    assert 47 <= per_row < 50
