"""Who calls: a scenario's callers (each with its botocore clients' retries, network,
permissions, waiter and region) and the consumers that answer SageMaker's callback steps.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from simulator.engine.distributions import Distribution, Duration, Lognormal, Uniform
from simulator.engine.schema import Probability, Strict
from simulator.services.regions import Region, inherited_region


class RetryMode(StrEnum):
    """botocore's retry modes (simulator.workload.retries does them)."""

    LEGACY = "legacy"
    STANDARD = "standard"
    ADAPTIVE = "adaptive"


class Retry(Strict):
    mode: RetryMode = Field(
        default=RetryMode.STANDARD, description="botocore's retry mode (standard since 1.44)"
    )
    max_attempts: int | None = Field(
        default=None, ge=1, description="attempts in all; default: the mode's (5 legacy, 3 else)"
    )


class WaiterSettings(Strict):
    delay: Duration = Field(default=30.0, gt=0, description="between polls (SDK waiters: 30s)")
    max_attempts: int = Field(default=40, ge=1, description="polls before giving up")


class Caller(Strict):
    """A caller (one botocore client per service it calls): its retries, its network, its
    permissions, its waiter, and the region its clients are made for (as boto3's
    `region_name`: each request goes to that region's endpoint)."""

    retry: Retry = Retry()
    network: Distribution = Field(
        default=Lognormal(median=0.05, p95=0.2), description="round trip of one attempt"
    )
    permissions: tuple[str, ...] = Field(default=("*",), description="IAM action patterns")
    account: str = Field(default="123456789012", pattern=r"^\d{12}$")
    region: Region = inherited_region()
    waiter: WaiterSettings = WaiterSettings()
    principals: tuple[str, ...] = Field(
        default=(),
        description="IAM ARN patterns (* and ?): logged requests replayed as this caller",
    )


class Consumer(Strict):
    """The code that polls a callback step's SQS queue and answers SageMaker: when it gets
    each message, how long it works on it, and whether it answers at all.

    Every message is handled on its own (a consumer that scales out). The first message of
    a step asks for its work; one with `"status": "Stopping"` (sent when the execution is
    stopped) asks for cleanup. Either answer ends the step.
    """

    caller: str = Field(default="default", description="whose client sends the answers")
    receive: Distribution = Field(
        default=Uniform(low=0, high=20),
        description="a message sent until the consumer has it (SQS long polls: 20 s)",
    )
    handle: Distribution = Field(
        default=Lognormal(median=10 * 60, p95=60 * 60),
        description="a step's work, received until SendPipelineExecutionStepSuccess",
    )
    handle_stop: Distribution = Field(
        default=Lognormal(median=30, p95=120),
        description="cleanup after a 'Stopping' message, received until the answer",
    )
    never_answers: Probability = Field(
        default=0.0, description="P(a step's messages are lost or have no handler)"
    )
    failure: Probability = Field(
        default=0.0, description="P(the work fails: SendPipelineExecutionStepFailure)"
    )
