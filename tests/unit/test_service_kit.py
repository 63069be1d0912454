"""The service kit: what every fleet entry and single-step service shares, written once.

Each single-step service's fleet entries go through one `populate`: two entries of one
numbering (a project, a name) continue it instead of repeating ids, each resource starts in
its entry's status with its entry's units, and the service's own index (a project's
versions) lists it. A request names its resource by the operation's `resource_param`
unless the service says otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest

from simulator.services import SERVICES, comprehend, lookoutvision, neptune, rekognition
from simulator.services.kit import FleetEntry, SingleStep, by_name
from tests.kit import build_model

TWO_ENTRIES = """
name: kit
horizon: 1h
fleet:
  - {{service: {service}, count: 2, {named}: x, {status}}}
  - {{service: {service}, count: 1, {named}: x, group: late, {status}}}
  - {{service: {service}, count: 1, {named}: y}}
"""


@pytest.mark.parametrize(
    ("service", "named", "status", "ids", "units"),
    [
        (
            "rekognition",
            "project",
            "status: STOPPED, inference_units: 3",
            [
                f"arn:aws:rekognition:us-east-1:123456789012:project/{p}/version/v{i}/1"
                for p, i in (("x", 0), ("x", 1), ("x", 2), ("y", 0))
            ],
            [3.0, 3.0, 3.0, 1.0],
        ),
        (
            "lookoutvision",
            "project",
            "status: TRAINED, inference_units: 3",
            [
                f"arn:aws:lookoutvision:us-east-1:123456789012:model/{p}/{v}"
                for p, v in (("x", 1), ("x", 2), ("x", 3), ("y", 1))
            ],
            [3.0, 3.0, 3.0, 1.0],
        ),
        (
            "comprehend",
            "name",
            "status: SUBMITTED",
            [
                f"arn:aws:comprehend:us-east-1:123456789012:document-classifier/{n}"
                for n in ("x-0", "x-1", "x-2", "y-0")
            ],
            [1.0, 1.0, 1.0, 1.0],
        ),
    ],
)
def test_fleet_entries_of_one_numbering_continue_it(
    service: str, named: str, status: str, ids: list[str], units: list[float]
) -> None:
    model = build_model(TWO_ENTRIES.format(service=service, named=named, status=status))
    resources = list(model.services[service].resources.values())
    assert [r.id for r in resources] == ids
    assert [r.group for r in resources] == ["x", "x", "late", "y"]
    assert [r.units for r in resources] == units
    entry_status = status.split(",")[0].removeprefix("status: ")
    default = {"rekognition": "RUNNING", "lookoutvision": "HOSTED", "comprehend": "TRAINING"}
    assert [r.status for r in resources] == [entry_status] * 3 + [default[service]]


def test_a_project_index_lists_what_populate_added() -> None:
    """The services that find resources by project see every version the kit added."""
    rekognition_model = build_model(
        TWO_ENTRIES.format(service="rekognition", named="project", status="status: RUNNING")
    )
    versions = rekognition_model.services["rekognition"]
    described = versions.handler("DescribeProjectVersions")(
        {"ProjectArn": "arn:aws:rekognition:us-east-1:123456789012:project/x/1"}
    )
    assert [d["ProjectVersionArn"][-5:] for d in described["ProjectVersionDescriptions"]] == [
        "/v0/1",
        "/v1/1",
        "/v2/1",
    ]
    lookout_model = build_model(
        TWO_ENTRIES.format(service="lookoutvision", named="project", status="status: HOSTED")
    )
    models = lookout_model.services["lookoutvision"]
    latest = models.handler("DescribeModel")({"ProjectName": "x", "ModelVersion": "latest"})
    assert latest["ModelDescription"]["ModelVersion"] == "3"


@pytest.mark.parametrize(
    ("fleet", "named"),
    [
        (rekognition.Fleet(service="rekognition", count=1, project="p"), "p"),
        (lookoutvision.Fleet(service="lookoutvision", count=1, project="p"), "p"),
        (comprehend.Fleet(service="comprehend", count=1, name="p"), "p"),
        (neptune.Fleet(service="neptune", count=1, name="p"), "p"),
    ],
)
def test_a_group_defaults_to_the_entry_s_own_name(fleet: FleetEntry, named: str) -> None:
    assert fleet.group_name == named
    assert fleet.model_copy(update={"group": "g"}).group_name == "g"


def test_every_fleet_entry_names_a_field_for_its_default_group() -> None:
    from simulator.scenario.fleet import Fleet

    entries: Any = Fleet.__origin__  # type: ignore[attr-defined]
    for entry in entries.__args__:
        assert entry.NAMED_BY in entry.model_fields, entry


def test_the_single_step_services_share_one_populate() -> None:
    single = [s for s in SERVICES.values() if issubclass(s, SingleStep)]
    assert sorted(s.name for s in single) == ["comprehend", "lookoutvision", "rekognition"]
    assert all("populate" not in vars(s) for s in single)


@pytest.mark.parametrize(
    ("service", "text", "operation", "expected"),
    [
        (
            "comprehend",
            "{service: comprehend, count: 1}",
            "StopTrainingDocumentClassifier",
            {
                "DocumentClassifierArn": "arn:aws:comprehend:us-east-1:123456789012:"
                "document-classifier/classifier-0",
                "extra": 1,
            },
        ),
        (
            "neptune",
            "{service: neptune, count: 1}",
            "CancelMLModelTrainingJob",
            {"id": "training-0", "extra": 1},
        ),
    ],
)
def test_a_request_names_its_resource_by_the_operation_s_member(
    service: str, text: str, operation: str, expected: dict[str, Any]
) -> None:
    model = build_model(f"name: kit\nhorizon: 1h\nfleet:\n  - {text}\n")
    kind = model.services[service]
    resource = next(iter(kind.resources.values()))
    assert kind.request(operation, resource, extra=1) == expected


def test_operations_are_declared_by_name_once() -> None:
    stop = comprehend.OPERATIONS["StopTrainingDocumentClassifier"]
    describe = comprehend.OPERATIONS["DescribeDocumentClassifier"]
    assert list(by_name(describe, stop)) == [describe.name, stop.name]
    assert by_name(stop)[stop.name] is stop
    with pytest.raises(ValueError, match="StopTrainingDocumentClassifier is declared twice"):
        by_name(stop, describe, stop)
