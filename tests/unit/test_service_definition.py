"""A service class that names what it does not have fails when it is defined."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import Field

from simulator.api.operations import Price
from simulator.services import lookoutvision, rekognition
from simulator.services.base import Progression, StopSpec
from simulator.services.registration import ServiceDefinitionError

S = rekognition.Status


def define(**attributes: Any) -> type:
    """A Rekognition service with `attributes` changed."""
    return type("Changed", (rekognition.ProjectVersions,), attributes)


def progressions(status: S, progression: Progression) -> dict[str, Any]:
    return {"PROGRESSIONS": {**rekognition.PROGRESSIONS, status: progression}}


def stop(**changed: Any) -> dict[str, Any]:
    spec = rekognition.ProjectVersions.STOP
    fields = {
        "operation": spec.operation,
        "terminal": spec.terminal,
        "describe": spec.describe,
        "describe_status": spec.describe_status,
    }
    return {"STOP": StopSpec(**{**fields, **changed})}


def test_the_shipped_services_are_well_defined() -> None:
    assert define().name == "rekognition"  # the unchanged definition passes its own check


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            progressions(
                S.COPYING_IN_PROGRESS,
                Progression(
                    "copying", to=S.COPYING_COMPLETED, otherwise={S.COPYING_FAILED: "copy_failur"}
                ),
            ),
            "rekognition: PROGRESSIONS[COPYING_IN_PROGRESS].otherwise[COPYING_FAILED]: "
            "'copy_failur' is not a setting; did you mean 'copy_failure'?",
        ),
        (
            progressions(S.STARTING, Progression("strat", to=S.RUNNING)),
            "rekognition: PROGRESSIONS[STARTING].latency: 'strat' is not a latency setting; "
            "did you mean 'start'?",
        ),
        (
            progressions(S.STARTING, Progression("start", to=S.STOPPED)),
            "rekognition: PROGRESSIONS[STARTING]: STARTING -> STOPPED is not a move its "
            "TRANSITIONS declare",
        ),
        (
            progressions(S.STARTING, Progression("start", to=lookoutvision.Status.HOSTED)),
            "rekognition: PROGRESSIONS[STARTING]: <Status.HOSTED: 'HOSTED'> is not a status of "
            "the service's enums (Status)",
        ),
        (
            stop(terminal=frozenset({lookoutvision.Status.TRAINED})),
            "rekognition: STOP.terminal: <Status.TRAINED: 'TRAINED'> is not a status of the "
            "service's enums",
        ),
        (
            stop(operation="StopProjectVersions"),
            "rekognition: STOP: no operation 'StopProjectVersions'; did you mean "
            "'StopProjectVersion'",
        ),
        (
            {"stop_project_version": None},
            "rekognition: OPERATIONS: StopProjectVersion has no handler stop_project_version()",
        ),
    ],
    ids=[
        "probability",
        "latency",
        "undeclared move",
        "foreign status",
        "terminal",
        "stop operation",
        "handler",
    ],
)
def test_a_misnamed_attribute_is_an_error_at_definition(
    attributes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ServiceDefinitionError) as raised:
        define(**attributes)
    assert message in str(raised.value)
    assert isinstance(raised.value, TypeError)


def test_a_price_billing_an_unknown_status_is_an_error_at_definition() -> None:
    class Typo(rekognition.Settings):
        prices: dict[str, Price] = Field(
            default_factory=lambda: {"inference": Price(usd_per_hour=4.0, statuses=("RUNING",))}
        )

    with pytest.raises(ServiceDefinitionError) as raised:
        define(__annotations__={"settings": Typo})
    assert "rekognition: Typo.prices['inference'].statuses: 'RUNING' is not a status; " in str(
        raised.value
    )
    assert "did you mean 'RUNNING'" in str(raised.value)


def test_an_intermediate_base_without_a_name_is_not_checked() -> None:
    from simulator.services.base import ManagedService

    base = type(
        "Kit", (ManagedService,), {"PROGRESSIONS": {S.STARTING: Progression("x", S.RUNNING)}}
    )
    assert not hasattr(base, "name")
