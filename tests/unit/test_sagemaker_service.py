"""SageMaker Pipelines in tiny simulations with fixed latencies: exact times, dollars.

Every step waits a fixed 2 s of orchestration once its dependencies are met, a Training or
Processing job 60 s of provisioning (Starting, not billed) and 30 s to stop. Every attempt
crosses a fixed network of 0.2 s round trip: a request sent at t reaches the service at
t + 0.1 and its answer is back at t + 0.2. Dollars are worked out here from the list
prices, not read from the settings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest

from simulator.build import Model, build
from simulator.engine.lifecycle import IllegalTransition
from simulator.errors import ScenarioError
from simulator.runner import simulate
from simulator.services import sagemaker
from simulator.services.sagemaker import Pipelines
from tests.kit import Move, Service, build_model, run, scenario, usd

PIPELINE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p"
PREFIX = f"{PIPELINE_ARN}/"
EXECUTION = f"{PREFIX}execution/0"
ARN = "PipelineExecutionArn"
TOKEN = "0123456789abcdef" * 2  # a ClientRequestToken of the shortest valid length, 32
STOP = "StopPipelineExecution"
DESCRIBE = "DescribePipelineExecution"
LIST = "ListPipelineExecutionSteps"
SUCCESS = "SendPipelineExecutionStepSuccess"
FAILURE = "SendPipelineExecutionStepFailure"

INSTANCE_USD_PER_S = 0.23 / 3600  # ml.m5.xlarge, per instance-second
LAMBDA_USD_PER_GB_S = 0.0000166667
LAMBDA_USD_PER_REQUEST = 0.20 / 1e6
SQS_USD_PER_MESSAGE = 3 * 0.40 / 1e6  # send, receive, delete

BASE = """
name: unit
horizon: 2h
services:
  sagemaker:
    latency:
      orchestration: {kind: fixed, value: 2}
      provisioning: {kind: fixed, value: 60}
      stop: {kind: fixed, value: 30}
SERVICE
callers:
  default:
    network: {kind: fixed, value: 0.2}
    waiter: {delay: 30s}
fleet:
  - service: sagemaker
    pipeline: p
    count: COUNT
FLEET
    steps:
"""
CONSUMER = "consumers:\n  q: {receive: {kind: fixed, value: 5}, handle: 1h, handle_stop: 30}\n"
"""A consumer that takes 5 s to get a message, an hour on the work, 30 s to clean up."""
SILENT = "consumers:\n  q: {never_answers: 1}\n"
STOP_AT_10M = "requests: [{service: sagemaker, at: 10m}]\n"


def pipeline(
    *steps: str, rest: str = "", service: str = "", fleet: str = "", count: int = 1
) -> str:
    """The scenario of `count` executions of `steps` (YAML flow mappings), then `rest`
    (top-level blocks: requests, consumers); `service` and `fleet` add settings to those
    blocks."""
    text = BASE.replace("COUNT", str(count))
    text = text.replace("SERVICE\n", "".join(f"    {line}\n" for line in service.splitlines()))
    text = text.replace("FLEET\n", "".join(f"    {line}\n" for line in fleet.splitlines()))
    return text + "".join(f"      - {step}\n" for step in steps) + rest


SAGEMAKER = Service("sagemaker", stop=STOP, prefix=PREFIX)
"""Resource ids read after the pipeline's ARN: `execution/0`, `execution/0/step`."""
_run, _usd = run, usd
_moves, _assert_moves = SAGEMAKER.moves, SAGEMAKER.assert_moves
Moves = list[Move]


