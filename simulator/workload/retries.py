"""Retries exactly as botocore 1.44 makes them (`botocore/retries/`, `retryhandler.py`).

    legacy    5 attempts; sleep U(0,1) * 2**(k-1), no cap; retries HTTP 500/502/503/504/509,
              any 429, and five throttling codes only when they come with HTTP 400.
    standard  3 attempts (botocore's default mode since 1.44); sleep
              U(0,1) * min(scale * 2**(k-1), 20) with scale 1 s after a throttling error and
              50 ms otherwise; retries transient codes, HTTP 500/502/503/504, throttling codes
              at any status and errors the service model marks retryable; a retry quota of
              500 per client: a retry costs 5 after a throttle, 14 otherwise; a success gives
              back what its call took, or 1 if it was never retried.
    adaptive  standard, plus a client-side rate limiter (`AdaptiveLimiter`, CUBIC).

k is the 1-based number of the attempt that failed. The tests hold these decisions against
botocore's own classes; move them together when the botocore range in pyproject moves.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Final

import simpy

from simulator.api.errors import AwsError
from simulator.scenario.callers import RetryMode as RetryMode  # the modes are scenario data

LEGACY_RETRY_STATUSES: Final = frozenset({500, 502, 503, 504, 509, 429})
LEGACY_THROTTLE_PAIRS: Final = frozenset(
    (code, 400)
    for code in (
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "ProvisionedThroughputExceededException",
    )
)
TRANSIENT_CODES: Final = frozenset(
    {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"}
)
TRANSIENT_STATUSES: Final = frozenset({500, 502, 503, 504})
THROTTLING_CODES: Final = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
MAX_BACKOFF_S: Final = 20.0
THROTTLING_BASE_S: Final = 1.0
NON_THROTTLING_BASE_S: Final = 0.05
QUOTA_CAPACITY: Final = 500
THROTTLING_RETRY_COST: Final = 5
RETRY_COST: Final = 14
NO_RETRY_INCREMENT: Final = 1


DEFAULT_MAX_ATTEMPTS: Final = {
    RetryMode.LEGACY: 5,
    RetryMode.STANDARD: 3,
    RetryMode.ADAPTIVE: 3,
}


def is_throttling(error: AwsError) -> bool:
    """botocore's ThrottlingErrorDetector, for errors the operation models (all of ours).

    Its 429 status check applies only to unmodeled errors, so it never fires here.
    """
    return error.code in THROTTLING_CODES or error.spec.retryable == "throttling"


def legacy_retryable(error: AwsError) -> bool:
    return (
        error.http_status in LEGACY_RETRY_STATUSES
        or (error.code, error.http_status) in LEGACY_THROTTLE_PAIRS
    )


def standard_retryable(error: AwsError) -> bool:
    return (
        error.code in TRANSIENT_CODES
        or error.http_status in TRANSIENT_STATUSES
        or error.code in THROTTLING_CODES
        or error.spec.retryable is not None
    )


class RetryPolicy:
    """The retry decisions of one client (one botocore client object: one quota)."""

    def __init__(self, mode: RetryMode, max_attempts: int | None = None) -> None:
        self.mode = mode
        self.max_attempts = max_attempts or DEFAULT_MAX_ATTEMPTS[mode]
        self.quota = QUOTA_CAPACITY

    def delay(self, attempt: int, error: AwsError, uniform: float) -> tuple[float, int] | None:
        """How long to sleep before attempt `attempt + 1`, and the quota it took; None: stop.

        `uniform` is the U(0,1) jitter draw; the caller passes it so that every draw comes
        from a named stream.
        """
        if self.mode is RetryMode.LEGACY:
            if attempt >= self.max_attempts or not legacy_retryable(error):
                return None
            return uniform * 2 ** (attempt - 1), 0
        if attempt >= self.max_attempts or not standard_retryable(error):
            return None
        throttled = is_throttling(error)
        cost = THROTTLING_RETRY_COST if throttled else RETRY_COST
        if cost > self.quota:
            return None
        self.quota -= cost
        base = THROTTLING_BASE_S if throttled else NON_THROTTLING_BASE_S
        return uniform * min(base * 2 ** (attempt - 1), MAX_BACKOFF_S), cost

    def succeeded(self, last_cost: int) -> None:
        """A 2xx response: give back the last retry's cost, or the no-retry increment."""
        self.give_back(last_cost or NO_RETRY_INCREMENT)

    def give_back(self, refund: int) -> None:
        """Add `refund` to the quota, up to its capacity. Refunds commute: capped additions
        of amounts >= 0 give the capped sum in any order, so several can be given back as
        one."""
        if self.mode is not RetryMode.LEGACY and self.quota < QUOTA_CAPACITY:
            self.quota = min(QUOTA_CAPACITY, self.quota + refund)


