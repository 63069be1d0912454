"""What-if variants of a scenario: settings changed by dotted path, each validated whole.

    --vary callers.default.retry.mode=legacy,standard,adaptive        on the command line
    sweep: {grid: {PATH: [values]}}                                   in the scenario file
    sweep: {variants: [{name: late, set: {PATH: value}}], baseline: late}

A path points into the resolved scenario, every default written out, so a setting the file
never mentions (`services.rekognition.latency.stop`) can be varied. List items are numbered
(`requests.0.time_of_day` or `requests[0].time_of_day`); a key that holds dots (an instance
type, `ml.p3.2xlarge`) is matched whole. An entry may be added to a service's `throttle`,
`faults` or `prices` (`services.rekognition.throttle.StartProjectVersion.rate` beside a
throttled StopProjectVersion): the schema checks those names (an operation of the service;
any price item), so a typo there is its error. An entry may also be added to a request's
`parameters`, whose names nothing checks, unless its name is close to one there already (a
typo). Elsewhere the entry must exist: a new caller, say, would be one no request names.
Each variant is the resolved scenario with its values set, validated again as a whole, so
a path that leads nowhere or a value of the wrong type is an error naming the variant and
the path before anything runs.

Variants differ in settings only: they share the seed, so replication k of every variant
draws from the same named streams (common random numbers) and their differences are
measured on the same draws. That is why `seed` and `replications` cannot be varied.
"""

from __future__ import annotations

import difflib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel

from simulator.errors import ScenarioError
from simulator.scenario.loader import parse_value, validate_scenario
from simulator.scenario.model import Scenario

Vary = Mapping[str, Sequence[Any]]
"""A grid: dotted path -> the values it takes; every combination is a variant."""

_CHECKED: Final = frozenset({"throttle", "faults", "prices"})
"""Mappings a path may add an entry to whose names the schema checks: a new one is meant."""
_FREE: Final = frozenset({"parameters"})
"""Mappings a path may add an entry to whose names nothing checks: one close to a name there
already is taken for a typo of it."""
_SHARED: Final = {
    "seed": "every variant runs on the same seed (common random numbers); give --seed instead",
    "replications": "every variant runs the same replications; give --replications instead",
    "sweep": "the sweep block says what varies; it cannot vary itself",
}


@dataclass(frozen=True)
class Variant:
    """One what-if: its name, the value of every swept path in it, and its scenario."""

    name: str
    parameters: Mapping[str, Any]
    scenario: Scenario


def parse_vary(spec: str) -> tuple[str, list[Any]]:
    """`PATH=V1,V2,...` -> (PATH, values), each value read as YAML reads it: `5` an
    integer, `legacy` and `20:00` strings, `{rate: 5, burst: 10}` a mapping."""
    path, equals, values = spec.partition("=")
    if not equals or not path.strip() or not values.strip():
        raise ScenarioError(f"--vary {spec!r}: expected PATH=VALUE[,VALUE...]")
    try:
        parsed = parse_value(f"[{values}]", shown=values)
    except ScenarioError as error:
        raise ScenarioError(f"--vary {spec!r}: {error.problem}") from None
    if not isinstance(parsed, list) or not parsed:
        raise ScenarioError(f"--vary {spec!r}: expected PATH=VALUE[,VALUE...]")
    return path.strip(), parsed


def parse_grid(specs: Sequence[str]) -> dict[str, list[Any]]:
    """The grid the `--vary PATH=V1,V2,...` options make. A path given twice is an error:
    the second would silently replace the first's values."""
    grid: dict[str, list[Any]] = {}
    given: dict[str, str] = {}
    for spec in specs:
        path, values = parse_vary(spec)
        before = given.setdefault(_canonical(path), path)
        if before != path or path in grid:
            spelt = "" if before == path else f" (also as {before})"
            raise ScenarioError(
                f"--vary {path} is given twice{spelt}; give all its values in one --vary"
            )
        grid[path] = values
    return grid


