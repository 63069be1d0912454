"""SageMaker's listings: ListPipelines and ListPipelineExecutions, filters, orders, pages."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.build import Model
from tests.kit import Service, build_model, calls, codes, run

PIPELINES = """
name: unit
horizon: 2h
services:
  sagemaker:
    latency: {orchestration: 1}
fleet:
  - service: sagemaker
    pipeline: alpha
    count: 3
    every: 10m
    steps: [{name: work, type: Plain, duration: 5m}]
  - service: sagemaker
    pipeline: beta
    count: 1
    first: 5m
    steps: [{name: work, type: Plain, duration: 1m, failure: 1}]
"""
SAGEMAKER = Service("sagemaker", stop="StopPipelineExecution")
ACCOUNT = "arn:aws:sagemaker:us-east-1:123456789012"
ALPHA, BETA = f"{ACCOUNT}:pipeline/alpha", f"{ACCOUNT}:pipeline/beta"
EXECUTIONS = "ListPipelineExecutions"
PIPELINES_OP = "ListPipelines"


def _at(until: float) -> Model:
    return build_model(PIPELINES, until=until)


def _names(answer: dict[str, Any]) -> list[str]:
    return [p["PipelineName"] for p in answer["PipelineSummaries"]]


def _indices(answer: dict[str, Any]) -> list[str]:
    return [
        e["PipelineExecutionArn"].rsplit("/", 1)[1] for e in answer["PipelineExecutionSummaries"]
    ]


# -- ListPipelines ---------------------------------------------------------------------------


def test_pipelines_with_their_times_newest_first() -> None:
    answer = SAGEMAKER.handle(_at(30 * 60), PIPELINES_OP, {})
    assert answer == {
        "PipelineSummaries": [  # created together: the later-listed first, descending
            {
                "PipelineArn": BETA,
                "PipelineName": "beta",
                "PipelineDisplayName": "beta",
                "CreationTime": 0.0,
                "LastModifiedTime": 0.0,
                "LastExecutionTime": 300.0,
            },
            {
                "PipelineArn": ALPHA,
                "PipelineName": "alpha",
                "PipelineDisplayName": "alpha",
                "CreationTime": 0.0,
                "LastModifiedTime": 0.0,
                "LastExecutionTime": 1200.0,
            },
        ]
    }


def test_a_pipeline_not_yet_executed_has_no_last_execution_time() -> None:
    beta = SAGEMAKER.handle(_at(60), PIPELINES_OP, {"PipelineNamePrefix": "beta"})
    assert "LastExecutionTime" not in beta["PipelineSummaries"][0]
    alpha = SAGEMAKER.handle(_at(60), PIPELINES_OP, {"PipelineNamePrefix": "alpha"})
    assert alpha["PipelineSummaries"][0]["LastExecutionTime"] == 0.0


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"SortOrder": "Ascending"}, ["alpha", "beta"]),
        ({"SortBy": "Name", "SortOrder": "Ascending"}, ["alpha", "beta"]),
        ({"SortBy": "Name"}, ["beta", "alpha"]),
        ({"PipelineNamePrefix": "al"}, ["alpha"]),
        ({"PipelineNamePrefix": "alphabet"}, []),
        ({"ManagedBy": "CUSTOMER"}, ["beta", "alpha"]),
        ({"ManagedBy": "AWS"}, []),
        ({"CreatedAfter": 0.0}, []),  # strictly after
        ({"CreatedAfter": -1.0}, ["beta", "alpha"]),
        ({"CreatedBefore": 0.0}, []),
        ({"CreatedBefore": 1}, ["beta", "alpha"]),
    ],
)
def test_pipelines_filtered_and_sorted(params: dict[str, Any], expected: list[str]) -> None:
    assert _names(SAGEMAKER.handle(_at(0), PIPELINES_OP, params)) == expected


def test_pipelines_page_through() -> None:
    built = _at(0)
    first = SAGEMAKER.handle(built, PIPELINES_OP, {"MaxResults": 1, "SortOrder": "Ascending"})
    assert _names(first) == ["alpha"]
    rest = SAGEMAKER.handle(
        built,
        PIPELINES_OP,
        {"MaxResults": 1, "SortOrder": "Ascending", "NextToken": first["NextToken"]},
    )
    assert _names(rest) == ["beta"]
    assert "NextToken" not in rest
    other = {"MaxResults": 1, "NextToken": first["NextToken"]}  # another order
    assert SAGEMAKER.error(built, PIPELINES_OP, other) == ("ValidationException", 400)


# -- ListPipelineExecutions ----------------------------------------------------------------


def test_executions_of_a_pipeline_newest_first_with_their_status() -> None:
    answer = SAGEMAKER.handle(_at(26 * 60), EXECUTIONS, {"PipelineName": "alpha"})
    assert answer == {
        "PipelineExecutionSummaries": [
            {
                "PipelineExecutionArn": f"{ALPHA}/execution/{index}",
                "StartTime": start,
                "PipelineExecutionStatus": status,
                "PipelineExecutionDisplayName": str(index),
            }
            for index, start, status in (
                (2, 1200.0, "Succeeded"),  # 1 s of orchestration, then 5 min of work
                (1, 600.0, "Succeeded"),
                (0, 0.0, "Succeeded"),
            )
        ]
    }


def test_a_failed_execution_says_why() -> None:
    answer = SAGEMAKER.handle(_at(10 * 60), EXECUTIONS, {"PipelineName": BETA})
    assert answer == {
        "PipelineExecutionSummaries": [
            {
                "PipelineExecutionArn": f"{BETA}/execution/0",
                "StartTime": 300.0,
                "PipelineExecutionStatus": "Failed",
                "PipelineExecutionDisplayName": "0",
                "PipelineExecutionFailureReason": "Step work failed",
            }
        ]
    }


def test_only_started_executions_are_listed() -> None:
    assert SAGEMAKER.handle(_at(60), EXECUTIONS, {"PipelineName": "beta"}) == {
        "PipelineExecutionSummaries": []
    }
    executing = SAGEMAKER.handle(_at(11 * 60), EXECUTIONS, {"PipelineName": "alpha"})
    statuses = [e["PipelineExecutionStatus"] for e in executing["PipelineExecutionSummaries"]]
    assert statuses == ["Executing", "Succeeded"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"SortOrder": "Ascending"}, ["0", "1", "2"]),
        ({"SortBy": "PipelineExecutionArn", "SortOrder": "Ascending"}, ["0", "1", "2"]),
        ({"SortBy": "PipelineExecutionArn"}, ["2", "1", "0"]),
        ({"CreatedAfter": 0.0}, ["2", "1"]),
        ({"CreatedBefore": 600.0}, ["0"]),
        ({"CreatedAfter": 0, "CreatedBefore": 1200}, ["1"]),
    ],
)
def test_executions_filtered_and_sorted(params: dict[str, Any], expected: list[str]) -> None:
    answer = SAGEMAKER.handle(_at(30 * 60), EXECUTIONS, {"PipelineName": "alpha", **params})
    assert _indices(answer) == expected


def test_executions_page_through_with_tokens_bound_to_the_pipeline() -> None:
    built = _at(30 * 60)
    first = SAGEMAKER.handle(built, EXECUTIONS, {"PipelineName": "alpha", "MaxResults": 2})
    assert _indices(first) == ["2", "1"]
    token = first["NextToken"]
    for other in ({"PipelineName": "beta"}, {"PipelineName": "alpha", "SortOrder": "Ascending"}):
        assert SAGEMAKER.error(built, EXECUTIONS, {**other, "NextToken": token}) == (
            "ValidationException",
            400,
        )
    assert SAGEMAKER.error(built, PIPELINES_OP, {"NextToken": token}) == (
        "ValidationException",
        400,
    )
    rest = SAGEMAKER.handle(built, EXECUTIONS, {"PipelineName": "alpha", "NextToken": token})
    assert _indices(rest) == ["0"]
    assert "NextToken" not in rest


def test_the_default_page_is_50() -> None:
    text = PIPELINES.replace("count: 3\n    every: 10m", "count: 51")
    built = build_model(text)
    first = SAGEMAKER.handle(built, EXECUTIONS, {"PipelineName": "alpha"})
    assert len(first["PipelineExecutionSummaries"]) == 50
    rest = SAGEMAKER.handle(
        built, EXECUTIONS, {"PipelineName": "alpha", "NextToken": first["NextToken"]}
    )
    assert _indices(rest) == ["0"]  # all started at 0: descending is the reverse listing


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"PipelineName": "gamma"}, "ResourceNotFound"),
        ({"PipelineName": ALPHA.replace("123456789012", "210987654321")}, "ResourceNotFound"),
        ({"PipelineName": ALPHA.replace("us-east-1", "eu-west-1")}, "ResourceNotFound"),
        ({"PipelineName": "alpha", "PipelineVersionAlias": "prod"}, "ResourceNotFound"),
        ({"PipelineName": "alpha", "MaxResults": 0}, "ValidationException"),
        ({"PipelineName": "alpha", "MaxResults": 101}, "ValidationException"),
        ({"PipelineName": "alpha", "SortBy": "Name"}, "ValidationException"),
        ({"PipelineName": "alpha", "CreatedAfter": "yesterday"}, "ValidationException"),
        ({"PipelineName": "-alpha"}, "ValidationException"),
        ({"PipelineName": ""}, "ValidationException"),
        ({}, "ValidationException"),
    ],
)
def test_execution_listing_refusals(params: dict[str, Any], expected: str) -> None:
    assert SAGEMAKER.error(_at(0), EXECUTIONS, params) == (expected, 400)


def test_the_pipeline_may_be_named_by_its_arn() -> None:
    built = _at(30 * 60)
    by_arn = SAGEMAKER.handle(built, EXECUTIONS, {"PipelineName": ALPHA})
    assert by_arn == SAGEMAKER.handle(built, EXECUTIONS, {"PipelineName": "alpha"})
    assert _indices(by_arn) == ["2", "1", "0"]


# -- from a scenario's request stream ----------------------------------------------------


def test_request_streams_list_the_targets_pipeline() -> None:
    built = _at(0)
    service = built.services["sagemaker"]
    execution = service.resources[f"{ALPHA}/execution/0"]
    assert service.request(EXECUTIONS, execution) == {"PipelineName": "alpha"}
    assert service.request(PIPELINES_OP, execution) == {"PipelineNamePrefix": "alpha"}
    text = PIPELINES + (
        "requests:\n"
        "  - {service: sagemaker, operation: ListPipelineExecutions, at: 30m}\n"
        "  - {service: sagemaker, operation: ListPipelines, at: 31m, count: 1}\n"
    )
    tables = run(text, baseline=False)
    assert codes(calls(tables, EXECUTIONS)) == ["-"] * 4  # one per execution started
    assert codes(calls(tables, PIPELINES_OP)) == ["-"]
