"""What the conformance tests share: botocore's service models, the AWS pages copied into
`tests/data/` (a missing page fails its test: see `tests/data/README.md`), one service
alone on a control plane, and the error codes it raises."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, TypeVar

import botocore.session
import pytest
from botocore.model import OperationModel, ServiceModel

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
