"""The vector engine's tables: with fixed latencies, the event engine's to the value; with
random ones, the same schemas, and identical for the same seed on any executor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator.build import build
from simulator.runner import run_tables, simulate
from simulator.services import SERVICES
from simulator.vector.eligibility import CannotDraw
from simulator.vector.fleet import Fleet
from simulator.vector.paths import PATHS
from simulator.workload.arrivals import positions
from tests.kit import scenario

FIXED = """
name: fixed
horizon: 1h
services:
  rekognition: {latency: {stop: 100s}}
  lookoutvision: {latency: {stop: 90s}}
fleet:
  - {service: rekognition, project: a, count: 2}
  - {service: rekognition, project: b, count: 1, inference_units: 3}
  - {service: lookoutvision, project: c, count: 2, inference_units: 2}
  - {service: rekognition, project: a, count: 2, group: late}
callers:
  ops: {network: 2s, waiter: {delay: 30s, max_attempts: 3}}
  quick: {network: 1s}
requests:
  - {service: rekognition, caller: ops, at: 10m, where: {group: a}}
  - {service: rekognition, caller: quick, at: 3580s, where: {group: late}}
  - {service: rekognition, caller: quick, at: 20m, where: {group: b}, wait: false}
  - {service: lookoutvision, caller: quick, at: 30m}
"""
"""Group a: stopped at 10 min, seen on the 5th poll, but the waiter gives up after 3; group
late: stopped 20 s before the horizon, its STOPPING but not its STOPPED; group b: no waiter;
Lookout: per-minute billing, seen on the 4th poll."""


EDGES = """
name: edges
horizon: 1h
services:
  lookoutvision: {latency: {stop: 5m}}
fleet:
  - {service: rekognition, project: a, count: 2}
  - {service: lookoutvision, project: c, count: 5}
  - {service: rekognition, project: idle, count: 2, status: STOPPED}
  - {service: lookoutvision, project: kept, count: 1, status: TRAINED}
callers:
  far: {network: 40s}
  near: {network: 100ms, waiter: {delay: 1m, max_attempts: 2}}
requests:
  - {service: rekognition, caller: far, at: 3590s, where: {status: [RUNNING]}}
  - {service: lookoutvision, caller: near, every: 20m, first: 1m, count: 2,
     where: {status: [HOSTED]}}
