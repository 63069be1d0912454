"""Every modelled operation of the five services, called through a real boto3 client from
user code inside a simulation: botocore parses the simulated answer into its model's output
members, with the values the simulation holds (statuses, ARNs, pages, moments).

The cases (`_cases_models.py`, `_cases_jobs.py`) run in `_kit.SCENARIO` (fixed latencies, a
0.2 s round trip): an answer sent at t is back at t + 0.2, and a moment on the wire is the
scenario's start plus simulated seconds. `test_every_modelled_operation_has_a_case` fails
when a service gains an operation no case calls.
"""

from __future__ import annotations

import pytest

from simulator.aws.account import SERVICES as BOTOCORE_NAMES
from simulator.services import SERVICES
from tests.aws import _cases_jobs, _cases_models, _kit
from tests.aws._round_trip import CASES

CASE_MODULES = (_cases_models, _cases_jobs)
"""Importing them registers their cases."""
CLIENT_NAME = {service: name for name, service in BOTOCORE_NAMES.items()}


# -- the tests -------------------------------------------------------------------------------


def test_every_modelled_operation_has_a_case() -> None:
    modelled = {(name, op) for name, service in SERVICES.items() for op in service.OPERATIONS}
    assert sorted(modelled - set(CASES)) == []
    assert sorted(set(CASES) - modelled) == []


@pytest.mark.parametrize("key", sorted(CASES), ids=lambda key: f"{CLIENT_NAME[key[0]]}-{key[1]}")
def test_round_trip(key: tuple[str, str]) -> None:
    ran = _kit.in_simulation(CASES[key])
    service, operation = key
    calls = ran.tables["calls"]
    mine = calls[calls["operation"].astype(str) == operation]
    assert len(mine) >= 1, f"no {operation} in the calls table"
    assert set(mine["service"].astype(str)) == {service}
    assert set(mine["caller"].astype(str)) == {"default"}
    assert mine["error_code"].isna().all()
    assert list(mine["latency_s"]) == pytest.approx([_kit.ROUND_TRIP] * len(mine))
