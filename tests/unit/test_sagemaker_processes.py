"""SageMaker's executions and steps as SimPy processes: the races at one moment, and that
every process ends with what it runs. Fixed latencies (2 s of orchestration), as in
`test_sagemaker_service.py`; exact times."""

from __future__ import annotations

import pytest

from simulator.build import Model
from simulator.services.sagemaker import Pipelines
from tests.kit import Service, build_model, run

SAGEMAKER = Service(
    "sagemaker", "StopPipelineExecution", "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/"
)
EXECUTION = f"{SAGEMAKER.prefix}execution/0"
TOKEN = "t" * 32


def pipeline(*steps: str, service: str = "", rest: str = "") -> str:
    return (
        "name: processes\nhorizon: 2h\nservices:\n  sagemaker:\n"
        "    latency: {orchestration: {kind: fixed, value: 2}, provisioning: {kind: fixed, "
        "value: 60}, stop: {kind: fixed, value: 30}}\n"
        + "".join(f"    {line}\n" for line in service.splitlines())
        + "callers:\n  default: {network: {kind: fixed, value: 0.2}}\n"
        "fleet:\n  - service: sagemaker\n    pipeline: p\n    count: 1\n    steps:\n"
        + "".join(f"      - {step}\n" for step in steps)
        + rest
    )


def _service(built: Model) -> Pipelines:
    service = built.services["sagemaker"]
    assert isinstance(service, Pipelines)
    return service


def test_a_function_ending_as_the_step_times_out_loses_to_the_timeout() -> None:
    """Lambda ends the function at its own limit at the moment the step's timeout comes:
    the step has not heard from the function, so the timeout wins (Failed, timeout)."""
    text = pipeline(
        "{name: fn, type: Lambda, duration: 100, function_timeout: 60, timeout: 60}",
    )
    tables = run(text)
    assert SAGEMAKER.moves(tables)[-3:] == [
        (62.0, "execution/0/fn/function", "TimedOut"),
        (62.0, "execution/0/fn", "Failed"),
        (62.0, "execution/0", "Failed"),
    ]
    causes = tables["transitions"]["cause"].astype(str).tolist()
    assert causes[-2] == "timeout"


def test_an_answer_at_the_moment_of_the_stop_ends_it_once() -> None:
    """The stop interrupts the callback step's wait and the answer comes before the
    interrupt is delivered: the step ends Succeeded by the answer, the execution Stopped,
    and the `callback_stop_wait` never fails it afterwards."""
    built = build_model(
        pipeline(
            "{name: cb, type: Callback, queue: q}",
            service="callback_stop_wait: 5m",
            rest="consumers:\n  q: {never_answers: 1}\n",
        ),
        until=600,
    )
    SAGEMAKER.handle(
        built,
        "StopPipelineExecution",
        {"PipelineExecutionArn": EXECUTION, "ClientRequestToken": TOKEN},
    )
    (step,) = _service(built).callbacks.values()
    SAGEMAKER.handle(built, "SendPipelineExecutionStepSuccess", {"CallbackToken": step.token})
    built.sim.env.run(until=2000)
    assert SAGEMAKER.log(built)[-2:] == [
        (600.0, "execution/0/cb", "Succeeded"),
        (600.0, "execution/0", "Stopped"),
    ]


@pytest.mark.parametrize(
    ("steps", "stop_at"),
    [
        pytest.param(("{name: a, type: Plain, duration: 10}",), None, id="succeeded"),
        pytest.param(("{name: a, type: Training, duration: 1h}",), 100.0, id="job-stopped"),
        pytest.param(
            ("{name: a, type: Training, duration: 1h}", "{name: b, type: Plain, duration: 1h}"),
            1.0,
            id="stopped-in-the-gap",
        ),
        pytest.param(
            (
                "{name: a, type: Plain, duration: 10, failure: 1}",
                "{name: b, type: Plain, depends_on: [a]}",
            ),
            None,
            id="failed",
        ),
        pytest.param(("{name: fn, type: Lambda, duration: 300}",), 100.0, id="lambda-stopped"),
    ],
)
def test_every_process_ends_with_its_execution(
    steps: tuple[str, ...], stop_at: float | None
) -> None:
    """No process is left waiting once its execution has ended: the execution's, each
    step's (interrupted by the stop, or never started after it)."""
    built = build_model(pipeline(*steps), until=stop_at or 0.0)
    if stop_at is not None:
        SAGEMAKER.handle(
            built,
            "StopPipelineExecution",
            {"PipelineExecutionArn": EXECUTION, "ClientRequestToken": TOKEN},
        )
    built.sim.env.run(until=7000)
    (execution,) = _service(built)._executions.values()
    assert execution.resource.status in {"Succeeded", "Stopped", "Failed"}
    assert not execution.process.is_alive
    assert not any(run.process.is_alive for run in execution.runs.values())
