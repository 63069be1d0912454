"""Human durations ("90s", "20m", "1h30m", "7d") to seconds, at the edge of the model only.

A duration is a non-negative number of seconds, or text: a number (seconds), or one or
more parts of a number and a unit (ms, s, m, h, d, w), spaces allowed around the parts.
`DURATION_PATTERN` is that grammar as one regular expression, written in the subset that
Python and ECMA-262 (JSON Schema's `pattern`) read alike: the parser matches with it, and
the scenario's JSON Schema says it, so an editor accepts exactly the text the loader does.
"""

from __future__ import annotations

import math
import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_UNIT = r"(?:ms|s|m|h|d|w)"
DURATION_PATTERN = rf"^\s*(?:{_NUMBER}|{_NUMBER}\s*{_UNIT}(?:\s*{_NUMBER}\s*{_UNIT})*)\s*$"
_DURATION = re.compile(DURATION_PATTERN)
_PART = re.compile(rf"({_NUMBER})\s*({_UNIT})")

EXPECTED = "a duration such as 90, '90s', '20m', '1h30m' or '7d' (a bare number is seconds)"


def parse_duration(value: str | float | int) -> float:
    """Seconds in `value`; raises ValueError saying what was expected."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected {EXPECTED}, got {value!r}")
    if isinstance(value, str):
        if value.strip().startswith("-"):
            raise ValueError(f"expected a non-negative duration, got {value!r}")
        if not _DURATION.match(value):
            raise ValueError(f"expected {EXPECTED}, got {value!r}")
        parts = _PART.findall(value)
        seconds = sum(float(n) * _UNITS[u] for n, u in parts) if parts else float(value)
    else:
        seconds = float(value)
    if not 0 <= seconds < math.inf:  # also rejects NaN
        raise ValueError(f"expected a finite non-negative duration, got {value!r}")
    return seconds
