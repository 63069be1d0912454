"""Neptune ML: model-training jobs (CancelMLModelTrainingJob).

    DELETE /ml/modeltraining/{id}?clean=&neptuneIamRoleArn=

A job runs three stages on SageMaker instances, each billed per second while it runs:

    data processing -> HPO tuning (max_hpo_training_jobs training jobs, at most
                       max_hpo_parallel_training_jobs at once) -> model transform

and writes its artifacts to S3, which cost storage from the job's start until deleted.

    job:        InProgress -> Completed | Failed
                InProgress --cancel--> Stopping -> Stopped (when its last running part stops)
    part:       InProgress -> Completed | Failed | Stopped (a training job past its timeout)
                InProgress --cancel--> Stopping -> Stopped (SageMaker's stop: up to 120 s)
    artifacts:  Stored --clean--> Deleting -> Deleted

The parts (`<id>/processing`, `<id>/hpo-<n>`, `<id>/transform`, `<id>/artifacts`) are
resources owned by their job: the costs table bills them, and a cancel's cost is the job's
parts' cost. With `clean=true` the artifacts are deleted once the job has stopped (which
takes time too); with `clean=false` (the default) they stay, costing storage.

The API returns statuses as free strings: these mirror SageMaker's job statuses (ASSUMED).
A cancel of a Stopping or Stopped job answers 200 again (ASSUMED; with clean=true it cleans
what is left); of a Completed or Failed one, PreconditionsFailedException (ASSUMED); of an
unknown id, MLResourceNotFoundException (404). A `neptuneIamRoleArn` that is not among the
cluster's roles is BadRequestException (ASSUMED: the page says "an error will occur").
TooManyRequestsException is HTTP 429 and, like ClientTimeoutException (408, the injected
fault: the caller's timeout passing) and ConstraintViolationException, marked retryable in
botocore's model, so botocore's standard mode retries them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal

from pydantic import Field

from simulator.api.errors import ErrorSpec
from simulator.api.operations import Operation, Price, ServiceErrors, ServiceSettings
from simulator.api.validation import Param
from simulator.engine.distributions import Distribution, Duration, Lognormal, Uniform
from simulator.engine.lifecycle import Transitions
from simulator.engine.schema import Probability, Strict
from simulator.services.base import ManagedService, Progression, Resource, StopSpec
from simulator.services.instances import instance_prices

if TYPE_CHECKING:
    from simulator.engine.env import Simulation


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
"""How a running part ends, by stage (a training part past its timeout ends Stopped)."""
ENDED: Final = frozenset({S.Completed, S.Failed, S.Stopped})
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
OPERATIONS: Final = {
    op.name: op
    for op in (
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
    )
}


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
    STATUSES: ClassVar[tuple[type[StrEnum], ...]] = (JobStatus, ArtifactStatus)
    OPERATIONS: ClassVar[tuple[str, ...]] = tuple(OPERATIONS)

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


class Fleet(Strict):
    """`count` model-training jobs `<name>-<i>`, all started at t=0 with this shape."""

    service: Literal["neptune"]
    count: int = Field(ge=1)
    name: str = Field(default="training", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9-]*$")
    group: str | None = Field(default=None, description="name to select by; default: name")
    processing_instance_type: str = "ml.m5.xlarge"
    training_instance_type: str = Field(default="ml.p3.2xlarge", description="DOC default")
    transform_instance_type: str = "ml.m5.2xlarge"
    max_hpo_training_jobs: int = Field(default=2, ge=1, description="DOC default 2")
    max_hpo_parallel_training_jobs: int = Field(default=2, ge=1, description="DOC default 2")
    training_timeout: Duration = Field(default=86400.0, gt=0, description="DOC default 1 day")
    artifacts_gb: float = Field(default=20.0, ge=0, description="S3 artifacts the job writes")

    @property
    def group_name(self) -> str:
        return self.group or self.name

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


@dataclass(eq=False)
class _Job:
    """A job's progress: its stage, its running parts, and whether to clean up."""

    resource: Resource
    shape: Fleet
    artifacts: Resource
    stage: str = "processing"
    stages: dict[str, JobStatus] = field(default_factory=dict)  # what GetMLModelTrainingJob shows
    running: set[Resource] = field(default_factory=set)
    launched: int = 0
    trained: int = 0
    clean: bool = False


