"""Rekognition project versions in tiny simulations with fixed latencies: exact times, dollars."""

from __future__ import annotations

import pytest

from simulator.api.errors import AwsError
from simulator.services.rekognition import Status
from tests.kit import Service, build_model, run

ONE_MODEL = """
name: unit
horizon: 1h
services:
  rekognition:
    latency: {stop: 2m, start: 5m, training: 1h, copying: 1h}
fleet:
  - {service: rekognition, count: 1, project: p}
callers:
  default:
    network: 0.2
    waiter: {delay: 30s}
"""
ARN = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v0/1"
REKOGNITION = Service("rekognition", stop="StopProjectVersion")


def test_a_stop_takes_the_stop_latency_after_the_request_reaches_the_service() -> None:
    tables = run(ONE_MODEL + "requests: [{service: rekognition, at: 10m}]")
    moves = tables["transitions"]
    assert list(moves["to_status"].astype(str)) == ["RUNNING", "STOPPING", "STOPPED"]
    assert moves["time"].tolist() == pytest.approx([0.0, 600.1, 720.1], abs=1e-9)
    stop = tables["stops"].iloc[0]
    assert stop["outcome"] == "STOPPED"
    assert stop["stop_latency_s"] == pytest.approx(120.1, abs=1e-9)
    # Response at 600.2; the waiter polls at once (600.2), then 30 s after each answer:
    # 630.4, 660.6, 690.8, 721.0; that one reaches the service at 721.1 and is back at 721.2.
    assert stop["observed_at"] == pytest.approx(721.2, abs=1e-9)
    assert stop["cost_after_request_usd"] == pytest.approx(120.1 / 3600 * 4.0, rel=1e-12)


def test_a_model_bills_per_inference_unit_while_running_and_stopping() -> None:
    text = ONE_MODEL.replace("project: p}", "project: p, inference_units: 3}")
    tables = run(text + "requests: [{service: rekognition, at: 10m}]")
    costs = tables["costs"]
    assert list(costs["status"].astype(str)) == ["RUNNING", "STOPPING"]
    assert costs["usd"].sum() == pytest.approx(720.1 / 3600 * 3 * 4.0, rel=1e-12)
    assert costs["quantity"].sum() == pytest.approx(720.1 / 3600 * 3, rel=1e-12)


def _handle(status: str, operation: str, params: dict[str, object]) -> dict[str, object]:
    """The answer to a request to the model, built in `status`."""
    text = ONE_MODEL.replace("project: p}", f"project: p, status: {status}}}")
    return REKOGNITION.handle(build_model(text), operation, params)


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        ("RUNNING", "STOPPING"),
        ("STOPPING", "STOPPING"),
        *[
            (s.value, "ResourceInUseException")
            for s in Status
            if s not in {Status.RUNNING, Status.STOPPING, Status.DELETING}
        ],
        ("DELETING", "ResourceNotFoundException"),
    ],
)
def test_a_stop_in_each_status(status: str, answer: str) -> None:
    request = {"ProjectVersionArn": ARN}
    if answer == "STOPPING":
        assert _handle(status, "StopProjectVersion", request) == {"Status": "STOPPING"}
        return
    with pytest.raises(AwsError) as raised:
        _handle(status, "StopProjectVersion", request)
    assert (raised.value.code, raised.value.http_status) == (answer, 400)


def test_a_stop_of_an_unknown_version_is_not_found() -> None:
    unknown = ARN.replace("/v0/", "/v9/")
    with pytest.raises(AwsError, match="ResourceNotFoundException"):
        _handle("RUNNING", "StopProjectVersion", {"ProjectVersionArn": unknown})


@pytest.mark.parametrize(
    ("status", "startable"),
    [
        (s.value, s in {Status.TRAINING_COMPLETED, Status.STOPPED, Status.COPYING_COMPLETED})
        for s in Status
        if s is not Status.DELETING
    ],
)
def test_start_only_from_completed_or_stopped(status: str, startable: bool) -> None:
    params = {"ProjectVersionArn": ARN, "MinInferenceUnits": 2}
    if startable:
        assert _handle(status, "StartProjectVersion", params) == {"Status": "STARTING"}
    else:
        with pytest.raises(AwsError, match="ResourceInUseException"):
            _handle(status, "StartProjectVersion", params)


