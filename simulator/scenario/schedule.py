"""When a stream fires: `at`, `every` (+ `time_of_day` or `first`), `poisson`; shared by
request streams (`Requests`, which add `replay`) and handler streams (`Invocations`)."""

from __future__ import annotations

import re
from datetime import time

from pydantic import Field

from simulator.engine.distributions import Duration, PositiveDuration
from simulator.engine.schema import Strict, Timestamp

_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


class Poisson(Strict):
    rate: float = Field(gt=0, description="requests per second")
    start: Duration = 0.0
    end: Duration | None = Field(default=None, description="default: the horizon")


class Schedule(Strict):
    """The arrival rules of a stream; a subclass's validator calls `check_schedule`."""

    at: Duration | Timestamp | None = Field(
        default=None, description="once: a time from the start, or a timestamp"
    )
    every: PositiveDuration | None = Field(default=None, description="recurring: the period")
    time_of_day: str | None = Field(
        default=None,
        description="with `every`: first occurrence at this 'HH:MM' (start's zone)",
        json_schema_extra={"pattern": _CLOCK.pattern},  # checked in check_schedule, to say so
    )
    first: Duration = Field(default=0.0, description="with `every`: first occurrence")
    poisson: Poisson | None = None

    def check_schedule(self, rules: tuple[str, ...]) -> None:
        """Exactly one of `rules` is given, and the clock and Poisson window make sense."""
        given = [k for k in rules if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of {', '.join(f'`{r}`' for r in rules)}"
                + (f" (got {', '.join(given)})" if given else "")
            )
        poisson = self.poisson
        if poisson is not None and poisson.end is not None and poisson.start >= poisson.end:
            raise ValueError(
                f"poisson.start: {poisson.start:g} s is not before end ({poisson.end:g} s)"
            )
        if self.time_of_day is not None:
            if self.every is None:
                raise ValueError("`time_of_day` goes with `every`")
            if self.first != 0:
                raise ValueError("give `time_of_day` or `first`, not both")
            if not _CLOCK.match(self.time_of_day):
                raise ValueError(f"time_of_day: expected 'HH:MM', got {self.time_of_day!r}")

    def clock_time(self) -> time | None:
        if self.time_of_day is None:
            return None
        hours, minutes = self.time_of_day.split(":")
        return time(int(hours), int(minutes))
