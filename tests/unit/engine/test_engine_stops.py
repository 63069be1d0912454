"""The stop book: each stop one record, filled in as its fate unfolds, read off as columns."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simulator.engine.stops import RECORD_COLUMNS, StopBook

ENDS = frozenset({"STOPPED", "FAILED"})
IDS = pd.CategoricalDtype(pd.Index(["a", "b", "c"], dtype=object))


def test_a_stop_waits_for_its_resource_to_end() -> None:
    book = StopBook()
    stop = book.send(5.0, "svc", 0)
    book.follow(stop, "RUNNING", ENDS)
    assert math.isnan(stop.ended_at)
    assert stop.ended_as is None
    assert book.pending == {0: [stop]}
    book.end(0, 40.0, "STOPPED")
    assert (stop.ended_at, stop.ended_as) == (40.0, "STOPPED")
    assert book.pending == {}
    book.end(0, 90.0, "FAILED")  # the resource ends again later: not this stop's doing
    assert (stop.ended_at, stop.ended_as) == (40.0, "STOPPED")


def test_a_stop_to_a_resource_that_has_ended_ends_when_sent() -> None:
    book = StopBook()
    stop = book.send(7.5, "svc", 1)
    book.follow(stop, "STOPPED", ENDS)
    assert (stop.ended_at, stop.ended_as) == (7.5, "STOPPED")
    assert book.pending == {}


def test_an_end_ends_every_stop_of_that_resource_and_no_other() -> None:
    book = StopBook()
    first, second, other = (book.send(t, "svc", key) for t, key in ((1.0, 0), (2.0, 0), (3.0, 1)))
    for stop in (first, second, other):
        book.follow(stop, "RUNNING", ENDS)
    book.end(0, 10.0, "FAILED")
    assert [s.ended_at for s in (first, second)] == [10.0, 10.0]
    assert math.isnan(other.ended_at)
    assert book.pending == {1: [other]}


def test_a_stop_never_followed_never_ends() -> None:
    """A stop to a resource the simulation does not know (a replayed trace's typo)."""
    book = StopBook()
    stop = book.send(1.0, "svc", 2)
    book.end(2, 5.0, "STOPPED")
    assert math.isnan(stop.ended_at)


def test_records_as_columns() -> None:
    book = StopBook()
    stops = [book.send(t, s, key) for t, s, key in ((1.0, "y", 2), (2.0, "x", 0), (3.0, "y", 1))]
    for stop in stops:
        book.follow(stop, "RUNNING", ENDS)
    book.answer(stops[2], 3.5, False, "LimitExceededException", 1)
    book.answer(stops[0], 4.0, False, "ThrottlingException", 3)
    book.answer(stops[1], 4.5, True, None, 2)
    book.end(0, 30.0, "STOPPED")
    book.observe(stops[1], 31.0)
    frame = book.to_frame(IDS)
    assert tuple(frame.columns) == RECORD_COLUMNS
    assert frame["service"].tolist() == ["y", "x", "y"]
    assert list(frame["service"].cat.categories) == ["y", "x"]  # in the order sent
    assert frame["resource_id"].tolist() == ["c", "a", "b"]
    assert frame["resource_id"].dtype == IDS
    assert frame["requested_at"].tolist() == [1.0, 2.0, 3.0]
    assert frame["answered_at"].tolist() == [4.0, 4.5, 3.5]
    assert frame["accepted"].tolist() == [False, True, False]
    assert frame["attempts"].tolist() == [3, 2, 1]
    codes = frame["error_code"]
    assert codes.astype(object).where(codes.notna(), None).tolist() == [
        "ThrottlingException",
        None,
        "LimitExceededException",
    ]
    # in the order the answers brought them
    assert list(codes.cat.categories) == ["LimitExceededException", "ThrottlingException"]
    np.testing.assert_array_equal(frame["ended_at"], [np.nan, 30.0, np.nan])
    assert frame["ended_as"].isna().tolist() == [True, False, True]
    np.testing.assert_array_equal(frame["observed_at"], [np.nan, 31.0, np.nan])


def test_no_stops_as_columns() -> None:
    frame = StopBook().to_frame(IDS)
    assert tuple(frame.columns) == RECORD_COLUMNS
    assert frame.empty
    assert frame["requested_at"].dtype == np.float64
    assert isinstance(frame["ended_as"].dtype, pd.CategoricalDtype)
