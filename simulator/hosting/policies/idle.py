"""`idle_stop`: stop a model after `after` without a request; with `start_on_demand`, the
first request to a stopped model starts it (a cold start: it waits or fails as `serving`
says while the model starts).

One process per model, waking only when it acts: the moment the model has gone `after`
without a request is found by walking its arrival array (`first_gap`), never by an event
per request. A start is sent at the first request after the stop is accepted (once the
model has stopped, if it is still stopping: the policy knows, as a waiter would, without
its polls); its idle clock then runs from the moment the model serves again (RUNNING,
HOSTED), where the requests that waited for it count as requests: a model is never
stopped while it starts, nor as soon as it serves. Without
`start_on_demand` the policy looks at a stopped model again (another actor may have
started it) at its first request at least `after` later, so a stopped model under heavy
demand costs one event per `after`.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.env import Simulation
from simulator.hosting.policies.base import Control, Process, first_gap, next_arrival
from simulator.scenario.policies import IdleStop
from simulator.services.base import Resource


def idle_stop(
    sim: Simulation,
    control: Control,
    model: Resource,
    times: np.ndarray,
    policy: IdleStop,
    horizon: float,
) -> Process:
    """The policy's process for one model with requests at `times`."""
    after, since = policy.after, float(sim.now)
    while True:
        if control.returning(model):  # idle from when it serves
            yield from control.settled(model)
            since = float(sim.now)
        if control.serving(model):
            last = first_gap(times, since, after)  # the last request (or `since`)
            if last + after >= horizon:
                return
            yield sim.timeout(last + after - sim.now)

            def idle(last: float = last) -> bool:
                return next_arrival(times, last) > sim.now

            stopped = yield from control.stop(model, idle)
            if not stopped:  # a request came meanwhile, or the stop was refused throughout
                since = float(sim.now)  # idle from now on, or from that request
                recent = int(np.searchsorted(times, sim.now, side="right")) - 1
                if recent >= 0 and times[recent] > last:
                    since = float(times[recent])
            continue
        if policy.start_on_demand:
            wake = next_arrival(times, sim.now)
        else:
            wake = next_arrival(times, sim.now + after, strictly=False)
        if wake >= horizon:
            return
        yield sim.timeout(wake - sim.now)
        if policy.start_on_demand and not control.up(model):
            yield from control.start(model)  # once it has stopped, if it is stopping
        since = float(sim.now)
