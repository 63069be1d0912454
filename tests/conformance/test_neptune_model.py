"""Our Neptune ML model-training declarations against botocore's neptunedata model.

neptunedata is a rest-json service: botocore has each error's HTTP status and retry trait,
and each operation's HTTP routing. The simulator does not route by HTTP, so the routing is
checked against what the module's docstring states. The CancelMLModelTrainingJob API
reference page (copied into tests/data) is checked for the same errors and statuses.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.model import OperationModel, ServiceModel

from simulator.api.errors import AwsError, ErrorSpec
from simulator.api.operations import Throttle
from simulator.api.plane import ControlPlane
from simulator.api.validation import Param
from simulator.engine.distributions import Fixed
from simulator.engine.env import Simulation
from simulator.services import neptune
from tests.conformance._aws import (
    BOTOCORE_TYPES,
    CALLER,
    DENIED,
    alone,
    error_statuses,
    page_errors,
    raised_code,
    reference_page,
    service_model,
    violations,
)

JOB_OPERATIONS = ("CancelMLModelTrainingJob", "GetMLModelTrainingJob")
"""The operations on one job, named by its id."""
LIST = "ListMLModelTrainingJobs"
OPERATIONS = (*JOB_OPERATIONS, LIST)


def model() -> ServiceModel:
    return service_model("neptunedata")


def operation(name: str) -> OperationModel:
    return model().operation_model(name)


def retryable(op: OperationModel) -> dict[str, str]:
    """{code: "throttling" | "transient"} of the error shapes botocore marks retryable."""
    return {
        shape.name: "throttling" if shape.metadata["retryable"].get("throttling") else "transient"
        for shape in op.error_shapes
        if "retryable" in shape.metadata
    }


def ours() -> dict[str, ErrorSpec]:
    return {spec.code: spec for spec in neptune.ERRORS.all()}


def page() -> str:
    return reference_page("004_4f1e2e62d671d66d.txt", "\nCancelMLModelTrainingJob\n")


# -- request members ---------------------------------------------------------------------


@pytest.mark.parametrize("name", OPERATIONS)
def test_declared_members_match_botocore(name: str) -> None:
    shape = operation(name).input_shape
    declared = neptune.OPERATIONS[name].params
    assert set(declared) == set(shape.members)

    def constraints(member: str, param: Param | None) -> tuple[Any, ...]:
        if param is not None:
            return (param.type, param.required, param.min, param.max, param.pattern, param.enum)
        theirs = shape.members[member]
        return (
            BOTOCORE_TYPES[theirs.type_name],
            member in shape.required_members,
            theirs.metadata.get("min"),
            theirs.metadata.get("max"),
            theirs.metadata.get("pattern"),
            theirs.metadata.get("enum"),
        )

    assert {m: constraints(m, p) for m, p in declared.items()} == {
        m: constraints(m, None) for m in declared
    }


def test_members_spelled_out() -> None:
    """The comparison above, as the API page reads: only `id` is required; clean is boolean."""
    cancel = neptune.OPERATIONS["CancelMLModelTrainingJob"].params
    get = neptune.OPERATIONS["GetMLModelTrainingJob"].params
    assert {m: (p.type, p.required) for m, p in cancel.items()} == {
        "id": (str, True),
        "neptuneIamRoleArn": (str, False),
        "clean": (bool, False),
    }
    assert {m: (p.type, p.required) for m, p in get.items()} == {
        "id": (str, True),
        "neptuneIamRoleArn": (str, False),
    }
    for name in JOB_OPERATIONS:
        assert operation(name).input_shape.required_members == ["id"]
    listing = neptune.OPERATIONS[LIST].params
    assert {m: (p.type, p.required, p.min, p.max) for m, p in listing.items()} == {
        "maxItems": (int, False, 1, 1024),
        "neptuneIamRoleArn": (str, False, None, None),
    }
    assert operation(LIST).input_shape.required_members == []


@pytest.mark.parametrize("name", OPERATIONS)
def test_resource_member_and_success_status(name: str) -> None:
    declared = neptune.OPERATIONS[name]
    assert declared.resource_param == ("" if name == LIST else "id")
    assert declared.success_status == operation(name).http["responseCode"] == 200
    assert declared.idempotency_token is None


def test_iam_actions() -> None:
    """The actions the API pages name: Get's is GetMLModelTrainingJobStatus, not the
    operation's name, so only the prefix comes from botocore (its signing name)."""
    assert model().signing_name == "neptune-db"
    cancel = neptune.OPERATIONS["CancelMLModelTrainingJob"]
    get = neptune.OPERATIONS["GetMLModelTrainingJob"]
    assert cancel.action == "neptune-db:CancelMLModelTrainingJob"
    assert get.action == "neptune-db:GetMLModelTrainingJobStatus"
    assert f"allows the {cancel.action} IAM action" in page()
    listing = neptune.OPERATIONS[LIST]
    assert listing.action == "neptune-db:ListMLModelTrainingJobs"
    assert "#neptune-db:listmlmodeltrainingjobs" in operation(LIST).documentation


