"""What-if variants: paths into the resolved scenario, values as YAML reads them, and every
variant validated before anything runs, with errors naming the variant and the path."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.errors import ScenarioError
from simulator.scenario import load_scenario
from simulator.scenario.model import Scenario
from simulator.scenario.variants import expand, parse_vary
from tests.kit import scenario

SCENARIOS = sorted((Path(__file__).parent.parent.parent / "scenarios").glob("*.yaml"))
BURST = """
name: burst
horizon: 1h
fleet: [{service: rekognition, count: 3}]
callers:
  ops: {retry: {mode: standard}}
requests:
  - {service: rekognition, caller: ops, at: 10m}
"""


def _problem(base: Scenario, *specs: str) -> str:
    with pytest.raises(ScenarioError) as raised:
        expand(base, dict(parse_vary(spec) for spec in specs), source="s.yaml")
    return str(raised.value)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_resolved_scenario_validates_again_to_the_same_scenario(path: Path) -> None:
    """Variants are made from the resolved dump: it must mean the scenario it came from."""
    original = load_scenario(path)
    (variant,), baseline = expand(original, {}, source=str(path), base_dir=path.parent)
    assert variant.scenario.model_dump(exclude={"sweep"}) == original.model_dump(exclude={"sweep"})
    assert variant.scenario.sweep is None
    assert baseline == variant.name


def test_values_are_read_as_yaml_scalars() -> None:
    assert parse_vary("a.b=1,5,10") == ("a.b", [1, 5, 10])
    assert parse_vary("mode=legacy,standard") == ("mode", ["legacy", "standard"])
    assert parse_vary("x=20m,true,17:00,1.5") == ("x", ["20m", True, "17:00", 1.5])
    assert parse_vary("t={rate: 1, burst: 2}") == ("t", [{"rate": 1, "burst": 2}])
    with pytest.raises(ScenarioError, match="expected PATH=VALUE"):
        parse_vary("callers.ops.retry.mode")


def test_a_grid_is_every_combination_named_by_short_labels() -> None:
    vary = {"callers.ops.retry.mode": ["standard", "legacy"], "fleet[0].count": [1, 2]}
    variants, baseline = expand(scenario(BURST), vary)
    assert [v.name for v in variants] == [
        "mode=standard,count=1", "mode=standard,count=2", "mode=legacy,count=1",
        "mode=legacy,count=2",
    ]  # fmt: skip
    assert baseline == "mode=standard,count=1"
    last = variants[-1]
    assert dict(last.parameters) == {"callers.ops.retry.mode": "legacy", "fleet[0].count": 2}
    assert last.scenario.callers["ops"].retry.mode == "legacy"
    assert last.scenario.fleet[0].count == 2
    assert last.scenario.seed == variants[0].scenario.seed  # common random numbers


def test_a_path_may_reach_a_default_the_file_never_mentions() -> None:
    vary = {
        "services.rekognition.latency.stop": ["5m"],
        "services.rekognition.throttle.StopProjectVersion.rate": [2],
        "requests.0.at": ["20m"],
    }
    (variant,), _ = expand(scenario(BURST), vary)
    settings = variant.scenario.services.rekognition
    assert settings.latency.stop.mean == 300
    assert settings.throttle["StopProjectVersion"].rate == 2
    assert variant.scenario.requests[0].at == 1200


def test_a_baseline_may_be_named() -> None:
    vary = {"callers.ops.retry.mode": ["standard", "legacy"]}
    assert expand(scenario(BURST), vary, baseline="mode=legacy")[1] == "mode=legacy"
    with pytest.raises(ScenarioError, match="no variant is named 'legasy'"):
        expand(scenario(BURST), vary, baseline="legasy")


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        (["callers.ops.retry.mode=standard,legasy"],
         "s.yaml: variant mode=legasy: callers.ops.retry.mode: Input should be 'legacy', "
         "'standard' or 'adaptive' (got 'legasy')"),
        (["fleet.0.count=2,many"],
         "s.yaml: variant count=many: fleet[0].count: Input should be a valid integer"),
        (["services.rekognition.latency.stoop=1,2"],
         "s.yaml: services.rekognition.latency.stoop: services.rekognition.latency has no "
         "setting 'stoop'; did you mean 'stop'?"),
        (["callers.default.retry.mode=legacy"],
         "s.yaml: callers.default.retry.mode: callers has no 'default'; it has ops"),
        (["services.rekognition.throttle.StopProjectVersoin.rate=1"],
         "variant rate=1: services.rekognition.throttle: unknown operation 'StopProjectVersoin'"),
        (["fleet.3.count=1"], "fleet.3.count: fleet has 1 item(s): expected an index from 0 to 0"),
        (["requests.0.at.minutes=1"], "requests.0.at is a value (600.0), not a block"),
        (["seed=1,2"], "s.yaml: seed: every variant runs on the same seed"),
        (["requests..at=1"], "'requests..at' is not a dotted path"),
    ],
)  # fmt: skip
def test_a_bad_variant_is_an_error_naming_its_path(specs: list[str], expected: str) -> None:
    assert expected in _problem(scenario(BURST), *specs)


def test_every_problem_is_said_together_and_a_bad_path_once() -> None:
    problem = _problem(
        scenario(BURST), "fleet.0.count=1,x", "callers.ops.retry.mode=standard,legasy"
    )
    assert problem.splitlines() == [
        "s.yaml: variant count=1,mode=legasy: callers.ops.retry.mode: Input should be "
        "'legacy', 'standard' or 'adaptive' (got 'legasy')",
        "s.yaml: variant count=x,mode=standard: fleet[0].count: Input should be a valid "
        "integer, unable to parse string as an integer (got 'x')",
        "s.yaml: variant count=x,mode=legasy: fleet[0].count: Input should be a valid "
        "integer, unable to parse string as an integer (got 'x')",
        "s.yaml: variant count=x,mode=legasy: callers.ops.retry.mode: Input should be "
        "'legacy', 'standard' or 'adaptive' (got 'legasy')",
    ]
    bad_path = _problem(scenario(BURST), "fleet.0.cont=1,2,3")
    assert bad_path == (
        "s.yaml: fleet.0.cont: fleet.0 has no setting 'cont'; did you mean 'count' or 'account'?"
    )


def test_a_sweep_block_lists_named_variants_and_its_baseline() -> None:
    base = scenario(
        BURST
        + """
sweep:
  baseline: late
  variants:
    - {name: early, set: {requests.0.at: 5m}}
    - {name: late, set: {requests.0.at: 30m, fleet.0.count: 2}}
"""
    )
    variants, baseline = expand(base)
    assert baseline == "late"
    assert [dict(v.parameters) for v in variants] == [
        {"requests.0.at": "5m", "fleet.0.count": 3},  # the scenario's own count
        {"requests.0.at": "30m", "fleet.0.count": 2},
    ]
    grid, _ = expand(base, {"requests.0.at": ["1m"]})  # --vary replaces the block
    assert [v.name for v in grid] == ["at=1m"]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("sweep: {baseline: a}", ":9: sweep: give `grid` or `variants`, one of them"),
        ("sweep: {grid: {requests.0.at: []}}", ":9: sweep.grid: requests.0.at has no values"),
        ("sweep: {variants: [{name: a, set: {x: 1}}, {name: a, set: {x: 2}}]}",
         ":9: sweep.variants: two variants are named 'a'"),
    ],
)  # fmt: skip
def test_a_malformed_sweep_block_is_a_located_error(block: str, expected: str) -> None:
    with pytest.raises(ScenarioError, match=expected):
        scenario(BURST + block)
