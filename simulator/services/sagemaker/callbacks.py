"""Callback steps: a message to an SQS queue, a token, and the consumer's answer.

A callback step sends its queue a message carrying a callback token and waits until the
consumer answers with SendPipelineExecutionStepSuccess or ...Failure for that token; the
answer ends the step when it is accepted. A stop (DOC, the StopPipelineExecution page): the
execution does not stop while a callback step runs. SageMaker sends the queue another
message, with `"status": "Stopping"`, and the execution stops only when the consumer
answers for the step (Stopped, whichever answer: DOC). No wait limit is documented: by
default (ASSUMED) an execution whose consumer never answers stays Stopping, reported as
stuck at the horizon; `callback_stop_wait` sets one, after which the step and the
execution are Failed (ASSUMED). The consumers (the customer's code) are the workload's.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from simulator.services.sagemaker.model import Conflict, MessageStatus, StepStatus
from simulator.services.sagemaker.settings import CallbackStep
from simulator.services.sagemaker.steps import Course, StepRun

if TYPE_CHECKING:
    from simulator.services.base import Deliver
    from simulator.services.sagemaker.dag import Execution
    from simulator.services.sagemaker.steps import Draws

St = StepStatus
_ALPHABET: Final = string.ascii_letters + string.digits
TOKEN_NUMBERS: Final = 62**10
"""How many callback tokens there are: ten letters or digits."""
NO_TOKEN: Final = "0" * 10
"""A well-formed callback token that no step is given (tokens are drawn at random)."""


def callback_token(number: int) -> str:
    """The callback token numbered `number` (below `TOKEN_NUMBERS`), as its ten characters."""
    token = ""
    for _ in range(10):
        number, digit = divmod(number, 62)
        token += _ALPHABET[digit]
    return token


class Queues:
    """The SQS queues callback steps send to, and who polls each (a consumer)."""

    def __init__(self) -> None:
        self.consumers: dict[str, list[Deliver]] = {}

    def declare(self, queue: str) -> None:
        """A queue a populated pipeline's callback steps send to."""
        self.consumers.setdefault(queue, [])

    def subscribe(self, queue: str, deliver: Deliver) -> None:
        """Have `deliver` told every message sent to `queue` (a consumer polling it)."""
        self.consumers.setdefault(queue, []).append(deliver)

    def send(self, queue: str, message: Mapping[str, Any]) -> None:
        for deliver in self.consumers.get(queue, ()):
            deliver(message)


class Callback(StepRun):
    """A callback step: Executing from its first message until the consumer's answer."""

    spec: CallbackStep

    def __init__(self, execution: Execution, spec: CallbackStep, draws: Draws) -> None:
        super().__init__(execution, spec, draws)
        assert draws.token is not None  # drawn with the execution's other draws
        self.token = draws.token
        self.messages = 0
        self.answered = self.sim.env.event()

    def course(self) -> Course:
        self.move(St.Executing, "start")
        self.execution.service.callbacks[self.token] = self
        self._send(stopping=False)
        yield self.answered  # which `answer` ends the step

    def answer(self, to: StepStatus) -> None:
        """SendPipelineExecutionStep{Success,Failure}: the step ends as the consumer says,
        while the execution waits for it, stopped or not."""
        if self.part.status is not St.Executing:
            raise Conflict(f"Step {self.spec.name} has already ended ({self.part.status})")
        self.end(to, "callback")
        self.answered.succeed()

    def stop(self) -> None:
        """The execution does not stop: the queue is sent a `"status": "Stopping"` message,
        and the step waits on for its answer (DOC)."""
        self._send(stopping=True)
        self.process.interrupt("stop")

    def stopped(self) -> Course:
        """The answer against `callback_stop_wait`, if one is set (ASSUMED): Failed if the
        wait ends first."""
        wait = self.execution.service.settings.callback_stop_wait
        if wait is None:
            yield self.answered
            return
        yield self.answered | self.sim.timeout(wait)
        if not self.answered.triggered:  # no answer accepted: the wait ended first
            self.end(St.Failed, "timeout")

    def _send(self, *, stopping: bool) -> None:
        """Send the step's queue a message (with `"status": "Stopping"` after a stop)."""
        execution = self.execution
        self.messages += 1
        execution.service.add(
            f"{self.part.id}/message-{self.messages}",
            execution.shape.group_name,
            MessageStatus.Sent,
            float(execution.service.settings.sqs_requests_per_message),
            "sqs",
            execution.resource,
        )
        message: dict[str, Any] = {
            "token": self.token,
            "pipelineExecutionArn": execution.resource.id,
            "arguments": dict(self.spec.arguments),
        }
        if stopping:
            message["status"] = "Stopping"
        execution.service.sqs.send(self.spec.queue, message)
