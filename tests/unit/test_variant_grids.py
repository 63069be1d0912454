"""What a sweep varies, as its user gives it: `--vary` options made one grid, values read as
YAML 1.2 reads them, new entries of checked mappings accepted, and an empty grid or an empty
list of values said plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.errors import ScenarioError
from simulator.scenario import load_scenario
from simulator.scenario.loader import parse_value
from simulator.scenario.variants import expand, parse_grid, parse_vary
from tests.kit import scenario

RETRY_MODES = Path(__file__).parent.parent.parent / "scenarios" / "whatif-retry-modes.yaml"
BURST = """
name: burst
horizon: 1h
fleet: [{service: rekognition, count: 3}]
requests:
  - {service: rekognition, at: 10m, parameters: {ProjectVersionArn: x}}
"""


def test_a_path_given_twice_is_an_error_naming_it() -> None:
    assert parse_grid(["a.b=1,2", "c=x"]) == {"a.b": [1, 2], "c": ["x"]}
    with pytest.raises(ScenarioError, match=r"^--vary fleet.0.count is given twice; give all"):
        parse_grid(["fleet.0.count=1,2", "fleet.0.count=3"])
    with pytest.raises(ScenarioError, match=r"fleet\[0\].count is given twice \(also as fleet"):
        parse_grid(["fleet.0.count=1,2", "fleet[0].count=3"])
    with pytest.raises(ScenarioError, match=r"fleet\[0\].count: the same path as fleet.0.count"):
        expand(scenario(BURST), {"fleet.0.count": [1], "fleet[0].count": [2]})


def test_values_are_yaml_1_2_and_a_malformed_one_is_named_as_typed() -> None:
    assert parse_value("[no, yes, on, 010, 0o17, 0x1F, 1e3, 20:00, true, FALSE]") == [
        "no", "yes", "on", 10, 15, 31, 1000.0, "20:00", True, False,
    ]  # fmt: skip
    assert parse_vary("fleet.0.count=010,no") == ("fleet.0.count", [10, "no"])
    with pytest.raises(ScenarioError, match=r"^--vary 'x=1,{a: b': cannot read '1,{a: b' as"):
        parse_vary("x=1,{a: b")


def test_an_operation_may_be_throttled_beside_another_already_throttled() -> None:
    base = load_scenario(RETRY_MODES)
    grid = parse_grid(["services.rekognition.throttle.StartProjectVersion.rate=1,2"])
    variants, _ = expand(base, grid, source=str(RETRY_MODES))
    throttle = variants[1].scenario.services.rekognition.throttle
    assert throttle["StartProjectVersion"].rate == 2
    assert (
        throttle["StopProjectVersion"] == base.services.rekognition.throttle["StopProjectVersion"]
    )
    with pytest.raises(ScenarioError, match="throttle: unknown operation 'StopProjectVersoin'"):
        expand(base, {"services.rekognition.throttle.StopProjectVersoin.rate": [1]})


def test_a_price_item_may_be_added_and_a_parameter_close_to_one_is_a_typo() -> None:
    price = {"usd_per_hour": 1.0, "statuses": ["STOPPING"]}
    (variant,), _ = expand(scenario(BURST), {"services.rekognition.prices.inference2": [price]})
    assert variant.scenario.services.rekognition.prices["inference2"].usd_per_hour == 1.0
    with pytest.raises(ScenarioError, match="has no 'ProjectVersionArm'; did you mean"):
        expand(scenario(BURST), {"requests.0.parameters.ProjectVersionArm": ["y"]})


def test_an_empty_grid_is_the_scenario_as_written_and_an_empty_list_an_error() -> None:
    (variant,), baseline = expand(load_scenario(RETRY_MODES), {})
    assert (variant.name, baseline, dict(variant.parameters)) == ("scenario", "scenario", {})
    with pytest.raises(ScenarioError, match=r"^s.yaml: fleet.0.count: no values given"):
        expand(scenario(BURST), {"fleet.0.count": []}, source="s.yaml")
    with pytest.raises(ScenarioError, match=r"fleet.0.count: expected a list of values, got '5'"):
        expand(scenario(BURST), {"fleet.0.count": "5"})


def test_a_baseline_given_that_names_no_variant_is_named_as_given() -> None:
    with pytest.raises(ScenarioError, match=r"^--baseline: no variant is named 'nope'"):
        expand(scenario(BURST), {"fleet.0.count": [1, 2]}, baseline="nope", source="s.yaml")
