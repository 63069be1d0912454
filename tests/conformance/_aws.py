"""What the conformance tests share: botocore's service models, the AWS pages copied into
`tests/data/` (a missing page fails its test: see `tests/data/README.md`), one service
alone on a control plane, and the error codes it raises."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import botocore.session
import pytest
from botocore.model import OperationModel, ServiceModel, Shape

from simulator.api.errors import AwsError
from simulator.api.iam import Permissions
from simulator.api.operations import ServiceErrors
from simulator.api.plane import ControlPlane, Identity
from simulator.engine.env import Simulation
from simulator.engine.rng import Streams
from simulator.services.base import ManagedService

DATA = Path(__file__).parent.parent / "data"
BOTOCORE_TYPES: dict[str, type] = {
    "string": str,
    "integer": int,
    "list": list,
    "boolean": bool,
    "timestamp": float,  # simulated seconds, in requests as in responses
    "structure": dict,
}
CALLER = Identity("caller", "123456789012", Permissions(["*"]))
"""A caller allowed every action."""
DENIED = Identity("denied", "123456789012", Permissions([]))
"""A caller allowed none."""


@functools.cache
def service_model(name: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(name)


@functools.cache
def reference_page(name: str, marker: str) -> str:
    """The AWS page `name` in tests/data, which must contain `marker` (its operation's
    heading)."""
    path = DATA / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: the conformance tests read the AWS pages from there")
    text = path.read_text(encoding="utf-8")
    assert marker in text, f"{name} is not the page of {marker.strip()}"
    return text


def page_errors(text: str) -> dict[str, int]:
    """{code: HTTP status} from the Errors section of an AWS API reference page."""
    section = text.split("\nErrors\n", 1)[1].split("\nSee Also\n", 1)[0]
    pattern = r"(?ms)^(\w+)\n\n.*?^HTTP Status Code: (\d{3})$"
    return {match[1]: int(match[2]) for match in re.finditer(pattern, section)}


def error_codes(op: OperationModel) -> set[str]:
    """The codes botocore matches to the operation's error shapes."""
    return {shape.metadata.get("error", {}).get("code") or shape.name for shape in op.error_shapes}


def error_statuses(op: OperationModel) -> dict[str, int]:
    """{code: HTTP status} of the operation's error shapes, as botocore has them."""
    return {
        shape.metadata.get("error", {}).get("code") or shape.name: shape.metadata["error"][
            "httpStatusCode"
        ]
        for shape in op.error_shapes
    }


def declared_statuses(errors: ServiceErrors) -> dict[str, int]:
    """{code: HTTP status} of the errors a service module declares."""
    return {spec.code: spec.http_status for spec in errors.all()}


def unanchored(pattern: str | None) -> str | None:
    """Our patterns are botocore's with ^...$ around them (we match with re.search)."""
    if pattern is None:
        return None
    assert pattern.startswith("^"), pattern
    assert pattern.endswith("$"), pattern
    return pattern[1:-1]


S = TypeVar("S", bound=ManagedService)


def alone(kind: type[S], settings: Any, fleet: Any) -> tuple[ControlPlane, S, Simulation]:
    """A service of `kind` with `settings` and one `fleet`, the only one on its control
    plane, its random streams from seed 7."""
    sim = Simulation(Streams(seed=7))
    service = kind(sim, settings)
    service.populate(fleet)
    plane = ControlPlane(sim)
    plane.register(service)
    return plane, service, sim


def raised_code(plane: ControlPlane, caller: Identity, name: str, params: dict[str, Any]) -> str:
    """The error code a request to the plane's one service raises, or "" when it succeeds."""
    (service,) = plane.services
    try:
        plane.handle(caller, service, name, params)
    except AwsError as error:
        return error.code
    return ""


def violations(value: Any, shape: Shape, where: str) -> Iterator[str]:
    """What in `value` botocore's `shape` would not have (timestamps: seconds, as ours)."""
    meta = shape.metadata
    if shape.type_name == "structure":
        if not isinstance(value, Mapping):
            yield f"{where}: not an object"
            return
        for name in set(value) - set(shape.members):
            yield f"{where}.{name}: no such member"
        for name in set(shape.required_members) - set(value):
            yield f"{where}.{name}: missing"
        for name, item in value.items():
            if name in shape.members:
                yield from violations(item, shape.members[name], f"{where}.{name}")
    elif shape.type_name == "list":
        if not isinstance(value, list) or not meta.get("min", 0) <= len(value) <= meta.get(
            "max", len(value)
        ):
            yield f"{where}: not a list of the allowed length"
            return
        for index, item in enumerate(value):
            yield from violations(item, shape.member, f"{where}[{index}]")
    elif shape.type_name == "string":
        if not isinstance(value, str):
            yield f"{where}: {value!r} is not a string"
        elif not meta.get("min", 0) <= len(value) <= meta.get("max", len(value)):
            yield f"{where}: {value!r} has a length out of [{meta.get('min')}, {meta.get('max')}]"
        elif "pattern" in meta and re.fullmatch(meta["pattern"], value) is None:
            yield f"{where}: {value!r} does not match {meta['pattern']}"
        elif "enum" in meta and value not in meta["enum"]:
            yield f"{where}: {value!r} is not one of {meta['enum']}"
    elif shape.type_name in {"integer", "long"}:
        if type(value) is not int or not meta.get("min", value) <= value <= meta.get("max", value):
            yield f"{where}: {value!r} is not an allowed integer"
    elif shape.type_name == "timestamp":
        if type(value) not in {int, float}:
            yield f"{where}: {value!r} is not a time"
    else:
        yield f"{where}: {shape.type_name} is not checked here"
