"""Token buckets: how many requests per second an operation admits.

A bucket holds at most `burst` tokens and refills at `rate` per second. The server side
takes a token or rejects (`try_take`, the service's throttling error). botocore's adaptive
client-side limiter has a bucket of its own (`workload.retries.AdaptiveLimiter`), whose
arithmetic is botocore's.
"""

from __future__ import annotations


class TokenBucket:
    __slots__ = ("_last", "_tokens", "burst", "rate")

    def __init__(
        self, rate: float, burst: float, now: float = 0.0, tokens: float | None = None
    ) -> None:
        """A bucket holding `tokens` (default: full) at `now`."""
        self._check(rate, burst)
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst if tokens is None else tokens)
        self._last = now

    @staticmethod
    def _check(rate: float, burst: float) -> None:
        if not rate > 0 or not burst >= 1:
            raise ValueError(f"rate(={rate}) must be > 0 and burst(={burst}) >= 1.")

    def _refill(self, now: float) -> None:
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now

    def try_take(self, now: float) -> bool:
        """Take a token if one is there."""
        self._refill(now)
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False
