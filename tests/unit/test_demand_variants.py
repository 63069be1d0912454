"""A sweep's variant of a scenario with demand validates: the variant is the resolved
scenario, every default written out, and a default written out is not a setting given."""

from __future__ import annotations

from pathlib import Path

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
