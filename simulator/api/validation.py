"""Request parameters checked as the service checks them: required, type, length, pattern.

Constraints are copied from the service's API page (and, where botocore has the service,
checked against its model by the tests). botocore's client checks only required, type and
`min`; the service checks `max` and `pattern` too. The simulator checks all of them
server-side and answers with the service's validation error, as the service would.

Every API attempt is validated, so a valid request takes a fast path; the messages are
composed only for an invalid one. A list's items (`items`) and a structure's members
(`members`: a `Filter`) are checked as the model constrains them too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Param:
    """One request member. Lengths count characters of a string, items of a list."""

    type: type = str
    required: bool = False
    min: int | None = None
    max: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None
    items: Param | None = None
    """Each item's constraints, for a list whose items the model constrains."""
    members: Mapping[str, Param] | None = field(default=None, hash=False)
    """A structure's members (`type` dict): a member it does not name is unknown."""
    _regex: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    accepts: Callable[[Any], bool] = field(init=False, repr=False, compare=False)
    """True when `check` would find nothing wrong: the fast path, one call per member."""

    def __post_init__(self) -> None:
        regex = re.compile(ecma_anchors(self.pattern)) if self.pattern is not None else None
        object.__setattr__(self, "_regex", regex)
        object.__setattr__(self, "accepts", self._compile())

    def _compile(self) -> Callable[[Any], bool]:
        low = -math.inf if self.min is None else self.min
        high = math.inf if self.max is None else self.max
        kind, search, enum, items = (
            self.type,
            self._regex and self._regex.search,
            self.enum,
            self.items,
        )
        if kind is str and enum is None:
            if search is None:
                return lambda v: type(v) is str and low <= len(v) <= high
            return lambda v: type(v) is str and low <= len(v) <= high and search(v) is not None
        if kind is list:
            if items is None:
                return lambda v: type(v) is list and low <= len(v) <= high
            item = items.accepts
            return lambda v: type(v) is list and low <= len(v) <= high and all(map(item, v))
        if kind is int:
            return lambda v: type(v) is int and low <= v <= high
        return lambda v: self.check("", v) is None

    def check(self, name: str, value: Any) -> str | None:
        """What is wrong with `value`, or None."""
        kind = type(value)
        if kind is not self.type and not (self.type is float and kind is int):
            return f"{name} must be of type {self.type.__name__}"
        sized = kind is str or kind is list
        size = len(value) if sized else value
        unit = " long" if sized else ""
        if self.min is not None and size < self.min:
            return f"{name} must be at least {self.min}{unit}"
        if self.max is not None and size > self.max:
            return f"{name} must be at most {self.max}{unit}"
        if self._regex is not None and self._regex.search(value) is None:
            return f"{name} must satisfy regular expression pattern: {self.pattern}"
        if self.enum is not None and value not in self.enum:
            return f"{name} must be one of {', '.join(self.enum)}"
        if self.items is not None:
            for index, item in enumerate(value):
                if (problem := self.items.check(f"{name}[{index}]", item)) is not None:
                    return problem
        if self.members is not None:
            found = problems(value, self.members, f"{name}.")
            return found[0] if found else None
        return None


class Unchanging(dict[str, Any]):
    """A request sent again and again as it is (a waiter's poll). Validating it once per
    operation gives the answer every later check would: the plane remembers it passed,
    which spares a tenth of the work of a stop followed by its polls."""

    __slots__ = ("valid_for",)

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)
        self.valid_for: object = None


def ecma_anchors(pattern: str) -> str:
    """`pattern` with each end anchor `$` (outside a character class) written `\\Z`.

    AWS patterns are ECMA-262 regexes, searched, not implicitly anchored; ECMA's `$` matches
    only at the end of the value, Python's also before a final newline, which would let
    "latest\\n" through as a ModelVersion.
    """
    out, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return "".join(out)


class Schema(dict[str, Param]):
    """An operation's request members, with its required ones named once."""

    def __init__(self, members: Mapping[str, Param]) -> None:
        super().__init__(members)
        self.required = tuple(name for name, param in members.items() if param.required)


def problems(params: Mapping[str, Any], schema: Mapping[str, Param], within: str = "") -> list[str]:
    """Everything wrong with a request (or with its structure member `within`, a prefix
    such as "Filter."), in the order the schema lists its members."""
    found = [f"Unknown parameter {within}{name}" for name in params if name not in schema]
    for name, param in schema.items():
        if name not in params:
            if param.required:
                found.append(f"Missing required parameter {within}{name}")
        elif (problem := param.check(within + name, params[name])) is not None:
            found.append(problem)
    return found


def validate(
    params: Mapping[str, Any], schema: Mapping[str, Param], error: Any, missing: Any = None
) -> None:
    """Raise `error` (an ErrorSpec) naming every problem, if there is one; `missing` instead
    when the only problem is an absent required member, for services that tell them apart
    (Neptune's MissingParameterException)."""
    members = schema if isinstance(schema, Schema) else Schema(schema)
    for name, value in params.items():
        param = members.get(name)
        if param is None or not param.accepts(value):
            raise error("; ".join(problems(params, members)))
    for name in members.required:
        if name not in params:
            raise (missing or error)("; ".join(problems(params, members)))