def expand(
    scenario: Scenario,
    vary: Vary | None = None,
    *,
    baseline: str | None = None,
    source: str = "<scenario>",
    base_dir: Path | None = None,
) -> tuple[list[Variant], str]:
    """The variants of `scenario` and the name of the one the others are compared with.

    `vary` (a grid) replaces the scenario's own `sweep` block; without either, or with an
    empty grid (it varies nothing), there is one variant, `scenario`, the scenario as
    written. A path of the grid with no values is an error. `baseline` defaults to the
    block's, else the first variant. Every variant is validated (trace and CSV paths read
    from `base_dir`); all the problems found are raised together as one ScenarioError.
    """
    block = scenario.sweep
    if vary:
        settings = _grid(_checked(vary, source))
    elif vary is None and block is not None and block.grid is not None:
        settings = _grid(block.grid)
    elif vary is None and block is not None and block.variants is not None:
        settings = [(v.name, dict(v.set)) for v in block.variants]
    else:
        settings = [("scenario", {})]
    resolved = scenario.model_dump(mode="json", by_alias=True, exclude={"sweep"})
    # the regions the scenario's `region` gave are left to follow a variant's `region`
    inherit = {"sweep": True, **scenario.inherited_regions}
    unresolved = json.dumps(scenario.model_dump(mode="json", by_alias=True, exclude=inherit))
    paths = list(dict.fromkeys(path for _, changes in settings for path in changes))
    variants: list[Variant] = []
    problems: dict[str, ScenarioError] = {}
    for name, changes in settings:
        data = json.loads(unresolved)  # a deep copy of plain data
        try:
            for path, value in changes.items():
                _place(data, scenario, path, _plain(value))
        except ScenarioError as error:  # a path's problem, whatever its value: said once
            problems.setdefault(str(error.located(source)), error.located(source))
            continue
        try:
            varied = validate_scenario(data, f"{source}: variant {name}", base_dir)
        except ScenarioError as error:
            problems.update((str(p), p) for p in error.problems or (error,))
            continue
        parameters = {p: _plain(changes.get(p, _value_at(resolved, p))) for p in paths}
        variants.append(Variant(name, parameters, varied))
    if problems:
        found = list(problems.values())
        several = ScenarioError(f"{len(found)} problems", problems=found)
        raise found[0] if len(found) == 1 else several
    names = [variant.name for variant in variants]
    twice = next((name for name in names if names.count(name) > 1), None)
    if twice is not None:
        raise ScenarioError(f"two variants are named {twice!r}: a value is given twice")
    if baseline and baseline not in names:
        raise ScenarioError(
            f"no variant is named {baseline!r}; variants are {', '.join(names)}",
            field="--baseline",
        )
    chosen = baseline or (block.baseline if vary is None and block is not None else None)
    if chosen is not None and chosen not in names:
        raise ScenarioError(
            f"no variant is named {chosen!r}; variants are {', '.join(names)}",
            source=source,
            field="sweep.baseline",
        )
    return variants, chosen or names[0]


def _checked(vary: Vary, source: str) -> dict[str, list[Any]]:
    """The grid as lists of values, refused where a path has none (no variant would have
    it), its values are one text rather than a list, or it is given twice spelt two ways
    (`fleet[0].count`, `fleet.0.count`): the second would replace the first."""
    grid: dict[str, list[Any]] = {}
    given: dict[str, str] = {}
    for path, values in vary.items():
        if isinstance(values, str | bytes | Mapping):
            problem = f"expected a list of values, got {values!r}"
            raise ScenarioError(problem, field=path).located(source)
        if not values:
            raise ScenarioError("no values given; give at least one", field=path).located(source)
        before = given.setdefault(_canonical(path), path)
        if before != path:
            raise ScenarioError(
                f"the same path as {before}: give its values once", field=path
            ).located(source)
        grid[path] = list(values)
    return grid


def _grid(vary: Vary) -> list[tuple[str, dict[str, Any]]]:
    """Every combination of the grid's values, named by short path labels: `mode=legacy`."""
    labels = _labels(list(vary))
    combinations = itertools.product(*(list(values) for values in vary.values()))
    settings = []
    for values in combinations:
        changes = dict(zip(vary, values, strict=True))
        name = ",".join(f"{labels[p]}={_text(v)}" for p, v in changes.items())
        settings.append((name, changes))
    return settings


def _labels(paths: list[str]) -> dict[str, str]:
    """Each path's shortest dotted suffix that no other path ends with."""
    labels = {}
    for path in paths:
        parts = _parts(path)
        for size in range(1, len(parts) + 1):
            label = ".".join(parts[-size:])
            others = [o for o in paths if o != path and ".".join(_parts(o)[-size:]) == label]
            if not others:
                break
        labels[path] = label
    return labels


