"""SageMaker Pipelines' API: the service, its executions' draws and its operations.

StopPipelineExecution stops an Executing execution (`dag`): 200, and again for a Stopping
one (ASSUMED); ConflictException for a Stopped, Failed or Succeeded one; ResourceNotFound
for an unknown ARN. ClientRequestToken is required and makes the stop idempotent for 8
hours (the lifetime is ASSUMED, as Lookout for Vision documents it): a replay answers as
the first stop did, the same token for another execution is a ConflictException. The
Send...Step operations answer a callback step (`callbacks`).

The orchestration is free: steps bill their jobs per instance-second, Lambda functions per
GB-second (1 ms) and per request, callbacks per SQS request, and a callback step that runs
work of its own (`instance_type`: an EMR or batch job the consumer starts) per instance-
second while the step runs. The `CompletedWithFailures` status exists in the API but is
reached only by features not modelled here.

ListPipelines and ListPipelineExecutions (`listing`) list the scenario's pipelines and
their started executions; every listing pages with a NextToken, and a token the service
did not give for that request is ValidationException (ASSUMED).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from simulator.services.base import (
    Deliver,
    ManagedService,
    Resource,
    StopSpec,
    Subscribe,
)
from simulator.services.paging import Pages
from simulator.services.sagemaker import listing
from simulator.services.sagemaker.callbacks import (
    NO_TOKEN,
    TOKEN_NUMBERS,
    Callback,
    Queues,
    callback_token,
)
from simulator.services.sagemaker.dag import Execution
from simulator.services.sagemaker.model import (
    ENDED,
    ERRORS,
    LIST_PAGE,
    OPERATIONS,
    PROGRESSIONS,
    TRANSITIONS,
    Conflict,
    PipelineExecutionStatus,
    ResourceNotFound,
    StepStatus,
)
from simulator.services.sagemaker.settings import (
    DRAWS,
    JOB_STOP,
    ORCHESTRATION,
    PROVISIONING,
    CallbackStep,
    Fleet,
    JobStep,
    LambdaStep,
    Settings,
)
from simulator.services.sagemaker.steps import Draws, StepRun

if TYPE_CHECKING:
    from simulator.engine.env import Simulation

E, St = PipelineExecutionStatus, StepStatus


def _job_name(key: int, step: str) -> str:
    """A step's job name as SageMaker makes one (`pipelines-<id>-<step>`), within a job
    name's limits: 63 characters of letters, digits and inner hyphens."""
    name = f"pipelines-{key:x}-{re.sub(r'[^a-zA-Z0-9-]', '', step)}"
    return name[:63].rstrip("-")


