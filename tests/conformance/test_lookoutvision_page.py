"""Our Lookout for Vision declarations against the StopModel reference page.

botocore no longer ships lookoutvision (end of support 2025-10-31), so the SDK page for
StopModel copied into tests/data is the reference for members, required flags, response
statuses, exceptions and the token's lifetime. The page does not show lengths, patterns or
HTTP statuses: those come from the AWS API reference and are checked as constants here.
"""

from __future__ import annotations

import re
from typing import Any

import botocore.session
import pytest

from simulator.api.errors import AwsError
from simulator.api.plane import ControlPlane
from simulator.services import lookoutvision
from simulator.services.base import HOURS_8
from tests.conformance._aws import CALLER, alone, declared_statuses, raised_code, reference_page

STOP = lookoutvision.OPERATIONS["StopModel"]
PAGE_TYPES: dict[str, type] = {"string": str, "integer": int, "list": list, "boolean": bool}


def page() -> str:
    return reference_page("001_86062a38458f9a10.txt", "LookoutforVision.Client.stop_model(")


def page_members(text: str) -> dict[str, tuple[type, bool]]:
    """{member: (type, required)} from the Parameters list of an SDK page."""
    section = text.split("\nParameters:\n", 1)[1].split("\nReturn type:\n", 1)[0]
    items = re.split(r"(?m)^\s*• (\w+) \((\w+)\) –$", section)[1:]
    return {
        name: (PAGE_TYPES[kind], "[REQUIRED]" in body)
        for name, kind, body in zip(items[::3], items[1::3], items[2::3], strict=True)
    }


def page_statuses(text: str) -> list[str]:
    """The Status values of the page's Response Syntax."""
    match = re.search(r"'Status': ((?:'\w+'\|?)+)", text)
    assert match is not None
    return re.findall(r"'(\w+)'", match[1])


def page_exceptions(text: str) -> set[str]:
    return set(re.findall(r"LookoutforVision\.Client\.exceptions\.(\w+)", text))


def our_codes() -> dict[str, int]:
    return declared_statuses(lookoutvision.ERRORS)


def test_botocore_no_longer_ships_lookoutvision() -> None:
    """If this fails, botocore has the model again: compare against it, as for Rekognition."""
    assert "lookoutvision" not in botocore.session.get_session().get_available_services()


# -- request members ---------------------------------------------------------------------


def test_the_page_parses() -> None:
    """The parsers below find what a reader of the page finds."""
    text = page()
    assert page_members(text) == {
        "ProjectName": (str, True),
        "ModelVersion": (str, True),
        "ClientToken": (str, False),
    }
    assert page_statuses(text) == [
        "STARTING_HOSTING",
        "HOSTED",
        "HOSTING_FAILED",
        "STOPPING_HOSTING",
        "SYSTEM_UPDATING",
    ]
    assert len(page_exceptions(text)) == 6


def test_stop_model_members_and_required_flags_are_the_pages() -> None:
    declared = {name: (param.type, param.required) for name, param in STOP.params.items()}
    assert declared == page_members(page())


def test_stop_model_operation() -> None:
    """202, a ClientToken the SDK fills in, and the action the page names."""
    assert STOP.success_status == 202
    assert STOP.idempotency_token == "ClientToken"
    assert STOP.resource_param == "ProjectName"
    assert STOP.action == "lookoutvision:StopModel"
    assert f"permissions to perform the {STOP.action} operation" in page()
    assert "This field is autopopulated if not provided." in page()


def test_client_token_lives_8_hours() -> None:
    match = re.search(r"An idempotency token is active for (\d+) hours\.", page())
    assert match is not None
    assert lookoutvision.Models.token_lifetime_s == int(match[1]) * 3600 == 8 * 3600
    assert HOURS_8 == 8 * 3600


def test_response_statuses_are_ours() -> None:
    assert set(page_statuses(page())) <= {s.value for s in lookoutvision.Status}


def test_stop_answers_stopping_hosting_and_trained_ends_it() -> None:
    """The page: 'After the model hosting stops, the Status of the model is TRAINED.'"""
    assert "After the model hosting stops, the Status of the model is TRAINED." in page()
    assert lookoutvision.Models.STOP.terminal == {lookoutvision.Status.TRAINED}
    stopping = lookoutvision.Status.STOPPING_HOSTING
    assert lookoutvision.TRANSITIONS[lookoutvision.Status][stopping] == {
        lookoutvision.Status.TRAINED
    }


# -- errors ------------------------------------------------------------------------------

STATUSES = {
    "AccessDeniedException": 403,
    "InternalServerException": 500,
    "ValidationException": 400,
    "ConflictException": 409,
    "ResourceNotFoundException": 404,
    "ThrottlingException": 429,
    "ServiceQuotaExceededException": 402,
}
"""Lookout for Vision's HTTP statuses, from the AWS API reference."""


def test_page_exceptions_are_ours_plus_service_quota_for_start() -> None:
    """ServiceQuotaExceededException is StartModel's (its inference units), not StopModel's."""
    assert set(our_codes()) - page_exceptions(page()) == {"ServiceQuotaExceededException"}
    assert page_exceptions(page()) <= set(our_codes())


def test_http_statuses() -> None:
    assert our_codes() == STATUSES


