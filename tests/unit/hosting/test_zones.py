"""The local-time conventions `demand:` and `policies:` share (simulator/scenario/zones.py)."""

from __future__ import annotations

import pytest

from simulator.scenario import zones


def test_a_day_list_reads_days_ranges_and_commas() -> None:
    assert zones.weekdays("mon-wed,fri") == {0, 1, 2, 4}
    assert zones.weekdays(" Sat , sun ") == {5, 6}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("mon-fry", "'mon-fry' is not a day or a range of days"), ("sat-mon", "runs backwards")],
)
def test_a_bad_day_list_says_why(text: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        zones.weekdays(text)


def test_24_00_ends_the_day_and_23_59_is_its_last_minute() -> None:
    assert zones.minutes("24:00", end=True) == 1440
    assert zones.minutes("23:59", end=True) == 1439
    with pytest.raises(ValueError, match="from 00:00 to 23:59"):
        zones.minutes("24:00")  # a begin
    with pytest.raises(ValueError, match="from 00:00 to 24:00"):
        zones.minutes("24:01", end=True)


def test_an_unknown_zone_is_refused_by_name() -> None:
    assert zones.zone("Europe/Dublin") == "Europe/Dublin"
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Dubln'"):
        zones.zone("Europe/Dubln")
