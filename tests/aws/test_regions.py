"""boto3 clients made for two regions reach each region's own resources: the request's
region is its client's `region_name`; a client that names none is in the scenario's region,
and another region's ARN is not found at its endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.aws import _kit
from tests.aws._kit import ACCOUNT, PROJECT_ARN, client, version_arn

IRELAND_PROJECT = f"arn:aws:rekognition:eu-west-1:{ACCOUNT}:project/models/1"
IRELAND_VERSION = f"arn:aws:rekognition:eu-west-1:{ACCOUNT}:project/models/version/v0/1"
SCENARIO = _kit.scenario(
    [{"service": "rekognition", "count": 1, "project": "models", "region": "eu-west-1",
      "group": "models-eu"}],
    rekognition={"prices": {"inference": {"usd_per_hour": 4.5}, "training": {"usd_per_hour": 1.5}}},
)  # fmt: skip


def _status(rekognition: Any, project: str) -> list[tuple[str, str]]:
    described = rekognition.describe_project_versions(ProjectArn=project, VersionNames=["v0"])
    return [(d["ProjectVersionArn"], d["Status"]) for d in described["ProjectVersionDescriptions"]]


def _two_regions() -> dict[str, Any]:
    virginia = client("rekognition", region_name="us-east-1")
    ireland = client("rekognition", region_name="eu-west-1")
    ireland.stop_project_version(ProjectVersionArn=IRELAND_VERSION)
    with pytest.raises(ClientError) as elsewhere:
        virginia.stop_project_version(ProjectVersionArn=IRELAND_VERSION)
    return {
        "ireland": _status(ireland, IRELAND_PROJECT),
        "virginia": _status(virginia, PROJECT_ARN),
        "default": _status(client("rekognition"), PROJECT_ARN),
        "elsewhere": elsewhere.value.response["Error"]["Code"],
        "projects": [
            [p["ProjectArn"] for p in c.describe_projects()["ProjectDescriptions"]]
            for c in (virginia, ireland)
        ],
    }


def test_clients_in_two_regions_reach_each_regions_resources() -> None:
    ran = _kit.in_simulation(_two_regions, scenario=SCENARIO)
    assert ran.value == {
        "ireland": [(IRELAND_VERSION, "STOPPING")],
        "virginia": [(version_arn(0), "RUNNING")],
        "default": [(version_arn(0), "RUNNING")],
        "elsewhere": "ResourceNotFoundException",
        "projects": [[PROJECT_ARN], [IRELAND_PROJECT]],
    }
    stops = ran.tables["calls"]
    stops = stops[stops["operation"].astype(str) == "StopProjectVersion"]
    assert stops[["resource_id", "http_status"]].astype(str).values.tolist() == [
        [IRELAND_VERSION, "200"],
        [IRELAND_VERSION, "400"],
    ]