def _stop(tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    stops = tables["stops"]
    assert len(stops) == 1  # one stop request in these scenarios
    return stops.iloc[0]


def _check_stop(
    tables: Mapping[str, pd.DataFrame], outcome: str, at: float | None, requested: float = 600.0
) -> None:
    stop = _stop(tables)
    assert stop["accepted"]
    assert stop["requested_at"] == requested
    assert stop["outcome"] == outcome
    if at is None:
        assert math.isnan(stop["terminal_at"])
    else:
        assert stop["terminal_at"] == pytest.approx(at, abs=1e-9)
        assert stop["stop_latency_s"] == pytest.approx(at - requested, abs=1e-9)


STARTED = [(0.0, "execution/0", "Executing")]


# -- the stop, per running step: Training and Processing jobs -----------------------------


@pytest.mark.parametrize("kind", ["Training", "Processing"])
def test_a_running_job_is_stopped_and_billed_until_stopped(kind: str) -> None:
    tables = _run(
        pipeline(f"{{name: job, type: {kind}, duration: 1h, instance_count: 2}}", rest=STOP_AT_10M)
    )
    _assert_moves(
        tables,
        [
            *STARTED,
            (2.0, "execution/0/job", "Starting"),
            (62.0, "execution/0/job", "Executing"),
            (600.1, "execution/0", "Stopping"),
            (600.1, "execution/0/job", "Stopping"),
            (630.1, "execution/0/job", "Stopped"),  # the 30 s stop latency
            (630.1, "execution/0", "Stopped"),
        ],
    )
    assert _usd(tables, "ml.m5.xlarge") == pytest.approx(
        2 * (630.1 - 62) * INSTANCE_USD_PER_S, rel=1e-12
    )
    assert tables["costs"]["status"].astype(str).tolist() == ["Executing", "Stopping"]
    _check_stop(tables, "Stopped", 630.1)
    stop = _stop(tables)
    assert stop["cost_after_request_usd"] == pytest.approx(2 * 30.1 * INSTANCE_USD_PER_S, rel=1e-12)
    # the waiter polls at 600.2 (Stopping) and 630.4, whose answer is back at 630.6
    assert stop["observed_at"] == pytest.approx(630.6, abs=1e-9)
    # unstopped, the job would have run its hour
    assert _usd(tables, "ml.m5.xlarge", "baseline_costs") == pytest.approx(
        2 * 3600 * INSTANCE_USD_PER_S, rel=1e-12
    )


def test_a_job_still_starting_is_stopped_at_once_and_never_billed() -> None:
    text = pipeline(
        "{name: job, type: Training, duration: 1h}", rest="requests: [{service: sagemaker, at: 30}]"
    )
    tables = _run(text)
    _assert_moves(
        tables,
        [
            *STARTED,
            (2.0, "execution/0/job", "Starting"),
            (30.1, "execution/0", "Stopping"),
            (30.1, "execution/0/job", "Stopped"),
            (30.1, "execution/0", "Stopped"),
        ],  # and nothing at 62 s, when its instances would have come up
    )
    assert tables["costs"].empty
    _check_stop(tables, "Stopped", 30.1, requested=30.0)


# -- Lambda steps ----------------------------------------------------------------------------

LAMBDA_STARTED = [
    *STARTED,
    (2.0, "execution/0/fn", "Starting"),
    (2.0, "execution/0/fn", "Executing"),
    (2.0, "execution/0/fn/function", "Running"),
    (60.1, "execution/0", "Stopping"),
]


@pytest.mark.parametrize(
    ("duration", "ends", "outcome", "at"),
    [
        pytest.param(
            100.0,
            [
                (102.0, "execution/0/fn/function", "Finished"),
                (102.0, "execution/0/fn", "Succeeded"),
                (102.0, "execution/0", "Stopped"),
            ],
            "Stopped",
            102.0,
            id="function-ends-first",
        ),
        pytest.param(
            300.0,
            [
                (122.0, "execution/0/fn", "Failed"),  # the default 120 s step timeout
                (122.0, "execution/0", "Failed"),
                (302.0, "execution/0/fn/function", "Finished"),  # it could not be stopped
            ],
            "Failed",
            122.0,
            id="timeout-first",
        ),
    ],
)
def test_a_running_lambda_is_waited_for(
    duration: float, ends: Moves, outcome: str, at: float
) -> None:
    text = pipeline(
        f"{{name: fn, type: Lambda, duration: {duration}, memory_mb: 2048}}",
        rest="requests: [{service: sagemaker, at: 60}]",
    )
    tables = _run(text)
    _assert_moves(tables, [*LAMBDA_STARTED, *ends])
    _check_stop(tables, outcome, at, requested=60.0)
    # the function bills its whole run, however the step ended
    assert _usd(tables, "lambda") == pytest.approx(2 * duration * LAMBDA_USD_PER_GB_S, rel=1e-12)
    assert _usd(tables, "lambda_requests") == pytest.approx(LAMBDA_USD_PER_REQUEST, rel=1e-12)
    assert tables["costs"]["item"].astype(str).tolist() == ["lambda", "lambda_requests"]


# -- Callback steps --------------------------------------------------------------------------

CALLBACK = "{name: cb, type: Callback, queue: q, arguments: {model: m-1}}"
CALLBACK_STARTED = [
    *STARTED,
    (2.0, "execution/0/cb", "Starting"),
    (2.0, "execution/0/cb", "Executing"),
    (2.0, "execution/0/cb/message-1", "Sent"),
    (600.1, "execution/0", "Stopping"),
    (600.1, "execution/0/cb/message-2", "Sent"),  # "status": "Stopping"
]


def test_a_running_callback_blocks_the_stop_until_the_consumer_answers() -> None:
    tables = _run(pipeline(CALLBACK, rest=CONSUMER + STOP_AT_10M))
    _assert_moves(
        tables,
        [
            *CALLBACK_STARTED,
            # received 5 s after it was sent, cleaned up in 30 s, the answer's 0.1 s trip
            (635.2, "execution/0/cb", "Succeeded"),
            (635.2, "execution/0", "Stopped"),
        ],
    )
    _check_stop(tables, "Stopped", 635.2)
    calls = tables["calls"]
    answers = calls[calls["operation"].astype(str) == SUCCESS]
    assert answers["time"].iloc[0] == pytest.approx(635.1, abs=1e-9)
    assert answers["http_status"].iloc[0] == 200
    assert _usd(tables, "sqs") == pytest.approx(2 * SQS_USD_PER_MESSAGE, rel=1e-12)
    assert set(tables["costs"]["item"].astype(str)) == {"sqs"}  # the orchestration is free


def test_the_consumer_is_sent_the_message_then_one_saying_stopping() -> None:
    model = build(scenario(pipeline(CALLBACK, rest=CONSUMER + STOP_AT_10M)), 0, 0)
    received: list[Mapping[str, Any]] = []
    service = model.services["sagemaker"]
    assert isinstance(service, Pipelines)
    service.subscribe("q", received.append)  # beside the scenario's consumer
    model.sim.env.run(until=601)
    first, stopping = received
    assert set(first) == {"token", "pipelineExecutionArn", "arguments"}
    assert re.fullmatch(r"[A-Za-z0-9]{10}", first["token"])
    assert first["pipelineExecutionArn"] == EXECUTION
    assert first["arguments"] == {"model": "m-1"}
    assert stopping == {**first, "status": "Stopping"}
    steps = _handle(model, LIST, {ARN: EXECUTION})["PipelineExecutionSteps"]
    assert steps[0]["Metadata"]["Callback"]["CallbackToken"] == first["token"]


def _callback_token(model: Model, arn: str = EXECUTION) -> str:
    (step,) = [
        s
        for s in _handle(model, LIST, {ARN: arn})["PipelineExecutionSteps"]
        if "Callback" in s.get("Metadata", {})
    ]
    token: str = step["Metadata"]["Callback"]["CallbackToken"]
    return token


@pytest.mark.parametrize(("operation", "step"), [(SUCCESS, "Succeeded"), (FAILURE, "Failed")])
def test_an_answer_sent_by_hand_ends_the_stop(operation: str, step: str) -> None:
    """Either answer lets the execution stop: Stopped, not Failed (DOC)."""
    model = _model(pipeline(CALLBACK, rest=SILENT), until=600)
    assert _handle(model, STOP, {ARN: EXECUTION, "ClientRequestToken": TOKEN}) == {ARN: EXECUTION}
    model.sim.env.run(until=5000)
    assert _status(model) == "Stopping"  # an hour later: the consumer never answered
    token = _callback_token(model)
    assert _handle(model, operation, {"CallbackToken": token}) == {ARN: EXECUTION}
    assert (_status(model), _status(model, "cb")) == ("Stopped", step)
    assert _last_move(model) == (5000.0, "execution/0", "Stopped")


def test_a_consumer_that_never_answers_leaves_the_execution_stuck() -> None:
    callback = CALLBACK.replace("}}", "}, instance_type: ml.m5.xlarge}")
    tables = _run(pipeline(callback, rest=SILENT + STOP_AT_10M))
    _assert_moves(tables, CALLBACK_STARTED)  # Stopping at the 2 h horizon
    _check_stop(tables, "stuck", None)
    # the consumer's own work bills to the horizon
    assert _usd(tables, "ml.m5.xlarge") == pytest.approx((7200 - 2) * INSTANCE_USD_PER_S, rel=1e-12)
    assert _usd(tables, "sqs") == pytest.approx(2 * SQS_USD_PER_MESSAGE, rel=1e-12)


def test_callback_stop_wait_fails_the_step_and_the_execution() -> None:
    tables = _run(pipeline(CALLBACK, rest=SILENT + STOP_AT_10M, service="callback_stop_wait: 5m"))
    _assert_moves(
        tables,
        [
            *CALLBACK_STARTED,
            (900.1, "execution/0/cb", "Failed"),
            (900.1, "execution/0", "Failed"),
        ],
    )
    _check_stop(tables, "Failed", 900.1)


def test_callback_stop_wait_does_not_fail_an_execution_that_is_not_stopped() -> None:
    tables = _run(pipeline(CALLBACK, rest=SILENT, service="callback_stop_wait: 5m"))
    _assert_moves(tables, CALLBACK_STARTED[:4])


def test_a_consumer_whose_work_fails_fails_the_execution() -> None:
    consumer = CONSUMER.replace("handle_stop: 30}", "handle_stop: 30, failure: 1}")
    tables = _run(pipeline(CALLBACK, rest=consumer))
    _assert_moves(
        tables,
        [
            *CALLBACK_STARTED[:4],
            (3607.1, "execution/0/cb", "Failed"),  # 2 s + 5 s + 1 h + the 0.1 s trip
            (3607.1, "execution/0", "Failed"),
        ],
    )
    calls = tables["calls"]
    assert calls["operation"].astype(str).tolist() == [FAILURE]


# -- plain steps, and a stop with no step running ------------------------------------------


def test_a_running_plain_step_is_stopped_at_once() -> None:
    tables = _run(pipeline("{name: plain, type: Plain, duration: 1h}", rest=STOP_AT_10M))
    _assert_moves(
        tables,
        [
            *STARTED,
            (2.0, "execution/0/plain", "Starting"),
            (2.0, "execution/0/plain", "Executing"),
            (600.1, "execution/0", "Stopping"),
            (600.1, "execution/0/plain", "Stopped"),
            (600.1, "execution/0", "Stopped"),
        ],
    )
    _check_stop(tables, "Stopped", 600.1)


FIRST_STEP_DONE = [
    (2.0, "execution/0/a", "Starting"),
    (2.0, "execution/0/a", "Executing"),
    (12.0, "execution/0/a", "Succeeded"),
]


@pytest.mark.parametrize(
    ("at", "before"),
    [
        pytest.param(0.5, [], id="before-the-first-step"),
        pytest.param(12.9, FIRST_STEP_DONE, id="between-steps"),  # b was due at 14 s
    ],
)
def test_a_stop_in_the_orchestration_gap_stops_at_once(at: float, before: Moves) -> None:
    text = pipeline(
        "{name: a, type: Plain, duration: 10}",
        "{name: b, type: Plain, duration: 10, depends_on: [a]}",
        rest=f"requests: [{{service: sagemaker, at: {at}}}]",
    )
    tables = _run(text)
    stopped = at + 0.1
    _assert_moves(
        tables,
        [
            *STARTED,
            *before,
            (stopped, "execution/0", "Stopping"),
            (stopped, "execution/0", "Stopped"),
        ],  # and the next step never starts
    )
    _check_stop(tables, "Stopped", stopped, requested=at)


# -- steps in parallel -------------------------------------------------------------------------

PARALLEL_STARTED = [
    *STARTED,
    (2.0, "execution/0/job", "Starting"),
    (2.0, "execution/0/fn", "Starting"),
    (2.0, "execution/0/fn", "Executing"),
    (2.0, "execution/0/fn/function", "Running"),
    (62.0, "execution/0/job", "Executing"),
    (200.1, "execution/0", "Stopping"),
    (200.1, "execution/0/job", "Stopping"),
]


@pytest.mark.parametrize(
    ("duration", "ends", "at"),
    [
        pytest.param(
            300.0,
            [
                (230.1, "execution/0/job", "Stopped"),
                (302.0, "execution/0/fn/function", "Finished"),
                (302.0, "execution/0/fn", "Succeeded"),
                (302.0, "execution/0", "Stopped"),
            ],
            302.0,
            id="the-lambda-ends-last",
        ),
        pytest.param(
            220.0,
            [
                (222.0, "execution/0/fn/function", "Finished"),
                (222.0, "execution/0/fn", "Succeeded"),
                (230.1, "execution/0/job", "Stopped"),
                (230.1, "execution/0", "Stopped"),
            ],
            230.1,
            id="the-job-ends-last",
        ),
    ],
)
def test_a_stop_of_parallel_steps_ends_when_the_last_ends(
    duration: float, ends: Moves, at: float
) -> None:
    text = pipeline(
        "{name: job, type: Training, duration: 10m}",
        f"{{name: fn, type: Lambda, duration: {duration}, timeout: 10m}}",
        rest="requests: [{service: sagemaker, at: 200}]",
    )
    tables = _run(text)
    _assert_moves(tables, [*PARALLEL_STARTED, *ends])
    _check_stop(tables, "Stopped", at, requested=200.0)
    assert _usd(tables, "ml.m5.xlarge") == pytest.approx(
        (230.1 - 62) * INSTANCE_USD_PER_S, rel=1e-12
    )
    assert _usd(tables, "lambda") == pytest.approx(duration * LAMBDA_USD_PER_GB_S, rel=1e-12)


@pytest.mark.parametrize(
    ("limit", "b_starts", "ends"),
    [(50, 2.0, 22.0), (1, 14.0, 34.0)],  # with one at a time, b waits for a, then 2 s more
)
def test_max_parallel_steps_serialises_ready_steps(
    limit: int, b_starts: float, ends: float
) -> None:
    text = pipeline(
        "{name: a, type: Plain, duration: 10}",
        "{name: b, type: Plain, duration: 20}",
        fleet=f"max_parallel_steps: {limit}",
    )
    moves = _moves(_run(text))
    starts = {r: t for t, r, s in moves if s == "Starting"}
    assert starts == {"execution/0/a": 2.0, "execution/0/b": b_starts}
    assert moves[-1][1:] == ("execution/0", "Succeeded")
    assert moves[-1][0] == pytest.approx(ends, abs=1e-9)


# -- stops straight to the control plane: idempotency, statuses -----------------------------

JOB = "{name: job, type: Training, duration: 1h}"


_model, _handle, _error, _log = build_model, SAGEMAKER.handle, SAGEMAKER.error, SAGEMAKER.log


def _status(model: Model, part: str = "", execution: int = 0) -> str:
    """The last status entered by execution `execution`, or by its step `part`."""
    return SAGEMAKER.status(model, f"execution/{execution}" + (f"/{part}" if part else ""))


def _last_move(model: Model) -> tuple[float, str, str]:
    return _log(model)[-1]


def test_a_replayed_stop_answers_as_the_first_and_moves_nothing() -> None:
    model = _model(pipeline(JOB), until=600)
    stop = {ARN: EXECUTION, "ClientRequestToken": TOKEN}
    first = _handle(model, STOP, stop)
    moves = len(_log(model))
    model.sim.env.run(until=610)
    assert _handle(model, STOP, stop) == first == {ARN: EXECUTION}
    assert len(_log(model)) == moves
    model.sim.env.run(until=700)
    assert _status(model) == "Stopped"
    assert _last_move(model) == (630.0, "execution/0", "Stopped")  # 30 s after the first
    assert _handle(model, STOP, stop) == first  # not a ConflictException: a replay
    assert [s for _, r, s in _log(model) if r == "execution/0"].count("Stopping") == 1


def test_a_token_used_for_another_execution_is_a_conflict() -> None:
    model = _model(pipeline(JOB, count=2), until=600)
    _handle(model, STOP, {ARN: EXECUTION, "ClientRequestToken": TOKEN})
    other = {ARN: f"{PREFIX}execution/1", "ClientRequestToken": TOKEN}
    assert _error(model, STOP, other) == ("ConflictException", 400)
    assert _status(model, execution=1) == "Executing"


def test_a_stop_of_a_stopping_execution_with_a_new_token_answers_200_again() -> None:
    model = _model(pipeline(JOB), until=600)
    _handle(model, STOP, {ARN: EXECUTION, "ClientRequestToken": TOKEN})
    model.sim.env.run(until=610)
    again = {ARN: EXECUTION, "ClientRequestToken": "x" * 128}
    assert _handle(model, STOP, again) == {ARN: EXECUTION}
    model.sim.env.run(until=700)
    assert _last_move(model) == (630.0, "execution/0", "Stopped")  # not restarted at 610 s


@pytest.mark.parametrize(
    ("step", "status"),
    [
        ("{name: job, type: Training, duration: 10}", "Succeeded"),
        ("{name: job, type: Training, duration: 10, failure: 1}", "Failed"),
        (JOB, "Stopped"),  # stopped at 600 s, below
    ],
)
def test_a_stop_of_an_ended_execution_is_a_conflict(step: str, status: str) -> None:
    model = _model(pipeline(step), until=600)
    if status == "Stopped":
        _handle(model, STOP, {ARN: EXECUTION, "ClientRequestToken": "y" * 32})
        model.sim.env.run(until=700)
    assert _status(model) == status
    moves = len(_log(model))
    assert _error(model, STOP, {ARN: EXECUTION, "ClientRequestToken": TOKEN}) == (
        "ConflictException",
        400,
    )
    assert len(_log(model)) == moves


def test_a_stop_of_an_unknown_execution_is_resource_not_found() -> None:
    model = _model(pipeline(JOB), until=600)
    for arn in (f"{PREFIX}execution/1", f"{PIPELINE_ARN}x/execution/0"):
        assert _error(model, STOP, {ARN: arn, "ClientRequestToken": TOKEN}) == (
            "ResourceNotFound",
            400,
        )
        assert _error(model, DESCRIBE, {ARN: arn}) == ("ResourceNotFound", 400)


def test_a_replay_in_a_simulation_is_answered_200_and_stops_once() -> None:
    stop = (
        f"{{service: sagemaker, at: AT, wait: false, parameters: {{ClientRequestToken: {TOKEN}}}}}"
    )
    rest = f"requests:\n  - {stop.replace('AT', '10m')}\n  - {stop.replace('AT', '11m')}\n"
    tables = _run(pipeline(JOB, rest=rest))
    calls = tables["calls"]
    assert calls["http_status"].tolist() == [200, 200]
    stopping = [t for t, r, s in _moves(tables) if s == "Stopping"]
    assert stopping == pytest.approx([600.1, 600.1])  # the execution and its job, once
    assert tables["stops"]["outcome"].astype(str).tolist() == ["Stopped", "Stopped"]


# -- validation ------------------------------------------------------------------------------

VALID_STOP = {ARN: EXECUTION, "ClientRequestToken": TOKEN}
LONG_ARN = EXECUTION + "0" * (2049 - len(EXECUTION))  # the pattern allows it; the length not


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        pytest.param(STOP, {ARN: EXECUTION}, id="stop-no-token"),
        pytest.param(STOP, {**VALID_STOP, "ClientRequestToken": "t" * 31}, id="stop-token-31"),
        pytest.param(STOP, {**VALID_STOP, "ClientRequestToken": "t" * 129}, id="stop-token-129"),
        pytest.param(STOP, {"ClientRequestToken": TOKEN}, id="stop-no-arn"),
        pytest.param(STOP, {**VALID_STOP, ARN: PIPELINE_ARN}, id="stop-pipeline-arn"),
        pytest.param(
            STOP,
            {**VALID_STOP, ARN: EXECUTION.replace(":sagemaker:", ":lambda:")},
            id="stop-other-service",
        ),
        pytest.param(STOP, {**VALID_STOP, ARN: LONG_ARN}, id="stop-arn-2049"),
        pytest.param(STOP, {**VALID_STOP, "Force": True}, id="stop-unknown-member"),
        pytest.param(DESCRIBE, {ARN: EXECUTION + "\n"}, id="describe-newline"),
        pytest.param(LIST, {}, id="list-no-arn"),
        pytest.param(LIST, {ARN: EXECUTION, "MaxResults": 0}, id="list-max-0"),
        pytest.param(LIST, {ARN: EXECUTION, "MaxResults": 101}, id="list-max-101"),
        pytest.param(LIST, {ARN: EXECUTION, "MaxResults": "2"}, id="list-max-string"),
        pytest.param(LIST, {ARN: EXECUTION, "SortOrder": "ascending"}, id="list-sort"),
        pytest.param(LIST, {ARN: EXECUTION, "NextToken": "x"}, id="list-next-token"),
        pytest.param(LIST, {ARN: EXECUTION, "NextToken": "99"}, id="list-next-token-past"),
    ],
)
def test_a_bad_request_is_a_validation_exception(operation: str, params: dict[str, Any]) -> None:
    model = _model(pipeline(JOB), until=600)
    assert _error(model, operation, params) == ("ValidationException", 400)
    assert _status(model) == "Executing"


