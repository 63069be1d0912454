"""SageMaker Pipelines: pipeline executions (StopPipelineExecution).

A pipeline is a DAG of steps declared in the scenario. An execution runs its steps as their
dependencies succeed, at most `max_parallel_steps` at once (MaxParallelExecutionSteps):

    execution:  Executing -> Succeeded | Failed (a step failed; running steps finish first)
                Executing --stop--> Stopping -> Stopped | Failed
    step:       (ready) -orchestration-> Starting -> Executing -> Succeeded | Failed
                Starting --stop--> Stopped
                Executing --stop--> Stopping -> Stopped     (Training, Processing: DOC)
                Executing --stop--> Stopped                 (a plain step: ASSUMED)
    function:   Running -> Finished | TimedOut              (a Lambda step's invocation)
    message:    Sent                                        (an SQS message SageMaker sent)

What a stop does to each running step (DOC, the StopPipelineExecution page):

- **Training, Processing**: the job is stopped: SIGTERM, then up to 120 s before it is
  killed (`latency.stop`); billed per instance-second until Stopped.
- **Callback**: the execution does not stop. SageMaker sends the step's queue another
  message, with `"status": "Stopping"`, and the execution stops only when the consumer
  answers (SendPipelineExecutionStepSuccess or ...Failure) for the step. No wait limit is
  documented: by default (ASSUMED) an execution whose consumer never answers stays Stopping,
  reported as stuck at the horizon; `callback_stop_wait` sets one, after which the step and
  the execution are Failed (ASSUMED).
- **Lambda**: the function cannot be stopped. If it finishes before the step's timeout
  (default 120 s, at most 10 min: DOC) the execution ends Stopped; if the timeout comes
  first, Failed. The function runs and bills its full duration either way.
- A step still Starting, or only ready (between steps), never runs: Stopped at once
  (ASSUMED). With nothing left running, the execution is Stopped at once.

Outside a stop, a step that fails stops new steps from starting; the execution is Failed
once its running steps end (ASSUMED). A stop of a Stopping execution answers 200 again
(ASSUMED); of a Stopped, Failed or Succeeded one, ConflictException; of an unknown ARN,
ResourceNotFound. ClientRequestToken is required and makes the stop idempotent for 8 hours
(the lifetime is ASSUMED, as Lookout for Vision documents it): a replay answers as the first
stop did, the same token for another execution is a ConflictException.

The orchestration is free: steps bill their jobs per instance-second, Lambda functions per
GB-second (1 ms) and per request, callbacks per SQS request, and a callback step that runs
work of its own (`instance_type`: an EMR or batch job the consumer starts) per instance-second
while the step runs. The `CompletedWithFailures` status exists in the API but is reached
only by features not modelled here.
"""

from __future__ import annotations

import re
import string
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Final, Literal, Self

from pydantic import Field, model_validator

from simulator.api.errors import ErrorSpec
from simulator.api.operations import Operation, Price, ServiceErrors, ServiceSettings
from simulator.api.validation import Param
from simulator.engine.distributions import (
    Distribution,
    Duration,
    Lognormal,
    PositiveDuration,
    Uniform,
)
from simulator.engine.lifecycle import Transitions
from simulator.engine.schema import Probability, Strict
from simulator.services.base import (
    Deliver,
    ManagedService,
    Progression,
    Resource,
    StopSpec,
    Subscribe,
)
from simulator.services.instances import instance_prices

if TYPE_CHECKING:
    from simulator.engine.env import Simulation


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
Edges = Mapping[StrEnum, frozenset[StrEnum]]
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
"""Nothing progresses by a service-wide latency: each step's duration is the pipeline's."""
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
OPERATIONS: Final = {
    op.name: op
    for op in (
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
                "NextToken": Param(str, max=8192),
                "MaxResults": Param(int, min=1, max=100),
                "SortOrder": Param(str, enum=("Ascending", "Descending")),
            },
            resource_param="PipelineExecutionArn",
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
}
LIST_PAGE: Final = 50
"""ListPipelineExecutionSteps' page without MaxResults (ASSUMED: the page does not say)."""


