"""botocore's own retry modes meet simulated throttling as the built-in callers do: one burst
(20 stops within a second against a throttle of 1 stop a second, burst 2; a fixed 0.1 s
round trip, a fixed stop latency), sent by the built-in caller and by boto3 code in a
handler (`_burst.py` says how both send the same calls in the same order), gives the same
attempts, call by call: when each was sent, its attempt number, HTTP status, error code and
latency. The retry jitter comes from the caller's named stream on both sides, so with fixed
latencies the two tables can be compared value by value. The same holds for the whole
workload, each accepted stop then waited for (the built-in waiter; the handler's own poll
loop).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.aws import _burst

TIMES = [0.05 * i for i in range(20)]
"""One stop every 50 ms: the throttle admits two, then one a second."""


def _both(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    wait: bool = False,
    max_attempts: int | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    stop_latency = 120 if wait else 600
    settings = _burst.settings(mode, len(TIMES), 0.1, stop_latency, max_attempts)
    builtin = _burst.run(tmp_path, monkeypatch, "builtin", settings, TIMES, seed=0, wait=wait)
    handler = _burst.run(tmp_path, monkeypatch, "handler", settings, TIMES, seed=0, wait=wait)
    return builtin, handler


def _assert_close(builtin: pd.DataFrame, handler: pd.DataFrame, rtol: float) -> None:
    """The same attempts, statuses and codes; times and latencies to `rtol`."""
    assert len(handler) == len(builtin)
    exact = ["attempt", "http_status", "error_code"]
    pd.testing.assert_frame_equal(handler[exact], builtin[exact], check_exact=True)
    for column in ("time", "latency_s"):
        assert np.allclose(handler[column], builtin[column], rtol=rtol, atol=0), column


@pytest.mark.parametrize(
    ("mode", "max_attempts", "most"),
    [("legacy", None, 5), ("standard", None, 3), ("standard", 6, 6), ("legacy", 2, 2)],
)
def test_the_retries_agree_call_by_call(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    max_attempts: int | None,
    most: int,
) -> None:
    """Each mode with its own attempts, and with the caller's `max_attempts` (which the
    handler's clients read as AWS_MAX_ATTEMPTS)."""
    builtin, handler = _both(tmp_path, monkeypatch, mode, max_attempts=max_attempts)
    calls = _burst.attempts(builtin)
    # the burst is throttled and retried to the mode's last attempt: the test has teeth
    assert calls["attempt"].max() == most
    assert (calls["error_code"] == "ThrottlingException").sum() >= 20
    _assert_close(calls, _burst.attempts(handler), rtol=1e-12)
    stops, mine = _burst.stops(builtin), _burst.stops(handler)
    exact = ["resource_id", "accepted", "error_code", "attempts", "outcome"]
    pd.testing.assert_frame_equal(mine[exact], stops[exact], check_exact=True)
    assert np.allclose(mine["requested_at"], stops["requested_at"], rtol=1e-12, atol=0)
    if most <= 3:  # three attempts do not get every stop through
        assert set(stops["outcome"]) == {"STOPPED", "rejected"}


@pytest.mark.parametrize("mode", ["legacy", "standard"])
def test_the_stops_and_their_waits_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """The whole workload: each accepted stop then polled every 30 s until its model is
    STOPPED (the built-in stream's waiter; the handler's own loop of describes and sleeps).
    The polls and when each stop was seen to end agree too. Not in adaptive mode: there the
    polls meet the stops at the limiter, and the built-in waiter folds a response's way back
    into its next poll's delay (one timeout, where the handler's return and sleep are two),
    so a poll may reach the limiter one ulp apart and take a token in another order."""
    builtin, handler = _both(tmp_path, monkeypatch, mode, wait=True)
    for operation in (_burst.STOP, "DescribeProjectVersions"):
        _assert_close(
            _burst.attempts(builtin, operation), _burst.attempts(handler, operation), 1e-12
        )
    seen, mine = _burst.stops(builtin)["observed_at"], _burst.stops(handler)["observed_at"]
    assert seen.notna().sum() >= 5
    assert np.allclose(mine, seen, rtol=1e-12, atol=0, equal_nan=True)
    polls = _burst.attempts(builtin, "DescribeProjectVersions")
    assert len(polls) > seen.notna().sum()  # most stops were polled more than once


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_the_retries_agree_to_the_bit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """Not just close: a retry is sent at t + (backoff + trip) on both sides (botocore's
    signer once read the clock between its retry sleep and the send, which waited the
    backoff apart from the trip: one ulp off in some rows). In adaptive mode the built-in
    limiter is botocore's bucket step for step: each waiting request sleeps, or is woken by
    a change of rate, and looks again (it once reserved slots at the rate of its arrival,
    and sent the last of this burst's stops at 35.9 s where botocore sends it at 19.0 s)."""
    builtin, handler = _both(tmp_path, monkeypatch, mode)
    pd.testing.assert_frame_equal(
        _burst.attempts(handler), _burst.attempts(builtin), check_exact=True
    )
