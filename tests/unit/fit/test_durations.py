"""Observed statuses -> each latency's durations: exact, right-censored where the data ends
or where a race ended the clock (Comprehend), and between polls (with a stop request's
time where CloudTrail gives one)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.fit.durations import Clock, clocks, durations
from simulator.fit.observations import ObservationsError, read_observations
from simulator.fit.sample import Sample

DATA = Path(__file__).parents[2] / "data" / "fit"
EIGHT_PM = pd.Timestamp("2026-01-05T20:00:00Z").timestamp()
POLLS, TRAIL = DATA / "rekognition-polls.csv", DATA / "rekognition-cloudtrail.json"


def _table(
    tmp_path: Path, service: str, rows: list[tuple[float, str, str, str]], horizon: float
) -> Path:
    """A run directory whose transitions are `rows` (time, resource, to_status, cause)."""
    run = tmp_path / "run"
    run.mkdir()
    frame = pd.DataFrame(rows, columns=["time", "resource_id", "to_status", "cause"])
    frame.assign(replication=0, service=service).to_csv(run / "transitions.csv", index=False)
    (run / "run.json").write_text("{}")
    (run / "scenario.yaml").write_text(f"name: x\nhorizon: {horizon}\n")
    return run


def _pairs(sample: Sample) -> list[tuple[float, float]]:
    return sorted(zip(sample.low.tolist(), sample.high.tolist(), strict=True))


def test_clocks_come_from_the_services_progressions() -> None:
    stop = next(c for c in clocks("rekognition") if c.latency == "stop")
    assert stop == Clock(
        "stop", frozenset({"STOPPING"}), frozenset({"STOPPING"}), frozenset({"STOPPED"})
    )
    start = next(c for c in clocks("rekognition") if c.latency == "start")
    assert start.ends == {"RUNNING", "FAILED"}  # a failed start took its latency too
    training = next(c for c in clocks("comprehend") if c.latency == "training")
    assert training.through == {"TRAINING", "STOP_REQUESTED"}  # the race: it runs on
    assert {c.latency for c in clocks("sagemaker")} == {"provisioning", "stop"}


def test_exact_times_give_exact_and_right_censored_durations(tmp_path: Path) -> None:
    run = _table(tmp_path, "rekognition", [
        (0.0, "a", "RUNNING", "initial"), (100.0, "a", "STOPPING", "stop"), (400.0, "a", "STOPPED", "stop"),  # noqa: E501
        (0.0, "b", "RUNNING", "initial"), (100.0, "b", "STOPPING", "stop"),
        (0.0, "c", "STOPPING", "initial"), (50.0, "c", "STOPPED", "stop"),
    ], horizon=1000)  # fmt: skip
    stop = durations(read_observations([run]), "rekognition").samples["stop"]
    assert _pairs(stop) == [(50.0, 50.0), (300.0, 300.0), (900.0, math.inf)]
    assert stop.period.tolist() == [0.0, 0.0, 0.0]
    assert sorted(stop.until.tolist()) == [900.0, 900.0, 1000.0]  # horizon - entry


def test_the_comprehend_race_censors_the_clock_that_lost(tmp_path: Path) -> None:
    run = _table(tmp_path, "comprehend", [
        (0.0, "won-by-training", "TRAINING", "initial"),
        (600.0, "won-by-training", "STOP_REQUESTED", "stop"),
        (700.0, "won-by-training", "TRAINED", "training"),
        (0.0, "won-by-stop", "TRAINING", "initial"),
        (600.0, "won-by-stop", "STOP_REQUESTED", "stop"),
        (900.0, "won-by-stop", "STOPPED", "stop"),
    ], horizon=5000)  # fmt: skip
    found = durations(read_observations([run]), "comprehend")
    assert _pairs(found.samples["training"]) == [(700.0, 700.0), (900.0, math.inf)]
    assert _pairs(found.samples["stop"]) == [(100.0, math.inf), (300.0, 300.0)]
    training = found.samples["training"]  # the race says which were censored by it
    assert dict(zip(training.low.tolist(), training.raced.tolist(), strict=True)) == {
        700.0: False,
        900.0: True,
    }
    said = "\n".join(found.notes)
    assert "comprehend stop: 1 ended TRAINED, not STOPPED" in said
    assert "comprehend training: 1 ended STOPPED" in said
    assert "right-censored" in said


def test_polls_give_intervals_between_polls() -> None:
    stop = durations(read_observations([POLLS]), "rekognition")
    sample = stop.samples["stop"]
    # v0: entered in (60, 90], left in (300, 330]; v1: STOPPING never seen between RUNNING
    # at 30 and STOPPED at 60; v3: still STOPPING at its last poll, 30 s after its first
    assert _pairs(sample) == [(0.0, 30.0), (30.0, math.inf), (210.0, 270.0)]
    assert set(sample.period.tolist()) == {30.0}
    assert any("stop: 1 first seen already in STOPPING" in n for n in stop.notes)


def test_a_stop_requests_time_starts_the_clock() -> None:
    found = durations(read_observations([POLLS, TRAIL]), "rekognition")
    # v0 requested at 75: [300 - 75, 330 - 75]; v1 requested at 40, STOPPED by 60
    assert _pairs(found.samples["stop"]) == [(0.0, 20.0), (30.0, math.inf), (225.0, 255.0)]
    assert any("2 stop durations start at a CloudTrail request's time" in n for n in found.notes)


VERSION = "arn:aws:rekognition:us-east-1:123456789012:project/shop/version/v0/1"


def _trail(path: Path, stops: list[tuple[str, dict[str, str], str]], **fields: str) -> Path:
    """A CloudTrail file of the fixture's first record, once per (eventTime,
    requestParameters, eventID), with `fields` (eventSource, ...) replaced."""
    template = {**json.loads(TRAIL.read_text())["Records"][0], **fields}
    records = [
        {**template, "eventTime": time, "requestParameters": members, "eventID": event}
        for time, members, event in stops
    ]
    path.write_text(json.dumps({"Records": records}))
    return path


def test_a_retried_stop_starts_the_clock_at_the_first_request(tmp_path: Path) -> None:
    """Two accepted stops before the first STOPPING poll: the first one stopped the model
    (the second found it STOPPING), so the clock starts at 20:00:05, not 20:00:55."""
    polls = tmp_path / "polls.csv"
    polls.write_text(
        "resource_id,status,time\n"
        f"{VERSION},RUNNING,2026-01-05T20:00:00Z\n{VERSION},STOPPING,2026-01-05T20:01:00Z\n"
        f"{VERSION},STOPPING,2026-01-05T20:02:00Z\n{VERSION},STOPPED,2026-01-05T20:05:00Z\n"
    )
    member = {"projectVersionArn": VERSION}
    trail = _trail(
        tmp_path / "trail.json",
        [("2026-01-05T20:00:05Z", member, "e1"), ("2026-01-05T20:00:55Z", member, "e2")],
    )
    stop = durations(read_observations([polls, trail]), "rekognition").samples["stop"]
    assert _pairs(stop) == [(115.0, 295.0)]


def _polled_stop(path: Path, resource: str, stopping: str, stopped: str) -> Path:
    """Polls at 20:00 (RUNNING), 20:01 and 20:02 (`stopping`), 20:05 (`stopped`)."""
    polls = [("RUNNING", "20:00"), (stopping, "20:01"), (stopping, "20:02"), (stopped, "20:05")]
    path.write_text(
        "resource_id,status,time\n"
        + "".join(f"{resource},{status},2026-01-05T{at}:00Z\n" for status, at in polls)
    )
    return path


def test_a_record_delivered_twice_starts_one_stop(tmp_path: Path) -> None:
    """The same eventID twice (an S3 log and a lookup-events export overlap) is one
    request, as replay sends it once; the note counts it."""
    member = {"projectVersionArn": VERSION}
    trail = _trail(
        tmp_path / "trail.json",
        [("2026-01-05T20:00:05Z", member, "same"), ("2026-01-05T20:00:05Z", member, "same")],
    )
    found = read_observations([trail])
    assert found.requests["time"].tolist() == [EIGHT_PM + 5]
    assert any("1 duplicate eventID" in note for note in found.notes)
    copy = tmp_path / "export.json"
    copy.write_text(trail.read_text())
    assert len(read_observations([trail, copy]).requests) == 1  # in two files: once too


def test_request_members_are_read_as_aws_logs_them(tmp_path: Path) -> None:
    """CloudTrail writes lowerCamelCase requestParameters (projectVersionArn), and replay
    reads only those: a record naming `ProjectVersionArn` is not one AWS writes."""
    trail = _trail(
        tmp_path / "trail.json", [("2026-01-05T20:00:05Z", {"ProjectVersionArn": VERSION}, "e")]
    )
    with pytest.raises(ObservationsError, match="requestParameters do not name the resource"):
        read_observations([trail])


def test_a_lookout_stop_matches_its_model_in_its_region_only(tmp_path: Path) -> None:
    """StopModel names a project and a version: the same names in another region are
    another model, whose stop does not start this one's clock."""
    model = "arn:aws:lookoutvision:us-east-1:123456789012:model/parts/1"
    polls = _polled_stop(tmp_path / "polls.csv", model, "STOPPING_HOSTING", "TRAINED")
    members = {"projectName": "parts", "modelVersion": "1"}
    lookout = {"eventSource": "lookoutvision.amazonaws.com", "eventName": "StopModel"}
    elsewhere = _trail(
        tmp_path / "west.json", [("2026-01-05T20:00:05Z", members, "w")],
        awsRegion="us-west-2", **lookout,
    )  # fmt: skip
    here = _trail(
        tmp_path / "east.json", [("2026-01-05T20:00:35Z", members, "e")],
        awsRegion="us-east-1", **lookout,
    )  # fmt: skip
    stop = durations(read_observations([polls, elsewhere]), "lookoutvision").samples["stop"]
    assert _pairs(stop) == [(60.0, 300.0)]  # between polls: the west stop is not this one's
    stop = durations(read_observations([polls, here]), "lookoutvision").samples["stop"]
    assert _pairs(stop) == [(85.0, 265.0)]


