"""The errors test_errors.py provokes: each a call as a caller would make it, with the
scenario settings it needs (a throttle, a fault) and the caller (one the policy denies),
and the declared errors no request here provokes. Clients make one attempt
(`total_max_attempts: 1`): a throttle or a fault is seen as it is, not retried away."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from simulator.api.errors import ErrorSpec
from simulator.aws.account import SERVICES as BOTOCORE_NAMES
from simulator.aws.account import service_model
from simulator.services import SERVICES
from tests.aws import _kit
from tests.aws._kit import PROJECT_ARN, classifier_arn, execution_arn, version_arn

ONCE = Config(retries={"mode": "standard", "total_max_attempts": 1})
CLIENT_NAME = {service: name for name, service in BOTOCORE_NAMES.items()}


def client_once(service: str) -> Any:
    return _kit.client(CLIENT_NAME[service], config=ONCE)


@dataclass(frozen=True)
class Provoked:
    """A call that must fail with the error `code` of `service`'s ERRORS."""

    service: str
    code: str
    how: str
    call: Callable[[Any], Any]
    """Given the service's client: the failing call (earlier calls may set it up)."""
    settings: dict[str, Any] = field(default_factory=dict)
    caller: str = "default"

    def spec(self) -> ErrorSpec:
        [spec] = [s for s in SERVICES[self.service].ERRORS.all() if s.code == self.code]
        return spec


def _after(seconds: float, call: Callable[[], Any]) -> Any:
    time.sleep(seconds)
    return call()


def _reuse_token(sagemaker: Any) -> Any:
    """Stop execution 0, then execution 1 (started at 600 s) with the same token."""
    time.sleep(600)
    token = "t" * 32
    sagemaker.stop_pipeline_execution(
        PipelineExecutionArn=execution_arn(0), ClientRequestToken=token
    )
    return sagemaker.stop_pipeline_execution(
        PipelineExecutionArn=execution_arn(1), ClientRequestToken=token
    )


def _twice(call: Callable[[], Any]) -> Any:
    call()
    return call()


