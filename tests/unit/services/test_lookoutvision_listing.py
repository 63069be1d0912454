"""Lookout for Vision's listings: ListProjects and ListModels, page by page."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.build import Model
from tests.kit import Service, build_model, calls, codes, run

PROJECTS = """
name: unit
horizon: 2h
services:
  lookoutvision:
    latency: {stop: 1m, start: 1m, training: 1h}
    prices: {inference: {usd_per_hour: 4.5}}  # no catalogue row prices it in eu-west-1
fleet:
  - {service: lookoutvision, count: 2, project: a}
  - {service: lookoutvision, count: 1, project: b, status: TRAINED}
  - {service: lookoutvision, count: 2, project: a, status: TRAINING}
  - {service: lookoutvision, count: 1, project: a, region: eu-west-1, group: ireland}
callers: {default: {}, ireland: {region: eu-west-1}}
"""
LOOKOUT = Service("lookoutvision", stop="StopModel")
ACCOUNT = "arn:aws:lookoutvision:us-east-1:123456789012"


def _project(name: str, region: str = "us-east-1") -> dict[str, Any]:
    return {
        "ProjectArn": f"arn:aws:lookoutvision:{region}:123456789012:project/{name}",
        "ProjectName": name,
        "CreationTimestamp": 0.0,
    }


def _model(project: str, version: int, status: str) -> dict[str, Any]:
    return {
        "CreationTimestamp": 0.0,
        "ModelVersion": str(version),
        "ModelArn": f"{ACCOUNT}:model/{project}/{version}",
        "Status": status,
    }


def _ask(built: Model, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    return LOOKOUT.handle(built, operation, params)


def test_list_projects_lists_each_project_once_in_creation_order() -> None:
    answer = _ask(build_model(PROJECTS), "ListProjects", {})
    assert answer == {"Projects": [_project("a"), _project("b")]}


def test_each_region_lists_its_own_projects_and_models() -> None:
    built = build_model(PROJECTS)
    ireland = built.clients["ireland"].identity
    answer = built.plane.handle(ireland, "lookoutvision", "ListProjects", {})
    assert answer == {"Projects": [_project("a", "eu-west-1")]}
    models = built.plane.handle(ireland, "lookoutvision", "ListModels", {"ProjectName": "a"})
    assert [m["ModelArn"] for m in models["Models"]] == [
        "arn:aws:lookoutvision:eu-west-1:123456789012:model/a/1"
    ]


def test_list_projects_pages_through() -> None:
    built = build_model(PROJECTS)
    first = _ask(built, "ListProjects", {"MaxResults": 1})
    assert first["Projects"] == [_project("a")]
    last = _ask(built, "ListProjects", {"MaxResults": 1, "NextToken": first["NextToken"]})
    assert last == {"Projects": [_project("b")]}


def test_list_models_lists_a_projects_versions_with_their_statuses() -> None:
    answer = _ask(build_model(PROJECTS), "ListModels", {"ProjectName": "a"})
    assert answer == {
        "Models": [
            _model("a", 1, "HOSTED"),
            _model("a", 2, "HOSTED"),
            _model("a", 3, "TRAINING"),
            _model("a", 4, "TRAINING"),
        ]
    }


def test_list_models_shows_the_status_now() -> None:
    built = build_model(PROJECTS)
    _ask(built, "StopModel", {"ProjectName": "a", "ModelVersion": "2"})
    statuses = [m["Status"] for m in _ask(built, "ListModels", {"ProjectName": "a"})["Models"]]
    assert statuses == ["HOSTED", "STOPPING_HOSTING", "TRAINING", "TRAINING"]
    built.sim.env.run(until=120)
    statuses = [m["Status"] for m in _ask(built, "ListModels", {"ProjectName": "a"})["Models"]]
    assert statuses == ["HOSTED", "TRAINED", "TRAINING", "TRAINING"]


def test_list_models_pages_through_with_tokens_bound_to_the_project() -> None:
    built = build_model(PROJECTS)
    first = _ask(built, "ListModels", {"ProjectName": "a", "MaxResults": 3})
    assert [m["ModelVersion"] for m in first["Models"]] == ["1", "2", "3"]
    token = first["NextToken"]
    assert LOOKOUT.error(built, "ListModels", {"ProjectName": "b", "NextToken": token}) == (
        "ValidationException",
        400,
    )
    assert LOOKOUT.error(built, "ListProjects", {"NextToken": token}) == (
        "ValidationException",
        400,
    )
    rest = _ask(built, "ListModels", {"ProjectName": "a", "NextToken": token})
    assert rest == {"Models": [_model("a", 4, "TRAINING")]}


def test_the_default_page_is_100() -> None:
    text = "name: unit\nhorizon: 1h\nfleet: [{service: lookoutvision, count: 101, project: a}]\n"
    built = build_model(text)
    first = _ask(built, "ListModels", {"ProjectName": "a"})
    assert len(first["Models"]) == 100
    rest = _ask(built, "ListModels", {"ProjectName": "a", "NextToken": first["NextToken"]})
    assert [m["ModelVersion"] for m in rest["Models"]] == ["101"]
    assert "NextToken" not in rest


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        ("ListModels", {"ProjectName": "c"}, ("ResourceNotFoundException", 404)),
        ("ListModels", {"ProjectName": "a", "MaxResults": 0}, ("ValidationException", 400)),
        ("ListModels", {"ProjectName": "a", "MaxResults": 101}, ("ValidationException", 400)),
        ("ListModels", {"ProjectName": "-a"}, ("ValidationException", 400)),
        ("ListProjects", {"NextToken": "a" * 2049}, ("ValidationException", 400)),
        ("ListProjects", {"NextToken": "abc_"}, ("ValidationException", 400)),
        ("ListProjects", {"NextToken": "bm90IGdpdmVu"}, ("ValidationException", 400)),
    ],
)
def test_listing_refusals(
    operation: str, params: dict[str, Any], expected: tuple[str, int]
) -> None:
    assert LOOKOUT.error(build_model(PROJECTS), operation, params) == expected


def test_request_streams_list_the_targets_project() -> None:
    built = build_model(PROJECTS)
    service = built.services["lookoutvision"]
    model = service.resources[f"{ACCOUNT}:model/a/3"]
    assert service.request("ListModels", model, MaxResults=5) == {
        "ProjectName": "a",
        "MaxResults": 5,
    }
    assert service.request("ListProjects", model) == {}
    text = PROJECTS + (
        "requests:\n"
        "  - {service: lookoutvision, operation: ListModels, at: 1m, where: {group: b}}\n"
        "  - {service: lookoutvision, operation: ListProjects, at: 2m, count: 1}\n"
    )
    tables = run(text, baseline=False)
    assert codes(calls(tables, "ListModels")) == ["-"]
    assert codes(calls(tables, "ListProjects")) == ["-"]
