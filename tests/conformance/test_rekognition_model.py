"""Our Rekognition Custom Labels declarations against botocore's rekognition service model.

botocore gives request members, constraints, the status enum and each operation's error
shapes. It has no HTTP statuses for a JSON-protocol service, so those are checked against
the StopProjectVersion API reference page copied into tests/data.
"""

from __future__ import annotations

import re
from typing import Any

import botocore.session
import pytest
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.validate import ParamValidator

from simulator.api.errors import AwsError, ErrorSpec
from simulator.api.operations import Throttle
from simulator.api.plane import ControlPlane
from simulator.api.validation import Param, validate
from simulator.services import rekognition
from tests.conformance._aws import (
    BOTOCORE_TYPES,
    CALLER,
    DENIED,
    alone,
    error_codes,
    page_errors,
    raised_code,
    reference_page,
    service_model,
    violations,
)

OPERATIONS = (
    "StopProjectVersion",
    "StartProjectVersion",
    "DescribeProjectVersions",
    "DescribeProjects",
)
LISTINGS = ("DescribeProjectVersions", "DescribeProjects")
LISTED = {
    "DescribeProjectVersions": "ProjectVersionDescriptions",
    "DescribeProjects": "ProjectDescriptions",
}
"""The paginated operations: botocore's paginators name their tokens and page sizes."""


def model() -> ServiceModel:
    return service_model("rekognition")


def operation(name: str) -> OperationModel:
    return model().operation_model(name)


def declared_specs() -> set[ErrorSpec]:
    """ERRORS and every module-level ErrorSpec of the service module."""
    constants = {value for value in vars(rekognition).values() if isinstance(value, ErrorSpec)}
    return {*rekognition.ERRORS.all(), *constants}


# -- request members ---------------------------------------------------------------------


@pytest.mark.parametrize("name", OPERATIONS)
def test_declared_members_match_botocore(name: str) -> None:
    shape = operation(name).input_shape
    ours = rekognition.OPERATIONS[name].params
    assert set(ours) == set(shape.members)

    def constraints(param: Param) -> tuple[Any, ...]:
        items = None if param.items is None else constraints(param.items)
        return (param.type, param.min, param.max, param.pattern, param.enum, items)

    def theirs(member: Shape) -> tuple[Any, ...]:
        enum = member.metadata.get("enum")
        items = theirs(member.member) if member.type_name == "list" else None
        return (
            BOTOCORE_TYPES[member.type_name],
            member.metadata.get("min"),
            member.metadata.get("max"),
            member.metadata.get("pattern"),
            tuple(enum) if enum else None,
            items,
        )

    assert {m: (p.required, *constraints(p)) for m, p in ours.items()} == {
        m: (m in shape.required_members, *theirs(shape.members[m])) for m in ours
    }


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_required_member_is_declared_required(name: str) -> None:
    shape = operation(name).input_shape
    ours = rekognition.OPERATIONS[name].params
    assert bool(shape.required_members) is (name != "DescribeProjects")  # it requires none
    assert set(shape.required_members) == {m for m, p in ours.items() if p.required}


@pytest.mark.parametrize("name", OPERATIONS)
def test_iam_action_and_resource_member(name: str) -> None:
    declared = rekognition.OPERATIONS[name]
    assert declared.action == f"{model().signing_name}:{name}"
    required = operation(name).input_shape.required_members
    assert declared.resource_param in required or (not required and not declared.resource_param)


@pytest.mark.parametrize("name", LISTINGS)
def test_paginated_as_botocores_paginator_says(name: str) -> None:
    """Token and page size as botocore's paginator names them; the page default is the
    largest page (DOC: 'The default value is 100')."""
    paginator = botocore.session.get_session().get_paginator_model("rekognition")
    config = paginator.get_paginator(name)
    assert (config["input_token"], config["output_token"]) == ("NextToken", "NextToken")
    params = rekognition.OPERATIONS[name].params
    assert config["limit_key"] in params
    assert params[config["limit_key"]].max == rekognition.PAGE == 100
    assert (
        "The default value is 100."
        in operation(name).input_shape.members["MaxResults"].documentation
    )
    assert config["result_key"] in operation(name).output_shape.members


