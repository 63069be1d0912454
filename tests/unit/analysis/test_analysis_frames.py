"""derive_costs on hand-built tables, and derive_stops on stops played through a service,
with round numbers."""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from simulator.analysis.frames import COST_COLUMNS, STOP_COLUMNS, derive_costs, derive_stops
from simulator.api.operations import Price
from simulator.engine.env import Simulation
from simulator.engine.rng import Streams
from simulator.engine.stops import Stop
from simulator.services import rekognition
from simulator.services.base import Resource

IDS = ["r0", "r1", "r2", "r3", "r4"]
Row = tuple[float, str, str, str | None, str, str, float]


def transitions(rows: Sequence[Row], ids: Sequence[str] = IDS) -> pd.DataFrame:
    """(time, service, resource_id, from_status, to_status, cause, units) rows, as recorded."""
    time, service, resource, before, after, cause, units = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "time": np.array(time, dtype=float),
            "service": pd.Categorical(service),
            "resource_id": pd.Categorical(resource, categories=list(ids)),
            "from_status": pd.Categorical(before),
            "to_status": pd.Categorical(after),
            "cause": pd.Categorical(cause),
            "units": np.array(units, dtype=float),
        }
    )


def registry(ids: Sequence[str] = IDS, kinds: Sequence[str] | None = None) -> pd.DataFrame:
    """The recorder's resource registry: each resource its own owner, in group `g`."""
    categories = pd.CategoricalDtype(list(ids))
    keys = np.arange(len(ids))
    return pd.DataFrame(
        {
            "resource_id": pd.Categorical.from_codes(keys, dtype=categories),
            "group": pd.Categorical(["g"] * len(ids)),
            "kind": pd.Categorical(list(kinds) if kinds is not None else [""] * len(ids)),
            "owner_id": pd.Categorical.from_codes(keys, dtype=categories),
        }
    )


def records(costs: pd.DataFrame) -> list[tuple[Any, ...]]:
    columns = ["service", "resource_id", "item", "status", "start", "end"]
    return [tuple(row) for row in costs[columns].astype(object).itertuples(index=False)]


# -- costs -----------------------------------------------------------------------------------

PER_SECOND = {"svc": {"inference": Price(usd_per_hour=4.0, statuses=("RUNNING", "STOPPING"))}}


def per_second_transitions() -> pd.DataFrame:
    return transitions(
        [
            (0.0, "svc", "r1", None, "RUNNING", "initial", 2.0),
            (900.0, "svc", "r2", None, "RUNNING", "initial", 1.0),
            (1800.0, "svc", "r1", "RUNNING", "STOPPING", "stop", 2.0),
            (2700.0, "svc", "r1", "STOPPING", "STOPPED", "stopping", 2.0),
            (3000.0, "svc", "r0", None, "STOPPED", "initial", 1.0),
        ]
    )


def test_costs_intervals_end_at_the_next_transition_or_the_horizon() -> None:
    costs = derive_costs(per_second_transitions(), PER_SECOND, horizon=3600.0, resources=registry())
    assert list(costs.columns) == list(COST_COLUMNS)
    assert records(costs) == [
        ("svc", "r1", "inference", "RUNNING", 0.0, 1800.0),
        ("svc", "r2", "inference", "RUNNING", 900.0, 3600.0),
        ("svc", "r1", "inference", "STOPPING", 1800.0, 2700.0),
    ]
    # unit-hours: 0.5 h x 2, 0.75 h x 1, 0.25 h x 2; dollars at 4/unit-hour
    assert costs["quantity"].tolist() == [1.0, 0.75, 0.5]
    assert costs["usd"].tolist() == [4.0, 3.0, 2.0]


def test_costs_dtypes() -> None:
    costs = derive_costs(per_second_transitions(), PER_SECOND, horizon=3600.0, resources=registry())
    for column in ("service", "item", "status", "resource_id"):
        assert isinstance(costs[column].dtype, pd.CategoricalDtype), column
    assert list(costs["resource_id"].cat.categories) == IDS
    for column in ("start", "end", "quantity", "usd"):
        assert costs[column].dtype == np.float64, column


def test_non_billable_statuses_and_other_services_cost_nothing() -> None:
    frame = per_second_transitions()
    other = {"other": PER_SECOND["svc"]}
    costs = derive_costs(frame, other, horizon=3600.0, resources=registry())
    assert list(costs.columns) == list(COST_COLUMNS)
    assert costs.empty
    stopped_only = {"svc": {"x": Price(usd_per_hour=1.0, statuses=("STOPPED",))}}
    costs = derive_costs(frame, stopped_only, horizon=3600.0, resources=registry())
    assert records(costs) == [
        ("svc", "r1", "x", "STOPPED", 2700.0, 3600.0),
        ("svc", "r0", "x", "STOPPED", 3000.0, 3600.0),
    ]


