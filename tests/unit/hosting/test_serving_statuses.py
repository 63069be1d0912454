"""One table says which statuses serve inference requests (simulator/api/inference.py):
the serving of requests, the policies and the reported availability read it."""

from __future__ import annotations

from simulator.analysis.hosting import AVAILABLE
from simulator.api.inference import SERVING
from simulator.hosting.policies.base import HOSTING
from tests.unit.hosting.test_serving import (
    DEFAULT_START,
    HORIZON,
    OTHER,
    arrivals,
    rows,
    serve,
    timeline,
)


def test_the_policies_the_serving_and_the_analysis_agree_on_which_statuses_serve() -> None:
    """Lookout for Vision's SYSTEM_UPDATING is billed (ASSUMED) but serves no request, for
    the policies as for the requests; Rekognition serves only while RUNNING."""
    assert SERVING == {"rekognition": "RUNNING", "lookoutvision": "HOSTED"}
    for service, status in SERVING.items():
        assert HOSTING[service].serving == frozenset({status}), service
        assert AVAILABLE[service] == status


def test_a_request_to_a_stopping_version_fails() -> None:
    """ASSUMED: a version STOPPING is not deployed: its requests fail at once."""
    moves = [(0.0, OTHER, "RUNNING", 1.0), (0.0, OTHER, "STOPPING", 1.0)]
    demand, _ = serve(arrivals([], {}, [10.0]), timeline(moves), DEFAULT_START, HORIZON)
    assert rows(demand, OTHER) == [(0, 1, 0, 0, 1, 0, 0.0)]