# -- the pipeline definition: one class per step type -------------------------------------

STEP_NAME: Final = r"^[A-Za-z0-9\-_]*$"


class _Step(Strict):
    name: str = Field(min_length=1, max_length=64, pattern=STEP_NAME)
    depends_on: tuple[str, ...] = Field(default=(), description="steps that must succeed first")


class JobStep(_Step):
    """A Training or Processing job: instances billed per second while it runs."""

    type: Literal["Training", "Processing"]
    duration: Distribution = Field(description="from Executing until the job ends by itself")
    instance_type: str = "ml.m5.xlarge"
    instance_count: int = Field(default=1, ge=1)
    failure: Probability = Field(default=0.0, description="P(the job ends Failed)")


class LambdaStep(_Step):
    """A Lambda function: the step waits for it up to `timeout`; the function itself runs
    (and bills) until it finishes or reaches its own `function_timeout`."""

    type: Literal["Lambda"]
    duration: Distribution = Field(description="the function's run")
    timeout: Duration = Field(default=120.0, gt=0, le=600, description="DOC: 120 s, at most 10m")
    function_timeout: Duration = Field(
        default=900.0, gt=0, le=900, description="Lambda's own limit (at most 15 min)"
    )
    memory_mb: int = Field(default=1024, ge=128, le=10240)
    failure: Probability = Field(default=0.0, description="P(the function reports an error)")


class CallbackStep(_Step):
    """A message to an SQS queue; the step waits for the consumer's answer."""

    type: Literal["Callback"]
    queue: str = Field(pattern=r"^[a-zA-Z0-9_-]{1,80}$", description="the SQS queue's name")
    arguments: dict[str, str] = Field(default_factory=dict, description="the message's arguments")
    instance_type: str | None = Field(
        default=None,
        description="work the consumer runs for the step (an EMR or batch job), billed per "
        "instance-second while the step runs; default: none",
    )
    instance_count: int = Field(default=1, ge=1)


class PlainStep(_Step):
    """Anything else (a condition, a model registration): it takes time and bills nothing."""

    type: Literal["Plain"]
    duration: Distribution = Field(default=Uniform(low=1, high=5))
    failure: Probability = Field(default=0.0, description="P(the step ends Failed)")


Step = Annotated[JobStep | LambdaStep | CallbackStep | PlainStep, Field(discriminator="type")]


class Fleet(Strict):
    """`count` executions of the pipeline `pipeline`, all at t=0 or one every `every`."""

    service: Literal["sagemaker"]
    pipeline: str = Field(
        max_length=256, pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$", description="its name"
    )
    group: str | None = Field(default=None, description="name to select by; default: pipeline")
    count: int = Field(ge=1, description="how many executions")
    every: PositiveDuration | None = Field(default=None, description="default: all at t=0")
    first: Duration = Field(default=0.0, ge=0, description="when the first execution starts")
    max_parallel_steps: int = Field(default=50, ge=1, description="MaxParallelExecutionSteps")
    steps: list[Step] = Field(min_length=1)
    account: str = Field(default="123456789012", pattern=r"^\d{12}$")
    region: str = Field(default="us-east-1", pattern=r"^[a-z\d-]+$")

    @model_validator(mode="after")
    def _a_dag(self) -> Self:
        names = [step.name for step in self.steps]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"steps: two steps are named {name!r}")
        for step in self.steps:
            for needed in step.depends_on:
                if needed not in names:
                    raise ValueError(
                        f"steps.{step.name}.depends_on: no step {needed!r}; steps are "
                        f"{', '.join(names)}"
                    )
        done: set[str] = set()
        while len(done) < len(names):
            ready = [s.name for s in self.steps if s.name not in done and done >= set(s.depends_on)]
            if not ready:
                cycle = sorted(set(names) - done)
                raise ValueError(f"steps: dependencies form a cycle among {', '.join(cycle)}")
            done.update(ready)
        return self

    @property
    def group_name(self) -> str:
        return self.group or self.pipeline

    @property
    def queues(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.queue for s in self.steps if isinstance(s, CallbackStep)))

    @property
    def billed_kinds(self) -> tuple[str, ...]:
        """The price kinds its steps bill as: each needs a price (the scenario checks)."""
        kinds: list[str] = []
        for step in self.steps:
            if isinstance(step, JobStep | CallbackStep) and step.instance_type is not None:
                kinds.append(step.instance_type)
            elif isinstance(step, LambdaStep):
                kinds.append("lambda")
            if isinstance(step, CallbackStep):
                kinds.append("sqs")
        return tuple(dict.fromkeys(kinds))

    def pipeline_arn(self) -> str:
        return f"arn:aws:sagemaker:{self.region}:{self.account}:pipeline/{self.pipeline}"

    def queue_url(self, queue: str) -> str:
        return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{queue}"