def test_status_enum_is_project_version_status() -> None:
    stop_status = operation("StopProjectVersion").output_shape.members["Status"]
    assert stop_status.name == "ProjectVersionStatus"
    assert [s.value for s in rekognition.Status] == stop_status.enum
    described = operation("DescribeProjectVersions").output_shape.members
    item = described["ProjectVersionDescriptions"].member.members["Status"]
    assert [s.value for s in rekognition.Status] == item.enum


# -- errors ------------------------------------------------------------------------------


def test_declared_error_codes_are_modeled() -> None:
    """Every ErrorSpec we declare is an error shape of at least one of the operations."""
    modeled = set().union(*(error_codes(operation(name)) for name in OPERATIONS))
    assert len(declared_specs()) >= 7
    assert {spec.code for spec in declared_specs()} - modeled == set()


def _service(
    settings: rekognition.Settings, status: rekognition.Status
) -> tuple[ControlPlane, rekognition.ProjectVersions, rekognition.Fleet]:
    fleet = rekognition.Fleet(service="rekognition", count=1, status=status)
    plane, service, _ = alone(rekognition.ProjectVersions, settings, fleet)
    return plane, service, fleet


def raised_codes(name: str) -> set[str]:
    """Every error the control plane and the handler raise for `name`, provoked one by one."""
    codes = set()
    # throttled: a bucket of one request that does not refill within the test
    plane, service, _ = _service(
        rekognition.Settings(throttle={name: Throttle(rate=1e-6)}), rekognition.Status.RUNNING
    )
    params = service.request(name, next(iter(service.resources.values())))
    codes |= {raised_code(plane, CALLER, name, params) for _ in range(2)}
    # denied, invalid, injected fault
    plane, service, fleet = _service(rekognition.Settings(), rekognition.Status.RUNNING)
    codes.add(raised_code(plane, DENIED, name, params))
    codes.add(raised_code(plane, CALLER, name, {}))
    codes.add(raised_code(plane, CALLER, name, {**params, "Unknown": 1}))
    if name in LISTINGS:  # a token the service did not give
        codes.add(raised_code(plane, CALLER, name, {**params, "NextToken": "bm90IGdpdmVu"}))
    faulty, _, _ = _service(rekognition.Settings(faults={name: 1.0}), rekognition.Status.RUNNING)
    codes.add(raised_code(faulty, CALLER, name, params))
    # unknown resource, and every status the resource can be found in
    unknown = fleet.model_copy(update={"project": "other"})
    elsewhere = {key: value for key, value in _arns(unknown).items() if key in params}
    codes.add(raised_code(plane, CALLER, name, {**params, **elsewhere}))
    for status in rekognition.Status:
        plane, service, fleet = _service(rekognition.Settings(), status)
        codes.add(raised_code(plane, CALLER, name, params))
    return codes - {""}


def _arns(fleet: rekognition.Fleet) -> dict[str, str]:
    return {"ProjectVersionArn": fleet.resource_id(0), "ProjectArn": fleet.project_arn()}


@pytest.mark.parametrize("name", OPERATIONS)
def test_raised_error_codes_are_among_the_operations_error_shapes(name: str) -> None:
    raised = raised_codes(name)
    errors = rekognition.ERRORS
    plane_errors = {errors.throttling, errors.access_denied, errors.validation, errors.internal}
    if name != "DescribeProjects":  # it names no project it must find
        plane_errors.add(errors.not_found)
    if name in LISTINGS:
        plane_errors.add(rekognition.InvalidPaginationToken)
    assert {spec.code for spec in plane_errors} <= raised
    assert raised - error_codes(operation(name)) == set()


def test_stop_and_start_raise_resource_in_use() -> None:
    """The provoking above reaches the handlers' own errors, not just the plane's."""
    assert "ResourceInUseException" in raised_codes("StopProjectVersion")
    assert "ResourceInUseException" in raised_codes("StartProjectVersion")


