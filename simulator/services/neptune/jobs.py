"""Neptune ML model-training jobs as SimPy processes, and the API that cancels and reads them.

A job is a process that runs its stages one after another; each stage runs SageMaker parts,
each a process of its own that returns how it ended:

    processing                 one part
    training (HPO)             max_hpo_training_jobs parts, max_hpo_parallel_training_jobs
                               at a time: each that ends makes room for the next
    transform                  one part, if a training part Completed (a model to transform)

A part runs for a draw of its stage's latency, then ends Completed, or Failed with its
stage's failure probability. A training part races the job's training_timeout (DOC
default one day):

    yield done | timeout

and ends Stopped if the timeout comes first (ASSUMED, as SageMaker stops a training job
past its MaxRuntimeInSeconds). A stage whose part Failed, or an HPO stage where no
training part Completed, fails the job.

A cancel is answered at once, so the answer and a describe show it: the job and each of
its running parts are Stopping. The cancel then interrupts the job process, which
interrupts its running parts: each is Stopped after a draw of the stop latency, the job is
Stopped when the last one is, and then, with clean=true, its S3 artifacts are deleted ("all
Amazon S3 artifacts should be deleted when the job is stopped", CancelMLModelTrainingJob
page: DOC; the deletion's latency is ASSUMED).

Each draw is on its own stream, in the order the events happen: a part's duration when it
is launched, its outcome when it ends, a stop's latency when its part is interrupted.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeAlias

from simulator.services.base import ManagedService, Resource
from simulator.services.neptune.data import (
    DRAWS,
    ERRORS,
    LIST_ITEMS,
    OPERATIONS,
    PART_STOP,
    PARTS,
    PROGRESSIONS,
    STOP,
    TRANSITIONS,
    ArtifactStatus,
    BadRequest,
    Fleet,
    JobStatus,
    PreconditionsFailed,
    Settings,
)

if TYPE_CHECKING:
    from simpy import Event, Process

    from simulator.engine.env import Simulation

    Steps: TypeAlias = Generator[Event, Any, StrEnum]
    """A process that returns the status its part, stage or job ended in."""

S, A = JobStatus, ArtifactStatus


@dataclass(eq=False)
class _Job:
    """A job's resources, its process, and what GetMLModelTrainingJob shows of it."""

    resource: Resource
    shape: Fleet
    artifacts: Resource
    process: Process = field(init=False)
    stage: str = "processing"
    stages: dict[str, JobStatus] = field(default_factory=dict)
    running: dict[Resource, Process] = field(default_factory=dict)  # in launch order
    clean: bool = False


