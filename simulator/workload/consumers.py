"""The consumers of SageMaker callback steps' SQS queues: the customer's code that answers.

A callback step sends its queue a message and waits; the consumer receives it, does the
work, and calls SendPipelineExecutionStepSuccess (or ...Failure) through its caller's
client, with the retries, throttling and network every other call has. After a stop,
SageMaker sends a second message with `"status": "Stopping"`: the consumer cleans up and
answers again (with Success: ASSUMED), and only that answer, or the first if it comes
sooner, lets the execution stop. A consumer that never answers a step leaves a stopped
execution Stopping for ever.

Each message's draws (when it is received, how long it is handled, whether the work fails)
are made when it is sent, on streams named by the queue and the message's kind, so the
counterfactual without stops, which has no "Stopping" messages, draws the same for the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import Any

import simpy

from simulator.engine.env import Simulation
from simulator.scenario.model import Consumer
from simulator.services.sagemaker import Pipelines
from simulator.workload.clients import Client


class QueueConsumer:
    """Answers the callback steps of one queue."""

    def __init__(
        self, sim: Simulation, queue: str, settings: Consumer, client: Client, service: Pipelines
    ) -> None:
        self.sim = sim
        self.settings = settings
        self.client = client
        self.service = service
        prefix = f"consumers.{queue}"

        def uniform(name: str) -> Callable[[], float]:
            return sim.streams.sampler(f"{prefix}.{name}", lambda g, n: g.random(n))

        self._receive = {
            False: sim.sampler(f"{prefix}.receive", settings.receive),
            True: sim.sampler(f"{prefix}.stop.receive", settings.receive),
        }
        self._handle = {
            False: sim.sampler(f"{prefix}.handle", settings.handle),
            True: sim.sampler(f"{prefix}.stop.handle", settings.handle_stop),
        }
        self._fails = uniform("failure")
        self._never = uniform("never_answers")
        self._silent: dict[str, bool] = {}
        service.subscribe(queue, self.deliver)

    def deliver(self, message: Mapping[str, Any]) -> None:
        stopping = message.get("status") == "Stopping"
        token = message["token"]
        silent = self._silent.get(token)
        if silent is None:  # decided once per step, at its first message
            silent = self._silent[token] = self._never() < self.settings.never_answers
        delay = self._receive[stopping]() + self._handle[stopping]()
        failed = not stopping and self._fails() < self.settings.failure
        if not silent:
            self.sim.process(self._answer(message, delay, failed))

    def _answer(
        self, message: Mapping[str, Any], delay: float, failed: bool
    ) -> Generator[simpy.Event, Any, None]:
        yield self.sim.timeout(delay)
        params: dict[str, Any] = {"CallbackToken": message["token"]}
        operation = "SendPipelineExecutionStepSuccess"
        if failed:
            operation = "SendPipelineExecutionStepFailure"
            params["FailureReason"] = "the consumer's work failed"
        key = self.service.resources[message["pipelineExecutionArn"]].key
        yield from self.client.call(self.service.name, operation, params, key)


def start_consumers(
    sim: Simulation,
    consumers: Mapping[str, Consumer],
    service: Pipelines,
    clients: Mapping[str, Client],
) -> None:
    """Subscribe each queue's consumer to the messages SageMaker sends it."""
    for queue, settings in consumers.items():
        QueueConsumer(sim, queue, settings, clients[settings.caller], service)
