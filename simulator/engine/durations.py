"""Human durations ("90s", "20m", "1h30m", "7d") to seconds, at the edge of the model only."""

from __future__ import annotations

import math
import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+")

EXPECTED = "a duration such as 90, '90s', '20m', '1h30m' or '7d' (a bare number is seconds)"


def parse_duration(value: str | float | int) -> float:
    """Seconds in `value`; raises ValueError saying what was expected."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected {EXPECTED}, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip().replace(" ", "")
        if text.startswith("-"):
            raise ValueError(f"expected a non-negative duration, got {value!r}")
        try:
            seconds = float(text)
        except ValueError:
            if not _WHOLE.fullmatch(text):
                raise ValueError(f"expected {EXPECTED}, got {value!r}") from None
            seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(text))
    if not 0 <= seconds < math.inf:  # also rejects NaN
        raise ValueError(f"expected a finite non-negative duration, got {value!r}")
    return seconds
