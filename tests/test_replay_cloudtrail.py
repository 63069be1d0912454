"""Replaying the user's own logs (`replay: {cloudtrail: ...}` / `{eventbridge: ...}`): the
fixtures of tests/data, written to AWS's record format, replay into the expected stops, with
every record not replayed counted, each principal sent as its caller, the log's resources
matched to the fleet (or added), and the log's failed stops beside the simulation's."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

import simulator
from simulator.awslogs.cloudtrail import read_cloudtrail
from simulator.cli import app
from simulator.errors import ScenarioError
from simulator.results import load_results
from simulator.scenario import load_scenario
from simulator.scenario.log_fleet import FROM_LOG, match, slots
from simulator.scenario.log_records import cloudtrail_requests
from simulator.scenario.logs import LogReplay
from simulator.services import rekognition

DATA = Path(__file__).parent / "data"
S3 = DATA / "cloudtrail" / "s3"
PREFIX = "arn:aws:rekognition:us-east-1:123456789012:project/shelf-detector/version"
STOPPER = "arn:aws:sts::123456789012:assumed-role/nightly-stopper/nightly-stopper-fn"
ALICE = "arn:aws:iam::123456789012:user/alice"
V4 = f"{PREFIX}/shelf-detector.2025-12-15T08.21.33/1765786893000"

REKOGNITION = f"""
name: cloudtrail-replay
horizon: 14h
start: 2026-01-05T19:00:00Z
services:
  rekognition:
    latency:
      stop: {{kind: fixed, value: 60s}}
      start: {{kind: fixed, value: 5m}}
fleet:
  - service: rekognition
    project: shelf-detector
    count: 3
callers:
  default: {{}}
  nightly:
    principals: ["arn:aws:sts::123456789012:assumed-role/nightly-stopper/*"]
requests:
  - name: from-cloudtrail
    service: rekognition
    replay: {{cloudtrail: {S3}}}
"""
PIPELINE = """
name: eventbridge-replay
horizon: 6h
start: 2026-01-05T19:00:00Z
fleet:
  - service: sagemaker
    pipeline: nightly-train
    count: 2
    first: 1h
    steps:
      - {name: train, type: Training, instance_type: ml.m5.xlarge,
         duration: {kind: fixed, value: 3h}}
requests:
  - name: from-events
    service: sagemaker
    replay: {eventbridge: EVENTS}
