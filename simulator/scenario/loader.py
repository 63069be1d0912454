"""Read a scenario file; every error names the file, the line, the field and what was wanted.

YAML is composed into nodes first, so each value's line is known; pydantic's error locations
are then mapped back to those lines. Booleans and numbers are read as YAML 1.2 (its core
schema) reads them, not as YAML 1.1 does: `20:00` is text, not the base-60 number 1200;
`010` is ten, not eight; `no` and `on` are text, and `true` and `false` the only booleans.
Dates and timestamps are still read as dates (`start: 2026-01-05`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import BaseModel, ValidationError

from simulator.errors import ScenarioError
from simulator.scenario.model import Scenario

Location = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader reading booleans and numbers as YAML 1.2's core schema does."""


def _construct_int(loader: _Loader, node: yaml.Node) -> int:
    """Decimal whatever its leading zeros; `0o17` octal and `0x1F` hexadecimal."""
    text = str(node.value)
    return int(text, 8 if text.startswith("0o") else 16 if text.startswith("0x") else 10)


_YAML_11 = {f"tag:yaml.org,2002:{kind}" for kind in ("bool", "int", "float")}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML_11]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _pattern, _first in (  # YAML 1.2.2, 10.3.2; int before float, which matches `10` too
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    ("float", r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)", "-+.0123456789"),
):  # fmt: skip
    _Loader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(rf"^(?:{_pattern})$"), list(_first)
    )
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


MAX_VALUES = 200_000
"""More values than any scenario writes by hand: past it, aliases nested in aliases are
expanding exponentially (a 'billion laughs'), and reading them would take the machine."""


_PLAIN_TAGS: Final = frozenset(
    f"tag:yaml.org,2002:{kind}"
    for kind in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp", "merge")
)
"""The tags of plain data. Any other (`!!python/object:...`, `!include`, `!!set`) would
ask for a construction a scenario never needs: refused by name rather than ignored."""


def _check_tag(node: yaml.Node, path: Location) -> None:
    if node.tag not in _PLAIN_TAGS:
        shown = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise ScenarioError(
            f"the YAML tag {shown} is not allowed: a scenario holds plain values (mappings, "
            "lists, text, numbers, true or false, dates), so remove the tag",
            line=node.start_mark.line + 1,
            field=_dotted(path) or None,
        )


def _construct(loader: _Loader, node: yaml.Node, path: Location, lines: dict[Location, int]) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    _check_tag(node, path)
    if len(lines) > MAX_VALUES:
        raise ScenarioError(
            f"the scenario expands to more than {MAX_VALUES:,} values: aliases (*name) "
            "nested in aliases repeat it exponentially",
            line=node.start_mark.line + 1,
        )
    if isinstance(node, yaml.MappingNode):
        own = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
        loader.flatten_mapping(node)  # merged (`<<: *anchor`) pairs first, then the node's own
        merged = len(node.value) - own
        mapping: dict[Any, Any] = {}
        own_keys: set[Any] = set()  # a merged key may be overridden, an own one not repeated
        for index, (key_node, value_node) in enumerate(node.value):
            _check_tag(key_node, path)
            key = _scalar(loader, key_node, path)
            if isinstance(key, list | dict):
                raise ScenarioError(
                    "a key must be a plain name, not a list or mapping",
                    line=key_node.start_mark.line + 1,
                    field=_dotted(path),
                )
            if index >= merged:
                if key in own_keys:
                    raise ScenarioError(
                        f"duplicate key {key!r}",
                        line=key_node.start_mark.line + 1,
                        field=_dotted(path),
                    )
                own_keys.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            mapping[key] = _construct(loader, value_node, (*path, key), lines)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _scalar(loader, node, path)


def _scalar(loader: _Loader, node: yaml.Node, path: Location) -> Any:
    """A value as YAML reads it; a value YAML cannot read (2026-13-01) is a located error."""
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, yaml.YAMLError) as error:
        raise ScenarioError(
            f"cannot read {node.value!r}: {error}",
            line=node.start_mark.line + 1,
            field=_dotted(path) or None,
        ) from None


def read_yaml(text: str) -> tuple[Any, dict[Location, int]]:
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as error:  # checked before parsing: no mark of its own
        row = text.count("\n", 0, error.position) + 1
        column = error.position - text.rfind("\n", 0, error.position)
        raise ScenarioError(
            f"column {column}: the character #x{error.character:04x} is not allowed in YAML "
            "(a control character or NUL byte): remove it, or write it escaped in double "
            'quotes ("\\x01")',
            line=row,
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[Location, int] = {}
        return _construct(loader, node, (), lines), lines
    except RecursionError:
        raise ScenarioError("an alias refers to itself (endless nesting)") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or str(error)
        raise ScenarioError(f"this is not valid YAML: {problem}", line=line) from None
    finally:
        loader.dispose()


def _dotted(path: Location) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_ABSENT = object()


def _child(data: Any, part: str | int) -> Any:
    if isinstance(data, Mapping):
        return data.get(part, _ABSENT)
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return _ABSENT


def _real_path(data: Any, loc: Location, names_key: bool) -> Location:
    """The part of pydantic's location that names keys in the data (it adds union tags).

    When the error `names_key` (extra or missing), its last part is that key: kept.
    """
    path: list[str | int] = []
    for position, part in enumerate(loc):
        child = _child(data, part)
        if child is not _ABSENT:
            data = child
        elif not names_key or position < len(loc) - 1 or not isinstance(data, Mapping):
            continue
        path.append(part)
    return tuple(path)


_FIELD_PREFIX = re.compile(r"^([A-Za-z_][\w.]*(?:\[\d+\])?(?:\.[A-Za-z_]\w*)*): (.*)$", re.S)


def _refine(path: Location, message: str) -> tuple[Location, str]:
    """A validator's message that starts with 'field: ' names a field below `path`."""
    match = _FIELD_PREFIX.match(message)
    if match is None:
        return path, message
    parts: list[str | int] = []
    for token in re.findall(r"[A-Za-z_]\w*|\[\d+\]", match.group(1)):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return (*path, *parts), match.group(2)


_KEY_ERRORS = frozenset({"extra_forbidden", "missing"})


def _message(error: Mapping[str, Any]) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return "unknown key (not part of the schema; check its spelling)"
    if kind == "missing":
        return "required, but missing"
    message = re.sub(r"^Value error, ", "", message)
    given = error.get("input")
    if kind not in {"value_error", "union_tag_invalid"} and not isinstance(given, dict | list):
        message += f" (got {given!r})"
    return message


def parse_scenario(text: str, source: str = "<scenario>", base_dir: Path | None = None) -> Scenario:
    """A validated scenario from YAML text; ScenarioError names `source` and the line."""
    try:
        data, lines = read_yaml(text)
    except ScenarioError as error:
        raise error.located(source) from None
    if not isinstance(data, dict):
        raise ScenarioError("expected a mapping of scenario fields at the top", line=1).located(
            source
        )
    if "include" in data:  # fragments of service settings, merged under the scenario's own
        from simulator.scenario.include import resolve

        data = resolve(data, lines, source, base_dir)
    return validate_scenario(data, source, base_dir, lines)


def validate_scenario(
    data: dict[str, Any],
    source: str,
    base_dir: Path | None = None,
    lines: Mapping[Location, int] | None = None,
) -> Scenario:
    """A validated scenario from data as YAML reads it; ScenarioError names `source`, each
    field and, where `lines` tells it, the line. Trace and CSV paths are read from
    `base_dir`."""
    known = lines or {}
    controlled = [
        ScenarioError(
            f"the text holds the control character #x{ord(character):02x}: a scenario's text "
            "holds none (printed, they would drive the terminal)",
            line=_line(known, path),
            field=_dotted(path) or None,
        )
        for path, character in _control_characters(data, ())
    ]
    if controlled:
        raise ScenarioError.several(source, controlled)
    try:
        scenario = Scenario.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as validation:
        problems = []
        for detail in validation.errors():
            names_key = detail["type"] in _KEY_ERRORS
            path, message = _refine(_real_path(data, detail["loc"], names_key), _message(detail))
            problems.append(ScenarioError(message, line=_line(known, path), field=_dotted(path)))
        raise ScenarioError.several(source, problems) from None
    taken = [
        ScenarioError(
            f"expected a number, got {str(value).lower()} (true and false are not 1 and 0)",
            line=_line(known, path),
            field=_dotted(path),
        )
        for path, value in _booleans_as_numbers(data, scenario, ())
    ]
    if taken:
        raise ScenarioError.several(source, taken)
    return scenario


_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 control characters but tab and newline (a description may have lines)."""


def _control_characters(data: Any, path: Location) -> Iterator[tuple[Location, str]]:
    """Each key or text in `data` holding a control character, with the first it holds."""
    if isinstance(data, str):
        found = _CONTROL.search(data)
        if found is not None:
            yield path, found.group()
    elif isinstance(data, dict):
        for key, item in data.items():
            yield from _control_characters(key, path)
            yield from _control_characters(item, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _control_characters(item, (*path, index))


def _line(known: Mapping[Location, int], path: Location) -> int | None:
    """The line of `path`, or of the nearest enclosing value whose line is known."""
    return next((known[path[:n]] for n in range(len(path), -1, -1) if path[:n] in known), None)


def _booleans_as_numbers(data: Any, value: Any, path: Location) -> list[tuple[Location, bool]]:
    """Where `data` (as YAML read it) holds true or false and the validated `value` holds
    something else: a count, probability or seed that pydantic's lax mode read as 1 or 0.
    A field that takes any value (a request's parameters, a variant's settings) keeps the
    boolean, and a boolean field is one: neither is reported."""
    if isinstance(data, bool):
        return [] if isinstance(value, bool) else [(path, data)]
    found: list[tuple[Location, bool]] = []
    if isinstance(data, dict):
        for key, item in data.items():
            child = _attribute(value, key)
            if child is not _ABSENT:
                found += _booleans_as_numbers(item, child, (*path, key))
    elif isinstance(data, list) and isinstance(value, list | tuple) and len(data) == len(value):
        for index, (item, child) in enumerate(zip(data, value, strict=True)):
            found += _booleans_as_numbers(item, child, (*path, index))
    return found


def _attribute(value: Any, key: Any) -> Any:
    """The validated counterpart of `key`: a model's field (by name or alias) or an item."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        name = next((n for n, f in fields.items() if key in (n, f.alias)), None)
        return getattr(value, name) if name is not None else _ABSENT
    if isinstance(value, Mapping):
        return value.get(key, _ABSENT)
    return _ABSENT


def parse_value(text: str, shown: str | None = None) -> Any:
    """A value written as a scenario file reads it (YAML 1.2): `5` an integer, `legacy`,
    `no` and `20:00` strings, `true` a boolean, `[a, b]` a list. An error names `shown`,
    the text as its user wrote it (default: `text`)."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        problem = error.problem if isinstance(error, yaml.MarkedYAMLError) else None
        named = text if shown is None else shown
        raise ScenarioError(f"cannot read {named!r} as YAML: {problem or error}") from None


MAX_BYTES = 10_000_000
"""More than a scenario written by hand, or generated, ever holds: past it the file is
another file (a log, a data set, /dev/zero), and reading it would take the memory."""


def load_scenario(path: str | Path) -> Scenario:
    """The scenario in the file at `path`; ScenarioError naming the file if it is not a
    regular file of UTF-8 text of at most `MAX_BYTES`, or not a valid scenario."""
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        raise ScenarioError("not a regular file (a device, a pipe or a socket)").located(str(path))
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise ScenarioError(f"larger than {MAX_BYTES:,} bytes: not a scenario file").located(
                str(path)
            )
        text = data.decode("utf-8")
    except OSError as error:
        raise ScenarioError(f"cannot read the scenario: {error.strerror}").located(
            str(path)
        ) from None
    except UnicodeDecodeError as error:
        column = error.start - data.rfind(b"\n", 0, error.start)
        raise ScenarioError(
            f"column {column}: the scenario is not UTF-8 text: {error.reason} "
            f"(byte #x{data[error.start]:02x})",
            line=data.count(b"\n", 0, error.start) + 1,
        ).located(str(path)) from None
    return parse_scenario(text, str(path), path.parent)
