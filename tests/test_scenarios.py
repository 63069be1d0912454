"""Every example scenario loads, runs briefly, and shows what its comment says it shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.runner import simulate
from simulator.scenario import load_scenario

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


def test_there_are_example_scenarios() -> None:
    assert len(SCENARIOS) >= 2


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_each_scenario_says_what_it_answers_and_runs(path: Path) -> None:
    assert path.read_text().startswith("#"), "a scenario opens with the question it answers"
    scenario = load_scenario(path)
    short = scenario.model_copy(update={"horizon": min(scenario.horizon, 86400.0)})
    tables = simulate(short, scenario.seed, 0)
    assert len(tables["stops"]) > 0


def test_the_throttled_burst_shows_throttles_retries_and_lost_stops() -> None:
    scenario = load_scenario(Path(__file__).parent.parent / "scenarios" /
                             "rekognition-throttled-burst.yaml")  # fmt: skip
    tables = simulate(scenario, scenario.seed, 0)
    calls = tables["calls"]
    assert (calls["error_code"] == "ThrottlingException").sum() > 0
    assert (calls["attempt"] > 1).sum() > 0
    outcomes = set(tables["stops"]["outcome"])
    assert {"STOPPED", "rejected"} <= outcomes