"""


def scenario(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def refused(result: Result, *expected: str) -> str:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    flat = " ".join(result.output.split())
    for text in expected:
        assert " ".join(text.split()) in flat, result.output
    return result.output


def test_a_trail_s_stops_and_starts_become_requests_at_their_times_from_their_callers(
    tmp_path: Path,
) -> None:
    loaded = load_scenario(scenario(tmp_path, REKOGNITION))
    replay = loaded.operation_stream(0).replay
    assert isinstance(replay, LogReplay)
    trace = replay.trace
    assert [t.isoformat() for t in trace["time"]] == [
        "2026-01-05T20:00:03+00:00",
        "2026-01-05T20:00:04+00:00",
        "2026-01-05T20:00:04+00:00",
        "2026-01-05T20:06:10+00:00",
        "2026-01-05T20:06:25+00:00",
        "2026-01-06T08:01:30+00:00",
    ]
    assert list(trace["operation"]) == ["StopProjectVersion"] * 5 + ["StartProjectVersion"]
    assert list(trace["caller"]) == ["nightly"] * 3 + ["default"] * 3
    ids = [f"{PREFIX}/v{i}/1" for i in range(3)]  # the fleet's, in the order the log names them
    assert list(trace["resource"]) == [ids[0], ids[1], ids[2], ids[1], V4, ids[0]]
    assert list(trace["parameters"]) == [  # the log's ARN only where the fleet lacks it
        *[{}] * 4,
        {"ProjectVersionArn": V4},
        {"MinInferenceUnits": 1},
    ]
    assert list(trace["recorded_error_code"].fillna("-")) == ["-"] * 3 + [
        "ResourceInUseException",
        "-",
        "-",
    ]
    report = replay.report
    assert report.records == 13
    assert dict(report.replayed) == {"StopProjectVersion": 5, "StartProjectVersion": 1}
    assert sum(report.ignored.values()) == 7
    assert {(o, n): c for (o, n, _), c in report.ignored.items()} == {
        ("sts.amazonaws.com", "AssumeRole"): 1,
        ("rekognition.amazonaws.com", "DescribeProjects"): 1,
        ("rekognition.amazonaws.com", "DescribeProjectVersions"): 2,
        ("lookoutvision.amazonaws.com", "StopModel"): 1,
        ("s3.amazonaws.com", "GetObject"): 1,
        ("kms.amazonaws.com", "Decrypt"): 1,
    }
    assert report.principals == {STOPPER: ("nightly", 3), ALICE: ("default", 3)}
    assert dict(report.resources) == {"name": 3}
    assert report.missing == (V4,)
    ignored = next(line for line in report.lines() if line[0] == "ignored")
    assert ignored[:2] == ("ignored", 7)
    assert ignored[2].startswith("records of 6 other operation(s): sts: AssumeRole 1; ")


def test_the_replayed_stops_end_as_the_fleet_allows_and_are_compared_with_the_log(
    tmp_path: Path,
) -> None:
    results = simulator.run(scenario(tmp_path, REKOGNITION))
    stops = results.stops
    assert list(stops["requested_at"]) == [3603.0, 3604.0, 3604.0, 3970.0, 3985.0]
    assert list(stops["accepted"]) == [True, True, True, False, False]
    # alice's second stop of v1 finds it STOPPED (a 60 s stop), as the log says it did;
    # the version the fleet lacks is not found, where the log's stop succeeded
    assert list(stops["error_code"].astype(object).fillna("-")) == [
        "-",
        "-",
        "-",
        "ResourceInUseException",
        "ResourceNotFoundException",
    ]
    compared = results.replayed()
    assert compared.to_dict("records") == [
        {
            "stream": "from-cloudtrail",
            "service": "rekognition",
            "stops": 5,
            "failed_in_log": 1,
            "rejected_in_simulation": 2.0,
            "same_outcome": 4.0,
            "log_error_codes": "ResourceInUseException 1",
            "simulated_error_codes": "ResourceInUseException 1, ResourceNotFoundException 1",
        }
    ]
    starts = results.calls[results.calls["operation"] == "StartProjectVersion"]
    assert list(starts["time"]) == [46890.0]  # 08:01:30 the next day
    assert list(starts["error_code"].isna()) == [True]


def test_add_missing_adds_the_version_the_fleet_lacks_running_and_reads_back_alike(
    tmp_path: Path,
) -> None:
    text = REKOGNITION.replace(f"{{cloudtrail: {S3}}}", f"{{cloudtrail: {S3}, add_missing: true}}")
    loaded = load_scenario(scenario(tmp_path, text))
    added = loaded.fleet[-1]
    assert (added.group, added.count, added.status) == (FROM_LOG, 1, "RUNNING")
    assert getattr(added, "project", None) == "shelf-detector"
    replay = loaded.operation_stream(0).replay
    assert isinstance(replay, LogReplay)
    assert replay.trace["resource"].iloc[4] == f"{PREFIX}/v3/1"
    assert dict(replay.report.resources) == {"name": 3, "added": 1}
    assert replay.report.missing == ()
    results = simulator.run(loaded)
    assert list(results.stops["accepted"]) == [True, True, True, False, True]
    assert results.replayed()["same_outcome"].tolist() == [5.0]
    again = load_results(results.save(tmp_path / "run"))
    kept = again.scenario.operation_stream(0).replay
    assert isinstance(kept, LogReplay)
    assert kept.path.parent == tmp_path / "run" / "traces"  # one file of the folder's records
    assert len(again.scenario.fleet) == 2  # the added entry is read, not added again
    pd.testing.assert_frame_equal(kept.trace.drop(columns="row"), replay.trace.drop(columns="row"))
    assert kept.report.lines()[1:] == replay.report.lines()[1:]
    pd.testing.assert_frame_equal(again.replayed(), results.replayed())


@pytest.mark.parametrize(
    "name", ["sagemaker-pipeline-events.jsonl", "sagemaker-pipeline-events.json"]
)
def test_a_pipeline_s_change_to_stopping_is_replayed_as_its_stop(tmp_path: Path, name: str) -> None:
    path = scenario(tmp_path, PIPELINE.replace("EVENTS", str(DATA / "eventbridge" / name)))
    results = simulator.run(path)
    replay = results.scenario.operation_stream(0).replay
    assert isinstance(replay, LogReplay)
    trace = replay.trace
    execution = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/nightly-train/execution"
    assert trace[["operation", "resource", "caller"]].to_dict("records") == [
        {"operation": "StopPipelineExecution", "resource": f"{execution}/0", "caller": "default"}
    ]
    assert trace["log_resource"].tolist() == [f"{execution}/4x9qk2m7zr1p"]
    report = replay.report
    assert (report.records, sum(report.ignored.values())) == (12, 11)
    names = {name: count for (_, name, _), count in report.ignored.items()}
    status = "SageMaker Model Building Pipeline Execution Status Change"
    assert names == {
        "Scheduled Event": 1,
        f"{status}: Executing": 2,
        "SageMaker Model Building Pipeline Execution Step Status Change": 5,
        "SageMaker Training Job State Change": 1,
        f"{status}: Stopped": 1,
        f"{status}: Succeeded": 1,
    }
    stops = results.stops
    assert stops["requested_at"].tolist() == [9012.0]  # 21:30:12, from 19:00
    assert stops["accepted"].tolist() == [True]
    assert stops["terminal_status"].astype(str).tolist() == ["Stopped"]


LOOKUP_FLEETS = {
    "lookoutvision": (
        "{service: lookoutvision, project: weld-inspection, count: 2}",
        "arn:aws:lookoutvision:us-east-1:123456789012:model/weld-inspection/2",  # by id
        {"ClientToken": "0d8f5c1e-7a3b-4f0e-9c2d-5b6a1e8f3c40"},
    ),
    "comprehend": (
        "{service: comprehend, name: ticket-router, count: 1, status: TRAINING}",
        "arn:aws:comprehend:us-east-1:123456789012:document-classifier/ticket-router-0",
        {},
    ),
    "sagemaker": (
        "{service: sagemaker, pipeline: nightly-train, count: 1, steps: [{name: train, "
        "type: Training, instance_type: ml.m5.xlarge, duration: {kind: fixed, value: 3h}}]}",
        "arn:aws:sagemaker:us-east-1:123456789012:pipeline/nightly-train/execution/0",
        {"ClientRequestToken": "5c0b3e2a-9d8f-4b1e-a7c6-2f4e8d1b3a95"},
    ),
}


@pytest.mark.parametrize("service", LOOKUP_FLEETS)
def test_a_lookup_events_export_replays_each_service_s_stop(tmp_path: Path, service: str) -> None:
    fleet, resource, parameters = LOOKUP_FLEETS[service]
    text = f"""
    name: lookup
    horizon: 2h
    start: 2026-01-05T19:00:00Z
    fleet: [{fleet}]
    requests:
      - service: {service}
        replay: {{cloudtrail: {DATA / "cloudtrail" / "lookup-events.json"}}}
    """
    replay = load_scenario(scenario(tmp_path, text)).operation_stream(0).replay
    assert isinstance(replay, LogReplay)
    assert replay.trace[["resource", "parameters"]].to_dict("records") == [
        {"resource": resource, "parameters": parameters}
    ]
    assert (replay.report.records, sum(replay.report.ignored.values())) == (4, 3)
    assert dict(replay.report.resources) == {"id" if service == "lookoutvision" else "name": 1}


def test_run_prints_what_the_log_held_and_the_comparison(tmp_path: Path) -> None:
    path = scenario(tmp_path, REKOGNITION)
    shown = invoke("run", str(path), "--out", str(tmp_path / "run"))
    assert shown.exit_code == 0, shown.output
    flat = " ".join(shown.output.split())
    assert "from-cloudtrail: what the log held" in flat
    assert "records of 6 other operation(s): sts: AssumeRole 1;" in flat
    assert "stops: the log against the simulation" in flat
    assert "resources the fleet lacks" in flat
    assert V4 in "".join(shown.output.split())  # listed (wrapped to the width)


@pytest.mark.slow  # a report draws its figures
def test_report_shows_the_replay_again_from_the_run_directory(tmp_path: Path) -> None:
    ran = invoke("run", str(scenario(tmp_path, REKOGNITION)), "--out", str(tmp_path / "run"))
    assert ran.exit_code == 0, ran.output
    as_json = json.loads(invoke("report", str(tmp_path / "run"), "--json").stdout)
    lines = {line["what"]: line["records"] for line in as_json["replayed_logs"][0]["lines"]}
    assert (lines["replayed"], lines["ignored"], lines["resources the fleet lacks"]) == (6, 7, 1)
    assert as_json["replayed_stops"][0]["rejected_in_simulation"] == 2.0


# -- bad input: one message naming the file and the field, exit code 2 -----------------------


def _copy_log(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    shutil.copytree(S3, folder)
    return folder


def _one_file(folder: Path) -> Path:
    return next(folder.rglob("*_Pm7cVb2nRt5yUe9K.json"))


def test_a_malformed_log_file_is_named(tmp_path: Path) -> None:
    folder = _copy_log(tmp_path)
    broken = _one_file(folder)
    broken.write_text(broken.read_text()[:-40])
    path = scenario(tmp_path, REKOGNITION.replace(str(S3), str(folder)))
    refused(invoke("validate", str(path)), f"{broken} line 1 column", "not valid JSON")


def test_a_record_without_event_time_is_named_by_file_index_and_field(tmp_path: Path) -> None:
    folder = _copy_log(tmp_path)
    file = _one_file(folder)
    log = json.loads(file.read_text())
    del log["Records"][1]["eventTime"]
    file.write_text(json.dumps(log))
    path = scenario(tmp_path, REKOGNITION.replace(str(S3), str(folder)))
    refused(invoke("run", str(path)), f"{file} Records[1]: no eventTime (expected an ISO 8601")


def test_an_unknown_operation_of_a_known_service_is_named(tmp_path: Path) -> None:
    text = REKOGNITION.replace(
        f"{{cloudtrail: {S3}}}", f"{{cloudtrail: {S3}, operations: [StopProjectVersions]}}"
    )
    path = scenario(tmp_path, text)
    refused(
        invoke("validate", str(path)),
        f"{path}:",
        "requests[0].replay.operations: rekognition has no operation 'StopProjectVersions'; "
        "expected one of StopProjectVersion, StartProjectVersion",
    )


def test_an_empty_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    path = scenario(tmp_path, REKOGNITION.replace(str(S3), "logs"))
    refused(
        invoke("validate", str(path)),
        f"{tmp_path / 'logs'}: no CloudTrail log files under this folder",
    )


def test_a_log_without_a_replayable_record_and_a_fleet_without_its_resources_are_named(
    tmp_path: Path,
) -> None:
    lookup = DATA / "cloudtrail" / "lookup-events.json"
    none_here = REKOGNITION.replace(str(S3), str(lookup))
    refused(
        invoke("validate", str(scenario(tmp_path, none_here))),
        f"requests[0].replay: {lookup}: no record of StopProjectVersion or StartProjectVersion "
        "(rekognition) among its 4 record(s)",
    )
    elsewhere = REKOGNITION.replace("project: shelf-detector", "project: other")
    refused(
        invoke("validate", str(scenario(tmp_path, elsewhere))),
        f"{S3}: none of the 4 resource(s) its records name is in the fleet",
        "add rekognition fleet entries named 'shelf-detector', or add_missing: true",
    )


def test_an_unknown_pipeline_status_and_events_for_another_service_are_named(
    tmp_path: Path,
) -> None:
    events = tmp_path / "events.jsonl"
    lines = (DATA / "eventbridge" / "sagemaker-pipeline-events.jsonl").read_text().splitlines()
    lines[6] = lines[6].replace('"Stopping"', '"Stoping"')
    events.write_text("\n".join(lines) + "\n")
    path = scenario(tmp_path, PIPELINE.replace("EVENTS", str(events)))
    refused(
        invoke("validate", str(path)),
        f"{events} line 7: detail.currentPipelineExecutionStatus 'Stoping' is not a pipeline "
        "execution status",
    )
    with pytest.raises(ScenarioError, match="EventBridge events replay SageMaker pipeline"):
        load_scenario(
            scenario(
                tmp_path,
                REKOGNITION.replace(f"cloudtrail: {S3}", f"eventbridge: {events}"),
                "other.yaml",
            )
        )


@pytest.mark.slow  # 20 replications
def test_the_shipped_cloudtrail_replay_numbers_are_its_comments() -> None:
    results = simulator.run(
        Path(__file__).parent.parent / "scenarios/rekognition-cloudtrail-replay.yaml"
    )
    compared = results.replayed().iloc[0]
    assert (compared["stops"], compared["failed_in_log"]) == (5, 1)
    assert (compared["rejected_in_simulation"], compared["same_outcome"]) == (1.0, 5.0)
    n = results.replications
    assert results.stops["cost_after_request_usd"].sum() / n == pytest.approx(0.75, abs=0.01)
    billed = results.billed().set_index("group")["usd"]
    assert billed["from-log"] == pytest.approx(4.60, abs=0.01)
    assert billed["shelf-detector"] == pytest.approx(16.00, abs=0.05)


def test_a_record_delivered_twice_is_sent_once_and_counted(tmp_path: Path) -> None:
    """An S3 log and a lookup-events export of the same hour overlap: one eventID, one stop."""
    folder = tmp_path / "logs"
    folder.mkdir()
    lookup = DATA / "cloudtrail" / "lookup-events.json"
    shutil.copy(lookup, folder / "lookup-events.json")
    events = json.loads(lookup.read_text())["Events"]
    records = [json.loads(e["CloudTrailEvent"]) for e in events]
    (folder / "delivered.json").write_text(json.dumps({"Records": records}))
    fleet, resource, _ = LOOKUP_FLEETS["sagemaker"]
    text = f"""
    name: twice
    horizon: 2h
    start: 2026-01-05T19:00:00Z
    fleet: [{fleet}]
    requests:
      - service: sagemaker
        replay: {{cloudtrail: {folder}}}
    """
    replay = load_scenario(scenario(tmp_path, text)).operation_stream(0).replay
    assert isinstance(replay, LogReplay)
    assert replay.trace["resource"].tolist() == [resource]
    assert replay.report.records == 8
    assert replay.report.ignored["duplicate eventID", "StopPipelineExecution", "sent once"] == 1
    assert sum(replay.report.ignored.values()) == 7  # 6 of other operations, 1 duplicate


def test_a_log_s_resources_are_matched_in_the_region_their_arns_name() -> None:
    """Region is part of a resource's identity: one project name in two regions is two
    projects, and the us-east-1 log's versions are the us-east-1 entry's, though the
    eu-west-1 entry comes first in the fleet."""
    entries = [
        rekognition.Fleet.model_validate(
            {"service": "rekognition", "project": "shelf-detector", "count": 3, "region": region}
        )
        for region in ("eu-west-1", "us-east-1")
    ]
    requests = cloudtrail_requests(read_cloudtrail(S3), "rekognition", ("StopProjectVersion",))
    matched = match(requests.requests, slots(entries, "rekognition"))
    assert sorted(set(matched.ids.values())) == [f"{PREFIX}/v{i}/1" for i in range(3)]
    assert [r.log_resource for r in matched.missing] == [V4]


def test_a_record_before_the_start_is_named_as_a_trace_s_row_is(tmp_path: Path) -> None:
    path = scenario(
        tmp_path, REKOGNITION.replace("start: 2026-01-05T19:00:00Z", "start: 2026-01-05T20:05:00Z")
    )
    refused(
        invoke("validate", str(path)),
        f"requests[0].replay: {S3} row AWSLogs/123456789012/CloudTrail/us-east-1/2026/01/05/"
        "123456789012_CloudTrail_us-east-1_20260105T2005Z_Xq3kNd8sLw1vGh2A.json.gz Records[2]: "
        "time 2026-01-05 20:00:03+00:00 is before the scenario's start",
    )


def test_a_model_the_fleet_lacks_is_asked_for_by_the_log_s_names(tmp_path: Path) -> None:
    """Lookout for Vision names a model by project and version: a stop of one the fleet
    lacks sends the log's names, and is not found, as AWS answers for an unknown model."""
    lookup = json.loads((DATA / "cloudtrail" / "lookup-events.json").read_text())
    record = json.loads(lookup["Events"][3]["CloudTrailEvent"])
    assert record["eventName"] == "StopModel"
    later = {
        **record,
        "eventTime": "2026-01-05T20:20:00Z",
        "eventID": "0b7c9e52-6f1d-4c3a-8e2b-9d4f1a6c3e70",
        "requestParameters": {
            **record["requestParameters"],
            "modelVersion": "3",
            "clientToken": "6a2f0c3e-1b4d-4e8f-a9c7-3d5e7f9b1c24",  # a call's own token
        },
    }
    (tmp_path / "log.json").write_text(json.dumps({"Records": [record, later]}))
    text = """
    name: lookout
    horizon: 2h
    start: 2026-01-05T19:00:00Z
    fleet: [{service: lookoutvision, project: weld-inspection, count: 1}]
    requests:
      - service: lookoutvision
        replay: {cloudtrail: log.json}
    """
    results = simulator.run(scenario(tmp_path, text))
    replay = results.scenario.operation_stream(0).replay
    assert isinstance(replay, LogReplay)
    assert replay.trace["parameters"].tolist() == [
        {"ClientToken": record["requestParameters"]["clientToken"]},
        {
            "ProjectName": "weld-inspection",
            "ModelVersion": "3",
            "ClientToken": "6a2f0c3e-1b4d-4e8f-a9c7-3d5e7f9b1c24",
        },
    ]
    assert results.stops["error_code"].astype(object).fillna("-").tolist() == [
        "-",
        "ResourceNotFoundException",
    ]


