"""Round-trip cases of the single-step services: Rekognition Custom Labels, Lookout for
Vision and Comprehend (see `_round_trip.py`). Times: a 0.2 s round trip, the latencies of
`_kit.SCENARIO`."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.aws._kit import (
    LOOKOUT_PROJECT_ARN,
    PROJECT_ARN,
    at,
    classifier_arn,
    client,
    model_arn,
    now,
    version_arn,
)
from tests.aws._round_trip import assert_moment, body, case, status_code

# -- Rekognition Custom Labels ---------------------------------------------------------------


def _versions(rekognition: Any, *names: str) -> list[tuple[str, str, int]]:
    found = rekognition.describe_project_versions(ProjectArn=PROJECT_ARN, VersionNames=list(names))
    return [
        (v["ProjectVersionArn"], v["Status"], v["MinInferenceUnits"])
        for v in found["ProjectVersionDescriptions"]
    ]


@case("rekognition", "StopProjectVersion")
def _stop_project_version() -> None:
    rekognition = client("rekognition")
    answer = rekognition.stop_project_version(ProjectVersionArn=version_arn(0))
    assert (status_code(answer), body(answer)) == (200, {"Status": "STOPPING"})
    assert now() == pytest.approx(0.2)
    time.sleep(120)  # the stop's fixed 120 s ran from t=0.1, when the service had it
    assert _versions(rekognition, "v0", "v1") == [
        (version_arn(0), "STOPPED", 1),
        (version_arn(1), "RUNNING", 1),
    ]


@case("rekognition", "StartProjectVersion")
def _start_project_version() -> None:
    rekognition = client("rekognition")
    answer = rekognition.start_project_version(
        ProjectVersionArn=version_arn(2), MinInferenceUnits=3
    )
    assert (status_code(answer), body(answer)) == (200, {"Status": "STARTING"})
    time.sleep(299.7)  # the answer came at 0.2, the start ends at 300.1: this poll is
    assert _versions(rekognition, "v2") == [(version_arn(2), "STARTING", 3)]  # there at 300
    time.sleep(0.2)
    assert _versions(rekognition, "v2") == [(version_arn(2), "RUNNING", 3)]


@case("rekognition", "DescribeProjectVersions")
def _describe_project_versions() -> None:
    rekognition = client("rekognition")
    pages = rekognition.get_paginator("describe_project_versions").paginate(
        ProjectArn=PROJECT_ARN, PaginationConfig={"PageSize": 2}
    )
    listed = [page["ProjectVersionDescriptions"] for page in pages]
    assert [[v["ProjectVersionArn"] for v in page] for page in listed] == [
        [version_arn(0), version_arn(1)],
        [version_arn(2)],
    ]
    versions = [v for page in listed for v in page]
    assert [v["Status"] for v in versions] == ["RUNNING", "RUNNING", "TRAINING_COMPLETED"]
    for version in versions:
        assert_moment(version["CreationTimestamp"], 0.0)
    assert now() == pytest.approx(0.4)  # two pages, one round trip each


@case("rekognition", "DescribeProjects")
def _describe_projects() -> None:
    answer = client("rekognition").describe_projects(MaxResults=5)
    assert "NextToken" not in answer
    [project] = answer["ProjectDescriptions"]
    assert_moment(project.pop("CreationTimestamp"), 0.0)
    assert project == {"ProjectArn": PROJECT_ARN, "Status": "CREATED", "Feature": "CUSTOM_LABELS"}


# -- Lookout for Vision ----------------------------------------------------------------------


def _model_status(lookout: Any, version: str) -> str:
    described = lookout.describe_model(ProjectName="inspection", ModelVersion=version)
    return str(described["ModelDescription"]["Status"])


@case("lookoutvision", "StopModel")
def _stop_model() -> None:
    lookout = client("lookoutvision")
    answer = lookout.stop_model(ProjectName="inspection", ModelVersion="1")
    assert (status_code(answer), body(answer)) == (202, {"Status": "STOPPING_HOSTING"})
    time.sleep(120)
    assert _model_status(lookout, "1") == "TRAINED"
    assert _model_status(lookout, "2") == "HOSTED"


@case("lookoutvision", "StartModel")
def _start_model() -> None:
    lookout = client("lookoutvision")
    answer = lookout.start_model(ProjectName="inspection", ModelVersion="3", MinInferenceUnits=2)
    assert (status_code(answer), body(answer)) == (202, {"Status": "STARTING_HOSTING"})
    time.sleep(300)
    assert _model_status(lookout, "latest") == "HOSTED"


@case("lookoutvision", "DescribeModel")
def _describe_model() -> None:
    answer = client("lookoutvision").describe_model(ProjectName="inspection", ModelVersion="2")
    assert body(answer) == {
        "ModelDescription": {
            "ModelVersion": "2",
            "ModelArn": model_arn(2),
            "Status": "HOSTED",
            "MinInferenceUnits": 1,
        }
    }


@case("lookoutvision", "ListProjects")
def _list_projects() -> None:
    answer = client("lookoutvision").list_projects(MaxResults=10)
    [project] = answer["Projects"]
    assert_moment(project.pop("CreationTimestamp"), 0.0)
    assert project == {"ProjectArn": LOOKOUT_PROJECT_ARN, "ProjectName": "inspection"}
    assert "NextToken" not in answer


@case("lookoutvision", "ListModels")
def _list_models() -> None:
    lookout = client("lookoutvision")
    first = lookout.list_models(ProjectName="inspection", MaxResults=2)
    second = lookout.list_models(
        ProjectName="inspection", MaxResults=2, NextToken=first["NextToken"]
    )
    assert "NextToken" not in second
    models = first["Models"] + second["Models"]
    assert [(m["ModelVersion"], m["ModelArn"], m["Status"]) for m in models] == [
        ("1", model_arn(1), "HOSTED"),
        ("2", model_arn(2), "HOSTED"),
        ("3", model_arn(3), "TRAINED"),
    ]
    for model in models:
        assert_moment(model["CreationTimestamp"], 0.0)


# -- Comprehend ------------------------------------------------------------------------------


@case("comprehend", "StopTrainingDocumentClassifier")
def _stop_training() -> None:
    comprehend = client("comprehend")
    time.sleep(60)  # queued until 60, training until 660
    answer = comprehend.stop_training_document_classifier(DocumentClassifierArn=classifier_arn(0))
    assert (status_code(answer), body(answer)) == (200, {})
    time.sleep(300)  # the stop's fixed 300 s from 60.1 ends before the training would
    described = comprehend.describe_document_classifier(DocumentClassifierArn=classifier_arn(0))
    assert described["DocumentClassifierProperties"]["Status"] == "STOPPED"


@case("comprehend", "DescribeDocumentClassifier")
def _describe_classifier() -> None:
    comprehend = client("comprehend")
    statuses = []
    for wait in (0, 600, 60):  # queued until 60, training until 660
        time.sleep(wait)
        described = comprehend.describe_document_classifier(DocumentClassifierArn=classifier_arn(1))
        statuses.append(described["DocumentClassifierProperties"]["Status"])
    assert statuses == ["SUBMITTED", "TRAINING", "TRAINED"]
    assert body(described) == {
        "DocumentClassifierProperties": {
            "DocumentClassifierArn": classifier_arn(1),
            "Status": "TRAINED",
        }
    }


@case("comprehend", "ListDocumentClassifiers")
def _list_classifiers() -> None:
    comprehend = client("comprehend")
    time.sleep(60)
    first = comprehend.list_document_classifiers(Filter={"Status": "TRAINING"}, MaxResults=1)
    second = comprehend.list_document_classifiers(
        Filter={"Status": "TRAINING"}, MaxResults=1, NextToken=first["NextToken"]
    )
    listed = first["DocumentClassifierPropertiesList"] + second["DocumentClassifierPropertiesList"]
    assert [(c["DocumentClassifierArn"], c["Status"]) for c in listed] == [
        (classifier_arn(0), "TRAINING"),
        (classifier_arn(1), "TRAINING"),
    ]
    assert "NextToken" not in second
    for classifier in listed:
        assert_moment(classifier["SubmitTime"], 0.0)
    # a moment in the request is read back as simulated seconds: submitted at 0, not after
    after = comprehend.list_document_classifiers(Filter={"SubmitTimeAfter": at(0)})
    before = comprehend.list_document_classifiers(Filter={"SubmitTimeBefore": at(1)})
    assert after["DocumentClassifierPropertiesList"] == []
    assert len(before["DocumentClassifierPropertiesList"]) == 2
