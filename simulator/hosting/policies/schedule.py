"""`schedule`: AWS Instance Scheduler's periods, on hosted models.

A model should run inside any period (begin to end, on its weekdays, in the schedule's
time zone) and be stopped outside all of them. The moments are local times made UTC with
`zoneinfo`, so a 09:00 begin is 08:00 UTC in a Dublin summer and 09:00 in its winter. A
period's end at 24:00 runs to midnight, and joins a next day's 00:00 begin in one span; an
end at 23:59 is that minute (`simulator.scenario.zones`' convention, as demand's). At t=0
the schedule enforces the state it wants (as Instance Scheduler's first run would), then
acts at each edge: every model of its groups is sent its start or stop at once, each in its
own process, so a large fleet meets the quota.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from simulator.engine.env import Simulation
from simulator.hosting.policies.base import Control, Process
from simulator.scenario.policies import Schedule
from simulator.scenario.zones import DAY_MINUTES, weekdays
from simulator.services.base import Resource


def spans(policy: Schedule, start: datetime, horizon: float) -> list[tuple[float, float]]:
    """The running spans, in seconds from `start`, merged, clipped to [0, horizon]."""
    zone = ZoneInfo(policy.time_zone)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = (start + timedelta(seconds=horizon)).astimezone(zone).date()
    found: list[tuple[float, float]] = []
    for period in policy.periods:
        days = weekdays(period.weekdays)
        begin, end = period.minutes()
        day = first
        while day <= last:
            if day.weekday() in days:
                midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
                ends = midnight + timedelta(days=1) if end == DAY_MINUTES else _at(midnight, end)
                found.append(
                    (
                        (_at(midnight, begin) - start).total_seconds(),
                        (ends - start).total_seconds(),
                    )
                )
            day += timedelta(days=1)
    return _merged(found, horizon)


def _at(midnight: datetime, minutes: int) -> datetime:
    """The local wall-clock time `minutes` after `midnight`'s date began (DST-correct: the
    wall clock, not elapsed time)."""
    return midnight.replace(hour=minutes // 60, minute=minutes % 60)


def _merged(found: list[tuple[float, float]], horizon: float) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for begin, end in sorted(found):
        if end <= 0 or begin >= horizon:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return [(max(0.0, b), min(horizon, e)) for b, e in merged]


def edges(running: list[tuple[float, float]], horizon: float) -> list[tuple[float, bool]]:
    """(moment, start?) at which the schedule acts: its state at 0, then each edge."""
    acts = [(0.0, bool(running) and running[0][0] <= 0.0)]
    for begin, end in running:
        if begin > 0:
            acts.append((begin, True))
        if end < horizon:
            acts.append((end, False))
    return acts


def schedule(
    sim: Simulation, controls: Sequence[tuple[Control, Resource]], moments: list[tuple[float, bool]]
) -> Process:
    """The schedule's process: at each moment, every model's start or stop at once; a
    refused one is sent again (`retry`) only until the next moment."""
    for index, (moment, start) in enumerate(moments):
        yield sim.timeout(moment - sim.now)
        until = moments[index + 1][0] if index + 1 < len(moments) else float("inf")

        def wanted(until: float = until) -> bool:
            return sim.now < until

        for control, model in controls:
            sim.process(control.start(model, wanted) if start else control.stop(model, wanted))
