"""Human durations to seconds and back."""

from __future__ import annotations

import math

import pytest

from simulator.engine.durations import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90.0),
        ("20m", 1200.0),
        ("1h30m", 5400.0),
        ("7d", 604800.0),
        ("2w", 1209600.0),
        ("1.5h", 5400.0),
        ("250ms", 0.25),
        ("1m250ms", 60.25),
        (" 1h 30m ", 5400.0),
        ("90", 90.0),
        ("2.5", 2.5),
        ("0s", 0.0),
        (90, 90.0),
        (1.5, 1.5),
        (0, 0.0),
    ],
)
def test_parse_duration(text: str | float, seconds: float) -> None:
    parsed = parse_duration(text)
    assert parsed == seconds
    assert type(parsed) is float


@pytest.mark.parametrize(
    "bad",
    [
        "-5m",
        "-5",
        -5,
        -0.5,
        "abc",
        "",
        "   ",
        "5x",
        "inf",
        float("inf"),
        "m",
        "1m30",
        "h1",
        True,
        False,
        math.nan,
        "nan",
    ],
)
def test_parse_duration_rejects(bad: object) -> None:
    with pytest.raises(ValueError, match="expected"):
        parse_duration(bad)  # type: ignore[arg-type]
