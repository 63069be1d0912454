"""What the conformance tests share: botocore's service models and the AWS pages kept in
the shared seeds (outside the repository: a test that needs a missing page is skipped)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import botocore.session
import pytest
from botocore.model import ServiceModel

SEEDS = Path("/work/shared/seeds")
BOTOCORE_TYPES: dict[str, type] = {"string": str, "integer": int, "list": list, "boolean": bool}


@functools.cache
def service_model(name: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(name)


@functools.cache
def seed_page(name: str, marker: str) -> str:
    """The seed page `name`, which must contain `marker` (its operation's heading)."""
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    text = path.read_text(encoding="utf-8")
    assert marker in text, f"{name} is not the page of {marker.strip()}"
    return text


def page_errors(text: str) -> dict[str, int]:
    """{code: HTTP status} from the Errors section of an AWS API reference page."""
    section = text.split("\nErrors\n", 1)[1].split("\nSee Also\n", 1)[0]
    pattern = r"(?ms)^(\w+)\n\n.*?^HTTP Status Code: (\d{3})$"
    return {match[1]: int(match[2]) for match in re.finditer(pattern, section)}
