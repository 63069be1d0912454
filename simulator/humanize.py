"""Numbers as a person reads them: durations in the unit that fits, money in dollars.

A simulation measures in seconds and dollars; `604800 s` and `-50.0 USD` are exact but make
the reader do the arithmetic. These functions are the one place that decides how a duration,
an amount or a share is written; the answers' tables pick one per column from a single
specification (`simulator.analysis.columns`), so the terminal, markdown and the report
write the same cell the same way, and the figures' money reads as theirs does. They import
nothing heavy: the CLI imports this module before it knows whether it will run anything.

The rules:

- `duration`: below a minute in seconds (below a second in milliseconds), below an hour in
  minutes, each with at most three significant figures ("45 s", "2.5 min", "59.5 min");
  from an hour on, in two whole units, the smaller dropped when zero ("1 h 30 min", "2 h",
  "1 day 6 h", "7 days"). A value is rounded before its unit is chosen, so 59.99 s reads
  "1 min", never "60 s".
- `usd`: thousands separated, the sign before the dollar ("$1,234.50", "-$50.00"); an amount
  that rounds to zero has no sign.
- `duration_unit`: the one unit a column of durations is shown in, so its numbers can be
  compared by eye ("p95 min").
- `percent`: whole percents, a tenth of one below 10% ("3.5%", "0.3%", "64%").
- `decimals`: one count of decimals for a column, so its numbers line up.
- Not a number (a statistic of no values) reads "-" everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Final, NamedTuple

MISSING: Final = "-"
"""How an undefined value (NaN: a mean of no stops, say) is written."""

MINUTE: Final = 60.0
HOUR: Final = 3600.0
DAY: Final = 86400.0


class DurationUnit(NamedTuple):
    """A unit to show a column of durations in: its symbol and its length in seconds."""

    symbol: str
    seconds: float


SECONDS: Final = DurationUnit("s", 1.0)
MINUTES: Final = DurationUnit("min", MINUTE)
HOURS: Final = DurationUnit("h", HOUR)
DAYS: Final = DurationUnit("days", DAY)
_COLUMN_UNITS: Final = (DAYS, HOURS, MINUTES, SECONDS)


def _round(value: float, figures: int) -> float:
    """`value` rounded to `figures` significant figures (a nonzero, finite value)."""
    return round(value, figures - 1 - math.floor(math.log10(abs(value))))


def significant(value: float, figures: int = 3) -> str:
    """`value` with at most `figures` significant figures, no trailing zeros, no exponent,
    thousands separated: '2.5', '59.5', '1,230', '0.0123'. NaN reads '-'."""
    if math.isnan(value):
        return MISSING
    if value == 0 or math.isinf(value):
        return format(value, "g")
    decimals = max(figures - 1 - math.floor(math.log10(abs(value))), 0)
    text = f"{_round(value, figures):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def duration(seconds: float) -> str:
    """`seconds` in the unit that fits, by the rules in the module's docstring."""
    if math.isnan(seconds):
        return MISSING
    if seconds < 0:
        return "-" + duration(-seconds)
    if math.isinf(seconds):
        return "forever"
    if seconds == 0:
        return "0 s"
    if _round(seconds, 3) < 1:
        return f"{significant(seconds * 1000)} ms"
    if _round(seconds, 3) < MINUTE:
        return f"{significant(seconds)} s"
    if _round(seconds / MINUTE, 3) < 60:
        return f"{significant(seconds / MINUTE)} min"
    minutes = round(seconds / MINUTE)
    if minutes < 24 * 60:
        return _two_units(minutes // 60, "h", "h", minutes % 60, "min")
    hours = round(seconds / HOUR)
    return _two_units(hours // 24, "day", "days", hours % 24, "h")


def _two_units(large: int, singular: str, plural: str, small: int, small_symbol: str) -> str:
    """'1 day 6 h', '7 days', '1 h 30 min': the larger unit, and the smaller unless zero."""
    text = f"{large:,} {singular if large == 1 else plural}"
    return f"{text} {small} {small_symbol}" if small else text


def duration_unit(seconds: Iterable[float]) -> DurationUnit:
    """The largest unit in which the longest of `seconds` is at least two: the unit a
    column of these durations reads best in (a column of 30 to 400 s reads in minutes).
    Seconds if there is no finite value."""
    finite = [abs(s) for s in seconds if math.isfinite(s)]
    longest = max(finite, default=0.0)
    return next((unit for unit in _COLUMN_UNITS if longest >= 2 * unit.seconds), SECONDS)


def usd(amount: float, decimals: int = 2) -> str:
    """`amount` of US dollars: '$1,234.50', '-$50.00', '$0.00' for a rounded zero."""
    if math.isnan(amount):
        return MISSING
    text = f"{abs(amount):,.{decimals}f}"
    negative = amount < 0 and any(c not in "0.," for c in text)
    return f"{'-' if negative else ''}${text}"


def decimals(longest: float, figures: int = 3, most: int = 2) -> int:
    """Decimals that give the `longest` value of a column `figures` significant figures,
    between 0 and `most`: one count of decimals per column, so its numbers line up."""
    if not math.isfinite(longest) or longest == 0:
        return 0
    return min(max(figures - 1 - math.floor(math.log10(abs(longest))), 0), most)


def percent(share: float) -> str:
    """A share as a percentage: whole percents, but a tenth of one below 10% ('0.3%', '3.5%'),
    where whole percents would round a rare outcome to '0%' or blur '3.5%' to '4%'."""
    if math.isnan(share):
        return MISSING
    return f"{share:.1%}" if 0 < abs(share) < 0.095 else f"{share:.0%}"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """'1 replication', '3 replications', '1,000 replications'."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"
