"""The scenario's side of SageMaker Pipelines: a pipeline's steps, its fleet entry, and the
service's settings (latencies, the callback stop wait, prices). No simpy: the scenario's
schema loads these without the engine.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal, Self

from pydantic import Field, model_validator

from simulator.api.operations import Price, ServiceSettings
from simulator.engine.distributions import (
    Distribution,
    Duration,
    Lognormal,
    PositiveDuration,
    Uniform,
)
from simulator.engine.schema import Probability, Strict
from simulator.services.instances import instance_prices
from simulator.services.kit import AccountFleet
from simulator.services.sagemaker.model import (
    OPERATIONS,
    FunctionStatus,
    MessageStatus,
    PipelineExecutionStatus,
    StepStatus,
)

# -- the pipeline definition: one class per step type -----------------------------------------

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


StepSpec = JobStep | LambdaStep | CallbackStep | PlainStep
Step = Annotated[StepSpec, Field(discriminator="type")]


class Fleet(AccountFleet):
    """`count` executions of the pipeline `pipeline`, all at t=0 or one every `every`."""

    NAMED_BY = "pipeline"

    service: Literal["sagemaker"]
    pipeline: str = Field(
        max_length=256, pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$", description="its name"
    )
    count: int = Field(ge=1, description="how many executions")
    every: PositiveDuration | None = Field(default=None, description="default: all at t=0")
    first: Duration = Field(default=0.0, ge=0, description="when the first execution starts")
    max_parallel_steps: int = Field(default=50, ge=1, description="MaxParallelExecutionSteps")
    steps: list[Step] = Field(min_length=1)

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
        return f"{self.arn('sagemaker')}:pipeline/{self.pipeline}"

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


ORCHESTRATION: Final = "orchestration"
PROVISIONING: Final = "provisioning"
JOB_STOP: Final = "stop"
DRAWS: Final = frozenset({ORCHESTRATION, PROVISIONING, JOB_STOP})
"""The latencies an execution's draws take by name (`Pipelines._plan`): the service's DRAWS,
each checked against `Latencies` when the service is defined."""


class Settings(ServiceSettings):
    STATUSES = (PipelineExecutionStatus, StepStatus, FunctionStatus, MessageStatus)
    OPERATIONS = tuple(OPERATIONS)

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
