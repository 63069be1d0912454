"""The simulation environment: a `simpy.Environment` with its streams, recorder and clock.

Virtual time is in seconds from the start of the scenario; the scenario's `start` says
what date and time t=0 is, where schedules such as "daily at 20:00" need it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy

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

    def timeout(self, delay: float) -> simpy.Timeout:
        return self.env.timeout(delay)
