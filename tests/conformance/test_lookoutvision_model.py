"""Our Lookout for Vision declarations against the service model botocore last shipped.

botocore 1.40.0 was the last release with lookoutvision; its `service-2.json.gz` is copied
byte for byte into tests/data (see its README). It is a rest-json model: each error has its
HTTP status, each operation its success status. Our patterns are the model's, anchored
(`^...$`) as the API reference prints them where the model leaves them bare.
"""

from __future__ import annotations

import functools
import gzip
import json
from typing import Any

import pytest
from botocore.model import OperationModel, ServiceModel, Shape

from simulator.api.validation import Param
from simulator.services import lookoutvision
from tests.conformance._aws import (
    BOTOCORE_TYPES,
    CALLER,
    DATA,
    alone,
    error_statuses,
    raised_code,
    violations,
)

MODEL_FILE = DATA / "botocore-1.40.0-lookoutvision-2020-11-20-service-2.json.gz"
OPERATIONS = tuple(lookoutvision.OPERATIONS)
LISTINGS = ("ListProjects", "ListModels")


@functools.cache
def model() -> ServiceModel:
    if not MODEL_FILE.is_file():
        pytest.fail(f"{MODEL_FILE} is missing: the Lookout for Vision model is read from there")
    with gzip.open(MODEL_FILE, "rt", encoding="utf-8") as source:
        return ServiceModel(json.load(source), "lookoutvision")


def operation(name: str) -> OperationModel:
    return model().operation_model(name)


def test_the_model_is_lookout_for_visions() -> None:
    assert model().metadata["uid"] == "lookoutvision-2020-11-20"
    assert model().protocol == "rest-json"
    assert set(OPERATIONS) == {"StopModel", "StartModel", "DescribeModel", *LISTINGS}


# -- request members ---------------------------------------------------------------------


def _ours(param: Param) -> tuple[Any, ...]:
    return (param.type, param.min, param.max, param.pattern, param.enum)


def _theirs(shape: Shape) -> tuple[Any, ...]:
    enum = shape.metadata.get("enum")
    return (
        BOTOCORE_TYPES[shape.type_name],
        shape.metadata.get("min"),
        shape.metadata.get("max"),
        shape.metadata.get("pattern"),
        tuple(enum) if enum else None,
    )


def _anchored(constraints: tuple[Any, ...]) -> tuple[Any, ...]:
    kind, low, high, pattern, enum = constraints
    if pattern is not None and not pattern.startswith("^"):
        pattern = f"^{pattern}$"
    return (kind, low, high, pattern, enum)


@pytest.mark.parametrize("name", OPERATIONS)
def test_declared_members_match_the_model(name: str) -> None:
    shape = operation(name).input_shape
    ours = lookoutvision.OPERATIONS[name].params
    assert set(ours) == set(shape.members)
    assert {m: (p.required, *_ours(p)) for m, p in ours.items()} == {
        m: (m in shape.required_members, *_anchored(_theirs(shape.members[m]))) for m in ours
    }


def test_the_listing_constraints_spelled_out() -> None:
    """The comparison above as the API reference reads, so that a failure there reads plainly."""
    for name in LISTINGS:
        params = lookoutvision.OPERATIONS[name].params
        assert (params["MaxResults"].min, params["MaxResults"].max) == (1, 100)
        assert params["NextToken"].max == 2048
        assert params["NextToken"].pattern == r"^[a-zA-Z0-9\/\+\=]{0,2048}$"
    listing = lookoutvision.OPERATIONS["ListModels"].params["ProjectName"]
    assert listing == lookoutvision.OPERATIONS["StopModel"].params["ProjectName"]
    assert listing.required


@pytest.mark.parametrize("name", OPERATIONS)
def test_action_resource_member_and_success_status(name: str) -> None:
    declared = lookoutvision.OPERATIONS[name]
    op = operation(name)
    assert declared.action == f"{model().signing_name}:{name}"
    required = op.input_shape.required_members
    assert declared.resource_param in required or (not required and not declared.resource_param)
    assert declared.success_status == op.http.get("responseCode", 200)


@pytest.mark.parametrize("name", LISTINGS)
def test_the_default_page_is_the_documented_one(name: str) -> None:
    doc = operation(name).input_shape.members["MaxResults"].documentation
    assert "The default value is 100." in doc
    assert lookoutvision.PAGE == 100


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_modeled_error_is_ours_with_its_status(name: str) -> None:
    ours = {spec.code: spec.http_status for spec in lookoutvision.ERRORS.all()}
    theirs = error_statuses(operation(name))
    assert {code: ours.get(code) for code in theirs} == theirs


def _plane() -> Any:
    fleet = lookoutvision.Fleet(service="lookoutvision", count=3)
    return alone(lookoutvision.Models, lookoutvision.Settings(), fleet)[0]


@pytest.mark.parametrize(
    ("name", "params", "code"),
    [
        ("ListModels", {"ProjectName": "other"}, "ResourceNotFoundException"),
        ("ListModels", {"ProjectName": "inspection", "NextToken": "bm90"}, "ValidationException"),
        ("ListModels", {"ProjectName": "inspection", "MaxResults": 101}, "ValidationException"),
        ("ListModels", {}, "ValidationException"),
        ("ListProjects", {"NextToken": "bm90"}, "ValidationException"),
        ("ListProjects", {"NextToken": "not base64!"}, "ValidationException"),
        ("ListProjects", {"MaxResults": 0}, "ValidationException"),
    ],
)
def test_listing_errors_are_the_models(name: str, params: dict[str, Any], code: str) -> None:
    assert raised_code(_plane(), CALLER, name, params) == code
    assert code in error_statuses(operation(name))


# -- responses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("ListProjects", {}),
        ("ListProjects", {"MaxResults": 1}),
        ("ListModels", {"ProjectName": "inspection"}),
        ("ListModels", {"ProjectName": "inspection", "MaxResults": 2}),
        ("DescribeModel", {"ProjectName": "inspection", "ModelVersion": "2"}),
    ],
)
def test_responses_have_only_the_output_shapes_members(name: str, params: dict[str, Any]) -> None:
    response = _plane().handle(CALLER, "lookoutvision", name, params)
    assert list(violations(response, operation(name).output_shape, name)) == []


def test_the_model_the_package_ships_is_the_one_botocore_shipped() -> None:
    """`simulator/aws/models/` carries the model decompressed (for botocore's loader while
    user code runs); it must say exactly what the copy of the original here says."""
    from simulator.aws.models import MODELS

    shipped = MODELS / "lookoutvision" / "2020-11-20" / "service-2.json"
    with gzip.open(MODEL_FILE, "rt", encoding="utf-8") as source:
        original = json.load(source)
    assert json.loads(shipped.read_text(encoding="utf-8")) == original