# -- settings ------------------------------------------------------------------------------


class Latencies(Strict):
    """What the orchestration adds. AWS publishes none but the stop's grace: ASSUMED."""

    orchestration: Distribution = Field(
        default=Uniform(low=1, high=5), description="a step's dependencies met until it starts"
    )
    provisioning: Distribution = Field(
        default=Lognormal(median=2 * 60, p95=6 * 60),
        description="a Training or Processing job's instances, Starting until Executing",
    )
    stop: Distribution = Field(
        default=Uniform(low=30, high=120),
        description="a stopped job until Stopped (SIGTERM, then up to 120 s: DOC)",
    )


class Settings(ServiceSettings):
    STATUSES: ClassVar[tuple[type[StrEnum], ...]] = (
        PipelineExecutionStatus,
        StepStatus,
        FunctionStatus,
        MessageStatus,
    )
    OPERATIONS: ClassVar[tuple[str, ...]] = tuple(OPERATIONS)

    latency: Latencies = Latencies()
    callback_stop_wait: PositiveDuration | None = Field(
        default=None,
        description="after a stop, how long a running callback step waits for its answer "
        "before it and the execution are Failed; default: for ever (ASSUMED)",
    )
    sqs_requests_per_message: int = Field(
        default=3, ge=1, description="send, receive and delete (ASSUMED; empty polls not billed)"
    )
    prices: dict[str, Price] = Field(
        default_factory=lambda: {
            **instance_prices(("Executing", "Stopping")),
            "lambda": Price(
                usd_per_hour=0.0000166667 * 3600,
                statuses=("Running",),
                granularity=0.001,
                kinds=("lambda",),
            ),
            "lambda_requests": Price(
                usd_per_entry=0.20e-6, statuses=("Running",), kinds=("lambda",), per_unit=False
            ),
            "sqs": Price(usd_per_entry=0.40e-6, statuses=("Sent",), kinds=("sqs",)),
        },
        description="instances per instance-hour, billed per second while a step is "
        "Executing or Stopping; Lambda per GB-second (1 ms) and per request; SQS per request",
    )


# -- the executions --------------------------------------------------------------------


@dataclass(eq=False)
class _Run:
    """One step of one execution, once it has started."""

    spec: JobStep | LambdaStep | CallbackStep | PlainStep
    part: Resource
    started_at: float
    ended_at: float | None = None
    token: str | None = None
    messages: int = 0


@dataclass(frozen=True)
class _Draws:
    """What chance decides for one step of one execution. All of an execution's draws are
    made when it starts, whether its steps run or not, so they are the same whatever a stop
    changes elsewhere: common random numbers between a run, its counterfactual without
    stops, and the variants of a sweep."""

    orchestration: float
    provisioning: float = 0.0
    duration: float = 0.0
    failed: bool = False
    stop: float = 0.0
    token: str | None = None