def test_several_items_of_one_service() -> None:
    prices = {
        "svc": {
            "inference": Price(usd_per_hour=4.0, statuses=("RUNNING",)),
            "storage": Price(usd_per_hour=0.5, statuses=("STOPPING", "STOPPED")),
        }
    }
    frame = transitions(
        [
            (0.0, "svc", "r0", None, "RUNNING", "initial", 1.0),
            (3600.0, "svc", "r0", "RUNNING", "STOPPING", "stop", 1.0),
            (5400.0, "svc", "r0", "STOPPING", "STOPPED", "stopping", 1.0),
        ]
    )
    costs = derive_costs(frame, prices, horizon=7200.0, resources=registry())
    assert records(costs) == [
        ("svc", "r0", "inference", "RUNNING", 0.0, 3600.0),
        ("svc", "r0", "storage", "STOPPING", 3600.0, 5400.0),
        ("svc", "r0", "storage", "STOPPED", 5400.0, 7200.0),
    ]
    assert costs["usd"].tolist() == [4.0, 0.25, 0.25]


ROUNDED = {
    "svc": {
        "inference": Price(
            usd_per_hour=3600.0, statuses=("RUNNING", "STOPPING"), granularity=60, minimum="10m"
        )
    }
}


def test_a_continuous_billable_span_is_rounded_on_its_last_interval() -> None:
    frame = transitions(
        [
            (0.0, "svc", "r0", None, "RUNNING", "initial", 1.0),
            (100.0, "svc", "r0", "RUNNING", "STOPPING", "stop", 1.0),
            (130.0, "svc", "r0", "STOPPING", "STOPPED", "stopping", 1.0),
        ]
    )
    costs = derive_costs(frame, ROUNDED, horizon=1000.0, resources=registry())
    assert records(costs) == [
        ("svc", "r0", "inference", "RUNNING", 0.0, 100.0),
        ("svc", "r0", "inference", "STOPPING", 100.0, 130.0),
    ]
    # 130 s billed as the 600 s minimum: the 470 s extra goes on STOPPING, not RUNNING
    assert costs["quantity"].tolist() == pytest.approx([100 / 3600, 500 / 3600], rel=1e-12)
    assert costs["usd"].tolist() == pytest.approx([100.0, 500.0], rel=1e-12)
    assert costs["usd"].sum() == pytest.approx(600.0, rel=1e-12)


def test_rounding_up_to_granularity_above_the_minimum_per_span_and_resource() -> None:
    frame = transitions(
        [
            (0.0, "svc", "r0", None, "RUNNING", "initial", 1.0),
            (0.0, "svc", "r1", None, "RUNNING", "initial", 2.0),
            (130.0, "svc", "r0", "RUNNING", "STOPPED", "stop", 1.0),
            (650.0, "svc", "r1", "RUNNING", "STOPPED", "stop", 2.0),
            (700.0, "svc", "r1", "STOPPED", "RUNNING", "start", 2.0),
            (760.0, "svc", "r1", "RUNNING", "STOPPING", "stop", 2.0),
            (801.0, "svc", "r1", "STOPPING", "STOPPED", "stopping", 2.0),
        ]
    )
    costs = derive_costs(frame, ROUNDED, horizon=2000.0, resources=registry())
    assert records(costs) == [
        ("svc", "r0", "inference", "RUNNING", 0.0, 130.0),
        ("svc", "r1", "inference", "RUNNING", 0.0, 650.0),
        ("svc", "r1", "inference", "RUNNING", 700.0, 760.0),
        ("svc", "r1", "inference", "STOPPING", 760.0, 801.0),
    ]
    # r0: 130 -> 600 (minimum). r1, first span: 650 -> 660 (next minute), 2 units.
    # r1, second span 700..801 = 101 s -> 600 (minimum), the extra on STOPPING.
    seconds = [600.0, 660.0, 60.0, 540.0]
    units = [1.0, 2.0, 2.0, 2.0]
    expected = [s / 3600 * u for s, u in zip(seconds, units, strict=True)]
    assert costs["quantity"].tolist() == pytest.approx(expected, rel=1e-12)
    assert costs["usd"].tolist() == pytest.approx([600.0, 1320.0, 120.0, 1080.0], rel=1e-12)