class TrainingJobs(ManagedService):
    """All Neptune ML model-training jobs of the simulated cluster, and their API."""

    name: ClassVar[str] = "neptune"
    Status: ClassVar[type[StrEnum]] = JobStatus
    TRANSITIONS: ClassVar[Transitions] = TRANSITIONS
    PROGRESSIONS: ClassVar[Mapping[Any, Progression]] = PROGRESSIONS
    OPERATIONS: ClassVar[Mapping[str, Operation]] = OPERATIONS
    ERRORS: ClassVar[ServiceErrors] = ERRORS
    STOP: ClassVar[StopSpec] = StopSpec(
        operation="CancelMLModelTrainingJob",
        terminal=ENDED,
        describe="GetMLModelTrainingJob",
        describe_status=lambda r: r["status"],
    )
    settings: Settings

    def __init__(self, sim: Simulation, settings: Settings) -> None:
        super().__init__(sim, settings)
        self._jobs: dict[str, _Job] = {}

    def populate(self, fleet: Fleet) -> None:
        for index in self.numbered(fleet.name, fleet.count):
            job_id = f"{fleet.name}-{index}"
            job = self.add(job_id, fleet.group_name, S.InProgress, units=0.0, kind="job")
            artifacts = self.add(
                f"{job_id}/artifacts", fleet.group_name, A.Stored, fleet.artifacts_gb, "s3", job
            )
            state = self._jobs[job_id] = _Job(job, fleet, artifacts)
            self._launch(state, "processing", fleet.processing_instance_type)

    # -- the job's stages ----------------------------------------------------------------

    def _launch(self, job: _Job, part_name: str, instance_type: str) -> None:
        """Start one SageMaker part of `job` on one instance of `instance_type`."""
        stage = job.stage
        part = self.add(
            f"{job.resource.id}/{part_name}",
            job.resource.group,
            S.InProgress,
            1.0,
            instance_type,
            job.resource,
        )
        job.running.add(part)
        job.stages[stage] = S.InProgress
        duration = self._latency(stage)
        assert duration is not None, stage
        timeout = job.shape.training_timeout if stage == "training" else None
        if timeout is not None and duration > timeout:
            self.sim.after(timeout, self._part_ends, job, part, S.Stopped, "timeout")
        else:
            self.sim.after(duration, self._part_ends, job, part, None, stage)

    def _part_ends(self, job: _Job, part: Resource, to: StrEnum | None, cause: str) -> None:
        if part.status is not S.InProgress:
            return  # stopped by a cancel meanwhile
        to = self._outcome(PARTS[job.stage]) if to is None else to
        self.move(part, to, cause)
        job.running.discard(part)
        if job.stage == "training" and to is S.Completed:
            job.trained += 1
        self._advance(job, part.status)

    def _advance(self, job: _Job, ended: StrEnum) -> None:
        """After a part ended as `ended`: start what comes next, or end the job."""
        shape = job.shape
        if job.stage == "processing":
            if ended is not S.Completed:
                self._end(job, S.Failed)
                return
            job.stages["processing"] = S.Completed
            job.stage = "training"
            for _ in range(min(shape.max_hpo_parallel_training_jobs, shape.max_hpo_training_jobs)):
                self._launch_training(job)
        elif job.stage == "training":
            if job.launched < shape.max_hpo_training_jobs:
                self._launch_training(job)
            elif not job.running:
                if job.trained == 0:  # no training job produced a model
                    self._end(job, S.Failed)
                    return
                job.stages["training"] = S.Completed
                job.stage = "transform"
                self._launch(job, "transform", shape.transform_instance_type)
        else:
            self._end(job, S.Completed if ended is S.Completed else S.Failed)

    def _launch_training(self, job: _Job) -> None:
        job.launched += 1
        self._launch(job, f"hpo-{job.launched}", job.shape.training_instance_type)

    def _end(self, job: _Job, to: JobStatus) -> None:
        """End the job as its current stage ended (Completed, or Failed)."""
        stage, job.stage = job.stage, "done"
        job.stages[stage] = to
        self.move(job.resource, to, stage)

    # -- the cancel --------------------------------------------------------------------

    def _stop_parts(self, job: _Job) -> None:
        self.move(job.resource, S.Stopping, "cancel")
        job.stages[job.stage] = S.Stopping
        for part in sorted(job.running, key=lambda p: p.key):  # in launch order: reproducible
            self.move(part, S.Stopping, "cancel")
            delay = self._latency("stop")
            assert delay is not None
            self.sim.after(delay, self._part_stopped, job, part)
        self._stopped_if_idle(job)

    def _part_stopped(self, job: _Job, part: Resource) -> None:
        self.move(part, S.Stopped, "stop")
        job.running.discard(part)
        self._stopped_if_idle(job)

    def _stopped_if_idle(self, job: _Job) -> None:
        if job.running:
            return
        job.stages[job.stage] = S.Stopped
        self.move(job.resource, S.Stopped, "stop")
        self._clean_if_asked(job)

    def _clean_if_asked(self, job: _Job) -> None:
        if job.clean and job.artifacts.status is A.Stored:
            self.move(job.artifacts, A.Deleting, "clean")

    def _find(self, params: Mapping[str, Any]) -> _Job:
        role = params.get("neptuneIamRoleArn")
        if role is not None and role not in self.settings.cluster_roles:
            raise BadRequest(f"{role} is not among the DB cluster's IAM roles")
        job = self._jobs.get(params["id"])
        if job is None:
            raise self.errors.not_found(f"No model-training job with id {params['id']}")
        return job

    def cancel_ml_model_training_job(self, params: Mapping[str, Any]) -> dict[str, Any]:
        job = self._find(params)
        status = job.resource.status
        if status in (S.Completed, S.Failed):
            raise PreconditionsFailed(f"Job {job.resource.id} is {status}; it cannot be cancelled")
        job.clean = job.clean or bool(params.get("clean", False))
        if status is S.InProgress:
            self._stop_parts(job)
        elif status is S.Stopped:
            self._clean_if_asked(job)
        return {"status": job.resource.status.value}

    def get_ml_model_training_job(self, params: Mapping[str, Any]) -> dict[str, Any]:
        job = self._find(params)
        job_id = job.resource.id
        response: dict[str, Any] = {"id": job_id, "status": job.resource.status.value}
        for stage, member in (
            ("processing", "processingJob"),
            ("training", "hpoJob"),
            ("transform", "modelTransformJob"),
        ):
            if stage in job.stages:
                response[member] = {"name": f"{job_id}-{stage}", "status": job.stages[stage].value}
        return response

    def request(self, operation: str, resource: Resource, **extra: Any) -> dict[str, Any]:
        return {"id": resource.id, **extra}
