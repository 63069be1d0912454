"""Stop requests, each one record that follows its stop from the request to its end.

A stop's fate is written down as it happens, never pieced together after the run:

    sent        the caller sends the request: `StopBook.send` makes its `Stop`
    answered    the answer reaches the caller: accepted or not, the last error, the attempts
    ended       its resource reaches a status that ends a stop (`StopBook.end`, called by the
                service's move), or had reached one when the request was sent (a duplicate
                stop, which ends at once)
    observed    the caller's waiter sees the end

A stop waits for its resource to end in `StopBook.pending`, by resource key: a move of a
resource that no stop waits for costs the service one dictionary look-up. The end is
recorded whatever the answer: a rejected stop ended nothing, but when its resource ended by
other means bounds what it is said to have cost.

An answer or an observation reaches the caller when the trip back ends, which may be at or
past the horizon: the records keep that time, and whoever reads them at the horizon
(`analysis.frames.derive_stops`) leaves out what had not happened yet. `to_frame` turns
the records into columns once, at the end, one vectorised column at a time.
"""

from __future__ import annotations

from collections.abc import Collection
from operator import attrgetter
from typing import Any, Final

import numpy as np
import pandas as pd

NOT_YET: Final = float("nan")
"""The time of what has not happened (yet): no answer, no end, not seen."""
RECORD_COLUMNS: Final = (
    "service",
    "resource_id",
    "requested_at",
    "answered_at",
    "accepted",
    "error_code",
    "attempts",
    "ended_at",
    "ended_as",
    "observed_at",
)
"""The columns of `StopBook.to_frame`, in order."""


class Stop:
    """One stop request: to whom and when it was sent, and what became of it so far."""

    __slots__ = (
        "accepted",
        "answered_at",
        "attempts",
        "ended_as",
        "ended_at",
        "error_code",
        "observed_at",
        "requested_at",
        "resource",
        "service",
    )

    def __init__(self, service: str, resource: int, requested_at: float) -> None:
        self.service = service
        self.resource = resource
        """The key of the resource the request named (the recorder's registry)."""
        self.requested_at = requested_at
        self.answered_at = NOT_YET
        self.accepted = False
        self.error_code: str | None = None
        self.attempts = 0
        self.ended_at = NOT_YET
        self.ended_as: str | None = None
        """The status its resource ended in (whether or not this stop was accepted)."""
        self.observed_at = NOT_YET


class StopBook:
    """Every stop of a replication, in the order they were sent, and those whose resource
    has not ended yet."""

    def __init__(self) -> None:
        self.stops: list[Stop] = []
        self.pending: dict[int, list[Stop]] = {}
        """The stops waiting for their resource to end, by resource key."""
        self._error_codes: dict[str, None] = {}  # in the order answers brought them

    def send(self, time: float, service: str, resource: int) -> Stop:
        """A stop sent at `time` to `resource` (the key of the resource it names)."""
        stop = Stop(service, resource, time)
        self.stops.append(stop)
        return stop

    def follow(self, stop: Stop, status: str, ends: Collection[str]) -> None:
        """Follow a stop just sent until its resource, now in `status`, reaches one of
        `ends`: at once if it is in one already (a duplicate stop), else when the service
        moves it there (`end`). A stop to a resource the simulation does not know is not
        followed: it never ends."""
        if status in ends:
            stop.ended_at, stop.ended_as = stop.requested_at, status
            return
        waiting = self.pending.get(stop.resource)
        if waiting is None:
            self.pending[stop.resource] = [stop]
        else:
            waiting.append(stop)

    def end(self, resource: int, time: float, status: str) -> None:
        """`resource` has reached `status`, which ends a stop: every stop waiting for it
        ends now."""
        for stop in self.pending.pop(resource, ()):
            stop.ended_at, stop.ended_as = time, status

    def answer(
        self, stop: Stop, time: float, accepted: bool, error_code: str | None, attempts: int
    ) -> None:
        """The answer reaches the caller at `time`: accepted or not, after `attempts`."""
        stop.answered_at, stop.accepted, stop.attempts = time, accepted, attempts
        if error_code is not None:
            stop.error_code = error_code
            self._error_codes[error_code] = None

    @staticmethod
    def observe(stop: Stop, time: float) -> None:
        """The caller's waiter sees, at `time`, that the stop's resource has ended."""
        stop.observed_at = time

    def to_frame(self, resources: pd.CategoricalDtype) -> pd.DataFrame:
        """The records as columns (`RECORD_COLUMNS`): `resource_id` of the recorder's
        `resources` dtype, `service`, `error_code` and `ended_as` categorical (in the order
        the requests, the answers and the ends brought them), missing times NaN."""
        stops, count = self.stops, len(self.stops)

        def values(name: str, dtype: Any) -> np.ndarray:
            return np.fromiter(map(attrgetter(name), stops), dtype=dtype, count=count)

        def categories(name: str, order: list[str] | None = None) -> pd.Categorical:
            texts = [getattr(stop, name) for stop in stops]
            if order is None:
                order = [t for t in dict.fromkeys(texts) if t is not None]
            return pd.Categorical(texts, categories=pd.Index(order, dtype=object))

        return pd.DataFrame(
            {
                "service": categories("service"),
                "resource_id": pd.Categorical.from_codes(
                    values("resource", np.int32), dtype=resources
                ),
                "requested_at": values("requested_at", np.float64),
                "answered_at": values("answered_at", np.float64),
                "accepted": values("accepted", bool),
                "error_code": categories("error_code", list(self._error_codes)),
                "attempts": values("attempts", np.int64),
                "ended_at": values("ended_at", np.float64),
                "ended_as": categories("ended_as"),
                "observed_at": values("observed_at", np.float64),
            },
            columns=list(RECORD_COLUMNS),
        )