BAD_OUTPUTS = [
    pytest.param([{"Name": "a"}], id="no-value"),
    pytest.param([{"Value": "b"}], id="no-name"),
    pytest.param([{"Name": "a", "Value": "b", "Type": "String"}], id="extra-key"),
    pytest.param([{"Name": "n" * 257, "Value": "v"}], id="name-257"),
    pytest.param([{"Name": "n", "Value": "v" * 1025}], id="value-1025"),
    pytest.param([{"Name": "n", "Value": 1}], id="value-int"),
    pytest.param(["n=v"], id="not-an-object"),
    pytest.param([{"Name": f"n{i}", "Value": "v"} for i in range(51)], id="51-items"),
]


@pytest.mark.parametrize("operation", [SUCCESS, FAILURE])
@pytest.mark.parametrize(
    "token",
    [
        pytest.param("a1b2c3d4e", id="9-chars"),
        pytest.param("a1b2c3d4e5f", id="11-chars"),
        pytest.param("a1b2c-d4e5", id="hyphen"),
        pytest.param(None, id="missing"),
    ],
)
def test_a_bad_callback_token_is_a_validation_exception(operation: str, token: str | None) -> None:
    model = _model(pipeline(CALLBACK, rest=SILENT), until=600)
    params = {} if token is None else {"CallbackToken": token}
    assert _error(model, operation, params) == ("ValidationException", 400)
    assert _status(model, "cb") == "Executing"


