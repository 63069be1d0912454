"""Rekognition's listings: DescribeProjects and DescribeProjectVersions, page by page."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.build import Model
from tests.kit import Service, build_model, calls, codes, run

PROJECTS = """
name: unit
horizon: 1h
fleet:
  - {service: rekognition, count: 2, project: a}
  - {service: rekognition, count: 3, project: b, status: STOPPED}
  - {service: rekognition, count: 1, project: c, account: "210987654321"}
  - {service: rekognition, count: 1, project: a}
  - {service: rekognition, count: 1, project: a, region: eu-west-1, group: ireland}
callers: {default: {}, ireland: {region: eu-west-1}}
services:  # no catalogue row prices Rekognition in eu-west-1
  rekognition: {prices: {inference: {usd_per_hour: 4.5}, training: {usd_per_hour: 1.5}}}
"""
REKOGNITION = Service("rekognition", stop="StopProjectVersion")
ACCOUNT = "arn:aws:rekognition:us-east-1:123456789012"
A, B = f"{ACCOUNT}:project/a/1", f"{ACCOUNT}:project/b/1"
C = "arn:aws:rekognition:us-east-1:210987654321:project/c/1"


def _described(project: str) -> dict[str, Any]:
    return {
        "ProjectArn": project,
        "CreationTimestamp": 0.0,
        "Status": "CREATED",
        "Feature": "CUSTOM_LABELS",
    }


def _ask(built: Model, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    return REKOGNITION.handle(built, operation, params)


def _error(built: Model, operation: str, params: dict[str, Any]) -> tuple[str, int]:
    return REKOGNITION.error(built, operation, params)


# -- DescribeProjects --------------------------------------------------------------------


def test_each_region_describes_its_own_projects_and_versions() -> None:
    built = build_model(PROJECTS)
    ireland = built.clients["ireland"].identity
    project = "arn:aws:rekognition:eu-west-1:123456789012:project/a/1"
    answer = built.plane.handle(ireland, "rekognition", "DescribeProjects", {})
    assert answer == {"ProjectDescriptions": [_described(project)]}
    versions = built.plane.handle(
        ireland, "rekognition", "DescribeProjectVersions", {"ProjectArn": project}
    )
    assert [v["ProjectVersionArn"] for v in versions["ProjectVersionDescriptions"]] == [
        "arn:aws:rekognition:eu-west-1:123456789012:project/a/version/v0/1"
    ]
    assert _error(built, "DescribeProjectVersions", {"ProjectArn": project}) == (
        "ResourceNotFoundException",
        400,
    )


def test_describe_projects_lists_each_project_once_in_creation_order() -> None:
    answer = _ask(build_model(PROJECTS), "DescribeProjects", {})
    assert answer == {"ProjectDescriptions": [_described(A), _described(B), _described(C)]}


@pytest.mark.parametrize(
    ("names", "expected"),
    [(["b"], [B]), (["c", "a"], [A, C]), (["b", "nothing"], [B]), (["nothing"], [])],
)
def test_project_names_keep_the_named_projects(names: list[str], expected: list[str]) -> None:
    answer = _ask(build_model(PROJECTS), "DescribeProjects", {"ProjectNames": names})
    assert answer == {"ProjectDescriptions": [_described(p) for p in expected]}


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        (["CUSTOM_LABELS"], [A, B, C]),
        (["CONTENT_MODERATION"], []),
        (["CONTENT_MODERATION", "CUSTOM_LABELS"], [A, B, C]),
    ],
)
def test_features_find_only_custom_labels_projects(
    features: list[str], expected: list[str]
) -> None:
    answer = _ask(build_model(PROJECTS), "DescribeProjects", {"Features": features})
    assert answer == {"ProjectDescriptions": [_described(p) for p in expected]}


def test_describe_projects_pages_through_with_tokens() -> None:
    built = build_model(PROJECTS)
    first = _ask(built, "DescribeProjects", {"MaxResults": 2})
    assert first["ProjectDescriptions"] == [_described(A), _described(B)]
    token = first["NextToken"]
    assert isinstance(token, str)
    assert 1 <= len(token) <= 1024
    last = _ask(built, "DescribeProjects", {"MaxResults": 2, "NextToken": token})
    assert last == {"ProjectDescriptions": [_described(C)]}  # no NextToken: the last page
    # the same request at the same place is given the same token; the page size may change
    assert _ask(built, "DescribeProjects", {"MaxResults": 2})["NextToken"] == token
    assert _ask(built, "DescribeProjects", {"MaxResults": 1, "NextToken": token}) == last


def test_a_page_exactly_at_the_end_gives_no_token() -> None:
    answer = _ask(build_model(PROJECTS), "DescribeProjects", {"MaxResults": 3})
    assert answer == {"ProjectDescriptions": [_described(A), _described(B), _described(C)]}


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"NextToken": "bm90IGdpdmVu"}, id="never-given"),
        pytest.param({"NextToken": "", "MaxResults": 1}, id="empty"),
        pytest.param({"ProjectNames": ["a", "b"]}, id="other-filter"),
        pytest.param({"Features": ["CUSTOM_LABELS"]}, id="other-features"),
    ],
)
def test_a_token_not_given_for_this_request_is_invalid(params: dict[str, Any]) -> None:
    built = build_model(PROJECTS)
    token = _ask(built, "DescribeProjects", {"MaxResults": 1})["NextToken"]
    request = {"MaxResults": 1, "NextToken": token, **params}
    assert _error(built, "DescribeProjects", request) == ("InvalidPaginationTokenException", 400)


def test_a_token_of_the_other_listing_is_invalid() -> None:
    built = build_model(PROJECTS)
    token = _ask(built, "DescribeProjectVersions", {"ProjectArn": B, "MaxResults": 1})["NextToken"]
    answer = _error(built, "DescribeProjects", {"NextToken": token})
    assert answer == ("InvalidPaginationTokenException", 400)


@pytest.mark.parametrize(
    ("params", "valid"),
    [
        ({"MaxResults": 0}, False),
        ({"MaxResults": 1}, True),
        ({"MaxResults": 100}, True),
        ({"MaxResults": 101}, False),
        ({"NextToken": "x" * 1025}, False),
        ({"ProjectNames": []}, False),
        ({"ProjectNames": ["a"] * 10}, True),
        ({"ProjectNames": ["a"] * 11}, False),
        ({"ProjectNames": [""]}, False),
        ({"ProjectNames": ["a" * 256]}, False),
        ({"ProjectNames": ["!!"]}, False),
        ({"ProjectNames": [7]}, False),
        ({"Features": ["CUSTOM_LABELS", "CONTENT_MODERATION", "CUSTOM_LABELS"]}, False),
        ({"Features": ["FACES"]}, False),
        ({"Features": []}, False),
    ],
)
def test_describe_projects_members_are_validated(params: dict[str, Any], valid: bool) -> None:
    built = build_model(PROJECTS)
    if valid:
        assert "ProjectDescriptions" in _ask(built, "DescribeProjects", params)
    else:
        assert _error(built, "DescribeProjects", params) == ("InvalidParameterException", 400)


# -- DescribeProjectVersions -----------------------------------------------------------------


def _arns(answer: dict[str, Any]) -> list[str]:
    return [
        d["ProjectVersionArn"].split("/version/")[1] for d in answer["ProjectVersionDescriptions"]
    ]


def test_versions_page_through_in_creation_order() -> None:
    built = build_model(PROJECTS)
    first = _ask(built, "DescribeProjectVersions", {"ProjectArn": A, "MaxResults": 2})
    assert _arns(first) == ["v0/1", "v1/1"]
    rest = _ask(
        built,
        "DescribeProjectVersions",
        {"ProjectArn": A, "MaxResults": 2, "NextToken": first["NextToken"]},
    )
    assert _arns(rest) == ["v2/1"]  # the second entry of project a continues its numbering
    assert "NextToken" not in rest
    described = rest["ProjectVersionDescriptions"][0]
    assert described == {
        "ProjectVersionArn": f"{ACCOUNT}:project/a/version/v2/1",
        "CreationTimestamp": 0.0,
        "Status": "RUNNING",
        "MinInferenceUnits": 1,
    }


def test_the_default_page_is_100() -> None:
    text = "name: unit\nhorizon: 1h\nfleet: [{service: rekognition, count: 150, project: a}]\n"
    built = build_model(text)
    first = _ask(built, "DescribeProjectVersions", {"ProjectArn": A})
    assert _arns(first) == [f"v{i}/1" for i in range(100)]
    rest = _ask(
        built, "DescribeProjectVersions", {"ProjectArn": A, "NextToken": first["NextToken"]}
    )
    assert _arns(rest) == [f"v{i}/1" for i in range(100, 150)]
    assert "NextToken" not in rest


def test_version_names_are_paged_in_creation_order_once_each() -> None:
    built = build_model(PROJECTS)
    request = {"ProjectArn": B, "VersionNames": ["v2", "v0", "nothing", "v2"], "MaxResults": 1}
    first = _ask(built, "DescribeProjectVersions", request)
    assert _arns(first) == ["v2/1"]
    second = _ask(built, "DescribeProjectVersions", {**request, "NextToken": first["NextToken"]})
    assert _arns(second) == ["v0/1"]
    assert "NextToken" not in second
    assert [d["Status"] for d in second["ProjectVersionDescriptions"]] == ["STOPPED"]


def test_one_version_name_is_one_page_without_a_token() -> None:
    built = build_model(PROJECTS)
    answer = _ask(
        built, "DescribeProjectVersions", {"ProjectArn": B, "VersionNames": ["v1"], "MaxResults": 1}
    )
    assert _arns(answer) == ["v1/1"]
    assert "NextToken" not in answer
    missing = _ask(built, "DescribeProjectVersions", {"ProjectArn": B, "VersionNames": ["v9"]})
    assert missing == {"ProjectVersionDescriptions": []}


def test_a_version_token_is_bound_to_its_project_and_names() -> None:
    built = build_model(PROJECTS)
    token = _ask(built, "DescribeProjectVersions", {"ProjectArn": B, "MaxResults": 1})["NextToken"]
    for request in (
        {"ProjectArn": A, "NextToken": token},
        {"ProjectArn": B, "VersionNames": ["v0"], "NextToken": token},
        {"ProjectArn": B, "VersionNames": ["v0", "v1"], "NextToken": token},
        {"ProjectArn": B, "NextToken": token + "x"},
    ):
        assert _error(built, "DescribeProjectVersions", request) == (
            "InvalidPaginationTokenException",
            400,
        )
    answer = _ask(built, "DescribeProjectVersions", {"ProjectArn": B, "NextToken": token})
    assert _arns(answer) == ["v1/1", "v2/1"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"ProjectArn": f"{ACCOUNT}:project/other/1"}, ("ResourceNotFoundException", 400)),
        ({"ProjectArn": A, "MaxResults": 0}, ("InvalidParameterException", 400)),
        ({"ProjectArn": A, "MaxResults": 101}, ("InvalidParameterException", 400)),
        ({"ProjectArn": A, "VersionNames": ["v" * 256]}, ("InvalidParameterException", 400)),
        ({"ProjectArn": A, "VersionNames": ["??"]}, ("InvalidParameterException", 400)),
        ({"ProjectArn": A, "VersionNames": ["v0"] * 11}, ("InvalidParameterException", 400)),
    ],
)
def test_describe_project_versions_refusals(
    params: dict[str, Any], expected: tuple[str, int]
) -> None:
    assert _error(build_model(PROJECTS), "DescribeProjectVersions", params) == expected


# -- from a scenario's request stream ----------------------------------------------------


def test_a_request_stream_describes_the_project_of_each_target() -> None:
    text = PROJECTS + "requests:\n  - {service: rekognition, operation: DescribeProjects, at: 1m}\n"
    built = build_model(text)
    version = built.services["rekognition"].resources[f"{ACCOUNT}:project/b/version/v1/1"]
    assert built.services["rekognition"].request("DescribeProjects", version) == {
        "ProjectNames": ["b"]
    }
    attempts = calls(run(text, baseline=False), "DescribeProjects")
    assert len(attempts) == 8  # one per version, each answered (eu-west-1's by its endpoint)
    assert codes(attempts) == ["-"] * 8
