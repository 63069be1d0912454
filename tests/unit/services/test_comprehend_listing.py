"""Comprehend's ListDocumentClassifiers: its one-condition Filter, page by page."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.build import Model
from simulator.services.comprehend import Status
from tests.kit import Service, build_model, calls, codes, run

CLASSIFIERS = """
name: unit
horizon: 2h
services:
  comprehend:
    latency: {queue: 5m, training: 1h, stop: 10m}
fleet:
  - {service: comprehend, count: 2, name: alpha}
  - {service: comprehend, count: 1, name: beta, status: SUBMITTED}
"""
PREFIX = "arn:aws:comprehend:us-east-1:123456789012:document-classifier/"
COMPREHEND = Service("comprehend", stop="StopTrainingDocumentClassifier")
LIST = "ListDocumentClassifiers"


def _later(built: Model) -> Model:
    """Two classifiers submitted later: gamma-0 at 100 s, gamma-1 at 200 s (TRAINING)."""
    service = built.services["comprehend"]
    for index, at in enumerate((100.0, 200.0)):
        built.sim.env.run(until=at)
        service.add(f"{PREFIX}gamma-{index}", "gamma", Status.TRAINING, 1.0)
    return built


def _listed(built: Model, params: dict[str, Any]) -> list[tuple[str, str, float]]:
    answer = COMPREHEND.handle(built, LIST, params)
    return [
        (c["DocumentClassifierArn"].removeprefix(PREFIX), c["Status"], c["SubmitTime"])
        for c in answer["DocumentClassifierPropertiesList"]
    ]


def test_every_classifier_with_its_status_and_submit_time() -> None:
    answer = COMPREHEND.handle(build_model(CLASSIFIERS), LIST, {})
    assert answer == {
        "DocumentClassifierPropertiesList": [
            {"DocumentClassifierArn": f"{PREFIX}alpha-0", "Status": "TRAINING", "SubmitTime": 0.0},
            {"DocumentClassifierArn": f"{PREFIX}alpha-1", "Status": "TRAINING", "SubmitTime": 0.0},
            {"DocumentClassifierArn": f"{PREFIX}beta-0", "Status": "SUBMITTED", "SubmitTime": 0.0},
        ]
    }


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"Status": "TRAINING"}, ["alpha-0", "alpha-1", "gamma-0", "gamma-1"]),
        ({"Status": "SUBMITTED"}, ["beta-0"]),
        ({"Status": "STOPPED"}, []),
        ({"DocumentClassifierName": "gamma-1"}, ["gamma-1"]),
        ({"DocumentClassifierName": "gamma"}, []),
        ({"SubmitTimeBefore": 150.0}, ["alpha-0", "alpha-1", "beta-0", "gamma-0"]),
        ({"SubmitTimeBefore": 100.0}, ["alpha-0", "alpha-1", "beta-0"]),  # strictly before
        ({"SubmitTimeBefore": 100}, ["alpha-0", "alpha-1", "beta-0"]),  # an integer time
        ({"SubmitTimeAfter": 0.0}, ["gamma-1", "gamma-0"]),  # newest first
        ({"SubmitTimeAfter": 150.0}, ["gamma-1"]),
        ({}, ["alpha-0", "alpha-1", "beta-0", "gamma-0", "gamma-1"]),
    ],
)
def test_one_filter_condition(condition: dict[str, Any], expected: list[str]) -> None:
    built = _later(build_model(CLASSIFIERS))
    assert [name for name, _, _ in _listed(built, {"Filter": condition})] == expected


def test_submit_times_are_when_each_was_added_and_before_lists_oldest_first() -> None:
    built = _later(build_model(CLASSIFIERS))
    assert _listed(built, {"Filter": {"SubmitTimeBefore": 1e9}})[-2:] == [
        ("gamma-0", "TRAINING", 100.0),
        ("gamma-1", "TRAINING", 200.0),
    ]


def test_the_status_filter_sees_the_status_now() -> None:
    built = build_model(CLASSIFIERS)
    COMPREHEND.handle(
        built, "StopTrainingDocumentClassifier", {"DocumentClassifierArn": f"{PREFIX}alpha-1"}
    )
    assert _listed(built, {"Filter": {"Status": "STOP_REQUESTED"}}) == [
        ("alpha-1", "STOP_REQUESTED", 0.0)
    ]
    built.sim.env.run(until=11 * 60)
    assert _listed(built, {"Filter": {"Status": "TRAINING"}}) == [
        ("alpha-0", "TRAINING", 0.0),
        ("beta-0", "TRAINING", 0.0),
    ]
    assert _listed(built, {"Filter": {"Status": "STOPPED"}}) == [("alpha-1", "STOPPED", 0.0)]


def test_pages_through_with_tokens_bound_to_the_filter() -> None:
    built = _later(build_model(CLASSIFIERS))
    request: dict[str, Any] = {"Filter": {"Status": "TRAINING"}, "MaxResults": 3}
    first = COMPREHEND.handle(built, LIST, request)
    assert len(first["DocumentClassifierPropertiesList"]) == 3
    token = first["NextToken"]
    other = {"Filter": {"Status": "SUBMITTED"}, "NextToken": token}
    assert COMPREHEND.error(built, LIST, other) == ("InvalidRequestException", 400)
    assert COMPREHEND.error(built, LIST, {"NextToken": token}) == ("InvalidRequestException", 400)
    rest = _listed(built, {**request, "NextToken": token})
    assert rest == [("gamma-1", "TRAINING", 200.0)]
    last = COMPREHEND.handle(built, LIST, {**request, "NextToken": token})
    assert "NextToken" not in last


def test_the_default_page_is_100() -> None:
    text = "name: unit\nhorizon: 1h\nfleet: [{service: comprehend, count: 101}]\n"
    built = build_model(text)
    first = COMPREHEND.handle(built, LIST, {})
    assert len(first["DocumentClassifierPropertiesList"]) == 100
    rest = _listed(built, {"NextToken": first["NextToken"]})
    assert [name for name, _, _ in rest] == ["classifier-100"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"Filter": {"Status": "TRAINING", "DocumentClassifierName": "alpha-0"}},
            "InvalidFilterException",
        ),
        ({"Filter": {"SubmitTimeBefore": 1.0, "SubmitTimeAfter": 0.0}}, "InvalidFilterException"),
        ({"Filter": {"Status": "RUNNING"}}, "InvalidRequestException"),
        ({"Filter": {"DocumentClassifierName": "-alpha"}}, "InvalidRequestException"),
        ({"Filter": {"DocumentClassifierName": "a" * 64}}, "InvalidRequestException"),
        ({"Filter": {"SubmitTimeBefore": "yesterday"}}, "InvalidRequestException"),
        ({"Filter": {"Owner": "me"}}, "InvalidRequestException"),
        ({"Filter": "TRAINING"}, "InvalidRequestException"),
        ({"MaxResults": 0}, "InvalidRequestException"),
        ({"MaxResults": 501}, "InvalidRequestException"),
        ({"NextToken": ""}, "InvalidRequestException"),
        ({"NextToken": "bm90IGdpdmVu"}, "InvalidRequestException"),
    ],
)
def test_refusals(params: dict[str, Any], expected: str) -> None:
    assert COMPREHEND.error(build_model(CLASSIFIERS), LIST, params) == (expected, 400)


def test_max_results_500_is_accepted() -> None:
    assert len(_listed(build_model(CLASSIFIERS), {"MaxResults": 500})) == 3


def test_a_request_stream_lists_each_targets_name_or_what_its_parameters_say() -> None:
    built = build_model(CLASSIFIERS)
    service = built.services["comprehend"]
    classifier = service.resources[f"{PREFIX}beta-0"]
    assert service.request(LIST, classifier) == {"Filter": {"DocumentClassifierName": "beta-0"}}
    text = CLASSIFIERS + (
        "requests:\n"
        "  - {service: comprehend, operation: ListDocumentClassifiers, at: 1m}\n"
        "  - service: comprehend\n"
        "    operation: ListDocumentClassifiers\n"
        "    at: 2m\n"
        "    count: 1\n"
        "    parameters: {Filter: {Status: TRAINING, SubmitTimeAfter: 0.0}}\n"
    )
    attempts = calls(run(text, baseline=False), LIST)
    assert codes(attempts) == ["-", "-", "-", "InvalidFilterException"]