@pytest.mark.parametrize(
    ("operation", "extra"),
    [
        *[pytest.param(SUCCESS, {"OutputParameters": p.values[0]}, id=p.id) for p in BAD_OUTPUTS],
        pytest.param(FAILURE, {"FailureReason": "r" * 257}, id="reason-257"),
        pytest.param(SUCCESS, {"ClientRequestToken": "t" * 31}, id="success-token-31"),
        pytest.param(FAILURE, {"ClientRequestToken": "t" * 129}, id="failure-token-129"),
    ],
)
def test_a_bad_answer_is_a_validation_exception(operation: str, extra: dict[str, Any]) -> None:
    model = _model(pipeline(CALLBACK, rest=SILENT), until=600)
    params = {"CallbackToken": _callback_token(model), **extra}
    assert _error(model, operation, params) == ("ValidationException", 400)
    assert _status(model, "cb") == "Executing"


@pytest.mark.parametrize(
    ("operation", "extra"),
    [
        (SUCCESS, {"OutputParameters": [{"Name": "n" * 256, "Value": "v" * 1024}] * 50}),
        (SUCCESS, {"OutputParameters": [], "ClientRequestToken": "t" * 128}),
        (FAILURE, {"FailureReason": "r" * 256, "ClientRequestToken": TOKEN}),
    ],
)
def test_the_longest_valid_answers_are_accepted(operation: str, extra: dict[str, Any]) -> None:
    model = _model(pipeline(CALLBACK, rest=SILENT), until=600)
    params = {"CallbackToken": _callback_token(model), **extra}
    assert _handle(model, operation, params) == {ARN: EXECUTION}


