"""The scenario's JSON Schema (`simulate schema`): standard Draft 2020-12, and it accepts what
the loader accepts, as an editor reads a scenario (YAML 1.2: a date is text)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_specifications
import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from simulator.engine.durations import DURATION_PATTERN, parse_duration
from simulator.engine.schema import DATETIME_PATTERN
from simulator.output import resolved_yaml
from simulator.scenario import load_scenario
from simulator.scenario.loader import _Loader
from simulator.scenario.model import Scenario
from simulator.scenario.variants import expand

ROOT = Path(__file__).parent.parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("**/*.yaml"))  # automation/ too
SCHEMA = Scenario.model_json_schema(by_alias=True)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


class EditorLoader(_Loader):
    """The loader's YAML 1.2 reading without timestamps, as YAML 1.2 editors read a file:
    `start: 2026-01-05T00:00:00Z` is text there, which the schema must accept."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


def as_editor_reads(text: str) -> Any:
    return yaml.load(text, Loader=EditorLoader)  # a SafeLoader: builds no objects


def errors(document: Any) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in VALIDATOR.iter_errors(document)
    ]


# -- the vocabulary ------------------------------------------------------------------------

_DRAFT = "https://json-schema.org/draft/2020-12/"
_META = jsonschema_specifications.REGISTRY.contents(_DRAFT + "schema")
VOCABULARY = frozenset(
    keyword
    for part in _META["allOf"]  # core, applicator, unevaluated, validation, meta-data, ...
    for keyword in jsonschema_specifications.REGISTRY.contents(_DRAFT + part["$ref"])["properties"]
)
"""The keywords of Draft 2020-12's vocabularies, as its metaschema lists them (without the
top metaschema's deprecated `definitions` and `dependencies`)."""
_SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "dependentSchemas"}
_SCHEMA_LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}
_DATA = {"default", "examples", "const", "enum"}


def keywords(schema: Any, where: str = "#") -> Iterator[tuple[str, str]]:
    """Every (location, keyword) in a schema: the keys of each subschema, not of the maps
    of subschemas (`properties`) nor of data (`default`)."""
    if isinstance(schema, bool):
        return
    for key, value in schema.items():
        yield where, key
        if key in _SCHEMA_MAPS:
            for name, sub in value.items():
                yield from keywords(sub, f"{where}/{key}/{name}")
        elif key in _SCHEMA_LISTS:
            for index, sub in enumerate(value):
                yield from keywords(sub, f"{where}/{key}/{index}")
        elif key not in _DATA and isinstance(value, dict | bool):
            yield from keywords(value, f"{where}/{key}")


def test_the_vocabulary_is_draft_2020_12s() -> None:
    assert {"anyOf", "pattern", "$defs", "additionalProperties", "format", "title"} <= VOCABULARY
    assert not {"discriminator", "definitions", "ge", "gt", "nullable"} & VOCABULARY


def test_the_walk_finds_a_keyword_anywhere() -> None:
    nested = {"$defs": {"A": {"anyOf": [{"properties": {"x": {"gt": 0, "default": {"ge": 1}}}}]}}}
    assert ("#/$defs/A/anyOf/0/properties/x", "gt") in set(keywords(nested))
    assert "ge" not in {key for _, key in keywords(nested)}  # inside a default: data


def test_the_schema_uses_only_draft_2020_12_keywords() -> None:
    unknown = sorted({(where, key) for where, key in keywords(SCHEMA) if key not in VOCABULARY})
    assert unknown == []


def test_the_schema_is_a_valid_draft_2020_12_schema_and_says_so() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_simulate_schema_prints_this_schema() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "simulator", "schema"], capture_output=True, text=True, check=True
    )
    assert json.loads(printed.stdout) == SCHEMA


# -- the shipped scenarios, and their resolved forms ---------------------------------------


def test_every_scenario_file_validates_against_the_schema() -> None:
    assert len(SCENARIOS) >= 9
    problems = {p.name: errors(as_editor_reads(p.read_text())) for p in SCENARIOS}
    assert problems == {p.name: [] for p in SCENARIOS}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_resolved_scenario_validates_against_the_schema(path: Path) -> None:
    """What a run directory's scenario.yaml holds is a scenario too: every default written
    out (distributions as mappings, `start` as ISO text), seed and replications."""
    scenario = load_scenario(path)
    resolved = yaml.safe_load(resolved_yaml(scenario, seed=3, replications=2))
    assert errors(resolved) == []


