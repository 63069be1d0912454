"""The stop book: each stop a row, filled in through its `Stop` as its fate unfolds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simulator.engine.resource_ids import ResourceIds
from simulator.engine.stops import RECORD_COLUMNS, StopBook

ENDS = frozenset({"STOPPED", "FAILED"})
IDS = ResourceIds.of(["a", "b", "c"])


def ends(book: StopBook) -> list[tuple[float | None, str | None]]:
    """(ended_at, ended_as) of each stop, None where it has not ended."""
    frame = book.to_frame(IDS)
    return [
        (None if np.isnan(at) else at, None if pd.isna(status) else status)
        for at, status in zip(frame["ended_at"], frame["ended_as"].astype(object), strict=True)
    ]


def texts(values: pd.Series) -> list[Any]:
    return [None if pd.isna(v) else v for v in values.astype(object)]


def test_a_stop_waits_for_its_resource_to_end() -> None:
    book = StopBook()
    book.send(5.0, "svc", 0).follow("RUNNING", ENDS)
    assert ends(book) == [(None, None)]
    assert book.pending == {0: 0}
    book.end(0, 40.0, "STOPPED")
    assert ends(book) == [(40.0, "STOPPED")]
    assert book.pending == {}
    book.end(0, 90.0, "FAILED")  # the resource ends again later: not this stop's doing
    assert ends(book) == [(40.0, "STOPPED")]


def test_a_stop_to_a_resource_that_has_ended_ends_when_sent() -> None:
    book = StopBook()
    book.send(7.5, "svc", 1).follow("STOPPED", ENDS)
    assert ends(book) == [(7.5, "STOPPED")]
    assert book.pending == {}


def test_an_end_ends_every_stop_of_that_resource_and_no_other() -> None:
    book = StopBook()
    for time, key in ((1.0, 0), (2.0, 1), (3.0, 0), (4.0, 0)):
        book.send(time, "svc", key).follow("RUNNING", ENDS)
    book.end(0, 10.0, "FAILED")
    assert ends(book) == [(10.0, "FAILED"), (None, None), (10.0, "FAILED"), (10.0, "FAILED")]
    assert book.pending == {1: 1}
    book.send(11.0, "svc", 0).follow("RUNNING", ENDS)  # waits anew, alone
    book.end(0, 12.0, "STOPPED")
    assert ends(book)[4] == (12.0, "STOPPED")
    assert ends(book)[0] == (10.0, "FAILED")


def test_a_stop_never_followed_never_ends() -> None:
    """A stop to a resource the simulation does not know (a replayed trace's typo)."""
    book = StopBook()
    book.send(1.0, "svc", 2)
    book.end(2, 5.0, "STOPPED")
    assert ends(book) == [(None, None)]


def test_rows_as_columns() -> None:
    book = StopBook()
    stops = [book.send(t, s, key) for t, s, key in ((1.0, "y", 2), (2.0, "x", 0), (3.0, "y", 1))]
    for stop in stops:
        stop.follow("RUNNING", ENDS)
    stops[2].answered(3.5, False, "LimitExceededException", 1)
    stops[0].answered(4.0, False, "ThrottlingException", 3)
    stops[1].answered(4.5, True, None, 2)
    book.end(0, 30.0, "STOPPED")
    stops[1].observed(31.0)
    frame = book.to_frame(IDS)
    assert len(book) == 3
    assert tuple(frame.columns) == RECORD_COLUMNS
    assert frame["service"].tolist() == ["y", "x", "y"]
    assert list(frame["service"].cat.categories) == ["y", "x"]  # in the order sent
    assert frame["resource_id"].tolist() == ["c", "a", "b"]
    assert frame["resource_id"].dtype == IDS.dtype
    assert frame["requested_at"].tolist() == [1.0, 2.0, 3.0]
    assert frame["answered_at"].tolist() == [4.0, 4.5, 3.5]
    assert frame["accepted"].tolist() == [False, True, False]
    assert frame["attempts"].tolist() == [3, 2, 1]
    codes = frame["error_code"]
    assert texts(codes) == ["ThrottlingException", None, "LimitExceededException"]
    # in the order the answers brought them
    assert list(codes.cat.categories) == ["LimitExceededException", "ThrottlingException"]
    np.testing.assert_array_equal(frame["ended_at"], [np.nan, 30.0, np.nan])
    assert texts(frame["ended_as"]) == [None, "STOPPED", None]
    np.testing.assert_array_equal(frame["observed_at"], [np.nan, 31.0, np.nan])


def test_no_stops_as_columns() -> None:
    frame = StopBook().to_frame(IDS)
    assert tuple(frame.columns) == RECORD_COLUMNS
    assert frame.empty
    assert frame["requested_at"].dtype == np.float64
    assert frame["accepted"].dtype == bool
    assert isinstance(frame["ended_as"].dtype, pd.CategoricalDtype)