@pytest.mark.parametrize("token", ["t" * 32, "t" * 128])
def test_the_token_lengths_at_the_limits_are_accepted(token: str) -> None:
    model = _model(pipeline(JOB), until=600)
    assert _handle(model, STOP, {ARN: EXECUTION, "ClientRequestToken": token}) == {ARN: EXECUTION}


@pytest.mark.parametrize("operation", [SUCCESS, FAILURE])
def test_an_answer_for_an_ended_step_is_a_conflict(operation: str) -> None:
    model = _model(pipeline(CALLBACK, rest=SILENT), until=600)
    token = _callback_token(model)
    _handle(model, SUCCESS, {"CallbackToken": token})
    assert _status(model) == "Succeeded"
    assert _error(model, operation, {"CallbackToken": token}) == ("ConflictException", 400)
    assert _status(model, "cb") == "Succeeded"


@pytest.mark.parametrize("operation", [SUCCESS, FAILURE])
def test_an_answer_with_an_unknown_token_is_resource_not_found(operation: str) -> None:
    model = _model(pipeline(CALLBACK, rest=SILENT), until=600)
    token = _callback_token(model)
    unknown = token[:-1] + ("B" if token.endswith("A") else "A")
    assert _error(model, operation, {"CallbackToken": unknown}) == ("ResourceNotFound", 400)
    assert _status(model, "cb") == "Executing"


# -- DescribePipelineExecution and ListPipelineExecutionSteps -------------------------------

CHAIN = pipeline(
    "{name: a, type: Plain, duration: 10}",
    "{name: fn, type: Lambda, duration: 10, depends_on: [a]}",
    "{name: train, type: Training, duration: 100, depends_on: [fn]}",
    "{name: proc, type: Processing, duration: 100, depends_on: [train]}",
    "{name: cb, type: Callback, queue: q, depends_on: [proc]}",
    rest=SILENT,
)
# (name, status, started, ended) at 400 s, the latest started first
CHAIN_AT_400 = [
    ("cb", "Executing", 350.0, None),
    ("proc", "Succeeded", 188.0, 348.0),
    ("train", "Succeeded", 26.0, 186.0),
    ("fn", "Succeeded", 14.0, 24.0),
    ("a", "Succeeded", 2.0, 12.0),
]


def _summary(step: Mapping[str, Any]) -> tuple[str, str, float, float | None]:
    assert step["AttemptCount"] == 1
    return step["StepName"], step["StepStatus"], step["StartTime"], step.get("EndTime")


