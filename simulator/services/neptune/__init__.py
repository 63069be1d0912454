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

ListMLModelTrainingJobs answers the ids of the first `maxItems` jobs (default 10, at most
1024: DOC) in the order they started, whatever their status (ASSUMED); its output is "a
page" with no token for the next, so a cluster with more jobs lists only those. A role
that is not the cluster's is BadRequestException, as for the other operations.

`data` holds what the service is (statuses, transitions, errors, operations, settings, the
fleet's shape); `jobs` runs a job and its parts as SimPy processes and answers the API.
"""

from __future__ import annotations

from simulator.services.neptune.data import (
    BILLED,
    ENDED,
    ERRORS,
    OPERATIONS,
    PARTS,
    PROGRESSIONS,
    STOP,
    TRANSITIONS,
    ArtifactStatus,
    BadRequest,
    Fleet,
    JobStatus,
    Latencies,
    PreconditionsFailed,
    Settings,
)
from simulator.services.neptune.jobs import TrainingJobs

__all__ = [
    "BILLED",
    "ENDED",
    "ERRORS",
    "OPERATIONS",
    "PARTS",
    "PROGRESSIONS",
    "STOP",
    "TRANSITIONS",
    "ArtifactStatus",
    "BadRequest",
    "Fleet",
    "JobStatus",
    "Latencies",
    "PreconditionsFailed",
    "Settings",
    "TrainingJobs",
]
