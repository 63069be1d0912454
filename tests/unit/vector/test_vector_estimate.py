"""The size check prices a vector run at the vector engine's rates, not the event engine's."""

from __future__ import annotations

import pytest

from simulator.estimate import TooBig, check, estimate
from tests.kit import scenario

MILLION = """
name: million
horizon: 1d
fleet:
  - {service: rekognition, project: a, count: 1000000}
requests:
  - {service: rekognition, at: 1h}
"""


def test_a_vector_run_is_priced_per_stop_at_its_own_rates() -> None:
    loaded = scenario(MILLION)
    events = estimate(loaded, 1)
    vector = estimate(loaded, 1, engine="vector")
    assert vector.seconds == pytest.approx(1e6 * 5e-6)
    assert vector.memory == pytest.approx(1e6 * 1_800)
    assert events.seconds == pytest.approx(2 * 1e6 * 25e-6 + events.rows * 20e-6)
    assert events.seconds > 50 * vector.seconds
    check(vector, available=3e9)  # 1.8 GB against 2.4 GB
    with pytest.raises(TooBig, match=r"^this run would need about 3\.4 GB of memory"):
        check(events, available=3e9)