def _denied(tmp_path: Path, error_code: str | None) -> Path:
    """The S3 log and one more StopProjectVersion record without requestParameters, as
    CloudTrail writes a request IAM refused before reading its members."""
    folder = _copy_log(tmp_path)
    file = _one_file(folder)
    log = json.loads(file.read_text())
    denied = {
        **log["Records"][0],
        "eventID": "5f0c2d1e-8a7b-4c3d-9e2f-1a0b9c8d7e6f",
        "requestID": "7d6c5b4a-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
        "errorCode": error_code,
        "errorMessage": "User: arn:aws:iam::123456789012:user/alice is not authorized to "
        "perform: rekognition:StopProjectVersion",
        "requestParameters": None,
    }
    if error_code is None:
        del denied["errorCode"], denied["errorMessage"]
    log["Records"].append(denied)
    file.write_text(json.dumps(log))
    return scenario(tmp_path, REKOGNITION.replace(str(S3), str(folder)))


def test_a_failed_record_naming_no_resource_is_counted_among_the_ignored(tmp_path: Path) -> None:
    """AccessDenied with requestParameters null: counted with its reason, the rest replayed."""
    replay = load_scenario(_denied(tmp_path, "AccessDenied")).operation_stream(0).replay
    assert isinstance(replay, LogReplay)
    report = replay.report
    assert (report.records, sum(report.ignored.values())) == (14, 8)
    why = "failed with AccessDenied, naming no resource"
    assert report.ignored["rekognition.amazonaws.com", "StopProjectVersion", why] == 1
    assert dict(report.replayed) == {"StopProjectVersion": 5, "StartProjectVersion": 1}
    ignored = next(line for line in report.lines() if line[0] == "ignored")
    assert ignored[:2] == ("ignored", 8)
    assert ignored[2].startswith("records of 6 other operation(s): sts: AssumeRole 1; ")
    assert ignored[2].endswith(f"; StopProjectVersion 1 (rekognition: {why})")