def test_error_roles() -> None:
    errors = lookoutvision.ERRORS
    assert errors.validation.code == "ValidationException"
    assert errors.throttling.code == "ThrottlingException"
    assert errors.token_conflict is not None
    assert errors.token_conflict.code == "ConflictException"
    assert errors.missing_parameter is None


# -- validation: lengths and patterns from the API reference -----------------------------

ACCEPTED: list[Any] = [
    pytest.param("ProjectName", "p", id="name-1-char"),
    pytest.param("ProjectName", "a" * 255, id="name-255"),
    pytest.param("ProjectName", "My_project-2", id="name-underscore-hyphen"),
    pytest.param("ProjectName", "0-start-digit", id="name-digit-first"),
    pytest.param("ModelVersion", "1", id="version-1"),
    pytest.param("ModelVersion", "10", id="version-10"),
    pytest.param("ModelVersion", "9" * 10, id="version-10-digits"),
    pytest.param("ModelVersion", "latest", id="version-latest"),
    pytest.param("ClientToken", "t", id="token-1-char"),
    pytest.param("ClientToken", "a" * 64, id="token-64"),
    pytest.param("ClientToken", "123e4567-e89b-12d3-a456-426614174000", id="token-uuid"),
]
REJECTED: list[Any] = [
    pytest.param("ProjectName", "", "at least 1", id="name-empty"),
    pytest.param("ProjectName", "a" * 256, "at most 255", id="name-256"),
    pytest.param("ProjectName", "-p", "pattern", id="name-hyphen-first"),
    pytest.param("ProjectName", "_p", "pattern", id="name-underscore-first"),
    pytest.param("ProjectName", "my project", "pattern", id="name-space"),
    pytest.param("ProjectName", "my.project", "pattern", id="name-dot"),
    pytest.param("ProjectName", 7, "of type str", id="name-int"),
    pytest.param("ModelVersion", "", "at least 1", id="version-empty"),
    pytest.param("ModelVersion", "1" * 11, "at most 10", id="version-11-digits"),
    pytest.param("ModelVersion", "0", "pattern", id="version-0"),
    pytest.param("ModelVersion", "01", "pattern", id="version-leading-zero"),
    pytest.param("ModelVersion", "-1", "pattern", id="version-negative"),
    pytest.param("ModelVersion", "Latest", "pattern", id="version-Latest"),
    pytest.param("ModelVersion", "1latest", "pattern", id="version-mixed"),
    pytest.param("ModelVersion", 1, "of type str", id="version-int"),
    pytest.param("ClientToken", "", "at least 1", id="token-empty"),
    pytest.param("ClientToken", "a" * 65, "at most 64", id="token-65"),
    pytest.param("ClientToken", "tok_en", "pattern", id="token-underscore"),
    pytest.param("ClientToken", "tok en", "pattern", id="token-space"),
]


@pytest.mark.parametrize(("member", "value"), ACCEPTED)
def test_accepted_values(member: str, value: str) -> None:
    param = STOP.params[member]
    assert param.accepts(value)
    assert param.check(member, value) is None


@pytest.mark.parametrize(("member", "value", "problem"), REJECTED)
def test_rejected_values(member: str, value: Any, problem: str) -> None:
    param = STOP.params[member]
    assert not param.accepts(value)
    found = param.check(member, value)
    assert found is not None
    assert found.startswith(member)
    assert problem in found


def test_the_reference_constraints() -> None:
    """The API reference's numbers, kept in one place: a change to one is a change here."""
    constraints = {
        name: (param.min, param.max, param.pattern) for name, param in STOP.params.items()
    }
    assert constraints == {
        "ProjectName": (1, 255, r"^[a-zA-Z0-9][a-zA-Z0-9_\-]*$"),
        "ModelVersion": (1, 10, r"^([1-9][0-9]*|latest)$"),
        "ClientToken": (1, 64, r"^[a-zA-Z0-9-]+$"),
    }
    for name in ("ProjectName", "ModelVersion"):
        assert lookoutvision.OPERATIONS["StartModel"].params[name] == STOP.params[name]
        assert lookoutvision.OPERATIONS["DescribeModel"].params[name] == STOP.params[name]


def _plane() -> ControlPlane:
    fleet = lookoutvision.Fleet(service="lookoutvision", count=1)
    return alone(lookoutvision.Models, lookoutvision.Settings(), fleet)[0]


def test_an_invalid_stop_is_validation_exception() -> None:
    plane = _plane()
    with pytest.raises(AwsError) as raised:
        plane.handle(CALLER, "lookoutvision", "StopModel", {"ProjectName": "inspection"})
    assert (raised.value.code, raised.value.http_status) == ("ValidationException", 400)
    assert "Missing required parameter ModelVersion" in raised.value.message


@pytest.mark.parametrize(
    ("member", "value"),
    [
        pytest.param("ModelVersion", "latest\n", id="version-latest-newline"),
        pytest.param("ModelVersion", "1\n", id="version-1-newline"),
        pytest.param("ProjectName", "inspection\n", id="name-newline"),
        pytest.param("ClientToken", "token\n", id="token-newline"),
    ],
)
def test_a_trailing_newline_is_a_validation_exception(member: str, value: str) -> None:
    """A value the pattern matches only up to a final newline is invalid (as for
    re.fullmatch): the service answers ValidationException, never a crash."""
    plane = _plane()
    params = {"ProjectName": "inspection", "ModelVersion": "1", member: value}
    assert raised_code(plane, CALLER, "StopModel", params) == "ValidationException"
