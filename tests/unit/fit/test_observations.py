"""simulate fit's readers: each kind of file as one table of statuses and stop requests, and
each bad file as one error naming the file, the field and what was expected."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from simulator.fit.observations import ObservationsError, read_observations

DATA = Path(__file__).parents[2] / "data" / "fit"
EIGHT_PM = pd.Timestamp("2026-01-05T20:00:00Z").timestamp()


def _transitions(directory: Path, rows: list[tuple[float, str, str | None, str, str]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(
        rows, columns=["time", "resource_id", "from_status", "to_status", "cause"]
    ).assign(replication=0, service="rekognition", units=1.0)
    path = directory / "transitions.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_run_directory_gives_its_table_and_the_scenarios_horizon(tmp_path: Path) -> None:
    run = tmp_path / "run"
    _transitions(
        run, [(0.0, "m", None, "RUNNING", "initial"), (10.0, "m", "RUNNING", "STOPPING", "stop")]
    )
    (run / "run.json").write_text("{}")
    (run / "scenario.yaml").write_text("name: x\nhorizon: 3600.0\nfleet: []\n")
    found = read_observations([run])
    assert found.statuses["end"].tolist() == [3600.0, 3600.0]
    assert found.statuses["exact"].all()
    assert found.statuses["status"].tolist() == ["RUNNING", "STOPPING"]
    assert "run's horizon, 3600 s" in found.notes[0]


def test_a_table_alone_is_watched_until_its_last_time(tmp_path: Path) -> None:
    path = _transitions(
        tmp_path,
        [(0.0, "m", None, "RUNNING", "initial"), (25.0, "m", "RUNNING", "STOPPING", "stop")],
    )
    found = read_observations([path])
    assert found.statuses["end"].tolist() == [25.0, 25.0]
    assert "table's last time, 25 s" in found.notes[0]


CLASSIFIER = "arn:aws:comprehend:us-east-1:123456789012:document-classifier/"


def test_only_the_entries_begun_part_way_are_left_truncated(tmp_path: Path) -> None:
    """comprehend-stop-midway: `just-started` entered TRAINING at t=0, `an-hour-in` an hour
    before; both are comprehend, so deciding per service threw the whole training away."""
    run = tmp_path / "run"
    fresh, late, more = (CLASSIFIER + n for n in ("new-0", "old-0", "old-1"))
    _transitions(run, [
        (0.0, fresh, None, "TRAINING", "initial"), (0.0, late, None, "TRAINING", "initial"),
        (0.0, more, None, "TRAINING", "initial"), (900.0, fresh, "TRAINING", "TRAINED", "t"),
    ])  # fmt: skip
    table = pd.read_csv(run / "transitions.csv").assign(service="comprehend")
    table.to_csv(run / "transitions.csv", index=False)
    (run / "run.json").write_text("{}")
    (run / "scenario.yaml").write_text(
        "name: x\nhorizon: 3600\nfleet:\n"
        "- {service: comprehend, name: new, count: 1, status: TRAINING, elapsed: 0.0}\n"
        "- {service: comprehend, name: old, count: 2, status: TRAINING, elapsed: 3600.0}\n"
    )
    causes = read_observations([run]).statuses.set_index("resource_id")["cause"]
    assert causes[late] == causes[more] == "initial, elapsed"
    assert causes[fresh].tolist() == ["initial", "t"]


def test_entries_of_one_name_continue_its_numbering(tmp_path: Path) -> None:
    """A second entry of the same project numbers on (v2, v3): only those are truncated."""
    run = tmp_path / "run"
    version = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v{}/1"
    _transitions(run, [(0.0, version.format(i), None, "STOPPING", "initial") for i in range(4)])
    (run / "run.json").write_text("{}")
    (run / "scenario.yaml").write_text(
        "name: x\nhorizon: 60\nfleet:\n"
        "- {service: rekognition, project: p, count: 2, status: STOPPING}\n"
        "- {service: rekognition, project: p, count: 2, status: STOPPING, elapsed: 30}\n"
    )
    assert read_observations([run]).statuses["cause"].tolist() == [
        "initial",
        "initial",
        "initial, elapsed",
        "initial, elapsed",
    ]


def test_a_polling_log_reads_iso_times_as_seconds_and_arns_as_the_service() -> None:
    found = read_observations([DATA / "rekognition-polls.csv"])
    polls = found.statuses
    assert len(polls) == 21
    assert not polls["exact"].any()
    assert set(polls["service"]) == {"rekognition"}
    first = polls[polls["resource_id"].str.contains("/v0/")]["time"].tolist()
    assert first[:3] == [EIGHT_PM, EIGHT_PM + 30, EIGHT_PM + 60]


def test_sagemaker_events_become_execution_and_step_statuses() -> None:
    found = read_observations([DATA / "sagemaker-events.jsonl"])
    rows = found.statuses
    train = rows[rows["resource_id"].str.endswith("/execution/a1b2c3d4e5f6/train")]
    assert train["status"].tolist() == ["Starting", "Executing", "Stopping", "Stopped"]
    assert train["time"].tolist() == [
        EIGHT_PM + 3,
        EIGHT_PM + 123,
        EIGHT_PM + 1800,
        EIGHT_PM + 1860,
    ]
    assert set(train["step_type"]) == {"Training"}
    execution = rows[rows["resource_id"].str.endswith("/execution/a1b2c3d4e5f6")]
    assert execution["status"].tolist() == ["Executing", "Stopping", "Stopped"]
    assert set(rows["end"]) == {EIGHT_PM + 1860}  # the last event
    assert any("ignored 1 events" in n and "Training Job State Change" in n for n in found.notes)


def test_cloudtrail_gives_the_accepted_stop_requests_at_their_event_time() -> None:
    found = read_observations([DATA / "rekognition-cloudtrail.json"])
    requests = found.requests
    assert requests["resource_id"].str.extract(r"version/(v\d)/")[0].tolist() == ["v1", "v0"]
    assert requests["time"].tolist() == [EIGHT_PM + 40, EIGHT_PM + 75]
    assert found.statuses.empty
    assert any("1 stop requests were refused" in n for n in found.notes)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "a,b\n1,2\n",
            "columns a, b: expected a transitions table (time, service, resource_id, to_status",
        ),
        (
            "resource_id,status,time\nm,RUNNING,2026-01-05T20:00:00Z\nm,STOPPING,soon\n",
            "line 3: time: cannot read 'soon' as a time",
        ),
        ("resource_id,status,time\nm,,10\n", "line 2: status: empty"),
        (
            "service,resource_id,status,time\nrekog,m,RUNNING,10\n",
            "service: unknown service 'rekog'; expected one of",
        ),
    ],
)
def test_a_bad_csv_is_one_error_naming_the_file_and_field(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "polls.csv"
    path.write_text(content)
    with pytest.raises(ObservationsError) as error:
        read_observations([path])
    assert str(error.value).startswith(str(path))
    assert expected in str(error.value)


def test_json_of_neither_kind_and_a_missing_file_are_errors(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}))
    with pytest.raises(ObservationsError, match="neither a CSV or Parquet table, EventBridge"):
        read_observations([other])
    with pytest.raises(ObservationsError, match="no such file or folder"):
        read_observations([tmp_path / "missing.csv"])


def test_a_sagemaker_event_without_its_execution_names_the_event_and_field(tmp_path: Path) -> None:
    line = (DATA / "sagemaker-events.jsonl").read_text().splitlines()[1]
    event = json.loads(line)
    del event["detail"]["pipelineExecutionArn"]
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(event) + "\n")
    with pytest.raises(
        ObservationsError, match=r"events.jsonl line 1: detail.pipelineExecutionArn: missing"
    ):
        read_observations([path])
