"""AWS's logs as observations: SageMaker's EventBridge status changes (exact moments) and
CloudTrail's stop requests (the moment a stop's clock starts), read by `simulator.awslogs`.

CloudTrail's `eventTime` is when a request completed, not when the resource stopped: a
request here is only a moment; `durations` pairs it with the statuses seen of the resource.
A stop request is read as `simulate run`'s replay reads it (`simulator.scenario.log_records`,
whose reader and duplicate rule are reused, not copied): its resource from the
lowerCamelCase `requestParameters` AWS writes, each eventID once.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any, Final

import pandas as pd

from simulator.fit.observations import (
    ALL_STATUS_COLUMNS,
    REQUEST_COLUMNS,
    Observations,
    ObservationsError,
    empty,
)
from simulator.services import SERVICES

EXECUTION_CHANGE: Final = "SageMaker Model Building Pipeline Execution Status Change"
STEP_CHANGE: Final = "SageMaker Model Building Pipeline Execution Step Status Change"


def json_logs(path: Path) -> Observations:
    first = _first_file(path)
    try:
        head = _head(first)
    except ValueError as error:
        raise ObservationsError(str(error)) from None
    if '"detail-type"' in head:
        return _events(path)
    if any(
        key in head
        for key in ('"eventTime"', '"Records"', '"CloudTrailEvent"', '"QueryResultRows"')
    ):
        return _cloudtrail(path)
    raise ObservationsError(
        f"{first}: neither a CSV or Parquet table, EventBridge events (with detail-type) nor "
        "CloudTrail records (with eventTime): expected one of them"
    )


def _first_file(path: Path) -> Path:
    from simulator.awslogs.files import files

    try:
        return files(path, "EventBridge or CloudTrail files")[0]
    except ValueError as error:
        raise ObservationsError(str(error)) from None


def _head(path: Path) -> str:
    from simulator.awslogs.files import text

    return text(path)[:20_000]


def _events(path: Path) -> Observations:
    from simulator.awslogs.eventbridge import read_events

    try:
        events = read_events(path)
    except ValueError as error:
        raise ObservationsError(str(error)) from None
    source = str(path)
    rows = [_event_row(event) for event in events.to_dict("records")]
    kept = [row for row in rows if row is not None]
    ignored = events.loc[[row is None for row in rows], "detail_type"].value_counts()
    notes = [f"{path}: EventBridge events, exact times"]
    if len(ignored):
        kinds = ", ".join(f"{n} {kind!r}" for kind, n in ignored.items())
        notes.append(f"{path}: ignored {int(ignored.sum())} events of other kinds: {kinds}")
    statuses = pd.DataFrame(kept, columns=list(ALL_STATUS_COLUMNS))
    if not statuses.empty:
        statuses["source"] = source
        epoch = pd.Timestamp(0, tz="UTC")
        end = (events["time"].max() - epoch).total_seconds()
        statuses["end"] = end
        statuses["unit"] = source + "#" + statuses["resource_id"]
        notes[0] += "; a resource still in a status was watched until the last event's time"
    return Observations(statuses, empty(REQUEST_COLUMNS), [source], notes)


def _event_row(event: dict[Hashable, Any]) -> dict[str, Any] | None:
    """A SageMaker pipeline execution's or step's status change as a status row; None for
    an event of another kind."""
    kind, detail, where = event["detail_type"], event["detail"], event["source_location"]
    if kind not in (EXECUTION_CHANGE, STEP_CHANGE):
        return None
    execution = _field(detail, "pipelineExecutionArn", where)
    if kind == EXECUTION_CHANGE:
        resource, status = execution, _field(detail, "currentPipelineExecutionStatus", where)
        step_type = None
    else:
        resource = f"{execution}/{_field(detail, 'stepName', where)}"
        status, step_type = _field(detail, "currentStepStatus", where), detail.get("stepType")
    moment = (event["time"] - pd.Timestamp(0, tz="UTC")).total_seconds()
    return {
        "service": "sagemaker", "resource_id": resource, "time": moment, "status": status,
        "exact": True, "cause": None, "step_type": step_type,
    }  # fmt: skip


def _field(detail: dict[str, Any], name: str, where: str) -> str:
    value = detail.get(name)
    if not isinstance(value, str) or not value:
        raise ObservationsError(f"{where}: detail.{name}: missing (expected text)")
    return value


DUPLICATE: Final = "duplicate eventID"
"""Replay's reason for a record it sends once (`simulator.scenario.logs`)."""


def _cloudtrail(path: Path) -> Observations:
    """The records of a CloudTrail log, kept whole: the stop requests are taken from the
    records of every log given at once (`stop_requests`), so that a record two of them hold
    (an S3 log and a lookup-events export overlap) is one request."""
    from simulator.awslogs.cloudtrail import read_cloudtrail

    try:
        records = read_cloudtrail(path)
    except ValueError as error:
        raise ObservationsError(str(error)) from None
    return Observations(
        empty(ALL_STATUS_COLUMNS), empty(REQUEST_COLUMNS), [str(path)], [], [records]
    )


def stop_requests(trails: list[pd.DataFrame], sources: str) -> tuple[pd.DataFrame, list[str]]:
    """The accepted stop requests of CloudTrail records, read as replay reads them
    (`simulator.scenario.log_records`): the resource from the lowerCamelCase
    `requestParameters` AWS writes (`projectVersionArn`; Lookout for Vision's
    `projectName` and `modelVersion` with the record's region and account, its model's
    ARN), a record delivered twice (the same eventID) once, as replay sends it once.
    `sources` names the logs in the notes."""
    from simulator.scenario.log_records import REPLAYABLE, cloudtrail_requests
    from simulator.scenario.logs import drop_duplicates

    records = pd.concat(trails, ignore_index=True).sort_values("event_time", kind="stable")
    rows, refused, twice = [], 0, 0
    epoch = pd.Timestamp(0, tz="UTC")
    for service in REPLAYABLE:
        try:
            classified = cloudtrail_requests(records, service, (SERVICES[service].STOP.operation,))
        except ValueError as error:
            raise ObservationsError(str(error)) from None
        drop_duplicates(classified)
        twice += sum(n for (why, _, _), n in classified.ignored.items() if why == DUPLICATE)
        for request in classified.requests:
            if request.recorded_error_code is not None:
                refused += 1  # refused: it started no stop
                continue
            moment = (request.time - epoch).total_seconds()
            rows.append((request.source, service, request.log_resource, moment, request.operation))
    notes = [
        f"{sources}: CloudTrail, {len(rows)} stop requests of {len(records)} records; a "
        "stop's clock starts at its request's eventTime (when the request completed)"
    ]
    if refused:
        notes.append(f"{sources}: {refused} stop requests were refused (errorCode): no stop began")
    if twice:
        notes.append(
            f"{sources}: {twice} duplicate eventIDs: records delivered twice (or in two of "
            "the files), each counted once"
        )
    return pd.DataFrame(rows, columns=list(REQUEST_COLUMNS)), notes
