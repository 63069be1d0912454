"""What a logged record asks of the simulator: a service, an operation, a resource.

A CloudTrail record of a request the simulator models (a stop, a start, a cancel) becomes
a request to the resource its `requestParameters` name, at its `eventTime` (when AWS
answered: the request left a moment before), with the request members the simulator knows
and its `errorCode` kept for comparison. A SageMaker pipeline execution's status change to
`Stopping` (EventBridge) becomes the StopPipelineExecution that caused it, at the event's
time; a change to `Executing` is the start of an execution, which the simulator makes from
the pipeline's fleet entry, so it is counted among the ignored like every other record.

Neptune ML's jobs are not here: their calls go to the cluster's data API, which CloudTrail's
management events do not record.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from simulator.services import SERVICES

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Replayable:
    """How one service's requests appear in CloudTrail."""

    event_source: str
    before: dict[str, str]
    """Each replayed operation, and the status its resource was in for the request to make
    sense (what a resource the fleet lacks is added in)."""
    resource: str
    """The resource's id (ARN) from the request's parameters, `region` and `account`."""
    name: str
    """A pattern whose group is the name the fleet numbers the resource within (its
    project, its name, its pipeline): what a log's resource is matched to the fleet by."""
    naming: tuple[str, ...]
    """The request members that name the resource: the simulator fills them in for the
    resource it matched, so the log's are not sent."""

    def resource_id(self, parameters: dict[str, object], region: str, account: str) -> str | None:
        try:
            return self.resource.format_map({**parameters, "region": region, "account": account})
        except (KeyError, ValueError):
            return None

    def name_of(self, resource_id: str) -> str:
        match = re.search(self.name, resource_id)
        return match.group(1) if match else resource_id


REPLAYABLE: dict[str, Replayable] = {
    "rekognition": Replayable(
        "rekognition.amazonaws.com",
        {"StopProjectVersion": "RUNNING", "StartProjectVersion": "STOPPED"},
        "{projectVersionArn}",
        r":project/([^/]+)/",
        ("ProjectVersionArn",),
    ),
    "lookoutvision": Replayable(
        "lookoutvision.amazonaws.com",
        {"StopModel": "HOSTED", "StartModel": "TRAINED"},
        "arn:aws:lookoutvision:{region}:{account}:model/{projectName}/{modelVersion}",
        r":model/([^/]+)/",
        ("ProjectName", "ModelVersion"),
    ),
    "comprehend": Replayable(
        "comprehend.amazonaws.com",
        {"StopTrainingDocumentClassifier": "TRAINING"},
        "{documentClassifierArn}",
        r":document-classifier/([^/]+)",
        ("DocumentClassifierArn",),
    ),
    "sagemaker": Replayable(
        "sagemaker.amazonaws.com",
        {"StopPipelineExecution": "Executing"},
        "{pipelineExecutionArn}",
        r":pipeline/([^/]+)/execution/",
        ("PipelineExecutionArn",),
    ),
}
OTHER_OPERATION, OTHER_SERVICE, OTHER_EVENT = (
    "an operation not replayed", "another service", "an event not replayed",
)  # fmt: skip
NOT_REPLAYED: Final = frozenset({OTHER_OPERATION, OTHER_SERVICE, OTHER_EVENT})
"""Why a record of another operation, service or event is ignored; the report lists the
other reasons (a failed request naming no resource, a duplicate) one by one."""
_UNNAMED = "failed with {}, naming no resource"
"""Why a failed record whose `requestParameters` name no resource is ignored."""
PIPELINE_STATUS = "SageMaker Model Building Pipeline Execution Status Change"
STOPPING = "Stopping"


@dataclass(frozen=True)
class LogRequest:
    """One record to replay."""

    time: pd.Timestamp
    operation: str
    log_resource: str
    name: str
    before: str
    parameters: dict[str, object]
    """The request members the simulator knows, but those naming the resource (it fills
    them in for the resource it matched)."""
    naming: dict[str, object]
    """The members naming the resource, as the log gave them: sent for a resource the fleet
    lacks, so that the service answers as AWS does for one it does not know."""
    principal: str | None
    recorded_error_code: str | None
    event_id: str | None
    source: str