def test_describe_reports_the_status_units_and_creation_time() -> None:
    response = _handle(
        "RUNNING",
        "DescribeProjectVersions",
        {
            "ProjectArn": "arn:aws:rekognition:us-east-1:123456789012:project/p/1",
            "VersionNames": ["v0"],
        },
    )
    assert response["ProjectVersionDescriptions"] == [
        {
            "ProjectVersionArn": ARN,
            "CreationTimestamp": 0.0,
            "Status": "RUNNING",
            "MinInferenceUnits": 1,
        }
    ]


def test_a_started_model_runs_after_the_start_latency_with_the_requested_units() -> None:
    text = ONE_MODEL.replace("project: p}", "project: p, status: STOPPED}")
    text += """
requests:
  - {service: rekognition, operation: StartProjectVersion, at: 0s,
     parameters: {MinInferenceUnits: 2}}
"""
    tables = run(text)
    moves = tables["transitions"]
    assert list(moves["to_status"].astype(str)) == ["STOPPED", "STARTING", "RUNNING"]
    assert moves["time"].tolist() == pytest.approx([0.0, 0.1, 300.1], abs=1e-9)
    assert moves["units"].tolist() == [1.0, 2.0, 2.0]
    assert tables["costs"]["usd"].sum() == pytest.approx((3600 - 300.1) / 3600 * 2 * 4.0)


def test_start_failure_probability_one_ends_failed() -> None:
    text = ONE_MODEL.replace("project: p}", "project: p, status: STOPPED}").replace(
        "latency:", "start_failure: 1.0\n    latency:"
    )
    text += "requests: [{service: rekognition, operation: StartProjectVersion, at: 0s}]"
    moves = run(text)["transitions"]
    assert list(moves["to_status"].astype(str)) == ["STOPPED", "STARTING", "FAILED"]


def test_training_completes_after_the_training_latency() -> None:
    text = ONE_MODEL.replace("project: p}", "project: p, status: TRAINING_IN_PROGRESS}")
    tables = run(text.replace("training: 1h", "training: 30m"))
    moves = tables["transitions"]
    assert list(moves["to_status"].astype(str)) == ["TRAINING_IN_PROGRESS", "TRAINING_COMPLETED"]
    assert tables["costs"]["item"].astype(str).tolist() == ["training"]
    assert tables["costs"]["usd"].sum() == pytest.approx(0.5)  # $1.00 per training hour


def test_two_fleet_entries_of_one_project_get_distinct_versions() -> None:
    text = """
name: two
horizon: 1h
fleet:
  - {service: rekognition, count: 2}
  - {service: rekognition, count: 3, inference_units: 2}
requests: [{service: rekognition, at: 1m}]
"""
    tables = run(text)
    stops = tables["stops"]
    assert stops["resource_id"].nunique() == 5
    assert sorted(a.rsplit("/", 2)[1] for a in stops["resource_id"].astype(str)) == [
        "v0", "v1", "v2", "v3", "v4"
    ]  # fmt: skip


def test_training_is_billed_per_hour_not_per_inference_unit() -> None:
    text = ONE_MODEL.replace(
        "project: p}", "project: p, status: TRAINING_IN_PROGRESS, inference_units: 5}"
    )
    tables = run(text.replace("training: 1h", "training: 30m"))
    assert tables["costs"]["usd"].sum() == pytest.approx(0.5)


def test_a_response_still_travelling_at_the_horizon_leaves_the_stop_in_flight() -> None:
    text = """
name: slow-network
horizon: 7s
fleet: [{service: rekognition, count: 1}]
callers:
  default: {network: 10s}
requests: [{service: rekognition, at: 0s}]
"""
    stops = run(text)["stops"]
    assert stops["outcome"].astype(str).tolist() == ["in_flight"]
    assert stops["accepted"].isna().all()
