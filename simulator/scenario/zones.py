"""Local time as the scenario writes it, shared by `demand:` profiles and `policies:`
schedules, so both read a zone, a day list and a clock the same way.

- a time zone is an IANA name (`Europe/Dublin`), checked as the scenario loads;
- days are `mon` .. `sun`, ranges `mon-fri`, several separated by commas (`sat,sun`);
- a clock is `HH:MM` from `00:00` to `23:59`; an END may also be `24:00`, the end of the
  day. `23:59` always means the minute 23:59 (a window ending then leaves out the day's
  last minute), as AWS Instance Scheduler reads it; write `24:00` for the whole day.
"""

from __future__ import annotations

import re
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES: Final = 24 * 60
CLOCK: Final = r"^([01][0-9]|2[0-3]):([0-5][0-9])$"
"""A begin: `HH:MM`, 00:00 to 23:59."""
END_CLOCK: Final = r"^(([01][0-9]|2[0-3]):([0-5][0-9])|24:00)$"
"""An end: `HH:MM`, 00:00 to 23:59, or 24:00 (the end of the day)."""


def zone(name: str) -> str:
    """`name` if it is an IANA time zone; ValueError (for the field's validator) if not."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; expected an IANA name such as Europe/Dublin, "
            "America/New_York or UTC"
        ) from None
    return name


def weekdays(text: str) -> frozenset[int]:
    """The days (0 = Monday) `text` names: days and ranges, separated by commas (`mon-fri`,
    `sat,sun`, `mon-wed,fri`)."""
    days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.strip().lower().partition("-")
        last = last or first
        if first not in DAYS or last not in DAYS:
            raise ValueError(
                f"{part.strip()!r} is not a day or a range of days "
                f"({', '.join(DAYS)}); separate several with commas"
            )
        begin, end = DAYS.index(first), DAYS.index(last)
        if end < begin:
            raise ValueError(
                f"{part.strip()!r} runs backwards (a range of days runs from Monday to "
                f"Sunday); write it as two ranges ({first}-sun,mon-{last})"
            )
        days.update(range(begin, end + 1))
    return frozenset(days)


def minutes(clock: str, *, end: bool = False) -> int:
    """Minutes after midnight of `clock` (`HH:MM`; with `end`, `24:00` too: 1440)."""
    if re.match(END_CLOCK if end else CLOCK, clock) is None:
        raise ValueError(
            f"expected a time 'HH:MM' from 00:00 to {'24:00' if end else '23:59'}, got {clock!r}"
        )
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)
