"""`replay: {cloudtrail: ...}` and `replay: {eventbridge: ...}`: the user's own logs as the
workload of one request stream.

The log is read as the scenario loads (`simulator.awslogs`), then bound to the scenario
(`bind_logs`, called by `Scenario`'s checks): its records of the stream's service become
requests (`simulator.scenario.log_records`), each resource is matched to the fleet
(`simulator.scenario.log_fleet`), each principal to a caller (the first whose `principals`
pattern matches the record's `userIdentity.arn`, else the stream's `caller`), and what was
not replayed is counted in a `LogReport`, which `simulate run` and `simulate report` print.
The bound trace has the columns of a replayed CSV trace, so the workload sends it as one.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Self

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from simulator.engine.schema import Strict, relative_to_scenario
from simulator.scenario.log_fleet import Matched, addable, additions, match, slots
from simulator.scenario.log_records import (
    REPLAYABLE,
    Classified,
    cloudtrail_requests,
    eventbridge_requests,
)
from simulator.scenario.log_report import LogReport
from simulator.scenario.trace import ROW, seconds
from simulator.services import SERVICES

if TYPE_CHECKING:  # pandas is imported when a log is read: validating is fast
    import pandas as pd

    from simulator.scenario.callers import Caller
    from simulator.scenario.fleet import Fleet
    from simulator.scenario.model import Requests, Scenario


class LogReplay(Strict):
    """Requests read from AWS's own logs: give `cloudtrail` (a CloudTrail log file as AWS
    delivers it, gzipped or not, a folder of them, or a `lookup-events` or CloudTrail Lake
    export) or `eventbridge` (SageMaker pipeline events as JSON lines or an array). The
    records of the stream's `service` are sent; every other record is counted."""

    cloudtrail: Path | None = Field(default=None, description="a CloudTrail log or folder")
    eventbridge: Path | None = Field(default=None, description="an EventBridge export")
    operations: tuple[str, ...] | None = Field(
        default=None, description="the operations to send; default: each start, stop and cancel"
    )
    add_missing: bool = Field(
        default=False, description="add the resources the log names and the fleet lacks"
    )
    _log: pd.DataFrame = PrivateAttr()
    _trace: pd.DataFrame | None = PrivateAttr(default=None)
    _report: LogReport | None = PrivateAttr(default=None)

    @field_validator("cloudtrail", "eventbridge")
    @classmethod
    def _relative_to_scenario(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        if path is None:
            return None
        path = relative_to_scenario(path, info)
        if not path.exists():
            raise ValueError(f"no such file or folder: {path}")
        return path

    @model_validator(mode="after")
    def _read(self) -> Self:
        from simulator.awslogs.cloudtrail import read_cloudtrail
        from simulator.awslogs.eventbridge import read_events

        if (self.cloudtrail is None) == (self.eventbridge is None):
            raise ValueError("give exactly one of `cloudtrail` and `eventbridge`")
        self._log = (
            read_cloudtrail(self.path) if self.kind == "CloudTrail" else read_events(self.path)
        )
        return self

    @property
    def kind(self) -> str:
        return "CloudTrail" if self.cloudtrail is not None else "EventBridge"

    @property
    def path(self) -> Path:
        path = self.cloudtrail or self.eventbridge
        assert path is not None
        return path

    @property
    def trace(self) -> pd.DataFrame:
        """The requests to send, as a replayed trace's columns (and the log's own: the
        resource as the log names it, the principal, the recorded error code)."""
        assert self._trace is not None, "bound as the scenario loads"
        return self._trace

    @property
    def report(self) -> LogReport:
        assert self._report is not None, "bound as the scenario loads"
        return self._report

    def contents(self) -> bytes:
        """The log as one file (a folder's records gathered in the order they are read), for
        a run directory to keep: the copy replays as the original does."""
        from simulator.awslogs import cloudtrail, eventbridge, files

        if self.path.is_file():
            return self.path.read_bytes()
        if self.kind == "CloudTrail":
            read = files.files(self.path, "CloudTrail log files", skip="CloudTrail-Digest")
            records = [r for file in read for _, r in cloudtrail.records(file)]
            return json.dumps({"Records": records}).encode()
        read = files.files(self.path, "EventBridge event files")
        return json.dumps([e for file in read for _, e in eventbridge.events(file)]).encode()

    def bind(
        self, requests: Requests, callers: dict[str, Caller], fleet: list[Fleet]
    ) -> list[Fleet]:
        """Make the trace and the report for `requests`' stream; the fleet entries to add."""
        service = requests.service
        operations = self._operations(service)
        if self.kind == "CloudTrail":
            classified = cloudtrail_requests(self._log, service, operations)
        else:
            if service != "sagemaker":
                raise ValueError(
                    "eventbridge: EventBridge events replay SageMaker pipeline executions "
                    f"only; this stream's service is {service}"
                )
            classified = eventbridge_requests(self._log, service, operations)
        drop_duplicates(classified)
        if not classified.requests:
            raise ValueError(
                f"{self.path}: no record of {' or '.join(operations)} ({service}) among its "
                f"{len(self._log):,} record(s); nothing to replay"
            )
        matched = match(classified.requests, slots(fleet, service))
        added: list[Fleet] = []
        if matched.missing and self.add_missing:
            if not addable(service):
                raise ValueError(
                    f"add_missing: {service} resources cannot be added from a log (an "
                    "execution is made by its pipeline's fleet entry); add the pipeline to "
                    "the fleet"
                )
            added = additions(service, matched.missing)
            matched = match(classified.requests, slots([*fleet, *added], service))
        if matched.missing and not matched.ids:
            example = matched.missing[0]
            raise ValueError(
                f"{self.path}: none of the {len(matched.missing)} resource(s) its records "
                f"name is in the fleet (e.g. {example.log_resource}, {example.source}); add "
                f"{service} fleet entries named {example.name!r}, or add_missing: true"
            )
        self._trace = self._frame(classified, matched.ids, requests, callers)
        self._report = self._summary(classified, matched, requests, callers)
        return added

    def _operations(self, service: str) -> tuple[str, ...]:
        replayable = REPLAYABLE.get(service)
        if replayable is None:
            raise ValueError(
                f"{self.kind.lower()}: {service} requests cannot be replayed from a log; "
                f"services: {', '.join(REPLAYABLE)}"
            )
        known = tuple(replayable.before)
        for operation in self.operations or ():
            if operation not in known:
                known_here = operation in SERVICES[service].OPERATIONS
                said = "replays no operation" if known_here else "has no operation"
                raise ValueError(
                    f"operations: {service} {said} {operation!r}; expected one of "
                    f"{', '.join(known)}"
                )
        return self.operations or known

    def _frame(
        self,
        classified: Classified,
        ids: dict[str, str],
        requests: Requests,
        callers: dict[str, Caller],
    ) -> pd.DataFrame:
        import pandas as pd

        prefix = f"{self.path}/" if self.path.is_dir() else f"{self.path} "
        rows = [
            {
                "time": r.time,
                "service": requests.service,
                "resource": ids.get(r.log_resource, r.log_resource),
                "operation": r.operation,
                "parameters": r.parameters if r.log_resource in ids else r.naming | r.parameters,
                "caller": caller_of(r.principal, callers, requests.caller),
                ROW: r.source.removeprefix(prefix),
                "recorded_error_code": r.recorded_error_code,
                "log_resource": r.log_resource,
                "principal": r.principal,
            }
            for r in classified.requests
        ]
        frame = pd.DataFrame(rows)
        frame["parameters"] = frame["parameters"].astype(object)
        return frame.sort_values("time", kind="stable").reset_index(drop=True)

    def _summary(
        self,
        classified: Classified,
        matched: Matched,
        requests: Requests,
        callers: dict[str, Caller],
    ) -> LogReport:
        principals: dict[str, tuple[str, int]] = {}
        for r in classified.requests:
            key = r.principal or "(none)"
            caller, count = principals.get(
                key, (caller_of(r.principal, callers, requests.caller), 0)
            )
            principals[key] = (caller, count + 1)
        return LogReport(
            path=self.path,
            kind=self.kind,
            records=len(self._log),
            replayed=Counter(r.operation for r in classified.requests),
            ignored=classified.ignored,
            principals=principals,
            resources=Counter(matched.how.values()),
            missing=tuple(r.log_resource for r in matched.missing),
            recorded_errors=Counter(
                r.recorded_error_code for r in classified.requests if r.recorded_error_code
            ),
        )


def caller_of(principal: str | None, callers: dict[str, Caller], default: str) -> str:
    """The first caller whose `principals` pattern matches `principal`, else `default`."""
    if principal is not None:
        for name, caller in callers.items():
            if any(fnmatchcase(principal, pattern) for pattern in caller.principals):
                return name
    return default


def drop_duplicates(classified: Classified) -> None:
    """A record delivered twice (the same eventID: CloudTrail may deliver one more than
    once, and an S3 log and a lookup-events export overlap) is sent once; the others are
    counted."""
    seen: set[str] = set()
    kept = []
    for request in classified.requests:
        if request.event_id is not None and request.event_id in seen:
            classified.ignored["duplicate eventID", request.operation, "sent once"] += 1
            continue
        if request.event_id is not None:
            seen.add(request.event_id)
        kept.append(request)
    classified.requests = kept


def bind_logs(scenario: Scenario) -> None:
    """Bind every log replay of `scenario` (see the module); the fleet entries
    `add_missing` makes are appended to its fleet. ValueError names the stream."""
    for index, requests in scenario.operation_streams:
        replay = requests.replay
        if not isinstance(replay, LogReplay):
            continue
        try:
            scenario.fleet.extend(replay.bind(requests, scenario.callers, scenario.fleet))
        except ValueError as error:
            joint = "." if _FIELD.match(str(error)) else ": "
            raise ValueError(f"requests[{index}].replay{joint}{error}") from None


_FIELD = re.compile(r"^[a-z_]+: ")


def replay_kind(value: object) -> str:
    """`log` for a replay of AWS's logs, `trace` for a CSV or Parquet trace."""
    if isinstance(value, dict):
        return "log" if {"cloudtrail", "eventbridge"} & set(value) else "trace"
    return "log" if isinstance(value, LogReplay) else "trace"


def sent_stops(scenario: Scenario) -> pd.DataFrame:
    """The stops each log replay of `scenario` sends: its stream's name, the service, the
    resource (the simulation's id), when (seconds from the start) and the log's error code
    (`simulator.analysis.replayed` compares them with the simulation's)."""
    import pandas as pd

    parts = []
    for index, requests in scenario.operation_streams:
        if not isinstance(requests.replay, LogReplay):
            continue
        trace = requests.replay.trace
        stops = trace[trace["operation"] == SERVICES[requests.service].STOP.operation]
        parts.append(
            pd.DataFrame(
                {
                    "stream": scenario.stream_name(index),
                    "service": stops["service"],
                    "resource_id": stops["resource"],
                    "requested_at": seconds(stops, scenario.start),
                    "recorded_error_code": stops["recorded_error_code"],
                }
            )
        )
    columns = ["stream", "service", "resource_id", "requested_at", "recorded_error_code"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
