"""The simulation environment: a `simpy.Environment` with its streams, recorder and clock.

Virtual time is in seconds from the start of the scenario; the scenario's `start` says
what date and time t=0 is, where schedules such as "daily at 20:00" need it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy
from simpy.events import URGENT

from simulator.engine.distributions import Distribution
from simulator.engine.recorder import Recorder
from simulator.engine.rng import Streams


class Simulation:
    def __init__(self, streams: Streams) -> None:
        self.env = simpy.Environment()
        self.streams = streams
        self.recorder = Recorder()

    @property
    def now(self) -> float:
        return self.env.now

    def clock(self) -> float:
        return self.env.now

    def sampler(self, stream: str, distribution: Distribution) -> Callable[[], float]:
        """Draws of `distribution` on the stream named `stream`."""
        return self.streams.sampler(stream, distribution.draw)

    def after(self, delay: float, callback: Callable[..., Any], *args: Any) -> None:
        """Call `callback(*args)` `delay` seconds from now.

        Cheaper than a process for a single wait, which matters with a million resources.
        """
        timeout = self.env.timeout(delay)
        timeout.callbacks.append(lambda _event: callback(*args))

    def process(self, generator: Any) -> simpy.Process:
        return self.env.process(generator)

    def detach(self, generator: Generator[simpy.Event, Any, Any]) -> None:
        """Run `generator` as a process nothing waits for (`Detached`): a request and the
        polls that follow it, by the hundred thousand."""
        Detached(self.env, generator)

    def timeout(self, delay: float) -> simpy.Timeout:
        return self.env.timeout(delay)


class Detached:
    """A generator run as SimPy runs a process, for one nothing waits for or interrupts.

    A `simpy.Process` is an event itself, triggered when its generator returns: one event
    more for every request, of the dozen a stop and its polls cost, that nobody waits for.
    This starts the generator as a process starts (an urgent event at this instant, so
    what happens at each instant, and in what order, is what processes would give), resumes
    it each time an event it yields is processed, with the event's value, and schedules
    nothing when it returns. Failures differ from a process's in what nothing here uses: a
    failed event's own exception is thrown in (a process throws a copy), an exception the
    generator lets out ends the run at once, from the step that resumed it (a failed
    process nobody waits for ends it a step later), and `env.active_process` is None.
    """

    __slots__ = ("_generator",)

    def __init__(self, env: simpy.Environment, generator: Generator[simpy.Event, Any, Any]) -> None:
        self._generator = generator
        _Start(env, self._resume)

    def _resume(self, event: Any) -> None:
        """Resume the generator with `event`'s outcome until it yields an event not
        processed yet, and wait for that one.

        `event` is typed Any: SimPy declares `callbacks` a list, which the compiled build
        would check on reading it, and a processed event's is None."""
        generator = self._generator
        try:
            while True:
                if event.ok:
                    event = generator.send(event.value)
                else:
                    event.defused = True
                    event = generator.throw(event.value)
                callbacks = event.callbacks
                if callbacks is not None:
                    callbacks.append(self._resume)
                    return
        except StopIteration:
            return


class _Start(simpy.Event):
    """What starts a `Detached`: as `simpy.events.Initialize` starts a process, an event
    that has succeeded, scheduled urgent at this instant, so it runs right after the step
    that made it and before anything else due now."""

    def __init__(self, env: simpy.Environment, start: Callable[[simpy.Event], None]) -> None:
        super().__init__(env)
        self.callbacks.append(start)
        self._ok, self._value = True, None
        env.schedule(self, URGENT)
