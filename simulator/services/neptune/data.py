"""Neptune ML as data: statuses, transitions, errors, operations, settings and fleet shape.

What `jobs` runs reads these; the package's docstring says where each comes from.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal

from pydantic import Field

from simulator.api.errors import ErrorSpec
from simulator.api.operations import Operation, Price, ServiceErrors, ServiceSettings
from simulator.api.validation import Param
from simulator.engine.distributions import Distribution, Duration, Lognormal, Uniform
from simulator.engine.lifecycle import Transitions
from simulator.engine.schema import Probability, Strict
from simulator.services.base import Progression, StopSpec
from simulator.services.instances import instance_prices
from simulator.services.kit import FleetEntry, by_name


class JobStatus(StrEnum):
    """A job's status, and each of its SageMaker parts'."""

    InProgress = "InProgress"
    Completed = "Completed"
    Failed = "Failed"
    Stopping = "Stopping"
    Stopped = "Stopped"


class ArtifactStatus(StrEnum):
    """What became of a job's S3 artifacts (not an API status: what storage bills by)."""

    Stored = "Stored"
    Deleting = "Deleting"
    Deleted = "Deleted"


S, A = JobStatus, ArtifactStatus
TRANSITIONS: Final[Transitions] = {
    JobStatus: {
        S.InProgress: frozenset({S.Completed, S.Failed, S.Stopping, S.Stopped}),
        S.Stopping: frozenset({S.Stopped}),
    },
    ArtifactStatus: {A.Stored: frozenset({A.Deleting}), A.Deleting: frozenset({A.Deleted})},
}
PROGRESSIONS: Final = {A.Deleting: Progression("clean", to=A.Deleted)}
PARTS: Final = {
    stage: Progression(stage, to=S.Completed, otherwise={S.Failed: f"{stage}_failure"})
    for stage in ("processing", "training", "transform")
}
"""How a running part ends, by stage (a training part past its timeout ends Stopped): the
service's STAGES, checked against its settings when it is defined."""
PART_STOP: Final = "stop"
"""The latency a cancelled part draws from Stopping to Stopped."""
DRAWS: Final = frozenset({PART_STOP})
ENDED: Final = frozenset({S.Completed, S.Failed, S.Stopped})
STOP: Final = StopSpec(
    operation="CancelMLModelTrainingJob",
    terminal=ENDED,
    describe="GetMLModelTrainingJob",
    describe_status=lambda r: r["status"],
)
BILLED: Final = ("InProgress", "Stopping")

BadRequest = ErrorSpec("BadRequestException", 400)
PreconditionsFailed = ErrorSpec("PreconditionsFailedException", 400)
ERRORS: Final = ServiceErrors(
    validation=ErrorSpec("InvalidParameterException", 400),
    missing_parameter=ErrorSpec("MissingParameterException", 400),
    throttling=ErrorSpec("TooManyRequestsException", 429, retryable="transient"),
    internal=ErrorSpec("ClientTimeoutException", 408, retryable="transient"),
    access_denied=ErrorSpec("AccessDeniedException", 403),
    not_found=ErrorSpec("MLResourceNotFoundException", 404),
    others=(
        BadRequest,
        PreconditionsFailed,
        ErrorSpec("ConstraintViolationException", 400, retryable="transient"),
        ErrorSpec("IllegalArgumentException", 400),
        ErrorSpec("InvalidArgumentException", 400),
        ErrorSpec("UnsupportedOperationException", 400),
    ),
)

_ID = Param(str, required=True)
_ROLE = Param(str)
OPERATIONS: Final = by_name(
    Operation(
        "CancelMLModelTrainingJob",
        "neptune-db:CancelMLModelTrainingJob",
        {"id": _ID, "neptuneIamRoleArn": _ROLE, "clean": Param(bool)},
        resource_param="id",
    ),
    Operation(
        "GetMLModelTrainingJob",
        "neptune-db:GetMLModelTrainingJobStatus",
        {"id": _ID, "neptuneIamRoleArn": _ROLE},
        resource_param="id",
    ),
    Operation(
        "ListMLModelTrainingJobs",
        "neptune-db:ListMLModelTrainingJobs",
        {"maxItems": Param(int, min=1, max=1024), "neptuneIamRoleArn": _ROLE},
        resource_param="",  # no member names one job: it lists the cluster's
    ),
)
LIST_ITEMS: Final = 10
"""ListMLModelTrainingJobs' `maxItems` when the request gives none (DOC)."""


class Latencies(Strict):
    """How long each part takes. AWS publishes none but the stop's grace: all ASSUMED."""

    processing: Distribution = Field(
        default=Lognormal(median=20 * 60, p95=60 * 60), description="data processing"
    )
    training: Distribution = Field(
        default=Lognormal(median=2 * 3600, p95=6 * 3600),
        description="one HPO training job (cut at the job's training_timeout)",
    )
    transform: Distribution = Field(
        default=Lognormal(median=20 * 60, p95=60 * 60), description="model transform"
    )
    stop: Distribution = Field(
        default=Uniform(low=30, high=120),
        description="a running part from Stopping to Stopped (SageMaker gives 120 s: DOC)",
    )
    clean: Distribution = Field(
        default=Lognormal(median=2 * 60, p95=10 * 60), description="deleting the S3 artifacts"
    )


class Settings(ServiceSettings):
    STATUSES = (JobStatus, ArtifactStatus)
    OPERATIONS = tuple(OPERATIONS)

    latency: Latencies = Latencies()
    processing_failure: Probability = Field(default=0.0, description="P(processing Failed)")
    training_failure: Probability = Field(default=0.0, description="P(a training Failed)")
    transform_failure: Probability = Field(default=0.0, description="P(transform Failed)")
    cluster_roles: tuple[str, ...] = Field(
        default=("arn:aws:iam::123456789012:role/NeptuneMLRole",),
        description="the IAM roles in the DB cluster parameter group",
    )
    prices: dict[str, Price] = Field(
        default_factory=lambda: {
            **instance_prices(BILLED),
            "s3": Price(usd_per_hour=0.023 / 730, statuses=("Stored", "Deleting"), kinds=("s3",)),
        },
        description="SageMaker instances per instance-hour, billed per second while a part "
        "is InProgress or Stopping; S3 Standard per GB-month",
    )


class Fleet(FleetEntry):
    """`count` model-training jobs `<name>-<i>`, all started at t=0 with this shape."""

    NAMED_BY = "name"

    service: Literal["neptune"]
    name: str = Field(default="training", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9-]*$")
    processing_instance_type: str = "ml.m5.xlarge"
    training_instance_type: str = Field(default="ml.p3.2xlarge", description="DOC default")
    transform_instance_type: str = "ml.m5.2xlarge"
    max_hpo_training_jobs: int = Field(default=2, ge=1, description="DOC default 2")
    max_hpo_parallel_training_jobs: int = Field(default=2, ge=1, description="DOC default 2")
    training_timeout: Duration = Field(default=86400.0, gt=0, description="DOC default 1 day")
    artifacts_gb: float = Field(default=20.0, ge=0, description="S3 artifacts the job writes")

    @property
    def billed_kinds(self) -> tuple[str, ...]:
        """The price kinds its parts bill as: each needs a price (the scenario checks)."""
        storage = ("s3",) if self.artifacts_gb > 0 else ()
        return (
            self.processing_instance_type,
            self.training_instance_type,
            self.transform_instance_type,
            *storage,
        )
