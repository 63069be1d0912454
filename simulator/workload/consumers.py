"""The consumers of SageMaker callback steps' SQS queues: the customer's code that answers.

A callback step sends its queue a message and waits; the consumer receives it, does the
work, and calls SendPipelineExecutionStepSuccess (or ...Failure) through its caller's
client, with the retries, throttling and network every other call has. After a stop,
SageMaker sends a second message with `"status": "Stopping"`: the consumer cleans up and
answers again (with Success: ASSUMED), and only that answer, or the first if it comes
sooner, lets the execution stop. A consumer that never answers a step leaves a stopped
execution Stopping for ever.

A step's draws (when each message is received, how long it is handled, whether the work
fails, whether the consumer answers at all) come from a stream of the step's own, so they
are the same in a run, its counterfactual without stops (which sends no "Stopping"
messages), and every variant of a sweep.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any

import simpy

from simulator.engine.distributions import Distribution
from simulator.engine.env import Simulation
from simulator.scenario.callers import Consumer
from simulator.services.base import ManagedService, Subscribe
from simulator.workload.clients import Client


@dataclass(frozen=True)
class _Draws:
    """What chance decides about one callback step's messages."""

    silent: bool
    first: float
    """Sent until answered, for the step's first message (receive + handle)."""
    failed: bool
    stop: float
    """The same for a "Stopping" message, should one come."""


class QueueConsumer:
    """Answers the callback steps of one queue."""

    def __init__(
        self,
        sim: Simulation,
        queue: str,
        settings: Consumer,
        client: Client,
        service: ManagedService,
        subscribe: Subscribe,
    ) -> None:
        self.sim = sim
        self.queue = queue
        self.settings = settings
        self.client = client
        self.service = service
        self._draws: dict[str, _Draws] = {}
        subscribe(self.deliver)

    def _draw(self, token: str) -> _Draws:
        """A step's draws, on a stream of its own (named by its callback token, itself
        drawn when its execution started): the same whatever happened to other steps."""
        generator = self.sim.streams.generator(f"consumers.{self.queue}.{token}")
        settings = self.settings

        def duration(distribution: Distribution) -> float:
            return float(distribution.draw(generator, 1)[0])

        silent = generator.random() < settings.never_answers
        first = duration(settings.receive) + duration(settings.handle)
        failed = generator.random() < settings.failure
        stop = duration(settings.receive) + duration(settings.handle_stop)
        return _Draws(silent, first, failed, stop)

    def deliver(self, message: Mapping[str, Any]) -> None:
        token = message["token"]
        draws = self._draws.get(token)
        if draws is None:
            draws = self._draws[token] = self._draw(token)
        if draws.silent:
            return
        if message.get("status") == "Stopping":
            self.sim.process(self._answer(message, draws.stop, False))
        else:
            self.sim.process(self._answer(message, draws.first, draws.failed))

    def _answer(
        self, message: Mapping[str, Any], delay: float, failed: bool
    ) -> Generator[simpy.Event, Any, None]:
        yield self.sim.timeout(delay)
        params: dict[str, Any] = {"CallbackToken": message["token"]}
        operation = "SendPipelineExecutionStepSuccess"
        if failed:
            operation = "SendPipelineExecutionStepFailure"
            params["FailureReason"] = "the consumer's work failed"
        execution = self.service.resources[message["pipelineExecutionArn"]]
        client = self.client if execution.region is None else self.client.at(execution.region)
        yield from client.call(self.service.name, operation, params, execution.key)


def start_consumers(
    sim: Simulation,
    consumers: Mapping[str, Consumer],
    services: Mapping[str, ManagedService],
    clients: Mapping[str, Client],
) -> None:
    """Subscribe each queue's consumer to the messages the service of its queue sends it."""
    offered = {
        queue: (service, subscribe)
        for service in services.values()
        for queue, subscribe in service.queues().items()
    }
    for queue, settings in consumers.items():
        if queue not in offered:  # the scenario checks that a fleet uses every queue
            raise LookupError(f"consumers.{queue}: no populated service sends to {queue!r}")
        service, subscribe = offered[queue]
        QueueConsumer(sim, queue, settings, clients[settings.caller], service, subscribe)
