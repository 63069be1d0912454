"""`keep_alive_histogram`: the hybrid histogram policy of Shahrad et al., "Serverless in the
Wild" (USENIX ATC '20, section 4), on hosted models instead of function containers.

Our reading of the paper. Per application (here: per model) the policy keeps a histogram
of idle times, the time between one invocation's end and the next's start (here: between
two requests, which take no time), in 1-minute bins over a 4-hour range. After each
invocation it sets two windows from it: the pre-warm window, the histogram's head (its
5th percentile, the bin's lower edge, shortened by a 10% margin), and the keep-alive
window, up to its tail (the 99th percentile, the bin's upper edge, lengthened by 10%),
counted from the pre-warm moment. A pre-warm window of 0 keeps the application loaded for
the keep-alive window after each invocation; a longer one unloads it at once and loads it
again when the pre-warm window ends, to be warm for the likely next invocation. While the
histogram is not representative the paper falls back to a fixed keep-alive (the range);
it judges that by the bin counts' coefficient of variation, and predicts with ARIMA when
too many idle times fall beyond the range. We judge it by two settings instead: too few
idle times (`min_idle_times`), or too large a share beyond the range
(`max_out_of_range`), and use the fixed `fallback` keep-alive for both (no ARIMA).

On a hosted model a stop and a start take minutes and the model bills until it has
stopped, so unloading is worth it only when the pre-warm window outlasts the model's stop
and start: stop after a request if `pre-warm - start_lead > mean stop latency`, and send
the start `start_lead` (default: the mean start latency) before the pre-warm window ends.
A request that finds the model stopped starts it (a cold start).

Cost: a model kept alive is walked along its arrival array (`first_gap`) with the
windows of its last decision, and the histogram takes each idle time once, in numpy. The
windows are computed again at the request before each long gap (so a stop is decided
with that request's windows), when the histogram first holds `min_idle_times`, and each
time it has grown by 10% since (`REFRESH`): O(log requests) computations per model, not
one per request. This is the approximation: between two computations a request's own
windows (the paper recomputes them after each invocation) are not looked at; a model
unloaded after each request has its windows computed at each one.
"""

from __future__ import annotations

import math

import numpy as np

from simulator.engine.env import Simulation
from simulator.hosting.policies.base import Control, Process, first_gap, next_arrival
from simulator.scenario.policies import KeepAliveHistogram
from simulator.services.base import Resource

REFRESH = 0.1
"""Between stop decisions, the windows are computed again once the idle times have grown by
this share: a cumulative histogram's percentiles move by little less often."""


class Histogram:
    """One model's idle times up to a moment, and the windows they set."""

    def __init__(self, policy: KeepAliveHistogram, times: np.ndarray) -> None:
        self.policy = policy
        self.times = times
        self.counts = np.zeros(math.ceil(policy.range / policy.bin), dtype=np.int64)
        self.beyond = 0
        self.seen = 0
        """Idle times counted: those between the first `seen + 1` requests."""
        self.computed = 0
        """Idle times the last windows were computed from."""

    def refresh(self) -> float:
        """The request at which the windows are due again: when the histogram first holds
        `min_idle_times`, then when it has grown by `REFRESH` since they were computed."""
        due = max(self.policy.min_idle_times, math.ceil(self.computed * (1 + REFRESH)))
        due = max(due, self.computed + 1)
        return float(self.times[due]) if due < len(self.times) else math.inf

    def windows(self, upto: float) -> tuple[float, float]:
        """(pre-warm, end of keep-alive), both from a request at `upto`, from the idle
        times between the requests up to it."""
        policy, times = self.policy, self.times
        arrived = int(np.searchsorted(times, upto, side="right"))
        if arrived - 1 > self.seen:
            bins = (np.diff(times[self.seen : arrived]) // policy.bin).astype(np.int64)
            inside = bins < len(self.counts)
            self.counts += np.bincount(bins[inside], minlength=len(self.counts))
            self.beyond += int(len(bins) - np.count_nonzero(inside))
            self.seen = arrived - 1
        self.computed = self.seen
        total = self.seen
        in_range = total - self.beyond
        if total < policy.min_idle_times or self.beyond > policy.max_out_of_range * total:
            return 0.0, policy.fallback
        cumulative = np.cumsum(self.counts)
        head = int(np.searchsorted(cumulative, policy.head / 100 * in_range, side="left"))
        tail = int(np.searchsorted(cumulative, policy.tail / 100 * in_range, side="left"))
        prewarm = head * policy.bin * (1 - policy.margin)
        return prewarm, (tail + 1) * policy.bin * (1 + policy.margin)


def keep_alive_histogram(
    sim: Simulation,
    control: Control,
    model: Resource,
    times: np.ndarray,
    policy: KeepAliveHistogram,
    horizon: float,
) -> Process:
    """The policy's process for one model with requests at `times`."""
    latency = getattr(control.service.settings, "latency")  # noqa: B009 (settings vary)
    lead = latency.start.mean if policy.start_lead is None else policy.start_lead
    stop_s = latency.stop.mean
    histogram, last = Histogram(policy, times), float(sim.now)
    while True:
        if not control.up(model):  # a cold start at the next request
            arrival = next_arrival(times, sim.now)
            if arrival >= horizon:
                return
            yield sim.timeout(arrival - sim.now)
            yield from control.settled(model)
            yield from control.start(model)
            yield from control.settled(model)
            last = float(sim.now)  # the requests that waited are served now
            continue
        prewarm, end = histogram.windows(last)
        if prewarm - lead > stop_s:  # unload now, load again before the pre-warm ends
            yield sim.timeout(max(0.0, last - sim.now))
            if not (yield from control.stop(model)):
                last = yield from _next_request(sim, times, horizon)
                if last >= horizon:
                    return
                continue
            warm = last + prewarm - lead
            if next_arrival(times, sim.now) < warm or warm >= horizon:
                continue  # the next request comes first: a cold start
            yield sim.timeout(warm - sim.now)
            yield from control.settled(model)
            yield from control.start(model)
            arrival = next_arrival(times, last)
            if arrival <= last + end:
                last = arrival
                continue
            stop_at = last + end
        else:
            quiet = min(first_gap(times, last, end), histogram.refresh())
            if quiet > last:  # a later request: decide with its windows
                last = quiet
                continue
            stop_at = last + end
        if stop_at >= horizon:
            return
        yield sim.timeout(max(0.0, stop_at - sim.now))
        if not (yield from control.stop(model)):
            last = yield from _next_request(sim, times, horizon)
            if last >= horizon:
                return


def _next_request(sim: Simulation, times: np.ndarray, horizon: float) -> Process:
    """Sleep until the next request, and say when it came: after a stop refused throughout,
    the policy decides again only then (infinity, at once, if none comes)."""
    arrival = next_arrival(times, sim.now)
    if arrival < horizon:
        yield sim.timeout(arrival - sim.now)
    return arrival
