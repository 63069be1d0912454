"""A service class that names what it does not have fails when it is defined."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import Field

from simulator.api.operations import Price
from simulator.engine.env import Simulation
from simulator.engine.rng import Streams
from simulator.services import lookoutvision, neptune, rekognition, sagemaker
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


# -- what processes draw by name: STAGES and DRAWS ------------------------------------------

J = neptune.JobStatus


def stages(stage: str, progression: Progression) -> dict[str, Any]:
    return {"STAGES": {**neptune.PARTS, stage: progression}}


@pytest.mark.parametrize(
    ("service", "attributes", "message"),
    [
        (
            neptune.TrainingJobs,
            stages(
                "processing",
                Progression(
                    "processing", to=J.Completed, otherwise={J.Failed: "procesing_failure"}
                ),
            ),
            "neptune: STAGES['processing'].otherwise[Failed]: 'procesing_failure' is not a "
            "setting; did you mean 'processing_failure'",
        ),
        (
            neptune.TrainingJobs,
            stages("transform", Progression("transfrom", to=J.Completed)),
            "neptune: STAGES['transform'].latency: 'transfrom' is not a latency setting; "
            "did you mean 'transform'?",
        ),
        (
            neptune.TrainingJobs,
            stages("transform", Progression("transform", to=J.InProgress)),
            "neptune: STAGES['transform']: no move its TRANSITIONS declare ends in InProgress",
        ),
        (
            neptune.TrainingJobs,
            stages("transform", Progression("transform", to=S.RUNNING)),
            "neptune: STAGES['transform']: <Status.RUNNING: 'RUNNING'> is not a status of the "
            "service's enums",
        ),
        (
            neptune.TrainingJobs,
            {"DRAWS": frozenset({"stpo"})},
            "neptune: DRAWS: 'stpo' is not a latency setting; did you mean 'stop'?",
        ),
        (
            sagemaker.Pipelines,
            {"DRAWS": frozenset({"orchestration", "provisoning", "stop"})},
            "sagemaker: DRAWS: 'provisoning' is not a latency setting; did you mean "
            "'provisioning'?",
        ),
    ],
    ids=["stage probability", "stage latency", "stage end", "stage status", "draw", "draws"],
)
def test_a_misnamed_draw_of_a_process_is_an_error_at_definition(
    service: type, attributes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ServiceDefinitionError) as raised:
        type("Changed", (service,), attributes)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("service", "drawn"),
    [
        (rekognition.ProjectVersions, {"training", "copying", "start", "stop"}),
        (neptune.TrainingJobs, {"clean", "processing", "training", "transform", "stop"}),
        (sagemaker.Pipelines, {"orchestration", "provisioning", "stop"}),
    ],
)
def test_what_a_service_may_draw_is_what_it_declares(service: Any, drawn: set[str]) -> None:
    assert service._drawn == drawn


def test_a_latency_drawn_without_being_declared_is_refused_by_name() -> None:
    """A process that draws a latency by a name its class does not declare fails at that
    draw, naming it, instead of drawing a name registration never checked."""
    jobs = neptune.TrainingJobs(Simulation(Streams(0, 0)), neptune.Settings())
    assert jobs._latency("stop") is not None
    with pytest.raises(ServiceDefinitionError) as raised:
        jobs._latency("maintenance")
    assert str(raised.value) == (
        "neptune: draws the latency 'maintenance', which neither its PROGRESSIONS, STAGES nor "
        "DRAWS declare"
    )