def test_a_span_open_at_the_horizon_is_rounded_too() -> None:
    frame = transitions([(0.0, "svc", "r0", None, "RUNNING", "initial", 1.0)])
    costs = derive_costs(frame, ROUNDED, horizon=601.0, resources=registry())
    assert records(costs) == [("svc", "r0", "inference", "RUNNING", 0.0, 601.0)]
    assert costs["usd"].tolist() == pytest.approx([660.0], rel=1e-12)


# -- stops -----------------------------------------------------------------------------------


S = rekognition.Status


class Svc(rekognition.ProjectVersions):
    """Rekognition's project versions, as the service `svc`, that move only when a test moves
    them (no progressions); a stop ends in STOPPED or FAILED."""

    name = "svc"
    TRANSITIONS: ClassVar = {
        S: {S.RUNNING: {S.STOPPING, S.STOPPED}, S.STOPPING: {S.STOPPED}, S.STOPPED: {S.RUNNING}}
    }
    PROGRESSIONS: ClassVar = {}
    STOP = replace(rekognition.ProjectVersions.STOP, terminal=frozenset({S.STOPPED, S.FAILED}))


DOLLAR_A_SECOND = {
    "svc": {"inference": Price(usd_per_hour=3600.0, statuses=("RUNNING", "STOPPING"))}
}
HORIZON = 1000.0
Event = tuple[Any, ...]
"""(time, what, ...): ("move", resource, status), ("send", resource), ("answer", stop,
accepted, error code, attempts) with stops numbered as sent, ("observe", stop)."""


class Played:
    """A script of events played in simulated time: the moves through the service (whose
    `move` ends the stops that wait for a resource), the stops' records kept as the
    workload keeps them (`Requester.send`)."""

    def __init__(
        self,
        resources: Sequence[str],
        events: Sequence[Event],
        horizon: float,
        units: dict[str, float] | None = None,
    ) -> None:
        self.sim = Simulation(Streams(0, 0))
        self.service = Svc(self.sim, rekognition.Settings())
        self.horizon = horizon
        book = self.sim.recorder.stops
        self.resources: dict[str, Resource] = {
            r: self.service.add(r, "g", S.RUNNING, (units or {}).get(r, 1.0)) for r in resources
        }
        self.stops: list[Stop] = []

        def send(resource: str) -> None:
            target = self.resources[resource]
            stop = book.send(self.sim.now, "svc", target.key)
            stop.follow(target.status.value, Svc.STOP.terminal)
            self.stops.append(stop)

        actions: dict[str, Callable[..., None]] = {
            "move": lambda r, to: self.service.move(self.resources[r], S(to), "stop"),
            "send": send,
            "answer": lambda i, *answer: self.stops[i].answered(self.sim.now, *answer),
            "observe": lambda i: self.stops[i].observed(self.sim.now),
        }

        def play() -> Generator[Any, Any, None]:
            for time, what, *args in sorted(events, key=lambda event: event[0]):
                yield self.sim.timeout(time - self.sim.now)
                actions[what](*args)

        self.sim.process(play())
        self.sim.env.run(until=horizon)

    def stops_table(self, costs: pd.DataFrame | None = None) -> pd.DataFrame:
        """The `stops` table as the runner derives it, from `costs` or the moves' costs."""
        raw = self.sim.recorder.hand_over()
        moves, resources = raw["transitions"], raw["resources"]
        if costs is None:
            costs = derive_costs(moves, DOLLAR_A_SECOND, self.horizon, resources)
        return derive_stops(
            raw["stop_records"], costs, self.horizon, resources, moves["to_status"].cat.categories
        )


STOP_EVENTS: list[Event] = [
    (100.0, "send", "r0"),
    (101.0, "answer", 0, True, None, 1),
    (101.0, "move", "r0", "STOPPING"),
    (200.0, "send", "r1"),
    (230.0, "answer", 1, False, "ThrottlingException", 3),
    (300.0, "send", "r2"),
    (300.0, "move", "r2", "STOPPING"),
    (300.5, "answer", 2, True, None, 1),
    (400.0, "move", "r0", "STOPPED"),
    (420.0, "observe", 0),
    (460.0, "move", "r4", "STOPPED"),
    (470.0, "move", "r4", "RUNNING"),
    (500.0, "send", "r4"),
    (500.0, "move", "r4", "STOPPING"),
    (500.5, "answer", 3, True, None, 2),
    (600.0, "move", "r4", "STOPPED"),
    (900.0, "send", "r3"),
]
"""r0 stops, r1's stop is rejected, r2 is stuck in STOPPING, r4 was stopped (at 460) and
started again before its stop request (at 500), r3's stop is unanswered. Stops numbered as
sent: r0, r1, r2, r4, r3."""
ORDER = [0, 1, 2, 4, 3]
"""The stops' rows by resource r0..r4."""