class Pipelines(ManagedService):
    """All pipeline executions of the simulated account, and their API."""

    name = "sagemaker"
    Status = PipelineExecutionStatus
    TRANSITIONS = TRANSITIONS
    PROGRESSIONS = PROGRESSIONS
    DRAWS = DRAWS
    OPERATIONS = OPERATIONS
    ERRORS = ERRORS
    STOP = StopSpec(
        operation="StopPipelineExecution",
        terminal=ENDED,
        describe="DescribePipelineExecution",
        describe_status=lambda r: r["PipelineExecutionStatus"],
    )
    settings: Settings

    def __init__(self, sim: Simulation, settings: Settings) -> None:
        super().__init__(sim, settings)
        self._executions: dict[str, Execution] = {}
        self._pipelines: dict[str, listing.Pipeline] = {}  # by name, in creation order
        self._pages = Pages(self.name, self.errors.validation)
        self.callbacks: dict[str, Callback] = {}
        """The callback steps that have started, by their token."""
        self.sqs = Queues()
        self._tokens = sim.streams.sampler(
            "sagemaker.callback_tokens",
            lambda g, n: g.integers(0, TOKEN_NUMBERS, n, dtype="int64"),
        )

    def subscribe(self, queue: str, deliver: Deliver) -> None:
        """Have `deliver` told every message sent to `queue` (a consumer polling it)."""
        self.sqs.subscribe(queue, deliver)

    def queues(self) -> Mapping[str, Subscribe]:
        """The callback steps' queues of the populated pipelines."""
        return {queue: partial(self.subscribe, queue) for queue in self.sqs.consumers}

    def populate(self, fleet: Fleet) -> None:
        for queue in fleet.queues:
            self.sqs.declare(queue)
        self._pipelines[fleet.pipeline] = listing.Pipeline(fleet, float(self.sim.now))
        for index in range(fleet.count):  # the scenario allows one fleet entry per pipeline
            at = fleet.first + (0.0 if fleet.every is None else index * fleet.every)
            if at == 0:
                self._execute(fleet, index)  # there for requests at t=0, as other fleets are
            else:
                self.sim.after(at, self._execute, fleet, index)

    def _execute(self, fleet: Fleet, index: int) -> None:
        arn = f"{fleet.pipeline_arn()}/execution/{index}"
        resource = self.add(
            arn, fleet.group_name, E.Executing, units=0.0, kind="execution", region=fleet.region
        )
        execution = self._executions[arn] = Execution(self, resource, fleet, self._plan(fleet))
        self._pipelines[fleet.pipeline].executions.append(execution)

    # -- draws, one stream per pipeline step and purpose -----------------------------------

    def _plan(self, fleet: Fleet) -> dict[str, Draws]:
        """The draws of one execution's steps, in the pipeline's order."""
        plan: dict[str, Draws] = {}
        for spec in fleet.steps:
            orchestration = self._required(ORCHESTRATION)
            if isinstance(spec, CallbackStep):
                token = callback_token(int(self._tokens()))
                plan[spec.name] = Draws(orchestration, token=token)
                continue
            provisioning = stop = 0.0
            if isinstance(spec, JobStep):
                provisioning, stop = self._required(PROVISIONING), self._required(JOB_STOP)
            duration = self._draw(f"{fleet.pipeline}.{spec.name}.duration", spec.duration)
            failed = self._uniform(f"{fleet.pipeline}.{spec.name}.failure") < spec.failure
            plan[spec.name] = Draws(orchestration, provisioning, duration, failed, stop)
        return plan

    def _required(self, latency: str) -> float:
        delay = self._latency(latency)
        assert delay is not None, latency  # none of SageMaker's latencies can be switched off
        return delay

    # -- operations ----------------------------------------------------------------------

    def _find(self, arn: str) -> Execution:
        execution = self._executions.get(arn)
        if execution is None or self.here(execution.resource) is None:
            raise ResourceNotFound(f"Pipeline execution {arn} does not exist")
        return execution

    def stop_pipeline_execution(self, params: Mapping[str, Any]) -> dict[str, Any]:
        execution = self._find(params["PipelineExecutionArn"])
        status = execution.resource.status
        if status is E.Executing:
            execution.stop()
        elif status is not E.Stopping:
            raise Conflict(f"Pipeline execution is {status}; only an executing one can stop")
        return {"PipelineExecutionArn": execution.resource.id}

    def describe_pipeline_execution(self, params: Mapping[str, Any]) -> dict[str, Any]:
        execution = self._find(params["PipelineExecutionArn"])
        shape, arn = execution.shape, execution.resource.id
        response: dict[str, Any] = {
            "PipelineArn": shape.pipeline_arn(),
            "PipelineExecutionArn": arn,
            "PipelineExecutionDisplayName": listing.display_name(arn),
            "PipelineExecutionStatus": execution.resource.status,
            "ParallelismConfiguration": {"MaxParallelExecutionSteps": shape.max_parallel_steps},
        }
        if execution.resource.status is E.Failed and execution.failed is not None:
            response["FailureReason"] = execution.failed
        return response

    def list_pipeline_execution_steps(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if "PipelineExecutionArn" not in params:
            raise self.errors.validation("PipelineExecutionArn is required")  # ASSUMED
        execution = self._find(params["PipelineExecutionArn"])
        runs = sorted(execution.runs.values(), key=lambda run: run.started_at)
        if params.get("SortOrder", "Descending") == "Descending":
            runs.reverse()
        summary = partial(self._step_summary, execution)
        return self._pages.listing(
            "ListPipelineExecutionSteps", params, runs, "PipelineExecutionSteps", summary, LIST_PAGE
        )

    def list_pipeline_executions(self, params: Mapping[str, Any]) -> dict[str, Any]:
        executions = listing.executions(self._regional(), params)
        summary = listing.execution_summary
        member = "PipelineExecutionSummaries"
        return self._pages.listing(
            "ListPipelineExecutions", params, executions, member, summary, LIST_PAGE
        )

    def list_pipelines(self, params: Mapping[str, Any]) -> dict[str, Any]:
        pipelines = listing.pipelines(self._regional().values(), params)
        summary = listing.pipeline_summary
        return self._pages.listing(
            "ListPipelines", params, pipelines, "PipelineSummaries", summary, LIST_PAGE
        )

    def _regional(self) -> dict[str, listing.Pipeline]:
        """The pipelines of the region being served, by name."""
        pipelines = self._pipelines.items()
        return {name: p for name, p in pipelines if p.shape.region == self.serving}

    def _step_summary(self, execution: Execution, run: StepRun) -> dict[str, Any]:
        spec, shape = run.spec, execution.shape
        summary: dict[str, Any] = {
            "StepName": spec.name,
            "StartTime": run.started_at,
            "StepStatus": run.part.status,
            "AttemptCount": 1,
        }
        if run.ended_at is not None:
            summary["EndTime"] = run.ended_at
        job = _job_name(run.part.key, spec.name)
        arn = shape.arn("sagemaker")
        if isinstance(spec, JobStep):
            member = "TrainingJob" if spec.type == "Training" else "ProcessingJob"
            summary["Metadata"] = {member: {"Arn": f"{arn}:{member[:-3].lower()}-job/{job}"}}
        elif isinstance(spec, LambdaStep):
            function = f"{shape.arn('lambda')}:function:{spec.name}"
            summary["Metadata"] = {"Lambda": {"Arn": function}}
        elif isinstance(run, Callback):
            queue = shape.queue_url(run.spec.queue)
            summary["Metadata"] = {"Callback": {"CallbackToken": run.token, "SqsQueueUrl": queue}}
        return summary

    def send_pipeline_execution_step_success(self, params: Mapping[str, Any]) -> dict[str, Any]:
        for output in params.get("OutputParameters", ()):
            if not (
                isinstance(output, dict)
                and set(output) == {"Name", "Value"}
                and isinstance(output["Name"], str)
                and len(output["Name"]) <= 256
                and isinstance(output["Value"], str)
                and len(output["Value"]) <= 1024
            ):
                raise self.errors.validation(
                    "OutputParameters: each item must be {Name: at most 256 characters, "
                    "Value: at most 1024 characters}"
                )
        return self._answer(params, St.Succeeded)

    def send_pipeline_execution_step_failure(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return self._answer(params, St.Failed)

    def _answer(self, params: Mapping[str, Any], to: StepStatus) -> dict[str, Any]:
        step = self.callbacks.get(params["CallbackToken"])
        if step is None or self.here(step.execution.resource) is None:
            raise ResourceNotFound(f"No step waits for callback token {params['CallbackToken']}")
        step.answer(to)
        return {"PipelineExecutionArn": step.execution.resource.id}

    def request(self, operation: str, resource: Resource, **extra: Any) -> dict[str, Any]:
        """A callback answer carries the token of the execution's latest callback step (a
        person approving whatever waits at 09:00); with none, a token no step has."""
        if operation.startswith("SendPipelineExecutionStep"):
            runs = self._executions[resource.id].runs.values()
            tokens = [run.token for run in runs if isinstance(run, Callback)]
            return {"CallbackToken": tokens[-1] if tokens else NO_TOKEN, **extra}
        pipeline = self._executions[resource.id].shape.pipeline
        if operation == "ListPipelineExecutions":  # the executions of its pipeline
            return {"PipelineName": pipeline, **extra}
        if operation == "ListPipelines":  # its pipeline, by the whole name as a prefix
            return {"PipelineNamePrefix": pipeline, **extra}
        return super().request(operation, resource, **extra)