def test_sagemaker_times_job_steps_only() -> None:
    found = durations(read_observations([DATA / "sagemaker-events.jsonl"]), "sagemaker")
    # train provisioned in 120 s; prep still Starting at the last event, 21 min after it
    # began; the Lambda step's instant start is not a provisioning
    assert _pairs(found.samples["provisioning"]) == [(120.0, 120.0), (1260.0, math.inf)]
    assert _pairs(found.samples["stop"]) == [(60.0, 60.0)]  # the step's; not the execution's
    assert any("orchestration: not fitted" in n for n in found.notes)


def test_data_without_the_service_is_an_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ObservationsError) as error:
        durations(read_observations([POLLS]), "comprehend")
    message = str(error.value)
    assert str(POLLS) in message
    assert "no status of a comprehend resource" in message
    assert "the files have rekognition" in message


def test_statuses_that_never_start_a_clock_are_an_error(tmp_path: Path) -> None:
    run = _table(tmp_path, "rekognition", [(0.0, "a", "RUNNING", "initial")], horizon=10)
    with pytest.raises(ObservationsError, match="no rekognition duration of any latency"):
        durations(read_observations([run]), "rekognition")


def test_until_is_never_below_low() -> None:
    sample = durations(read_observations([POLLS, TRAIL]), "rekognition").samples["stop"]
    assert np.all(sample.until >= sample.low)


