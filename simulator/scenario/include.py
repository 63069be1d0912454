"""`include:` a scenario's fragments: files of service settings merged into it as it loads.

A fragment is what `simulate fit` writes: a YAML mapping with `services:` alone,

    services:
      rekognition:
        latency:
          stop: {kind: lognormal, median: 412.0, p95: 1391.5}

and a scenario pulls it in by its path, relative to the scenario's file:

    include: [fitted.yaml]

Fragments are merged in the order listed (a later one's values over an earlier one's), and
the scenario's own `services:` over them all: a mapping merges key by key, and any other
value (a number, a list, a distribution, which is a mapping with a `kind`) replaces the
fragment's whole. So a fitted latency is used unless the scenario itself states that
latency. Each fragment is checked on its own first: an error names the fragment's file,
line and field. The resolved scenario (`scenario.yaml` in a run directory) holds the merged
values and no `include`, so a run stays whole when its fragments move.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from simulator.errors import ScenarioError
from simulator.scenario.loader import Location, read_yaml, validate_scenario

FRAGMENT_KEYS: Final = frozenset({"services"})
"""What a fragment may hold: service settings, the part of a scenario data can calibrate."""
MAX_BYTES: Final = 1_000_000


def resolve(
    data: dict[str, Any], lines: dict[Location, int], source: str, base_dir: Path | None
) -> dict[str, Any]:
    """`data` with the fragments its `include:` names merged under its own `services:`."""
    names = data["include"]
    line = lines.get(("include",))
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise ScenarioError(
            "expected a list of fragment files (paths relative to the scenario), such as "
            "[fitted.yaml]",
            source=source,
            line=line,
            field="include",
        )
    merged: dict[str, Any] = {}
    for index, name in enumerate(names):
        path = Path(name) if Path(name).is_absolute() else (base_dir or Path.cwd()) / name
        at = lines.get(("include", index), line)
        fragment = read_fragment(path, f"include[{index}]", source, at)
        merged = merge(merged, fragment.get("services") or {})
    own = data.get("services")
    if own is None or isinstance(own, dict):
        return {**data, "services": merge(merged, own or {})}
    return data  # not a mapping: the scenario's own check says so


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` merged into `base`: mappings key by key, any other value (or a distribution,
    a mapping with a `kind`) replacing `base`'s whole."""
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        if isinstance(below, dict) and _mapping(value) and _mapping(below):
            merged[key] = merge(below, value)
        else:
            merged[key] = value
    return merged


def _mapping(value: object) -> bool:
    return isinstance(value, dict) and "kind" not in value


def read_fragment(
    path: Path, field: str | None = None, source: str | None = None, line: int | None = None
) -> dict[str, Any]:
    """The fragment at `path`, checked: a ScenarioError naming the fragment's file, line
    and field, or (where it cannot be read at all) the scenario's `field` and `line` that
    name it."""
    try:
        raw = _head(path)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        why = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        problem = f"cannot read the fragment {path}: {why}"
        if source is None:
            raise ScenarioError(problem).located(str(path)) from None
        raise ScenarioError(problem, source=source, line=line, field=field) from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError(f"larger than {MAX_BYTES:,} bytes: not a fragment").located(str(path))
    try:
        data, lines = read_yaml(text)
    except ScenarioError as error:
        raise error.located(str(path)) from None
    if not isinstance(data, dict) or "services" not in data:
        raise ScenarioError(
            "a fragment is a mapping with `services:` (service settings, as `simulate fit` "
            "writes them)",
            line=1,
        ).located(str(path))
    for key in data:
        if key not in FRAGMENT_KEYS:
            raise ScenarioError(
                f"a fragment holds only {', '.join(sorted(FRAGMENT_KEYS))}: put {key!r} in "
                "the scenario itself",
                line=lines.get((key,)),
                field=str(key),
            ).located(str(path))
    validate_scenario({"name": "fragment", "horizon": 1.0, **data}, str(path), path.parent, lines)
    return data


def is_fragment(path: Path) -> bool:
    """Whether the file at `path` reads as a fragment rather than a scenario: a mapping with
    `services:` and no `name` (which every scenario has)."""
    try:
        raw = _head(path)
        if len(raw) > MAX_BYTES:
            return False
        data, _ = read_yaml(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ScenarioError):
        return False
    return isinstance(data, dict) and "services" in data and "name" not in data


def _head(path: Path) -> bytes:
    """At most `MAX_BYTES` + 1 bytes of the regular file at `path`: never the endless
    contents of a device or a pipe (an OSError naming why for anything but a file)."""
    if not path.is_file():
        why = "not a regular file" if path.exists() else "No such file or directory"
        raise OSError(2, why, str(path))
    with path.open("rb") as file:
        return file.read(MAX_BYTES + 1)
