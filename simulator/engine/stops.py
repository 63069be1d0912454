"""Stop requests, each followed from the request to its end and written down as it happens.

A stop's fate is recorded when each part of it happens, never pieced together after the run:

    sent        the caller sends the request: `StopBook.send` gives the caller its `Stop`
    ended       its resource reaches a status that ends a stop (`StopBook.end`, called by
                the service's move), or had reached one when the request was sent (a
                duplicate stop, which ends at once: `Stop.follow`)
    answered    the answer reaches the caller: accepted or not, the last error, the attempts
    observed    the caller's waiter sees the end

The end is recorded whatever the answer: a rejected stop ended nothing, but when its
resource ended by other means bounds what it is said to have cost. A stop waiting for its
resource to end is in `StopBook.pending`, by resource key: a move of a resource that no
stop waits for costs the service one dictionary look-up.

Each stop is one row of the book's columns (`array.array`s, about 50 bytes a stop); its
`Stop` is the handle the caller fills it in through. Rows rather than an object per stop
kept alive to the end: a million objects would add some 200 MB and give the garbage
collector a million more objects to walk on every full collection (measured: 10% slower
and 300 bytes more a stop than the tables they replace).

An answer or an observation reaches the caller when the trip back ends, which may be at or
past the horizon: the book keeps that time, and whoever reads it at the horizon
(`analysis.frames.derive_stops`) leaves out what had not happened yet. `to_frame` turns the
columns into a DataFrame once, at the end.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection
from typing import Final

import numpy as np
import pandas as pd

from simulator.engine.resource_ids import ResourceIds

NOT_YET: Final = float("nan")
"""The time of what has not happened (yet): no answer, no end, not seen."""
NONE: Final = -1
"""No code: no error, no end; no earlier stop waiting."""
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
    """One stop request, as its caller holds it while following it: its row of the book."""

    __slots__ = ("book", "row")

    def __init__(self, book: StopBook, row: int) -> None:
        self.book = book
        self.row = row

    def follow(self, status: str, ends: Collection[str]) -> None:
        """Follow the stop until its resource, now in `status`, reaches one of `ends`: at
        once if it is in one already (a duplicate stop), else when the service moves it
        there (`StopBook.end`). A stop to a resource the simulation does not know is not
        followed: it never ends."""
        book, row = self.book, self.row
        if status in ends:
            book.ended_at[row] = book.requested_at[row]
            book.ended_as[row] = book.statuses[status]
            return
        key = book.resource[row]
        book.earlier[row] = book.pending.get(key, NONE)
        book.pending[key] = row

    def answered(self, time: float, accepted: bool, error_code: str | None, attempts: int) -> None:
        """The answer reaches the caller at `time`: accepted or not, after `attempts`, with
        the last attempt's error."""
        book, row = self.book, self.row
        book.answered_at[row] = time
        book.accepted[row] = accepted
        book.attempts[row] = attempts
        if error_code is not None:
            book.error_code[row] = book.error_codes[error_code]

    def observed(self, time: float) -> None:
        """The caller's waiter sees, at `time`, that the stop's resource has ended."""
        self.book.observed_at[self.row] = time


class _Codes(dict[str, int]):
    """Maps each text to a small code, in order of first appearance."""

    def __missing__(self, text: str) -> int:
        code = self[text] = len(self)
        return code


class StopBook:
    """Every stop of a replication, a row each in the order they were sent, and those
    whose resource has not ended yet."""

    def __init__(self) -> None:
        self.services, self.error_codes, self.statuses = _Codes(), _Codes(), _Codes()
        self.service = array("i")
        self.resource = array("i")
        self.requested_at = array("d")
        self.answered_at = array("d")
        self.accepted = array("b")
        self.error_code = array("i")
        self.attempts = array("h")
        self.ended_at = array("d")
        self.ended_as = array("i")
        self.observed_at = array("d")
        self.earlier = array("i")
        """For a stop waiting in `pending`, the row of the stop sent before it to the same
        resource and waiting too: the stops waiting for one resource, latest first."""
        self.pending: dict[int, int] = {}
        """The latest stop waiting for each resource to end, by resource key."""

    def __len__(self) -> int:
        return len(self.requested_at)

    def send(self, time: float, service: str, resource: int) -> Stop:
        """A stop sent at `time` to `resource` (the key of the resource it names)."""
        row = len(self.requested_at)
        self.service.append(self.services[service])
        self.resource.append(resource)
        self.requested_at.append(time)
        self.answered_at.append(NOT_YET)
        self.accepted.append(False)
        self.error_code.append(NONE)
        self.attempts.append(0)
        self.ended_at.append(NOT_YET)
        self.ended_as.append(NONE)
        self.observed_at.append(NOT_YET)
        self.earlier.append(NONE)
        return Stop(self, row)

    def end(self, resource: int, time: float, status: str) -> None:
        """`resource` has reached `status`, which ends a stop: every stop waiting for it
        ends now."""
        row = self.pending.pop(resource, NONE)
        if row == NONE:
            return
        code = self.statuses[status]
        while row != NONE:
            self.ended_at[row], self.ended_as[row] = time, code
            row = self.earlier[row]

    def to_frame(self, resources: ResourceIds) -> pd.DataFrame:
        """The rows as columns (`RECORD_COLUMNS`): `resource_id` of the recorder's
        `resources` dtype; `service`, `error_code` and `ended_as` categorical, their
        categories in the order the requests, the answers and the ends brought them;
        missing times NaN."""

        def values(column: array[int] | array[float], dtype: type) -> np.ndarray:
            return np.frombuffer(column, dtype=column.typecode).astype(dtype)

        def categorical(column: array[int], codes: _Codes) -> pd.Categorical:
            return pd.Categorical.from_codes(
                values(column, np.int32), categories=pd.Index(list(codes), dtype=object)
            )

        return pd.DataFrame(
            {
                "service": categorical(self.service, self.services),
                "resource_id": resources.named(np.frombuffer(self.resource, dtype=np.int32)),
                "requested_at": values(self.requested_at, np.float64),
                "answered_at": values(self.answered_at, np.float64),
                "accepted": values(self.accepted, bool),
                "error_code": categorical(self.error_code, self.error_codes),
                "attempts": values(self.attempts, np.int64),
                "ended_at": values(self.ended_at, np.float64),
                "ended_as": categorical(self.ended_as, self.statuses),
                "observed_at": values(self.observed_at, np.float64),
            },
            columns=list(RECORD_COLUMNS),
            copy=False,  # each column a copy already
        )
