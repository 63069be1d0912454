"""A schedule's moments: Instance Scheduler's periods in a time zone, DST-correct."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from simulator.hosting.policies.schedule import edges, spans
from simulator.scenario.policies import Schedule
from simulator.scenario.zones import weekdays

HOUR = 3600.0
DAY = 24 * HOUR


def schedule(periods: list[dict[str, str]], zone: str = "Europe/Dublin") -> Schedule:
    return Schedule.model_validate(
        {"kind": "schedule", "groups": ["g"], "periods": periods, "time_zone": zone}
    )


def test_a_period_follows_the_wall_clock_across_the_change_to_summer_time() -> None:
    # Friday 2026-03-27: Dublin is on GMT (09:00 is 09:00 UTC); summer time starts on
    # Sunday the 29th, so Monday's 09:00 is 08:00 UTC
    office = schedule([{"begin": "09:00", "end": "18:00", "weekdays": "mon-fri"}])
    start = datetime(2026, 3, 27, tzinfo=UTC)
    assert spans(office, start, 4 * DAY) == [
        (9 * HOUR, 18 * HOUR),
        (3 * DAY + 8 * HOUR, 3 * DAY + 17 * HOUR),
    ]


def test_an_end_at_24_00_runs_to_midnight_and_joins_the_next_days_period() -> None:
    # the night shift in two periods: 22:00-24:00 and 00:00-06:00
    night = schedule(
        [{"begin": "22:00", "end": "24:00"}, {"begin": "00:00", "end": "06:00"}], "UTC"
    )
    start = datetime(2026, 1, 5, 12, tzinfo=UTC)  # noon
    assert spans(night, start, DAY) == [(10 * HOUR, 18 * HOUR)]  # 22:00 to 06:00: one span
    assert edges(spans(night, start, 2 * DAY), 2 * DAY) == [
        (0.0, False), (10 * HOUR, True), (18 * HOUR, False), (34 * HOUR, True),
        (42 * HOUR, False),
    ]  # fmt: skip


def test_an_end_at_23_59_is_that_minute_as_a_demand_profile_reads_it() -> None:
    # simulator.scenario.zones: 23:59 is the day's last minute, not its end; the schedule
    # stops at 23:59 and starts again at 00:00
    night = schedule(
        [{"begin": "22:00", "end": "23:59"}, {"begin": "00:00", "end": "06:00"}], "UTC"
    )
    start = datetime(2026, 1, 5, 12, tzinfo=UTC)  # noon
    assert spans(night, start, DAY) == [(10 * HOUR, 12 * HOUR - 60), (12 * HOUR, 18 * HOUR)]


def test_the_state_at_the_start_is_enforced() -> None:
    always = schedule([{"begin": "00:00", "end": "24:00"}], "UTC")
    start = datetime(2026, 1, 5, tzinfo=UTC)
    assert edges(spans(always, start, 2 * DAY), 2 * DAY) == [(0.0, True)]


@pytest.mark.parametrize(
    ("text", "days"),
    [("mon-fri", {0, 1, 2, 3, 4}), ("sat,sun", {5, 6}), ("mon-tue, fri", {0, 1, 4})],
)
def test_weekdays_are_read_as_instance_scheduler_writes_them(text: str, days: set[int]) -> None:
    assert weekdays(text) == days