def test_a_fleet_started_part_way_leaves_its_first_status_unused(tmp_path: Path) -> None:
    """Only the entry with `elapsed:` is left-truncated: the other entry of the service
    entered STOPPING at t=0 and its stop is used."""
    version = "arn:aws:rekognition:us-east-1:123456789012:project/{}/version/v0/1"
    fresh, late = version.format("fresh"), version.format("late")
    run = _table(
        tmp_path,
        "rekognition",
        [
            (0.0, late, "STOPPING", "initial"), (50.0, late, "STOPPED", "stop"),
            (0.0, fresh, "STOPPING", "initial"), (70.0, fresh, "STOPPED", "stop"),
        ],
        horizon=100,
    )  # fmt: skip
    (run / "scenario.yaml").write_text(
        "name: x\nhorizon: 100\nfleet:\n"
        "- {service: rekognition, project: late, count: 1, status: STOPPING, elapsed: 2m}\n"
        "- {service: rekognition, project: fresh, count: 1, status: STOPPING}\n"
    )
    found = durations(read_observations([run]), "rekognition")
    assert _pairs(found.samples["stop"]) == [(70.0, 70.0)]
    assert any("1 first seen already in STOPPING" in note for note in found.notes)


def test_neptune_times_each_stage_on_its_parts(tmp_path: Path) -> None:
    run = _table(tmp_path, "neptune", [
        (0.0, "job-0", "InProgress", "initial"),
        (0.0, "job-0/processing", "InProgress", "initial"),
        (90.0, "job-0/processing", "Completed", "processing"),
        (90.0, "job-0/hpo-0", "InProgress", "initial"),
        (200.0, "job-0/hpo-0", "Stopping", "cancel"),
        (230.0, "job-0/hpo-0", "Stopped", "stop"),
        (200.0, "job-0", "Stopping", "cancel"),
        (230.0, "job-0", "Stopped", "stop"),
    ], horizon=1000)  # fmt: skip
    samples = durations(read_observations([run]), "neptune").samples
    assert _pairs(samples["processing"]) == [(90.0, 90.0)]
    assert _pairs(samples["training"]) == [(110.0, math.inf)]  # cancelled: censored
    assert _pairs(samples["stop"]) == [(30.0, 30.0)]  # the part's, not the job's
    assert samples["transform"].n == 0
