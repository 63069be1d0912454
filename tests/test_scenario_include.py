"""`include:`: fragments of service settings (what `simulate fit` writes) merged into a
scenario as it loads, each error naming the file it is in."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from simulator.cli import app
from simulator.errors import ScenarioError
from simulator.scenario import load_scenario
from simulator.scenario.include import merge

FRAGMENT = """\
# fitted
services:
  rekognition:
    latency:
      stop: {kind: lognormal, median: 300, p95: 1200}
      start: {kind: fixed, value: 40}
"""
SCENARIO = """\
name: with-fit
horizon: 1h
include: [{include}]
services:
  rekognition:
    latency:
      start: {{kind: fixed, value: 10}}
fleet:
  - {{service: rekognition, project: shop, count: 2, status: RUNNING}}
"""
runner = CliRunner()


def _scenario(tmp_path: Path, fragment: str = FRAGMENT, include: str = "fitted.yaml") -> Path:
    (tmp_path / "fitted.yaml").write_text(fragment)
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO.format(include=include))
    return path


def test_a_fragment_sets_what_the_scenario_does_not(tmp_path: Path) -> None:
    scenario = load_scenario(_scenario(tmp_path))
    latency = scenario.services.rekognition.latency
    assert (latency.stop.kind, latency.stop.median, latency.stop.p95) == ("lognormal", 300, 1200)
    assert (latency.start.kind, latency.start.value) == ("fixed", 10.0)  # the scenario's own
    assert scenario.include == ("fitted.yaml",)


def test_a_resolved_scenario_holds_the_values_and_no_include(tmp_path: Path) -> None:
    dumped = load_scenario(_scenario(tmp_path)).model_dump(mode="json", by_alias=True)
    assert "include" not in dumped
    assert dumped["services"]["rekognition"]["latency"]["stop"]["median"] == 300


def test_later_fragments_override_earlier_and_distributions_replace_whole() -> None:
    first = {"rekognition": {"latency": {"stop": {"kind": "fixed", "value": 5}}, "x": 1}}
    second = {"rekognition": {"latency": {"stop": {"kind": "lognormal", "median": 3, "p95": 9}}}}
    assert merge(first, second) == {
        "rekognition": {"latency": {"stop": {"kind": "lognormal", "median": 3, "p95": 9}}, "x": 1}
    }


def test_an_error_in_a_fragment_names_the_fragment_and_its_line(tmp_path: Path) -> None:
    bad = FRAGMENT.replace("median: 300", "median: -300")
    with pytest.raises(ScenarioError) as error:
        load_scenario(_scenario(tmp_path, bad))
    assert str(error.value).startswith(f"{tmp_path / 'fitted.yaml'}:5: services.rekognition")


def test_a_fragment_holds_only_services(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"fitted.yaml:1: horizon: a fragment holds only"):
        load_scenario(_scenario(tmp_path, "horizon: 2h\n" + FRAGMENT))


def test_a_missing_fragment_names_the_scenarios_line(tmp_path: Path) -> None:
    path = _scenario(tmp_path, include="gone.yaml")
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert str(error.value).startswith(f"{path}:3: include[0]: cannot read the fragment")


def test_validate_accepts_a_fragment_and_refuses_a_bad_one(tmp_path: Path) -> None:
    _scenario(tmp_path)
    result = runner.invoke(app, ["validate", str(tmp_path / "fitted.yaml")])
    assert result.exit_code == 0, result.output
    assert "valid (a fragment of rekognition service settings)" in result.output
    (tmp_path / "bad.yaml").write_text(FRAGMENT.replace("p95: 1200", "p95: 1"))
    result = runner.invoke(app, ["validate", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 2
    assert "bad.yaml:5: services.rekognition.latency.stop" in result.output


def test_the_schema_describes_include() -> None:
    result = runner.invoke(app, ["schema"])
    schema = yaml.safe_load(result.output)
    assert schema["properties"]["include"]["type"] == "array"