SWEEPS = [p for p in SCENARIOS if load_scenario(p).sweep is not None]


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_every_variant_of_a_sweep_block_validates_against_the_schema(path: Path) -> None:
    variants, _ = expand(load_scenario(path), base_dir=path.parent)
    assert len(variants) >= 3
    for variant in variants:
        resolved = yaml.safe_load(resolved_yaml(variant.scenario, seed=0, replications=1))
        assert errors(resolved) == [], variant.name


# -- what the schema refuses --------------------------------------------------------------

NIGHTLY = (ROOT / "scenarios" / "rekognition-nightly-stop.yaml").read_text()


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("horizon: 7d", "horizn: 7d", ""),  # misspelt: unknown key, and horizon missing
        ("horizon: 7d", "horizon: 7 days", "horizon"),
        ("horizon: 7d", "horizon: -7d", "horizon"),
        ("horizon: 7d", "horizon: 1m30", "horizon"),
        ("horizon: 7d", "horizon: 0", "horizon"),  # must be longer than zero
        ('time_of_day: "20:00"', 'time_of_day: "25:00"', "requests.0.time_of_day"),
        ("start: 2026-01-05T00:00:00Z", "start: 2026-01-05T00:00:00 UTC", "start"),
        ("start: 2026-01-05T00:00:00Z", "start: 5 January 2026", "start"),
    ],
)
def test_a_bad_scenario_fails_the_schema_where_it_is_bad(old: str, new: str, where: str) -> None:
    assert NIGHTLY.count(old) >= 1
    found = errors(as_editor_reads(NIGHTLY.replace(old, new, 1)))
    assert found, f"{new!r} passed the schema"
    assert all(e.startswith(f"{where}:") for e in found), found
    if new.startswith("horizn"):
        assert any("'horizn' was unexpected" in e for e in found)
        assert any("'horizon' is a required property" in e for e in found)


def test_a_bad_distribution_fails_the_schema() -> None:
    latency = "{stop: {kind: lognormal, median: 2m, p59: 5m}}"
    text = NIGHTLY.replace(
        "horizon: 7d", f"horizon: 7d\nservices:\n  rekognition:\n    latency: {latency}"
    )
    assert errors(as_editor_reads(text))
    good = text.replace("p59", "p95")
    assert errors(as_editor_reads(good)) == []


def test_a_monthly_price_is_in_the_schema_and_not_with_an_hourly_one() -> None:
    price = (
        "services:\n  comprehend:\n    prices:\n      model_management: {%s, statuses: [TRAINED]}"
    )
    monthly = NIGHTLY + price % "usd_per_month: 0.5"
    assert errors(as_editor_reads(monthly)) == []
    both = NIGHTLY + price % "usd_per_month: 0.5, usd_per_hour: 1"
    assert errors(as_editor_reads(both))


# -- the patterns say what the parsers read ------------------------------------------------

DURATIONS = [
    "90s", "20m", "1h30m", "7d", "2w", "1.5h", "250ms", "1m250ms", " 1h 30m ", "1 h 30 m",
    "90", "2.5", "0s", "0", "-5m", "-5", "abc", "", "   ", "5x", "inf", "nan", "m", "1m30",
    "h1", "1e3", "+5", "5.", ".5", "1_000", "1h-30m", "1h,30m", "1.h", "1m s", "30 s",
]  # fmt: skip


def _parses(value: str) -> bool:
    try:
        parse_duration(value)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("text", DURATIONS)
def test_the_duration_pattern_accepts_what_parse_duration_reads(text: str) -> None:
    assert (re.search(DURATION_PATTERN, text) is not None) == _parses(text)


DATETIMES = [
    "2026-01-05", "2026-01-05T00:00", "2026-01-05 00:00:00", "2026-01-05T00:00:00Z",
    "2026-01-05t08:30:00z", "2026-01-05_00:00", "2026-01-05T00:00:00+01:00",
    "2026-01-05T00:00:00-0530", "2026-01-05T00:00Z", "2026-01-05T00:00:00.123456Z",
    "2026-01-05T00:00:00,5", "2026-1-5", "2026-01-05T00", "2026-01-05T24:00:00",
    "2026-01-05T00:00:60", "2026-01-05T00:00:00 Z", "2026-01-05T00:00:00UTC", "2026-13-01",
    "2026-01-32", "2026-01-05Z", "2026-01-05T00:00:00+01", "2026-01-05T00:00.5", "now",
    " 2026-01-05",
]  # fmt: skip
_DATETIME: TypeAdapter[datetime] = TypeAdapter(datetime)


def _reads_as_datetime(text: str) -> bool:
    try:
        _DATETIME.validate_python(text)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("text", DATETIMES)
def test_the_datetime_pattern_accepts_what_pydantic_reads(text: str) -> None:
    assert (re.search(DATETIME_PATTERN, text) is not None) == _reads_as_datetime(text)