def test_list_reports_each_step_with_its_type_s_metadata() -> None:
    model = _model(CHAIN, until=400)
    steps = _handle(model, LIST, {ARN: EXECUTION})
    assert set(steps) == {"PipelineExecutionSteps"}  # one page: no NextToken
    listed = steps["PipelineExecutionSteps"]
    assert [_summary(s) for s in listed] == CHAIN_AT_400
    metadata = {s["StepName"]: s.get("Metadata") for s in listed}
    assert metadata["a"] is None  # a plain step has none
    assert metadata["fn"] == {
        "Lambda": {"Arn": "arn:aws:lambda:us-east-1:123456789012:function:fn"}
    }
    for name, member, job in (
        ("train", "TrainingJob", "training-job"),
        ("proc", "ProcessingJob", "processing-job"),
    ):
        assert set(metadata[name]) == {member}
        arn = metadata[name][member]["Arn"]
        assert re.fullmatch(
            rf"arn:aws:sagemaker:us-east-1:123456789012:{job}/pipelines-[0-9a-f]+-\w+", arn
        )
    assert metadata["train"] != metadata["proc"]
    callback = metadata["cb"]["Callback"]
    assert set(callback) == {"CallbackToken", "SqsQueueUrl"}
    assert re.fullmatch(r"[A-Za-z0-9]{10}", callback["CallbackToken"])
    assert callback["SqsQueueUrl"] == "https://sqs.us-east-1.amazonaws.com/123456789012/q"


@pytest.mark.parametrize("order", ["Ascending", "Descending"])
@pytest.mark.parametrize("size", [1, 2, 3, 5, 100])
def test_list_pages_with_max_results_and_next_token(order: str, size: int) -> None:
    model = _model(CHAIN, until=400)
    pages, token = [], None
    while True:
        params = {ARN: EXECUTION, "MaxResults": size, "SortOrder": order}
        page = _handle(model, LIST, params if token is None else {**params, "NextToken": token})
        pages.append([s["StepName"] for s in page["PipelineExecutionSteps"]])
        token = page.get("NextToken")
        if token is None:
            break
    names = [name for name, *_ in CHAIN_AT_400]
    expected = names[::-1] if order == "Ascending" else names
    assert pages == [expected[i : i + size] for i in range(0, len(expected), size)]


def test_list_before_any_step_started_is_empty() -> None:
    model = _model(CHAIN, until=1)
    assert _handle(model, LIST, {ARN: EXECUTION}) == {"PipelineExecutionSteps": []}


@pytest.mark.parametrize(
    ("step", "until", "status", "reason"),
    [
        (JOB, 600, "Executing", None),
        ("{name: a, type: Plain, duration: 10, failure: 1}", 600, "Failed", "Step a failed"),
        ("{name: fn, type: Lambda, duration: 300}", 600, "Failed", "Step fn failed (timeout)"),
        ("{name: a, type: Plain, duration: 10}", 600, "Succeeded", None),
    ],
)
def test_describe_reports_the_status_and_why_it_failed(
    step: str, until: float, status: str, reason: str | None
) -> None:
    model = _model(pipeline(step, fleet="max_parallel_steps: 3"), until=until)
    expected = {
        "PipelineArn": PIPELINE_ARN,
        "PipelineExecutionArn": EXECUTION,
        "PipelineExecutionDisplayName": "0",
        "PipelineExecutionStatus": status,
        "ParallelismConfiguration": {"MaxParallelExecutionSteps": 3},
    }
    if reason is not None:
        expected["FailureReason"] = reason
    assert _handle(model, DESCRIBE, {ARN: EXECUTION}) == expected


def test_describe_while_stopping_and_stopped() -> None:
    model = _model(pipeline(JOB), until=600)
    _handle(model, STOP, VALID_STOP)
    statuses = [_handle(model, DESCRIBE, {ARN: EXECUTION})["PipelineExecutionStatus"]]
    model.sim.env.run(until=700)
    statuses.append(_handle(model, DESCRIBE, {ARN: EXECUTION})["PipelineExecutionStatus"])
    assert statuses == ["Stopping", "Stopped"]
    steps = _handle(model, LIST, {ARN: EXECUTION})["PipelineExecutionSteps"]
    assert [_summary(s) for s in steps] == [("job", "Stopped", 2.0, 630.0)]


# -- executions that nobody stops ------------------------------------------------------------


def test_an_execution_whose_steps_succeed_succeeds_and_bills_each_step() -> None:
    tables = _run(
        pipeline(
            "{name: train, type: Training, duration: 100, instance_count: 2}",
            "{name: fn, type: Lambda, duration: 100.0004, memory_mb: 512, depends_on: [train]}",
            "{name: plain, type: Plain, duration: 10, depends_on: [fn]}",
        )
    )
    _assert_moves(
        tables,
        [
            *STARTED,
            (2.0, "execution/0/train", "Starting"),
            (62.0, "execution/0/train", "Executing"),
            (162.0, "execution/0/train", "Succeeded"),
            (164.0, "execution/0/fn", "Starting"),
            (164.0, "execution/0/fn", "Executing"),
            (164.0, "execution/0/fn/function", "Running"),
            (264.0004, "execution/0/fn/function", "Finished"),
            (264.0004, "execution/0/fn", "Succeeded"),
            (266.0004, "execution/0/plain", "Starting"),
            (266.0004, "execution/0/plain", "Executing"),
            (276.0004, "execution/0/plain", "Succeeded"),
            (276.0004, "execution/0", "Succeeded"),
        ],
    )
    assert _usd(tables, "ml.m5.xlarge") == pytest.approx(2 * 100 * INSTANCE_USD_PER_S, rel=1e-12)
    # Lambda bills GB-seconds rounded up to the millisecond: 100.0004 s is 100.001 s
    assert _usd(tables, "lambda") == pytest.approx(0.5 * 100.001 * LAMBDA_USD_PER_GB_S, rel=1e-9)
    assert _usd(tables, "lambda_requests") == pytest.approx(LAMBDA_USD_PER_REQUEST, rel=1e-12)


@pytest.mark.parametrize(
    ("others", "ends"),
    [
        pytest.param(
            ["{name: b, type: Plain, duration: 20}"],
            [(22.0, "execution/0/b", "Succeeded"), (22.0, "execution/0", "Failed")],
            id="plain",
        ),
        pytest.param(
            ["{name: b, type: Training, duration: 100}"],
            [
                (62.0, "execution/0/b", "Executing"),
                (162.0, "execution/0/b", "Succeeded"),
                (162.0, "execution/0", "Failed"),
            ],
            id="job",
        ),
        pytest.param(
            ["{name: b, type: Plain, duration: 20}", "{name: c, type: Plain, depends_on: [b]}"],
            [(22.0, "execution/0/b", "Succeeded"), (22.0, "execution/0", "Failed")],
            id="plain-with-a-dependent",
        ),
    ],
)
def test_a_failed_step_fails_the_execution_once_the_running_steps_end(
    others: list[str], ends: Moves
) -> None:
    tables = _run(pipeline("{name: a, type: Plain, duration: 10, failure: 1}", *others))
    moves = _moves(tables)
    assert (12.0, "execution/0/a", "Failed") in moves
    assert [m for m in moves if m[0] > 12 and m[2] != "Starting"] == ends


def test_a_failed_job_is_billed_until_it_fails() -> None:
    tables = _run(pipeline("{name: job, type: Processing, duration: 100, failure: 1}"))
    assert _moves(tables)[-2:] == [
        (162.0, "execution/0/job", "Failed"),
        (162.0, "execution/0", "Failed"),
    ]
    assert _usd(tables, "ml.m5.xlarge") == pytest.approx(100 * INSTANCE_USD_PER_S, rel=1e-12)


def test_a_lambda_past_its_step_timeout_fails_the_execution_and_runs_on() -> None:
    tables = _run(pipeline("{name: fn, type: Lambda, duration: 300, timeout: 1m}"))
    _assert_moves(
        tables,
        [
            *LAMBDA_STARTED[:4],
            (62.0, "execution/0/fn", "Failed"),
            (62.0, "execution/0", "Failed"),
            (302.0, "execution/0/fn/function", "Finished"),
        ],
    )
    assert _usd(tables, "lambda") == pytest.approx(300 * LAMBDA_USD_PER_GB_S, rel=1e-12)


def test_a_function_that_times_out_ends_its_step() -> None:
    text = pipeline("{name: fn, type: Lambda, duration: 100, function_timeout: 60, timeout: 120}")
    _assert_moves(
        _run(text),
        [
            *LAMBDA_STARTED[:4],
            (62.0, "execution/0/fn/function", "TimedOut"),
            (62.0, "execution/0/fn", "Failed"),
            (62.0, "execution/0", "Failed"),
        ],
    )


@pytest.mark.parametrize(
    ("fleet", "starts"),
    [
        pytest.param("", [0.0, 0.0, 0.0], id="all-at-0"),
        pytest.param("first: 10m", [600.0, 600.0, 600.0], id="all-at-first"),
        pytest.param("every: 30m", [0.0, 1800.0, 3600.0], id="every"),
        pytest.param("first: 10m\nevery: 1h", [600.0, 4200.0, 7800.0], id="both"),
    ],
)
def test_executions_start_at_first_plus_k_every(fleet: str, starts: list[float]) -> None:
    text = pipeline("{name: a, type: Plain, duration: 10}", fleet=fleet, count=3)
    text = text.replace("horizon: 2h", "horizon: 3h")
    moves = _moves(_run(text))
    begun = {r: t for t, r, s in moves if s == "Executing" and r.count("/") == 1}
    assert begun == {f"execution/{k}": at for k, at in enumerate(starts)}
    ended = {r: t for t, r, s in moves if s == "Succeeded" and r.count("/") == 1}
    assert ended == {f"execution/{k}": at + 12 for k, at in enumerate(starts)}


# -- scenario errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "rest", "match"),
    [
        pytest.param(
            ["{name: a, type: Plain, depends_on: [b]}", "{name: b, type: Plain, depends_on: [a]}"],
            "",
            r"fleet\[0\]\.steps: dependencies form a cycle among a, b",
            id="cycle",
        ),
        pytest.param(
            ["{name: a, type: Plain, depends_on: [z]}"],
            "",
            r"fleet\[0\]\.steps\.a\.depends_on: no step 'z'",
            id="unknown-dependency",
        ),
        pytest.param(
            ["{name: a, type: Plain}", "{name: a, type: Lambda, duration: 1}"],
            "",
            r"fleet\[0\]\.steps: two steps are named 'a'",
            id="duplicate-names",
        ),
        pytest.param(
            [CALLBACK], "", r"consumers: no consumer for the callback queue 'q'", id="no-consumer"
        ),
        pytest.param(
            ["{name: a, type: Plain}"],
            SILENT,
            r"consumers\.q: no callback step uses the queue 'q'",
            id="consumer-without-queue",
        ),
        pytest.param(
            ["{name: a, type: Plain}"],
            "  - {service: sagemaker, pipeline: p, count: 1, steps: [{name: a, type: Plain}]}\n",
            r"fleet\[\d\]\.pipeline: 'p' is defined twice",
            id="pipeline-twice",
        ),
        pytest.param(
            ["{name: fn, type: Lambda, duration: 1, timeout: 601}"],
            "",
            r"fleet\[0\]\.steps\[0\]\.timeout: .*less than or equal to 600",
            id="lambda-timeout-over-10-minutes",
        ),
        pytest.param(
            ["{name: job, type: Training, duration: 1, instance_type: ml.c5.large}"],
            "",
            r"fleet\[0\]: no price for 'ml\.c5\.large'",
            id="instance-type-without-price",
        ),
        pytest.param(
            ["{name: 'a b', type: Plain}"], "", r"fleet\[0\]\.steps\[0\]\.name", id="step-name"
        ),
    ],
)
def test_a_wrong_pipeline_is_a_scenario_error_naming_the_field(
    steps: list[str], rest: str, match: str
) -> None:
    with pytest.raises(ScenarioError, match=match):
        scenario(pipeline(*steps, rest=rest))


def test_a_lambda_timeout_of_10_minutes_is_allowed() -> None:
    parsed = scenario(pipeline("{name: fn, type: Lambda, duration: 1, timeout: 10m}"))
    assert parsed.fleet[0].steps[0].timeout == 600.0  # type: ignore[union-attr]


# -- prices per entry ------------------------------------------------------------------------


