"""Lifecycle: declared moves are recorded with time, cause and units; others raise."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd
import pytest

from simulator.engine.lifecycle import IllegalTransition, Lifecycle
from simulator.engine.recorder import Recorder


class S(StrEnum):
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"


TRANSITIONS = {S.RUNNING: {S.STOPPING}, S.STOPPING: {S.STOPPED}, S.STOPPED: {S.RUNNING}}


@dataclass
class Thing:
    key: int
    status: S = S.STOPPED
    units: float = 1.0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def setup() -> tuple[Lifecycle, Recorder, Clock]:
    recorder, clock = Recorder(), Clock()
    return Lifecycle("svc", TRANSITIONS, recorder, clock), recorder, clock


def rows(recorder: Recorder) -> list[tuple[object, ...]]:
    frame = recorder.tables["transitions"].to_frame(pd.CategoricalDtype(recorder.resource_ids))
    return [
        tuple(None if pd.isna(v) else v for v in row)
        for row in frame.itertuples(index=False, name=None)
    ]


def test_register_returns_the_recorder_key(setup: tuple[Lifecycle, Recorder, Clock]) -> None:
    lifecycle, recorder, _ = setup
    assert lifecycle.register("r-0") == 0
    assert lifecycle.register("r-1") == 1
    assert recorder.resource_ids == ["r-0", "r-1"]


def test_begin_records_an_initial_row(setup: tuple[Lifecycle, Recorder, Clock]) -> None:
    lifecycle, recorder, clock = setup
    thing = Thing(lifecycle.register("r-0"), units=2.0)
    clock.now = 3.5
    lifecycle.begin(thing, S.RUNNING)
    assert thing.status is S.RUNNING
    assert rows(recorder) == [(3.5, "svc", "r-0", None, "RUNNING", "initial", 2.0)]
    frame = recorder.tables["transitions"].to_frame(pd.CategoricalDtype(recorder.resource_ids))
    assert frame["from_status"].isna().tolist() == [True]


def test_move_records_time_from_to_cause_and_units(
    setup: tuple[Lifecycle, Recorder, Clock],
) -> None:
    lifecycle, recorder, clock = setup
    lifecycle.register("r-0")
    thing = Thing(lifecycle.register("r-1"), units=2.0)
    lifecycle.begin(thing, S.RUNNING)
    clock.now = 10.0
    lifecycle.move(thing, S.STOPPING, "stop")
    clock.now = 25.0
    thing.units = 0.0
    lifecycle.move(thing, S.STOPPED, "stopping")
    assert thing.status is S.STOPPED
    assert rows(recorder) == [
        (0.0, "svc", "r-1", None, "RUNNING", "initial", 2.0),
        (10.0, "svc", "r-1", "RUNNING", "STOPPING", "stop", 2.0),
        (25.0, "svc", "r-1", "STOPPING", "STOPPED", "stopping", 0.0),
    ]


@pytest.mark.parametrize(
    ("start", "to"),
    [(S.RUNNING, S.STOPPED), (S.RUNNING, S.RUNNING), (S.STOPPED, S.STOPPING)],
)
def test_undeclared_move_raises_and_records_nothing(
    setup: tuple[Lifecycle, Recorder, Clock], start: S, to: S
) -> None:
    lifecycle, recorder, _ = setup
    thing = Thing(lifecycle.register("r-0"))
    lifecycle.begin(thing, start)
    with pytest.raises(IllegalTransition, match=f"svc: {start} -> {to}"):
        lifecycle.move(thing, to, "oops")
    assert thing.status is start
    assert len(recorder.tables["transitions"]) == 1


def test_move_from_a_status_without_moves_raises() -> None:
    recorder = Recorder()
    lifecycle = Lifecycle("svc", {S.RUNNING: {S.STOPPING}}, recorder, lambda: 0.0)
    thing = Thing(lifecycle.register("r-0"))
    lifecycle.begin(thing, S.STOPPING)
    with pytest.raises(IllegalTransition):
        lifecycle.move(thing, S.STOPPED, "x")
    assert len(recorder.tables["transitions"]) == 1


def test_move_if_does_nothing_when_status_not_allowed(
    setup: tuple[Lifecycle, Recorder, Clock],
) -> None:
    lifecycle, recorder, clock = setup
    thing = Thing(lifecycle.register("r-0"))
    lifecycle.begin(thing, S.RUNNING)
    clock.now = 5.0
    assert lifecycle.move_if(thing, {S.STOPPING}, S.STOPPED, "late") is False
    assert thing.status is S.RUNNING
    assert len(recorder.tables["transitions"]) == 1
    assert lifecycle.move_if(thing, {S.RUNNING, S.STOPPED}, S.STOPPING, "stop") is True
    assert thing.status is S.STOPPING
    assert rows(recorder)[-1] == (5.0, "svc", "r-0", "RUNNING", "STOPPING", "stop", 1.0)


def test_move_if_still_refuses_undeclared_moves(setup: tuple[Lifecycle, Recorder, Clock]) -> None:
    lifecycle, recorder, _ = setup
    thing = Thing(lifecycle.register("r-0"))
    lifecycle.begin(thing, S.RUNNING)
    with pytest.raises(IllegalTransition):
        lifecycle.move_if(thing, {S.RUNNING}, S.STOPPED, "x")
    assert len(recorder.tables["transitions"]) == 1


def test_two_lifecycles_share_the_transitions_table() -> None:
    recorder = Recorder()
    a = Lifecycle("a", TRANSITIONS, recorder, lambda: 1.0)
    b = Lifecycle("b", TRANSITIONS, recorder, lambda: 2.0)
    a.begin(Thing(a.register("ra")), S.RUNNING)
    b.begin(Thing(b.register("rb")), S.STOPPED)
    assert rows(recorder) == [
        (1.0, "a", "ra", None, "RUNNING", "initial", 1.0),
        (2.0, "b", "rb", None, "STOPPED", "initial", 1.0),
    ]
