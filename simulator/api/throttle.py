"""Token buckets: how many requests per second an operation admits.

A bucket holds at most `burst` tokens and refills at `rate` per second. The server side
takes a token or rejects (`try_take`, the service's throttling error). A client-side limiter
(botocore's adaptive mode) instead reserves the next token and waits for it (`reserve`): with
burst 1 and Poisson arrivals that wait is exactly an M/D/1 queue's, which the statistical
tests use.
"""

from __future__ import annotations


class TokenBucket:
    __slots__ = ("_last", "_tokens", "burst", "rate")

    def __init__(self, rate: float, burst: float, now: float = 0.0) -> None:
        if not rate > 0 or not burst >= 1:
            raise ValueError(f"rate(={rate}) must be > 0 and burst(={burst}) >= 1.")
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._last = now

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

    def reserve(self, now: float) -> float:
        """Take the next token, going into debt if need be; return how long to wait for it."""
        self._refill(now)
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate
