"""Our SageMaker Pipelines declarations against botocore's sagemaker model and the
StopPipelineExecution API reference page (seed 003).

sagemaker is a JSON-protocol service: botocore has the request members, their constraints,
the two status enums and each operation's error shapes, but no HTTP statuses on those
shapes (the protocol answers 400 for a client error), so the statuses come from the page.
botocore writes a zero minimum length (`min: 0`) and an accept-anything pattern (`.*`) where
the simulator writes nothing: both say nothing about a value, and are compared as absent.
The responses we build are walked against botocore's output shapes too.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from typing import Any

import botocore.session
import pytest
from botocore.model import OperationModel, ServiceModel, Shape

from simulator.api.errors import AwsError
from simulator.api.plane import Identity
from simulator.api.validation import Param
from simulator.build import Model, build
from simulator.services import sagemaker
from tests.conformance._aws import (
    BOTOCORE_TYPES,
    DENIED,
    declared_statuses,
    error_codes,
    page_errors,
    reference_page,
    service_model,
    unanchored,
    violations,
)
from tests.kit import scenario

OPERATIONS = (
    "StopPipelineExecution",
    "DescribePipelineExecution",
    "ListPipelineExecutionSteps",
    "SendPipelineExecutionStepSuccess",
    "SendPipelineExecutionStepFailure",
    "ListPipelineExecutions",
    "ListPipelines",
)
LISTINGS = ("ListPipelineExecutionSteps", "ListPipelineExecutions", "ListPipelines")
ARN = "PipelineExecutionArn"
JSON_CLIENT_ERROR = 400
"""What a JSON-protocol service answers for an error shape without an httpStatusCode."""
COMMON = {"ValidationException", "ThrottlingException", "InternalFailure", "AccessDeniedException"}
"""The errors every SageMaker operation can answer (the Common Errors page), on no shape."""


def model() -> ServiceModel:
    return service_model("sagemaker")


def operation(name: str) -> OperationModel:
    return model().operation_model(name)


def our_statuses() -> dict[str, int]:
    return declared_statuses(sagemaker.ERRORS)


def page() -> str:
    return reference_page("003_9effe8f4b8843731.txt", "\nStopPipelineExecution\n")


# -- request members ---------------------------------------------------------------------


def botocore_constraints(shape: Shape, member: str) -> tuple[Any, ...]:
    theirs = shape.members[member]
    enum = theirs.metadata.get("enum")
    pattern = theirs.metadata.get("pattern")
    return (
        BOTOCORE_TYPES[theirs.type_name],
        member in shape.required_members,
        theirs.metadata.get("min") or None,  # a zero minimum says nothing
        theirs.metadata.get("max"),
        None if pattern == ".*" else pattern,  # nor does a pattern every value matches
        tuple(enum) if enum else None,
    )


def our_constraints(param: Param) -> tuple[Any, ...]:
    return (
        param.type,
        param.required,
        param.min,
        param.max,
        unanchored(param.pattern),
        param.enum,
    )


@pytest.mark.parametrize("name", OPERATIONS)
def test_declared_members_match_botocore(name: str) -> None:
    shape = operation(name).input_shape
    ours = sagemaker.OPERATIONS[name].params
    assert set(ours) == set(shape.members)
    assert {m: our_constraints(p) for m, p in ours.items()} == {
        m: botocore_constraints(shape, m) for m in ours
    }


def test_the_constraints_spelled_out() -> None:
    """The comparison above as the pages read, so that a failure there reads plainly."""
    stop = sagemaker.OPERATIONS["StopPipelineExecution"].params
    assert (stop["ClientRequestToken"].min, stop["ClientRequestToken"].max) == (32, 128)
    assert stop["ClientRequestToken"].required
    assert stop[ARN].required
    assert stop[ARN].max == 2048
    for name in ("SendPipelineExecutionStepSuccess", "SendPipelineExecutionStepFailure"):
        token = sagemaker.OPERATIONS[name].params["CallbackToken"]
        assert (token.required, token.min, token.max) == (True, 10, 10)
        assert not sagemaker.OPERATIONS[name].params["ClientRequestToken"].required
    listing = sagemaker.OPERATIONS["ListPipelineExecutionSteps"].params
    assert not listing[ARN].required  # botocore: no member of it is required
    assert (listing["MaxResults"].min, listing["MaxResults"].max) == (1, 100)


@pytest.mark.parametrize("name", OPERATIONS)
def test_idempotency_token_member_is_botocores(name: str) -> None:
    """The member botocore fills with a UUID when the caller leaves it out."""
    members = operation(name).input_shape.members
    theirs = [m for m, s in members.items() if s.metadata.get("idempotencyToken")]
    declared = sagemaker.OPERATIONS[name].idempotency_token
    assert theirs == ([] if declared is None else [declared])


@pytest.mark.parametrize("name", OPERATIONS)
def test_iam_action_resource_member_and_success_status(name: str) -> None:
    declared = sagemaker.OPERATIONS[name]
    assert model().signing_name == "sagemaker"
    assert declared.action == f"sagemaker:{name}"
    required = operation(name).input_shape.required_members
    if required:  # the member that names what the request is about
        assert declared.resource_param in required
    else:  # none, or the one member that names a resource
        assert declared.resource_param in {"", *operation(name).input_shape.members}
    assert declared.success_status == operation(name).http.get("responseCode", 200) == 200


FLEET = sagemaker.Fleet.model_validate(
    {"service": "sagemaker", "pipeline": "p", "count": 1, "steps": [{"name": "a", "type": "Plain"}]}
)
FLEET_ARN = f"{FLEET.pipeline_arn()}/execution/0"  # the first execution's, as populate names it
ARN_SAMPLES = [
    pytest.param(FLEET_ARN, True, id="fleet-arn"),
    pytest.param(FLEET_ARN.replace(":aws:", ":aws-cn:"), True, id="aws-cn"),
    pytest.param(FLEET_ARN.replace("us-east-1", ""), True, id="empty-region"),
    pytest.param(FLEET_ARN.replace("/execution/0", "/execution/"), True, id="empty-id"),
    pytest.param(FLEET_ARN.removesuffix("/execution/0"), False, id="pipeline-arn"),
    pytest.param(FLEET_ARN.replace(":sagemaker:", ":lambda:"), False, id="other-service"),
    pytest.param(FLEET_ARN.replace("123456789012", "12345678901"), False, id="11-digit-account"),
    pytest.param(FLEET_ARN.replace(":aws:", ":AWS:"), False, id="upper-partition"),
    pytest.param("x" + FLEET_ARN, False, id="prefixed"),
    pytest.param(FLEET_ARN + "\n", False, id="trailing-newline"),
]


@pytest.mark.parametrize(("arn", "valid"), ARN_SAMPLES)
@pytest.mark.parametrize("name", ["StopPipelineExecution", "DescribePipelineExecution"])
def test_sample_arns_are_judged_as_botocores_pattern_judges_them(
    name: str, arn: str, valid: bool
) -> None:
    """botocore's pattern is matched over the whole value; ours is anchored ECMA-style."""
    ours = sagemaker.OPERATIONS[name].params[ARN]
    theirs = operation(name).input_shape.members[ARN].metadata["pattern"]
    assert (re.fullmatch(theirs, arn) is not None) is valid
    assert ours.accepts(arn) is valid


@pytest.mark.parametrize(
    ("token", "valid"),
    [("a1B2c3D4e5", True), ("a1B2c3D4e", False), ("a1B2c3D4e5f", False), ("a1B2c-D4e5", False)],
)
def test_callback_tokens_are_judged_as_botocore_judges_them(token: str, valid: bool) -> None:
    shape = operation("SendPipelineExecutionStepSuccess").input_shape.members["CallbackToken"]
    theirs = shape.metadata
    fits = theirs["min"] <= len(token) <= theirs["max"]
    assert (fits and re.fullmatch(theirs["pattern"], token) is not None) is valid
    params = sagemaker.OPERATIONS["SendPipelineExecutionStepSuccess"].params
    assert params["CallbackToken"].accepts(token) is valid


# -- statuses ----------------------------------------------------------------------------


def test_execution_status_enum_is_botocores() -> None:
    status = operation("DescribePipelineExecution").output_shape.members["PipelineExecutionStatus"]
    assert status.name == "PipelineExecutionStatus"
    assert [s.value for s in sagemaker.PipelineExecutionStatus] == status.enum


def test_step_status_enum_is_botocores() -> None:
    steps = operation("ListPipelineExecutionSteps").output_shape.members["PipelineExecutionSteps"]
    status = steps.member.members["StepStatus"]
    assert status.name == "StepStatus"
    assert [s.value for s in sagemaker.StepStatus] == status.enum


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_modeled_error_is_declared_with_the_protocols_status(name: str) -> None:
    shapes = operation(name).error_shapes
    assert bool(shapes) is (name != "ListPipelines")  # it declares none but the common ones
    assert all("httpStatusCode" not in s.metadata.get("error", {}) for s in shapes)
    theirs = error_codes(operation(name))
    ours = our_statuses()
    assert {code: ours.get(code) for code in theirs} == dict.fromkeys(theirs, JSON_CLIENT_ERROR)


def test_every_declared_error_is_modeled_or_common() -> None:
    modeled = set().union(*(error_codes(operation(name)) for name in OPERATIONS))
    assert set(our_statuses()) - modeled == COMMON
    assert COMMON.isdisjoint(model().shape_names)  # common errors: no shape of the service


def test_the_page_shows_our_stop() -> None:
    """The page agrees with botocore and with us: members, constraints, errors."""
    text = page()
    params = sagemaker.OPERATIONS["StopPipelineExecution"].params
    section = text.split("\nRequest Parameters\n", 1)[1].split("\nResponse Syntax\n", 1)[0]
    for member, param in params.items():
        block = re.search(rf"(?ms)^{member}\n(.*?)^Required: (Yes|No)$", section)
        assert block is not None, member
        assert (block[2] == "Yes") is param.required
        minimum = re.search(r"Minimum length of (\d+)\.", block[1])
        maximum = re.search(r"Maximum length of (\d+)\.", block[1])
        pattern = re.search(r"(?m)^Pattern: (.*)$", block[1])
        assert (minimum and int(minimum[1]), maximum and int(maximum[1])) == (param.min, param.max)
        assert (pattern and pattern[1]) == param.pattern  # the page's is anchored, as ours
    assert page_errors(text) == {"ConflictException": 400, "ResourceNotFound": 400}
    assert {code: our_statuses()[code] for code in page_errors(text)} == page_errors(text)
    assert set(page_errors(text)) == error_codes(operation("StopPipelineExecution"))


# -- what the control plane raises -------------------------------------------------------

ONE_CALLBACK = """
name: conformance
horizon: 1h
services:
  sagemaker:
    latency: {orchestration: 1}
{extra}
fleet:
  - service: sagemaker
    pipeline: p
    count: 1
    steps: [{name: cb, type: Callback, queue: q}, {name: end, type: Plain, depends_on: [cb]}]
consumers:
  q: {never_answers: 1}
"""
TOKEN = "t" * 32
VALID: dict[str, dict[str, Any]] = {
    "StopPipelineExecution": {ARN: FLEET_ARN, "ClientRequestToken": TOKEN},
    "DescribePipelineExecution": {ARN: FLEET_ARN},
    "ListPipelineExecutionSteps": {ARN: FLEET_ARN},
    "SendPipelineExecutionStepSuccess": {"CallbackToken": "CALLBACK00"},
    "SendPipelineExecutionStepFailure": {"CallbackToken": "CALLBACK00"},
    "ListPipelineExecutions": {"PipelineName": "p"},
    "ListPipelines": {"PipelineNamePrefix": "p"},
}
"""A valid request per operation; the callback token is replaced by the step's."""


def _model(extra: str = "") -> Model:
    text = textwrap.dedent(ONE_CALLBACK).replace("{extra}", textwrap.indent(extra, "    "))
    built = build(scenario(text), 0, 0)
    built.sim.env.run(until=10)  # the callback step runs
    return built


def _request(built: Model, name: str) -> dict[str, Any]:
    params = dict(VALID[name])
    if "CallbackToken" in params:
        listed = _call(built, "ListPipelineExecutionSteps", {ARN: FLEET_ARN})
        params["CallbackToken"] = listed["PipelineExecutionSteps"][0]["Metadata"]["Callback"][
            "CallbackToken"
        ]
    return params


def _call(
    built: Model, name: str, params: Mapping[str, Any], caller: Identity | None = None
) -> Mapping[str, Any]:
    who = caller or built.clients["default"].identity
    return built.plane.handle(who, "sagemaker", name, params)


def _raised(built: Model, name: str, params: Mapping[str, Any], caller: Identity | None) -> str:
    try:
        _call(built, name, params, caller)
    except AwsError as error:
        return error.code
    return ""


def other(value: str) -> str:
    """`value` with its last character changed: a valid, unknown ARN or callback token."""
    return value[:-1] + ("8" if value.endswith("9") else "9")


MUTATING = ("StopPipelineExecution", *OPERATIONS[3:])


def raised_codes(name: str) -> set[str]:
    """Every error the control plane and the handler raise for `name`, provoked one by one."""
    throttled = _model(f"throttle: {{{name}: {{rate: 1.0e-6}}}}")
    faulty = _model(f"faults: {{{name}: 1.0}}")
    plain = _model()
    params = _request(plain, name)
    named = {ARN, "CallbackToken", "PipelineName", "PipelineNamePrefix"}
    unknown = {k: (other(v) if k in named else v) for k, v in params.items()}
    codes = {_raised(throttled, name, _request(throttled, name), None) for _ in range(2)}
    codes.add(_raised(faulty, name, _request(faulty, name), None))
    codes.add(_raised(plain, name, params, DENIED))
    codes.add(_raised(plain, name, {**params, "Unknown": 1}, None))
    codes.add(_raised(plain, name, unknown, None))  # before the token is used: not found
    if name in LISTINGS:
        codes.add(_raised(plain, name, {**params, "NextToken": "bm90IGdpdmVu"}, None))
    if name in MUTATING:
        assert _raised(plain, name, params, None) == ""  # stops it, or ends the step
        codes.add(_raised(plain, name, unknown, None))  # a stop's token, for another ARN
        codes.add(_raised(plain, name, {**params, "ClientRequestToken": "u" * 32}, None))
    return codes - {""}


@pytest.mark.parametrize("name", OPERATIONS)
def test_raised_error_codes_are_the_operations_error_shapes_or_common(name: str) -> None:
    raised = raised_codes(name)
    assert raised >= COMMON
    theirs = error_codes(operation(name)) - {"ResourceLimitExceeded"}  # no limit is modelled
    assert raised - COMMON == theirs


# -- responses against botocore's output shapes ------------------------------------------


ALL_STEPS = """
name: responses
horizon: 2h
services:
  sagemaker:
    latency: {orchestration: 1, provisioning: 10, stop: 5}
fleet:
  - service: sagemaker
    pipeline: PIPELINE
    count: 1
    steps:
      - {name: plain, type: Plain, duration: 5, failure: 1}
      - {name: train, type: Training, duration: 30}
      - {name: process, type: Processing, duration: 30}
      - {name: fn, type: Lambda, duration: 20, timeout: 10}
      - {name: cb, type: Callback, queue: q, arguments: {model: m-1}}
consumers:
  q: {never_answers: 1}
"""
LONG_PIPELINE = "p" * 64  # a valid pipeline name: up to 256 characters


@pytest.mark.parametrize(
    "pipeline",
    [
        "p",
        LONG_PIPELINE,
    ],
)
def test_responses_are_botocores_shapes(pipeline: str) -> None:
    """Describe and list, at every moment of an execution with each step type, as botocore
    would parse them: members, lengths, patterns, enums."""
    built = build(scenario(ALL_STEPS.replace("PIPELINE", pipeline)), 0, 0)
    arn = next(iter(built.services["sagemaker"].resources))
    found: list[str] = []
    for until in (0.5, 3, 15, 40, 60):
        built.sim.env.run(until=until)
        for name, params in (
            ("DescribePipelineExecution", {ARN: arn}),
            ("ListPipelineExecutionSteps", {ARN: arn}),
            ("ListPipelineExecutions", {"PipelineName": pipeline}),
            ("ListPipelines", {}),
        ):
            response = _call(built, name, params)
            found += violations(response, operation(name).output_shape, name)
    stop = _call(built, "StopPipelineExecution", {ARN: arn, "ClientRequestToken": TOKEN})
    found += violations(stop, operation("StopPipelineExecution").output_shape, "Stop")
    assert found == []
    listed = _call(built, "ListPipelineExecutions", {"PipelineName": pipeline})
    assert [e["PipelineExecutionStatus"] for e in listed["PipelineExecutionSummaries"]] == [
        "Stopping"  # its callback step is never answered
    ]


@pytest.mark.parametrize("name", LISTINGS)
def test_listings_are_paginated_as_botocores_paginators_say(name: str) -> None:
    config = botocore.session.get_session().get_paginator_model("sagemaker").get_paginator(name)
    assert (config["input_token"], config["output_token"]) == ("NextToken", "NextToken")
    assert config["limit_key"] in sagemaker.OPERATIONS[name].params
    assert config["result_key"] in operation(name).output_shape.members