@dataclass(eq=False)
class _Execution:
    resource: Resource
    shape: Fleet
    draws: dict[str, _Draws]
    waiting: dict[str, set[str]]
    """Steps not yet ready, with the steps they still wait for."""
    ready: deque[str] = field(default_factory=deque)
    launching: int = 0
    """Steps whose dependencies are met, in the orchestration's gap before they start."""
    runs: dict[str, _Run] = field(default_factory=dict)
    failed: str | None = None
    """Why the execution is to end Failed, once nothing runs (None: it is not)."""

    @property
    def running(self) -> list[_Run]:
        return [run for run in self.runs.values() if run.part.status in RUNNING]


_ALPHABET: Final = string.ascii_letters + string.digits
NO_TOKEN: Final = "0" * 10
"""A well-formed callback token that no step is given (tokens are drawn at random)."""


def _job_name(key: int, step: str) -> str:
    """A step's job name as SageMaker makes one (`pipelines-<id>-<step>`), within a job
    name's limits: 63 characters of letters, digits and inner hyphens."""
    name = f"pipelines-{key:x}-{re.sub(r'[^a-zA-Z0-9-]', '', step)}"
    return name[:63].rstrip("-")


class Pipelines(ManagedService):
    """All pipeline executions of the simulated account, and their API."""

    name: ClassVar[str] = "sagemaker"
    Status: ClassVar[type[StrEnum]] = PipelineExecutionStatus
    TRANSITIONS: ClassVar[Transitions] = TRANSITIONS
    PROGRESSIONS: ClassVar[Mapping[Any, Progression]] = PROGRESSIONS
    OPERATIONS: ClassVar[Mapping[str, Operation]] = OPERATIONS
    ERRORS: ClassVar[ServiceErrors] = ERRORS
    STOP: ClassVar[StopSpec] = StopSpec(
        operation="StopPipelineExecution",
        terminal=ENDED,
        describe="DescribePipelineExecution",
        describe_status=lambda r: r["PipelineExecutionStatus"],
    )
    settings: Settings

    def __init__(self, sim: Simulation, settings: Settings) -> None:
        super().__init__(sim, settings)
        self._executions: dict[str, _Execution] = {}
        self._callbacks: dict[str, tuple[_Execution, _Run]] = {}
        self._queues: dict[str, list[Deliver]] = {}
        self._tokens = sim.streams.sampler(
            "sagemaker.callback_tokens", lambda g, n: g.integers(0, 62**10, n, dtype="int64")
        )

    def subscribe(self, queue: str, deliver: Deliver) -> None:
        """Have `deliver` told every message sent to `queue` (a consumer polling it)."""
        self._queues.setdefault(queue, []).append(deliver)

    def queues(self) -> Mapping[str, Subscribe]:
        """The callback steps' queues of the populated pipelines."""
        return {queue: partial(self.subscribe, queue) for queue in self._queues}

    def populate(self, fleet: Fleet) -> None:
        for queue in fleet.queues:
            self._queues.setdefault(queue, [])  # a queue its callback steps send to
        for index in range(fleet.count):  # the scenario allows one fleet entry per pipeline
            at = fleet.first + (0.0 if fleet.every is None else index * fleet.every)
            if at == 0:
                self._execute(fleet, index)  # there for requests at t=0, as other fleets are
            else:
                self.sim.after(at, self._execute, fleet, index)

    # -- draws, one stream per pipeline step and purpose -----------------------------------

    def _plan(self, fleet: Fleet) -> dict[str, _Draws]:
        """The draws of one execution's steps, in the pipeline's order."""
        plan: dict[str, _Draws] = {}
        for spec in fleet.steps:
            orchestration = self._required("orchestration")
            if isinstance(spec, CallbackStep):
                plan[spec.name] = _Draws(orchestration, token=self._callback_token())
                continue
            provisioning = stop = 0.0
            if isinstance(spec, JobStep):
                provisioning, stop = self._required("provisioning"), self._required("stop")
            duration = self._draw(f"{fleet.pipeline}.{spec.name}.duration", spec.duration)
            failed = self._fails(fleet, spec.name, spec.failure)
            plan[spec.name] = _Draws(orchestration, provisioning, duration, failed, stop)
        return plan

    def _required(self, latency: str) -> float:
        delay = self._latency(latency)
        assert delay is not None, latency  # none of SageMaker's latencies can be switched off
        return delay

    def _fails(self, fleet: Fleet, step: str, probability: float) -> bool:
        return self._uniform(f"{fleet.pipeline}.{step}.failure") < probability

    def _callback_token(self) -> str:
        number, token = int(self._tokens()), ""
        for _ in range(10):
            number, digit = divmod(number, 62)
            token += _ALPHABET[digit]
        return token

    # -- an execution's course -----------------------------------------------------------

    def _execute(self, fleet: Fleet, index: int) -> None:
        arn = f"{fleet.pipeline_arn()}/execution/{index}"
        resource = self.add(arn, fleet.group_name, E.Executing, units=0.0, kind="execution")
        waiting = {step.name: set(step.depends_on) for step in fleet.steps}
        execution = _Execution(resource, fleet, self._plan(fleet), waiting)
        self._executions[arn] = execution
        self._release(execution, None)

    def _release(self, execution: _Execution, succeeded: str | None) -> None:
        """Make ready the steps that waited only for `succeeded` (all roots when None),
        and start what the parallelism allows."""
        for name, needs in list(execution.waiting.items()):
            needs.discard(succeeded or "")
            if not needs:
                del execution.waiting[name]
                execution.ready.append(name)
        limit = execution.shape.max_parallel_steps
        while execution.ready and len(execution.running) + execution.launching < limit:
            name = execution.ready.popleft()
            execution.launching += 1
            self.sim.after(execution.draws[name].orchestration, self._start, execution, name)

    def _start(self, execution: _Execution, name: str) -> None:
        execution.launching -= 1
        if execution.resource.status is not E.Executing or execution.failed is not None:
            self._settle(execution)  # stopped or failed meanwhile: the step never starts
            return
        shape = execution.shape
        spec = next(step for step in shape.steps if step.name == name)
        step_id = f"{execution.resource.id}/{name}"
        kind, units = "step", 0.0
        if isinstance(spec, JobStep | CallbackStep) and spec.instance_type is not None:
            kind, units = spec.instance_type, float(spec.instance_count)
        part = self.add(step_id, shape.group_name, St.Starting, units, kind, execution.resource)
        run = execution.runs[name] = _Run(spec, part, self.sim.now)
        draws = execution.draws[name]
        if isinstance(spec, JobStep):
            self.sim.after(draws.provisioning, self._provisioned, execution, run)
            return
        self.move(part, St.Executing, "start")
        if isinstance(spec, LambdaStep):
            self._invoke(execution, run, spec)
        elif isinstance(spec, CallbackStep):
            assert draws.token is not None
            run.token = draws.token
            self._callbacks[draws.token] = (execution, run)
            self._send(execution, run, spec, stopping=False)
        else:
            self._run_for(execution, run)

    def _provisioned(self, execution: _Execution, run: _Run) -> None:
        if run.part.status is not St.Starting:
            return  # stopped while its instances came up
        self.move(run.part, St.Executing, "provisioning")
        self._run_for(execution, run)

    def _run_for(self, execution: _Execution, run: _Run) -> None:
        """End a job or plain step after its drawn duration, as its draw says."""
        draws = execution.draws[run.spec.name]
        to = St.Failed if draws.failed else None
        self.sim.after(draws.duration, self._ends, execution, run, to)

    def _invoke(self, execution: _Execution, run: _Run, spec: LambdaStep) -> None:
        """Start the function; the step ends at the function's end or at the step's
        timeout, whichever comes first; the function runs on regardless."""
        shape = execution.shape
        function = self.add(
            f"{run.part.id}/function",
            shape.group_name,
            F.Running,
            spec.memory_mb / 1024,
            "lambda",
            execution.resource,
        )
        draws = execution.draws[spec.name]
        duration, failed = draws.duration, draws.failed
        if duration <= spec.function_timeout:
            self.sim.after(duration, self.move, function, F.Finished, "function")
        else:  # Lambda ends the function at its own limit: an error the step reports
            duration, failed = spec.function_timeout, True
            self.sim.after(duration, self.move, function, F.TimedOut, "timeout")
        if duration < spec.timeout:
            self.sim.after(duration, self._ends, execution, run, St.Failed if failed else None)
        else:
            self.sim.after(spec.timeout, self._ends, execution, run, St.Failed, "timeout")

    def _ends(
        self, execution: _Execution, run: _Run, to: StepStatus | None, cause: str = "step"
    ) -> None:
        """A step ends by itself: Succeeded, unless `to` says otherwise."""
        if run.part.status is not St.Executing:
            return  # stopped meanwhile, or a callback already answered
        to = to or St.Succeeded
        self.move(run.part, to, cause)
        run.ended_at = self.sim.now
        if to is St.Failed:
            stopping = execution.resource.status is E.Stopping
            if execution.failed is None and (not stopping or cause == "timeout"):
                execution.failed = f"Step {run.spec.name} failed" + (
                    " (timeout)" if cause == "timeout" else ""
                )
        executing = execution.resource.status is E.Executing and execution.failed is None
        if executing and to is St.Succeeded:  # after a failure, no step starts
            self._release(execution, run.spec.name)
        self._settle(execution)

    def _settle(self, execution: _Execution) -> None:
        """End the execution once nothing runs or is about to."""
        status = execution.resource.status
        if execution.running or (status is E.Executing and execution.launching):
            return
        if status is E.Stopping:
            self.move(execution.resource, E.Failed if execution.failed else E.Stopped, "stop")
        elif status is E.Executing:
            if execution.failed is not None:
                self.move(execution.resource, E.Failed, "step")
            elif not execution.ready and not execution.waiting:
                self.move(execution.resource, E.Succeeded, "step")

    # -- callbacks -------------------------------------------------------------------------

    def _send(
        self, execution: _Execution, run: _Run, spec: CallbackStep, *, stopping: bool
    ) -> None:
        """Send the step's queue a message (with `"status": "Stopping"` after a stop)."""
        run.messages += 1
        self.add(
            f"{run.part.id}/message-{run.messages}",
            execution.shape.group_name,
            MessageStatus.Sent,
            float(self.settings.sqs_requests_per_message),
            "sqs",
            execution.resource,
        )
        assert run.token is not None
        message: dict[str, Any] = {
            "token": run.token,
            "pipelineExecutionArn": execution.resource.id,
            "arguments": dict(spec.arguments),
        }
        if stopping:
            message["status"] = "Stopping"
        for deliver in self._queues.get(spec.queue, ()):
            deliver(message)

    def _answer(self, params: Mapping[str, Any], to: StepStatus) -> dict[str, Any]:
        found = self._callbacks.get(params["CallbackToken"])
        if found is None:
            raise ResourceNotFound(f"No step waits for callback token {params['CallbackToken']}")
        execution, run = found
        if run.part.status is not St.Executing:
            raise Conflict(f"Step {run.spec.name} has already ended ({run.part.status})")
        self._ends(execution, run, to, "callback")
        return {"PipelineExecutionArn": execution.resource.id}

    # -- the stop ------------------------------------------------------------------------

    def _stop(self, execution: _Execution) -> None:
        self.move(execution.resource, E.Stopping, "stop")
        execution.ready.clear()
        execution.waiting.clear()
        for run in execution.running:
            spec, part = run.spec, run.part
            if part.status is St.Starting or isinstance(spec, PlainStep):
                self.move(part, St.Stopped, "stop")
                run.ended_at = self.sim.now
            elif isinstance(spec, JobStep):
                self.move(part, St.Stopping, "stop")
                self.sim.after(execution.draws[spec.name].stop, self._job_stopped, execution, run)
            elif isinstance(spec, CallbackStep):
                self._send(execution, run, spec, stopping=True)
                wait = self.settings.callback_stop_wait
                if wait is not None:
                    self.sim.after(wait, self._ends, execution, run, St.Failed, "timeout")
            # a Lambda step runs on: its function's end or its timeout ends it
        self._settle(execution)

    def _job_stopped(self, execution: _Execution, run: _Run) -> None:
        self.move(run.part, St.Stopped, "stop")
        run.ended_at = self.sim.now
        self._settle(execution)

    # -- operations ----------------------------------------------------------------------

    def _find(self, arn: str) -> _Execution:
        execution = self._executions.get(arn)
        if execution is None:
            raise ResourceNotFound(f"Pipeline execution {arn} does not exist")
        return execution

    def stop_pipeline_execution(self, params: Mapping[str, Any]) -> dict[str, Any]:
        execution = self._find(params["PipelineExecutionArn"])
        status = execution.resource.status
        if status is E.Executing:
            self._stop(execution)
        elif status is not E.Stopping:
            raise Conflict(f"Pipeline execution is {status}; only an executing one can stop")
        return {"PipelineExecutionArn": execution.resource.id}

    def describe_pipeline_execution(self, params: Mapping[str, Any]) -> dict[str, Any]:
        execution = self._find(params["PipelineExecutionArn"])
        shape, arn = execution.shape, execution.resource.id
        response: dict[str, Any] = {
            "PipelineArn": shape.pipeline_arn(),
            "PipelineExecutionArn": arn,
            "PipelineExecutionDisplayName": arn.rsplit("/", 1)[1],
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
        offset = params.get("NextToken", "0")
        if not offset.isdigit() or int(offset) > len(runs):
            raise self.errors.validation(f"Invalid NextToken {offset!r}")
        first = int(offset)
        last = first + params.get("MaxResults", LIST_PAGE)
        response: dict[str, Any] = {
            "PipelineExecutionSteps": [self._step_summary(execution, r) for r in runs[first:last]]
        }
        if last < len(runs):
            response["NextToken"] = str(last)
        return response

    def _step_summary(self, execution: _Execution, run: _Run) -> dict[str, Any]:
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
        arn = f"arn:aws:sagemaker:{shape.region}:{shape.account}"
        if isinstance(spec, JobStep):
            member = "TrainingJob" if spec.type == "Training" else "ProcessingJob"
            summary["Metadata"] = {member: {"Arn": f"{arn}:{member[:-3].lower()}-job/{job}"}}
        elif isinstance(spec, LambdaStep):
            function = f"arn:aws:lambda:{shape.region}:{shape.account}:function:{spec.name}"
            summary["Metadata"] = {"Lambda": {"Arn": function}}
        elif isinstance(spec, CallbackStep):
            summary["Metadata"] = {
                "Callback": {"CallbackToken": run.token, "SqsQueueUrl": shape.queue_url(spec.queue)}
            }
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

    def request(self, operation: str, resource: Resource, **extra: Any) -> dict[str, Any]:
        """A callback answer carries the token of the execution's latest callback step (a
        person approving whatever waits at 09:00); with none, a token no step has."""
        if operation.startswith("SendPipelineExecutionStep"):
            runs = self._executions[resource.id].runs.values()
            tokens = [run.token for run in runs if run.token is not None]
            return {"CallbackToken": tokens[-1] if tokens else NO_TOKEN, **extra}
        return {"PipelineExecutionArn": resource.id, **extra}