class TrainingJobs(ManagedService):
    """All Neptune ML model-training jobs of the simulated cluster, and their API."""

    name = "neptune"
    Status = JobStatus
    TRANSITIONS = TRANSITIONS
    PROGRESSIONS = PROGRESSIONS
    STAGES = PARTS
    DRAWS = DRAWS
    OPERATIONS = OPERATIONS
    ERRORS = ERRORS
    STOP = STOP
    settings: Settings

    def __init__(self, sim: Simulation, settings: Settings) -> None:
        super().__init__(sim, settings)
        self._jobs: dict[str, _Job] = {}

    def populate(self, fleet: Fleet) -> None:
        """Each job starts with its processing part, recorded beside it at t=0."""
        for index in self.numbered(fleet.name, fleet.count):
            job_id = f"{fleet.name}-{index}"
            resource = self.add(job_id, fleet.group_name, S.InProgress, units=0.0, kind="job")
            artifacts = self.add(
                f"{job_id}/artifacts",
                fleet.group_name,
                A.Stored,
                fleet.artifacts_gb,
                "s3",
                resource,
            )
            job = self._jobs[job_id] = _Job(resource, fleet, artifacts)
            processing = self._launch(job, "processing", fleet.processing_instance_type)
            job.process = self.sim.env.process(self._job(job, processing))

    # -- the processes -------------------------------------------------------------------

    def _job(self, job: _Job, processing: Process) -> Generator[Event, Any, None]:
        """The job's stages, until one fails or the last completes; a cancel interrupts it
        wherever it waits."""
        from simpy import Interrupt  # here: the scenario schema imports services, not simpy

        try:
            ended = yield processing
            if ended is S.Completed:
                self._next_stage(job, "training")
                ended = yield from self._hpo(job)
            if ended is S.Completed:
                self._next_stage(job, "transform")
                ended = yield self._launch(job, "transform", job.shape.transform_instance_type)
            self._end(job, S.Completed if ended is S.Completed else S.Failed)
        except Interrupt:
            yield from self._stop(job)

    def _hpo(self, job: _Job) -> Steps:
        """The training parts, at most max_hpo_parallel_training_jobs at a time; Completed
        if any of them Completed (it produced a model), else Failed."""
        shape = job.shape
        total = shape.max_hpo_training_jobs
        parallel = min(total, shape.max_hpo_parallel_training_jobs)
        running = [self._train(job, number) for number in range(1, 1 + parallel)]
        launched, trained = len(running), 0
        while running:
            yield self.sim.env.any_of(running)
            for part in [p for p in running if p.processed]:  # in launch order
                running.remove(part)
                trained += part.value is S.Completed
                if launched < total:
                    launched += 1
                    running.append(self._train(job, launched))
        return S.Completed if trained else S.Failed

    def _part(self, job: _Job, part: Resource, stage: str, duration: float) -> Steps:
        """One SageMaker part, from InProgress to how it ended (Stopping already, if a
        cancel interrupts it)."""
        from simpy import Interrupt  # here: the scenario schema imports services, not simpy

        env = self.sim.env
        done = env.timeout(duration)
        to: StrEnum
        try:
            if stage == "training":  # the race of its duration and the job's timeout
                yield done | env.timeout(job.shape.training_timeout)
            else:
                yield done
        except Interrupt:
            delay = self._latency(PART_STOP)
            assert delay is not None  # a stop always takes time
            yield env.timeout(delay)
            to, cause = S.Stopped, "stop"
        else:
            ended = done.processed  # on a tie, it ended: the timeout was not past
            to, cause = (self._outcome(PARTS[stage]), stage) if ended else (S.Stopped, "timeout")
        self.move(part, to, cause)
        del job.running[part]
        return to

    def _stop(self, job: _Job) -> Generator[Event, Any, None]:
        """After a cancel: each running part stops in its own time; the job is Stopped when
        the last one is; then, if the cancel asked, its artifacts are deleted."""
        parts = list(job.running.values())
        for part in parts:
            part.interrupt("cancel")
        yield self.sim.env.all_of(parts)
        job.stages[job.stage] = S.Stopped
        self.move(job.resource, S.Stopped, "stop")
        self._clean_if_asked(job)

    # -- what the processes do -------------------------------------------------------------

    def _launch(self, job: _Job, name: str, instance_type: str) -> Process:
        """Start a part `<job>/<name>` of the job's stage on one instance of `instance_type`."""
        stage = job.stage
        part = self.add(
            f"{job.resource.id}/{name}",
            job.resource.group,
            S.InProgress,
            1.0,
            instance_type,
            job.resource,
        )
        job.stages[stage] = S.InProgress
        duration = self._latency(PARTS[stage].latency)
        assert duration is not None, stage
        process = job.running[part] = self.sim.env.process(self._part(job, part, stage, duration))
        return process

    def _train(self, job: _Job, number: int) -> Process:
        return self._launch(job, f"hpo-{number}", job.shape.training_instance_type)

    def _next_stage(self, job: _Job, stage: str) -> None:
        """The current stage Completed: the job goes on to `stage`."""
        job.stages[job.stage] = S.Completed
        job.stage = stage

    def _end(self, job: _Job, to: JobStatus) -> None:
        """End the job as its current stage ended (Completed, or Failed)."""
        stage, job.stage = job.stage, "done"
        job.stages[stage] = to
        self.move(job.resource, to, stage)

    def _clean_if_asked(self, job: _Job) -> None:
        if job.clean and job.artifacts.status is A.Stored:
            self.move(job.artifacts, A.Deleting, "clean")

    # -- the API -------------------------------------------------------------------------

    def _check_role(self, params: Mapping[str, Any]) -> None:
        role = params.get("neptuneIamRoleArn")
        if role is not None and role not in self.settings.cluster_roles:
            raise BadRequest(f"{role} is not among the DB cluster's IAM roles")

    def _find(self, params: Mapping[str, Any]) -> _Job:
        self._check_role(params)
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
            self.move(job.resource, S.Stopping, "cancel")
            job.stages[job.stage] = S.Stopping
            for part in job.running:  # in launch order
                self.move(part, S.Stopping, "cancel")
            job.process.interrupt("cancel")
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

    def list_ml_model_training_jobs(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The first `maxItems` jobs' ids, in the order they started (ASSUMED), whatever
        their status; the API has no token for the rest (its output is 'a page')."""
        self._check_role(params)
        return {"ids": list(self._jobs)[: params.get("maxItems", LIST_ITEMS)]}

    def request(self, operation: str, resource: Resource, **extra: Any) -> dict[str, Any]:
        """A listing names no job: the cluster's first page, whichever job is targeted."""
        if operation == "ListMLModelTrainingJobs":
            return {**extra}
        return super().request(operation, resource, **extra)
