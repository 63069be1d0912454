"""The hybrid histogram policy's windows from a model's idle times, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.hosting.policies.histogram import Histogram
from simulator.scenario.policies import KeepAliveHistogram

MINUTE = 60.0


def policy(**settings: object) -> KeepAliveHistogram:
    return KeepAliveHistogram.model_validate(
        {"kind": "keep_alive_histogram", "groups": ["g"], "min_idle_times": 5, **settings}
    )


def requests(gaps_min: list[float]) -> np.ndarray:
    return np.cumsum([0.0, *gaps_min]) * MINUTE


def test_windows_are_the_head_and_tail_bins_with_their_margins() -> None:
    # 20 idle times: one of 2.5 minutes (bin 2), eighteen of 10.2 (bin 10), one of 30.5
    # (bin 30). 5th percentile: the 1st of 20 -> bin 2, pre-warm 2 min x 0.9 = 108 s;
    # 99th: the 20th -> bin 30, keep-alive to its upper edge, 31 min x 1.1 = 2046 s.
    times = requests([2.5] + [10.2] * 18 + [30.5])
    windows = Histogram(policy(), times).windows(float(times[-1]))
    assert windows == pytest.approx((108.0, 2046.0))


def test_only_the_idle_times_before_the_request_count() -> None:
    # at the 5th request, four idle times are known: fewer than 5, the fallback (4 h)
    times = requests([10.2] * 10)
    histogram = Histogram(policy(), times)
    assert histogram.windows(float(times[4])) == (0.0, 4 * 3600.0)
    assert histogram.windows(float(times[5])) == pytest.approx((540.0, 11 * MINUTE * 1.1))


def test_too_many_idle_times_beyond_the_range_fall_back_to_the_fixed_keep_alive() -> None:
    # 6 idle times, 4 beyond the 4-hour range: 2/3 > max_out_of_range (1/2)
    times = requests([10.2, 10.2, 300, 300, 300, 300])
    assert Histogram(policy(fallback="20m"), times).windows(float(times[-1])) == (0.0, 1200.0)
    # 3 of 6 beyond it is tolerated: the percentiles of the 3 within it
    times = requests([10.2, 10.2, 10.2, 300, 300, 300])
    windows = Histogram(policy(fallback="20m"), times).windows(float(times[-1]))
    assert windows == pytest.approx((540.0, 11 * MINUTE * 1.1))