PROVOKED = [
    # -- Rekognition
    Provoked(
        "rekognition",
        "InvalidParameterException",
        "an ARN off the pattern",
        lambda c: c.stop_project_version(ProjectVersionArn=PROJECT_ARN + "/version"),
    ),
    Provoked(
        "rekognition",
        "ResourceNotFoundException",
        "an unknown version",
        lambda c: c.stop_project_version(ProjectVersionArn=version_arn(9)),
    ),
    Provoked(
        "rekognition",
        "ResourceInUseException",
        "a stop of a version not running",
        lambda c: c.stop_project_version(ProjectVersionArn=version_arn(2)),
    ),
    Provoked(
        "rekognition",
        "InvalidPaginationTokenException",
        "a token the service did not give",
        lambda c: c.describe_project_versions(ProjectArn=PROJECT_ARN, NextToken="made-up"),
    ),
    Provoked(
        "rekognition",
        "ThrottlingException",
        "a second call within a bucket of one",
        lambda c: _twice(lambda: c.describe_projects()),
        {"throttle": {"DescribeProjects": {"rate": 0.001, "burst": 1}}},
    ),
    Provoked(
        "rekognition",
        "InternalServerError",
        "an injected fault",
        lambda c: c.describe_projects(),
        {"faults": {"DescribeProjects": 1.0}},
    ),
    Provoked(
        "rekognition",
        "AccessDeniedException",
        "a caller without the action",
        lambda c: c.describe_projects(),
        caller="denied",
    ),
    # -- Lookout for Vision
    Provoked(
        "lookoutvision",
        "ValidationException",
        "a version off the pattern",
        lambda c: c.describe_model(ProjectName="inspection", ModelVersion="0"),
    ),
    Provoked(
        "lookoutvision",
        "ResourceNotFoundException",
        "an unknown version",
        lambda c: c.describe_model(ProjectName="inspection", ModelVersion="9"),
    ),
    Provoked(
        "lookoutvision",
        "ConflictException",
        "a stop of a model not hosted",
        lambda c: c.stop_model(ProjectName="inspection", ModelVersion="3"),
    ),
    Provoked(
        "lookoutvision",
        "ConflictException",
        "a ClientToken reused with other parameters",
        lambda c: [
            c.stop_model(ProjectName="inspection", ModelVersion=v, ClientToken="token-1")
            for v in ("1", "2")
        ],
    ),
    Provoked(
        "lookoutvision",
        "ThrottlingException",
        "a second call within a bucket of one",
        lambda c: _twice(lambda: c.list_projects()),
        {"throttle": {"ListProjects": {"rate": 0.001, "burst": 1}}},
    ),
    Provoked(
        "lookoutvision",
        "InternalServerException",
        "an injected fault",
        lambda c: c.list_projects(),
        {"faults": {"ListProjects": 1.0}},
    ),
    Provoked(
        "lookoutvision",
        "AccessDeniedException",
        "a caller without the action",
        lambda c: c.list_projects(),
        caller="denied",
    ),
    # -- Comprehend
    Provoked(
        "comprehend",
        "InvalidRequestException",
        "an ARN off the pattern",
        lambda c: c.describe_document_classifier(DocumentClassifierArn="arn:aws:comprehend:x"),
    ),
    Provoked(
        "comprehend",
        "ResourceNotFoundException",
        "an unknown classifier",
        lambda c: c.describe_document_classifier(DocumentClassifierArn=classifier_arn(9)),
    ),
    Provoked(
        "comprehend",
        "InvalidFilterException",
        "a filter of two conditions",
        lambda c: c.list_document_classifiers(Filter={"Status": "TRAINING", "SubmitTimeAfter": 0}),
    ),
    Provoked(
        "comprehend",
        "TooManyRequestsException",
        "a second call within a bucket of one",
        lambda c: _twice(lambda: c.list_document_classifiers()),
        {"throttle": {"ListDocumentClassifiers": {"rate": 0.001, "burst": 1}}},
    ),
    Provoked(
        "comprehend",
        "InternalServerException",
        "an injected fault",
        lambda c: c.list_document_classifiers(),
        {"faults": {"ListDocumentClassifiers": 1.0}},
    ),
    Provoked(
        "comprehend",
        "AccessDeniedException",
        "a caller without the action",
        lambda c: c.list_document_classifiers(),
        caller="denied",
    ),
    # -- SageMaker Pipelines
    Provoked(
        "sagemaker",
        "ValidationException",
        "a token longer than 128 characters",
        lambda c: c.stop_pipeline_execution(
            PipelineExecutionArn=execution_arn(0), ClientRequestToken="t" * 129
        ),
    ),
    Provoked(
        "sagemaker",
        "ResourceNotFound",
        "an unknown execution",
        lambda c: c.describe_pipeline_execution(PipelineExecutionArn=execution_arn(9)),
    ),
    Provoked(
        "sagemaker",
        "ConflictException",
        "a stop of a stopped execution",
        lambda c: [
            _after(60, lambda: c.stop_pipeline_execution(PipelineExecutionArn=execution_arn(0)))
            for _ in range(2)
        ],
    ),
    Provoked(
        "sagemaker",
        "ConflictException",
        "a ClientRequestToken reused with other parameters",
        lambda c: _reuse_token(c),
    ),
    Provoked(
        "sagemaker",
        "ThrottlingException",
        "a second call within a bucket of one",
        lambda c: _twice(lambda: c.list_pipelines()),
        {"throttle": {"ListPipelines": {"rate": 0.001, "burst": 1}}},
    ),
    Provoked(
        "sagemaker",
        "InternalFailure",
        "an injected fault",
        lambda c: c.list_pipelines(),
        {"faults": {"ListPipelines": 1.0}},
    ),
    Provoked(
        "sagemaker",
        "AccessDeniedException",
        "a caller without the action",
        lambda c: c.list_pipelines(),
        caller="denied",
    ),
    # -- Neptune ML
    Provoked(
        "neptune",
        "InvalidParameterException",
        "maxItems over 1024",
        lambda c: c.list_ml_model_training_jobs(maxItems=2000),
    ),
    Provoked(
        "neptune",
        "MLResourceNotFoundException",
        "an unknown job",
        lambda c: c.get_ml_model_training_job(id="job-9"),
    ),
    Provoked(
        "neptune",
        "BadRequestException",
        "a role the cluster does not have",
        lambda c: c.get_ml_model_training_job(
            id="job-0", neptuneIamRoleArn=f"arn:aws:iam::{_kit.ACCOUNT}:role/other"
        ),
    ),
    Provoked(
        "neptune",
        "PreconditionsFailedException",
        "a cancel of a completed job",
        lambda c: _after(40, lambda: c.cancel_ml_model_training_job(id="job-0")),
        {"latency": {"processing": 10, "training": 10, "transform": 10}},
    ),
    Provoked(
        "neptune",
        "TooManyRequestsException",
        "a second call within a bucket of one",
        lambda c: _twice(lambda: c.list_ml_model_training_jobs()),
        {"throttle": {"ListMLModelTrainingJobs": {"rate": 0.001, "burst": 1}}},
    ),
    Provoked(
        "neptune",
        "ClientTimeoutException",
        "an injected fault",
        lambda c: c.list_ml_model_training_jobs(),
        {"faults": {"ListMLModelTrainingJobs": 1.0}},
    ),
    Provoked(
        "neptune",
        "AccessDeniedException",
        "a caller without the action",
        lambda c: c.list_ml_model_training_jobs(),
        caller="denied",
    ),
]
NEVER_RAISED = {
    ("rekognition", "ProvisionedThroughputExceededException"): "no quota of throughput",
    ("rekognition", "LimitExceededException"): "no limit on running versions",
    ("lookoutvision", "ServiceQuotaExceededException"): "no service quota",
    ("sagemaker", "ResourceLimitExceeded"): "no limit on callbacks",
    ("neptune", "MissingParameterException"): "botocore cannot send a request without `id`",
    ("neptune", "ConstraintViolationException"): "no constraint of the graph",
    ("neptune", "IllegalArgumentException"): "no argument it refuses so",
    ("neptune", "InvalidArgumentException"): "no argument it refuses so",
    ("neptune", "UnsupportedOperationException"): "every modelled operation is supported",
}
"""Errors declared (as botocore's models declare them) that no request provokes here: the
patched handler raises them."""


def raised(call: Callable[[], Any]) -> tuple[str, int, str] | str:
    """(code, HTTP status, exception class) of the ClientError `call` raised."""
    try:
        call()
    except ClientError as error:
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        return error.response["Error"]["Code"], status, type(error).__name__
    return "no error"


def exception_class(service: str, code: str) -> str:
    """The class botocore raises for `code`: the model's own, else ClientError."""
    model = service_model(CLIENT_NAME[service])
    return code if code in {shape.name for shape in model.error_shapes} else "ClientError"