"""
"""Rekognition: a request still on its way at the horizon (in flight); Lookout: two models
chosen at random at 1, 21 and 41 min (the last finds one), on the event engine's own
generator call, so both engines choose the same; a waiter that gives up after 2 polls;
models that no stream selects and nothing moves (STOPPED, TRAINED), billed as they are."""


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    """`table` with text as text, rows in one order: what the engines must agree on (the
    order of categories and of rows at one instant is the recorder's, not the answer)."""
    plain = table.apply(
        lambda c: c.astype(object) if isinstance(c.dtype, pd.CategoricalDtype) else c
    )
    return plain.sort_values(list(plain.columns), kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("text", [FIXED, EDGES], ids=["fixed", "edges"])
@pytest.mark.parametrize("name", ["transitions", "calls", "stops", "costs", "baseline_costs"])
def test_with_fixed_latencies_the_tables_are_the_event_engines(text: str, name: str) -> None:
    fixed = scenario(text)
    events = simulate(fixed, 0, 0)[name]
    vector = simulate(fixed, 0, 0, engine="vector")[name]
    assert list(vector.dtypes.astype(str)) == list(events.dtypes.astype(str))
    pd.testing.assert_frame_equal(_sorted(vector), _sorted(events))


def test_the_fixed_scenario_holds_what_its_comment_says() -> None:
    tables = simulate(scenario(FIXED), 0, 0, engine="vector")
    stops = tables["stops"].set_index("group", drop=False)
    assert stops["outcome"].astype(str).to_dict() == {
        "a": "STOPPED", "late": "stuck", "b": "STOPPED", "c": "TRAINED"
    }  # fmt: skip
    assert stops.loc[["a"], "observed_at"].isna().all()  # polls at 602, 632, 662 s: gave up
    assert stops.loc[["late"], "terminal_at"].isna().all()
    assert stops.loc[["b"], "observed_at"].isna().all()
    # Lookout: the stop reaches it at 1800.5 s, ends at 1890.5 s; polls reach it at 1801.5,
    # 1832.5, 1863.5, 1894.5 s: seen on the 4th, answered 0.5 s later
    assert stops.loc["c", "observed_at"].tolist() == [1895.0, 1895.0]
    assert stops.loc["c", "stop_latency_s"].tolist() == [90.5, 90.5]
    calls = tables["calls"]  # group a: 3 polls each; late: 1 each before the horizon
    assert calls["operation"].astype(str).value_counts().to_dict() == {
        "DescribeProjectVersions": 8, "DescribeModel": 8, "StopProjectVersion": 5,
        "StopModel": 2,
    }  # fmt: skip


def test_the_edges_scenario_holds_what_its_comment_says() -> None:
    stops = simulate(scenario(EDGES), 0, 0, engine="vector")["stops"]
    pairs = stops[["service", "outcome"]].astype(str).value_counts().to_dict()
    assert pairs == {("lookoutvision", "TRAINED"): 5, ("rekognition", "in_flight"): 2}
    lookout = stops[stops["service"] == "lookoutvision"]
    assert lookout["requested_at"].tolist() == [60.0, 60.0, 1260.0, 1260.0, 2460.0]
    assert lookout["observed_at"].isna().all()  # polls at 0.1 and 60.2 s after: before 5 min


def test_the_fleet_is_registered_as_the_event_engine_populates_it() -> None:
    fixed = scenario(FIXED)
    recorded = build(fixed, 0, 0).sim.recorder.hand_over()
    fleet = Fleet(fixed)
    assert list(fleet.ids.dtype.categories) == list(
        recorded["resources"]["resource_id"].cat.categories
    )
    pd.testing.assert_frame_equal(fleet.registry(), recorded["resources"])
    pd.testing.assert_frame_equal(fleet.first(), recorded["transitions"])


@pytest.mark.parametrize(
    ("selection", "n", "chosen"),
    [("", 5, 5), ("count: 2", 5, 2), ("count: 9", 5, 5), ("fraction: 0.5", 5, 2),
     ("fraction: 0.01", 5, 1), ("fraction: 0.5", 0, 0)],
)  # fmt: skip
def test_positions_takes_all_or_a_random_count_or_fraction(
    selection: str, n: int, chosen: int
) -> None:
    """The one choice both engines make (`workload.arrivals.positions`)."""
    where = "where: {group: a}"
    requests = scenario(FIXED.replace(where, f"{where}, {selection}")).requests[0]
    taken = positions(n, requests, np.random.default_rng(7))
    if chosen == n:
        assert taken.tolist() == list(range(n))
    else:
        expected = np.random.default_rng(7).choice(n, chosen, replace=False)
        assert taken.tolist() == expected.tolist()
        assert len(set(taken.tolist())) == chosen


RANDOM = """
name: random
horizon: 6h
seed: 4
replications: 3
fleet:
  - {service: rekognition, project: a, count: 40}
  - {service: lookoutvision, project: c, count: 30}
requests:
  - {service: rekognition, every: 2h, fraction: 0.3, where: {status: [RUNNING]}}
  - {service: lookoutvision, poisson: {rate: 0.01, start: 10m}, count: 20}
"""


def test_the_same_seed_gives_identical_tables_and_another_seed_others() -> None:
    random = scenario(RANDOM)
    first = run_tables(random, engine="vector")
    again = run_tables(random, engine="vector")
    for name in first:
        pd.testing.assert_frame_equal(first[name], again[name])
    other = run_tables(random, seed=5, engine="vector")
    assert not first["stops"]["stop_latency_s"].equals(other["stops"]["stop_latency_s"])
    stops = first["stops"]
    # 12 of 40, then 8 of 28, then 6 of 20 Rekognition models; 20 Lookout models
    per = stops.groupby(["replication", "service"], observed=True).size().unstack()
    assert per["rekognition"].tolist() == [26, 26, 26]
    assert per["lookoutvision"].tolist() == [20, 20, 20]
    assert stops.groupby("replication")["resource_id"].nunique().tolist() == [46, 46, 46]


@pytest.mark.slow
def test_two_workers_give_the_tables_of_one() -> None:
    random = scenario(RANDOM)
    one = run_tables(random, engine="vector")
    two = run_tables(random, engine="vector", workers=2)
    for name in one:
        pd.testing.assert_frame_equal(one[name], two[name])


def test_the_tables_have_the_event_engines_schemas() -> None:
    random = scenario(RANDOM)
    events, vector = run_tables(random), run_tables(random, engine="vector")
    assert set(vector) == set(events)
    for name in events:
        assert (
            vector[name].dtypes.astype(str).to_dict() == events[name].dtypes.astype(str).to_dict()
        )


def test_a_stop_still_on_its_way_when_its_stream_fires_again_is_refused() -> None:
    text = FIXED.replace("network: 2s, waiter", "network: 40s, waiter").replace(
        "at: 10m, where: {group: a}", "every: 20s, first: 10m, where: {group: a, status: [RUNNING]}"
    )
    with pytest.raises(
        CannotDraw,
        match=r"^requests\[0\]: a stop sent at 600 s reached "
        r"rekognition at 620 s, after the stream fired again at 620 s",
    ):
        simulate(scenario(text), 0, 0, engine="vector")


@pytest.mark.parametrize("service", PATHS)
def test_each_stop_path_is_its_services_own(service: str) -> None:
    """`paths.PATHS` says what the service's TRANSITIONS, PROGRESSIONS and STOP say."""
    kind, path = SERVICES[service], PATHS[service]
    for status in path.stoppable:
        assert path.stopping in kind.TRANSITIONS[kind.Status][status]
        running = kind.PROGRESSIONS.get(status)
        assert running is None or path.still[status] == running.latency
    stopping = kind.PROGRESSIONS[path.stopping]
    assert (stopping.latency, stopping.to, dict(stopping.otherwise)) == ("stop", path.stopped, {})
    assert kind.STOP.terminal == {path.stopped}
    assert path.stopped not in kind.PROGRESSIONS
