"""The retry quota's refunds given back late and summed (`clients._Refunds`) leave the
quota where giving each back as its response arrived would: checked at every read of the
quota, over any interleaving of successes, reads and drains, ties of time included."""

from __future__ import annotations

from itertools import count

from hypothesis import example, given, settings
from hypothesis import strategies as st

from simulator.workload.clients import _Refunds
from simulator.workload.retries import (
    NO_RETRY_INCREMENT,
    QUOTA_CAPACITY,
    RetryMode,
    RetryPolicy,
)

QUARTERS = st.integers(0, 8).map(lambda n: n / 4)  # coarse times: ties are common
SUCCESS = st.tuples(
    st.just("success"), QUARTERS, QUARTERS, st.sampled_from([0, 5, 14]), st.booleans()
)
ERROR = st.tuples(st.just("error"), QUARTERS, QUARTERS, st.integers(0, 120), st.just(True))
Step = tuple[str, float, float, int, bool]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(SUCCESS, ERROR), max_size=200), st.sampled_from([1, 3, 64]))
@example(  # a pass made by a success while an error's answer is due at that instant
    [
        ("error", 0, 0, 120, True),
        ("error", 0, 1, 0, True),
        ("success", 0.5, 0.5, 5, True),
        ("success", 0.5, 0.5, 5, False),
        ("success", 0.5, 0, 5, True),
    ],
    1,
)
def test_late_summed_refunds_leave_the_quota_as_refunds_on_arrival(
    steps: list[Step], gathered: int
) -> None:
    """A step comes `advance` after the last. A success defers a refund due when its answer
    arrives, `trip` later (`last_cost`: what its retries took). An error is counted when
    the server answers and read when its answer arrives, `trip` later: then the client
    settles the refunds that arrived before it (a success counted later whose answer
    arrives at the same instant comes after it, as SimPy would fire it) and the retry takes
    `drain` from the quota. An error's answer due at a success's instant is read before it
    or after it (`reads_first`): SimPy may fire either first, and the pass a success makes
    must not give back what that read may not see yet. The reference gives each refund back
    on its own, capped, in the order they arrive. A pass every few refunds (`gathered`), or
    the client's 64."""
    policy = RetryPolicy(RetryMode.STANDARD)
    refunds = _Refunds(policy, gathered)
    every: list[tuple[float, int, int]] = []  # the reference's refunds not given back yet
    reads: list[tuple[float, int, int]] = []  # errors' answers on their way: (at, order, drain)
    quota, order, now = QUOTA_CAPACITY, count(), 0.0

    def read(at: float, counted: int, drain: int) -> None:
        nonlocal quota
        refunds.settle(at, counted)
        for refund in sorted(refund for refund in every if refund[:2] < (at, counted)):
            quota = min(QUOTA_CAPACITY, quota + refund[2])
            every.remove(refund)
        assert policy.quota == quota
        drained = min(quota, drain)
        quota -= drained
        policy.quota -= drained

    def read_due(now: float, at_now: bool) -> None:
        for arrived in sorted(r for r in reads if r[0] < now or (at_now and r[0] == now)):
            reads.remove(arrived)
            read(*arrived)

    for kind, advance, trip, amount, reads_first in steps:
        now += advance
        read_due(now, reads_first)
        if kind == "success":
            arrives_at, counted = now + trip, next(order)
            refunds.defer(arrives_at, counted, amount, now)
            every.append((arrives_at, counted, amount or NO_RETRY_INCREMENT))
        else:
            reads.append((now + trip, next(order), amount))
        read_due(now, True)
    for arrived in sorted(reads):
        read(*arrived)
