"""A scenario's `region`: the regions AWS has, and who is in which.

Fleet entries and callers default to the scenario's region and may name their own; after
loading each one's `region` is a region's name. An unknown region is one clear error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from botocore.loaders import create_loader
from typer.testing import CliRunner

from simulator.cli import app
from simulator.scenario.model import Scenario
from simulator.scenario.variants import expand
from simulator.services.regions import REGIONS, known_region

runner = CliRunner()
PRICED = {  # the catalogue prices these services in us-east-1 only: a scenario's own rates
    "rekognition": {
        "prices": {"inference": {"usd_per_hour": 4.5}, "training": {"usd_per_hour": 1.5}}
    },
    "lookoutvision": {"prices": {"inference": {"usd_per_hour": 4.5}}},
    "comprehend": {
        "prices": {"training": {"usd_per_hour": 3.5}, "model_management": {"usd_per_hour": 0.1}}
    },
}


def _scenario(**extra: Any) -> Scenario:
    data: dict[str, Any] = {"name": "regions", "horizon": "1h", "services": PRICED, **extra}
    return Scenario.model_validate(data)


def test_the_regions_are_botocores_with_their_partitions() -> None:
    endpoints = create_loader().load_data("endpoints")
    botocore = {
        region: partition["partition"]
        for partition in endpoints["partitions"]
        for region in partition["regions"]
    }
    assert botocore == REGIONS


def test_an_unknown_region_names_the_nearest_known() -> None:
    with pytest.raises(ValueError, match=r"unknown AWS region 'eu-west-9'; nearest: ") as raised:
        known_region("eu-west-9")
    nearest = str(raised.value).partition("nearest: ")[2].split(", ")
    assert set(nearest) == {"eu-west-1", "eu-west-2", "eu-west-3"}
    with pytest.raises(ValueError, match=r"'mars'; e\.g\. us-east-1$"):
        known_region("mars")


def test_fleet_entries_and_callers_take_the_scenarios_region_unless_they_name_one() -> None:
    scenario = _scenario(
        region="eu-west-1",
        fleet=[
            {"service": "rekognition", "count": 1},
            {"service": "lookoutvision", "count": 1, "region": "us-west-2"},
            {"service": "comprehend", "count": 1},
        ],
        callers={"here": {}, "there": {"region": "ap-south-1"}},
    )
    assert [getattr(entry, "region", None) for entry in scenario.fleet] == [
        "eu-west-1", "us-west-2", "eu-west-1"
    ]  # fmt: skip
    assert {name: c.region for name, c in scenario.callers.items()} == {
        "here": "eu-west-1", "there": "ap-south-1"
    }  # fmt: skip
    assert scenario.fleet[0].resource_id(0).startswith("arn:aws:rekognition:eu-west-1:")  # type: ignore[union-attr]


def test_without_a_region_everything_is_in_us_east_1() -> None:
    scenario = _scenario(fleet=[{"service": "comprehend", "count": 1}])
    assert scenario.region == "us-east-1"
    assert scenario.fleet[0].region == "us-east-1"  # type: ignore[union-attr]
    assert scenario.callers["default"].region == "us-east-1"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"region": "eu-west-9"}, "region"),
        ({"fleet": [{"service": "rekognition", "count": 1, "region": "us-est-1"}]}, "fleet"),
        ({"callers": {"c": {"region": "eu-wst-1"}}}, "callers"),
    ],
)
def test_an_unknown_region_anywhere_is_refused(extra: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match="unknown AWS region") as raised:
        _scenario(**extra)
    assert str(raised.value).splitlines()[1].startswith(field)


def test_a_variant_that_changes_the_region_moves_what_inherited_it() -> None:
    scenario = _scenario(
        fleet=[
            {"service": "rekognition", "count": 1},
            {"service": "rekognition", "count": 1, "region": "us-west-2", "group": "w"},
        ],
        callers={"a": {}, "b": {"region": "us-west-2"}},
    )
    variants, _ = expand(scenario, {"region": ["us-east-1", "eu-west-1"]})
    moved = variants[1].scenario
    assert [f.region for f in moved.fleet] == ["eu-west-1", "us-west-2"]  # type: ignore[union-attr]
    assert {n: c.region for n, c in moved.callers.items()} == {"a": "eu-west-1", "b": "us-west-2"}
    assert [f.region for f in variants[0].scenario.fleet] == ["us-east-1", "us-west-2"]  # type: ignore[union-attr]


def test_the_schema_lists_the_regions_and_gives_no_default_where_it_is_inherited() -> None:
    schema = Scenario.model_json_schema(by_alias=True)
    region = schema["properties"]["region"]
    assert region["enum"] == list(REGIONS)
    assert region["default"] == "us-east-1"
    caller = schema["$defs"]["Caller"]["properties"]["region"]
    assert "default" not in caller
    assert caller["enum"] == list(REGIONS)


def test_the_cli_refuses_an_unknown_region_with_one_message_and_status_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: r\nhorizon: 1h\nregion: eu-west-9\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"{path}:3: region: unknown AWS region 'eu-west-9'; nearest: ")


def test_an_arn_names_its_regions_partition() -> None:
    scenario = _scenario(
        region="cn-north-1",
        fleet=[
            {"service": "rekognition", "count": 1, "project": "p"},
            {"service": "lookoutvision", "count": 1, "project": "p", "region": "us-gov-west-1"},
        ],
    )
    rekognition, lookout = scenario.fleet
    assert rekognition.resource_id(0) == (  # type: ignore[union-attr]
        "arn:aws-cn:rekognition:cn-north-1:123456789012:project/p/version/v0/1"
    )
    assert lookout.resource_id(0) == (  # type: ignore[union-attr]
        "arn:aws-us-gov:lookoutvision:us-gov-west-1:123456789012:model/p/1"
    )


WHERE = """
    name: where
    horizon: 1h
    services:
      rekognition: {prices: {inference: {usd_per_hour: 4.4}, training: {usd_per_hour: 1.1}}}
    fleet:
      - {service: rekognition, project: batch, count: 1, region: us-east-1}
      - {service: rekognition, project: live, count: 1, region: eu-west-1}
    requests:
      - {service: rekognition, at: 10m, where: WHERE}
"""


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (
            "{region: us-west-2}",
            "requests[0].where.region: no rekognition fleet entry is in us-west-2; its "
            "entries are in eu-west-1, us-east-1",
        ),
        (
            "{group: batch, region: eu-west-1}",
            "requests[0].where.region: no rekognition fleet entry of group 'batch' is in "
            "eu-west-1; its entries of group 'batch' are in us-east-1",
        ),
    ],
)
def test_a_where_that_selects_no_fleet_entry_is_refused(where: str, message: str) -> None:
    from simulator.errors import ScenarioError
    from tests.kit import scenario

    with pytest.raises(ScenarioError, match=re.escape(message)):
        scenario(WHERE.replace("WHERE", where))
    for selecting in ("{region: eu-west-1}", "{group: batch, region: us-east-1}"):
        assert scenario(WHERE.replace("WHERE", selecting)).requests[0].where.region