@dataclass
class Classified:
    """A log's records: those to replay, and the others counted by (origin, name, why)."""

    requests: list[LogRequest] = field(default_factory=list)
    ignored: Counter[tuple[str, str, str]] = field(default_factory=Counter)


def cloudtrail_requests(log: pd.DataFrame, service: str, operations: tuple[str, ...]) -> Classified:
    """The records of `operations` of `service` as requests; the others counted."""
    replayable = REPLAYABLE[service]
    schema = SERVICES[service].OPERATIONS
    found = Classified()
    wanted = (log["event_source"] == replayable.event_source) & log["event_name"].isin(operations)
    others = log[~wanted].groupby(["event_source", "event_name"], sort=False).size()
    for source, name, count in others.reset_index().itertuples(index=False):
        why = OTHER_OPERATION if source == replayable.event_source else OTHER_SERVICE
        found.ignored[str(source), str(name), why] += int(count)
    for row in log[wanted].to_dict("records"):
        name = str(row["event_name"])
        given = row["request_parameters"] or {}
        resource = replayable.resource_id(given, str(row["aws_region"]), str(row["account"]))
        failed = _text(row["error_code"])
        if resource is None and failed is not None:
            # A request refused before its members were read (AccessDenied) is logged
            # without them: it asked nothing of a resource, so nothing is replayed.
            found.ignored[replayable.event_source, name, _UNNAMED.format(failed)] += 1
            continue
        if resource is None:
            raise ValueError(
                f"{row['source']}: requestParameters do not name the resource (expected "
                f"{' and '.join(_camel(m) for m in replayable.naming)} of {name})"
            )
        members = schema[name].params
        known = {
            member: value
            for key, value in given.items()
            if (member := key[:1].upper() + key[1:]) in members
        }
        naming = {m: v for m, v in known.items() if m in replayable.naming}
        found.requests.append(
            LogRequest(
                row["event_time"],
                name,
                resource,
                replayable.name_of(resource),
                replayable.before[name],
                {m: v for m, v in known.items() if m not in naming},
                naming,
                _text(row["principal_arn"]),
                failed,
                _text(row["event_id"]),
                str(row["source"]),
            )
        )
    return found


def eventbridge_requests(
    events: pd.DataFrame, service: str, operations: tuple[str, ...]
) -> Classified:
    """Each SageMaker pipeline execution's change to `Stopping` as its StopPipelineExecution;
    every other event counted."""
    statuses = [s.value for s in SERVICES["sagemaker"].Status]
    replayable = REPLAYABLE[service]
    found = Classified()
    for row in events.to_dict("records"):
        source, kind = str(row["source"]), str(row["detail_type"])
        if source != "aws.sagemaker" or kind != PIPELINE_STATUS:
            found.ignored[source, kind, OTHER_EVENT] += 1
            continue
        detail: dict[str, object] = row["detail"]
        status = detail.get("currentPipelineExecutionStatus")
        where = f"{row['source_location']}: detail.currentPipelineExecutionStatus"
        if status not in statuses:
            raise ValueError(
                f"{where} {status!r} is not a pipeline execution status; expected one of "
                f"{', '.join(statuses)}"
            )
        if status != STOPPING or "StopPipelineExecution" not in operations:
            found.ignored[source, f"{kind}: {status}", OTHER_EVENT] += 1
            continue
        resource = detail.get("pipelineExecutionArn")
        if not isinstance(resource, str):
            raise ValueError(
                f"{row['source_location']}: detail.pipelineExecutionArn is missing (expected the "
                "execution's ARN)"
            )
        previous = detail.get("previousPipelineExecutionStatus")
        found.requests.append(
            LogRequest(
                row["time"],
                "StopPipelineExecution",
                resource,
                replayable.name_of(resource),
                previous if isinstance(previous, str) else "Executing",
                {},
                {},
                None,
                None,
                _text(row["id"]),
                str(row["source_location"]),
            )
        )
    return found


def _camel(member: str) -> str:
    return member[:1].lower() + member[1:]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
