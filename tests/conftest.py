"""Fixtures shared by test files: pytest hands them to a test that names them. Plain
helpers live in `tests/kit.py` (this file also makes `tests` importable from any test
folder, being the conftest of the `tests` package)."""

from __future__ import annotations

import pytest

import simulator
from simulator.results import Results
from tests.kit import scenario

ONE_MODEL = """
name: unit
horizon: 1h
replications: 2
services:
  rekognition:
    latency: {stop: 2m, start: 5m, training: 1h, copying: 1h}
fleet:
  - {service: rekognition, count: 1, project: p, inference_units: 2}
callers:
  default:
    network: 0.2
requests: [{service: rekognition, at: 10m}]
"""


@pytest.fixture(scope="session")
def results() -> Results:
    """A whole run, small: two replications of one Rekognition model stopped at 10 min
    (test_report.py has its own, of another scenario)."""
    return simulator.run(scenario(ONE_MODEL))
