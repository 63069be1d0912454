"""A sweep's variant of a scenario with demand validates: the variant is the resolved
scenario, every default written out, and a default written out is not a setting given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator.errors import ScenarioError
from simulator.scenario import load_scenario
from simulator.scenario.variants import expand

SCENARIO = """
name: demand-variants
description: does a variant of a scenario with demand validate?
horizon: 1d
start: 2026-01-05T00:00:00Z
fleet:
  - {service: rekognition, project: shop, count: 2}
demand:
  - {group: shop, rate: 1/min}
"""


def test_a_variant_of_a_rate_demand_writes_its_defaults_out_and_validates(
    tmp_path: Path,
) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO)
    variants, _ = expand(load_scenario(path), {"demand.0.rate": ["1/min", "2/min"]})
    assert [v.scenario.demand[0].rate for v in variants] == pytest.approx([1 / 60, 2 / 60])


def test_a_popularity_given_with_a_rate_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO.replace("rate: 1/min}", "rate: 1/min, popularity: {kind: zipf}}"))
    with pytest.raises(ScenarioError, match="`popularity` splits a `total`"):
        load_scenario(path)


def test_a_huge_fleet_with_demand_and_a_policy_loads_without_listing_its_models(
    tmp_path: Path,
) -> None:
    """The checks count a group's models rather than list them (10^30 ids would never end),
    so the run's estimate can refuse the scenario by its size."""
    from simulator.scenario.demand import hosted_sizes
    from simulator.scenario.demand_size import expected_requests

    path = tmp_path / "scenario.yaml"
    huge = SCENARIO.replace("count: 2", "count: 1000000000000000000000000000000")
    path.write_text(huge + "policies:\n  idle: {kind: idle_stop, groups: [shop], after: 15m}\n")
    scenario = load_scenario(path)
    assert hosted_sizes(scenario) == {"shop": 10**30}
    assert expected_requests(scenario) == pytest.approx(10**30 / 60 * 86400)


def test_the_estimate_counts_a_policys_stops_and_starts(tmp_path: Path) -> None:
    """Two models called 1/min from 00:00 to 01:00 each day for a week, stopped after 15
    minutes idle: a rise from no demand each day and exp(-15) of 60 gaps a day; a schedule
    of two periods on weekdays stops and starts each model 10 times; a daily budget 7."""
    from simulator.estimate import estimate, policy_cycles

    path = tmp_path / "scenario.yaml"
    week = SCENARIO.replace("horizon: 1d", "horizon: 7d").replace(
        "rate: 1/min}", 'rate: 1/min, profile: {hours: {"00:00-01:00": 1.0}}}'
    )
    path.write_text(week + "policies:\n  idle: {kind: idle_stop, groups: [shop], after: 15m}\n")
    idle = load_scenario(path)
    assert policy_cycles(idle) == pytest.approx(2 * 7 * (1 + 60 * np.exp(-15)))
    path.write_text(
        week + "policies:\n  office:\n    kind: schedule\n    groups: [shop]\n    periods:\n"
        '      - {begin: "08:00", end: "12:00", weekdays: mon-fri}\n'
        '      - {begin: "13:00", end: "17:00", weekdays: mon-fri}\n'
        "  cap: {kind: budget, groups: [shop], usd: 5, window: 1d}\n"
    )
    both = load_scenario(path)
    assert policy_cycles(both) == pytest.approx(2 * 2 * 5 + 2 * 7)
    assert estimate(both, 1).rows - estimate(idle, 1).rows == pytest.approx(
        8 * (34 - policy_cycles(idle))
    )
