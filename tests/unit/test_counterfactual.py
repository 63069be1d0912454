"""The counterfactual (the replication with no stop sent) billed from the fleet where
nothing in it moves: decided from the scenario alone, and the event engine's costs to the
bit, whose resource ids the run's tables share."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

from simulator.runner import concat, counterfactual, simulate
from simulator.scenario import load_scenario
from simulator.scenario.model import Scenario
from simulator.vector.derive import unmoved
from tests.kit import scenario

SCENARIOS = Path(__file__).parent.parent.parent / "scenarios"
STILL = """
name: still
horizon: 2h
services:
  rekognition:
    throttle: {StopProjectVersion: {rate: 2, burst: 2}}
    prices: {inference: {usd_per_hour: 4.5}}
fleet:
  - {service: rekognition, project: a, count: 40, region: eu-west-1}
  - {service: rekognition, project: b, count: 5, status: STOPPED, inference_units: 3}
  - {service: lookoutvision, project: c, count: 30, inference_units: 2}
  - {service: lookoutvision, project: d, count: 4, status: TRAINED}
  - {service: rekognition, project: a, count: 7, group: late}
callers:
  ops: {network: 200ms, retry: {mode: adaptive}}
requests:
  - {service: rekognition, caller: ops, poisson: {rate: 0.05}}
  - {service: lookoutvision, caller: ops, at: 30m, where: {group: c}}
"""
"""Nothing moves without its stops: regions, statuses no stop starts from, units, a throttle
and retries that only the stops meet."""
MOVING = {
    "a maintenance window": STILL.replace(
        "services:\n", "services:\n  lookoutvision: {latency: {maintenance_gap: 2h}}\n"
    ),
    "a status that progresses": STILL.replace("status: TRAINED", "status: STARTING_HOSTING"),
    "a start": STILL.replace(
        "requests:\n",
        "requests:\n  - {service: rekognition, caller: ops, at: 1h, "
        "operation: StartProjectVersion, where: {group: b}}\n",
    ),
    "a service whose stops race": STILL.replace(
        "fleet:\n", "fleet:\n  - {service: comprehend, name: clf, count: 2}\n"
    ),
}


def _shipped_still() -> list[Path]:
    return [path for path in sorted(SCENARIOS.glob("*.yaml")) if unmoved(load_scenario(path))]


@pytest.mark.parametrize("path", _shipped_still(), ids=lambda path: path.stem)
def test_a_still_shipped_scenarios_counterfactual_is_the_event_engines(path: Path) -> None:
    _same_counterfactual(load_scenario(path))


def test_a_still_fleet_of_several_services_and_statuses_bills_as_the_event_engine() -> None:
    still = scenario(STILL)
    assert unmoved(still)
    _same_counterfactual(still)


def _same_counterfactual(still: Scenario) -> None:
    for replication in (0, 1):
        events = counterfactual(still, still.seed, replication)
        tables = simulate(still, still.seed, replication)
        expected = tables["baseline_costs"].iloc[:, 1:]  # without its replication column
        from_fleet = expected.drop(columns=[c for c in expected if c.endswith("_utc")])
        pd.testing.assert_frame_equal(from_fleet, events, check_exact=True)


@pytest.mark.parametrize("what", MOVING)
def test_anything_that_may_move_is_run(what: str) -> None:
    assert not unmoved(scenario(MOVING[what]))


def test_a_consumer_or_a_replay_is_run() -> None:
    assert not unmoved(load_scenario(SCENARIOS / "sagemaker-callback-blocks-stop.yaml"))
    assert not unmoved(load_scenario(SCENARIOS / "rekognition-cloudtrail-replay.yaml"))


def test_the_run_and_its_counterfactual_share_one_copy_of_the_ids_and_no_lookup() -> None:
    """The counterfactual's resource ids are made apart from the run's, equal to them: the
    run's tables hold them once. Nothing makes pandas' hash table of them, every id again
    as a Python string (152 MB at a million ids), to put them together."""
    still = scenario(STILL.replace("count: 40", "count: 20000"))
    part = simulate(still, 0, 0)
    gc.collect()
    tracemalloc.start()
    try:
        tables = concat([part])
        gc.collect()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    ids = tables["transitions"]["resource_id"].cat.categories
    assert len(ids) > 20000
    for name in ("calls", "stops", "costs", "baseline_costs"):
        assert tables[name]["resource_id"].cat.categories is ids
    assert peak < 40 * len(ids)  # codes recoded: not a Python string per id
