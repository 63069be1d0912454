"""The readers of AWS's logs (simulator.awslogs): every shape AWS hands CloudTrail records
and EventBridge events over in, read into the same rows, and every malformed input refused
with the file, the record and the field named."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from simulator.awslogs.cloudtrail import read_cloudtrail
from simulator.awslogs.eventbridge import read_events

DATA = Path(__file__).parent.parent / "data"
S3 = DATA / "cloudtrail" / "s3"
LOOKUP = DATA / "cloudtrail" / "lookup-events.json"
LAKE = DATA / "cloudtrail" / "lake-query-results.json"
EVENTS = DATA / "eventbridge" / "sagemaker-pipeline-events.jsonl"
EXPORT = DATA / "eventbridge" / "sagemaker-pipeline-events.json"
STOPPER = "arn:aws:sts::123456789012:assumed-role/nightly-stopper/nightly-stopper-fn"
ALICE = "arn:aws:iam::123456789012:user/alice"
V2 = (
    "arn:aws:rekognition:us-east-1:123456789012:project/shelf-detector/version/"
    "shelf-detector.2025-11-17T15.02.51/1763391771000"
)


def test_a_trail_s_folder_is_read_recursively_gzipped_or_not_without_its_digests() -> None:
    log = read_cloudtrail(S3)
    assert len(log) == 13  # 6 + 5 + 2 records in three files; the digest file holds none
    assert log["event_time"].is_monotonic_increasing  # a file's records come in no order
    assert str(log["event_time"].dtype) == "datetime64[us, UTC]"
    assert log["event_time"].iloc[0] == pd.Timestamp("2026-01-05T20:00:01Z")
    assert log["event_time"].iloc[-1] == pd.Timestamp("2026-01-06T08:02:00Z")
    files = {source.split(" ")[0].rsplit("/", 1)[1] for source in log["source"]}
    assert files == {
        "123456789012_CloudTrail_us-east-1_20260105T2005Z_Xq3kNd8sLw1vGh2A.json.gz",
        "123456789012_CloudTrail_us-east-1_20260105T2010Z_Pm7cVb2nRt5yUe9K.json",
        "123456789012_CloudTrail_us-east-1_20260106T0805Z_Jd4wQz8mFh6tAc1L.json.gz",
    }
    names = log.groupby(["event_source", "event_name"]).size().to_dict()
    assert names == {
        ("kms.amazonaws.com", "Decrypt"): 1,
        ("lookoutvision.amazonaws.com", "StopModel"): 1,
        ("rekognition.amazonaws.com", "DescribeProjectVersions"): 2,
        ("rekognition.amazonaws.com", "DescribeProjects"): 1,
        ("rekognition.amazonaws.com", "StartProjectVersion"): 1,
        ("rekognition.amazonaws.com", "StopProjectVersion"): 5,
        ("s3.amazonaws.com", "GetObject"): 1,
        ("sts.amazonaws.com", "AssumeRole"): 1,
    }


def test_each_record_s_fields_are_read_as_the_record_gives_them() -> None:
    log = read_cloudtrail(S3)
    failed = log[log["error_code"].notna()]
    assert len(failed) == 1
    row = failed.iloc[0]
    assert row["event_name"] == "StopProjectVersion"
    assert row["error_code"] == "ResourceInUseException"
    assert row["error_message"].startswith("The requested resource is in use.")
    assert row["principal_arn"] == ALICE
    assert row["request_parameters"] == {"projectVersionArn": V2}
    assert row["response_elements"] is None
    assert row["aws_region"] == "us-east-1"
    assert row["account"] == "123456789012"
    assert row["source"].endswith("_Pm7cVb2nRt5yUe9K.json Records[0]")
    start = log[log["event_name"] == "StartProjectVersion"].iloc[0]
    assert start["request_parameters"]["minInferenceUnits"] == 1
    assert start["response_elements"] == {"status": "STARTING"}
    stops = log[(log["event_name"] == "StopProjectVersion") & log["error_code"].isna()]
    assert list(stops["principal_arn"]) == [STOPPER, STOPPER, STOPPER, ALICE]  # the session
    assumed = log[log["event_name"] == "AssumeRole"].iloc[0]
    assert assumed["principal_arn"] == "lambda.amazonaws.com"  # a service has no ARN
    flags = [True, True, False, True, False, False, False, False, False, True, True, False, True]
    assert log["read_only"].tolist() == flags
    assert log["event_id"].is_unique


def test_lookup_events_output_gives_the_records_it_embeds() -> None:
    log = read_cloudtrail(LOOKUP)
    assert list(log["event_name"]) == [
        "StopModel",
        "StopTrainingDocumentClassifier",
        "StopPipelineExecution",
        "ListPipelineExecutions",
    ]
    embedded = [json.loads(e["CloudTrailEvent"]) for e in json.loads(LOOKUP.read_text())["Events"]]
    by_id = {record["eventID"]: record for record in embedded}
    for row in log.to_dict("records"):
        record = by_id[row["event_id"]]
        assert row["request_parameters"] == record["requestParameters"]
        assert row["principal_arn"] == record["userIdentity"]["arn"]
        assert row["event_time"] == pd.Timestamp(record["eventTime"])
    assert log["source"].iloc[0] == f"{LOOKUP} Events[3]"  # newest first, as AWS lists them


def test_a_records_file_and_its_lookup_events_form_read_alike(tmp_path: Path) -> None:
    embedded = [json.loads(e["CloudTrailEvent"]) for e in json.loads(LOOKUP.read_text())["Events"]]
    delivered = tmp_path / "delivered.json.gz"
    delivered.write_bytes(gzip.compress(json.dumps({"Records": embedded}).encode()))
    as_lines = tmp_path / "records.jsonl"
    as_lines.write_text("".join(json.dumps(r) + "\n" for r in embedded))
    as_array = tmp_path / "records.json"
    as_array.write_text(json.dumps(embedded))
    expected = read_cloudtrail(LOOKUP).drop(columns="source")
    for path in (delivered, as_lines, as_array):
        pd.testing.assert_frame_equal(read_cloudtrail(path).drop(columns="source"), expected)


def test_a_cloudtrail_lake_result_is_read_from_its_text_values() -> None:
    log = read_cloudtrail(LAKE)
    assert list(log["event_time"]) == [
        pd.Timestamp("2026-01-05T20:00:03Z"),
        pd.Timestamp("2026-01-05T20:06:10Z"),
        pd.Timestamp("2026-01-05T20:06:25Z"),
    ]
    assert list(log["principal_arn"]) == [STOPPER, ALICE, ALICE]
    assert log["request_parameters"].iloc[1] == {"projectVersionArn": V2}  # {key=value}
    assert list(log["error_code"].fillna("-")) == ["-", "ResourceInUseException", "-"]
    assert list(log["account"]) == ["123456789012"] * 3


def test_eventbridge_lines_and_an_exported_array_read_alike() -> None:
    lines, array = read_events(EVENTS), read_events(EXPORT)
    assert len(lines) == 12
    pd.testing.assert_frame_equal(
        lines.drop(columns="source_location"), array.drop(columns="source_location")
    )
    assert lines["time"].is_monotonic_increasing
    stopping = lines[
        lines["detail"].map(lambda d: d.get("currentPipelineExecutionStatus") == "Stopping")
    ].iloc[0]
    assert stopping["time"] == pd.Timestamp("2026-01-05T21:30:12Z")
    assert stopping["detail_type"] == "SageMaker Model Building Pipeline Execution Status Change"
    assert stopping["detail"]["previousPipelineExecutionStatus"] == "Executing"
    assert stopping["resources"][1].endswith(":pipeline/nightly-train/execution/4x9qk2m7zr1p")
    assert stopping["source_location"] == f"{EVENTS} line 7"
    assert stopping["region"] == "us-east-1"
    assert stopping["account"] == "123456789012"
    assert set(lines["source"]) == {"aws.sagemaker", "aws.events"}


def test_eventbridge_events_from_a_log_group_export(tmp_path: Path) -> None:
    messages = [json.loads(line) for line in EVENTS.read_text().splitlines()]
    exported = tmp_path / "filter-log-events.json"
    exported.write_text(
        json.dumps(
            {
                "events": [
                    {"logStreamName": "s", "timestamp": 1, "message": json.dumps(m)}
                    for m in messages
                ],
                "searchedLogStreams": [],
            }
        )
    )
    pd.testing.assert_frame_equal(
        read_events(exported).drop(columns="source_location"),
        read_events(EVENTS).drop(columns="source_location"),
    )


RECORD = {
    "eventVersion": "1.11",
    "userIdentity": {"type": "IAMUser", "arn": ALICE, "accountId": "123456789012"},
    "eventTime": "2026-01-05T20:00:03Z",
    "eventSource": "rekognition.amazonaws.com",
    "eventName": "StopProjectVersion",
    "awsRegion": "us-east-1",
    "requestParameters": {"projectVersionArn": V2},
    "responseElements": {"status": "STOPPING"},
    "eventID": "7f4c3a2e-0000-4000-8000-000000000001",
    "readOnly": False,
    "recipientAccountId": "123456789012",
}


def _log(tmp_path: Path, *records: object, name: str = "log.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"Records": list(records)}))
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"eventTime": None}, "Records[1]: no eventTime (expected an ISO 8601 time"),
        ({"eventTime": "yesterday"}, "Records[1]: eventTime 'yesterday' is not an ISO 8601"),
        ({"eventName": None}, "Records[1]: no eventName (expected text)"),
        ({"eventSource": 7}, "Records[1]: eventSource must be text, got a number"),
        ({"requestParameters": "x"}, "Records[1]: requestParameters must be an object or null"),
        ({"userIdentity": []}, "Records[1]: userIdentity must be an object, got an array"),
        ({"readOnly": "maybe"}, "Records[1]: readOnly must be true or false, got 'maybe'"),
    ],
)
def test_a_malformed_record_is_named_with_its_file_index_and_field(
    tmp_path: Path, change: dict[str, object], expected: str
) -> None:
    bad = {k: v for k, v in {**RECORD, **change}.items() if v is not None}
    path = _log(tmp_path, RECORD, bad)
    with pytest.raises(ValueError, match=f"^{re.escape(f'{path} {expected}')}"):
        read_cloudtrail(path)


def test_malformed_files_are_named_with_what_was_expected(tmp_path: Path) -> None:
    cases = {
        "cut.json": ('{"Records": [{"eventTime": ', "line 1 column 28: not valid JSON"),
        "object.json": ('{"records": []}', 'expected a CloudTrail log ({"Records": [...]})'),
        "number.json": ("[1]", "[0]: expected a record (a JSON object), got a number"),
        "lines.jsonl": ('{"eventTime": "2026-01-05T20:00:00Z"}\n{oops\n', "line 2: not valid JSON"),
        "lookup.json": ('{"Events": [{"EventName": "X"}]}', "Events[0]: expected CloudTrailEvent"),
        "bad.json.gz": ("\x1f\x8bnot gzip", "not a readable gzip file"),
    }
    for name, (content, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(content.encode("latin-1"))
        with pytest.raises(ValueError, match=f"^{re.escape(str(path))}.*{re.escape(expected)}"):
            read_cloudtrail(path)


def test_an_empty_folder_a_folder_of_digests_and_a_missing_path_are_refused(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    digests = tmp_path / "digests"
    digests.mkdir()
    (
        digests / "123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20260105T2005Z.json.gz"
    ).write_bytes(gzip.compress(b"{}"))
    for folder in (empty, digests):
        with pytest.raises(ValueError, match="no CloudTrail log files under this folder"):
            read_cloudtrail(folder)
    with pytest.raises(ValueError, match="no such file or folder"):
        read_cloudtrail(tmp_path / "gone")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"time": None}, "line 2: no time (expected an ISO 8601 time"),
        ({"detail": None}, "line 2: detail must be an object, got null"),
        ({"detail-type": None}, "line 2: no detail-type (expected text)"),
        ({"resources": "arn"}, "line 2: resources must be an array of ARNs"),
    ],
)
def test_a_malformed_event_is_named_with_its_file_line_and_field(
    tmp_path: Path, change: dict[str, object], expected: str
) -> None:
    first = json.loads(EVENTS.read_text().splitlines()[0])
    bad = {k: v for k, v in {**first, **change}.items() if v is not None}
    if change.get("detail", 0) is None:
        bad["detail"] = None
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(first) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(ValueError, match=f"^{re.escape(f'{path} {expected}')}"):
        read_events(path)
