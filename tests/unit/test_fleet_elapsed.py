"""`elapsed` on a fleet entry: where it is refused, and what it changes."""

from __future__ import annotations

import pytest

from simulator.errors import ScenarioError
from simulator.runner import simulate
from simulator.scenario import parse_scenario
from tests.kit import run, scenario

HEAD = "name: t\nhorizon: 1d\n"


@pytest.mark.parametrize(
    ("fleet", "message"),
    [
        (
            "{service: neptune, count: 2, elapsed: 10m}",
            ":4: fleet[0].elapsed: neptune resources cannot start part-way through a status yet",
        ),
        (
            "{service: sagemaker, pipeline: p, count: 1, steps: [{name: a, type: Plain}], "
            "elapsed: 10m}",
            ":4: fleet[0].elapsed: sagemaker resources cannot start part-way",
        ),
        (
            "{service: rekognition, count: 2, status: RUNNING, elapsed: 10m}",
            ":4: fleet[0].elapsed: RUNNING does not end by itself in rekognition",
        ),
        (
            "{service: lookoutvision, count: 2, elapsed: 10m}",  # no maintenance windows
            ":4: fleet[0].elapsed: HOSTED does not end by itself in lookoutvision",
        ),
        (
            "{service: rekognition, count: 2, status: STOPPING, elapsed: 5m}",  # U(1m, 5m)
            ":4: fleet[0].elapsed: no rekognition `stop` latency lasts longer than 300 s",
        ),
    ],
)
def test_elapsed_that_cannot_be_is_a_located_error(fleet: str, message: str) -> None:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(HEAD + f"fleet:\n  - {fleet}\n", "s.yaml")
    assert message in str(raised.value)


def test_elapsed_shortens_what_is_left_of_the_status() -> None:
    """Fixed 10 min to start, 4 min of it gone: every model is RUNNING at 6 min."""
    tables = run(
        HEAD
        + "services: {rekognition: {latency: {start: 10m}}}\n"
        + "fleet: [{service: rekognition, count: 3, status: STARTING, elapsed: 4m}]\n",
        baseline=False,
    )
    moves = tables["transitions"]
    assert moves[moves["to_status"] == "RUNNING"]["time"].tolist() == [360.0] * 3


def test_elapsed_shortens_a_maintenance_gap_when_windows_are_on() -> None:
    tables = run(
        HEAD
        + "services: {lookoutvision: {latency: {maintenance_gap: 2h, maintenance: 10m}}}\n"
        + "fleet: [{service: lookoutvision, count: 2, elapsed: 90m}]\n",
        baseline=False,
    )
    moves = tables["transitions"]
    updating = moves[moves["to_status"] == "SYSTEM_UPDATING"]["time"]
    assert updating.tolist()[:2] == [1800.0, 1800.0]  # the first window: 30 min in


def test_a_fleet_entry_started_part_way_shifts_no_other_entrys_draws() -> None:
    """Common random numbers: adding an `elapsed` entry leaves the other entry's stop
    latencies exactly as they were."""
    base = """
name: crn
horizon: 1h
services:
  rekognition: {latency: {stop: {kind: lognormal, median: 2m, p95: 5m}}}
fleet:
"""
    new = "  - {service: rekognition, project: new, count: 3, status: STOPPING}\n"
    old = "  - {service: rekognition, project: old, count: 5, status: STOPPING, elapsed: 100}\n"

    def stopped_at(text: str) -> list[float]:
        moves = simulate(scenario(text), 0, 0)["transitions"]
        new = moves[moves["resource_id"].astype(str).str.contains("/new/")]
        return new.loc[new["to_status"] == "STOPPED", "time"].tolist()

    assert stopped_at(base + new) == stopped_at(base + old + new)  # old's draws come first
