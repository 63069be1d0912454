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


TRANSITIONS = {S: {S.RUNNING: {S.STOPPING}, S.STOPPING: {S.STOPPED}, S.STOPPED: {S.RUNNING}}}


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
    frame = recorder.tables["transitions"].to_frame(recorder.ids())
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
    frame = recorder.tables["transitions"].to_frame(recorder.ids())
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
    with pytest.raises(IllegalTransition, match=f"svc: S {start} -> {to}"):
        lifecycle.move(thing, to, "oops")
    assert thing.status is start
    assert len(recorder.tables["transitions"]) == 1


def test_move_from_a_status_without_moves_raises() -> None:
    recorder = Recorder()
    lifecycle = Lifecycle("svc", {S: {S.RUNNING: {S.STOPPING}}}, recorder, lambda: 0.0)
    thing = Thing(lifecycle.register("r-0"))
    lifecycle.begin(thing, S.STOPPING)
    with pytest.raises(IllegalTransition):
        lifecycle.move(thing, S.STOPPED, "x")
    assert len(recorder.tables["transitions"]) == 1


class Job(StrEnum):
    """A second kind that shares the status word STOPPING with S."""

    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    FAILED = "FAILED"


@dataclass
class JobThing:
    key: int
    status: Job = Job.RUNNING
    units: float = 1.0


def test_each_kind_moves_by_its_own_table_though_they_share_status_words() -> None:
    """STOPPING -> STOPPED is S's edge and STOPPING -> FAILED is Job's: equal as strings,
    the two STOPPINGs still move only as their own kind declares."""
    recorder = Recorder()
    tables = {**TRANSITIONS, Job: {Job.RUNNING: {Job.STOPPING}, Job.STOPPING: {Job.FAILED}}}
    lifecycle = Lifecycle("svc", tables, recorder, lambda: 0.0)
    thing, job = Thing(lifecycle.register("t")), JobThing(lifecycle.register("j"))
    lifecycle.begin(thing, S.STOPPING)
    lifecycle.begin(job, Job.STOPPING)
    with pytest.raises(IllegalTransition, match="svc: S STOPPING -> FAILED"):
        lifecycle.move(thing, Job.FAILED, "x")  # Job's edge, and another kind's status
    with pytest.raises(IllegalTransition, match="svc: Job STOPPING -> STOPPED"):
        lifecycle.move(job, S.STOPPED, "x")
    with pytest.raises(IllegalTransition, match="svc: Job RUNNING -> STOPPING"):
        lifecycle.move(JobThing(lifecycle.register("k")), S.STOPPING, "x")  # S's word
    lifecycle.move(thing, S.STOPPED, "stop")
    lifecycle.move(job, Job.FAILED, "stop")
    assert (thing.status, job.status) == (S.STOPPED, Job.FAILED)
    assert type(job.status) is Job
    assert [row[3:5] for row in rows(recorder)[2:]] == [
        ("STOPPING", "STOPPED"),
        ("STOPPING", "FAILED"),
    ]


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