def advancing(now: float, wait: float) -> float:
    """`wait`, or the least wait that moves the clock if `now + wait` is `now`: a token a
    hair's breadth short (1 - 0.9999999999999999) is due sooner than the clock can tell, and
    a bucket that waited that long would wait for ever, where real time would have moved."""
    return wait if now + wait > now else math.nextafter(now, math.inf) - now


class AdaptiveLimiter:
    """botocore's ClientRateLimiter: its TokenBucket, RateClocker and CubicCalculator in
    one, step for step and with the same arithmetic in the same order, so that a built-in
    caller's tables agree to the bit with botocore's own limiter run in a simulation
    (`tests/aws/test_retry_modes.py`).

    Off until the first throttling response; from then on every request takes a token of a
    bucket whose rate follows CUBIC (C=0.4, beta=0.7), at least 0.5/s and at most twice the
    measured sending rate (smoothed 0.8 over 0.5 s buckets). A request that finds no token
    sleeps for as long as the missing part takes at the present rate, then looks again
    (`take`), as botocore's threads wait on a condition; a change of rate wakes the request
    that has waited longest (`waiting`, as the condition's `notify`), which looks again at
    the new rate. Concurrent requests are thus not served in order of arrival: whichever
    wakes to a token takes it.
    """

    SCALE: Final = 0.4
    BETA: Final = 0.7
    MIN_RATE: Final = 0.5
    SMOOTHING: Final = 0.8
    BUCKET_S: Final = 0.5
    MAX_RATE_SCALE: Final = 2.0

    def __init__(self, now: float) -> None:
        self.enabled = False
        # CubicCalculator(starting_max_rate=0, start_time=now): its zero point is 0
        self._w_max = 0.0
        self._k = 0.0
        self._last_fail = now
        # TokenBucket(max_rate=1): empty; its setter's first refill only notes the time
        self._capacity = 0.0
        self._max_capacity = 1.0
        self._fill_rate = 1.0
        self._last = now
        # RateClocker
        self.measured_rate = 0.0
        self._count = 0
        self._last_bucket = float(math.floor(now))
        self.waiting: deque[simpy.Event] = deque()
        """The requests waiting for a token, longest first (a condition's waiters)."""

    @property
    def max_rate(self) -> float:
        return self._fill_rate

    def _refill(self, now: float) -> None:
        fill = (now - self._last) * self._fill_rate
        self._capacity = min(self._max_capacity, self._capacity + fill)
        self._last = now

    def take(self, now: float) -> float:
        """TokenBucket._acquire, one look: 0 if the request may go (the limiter is off, or
        it took a token), else the seconds until a token would be there at this rate."""
        if not self.enabled:
            return 0.0
        self._refill(now)
        if self._capacity >= 1:
            self._capacity -= 1
            return 0.0
        return (1 - self._capacity) / self._fill_rate

    def _record(self, now: float) -> float:
        bucket = math.floor(now / self.BUCKET_S) * self.BUCKET_S
        self._count += 1
        if bucket > self._last_bucket:
            current = self._count / (bucket - self._last_bucket)
            self.measured_rate = current * self.SMOOTHING + self.measured_rate * (
                1 - self.SMOOTHING
            )
            self._count = 0
            self._last_bucket = bucket
        return self.measured_rate

    def response(self, now: float, throttled: bool) -> None:
        """Every response, success or error, adjusts the rate (botocore's needs-retry hook)."""
        measured = self._record(now)
        if not throttled:
            new_rate = self.SCALE * (now - self._last_fail - self._k) ** 3 + self._w_max
        else:
            current = measured if not self.enabled else min(measured, self.max_rate)
            self._w_max = current
            self._k = (self._w_max * (1 - self.BETA) / self.SCALE) ** (1 / 3)
            self._last_fail = now
            new_rate = current * self.BETA
            self.enabled = True
        # botocore's max_rate setter: fill at >= 0.5/s, hold at least one token, wake one
        rate = min(new_rate, self.MAX_RATE_SCALE * measured)
        self._refill(now)
        self._fill_rate = max(rate, self.MIN_RATE)
        self._max_capacity = rate if rate >= 1 else 1.0
        self._capacity = min(self._capacity, self._max_capacity)
        if self.waiting:
            self.waiting.popleft().succeed()
