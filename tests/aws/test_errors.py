"""Every error the five services declare (their `ERRORS`) reaches user code as botocore
raises it: a `ClientError` (the model's own exception class where botocore's model names
the error) with the code and the HTTP status the service declares.

Two ways: each error provoked as a caller would provoke it (a bad member, an unknown id, a
throttle, an injected fault, a caller the policy denies, a reused token, a resource in the
wrong status), and every declared error raised by the operation itself (its handler patched
to raise it), which also covers the errors botocore's models declare and the simulator never
raises (no quota is modelled). `test_every_declared_error_is_provoked_or_listed` fails when a
service declares an error neither provokes.

The provoked errors are listed in `_provoked.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from simulator.api.errors import ErrorSpec
from simulator.services import SERVICES
from simulator.services.base import snake_case
from tests.aws import _kit
from tests.aws._kit import PROJECT_ARN, classifier_arn, execution_arn
from tests.aws._provoked import (
    CLIENT_NAME,
    NEVER_RAISED,
    PROVOKED,
    Provoked,
    client_once,
    exception_class,
    raised,
)


def _ids(case: Provoked) -> str:
    return f"{case.service}-{case.code}-{case.how.replace(' ', '_')}"


def test_every_declared_error_is_provoked_or_listed() -> None:
    declared = {(name, s.code) for name, kind in SERVICES.items() for s in kind.ERRORS.all()}
    covered = {(case.service, case.code) for case in PROVOKED} | set(NEVER_RAISED)
    assert sorted(declared - covered) == []
    assert sorted(covered - declared) == []
    assert not {(case.service, case.code) for case in PROVOKED} & set(NEVER_RAISED)


@pytest.mark.parametrize("case", PROVOKED, ids=_ids)
def test_a_provoked_error_reaches_boto3_as_declared(case: Provoked) -> None:
    settings = _kit.scenario(**{case.service: case.settings})
    ran = _kit.in_simulation(
        lambda: raised(lambda: case.call(client_once(case.service))),
        scenario=settings,
        caller=case.caller,
    )
    spec = case.spec()
    assert ran.value == (spec.code, spec.http_status, exception_class(case.service, spec.code))
    last = ran.tables["calls"].iloc[-1]
    assert (last["error_code"], last["http_status"], last["attempt"]) == (
        spec.code,
        spec.http_status,
        1,
    )


def _raising(specs: Iterator[ErrorSpec]) -> Callable[..., Any]:
    def handler(self: Any, params: Any) -> Any:
        spec = next(specs)
        raise spec(f"{spec.code}, raised by the test")

    return handler


@pytest.mark.parametrize("service", sorted(SERVICES), ids=lambda s: CLIENT_NAME[s])
def test_every_declared_error_reaches_boto3_as_declared(
    monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    """The stop's describe raises each declared error in turn (services are interpreted in
    either build, so patching their class takes)."""
    kind = SERVICES[service]
    specs = kind.ERRORS.all()
    describe = kind.STOP.describe
    monkeypatch.setattr(kind, snake_case(describe), _raising(iter(specs)))
    params = {
        "rekognition": {"ProjectArn": PROJECT_ARN},
        "lookoutvision": {"ProjectName": "inspection", "ModelVersion": "1"},
        "comprehend": {"DocumentClassifierArn": classifier_arn(0)},
        "sagemaker": {"PipelineExecutionArn": execution_arn(0)},
        "neptune": {"id": "job-0"},
    }[service]

    def body() -> list[Any]:
        client = client_once(service)
        call = getattr(client, snake_case(describe))
        return [raised(lambda: call(**params)) for _ in specs]

    ran = _kit.in_simulation(body)
    expected = [(s.code, s.http_status, exception_class(service, s.code)) for s in specs]
    assert ran.value == expected
    calls = ran.tables["calls"]
    assert list(zip(calls["error_code"], calls["http_status"], strict=True)) == [
        (s.code, s.http_status) for s in specs
    ]


def test_a_request_naming_an_execution_before_it_starts() -> None:
    """The execution's id was named before it existed: its rows and the execution's share
    one resource in the tables (the id was once registered twice and the tables failed)."""

    def body() -> Any:
        sagemaker = client_once("sagemaker")
        error = raised(
            lambda: sagemaker.describe_pipeline_execution(PipelineExecutionArn=execution_arn(1))
        )
        time.sleep(700)  # execution 1 starts at 600 s
        return error

    ran = _kit.in_simulation(body)
    assert ran.value == ("ResourceNotFound", 400, "ResourceNotFound")
    calls, moves = ran.tables["calls"], ran.tables["transitions"]
    assert list(calls["resource_id"].astype(str)) == [execution_arn(1)]
    started = moves[moves["resource_id"].astype(str) == execution_arn(1)]
    assert list(zip(started["time"], started["to_status"].astype(str), strict=True)) == [
        (600.0, "Executing")
    ]
    assert list(calls["resource_id"].cat.categories).count(execution_arn(1)) == 1