def test_http_statuses_match_the_stop_project_version_page() -> None:
    text = reference_page("000_deb5b17b20770f1c.txt", "\nStopProjectVersion\n")
    documented = page_errors(text)
    assert set(documented) == error_codes(operation("StopProjectVersion"))
    ours = {spec.code: spec.http_status for spec in declared_specs() if spec.code in documented}
    assert ours == documented


# -- validation --------------------------------------------------------------------------

VALID_ARN = "arn:aws:rekognition:us-east-1:123456789012:project/models/version/v1/1"
PROJECT_ARN = "arn:aws:rekognition:us-east-1:123456789012:project/models/1"
STOP = rekognition.OPERATIONS["StopProjectVersion"]


def test_valid_arn_is_accepted() -> None:
    params = {"ProjectVersionArn": VALID_ARN}
    validate(params, STOP.params, rekognition.ERRORS.validation)
    botocore_report = ParamValidator().validate(params, operation(STOP.name).input_shape)
    assert not botocore_report.has_errors()


LONG_ARN = VALID_ARN[:-1] + "1" * 2000  # satisfies the pattern: the version stamp is [0-9]+


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        pytest.param({"ProjectVersionArn": VALID_ARN[:19]}, "at least 20", id="too-short"),
        pytest.param({"ProjectVersionArn": LONG_ARN}, "at most 2048", id="too-long"),
        pytest.param(
            {"ProjectVersionArn": rekognition.Fleet(service="rekognition", count=1).project_arn()},
            "must satisfy regular expression pattern",
            id="pattern",
        ),
        pytest.param({}, "Missing required parameter ProjectVersionArn", id="missing"),
    ],
)
def test_invalid_request_is_invalid_parameter_exception(
    params: dict[str, str], problem: str
) -> None:
    with pytest.raises(AwsError) as raised:
        validate(params, STOP.params, rekognition.ERRORS.validation)
    assert (raised.value.code, raised.value.http_status) == ("InvalidParameterException", 400)
    assert problem in raised.value.message
    assert "InvalidParameterException" in error_codes(operation(STOP.name))


def test_the_violations_are_the_ones_named() -> None:
    """Each bad ARN breaks only its own rule, so the test above rejects it for that rule."""
    pattern = STOP.params["ProjectVersionArn"].pattern
    assert pattern is not None
    assert len(VALID_ARN[:19]) == 19
    assert len(LONG_ARN) > 2048
    assert re.search(pattern, LONG_ARN)
    assert re.search(pattern, VALID_ARN)
    project_arn = rekognition.Fleet(service="rekognition", count=1).project_arn()
    assert 20 <= len(project_arn) <= 2048
    assert not re.search(pattern, project_arn)
    # botocore's client checks min and required itself (not max or pattern)
    shape = operation(STOP.name).input_shape
    assert ParamValidator().validate({"ProjectVersionArn": VALID_ARN[:19]}, shape).has_errors()
    assert ParamValidator().validate({}, shape).has_errors()


# -- responses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("DescribeProjects", {}),
        ("DescribeProjects", {"MaxResults": 1, "ProjectNames": ["models"]}),
        ("DescribeProjectVersions", {"ProjectArn": PROJECT_ARN}),
        ("DescribeProjectVersions", {"ProjectArn": PROJECT_ARN, "MaxResults": 1}),
        ("DescribeProjectVersions", {"ProjectArn": PROJECT_ARN, "VersionNames": ["v1"]}),
    ],
)
def test_responses_have_only_the_output_shapes_members(name: str, params: dict[str, Any]) -> None:
    fleet = rekognition.Fleet(service="rekognition", count=2)
    plane, _, _ = alone(rekognition.ProjectVersions, rekognition.Settings(), fleet)
    response = plane.handle(CALLER, "rekognition", name, params)
    assert response[LISTED[name]]  # something is listed, and checked
    assert list(violations(response, operation(name).output_shape, name)) == []