def _text(value: Any) -> str:
    """A value as it reads in a variant's name."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(_plain(value), separators=(",", ":"))


def _plain(value: Any) -> Any:
    """A value as JSON holds it: dates as ISO text, nested containers likewise."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _canonical(path: str) -> str:
    """A path spelt one way: `fleet[0].count` -> `fleet.0.count`."""
    return path.replace("[", ".").replace("]", "")


def _parts(path: str) -> list[str]:
    """`fleet[0].count` -> ['fleet', '0', 'count']."""
    parts = _canonical(path).split(".")
    if not path or any(not part for part in parts):
        raise ScenarioError(f"{path!r} is not a dotted path, e.g. requests.0.time_of_day")
    return parts


def _place(data: dict[str, Any], scenario: Scenario, path: str, value: Any) -> None:
    """Set `value` at `path` in the scenario's resolved `data`, walking the scenario beside
    it to tell a block of settings (fixed keys) from a mapping (keys the file chooses)."""
    parts = _parts(path)
    if parts[0] in _SHARED:
        raise ScenarioError(_SHARED[parts[0]], field=path)
    node: Any = data
    model: Any = scenario
    parent: Any = None
    position = 0
    while True:
        key, taken, child = _step(node, model, parent, parts, position, path)
        parent, model = model, child
        position += taken
        if position == len(parts):
            node[key] = value
            return
        if isinstance(node, dict) and node.get(key) is None:
            node[key] = {}  # a block left unset (`poisson`): validation says what it needs
        node = node[key]


def _step(
    node: Any, model: Any, parent: Any, parts: list[str], position: int, path: str
) -> tuple[str | int, int, Any]:
    """The key at `parts[position]` in `node`, how many parts it takes, and what the
    scenario holds there (None where the data is new). `parent` is what holds `model`: a
    block of settings whose field `parts[position - 1]` is a mapping may open it to new
    entries."""
    here = ".".join(parts[:position]) or "the scenario"
    part = parts[position]
    if isinstance(model, BaseModel):
        fields = {info.alias or name: name for name, info in type(model).model_fields.items()}
        if part not in fields:
            nearest = _nearest(part, list(fields))
            raise ScenarioError(f"{here} has no setting {part!r}{nearest}", field=path)
        return part, 1, getattr(model, fields[part])
    if isinstance(node, list):
        if not part.isdigit() or int(part) >= len(node):
            raise ScenarioError(
                f"{here} has {len(node)} item(s): expected an index from 0 to {len(node) - 1}",
                field=path,
            )
        return int(part), 1, model[int(part)]
    if not isinstance(node, dict):
        raise ScenarioError(f"{here} is a value ({node!r}), not a block of settings", field=path)
    size = _longest(node, parts[position:])
    if size:
        key = ".".join(parts[position : position + size])
        return key, size, model.get(key) if isinstance(model, Mapping) else None
    if model is None:  # data the path makes: validation says what it may hold
        return part, 1, None
    mapping = parts[position - 1] if isinstance(parent, BaseModel) else None
    if mapping in _CHECKED:
        return part, 1, None
    if mapping not in _FREE:
        raise ScenarioError(f"{here} has no {part!r}{_nearest(part, list(node))}", field=path)
    near = difflib.get_close_matches(part, list(node), n=1, cutoff=0.75)
    if near:
        raise ScenarioError(
            f"{here} has no {part!r}; did you mean {near[0]!r}? (a new entry is made only "
            "with a name unlike the others)",
            field=path,
        )
    return part, 1, None


def _longest(node: Mapping[str, Any], rest: list[str]) -> int:
    """How many of the parts in `rest` the longest existing key of `node` is made of (a key
    may hold dots: `ml.p3.2xlarge`); 0 if none is."""
    return next((n for n in range(len(rest), 0, -1) if ".".join(rest[:n]) in node), 0)


def _nearest(key: str, names: Sequence[str]) -> str:
    near = difflib.get_close_matches(key, list(names), n=3, cutoff=0.6)
    if near:
        return f"; did you mean {' or '.join(repr(n) for n in near)}?"
    return f"; it has {', '.join(names)}"


def _value_at(data: Any, path: str) -> Any:
    """The value at `path` in resolved data, None where there is none: a named variant
    that does not set a path another one sets keeps the scenario's value."""
    parts = _parts(path)
    position = 0
    while position < len(parts):
        part = parts[position]
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data, position = data[int(part)], position + 1
            continue
        size = _longest(data, parts[position:]) if isinstance(data, dict) else 0
        if size == 0:
            return None
        data = data[".".join(parts[position : position + size])]
        position += size
    return data
