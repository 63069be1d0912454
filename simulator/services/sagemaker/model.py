"""SageMaker Pipelines as data: statuses, their transitions, errors and operations.

Executions, steps and a Lambda step's function share status words (an execution and its
steps are both `Executing`), so each kind has its own enum and its own table of moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from simulator.api.errors import ErrorSpec
from simulator.api.operations import Operation, ServiceErrors
from simulator.api.validation import Param
from simulator.engine.lifecycle import Edges, Transitions
from simulator.services.base import Progression
from simulator.services.kit import by_name


class PipelineExecutionStatus(StrEnum):
    Executing = "Executing"
    Stopping = "Stopping"
    Stopped = "Stopped"
    Failed = "Failed"
    Succeeded = "Succeeded"
    CompletedWithFailures = "CompletedWithFailures"


class StepStatus(StrEnum):
    Starting = "Starting"
    Executing = "Executing"
    Stopping = "Stopping"
    Stopped = "Stopped"
    Failed = "Failed"
    Succeeded = "Succeeded"


class FunctionStatus(StrEnum):
    """A Lambda step's invocation (not an API status: what Lambda bills by)."""

    Running = "Running"
    Finished = "Finished"
    TimedOut = "TimedOut"


class MessageStatus(StrEnum):
    """An SQS message SageMaker sent to a callback step's queue (what SQS bills by)."""

    Sent = "Sent"


E, St, F = PipelineExecutionStatus, StepStatus, FunctionStatus
EXECUTION: Final[Edges] = {
    E.Executing: frozenset({E.Stopping, E.Succeeded, E.Failed}),
    E.Stopping: frozenset({E.Stopped, E.Failed}),
}
STEP: Final[Edges] = {
    St.Starting: frozenset({St.Executing, St.Stopped}),
    St.Executing: frozenset({St.Succeeded, St.Failed, St.Stopping, St.Stopped}),
    St.Stopping: frozenset({St.Stopped}),
}
FUNCTION: Final[Edges] = {F.Running: frozenset({F.Finished, F.TimedOut})}
TRANSITIONS: Final[Transitions] = {
    PipelineExecutionStatus: EXECUTION,
    StepStatus: STEP,
    FunctionStatus: FUNCTION,
}
"""Each kind's own moves, by its status enum: executions and steps share status words."""
PROGRESSIONS: Final[Mapping[StrEnum, Progression]] = {}
"""Nothing progresses by a service-wide latency: steps and executions are processes."""
ENDED: Final = frozenset({E.Stopped, E.Failed, E.Succeeded})
RUNNING: Final = frozenset({St.Starting, St.Executing, St.Stopping})

Conflict = ErrorSpec("ConflictException", 400)
ResourceNotFound = ErrorSpec("ResourceNotFound", 400)
ERRORS: Final = ServiceErrors(
    validation=ErrorSpec("ValidationException", 400),
    throttling=ErrorSpec("ThrottlingException", 400),
    internal=ErrorSpec("InternalFailure", 500),
    access_denied=ErrorSpec("AccessDeniedException", 400),
    not_found=ResourceNotFound,
    token_conflict=Conflict,
    # the Send...Step operations declare ResourceLimitExceeded; no limit is modelled
    others=(Conflict, ErrorSpec("ResourceLimitExceeded", 400)),
)

EXECUTION_ARN: Final = (
    r"^arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:pipeline\/.*\/execution\/.*$"
)
_ARN = Param(str, required=True, max=2048, pattern=EXECUTION_ARN)
_TOKEN = Param(str, min=32, max=128)
_CALLBACK = Param(str, required=True, min=10, max=10, pattern=r"^[a-zA-Z0-9]+$")
_NEXT_TOKEN = Param(str, max=8192)
_PAGE_SIZE = Param(int, min=1, max=100)
_SORT_ORDER = Param(str, enum=("Ascending", "Descending"))
PIPELINE_NAME: Final = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$"
PIPELINE_NAME_OR_ARN: Final = (
    r"^(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:([0-9]{12}|aws):pipeline/.*)?"
    r"([a-zA-Z0-9](-*[a-zA-Z0-9]){0,255})$"
)
OPERATIONS: Final = by_name(
    Operation(
        "StopPipelineExecution",
        "sagemaker:StopPipelineExecution",
        {
            "PipelineExecutionArn": _ARN,
            "ClientRequestToken": Param(str, required=True, min=32, max=128),
        },
        resource_param="PipelineExecutionArn",
        idempotency_token="ClientRequestToken",
    ),
    Operation(
        "DescribePipelineExecution",
        "sagemaker:DescribePipelineExecution",
        {"PipelineExecutionArn": _ARN},
        resource_param="PipelineExecutionArn",
    ),
    Operation(
        "ListPipelineExecutionSteps",
        "sagemaker:ListPipelineExecutionSteps",
        {
            "PipelineExecutionArn": Param(str, max=2048, pattern=EXECUTION_ARN),
            "NextToken": _NEXT_TOKEN,
            "MaxResults": _PAGE_SIZE,
            "SortOrder": _SORT_ORDER,
        },
        resource_param="PipelineExecutionArn",
    ),
    Operation(
        "ListPipelineExecutions",
        "sagemaker:ListPipelineExecutions",
        {
            "PipelineName": Param(
                str, required=True, min=1, max=2048, pattern=PIPELINE_NAME_OR_ARN
            ),
            "CreatedAfter": Param(float),
            "CreatedBefore": Param(float),
            "SortBy": Param(str, enum=("CreationTime", "PipelineExecutionArn")),
            "SortOrder": _SORT_ORDER,
            "NextToken": _NEXT_TOKEN,
            "MaxResults": _PAGE_SIZE,
            "PipelineVersionAlias": Param(str, min=1, max=128, pattern=r"^[a-zA-Z0-9._\-]{1,128}$"),
        },
        resource_param="PipelineName",
    ),
    Operation(
        "ListPipelines",
        "sagemaker:ListPipelines",
        {
            "PipelineNamePrefix": Param(str, min=1, max=256, pattern=PIPELINE_NAME),
            "CreatedAfter": Param(float),
            "CreatedBefore": Param(float),
            "SortBy": Param(str, enum=("Name", "CreationTime")),
            "SortOrder": _SORT_ORDER,
            "NextToken": _NEXT_TOKEN,
            "MaxResults": _PAGE_SIZE,
            "ManagedBy": Param(str, enum=("AWS", "CUSTOMER")),
        },
        resource_param="",  # no member names one resource: it lists the account's pipelines
    ),
    Operation(
        "SendPipelineExecutionStepSuccess",
        "sagemaker:SendPipelineExecutionStepSuccess",
        {
            "CallbackToken": _CALLBACK,
            "OutputParameters": Param(list, max=50),
            "ClientRequestToken": _TOKEN,
        },
        resource_param="CallbackToken",
        idempotency_token="ClientRequestToken",
    ),
    Operation(
        "SendPipelineExecutionStepFailure",
        "sagemaker:SendPipelineExecutionStepFailure",
        {
            "CallbackToken": _CALLBACK,
            "FailureReason": Param(str, max=256),
            "ClientRequestToken": _TOKEN,
        },
        resource_param="CallbackToken",
        idempotency_token="ClientRequestToken",
    ),
)
LIST_PAGE: Final = 50
"""A listing's page without MaxResults (ASSUMED: the pages do not say)."""
