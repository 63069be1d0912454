"""Request validation: the service's error, a message naming the member."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest

from simulator.api.errors import AwsError, ErrorSpec
from simulator.api.validation import Param, validate

ERROR = ErrorSpec("ValidationException", 400)
SCHEMA: Mapping[str, Param] = {
    "Name": Param(str, required=True, min=2, max=5, pattern=r"^[a-z]+$"),
    "Count": Param(int, min=1, max=10),
    "Tags": Param(list, min=1, max=2),
    "Mode": Param(str, enum=("FAST", "SLOW")),
    "Flag": Param(bool),
    "Digits": Param(str, pattern=r"[0-9]"),
}


def problem(params: Mapping[str, Any]) -> str:
    with pytest.raises(AwsError) as caught:
        validate(params, SCHEMA, ERROR)
    error = caught.value
    assert error.spec is ERROR
    assert (error.code, error.http_status) == ("ValidationException", 400)
    assert str(error) == f"ValidationException (400): {error.message}"
    return error.message


@pytest.mark.parametrize(
    "params",
    [
        {"Name": "ab"},
        {"Name": "abcde"},
        {"Name": "abc", "Count": 1, "Tags": ["x"], "Mode": "FAST", "Flag": True},
        {"Name": "abc", "Count": 10, "Tags": ["x", "y"], "Mode": "SLOW", "Flag": False},
        {"Name": "abc", "Digits": "ab1cd"},
    ],
)
def test_valid_params_pass(params: Mapping[str, Any]) -> None:
    validate(params, SCHEMA, ERROR)


def test_required() -> None:
    assert problem({"Count": 1}) == "Missing required parameter Name"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"Name": 5}, "Name must be of type str"),
        ({"Name": "abc", "Count": "3"}, "Count must be of type int"),
        ({"Name": "abc", "Count": 3.0}, "Count must be of type int"),
        ({"Name": "abc", "Count": True}, "Count must be of type int"),
        ({"Name": "abc", "Flag": 1}, "Flag must be of type bool"),
        ({"Name": "abc", "Flag": "true"}, "Flag must be of type bool"),
        ({"Name": "abc", "Tags": "x"}, "Tags must be of type list"),
        ({"Name": "abc", "Tags": ("x",)}, "Tags must be of type list"),
    ],
)
def test_type(params: Mapping[str, Any], message: str) -> None:
    assert problem(params) == message


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"Name": "a"}, "Name must be at least 2 long"),
        ({"Name": "abcdef"}, "Name must be at most 5 long"),
        ({"Name": "abc", "Count": 0}, "Count must be at least 1"),
        ({"Name": "abc", "Count": -4}, "Count must be at least 1"),
        ({"Name": "abc", "Count": 11}, "Count must be at most 10"),
        ({"Name": "abc", "Tags": []}, "Tags must be at least 1 long"),
        ({"Name": "abc", "Tags": ["a", "b", "c"]}, "Tags must be at most 2 long"),
    ],
)
def test_min_and_max(params: Mapping[str, Any], message: str) -> None:
    assert problem(params) == message


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"Name": "abC"}, "Name must satisfy regular expression pattern: ^[a-z]+$"),
        ({"Name": "ab1"}, "Name must satisfy regular expression pattern: ^[a-z]+$"),
        ({"Name": "abc", "Digits": "abc"}, "Digits must satisfy regular expression pattern: [0-9]"),
    ],
)
def test_pattern_is_searched(params: Mapping[str, Any], message: str) -> None:
    assert problem(params) == message


def test_enum() -> None:
    assert problem({"Name": "abc", "Mode": "fast"}) == "Mode must be one of FAST, SLOW"


def test_unknown_parameter() -> None:
    assert problem({"Name": "abc", "Bogus": 1}) == "Unknown parameter Bogus"


def test_all_problems_in_order_unknown_first_then_schema_order() -> None:
    message = problem({"Mode": "X", "Count": 0, "Zed": 1})
    assert message == (
        "Unknown parameter Zed; Missing required parameter Name; "
        "Count must be at least 1; Mode must be one of FAST, SLOW"
    )


def test_the_given_error_spec_is_raised() -> None:
    other = ErrorSpec("InvalidParameterException", 400)
    with pytest.raises(AwsError) as caught:
        validate({}, {"Id": Param(required=True)}, other)
    assert caught.value.spec is other
    assert caught.value.code == "InvalidParameterException"


def test_check_returns_none_when_fine() -> None:
    assert Param(int, min=1).check("N", 1) is None
    assert Param(str).check("S", "") is None
    assert Param(list).check("L", []) is None


def test_float_param_is_compared_by_value() -> None:
    confidence = Param(float, min=0, max=100)
    assert confidence.check("MinConfidence", 50.5) is None
    assert confidence.check("MinConfidence", 100.5) == "MinConfidence must be at most 100"
    assert confidence.check("MinConfidence", -0.5) == "MinConfidence must be at least 0"


@pytest.mark.parametrize(
    ("pattern", "value", "accepted"),
    [
        (r"^([1-9][0-9]*|latest)$", "latest", True),
        (r"^([1-9][0-9]*|latest)$", "latest\n", False),  # Python's `$` would accept it
        (r"^[a-z]+$", "abc\n", False),
        (r"[$]x", "$x", True),  # a `$` in a class is a character
        (r"a\$", "a$", True),  # so is an escaped one
        (r"ab", "xxabyy", True),  # AWS patterns are searched, not anchored
    ],
)
def test_patterns_follow_ecma_semantics(pattern: str, value: str, accepted: bool) -> None:
    assert Param(str, pattern=pattern).accepts(value) is accepted
    assert (Param(str, pattern=pattern).check("m", value) is None) is accepted


def test_an_unchanging_request_is_validated_once_per_operation() -> None:
    """A waiter's polls send one request again and again: the plane checks it once (a
    member slipped in after the first check goes unseen, where a fresh request with it is
    refused), and an invalid one fails every time."""
    from simulator.api.validation import Unchanging
    from simulator.build import build
    from tests.kit import scenario

    model = build(scenario("name: t\nhorizon: 1h\nfleet: [{service: comprehend, count: 1}]"), 0, 0)
    caller = model.clients["default"].identity
    arn = next(iter(model.services["comprehend"].resources))
    poll = Unchanging({"DocumentClassifierArn": arn})
    model.plane.handle(caller, "comprehend", "DescribeDocumentClassifier", poll)
    poll["Unknown"] = "x"  # after the check: the plane remembers this poll passed
    for _ in range(2):
        model.plane.handle(caller, "comprehend", "DescribeDocumentClassifier", poll)
    fresh = Unchanging(poll)
    with pytest.raises(AwsError, match="InvalidRequestException"):
        model.plane.handle(caller, "comprehend", "DescribeDocumentClassifier", fresh)
    bad = Unchanging({"DocumentClassifierArn": "nope"})
    for _ in range(2):
        with pytest.raises(AwsError, match="InvalidRequestException"):
            model.plane.handle(caller, "comprehend", "DescribeDocumentClassifier", bad)


NESTED = {
    "Names": Param(list, max=2, items=Param(str, min=1, pattern=r"^[a-z]+$")),
    "Filter": Param(
        dict,
        members={
            "Status": Param(str, enum=("A", "B")),
            "Before": Param(float),
            "Name": Param(str, required=True, max=3),
        },
    ),
}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"Names": ["ab", "c"]}, None),
        ({"Names": []}, None),
        ({"Names": ["ab", ""]}, "Names[1] must be at least 1 long"),
        ({"Names": ["A"]}, "Names[0] must satisfy regular expression pattern: ^[a-z]+$"),
        ({"Names": [1]}, "Names[0] must be of type str"),
        ({"Names": ["a", "b", "c"]}, "Names must be at most 2 long"),
        ({"Filter": {"Name": "abc", "Status": "B", "Before": 3}}, None),
        ({"Filter": {"Name": "abc", "Before": 2.5}}, None),
        ({"Filter": {"Name": "abcd"}}, "Filter.Name must be at most 3 long"),
        ({"Filter": {"Name": "a", "Status": "C"}}, "Filter.Status must be one of A, B"),
        ({"Filter": {"Name": "a", "Before": "x"}}, "Filter.Before must be of type float"),
        ({"Filter": {"Name": "a", "Before": True}}, "Filter.Before must be of type float"),
        ({"Filter": {"Name": "a", "Other": 1}}, "Unknown parameter Filter.Other"),
        ({"Filter": {}}, "Missing required parameter Filter.Name"),
        ({"Filter": ["Name"]}, "Filter must be of type dict"),
    ],
)
def test_list_items_and_structure_members(params: Mapping[str, Any], message: str | None) -> None:
    """Each item and each member is checked as its own Param, named by where it is."""
    ((name, value),) = params.items()
    assert NESTED[name].check(name, value) == message
    assert NESTED[name].accepts(value) is (message is None)
    if message is None:
        validate(params, NESTED, ERROR)
    else:
        with pytest.raises(AwsError, match=re.escape(message)):
            validate(params, NESTED, ERROR)
