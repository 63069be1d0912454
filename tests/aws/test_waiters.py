"""botocore's own waiters against the simulation: every waiter botocore ships for an
operation the simulator models (Rekognition's two; Comprehend, SageMaker's pipelines,
Lookout for Vision and the Neptune data API have none on theirs) waits in simulated time.

Each test checks when the waiter returned, worked out from the fixed latencies: a poll is
a 0.2 s round trip, and botocore sleeps its `delay` between polls, so poll k of a wait that
starts at s is sent at s + k (delay + 0.2) and sees the status the service has at
+0.1. The waits cover minutes to hours of simulated time; the wall time is bounded (a bound
on a hang, not a timing: a waiter that slept in wall-clock time would take minutes).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import WaiterError

from simulator.aws.account import SERVICES as BOTOCORE_NAMES
from simulator.services import SERVICES
from tests.aws import _kit
from tests.aws._kit import PROJECT_ARN, ROUND_TRIP, client, now, version_arn

TRAINING_PROJECT = f"arn:aws:rekognition:us-east-1:{_kit.ACCOUNT}:project/training/1"
TRAINING = {"service": "rekognition", "count": 1, "project": "training"}
WALL_S = 5.0
"""The wall time a wait may take at most, whatever it covers in simulated time."""


def _waiters() -> dict[str, int]:
    """Every waiter botocore ships for a modelled operation -> its delay."""
    session = botocore.session.get_session()
    found: dict[str, int] = {}
    for name, service in BOTOCORE_NAMES.items():
        if name not in session.get_available_services():
            continue  # Lookout for Vision: botocore no longer ships it (nor its waiters)
        try:
            model = session.get_waiter_model(name)
        except botocore.exceptions.DataNotFoundError:
            continue
        for waiter in model.waiter_names:
            config = model.get_waiter(waiter)
            if config.operation in SERVICES[service].OPERATIONS:
                found[waiter] = config.delay
    return found


def test_every_waiter_on_a_modelled_operation_has_a_test() -> None:
    assert _waiters() == {"ProjectVersionRunning": 30, "ProjectVersionTrainingCompleted": 120}


def _timed(body: Callable[[], Any], settings: dict[str, Any]) -> tuple[Any, int]:
    """What `body` returned inside a simulation of `settings`, and how many polls (describe
    calls) it made; its wall time bounded."""
    began = time.perf_counter()
    ran = _kit.in_simulation(body, scenario=settings)
    wall = time.perf_counter() - began
    assert wall < WALL_S, f"{wall:.1f} s of wall time"
    calls = ran.tables["calls"]
    return ran.value, int((calls["operation"].astype(str) == "DescribeProjectVersions").sum())


def _start_and_wait() -> tuple[float, str]:
    """Start v2 (STARTING at 0.1, the answer back at 0.2) and wait until it runs: when
    the waiter returned, and how."""
    rekognition = client("rekognition")
    rekognition.start_project_version(ProjectVersionArn=version_arn(2), MinInferenceUnits=1)
    assert now() == pytest.approx(ROUND_TRIP)
    try:
        rekognition.get_waiter("project_version_running").wait(
            ProjectArn=PROJECT_ARN, VersionNames=["v2"]
        )
    except WaiterError as error:
        return now(), str(error)
    return now(), "running"


@pytest.mark.parametrize(
    ("start_s", "polls"),
    [
        (300, 11),  # RUNNING at 300.1; poll 10 is sent at 0.2 + 10 x 30.2 = 302.2
        (421, 15),  # RUNNING at 421.1; poll 13 reaches the service at 392.9, poll 14 at 423.1
    ],
)
def test_project_version_running_waits_for_the_start(start_s: float, polls: int) -> None:
    settings = _kit.scenario(rekognition={"latency": {"start": start_s}})
    (ended, outcome), made = _timed(_start_and_wait, settings)
    assert (outcome, made) == ("running", polls)
    assert ended == pytest.approx(0.2 + (polls - 1) * 30.2 + 0.2)


def test_project_version_running_fails_on_failed() -> None:
    settings = _kit.scenario(rekognition={"start_failure": 1.0})
    (ended, outcome), made = _timed(_start_and_wait, settings)
    assert "terminal failure state" in outcome
    assert made == 11  # FAILED at 300.1, as RUNNING would have been
    assert ended == pytest.approx(0.2 + 10 * 30.2 + 0.2)


def test_project_version_running_gives_up_after_40_polls() -> None:
    settings = _kit.scenario(rekognition={"latency": {"start": "2h"}})
    (ended, outcome), made = _timed(_start_and_wait, settings)
    assert "Max attempts exceeded" in outcome
    assert made == 40
    assert ended == pytest.approx(0.2 + 39 * 30.2 + 0.2)  # no sleep after the last poll


def _wait_trained() -> tuple[float, str]:
    waiter = client("rekognition").get_waiter("project_version_training_completed")
    try:
        waiter.wait(ProjectArn=TRAINING_PROJECT, VersionNames=["v0"])
    except WaiterError as error:
        return now(), str(error)
    return now(), "completed"


@pytest.mark.parametrize(
    ("training_s", "polls"),
    [
        (600, 6),  # poll 5 is sent at 5 x 120.2 = 601.0
        (10 * 3600, 301),  # ten hours: poll 299 reaches the service at 35939.9, 300 at 36060.1
    ],
)
def test_project_version_training_completed_waits_for_training(
    training_s: float, polls: int
) -> None:
    settings = _kit.scenario(
        [{**TRAINING, "status": "TRAINING_IN_PROGRESS"}],
        rekognition={"latency": {"training": training_s}},
    )
    (ended, outcome), made = _timed(_wait_trained, settings)
    assert (outcome, made) == ("completed", polls)
    assert ended == pytest.approx((polls - 1) * 120.2 + ROUND_TRIP)


def test_project_version_training_completed_fails_on_training_failed() -> None:
    settings = _kit.scenario(
        [{**TRAINING, "status": "TRAINING_IN_PROGRESS"}],
        rekognition={"latency": {"training": 600}, "training_failure": 1.0},
    )
    (ended, outcome), made = _timed(_wait_trained, settings)
    assert "terminal failure state" in outcome
    assert made == 6
    assert ended == pytest.approx(5 * 120.2 + ROUND_TRIP)