@pytest.mark.parametrize(("requests", "quantity"), [(None, 3.0), (2, 2.0)])
def test_sqs_bills_the_requests_of_each_message(requests: int | None, quantity: float) -> None:
    setting = "" if requests is None else f"sqs_requests_per_message: {requests}"
    tables = _run(pipeline(CALLBACK, rest=SILENT + STOP_AT_10M, service=setting))
    costs = tables["costs"]
    sqs = costs[costs["item"].astype(str) == "sqs"]
    assert sqs["start"].tolist() == pytest.approx([2.0, 600.1])  # each message as it is sent
    assert sqs["quantity"].tolist() == [quantity, quantity]
    assert sqs["usd"].tolist() == pytest.approx([quantity * 0.40e-6] * 2, rel=1e-12)


def test_a_scenario_price_per_entry_replaces_the_default() -> None:
    price = "prices:\n  sqs: {usd_per_entry: 0.01, statuses: [Sent], kinds: [sqs], per_unit: false}"
    tables = _run(
        pipeline(
            CALLBACK,
            "{name: fn, type: Lambda, duration: 1, memory_mb: 4096}",
            rest=SILENT,
            service=price,
        )
    )
    costs = tables["costs"].set_index(tables["costs"]["item"].astype(str))
    assert costs.loc["sqs", "quantity"] == 1.0  # one message, not three requests
    assert costs.loc["sqs", "usd"] == pytest.approx(0.01, rel=1e-12)
    # a request is one whatever the memory: lambda_requests is not per unit
    assert costs.loc["lambda_requests", "quantity"] == 1.0
    assert costs.loc["lambda", "quantity"] == pytest.approx(4 * 1 / 3600, rel=1e-12)


@pytest.mark.parametrize("rate", ["usd_per_hour: 1", "usd_per_month: 730"])
def test_an_hourly_rate_and_a_price_per_entry_together_are_an_error(rate: str) -> None:
    price = f"prices:\n  sqs: {{{rate}, usd_per_entry: 0.01, statuses: [Sent], kinds: [sqs]}}"
    with pytest.raises(ScenarioError, match=r"services\.sagemaker\.prices\.sqs: .*not both"):
        scenario(pipeline(CALLBACK, rest=SILENT, service=price))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            pipeline(CALLBACK, rest=CONSUMER + STOP_AT_10M),
            SQS_USD_PER_MESSAGE,  # the "Stopping" message
            id="callback-stopped",
        ),
        pytest.param(
            pipeline(
                CALLBACK.replace("}}", "}, instance_type: ml.m5.xlarge}"), rest=SILENT + STOP_AT_10M
            ),
            (7200 - 600) * INSTANCE_USD_PER_S + SQS_USD_PER_MESSAGE,
            id="callback-stuck",
        ),
        pytest.param(
            pipeline(
                "{name: fn, type: Lambda, duration: 100, memory_mb: 2048}",
                rest="requests: [{service: sagemaker, at: 60}]",
            ),
            2 * (102 - 60) * LAMBDA_USD_PER_GB_S,  # the request was billed at 2 s
            id="lambda",
        ),
    ],
)
def test_the_cost_after_a_stop_counts_an_entry_whole_when_it_is_after(
    text: str, expected: float
) -> None:
    assert _stop(_run(text))["cost_after_request_usd"] == pytest.approx(expected, rel=1e-9)


def test_executions_nobody_stops_draw_the_same_with_and_without_the_stops() -> None:
    """Common random numbers: every draw of an execution (step durations, failures, its
    consumer's answers) is made on streams of its own or at its start, so stopping some
    executions shifts nothing for the others. Those cost exactly the same in the run and in
    its counterfactual, where no stop is sent. (The network is fixed: the consumer answers
    a "Stopping" message with the operation it answers a step's work with, and a caller's
    calls to one operation share their network draws.)"""
    text = """\
name: crn
seed: 3
horizon: 1d
fleet:
  - service: sagemaker
    pipeline: p
    count: 30
    every: 20m
    steps:
      - {name: prep, type: Processing, duration: {kind: lognormal, median: 10m, p95: 30m}}
      - {name: check, type: Lambda, depends_on: [prep], duration: {kind: exponential, mean: 60}}
      - {name: cb, type: Callback, depends_on: [check], queue: q, instance_type: ml.m5.xlarge}
      - {name: train, type: Training, depends_on: [cb], failure: 0.2,
         duration: {kind: lognormal, median: 1h, p95: 3h}}
consumers:
  q: {handle: {kind: lognormal, median: 20m, p95: 1h}, never_answers: 0.1, failure: 0.1}
callers:
  default: {network: {kind: fixed, value: 0.05}}
requests:
  - {service: sagemaker, every: 2h, first: 30m, where: {status: [Executing]}, fraction: 0.5}
"""
    tables = simulate(scenario(text), 3, 0)
    stopped = set(tables["stops"]["resource_id"].astype(str))
    assert 0 < len(stopped) < 30

    def unstopped(costs: pd.DataFrame) -> pd.Series:
        owner = costs["resource_id"].astype(str).str.extract(r"^(.*/execution/\d+)")[0]
        kept = costs[~owner.isin(stopped)]
        return kept.groupby(owner[kept.index])["usd"].sum()

    run, counterfactual = unstopped(tables["costs"]), unstopped(tables["baseline_costs"])
    assert len(run) == 30 - len(stopped)
    pd.testing.assert_series_equal(run, counterfactual, rtol=0, atol=0)


def test_each_kind_moves_only_by_its_own_transitions() -> None:
    """Executions and steps share status names, and Executing -> Stopped (a step's) and
    Stopping -> Failed (an execution's) are each one kind's edge: an execution cannot skip
    Stopping, and a step being stopped cannot fail."""
    model = build(scenario(pipeline("{name: fn, type: Lambda, duration: 100}")), 0, 0)
    model.sim.env.run(until=10)
    service = model.services["sagemaker"]
    assert isinstance(service, Pipelines)
    (execution,) = service._executions.values()
    with pytest.raises(IllegalTransition, match="not a declared transition"):
        service.move(execution.resource, sagemaker.PipelineExecutionStatus.Stopped, "test")
    step = execution.runs["fn"].part
    service.move(step, sagemaker.StepStatus.Stopping, "test")  # a step's own edge
    with pytest.raises(IllegalTransition, match="not a declared transition"):
        service.move(step, sagemaker.StepStatus.Failed, "test")
