"""TokenBucket: refill arithmetic, burst cap and try_take."""

from __future__ import annotations

import math

import pytest

from simulator.api.throttle import TokenBucket


def test_starts_full_and_empties_after_burst() -> None:
    bucket = TokenBucket(rate=2, burst=3)
    assert [bucket.try_take(0.0) for _ in range(4)] == [True, True, True, False]


def test_refill_is_rate_times_elapsed() -> None:
    bucket = TokenBucket(rate=2, burst=3)
    for _ in range(3):
        assert bucket.try_take(0.0)
    assert bucket.try_take(0.25) is False  # 0.5 tokens
    assert bucket.try_take(0.5) is True  # 0.5 + 0.5 = 1 token
    assert bucket.try_take(0.5) is False
    assert bucket.try_take(1.5) is True  # 2 tokens
    assert bucket.try_take(1.5) is True
    assert bucket.try_take(1.5) is False


def test_burst_caps_the_refill() -> None:
    bucket = TokenBucket(rate=2, burst=3)
    for _ in range(3):
        bucket.try_take(0.0)
    assert [bucket.try_take(100.0) for _ in range(4)] == [True, True, True, False]


def test_try_take_false_when_empty_and_true_after_one_over_rate() -> None:
    bucket = TokenBucket(rate=4, burst=1)
    assert bucket.try_take(0.0) is True
    assert bucket.try_take(0.0) is False
    assert bucket.try_take(0.2) is False  # 0.8 tokens
    assert bucket.try_take(0.25) is True
    assert bucket.try_take(0.25) is False


def test_starts_at_now() -> None:
    bucket = TokenBucket(rate=1, burst=1, now=10.0)
    assert bucket.try_take(10.0) is True
    assert bucket.try_take(10.5) is False
    assert bucket.try_take(11.0) is True


def test_fractional_burst() -> None:
    bucket = TokenBucket(rate=1, burst=1.5)
    assert bucket.try_take(0.0) is True
    assert bucket.try_take(0.0) is False  # 0.5 left
    assert bucket.try_take(0.5) is True


@pytest.mark.parametrize(
    ("rate", "burst"),
    [(0, 1), (-1, 1), (math.nan, 1), (1, 0.5), (1, 0), (1, math.nan)],
)
def test_invalid_rate_or_burst_raises(rate: float, burst: float) -> None:
    with pytest.raises(ValueError, match="must be > 0"):
        TokenBucket(rate=rate, burst=burst)