def derived(costs: pd.DataFrame | None = None) -> pd.DataFrame:
    stops = Played(IDS, STOP_EVENTS, HORIZON).stops_table(costs)
    return stops.iloc[ORDER].reset_index(drop=True)


def column(stops: pd.DataFrame, name: str) -> list[Any]:
    return [None if pd.isna(v) else v for v in stops[name].astype(object)]


def test_stops_columns_and_outcomes() -> None:
    stops = derived()
    assert list(stops.columns) == list(STOP_COLUMNS)
    assert column(stops, "resource_id") == ["r0", "r1", "r2", "r3", "r4"]
    assert column(stops, "outcome") == ["STOPPED", "rejected", "stuck", "in_flight", "STOPPED"]
    assert column(stops, "accepted") == [True, False, True, None, True]
    assert column(stops, "attempts") == [1, 3, 1, None, 2]
    assert column(stops, "error_code") == [None, "ThrottlingException", None, None, None]


def test_stops_terminal_latency_and_observation() -> None:
    stops = derived()
    assert column(stops, "requested_at") == [100.0, 200.0, 300.0, 900.0, 500.0]
    assert column(stops, "terminal_status") == ["STOPPED", None, None, None, "STOPPED"]
    # r4's STOPPED at 460, closer but before its request, is not the end of its stop
    assert column(stops, "terminal_at") == [400.0, None, None, None, 600.0]
    assert column(stops, "stop_latency_s") == [300.0, None, None, None, 100.0]
    assert column(stops, "observed_at") == [420.0, None, None, None, None]


def test_stops_are_rows_in_the_order_they_were_sent() -> None:
    stops = Played(IDS, STOP_EVENTS, HORIZON).stops_table()
    assert column(stops, "resource_id") == ["r0", "r1", "r2", "r4", "r3"]
    assert column(stops, "group") == ["g"] * 5


def test_a_stop_accepted_when_its_resource_has_already_ended_ends_at_once() -> None:
    """A duplicate stop (a token replayed, a job already Stopped) ends when it is sent."""
    events: list[Event] = [
        (9.9, "send", "r0"),
        (10.0, "move", "r0", "STOPPING"),
        (10.1, "answer", 0, True, None, 1),
        (50.0, "move", "r0", "STOPPED"),
        (80.0, "send", "r0"),
        (80.2, "answer", 1, True, None, 1),
    ]
    stops = Played(["r0"], events, HORIZON).stops_table()
    assert column(stops, "terminal_at") == [50.0, 80.0]
    assert column(stops, "stop_latency_s") == [pytest.approx(40.1), 0.0]
    assert column(stops, "outcome") == ["STOPPED", "STOPPED"]
    assert stops["cost_after_request_usd"].tolist() == pytest.approx([40.1, 0.0], rel=1e-12)


def test_cost_after_request_until_terminal_or_horizon() -> None:
    stops = derived()
    # $1 a second while RUNNING or STOPPING:
    # r0 100..400, r1 200..1000 (rejected, nothing else stops it: until the horizon),
    # r2 300..1000 (stuck),
    # r3 900..1000 (in flight), r4 500..600
    assert stops["cost_after_request_usd"].tolist() == pytest.approx(
        [300.0, 800.0, 700.0, 100.0, 100.0], rel=1e-12
    )


def test_a_rejected_stop_costs_until_its_resource_ends_by_other_means() -> None:
    """A rejected stop ended nothing; what it is said to cost runs until the resource ended
    anyway: at once when it had ended before (a duplicate refused with a conflict), even if
    it is started again later, or when another stop takes effect."""
    events: list[Event] = [
        (9.9, "send", "r0"),
        (10.0, "move", "r0", "STOPPING"),
        (10.1, "answer", 0, True, None, 1),
        (20.0, "send", "r0"),
        (20.1, "answer", 1, False, "ThrottlingException", 3),
        (50.0, "move", "r0", "STOPPED"),
        (80.0, "send", "r0"),
        (80.1, "answer", 2, False, "ConflictException", 1),
        (300.0, "move", "r0", "RUNNING"),
    ]
    stops = Played(["r0"], events, HORIZON).stops_table()
    assert column(stops, "outcome") == ["STOPPED", "rejected", "rejected"]
    assert column(stops, "terminal_at") == [50.0, None, None]  # a rejected stop ends nothing
    # $1 a second while RUNNING or STOPPING: 9.9..50; 20..50 (the first stop's end); none
    # for the duplicate sent after the end (the restart at 300 is not its doing)
    assert stops["cost_after_request_usd"].tolist() == pytest.approx([40.1, 30.0, 0.0], rel=1e-12)