# -- HTTP routing ------------------------------------------------------------------------


def docstring_route() -> tuple[str, str, set[str]]:
    """(method, path, query keys) of the request line in neptune's module docstring."""
    doc = neptune.__doc__
    assert doc is not None
    match = re.search(r"(?m)^\s+(GET|DELETE|POST|PUT) (/\S*?)(?:\?(\S*))?$", doc)
    assert match is not None, "the docstring states no request line"
    query = {pair.split("=", 1)[0] for pair in (match[3] or "").split("&") if pair}
    return match[1], match[2], query


def botocore_route(name: str) -> tuple[str, str, set[str]]:
    op = operation(name)
    members = op.input_shape.members
    query = {m for m, s in members.items() if s.serialization.get("location") == "querystring"}
    return op.http["method"], op.http["requestUri"], query


def test_cancel_routing_is_as_the_docstring_states() -> None:
    assert botocore_route("CancelMLModelTrainingJob") == docstring_route()
    assert docstring_route() == ("DELETE", "/ml/modeltraining/{id}", {"clean", "neptuneIamRoleArn"})
    members = operation("CancelMLModelTrainingJob").input_shape.members
    assert members["id"].serialization == {"location": "uri", "name": "id"}


def test_list_routing_and_default() -> None:
    """The listing reads the jobs' collection; the page size defaults to 10 (DOC)."""
    assert botocore_route(LIST) == ("GET", "/ml/modeltraining", {"maxItems", "neptuneIamRoleArn"})
    doc = operation(LIST).input_shape.members["maxItems"].documentation
    assert "(from 1 to 1024; the default is 10)" in doc
    assert neptune.OPERATIONS[LIST].params["maxItems"].max == 1024
    assert neptune.data.LIST_ITEMS == 10
    assert set(operation(LIST).output_shape.members) == {"ids"}  # no token: one page


def test_get_routing() -> None:
    """Get reads the same path with GET, and takes no `clean`."""
    assert botocore_route("GetMLModelTrainingJob") == (
        "GET",
        "/ml/modeltraining/{id}",
        {"neptuneIamRoleArn"},
    )


def test_the_page_shows_the_same_request_line() -> None:
    method, path, query = docstring_route()
    line = re.search(r"(?m)^(\w+) (\S+?)\?(\S+) HTTP/1\.1$", page())
    assert line is not None
    assert (line[1], line[2]) == (method, path.replace("{id}", "id"))
    assert {pair.split("=", 1)[0] for pair in line[3].split("&")} == query


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_modeled_error_is_ours_with_its_status(name: str) -> None:
    theirs = error_statuses(operation(name))
    assert len(theirs) == 11
    assert {code: ours()[code].http_status for code in theirs if code in ours()} == theirs


def test_ours_are_the_modeled_ones_and_access_denied() -> None:
    """AccessDeniedException is a common error: a shape of the service, on no operation."""
    modeled = set().union(*(error_statuses(operation(name)) for name in OPERATIONS))
    assert set(ours()) - modeled == {"AccessDeniedException"}


def test_access_denied_is_the_services_403() -> None:
    theirs = model().shape_for("AccessDeniedException").metadata["error"]["httpStatusCode"]
    assert ours()["AccessDeniedException"].http_status == theirs == 403
    assert neptune.ERRORS.access_denied.code == "AccessDeniedException"


@pytest.mark.parametrize("name", OPERATIONS)
def test_retryable_errors_are_botocores(name: str) -> None:
    """botocore's standard mode retries the shapes it marks `retryable`, by that trait."""
    theirs = retryable(operation(name))
    assert set(theirs) == {
        "TooManyRequestsException",
        "ClientTimeoutException",
        "ConstraintViolationException",
    }
    marked = {code: spec.retryable for code, spec in ours().items() if spec.retryable is not None}
    assert marked == theirs


def test_the_statuses_the_docstring_names() -> None:
    errors = neptune.ERRORS
    assert (errors.not_found.code, errors.not_found.http_status) == (
        "MLResourceNotFoundException",
        404,
    )
    assert (errors.throttling.code, errors.throttling.http_status) == (
        "TooManyRequestsException",
        429,
    )
    assert (errors.internal.code, errors.internal.http_status) == ("ClientTimeoutException", 408)
    assert errors.missing_parameter is not None
    assert errors.missing_parameter.code == "MissingParameterException"
    assert errors.validation.code == "InvalidParameterException"


def test_http_statuses_match_the_cancel_page() -> None:
    documented = page_errors(page())
    assert documented == error_statuses(operation("CancelMLModelTrainingJob"))
    assert {code: ours()[code].http_status for code in documented} == documented
    assert set(ours()) - set(documented) == {"AccessDeniedException"}


# -- what the control plane raises -------------------------------------------------------

FAST = neptune.Latencies(
    processing=Fixed(value=10),
    training=Fixed(value=10),
    transform=Fixed(value=10),
    stop=Fixed(value=5),
    clean=Fixed(value=5),
)


def _plane(settings: neptune.Settings) -> tuple[ControlPlane, neptune.TrainingJobs, Simulation]:
    return alone(neptune.TrainingJobs, settings, neptune.Fleet(service="neptune", count=1))


def raised_codes(name: str) -> set[str]:
    """Every error the control plane and the handler raise for `name`, provoked one by one."""
    codes = set()
    throttled, service, _ = _plane(neptune.Settings(throttle={name: Throttle(rate=1e-6)}))
    params = service.request(name, service.resources["training-0"])
    codes |= {raised_code(throttled, CALLER, name, params) for _ in range(2)}
    plane, _, sim = _plane(neptune.Settings(latency=FAST))
    codes.add(raised_code(plane, DENIED, name, params))
    codes.add(raised_code(plane, CALLER, name, {}))
    codes.add(raised_code(plane, CALLER, name, {**params, "neptuneIamRoleArn": 7}))
    codes.add(raised_code(plane, CALLER, name, {**params, "neptuneIamRoleArn": "arn:other"}))
    codes.add(raised_code(plane, CALLER, name, {**params, "id": "unknown"}))
    faulty, _, _ = _plane(neptune.Settings(faults={name: 1.0}))
    codes.add(raised_code(faulty, CALLER, name, params))
    sim.env.run(until=3600)  # Completed: a cancel now is PreconditionsFailedException
    codes.add(raised_code(plane, CALLER, name, params))
    return codes - {""}


@pytest.mark.parametrize("name", JOB_OPERATIONS)
def test_raised_error_codes_are_the_operations_error_shapes(name: str) -> None:
    raised = raised_codes(name)
    errors = neptune.ERRORS
    assert errors.missing_parameter is not None
    expected = {errors.throttling, errors.validation, errors.missing_parameter, errors.internal}
    assert {spec.code for spec in expected} | {
        "MLResourceNotFoundException",
        "BadRequestException",
    } <= raised
    assert raised - set(error_statuses(operation(name))) == {"AccessDeniedException"}


def test_a_cancel_after_completion_is_preconditions_failed() -> None:
    plane, service, sim = _plane(neptune.Settings(latency=FAST))
    sim.env.run(until=3600)
    job = service.resources["training-0"]
    assert job.status is neptune.JobStatus.Completed
    params = service.request("CancelMLModelTrainingJob", job)
    with pytest.raises(AwsError) as raised:
        plane.handle(CALLER, "neptune", "CancelMLModelTrainingJob", params)
    assert (raised.value.code, raised.value.http_status) == ("PreconditionsFailedException", 400)


def test_the_listing_raises_the_planes_errors_and_a_bad_role() -> None:
    throttled, service, _ = _plane(neptune.Settings(throttle={LIST: Throttle(rate=1e-6)}))
    params = service.request(LIST, service.resources["training-0"])
    assert params == {}
    assert [raised_code(throttled, CALLER, LIST, params) for _ in range(2)] == [
        "",
        "TooManyRequestsException",
    ]
    plane, _, _ = _plane(neptune.Settings())
    raised = {
        raised_code(plane, DENIED, LIST, params),
        raised_code(plane, CALLER, LIST, {"maxItems": 0}),
        raised_code(plane, CALLER, LIST, {"maxItems": 1025}),
        raised_code(plane, CALLER, LIST, {"neptuneIamRoleArn": "arn:other"}),
    }
    faulty, _, _ = _plane(neptune.Settings(faults={LIST: 1.0}))
    raised.add(raised_code(faulty, CALLER, LIST, params))
    assert raised == {
        "AccessDeniedException",
        "InvalidParameterException",
        "BadRequestException",
        "ClientTimeoutException",
    }
    assert raised - set(error_statuses(operation(LIST))) == {"AccessDeniedException"}


def test_the_listings_response_is_the_output_shape() -> None:
    plane, _, _ = _plane(neptune.Settings())
    response = plane.handle(CALLER, "neptune", LIST, {"maxItems": 5})
    assert response == {"ids": ["training-0"]}
    assert list(violations(response, operation(LIST).output_shape, LIST)) == []
