"""AWS's logs as observations: SageMaker's EventBridge status changes (exact moments) and
CloudTrail's stop requests (the moment a stop's clock starts), read by `simulator.awslogs`.

CloudTrail's `eventTime` is when a request completed, not when the resource stopped: a
request here is only a moment; `durations` pairs it with the statuses seen of the resource.
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


STOPS: Final = {
    name: (service.STOP.operation, service.OPERATIONS[service.STOP.operation].resource_param)
    for name, service in SERVICES.items()
}
"""Each service's stop operation and the request member naming the resource it stops."""


def _cloudtrail(path: Path) -> Observations:
    from simulator.awslogs.cloudtrail import read_cloudtrail

    try:
        records = read_cloudtrail(path)
    except ValueError as error:
        raise ObservationsError(str(error)) from None
    source, rows, failed = str(path), [], 0
    for record in records.to_dict("records"):
        service = str(record["event_source"]).split(".", 1)[0]
        if service not in STOPS or record["event_name"] != STOPS[service][0]:
            continue
        if isinstance(record["error_code"], str) and record["error_code"]:
            failed += 1  # refused: it started no stop
            continue
        parameters = record["request_parameters"] or {}
        resource = _stopped(service, parameters, record["source"])
        moment = (record["event_time"] - pd.Timestamp(0, tz="UTC")).total_seconds()
        rows.append((source, service, resource, moment, record["event_name"]))
    requests = pd.DataFrame(rows, columns=list(REQUEST_COLUMNS))
    notes = [
        f"{path}: CloudTrail, {len(rows)} stop requests of {len(records)} records; a stop's "
        "clock starts at its request's eventTime (when the request completed)"
    ]
    if failed:
        notes.append(f"{path}: {failed} stop requests were refused (errorCode): no stop began")
    return Observations(empty(ALL_STATUS_COLUMNS), requests, [source], notes)


def _stopped(service: str, parameters: dict[str, Any], where: str) -> str:
    """The resource a stop request names: its member's value; Lookout for Vision's StopModel
    names a project and a version, which end the model's ARN (`model/<project>/<version>`).
    CloudTrail writes members as the API names them or with a lower-case first letter
    (`projectVersionArn`): either is read."""
    if service == "lookoutvision":
        project, version = _member(parameters, "ProjectName"), _member(parameters, "ModelVersion")
        if not isinstance(project, str) or version is None:
            raise ObservationsError(
                f"{where}: requestParameters: expected projectName and modelVersion"
            )
        return f"model/{project}/{version}"
    member = STOPS[service][1]
    value = _member(parameters, member)
    if not isinstance(value, str) or not value:
        shown = member[0].lower() + member[1:]
        raise ObservationsError(f"{where}: requestParameters.{shown}: missing (expected text)")
    return value


def _member(parameters: dict[str, Any], name: str) -> object:
    return parameters.get(name, parameters.get(name[0].lower() + name[1:]))