def test_stops_dtypes() -> None:
    stops = derived()
    assert stops["accepted"].dtype == "boolean"
    assert stops["attempts"].dtype == "Int64"
    for name in ("error_code", "terminal_status", "outcome"):
        assert isinstance(stops[name].dtype, pd.CategoricalDtype), name
    for name in ("requested_at", "terminal_at", "stop_latency_s", "cost_after_request_usd"):
        assert stops[name].dtype == np.float64, name


def test_cost_after_request_is_pro_rata() -> None:
    costs = pd.DataFrame(
        {
            "service": pd.Categorical(["svc", "svc"]),
            "resource_id": pd.Categorical(["r0", "r1"], categories=IDS),
            "item": pd.Categorical(["inference"] * 2),
            "status": pd.Categorical(["RUNNING"] * 2),
            "start": [0.0, 0.0],
            "end": [800.0, 1000.0],
            "quantity": [1.0, 1.0],
            "usd": [8.0, 10.0],
        }
    )
    stops = derived(costs)
    # r0: [0, 800) costs 8; requested 100, terminal 400 -> 300/800 of it.
    # r1: [0, 1000) costs 10; requested 200, rejected -> until the horizon, 800/1000.
    assert stops["cost_after_request_usd"].tolist() == pytest.approx(
        [3.0, 8.0, 0.0, 0.0, 0.0], rel=1e-12
    )


def test_no_stops() -> None:
    moves = [event for event in STOP_EVENTS if event[1] == "move"]
    stops = Played(IDS, moves, HORIZON).stops_table()
    assert list(stops.columns) == list(STOP_COLUMNS)
    assert stops.empty


def test_an_answer_or_observation_due_at_the_horizon_has_not_happened() -> None:
    """The records keep when the answer and the observation reach the caller, which may be
    past the horizon; the table reads them at the horizon."""
    events: list[Event] = [
        (10.0, "send", "r0"),
        (10.0, "send", "r1"),
        (11.0, "answer", 0, True, None, 1),
        (20.0, "move", "r0", "STOPPED"),
        (21.0, "observe", 0),
    ]
    played = Played(["r0", "r1"], events, 21.0)
    played.stops[1].answered(21.0, False, "ThrottlingException", 2)  # arrives at the horizon
    stops = played.stops_table()
    assert column(stops, "outcome") == ["STOPPED", "in_flight"]
    assert column(stops, "observed_at") == [None, None]
    assert column(stops, "accepted") == [True, None]
    assert column(stops, "error_code") == [None, None]
    assert column(stops, "terminal_at") == [20.0, None]


def test_stops_answered_out_of_the_order_they_were_sent() -> None:
    """Each stop keeps its own answer, and its resource's key (o0 is registered first)."""
    events: list[Event] = [
        (10.0, "send", "r1"),
        (20.0, "send", "r0"),
        (21.0, "answer", 1, True, None, 1),  # answered out of request order
        (21.0, "move", "r0", "STOPPING"),
        (40.0, "answer", 0, False, "ThrottlingException", 5),
        (50.0, "move", "r0", "STOPPED"),
        (60.0, "observe", 1),
    ]
    stops = Played(["o0", "r0", "r1"], events, 100.0, units={"r1": 2.0}).stops_table()
    assert column(stops, "resource_id") == ["r1", "r0"]
    assert column(stops, "outcome") == ["rejected", "STOPPED"]
    assert column(stops, "attempts") == [5, 1]
    assert column(stops, "error_code") == ["ThrottlingException", None]
    assert column(stops, "terminal_at") == [None, 50.0]
    assert column(stops, "stop_latency_s") == [None, 30.0]
    assert column(stops, "observed_at") == [None, 60.0]
    # r1: 2 units x $1/s from 10 to the horizon; r0: 1 unit from 20 to 50
    assert stops["cost_after_request_usd"].tolist() == pytest.approx([180.0, 30.0], rel=1e-12)
