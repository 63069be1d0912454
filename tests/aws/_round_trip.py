"""The round-trip cases' registry and what their checks share (`test_round_trip.py` runs
them): each case is user code that calls one operation through a real boto3 client inside
`_kit.SCENARIO` and asserts the values botocore parsed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tests.aws._kit import at

Case = Callable[[], None]
CASES: dict[tuple[str, str], Case] = {}
"""(the simulator's service, operation) -> its case."""


def case(service: str, operation: str) -> Callable[[Case], Case]:
    def register(function: Case) -> Case:
        CASES[service, operation] = function
        return function

    return register


def assert_moment(moment: datetime, seconds: float) -> None:
    """A parsed timestamp is the scenario's start plus `seconds`, to the microsecond."""
    assert isinstance(moment, datetime)
    assert abs((moment - at(seconds)).total_seconds()) <= 1e-6, (moment, at(seconds))


def status_code(response: dict[str, Any]) -> int:
    return int(response["ResponseMetadata"]["HTTPStatusCode"])


def body(response: dict[str, Any]) -> dict[str, Any]:
    """The parsed output members, without botocore's ResponseMetadata."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}
