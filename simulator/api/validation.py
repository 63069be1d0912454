"""Request parameters checked as the service checks them: required, type, length, pattern.

Constraints are copied from the service's API page (and, where botocore has the service,
checked against its model by the tests). botocore's client checks only required, type and
`min`; the service checks `max` and `pattern` too. The simulator checks all of them
server-side and answers with the service's validation error, as the service would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sized
from dataclasses import dataclass
from typing import Any, cast

from simulator.api.errors import AwsError, ErrorSpec


@dataclass(frozen=True)
class Param:
    """One request member. Lengths count characters of a string, items of a list."""

    type: type = str
    required: bool = False
    min: int | None = None
    max: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None

    def check(self, name: str, value: Any) -> str | None:
        """What is wrong with `value`, or None."""
        if not isinstance(value, self.type) or isinstance(value, bool) is not (self.type is bool):
            return f"{name} must be of type {self.type.__name__}"
        size: float = value if isinstance(value, int | float) else len(cast("Sized", value))
        unit = "" if isinstance(value, int | float) else " long"
        if self.min is not None and size < self.min:
            return f"{name} must be at least {self.min}{unit}"
        if self.max is not None and size > self.max:
            return f"{name} must be at most {self.max}{unit}"
        if self.pattern is not None and not re.search(self.pattern, str(value)):
            return f"{name} must satisfy regular expression pattern: {self.pattern}"
        if self.enum is not None and value not in self.enum:
            return f"{name} must be one of {', '.join(self.enum)}"
        return None


def validate(params: Mapping[str, Any], schema: Mapping[str, Param], error: ErrorSpec) -> None:
    """Raise `error` on the first problem, in the order the schema lists its members."""
    problems = [f"Unknown parameter {name}" for name in params if name not in schema]
    for name, param in schema.items():
        if name not in params:
            if param.required:
                problems.append(f"Missing required parameter {name}")
        elif (problem := param.check(name, params[name])) is not None:
            problems.append(problem)
    if problems:
        raise AwsError(error, "; ".join(problems))