def test_a_record_that_did_not_fail_and_names_no_resource_is_an_error(tmp_path: Path) -> None:
    refused(
        invoke("validate", str(_denied(tmp_path, None))),
        "Records[5]: requestParameters do not name the resource (expected projectVersionArn",
    )


def test_add_missing_adds_a_version_in_the_status_its_first_successful_record_implies(
    tmp_path: Path,
) -> None:
    """A refused StartProjectVersion (ResourceInUseException: it was running) before the
    version's accepted stop: the version is added RUNNING, as the stop implies, not STOPPED."""
    folder = _copy_log(tmp_path)
    file = _one_file(folder)
    log = json.loads(file.read_text())
    stop = next(r for r in log["Records"] if r["requestParameters"].get("projectVersionArn") == V4)
    assert "errorCode" not in stop
    log["Records"].insert(
        0,
        {
            **stop,
            "eventName": "StartProjectVersion",
            "eventTime": "2026-01-05T20:06:20Z",
            "eventID": "3b2a1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
            "requestID": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
            "errorCode": "ResourceInUseException",
            "errorMessage": "The requested resource is in use.",
            "requestParameters": {"projectVersionArn": V4, "minInferenceUnits": 1},
        },
    )
    file.write_text(json.dumps(log))
    text = REKOGNITION.replace(
        f"{{cloudtrail: {S3}}}", f"{{cloudtrail: {folder}, add_missing: true}}"
    )
    added = load_scenario(scenario(tmp_path, text)).fleet[-1]
    assert (added.group, added.count, added.status) == (FROM_LOG, 1, "RUNNING")
