"""The `demand:` block: inference requests to hosted models, per fleet group.

Each entry says how many requests one group's models receive and when (a Poisson rate
shaped by a daily and weekly profile in a time zone, with bursts, or a replay of
per-minute counts), how a group total splits across its models, and how a model serves
them (`serving`). The requests themselves are drawn by `simulator.hosting.demand` and
what each met is derived after the run by `simulator.hosting.serving`: here is the
schema and the checks made as the scenario loads, each naming the field (or the replay
file's line) at fault.
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final, Literal, Self

from pydantic import (
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from simulator.engine.distributions import Duration, PositiveDuration
from simulator.engine.schema import Strict
from simulator.scenario.counts import check_rows, read_counts
from simulator.scenario.trace import TraceFile
from simulator.scenario.zones import DAY_MINUTES, minutes, weekdays, zone
from simulator.services.kit import SingleStepFleet

if TYPE_CHECKING:
    import pandas as pd

    from simulator.scenario.model import Scenario

HOSTED: Final = ("rekognition", "lookoutvision")
"""The services whose models serve inference requests (DetectCustomLabels, DetectAnomalies)."""
_PER: Final = {"s": 1.0, "min": 60.0, "h": 3600.0, "day": 86400.0}
_RATE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*/\s*(s|min|h|day)\s*$")
_SPAN = re.compile(r"^([0-9]{2}:[0-9]{2})-([0-9]{2}:[0-9]{2})$")


def parse_rate(value: object) -> object:
    """A rate as requests per second: a number is per second; text is `<n>/s`, `<n>/min`,
    `<n>/h` or `<n>/day`."""
    if isinstance(value, str):
        match = _RATE.match(value)
        if match is None:
            raise ValueError(
                f"expected a rate such as 5/s, 300/min, 20/h or 100/day, got {value!r}"
            )
        return float(match.group(1)) / _PER[match.group(2)]
    return value


class _RateJsonSchema:
    """The validator reads text too, which the float's own schema does not say."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"anyOf": [handler(core_schema), {"type": "string", "pattern": _RATE.pattern}]}


Rate = Annotated[float, Field(ge=0), BeforeValidator(parse_rate), _RateJsonSchema()]
"""Requests per second (`5/s`, `300/min`, `20/h`, `100/day`, or a number per second)."""


class Profile(Strict):
    """How the rate varies over the day and the week, in `time_zone`'s local time (so the
    business hours follow its daylight saving). Hours and days not listed get 0."""

    time_zone: str = Field(default="UTC", description="an IANA zone, e.g. Europe/Dublin")
    hours: dict[str, float] | tuple[float, ...] | None = Field(
        default=None,
        description="multipliers by local time: {'09:00-18:00': 1.0, ...} (unlisted: 0), or "
        "24 multipliers, one per hour from midnight; default 1 all day",
    )
    weekdays: dict[str, float] | None = Field(
        default=None,
        description="multipliers by day: {mon-fri: 1, sat: 0.2} (unlisted days: 0); "
        "default 1 every day",
    )

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, name: str) -> str:
        return zone(name)

    @field_validator("hours")
    @classmethod
    def _hours(
        cls, hours: dict[str, float] | tuple[float, ...] | None
    ) -> dict[str, float] | tuple[float, ...] | None:
        if isinstance(hours, tuple):
            if len(hours) != 24:
                raise ValueError(f"expected 24 multipliers (one per hour), got {len(hours)}")
            if any(not math.isfinite(h) or h < 0 for h in hours):
                raise ValueError("multipliers must be finite and >= 0")
        elif hours is not None:
            spans = sorted(cls._span(text, factor) for text, factor in hours.items())
            for (_, end, _f), (begin, _, _g) in itertools.pairwise(spans):
                if begin < end:
                    raise ValueError("the hours' ranges overlap")
        return hours

    @staticmethod
    def _span(text: str, factor: float) -> tuple[int, int, float]:
        match = _SPAN.match(text)
        if match is None:
            raise ValueError(f"expected a range 'HH:MM-HH:MM' (e.g. '09:00-18:00'), got {text!r}")
        try:
            begin, end = minutes(match.group(1)), minutes(match.group(2), end=True)
        except ValueError as error:
            raise ValueError(f"{text!r}: {error} (a day ends at 24:00)") from None
        if end <= begin:
            raise ValueError(
                f"{text!r}: the end is not after the begin; a range across midnight is two "
                "ranges (e.g. '22:00-24:00' and '00:00-06:00')"
            )
        if not math.isfinite(factor) or factor < 0:
            raise ValueError(f"{text!r}: a multiplier must be finite and >= 0")
        return begin, end, factor

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, weekdays: dict[str, float] | None) -> dict[str, float] | None:
        if weekdays is not None:
            seen: set[int] = set()
            for text, factor in weekdays.items():
                days = _days(text)
                if seen & set(days):
                    raise ValueError(f"{text!r}: a day is listed twice")
                seen |= set(days)
                if not math.isfinite(factor) or factor < 0:
                    raise ValueError(f"{text!r}: a multiplier must be finite and >= 0")
        return weekdays

    def minute_factors(self) -> list[float]:
        """The multiplier of each minute of a local day, from midnight (1440 values)."""
        if self.hours is None:
            return [1.0] * DAY_MINUTES
        if isinstance(self.hours, tuple):
            return [h for h in self.hours for _ in range(60)]
        factors = [0.0] * DAY_MINUTES
        for text, factor in self.hours.items():
            begin, end, _ = self._span(text, factor)
            factors[begin:end] = [factor] * (end - begin)
        return factors

    def day_factors(self) -> list[float]:
        """The multiplier of each day of the week, Monday first."""
        if self.weekdays is None:
            return [1.0] * 7
        factors = [0.0] * 7
        for text, factor in self.weekdays.items():
            for day in _days(text):
                factors[day] = factor
        return factors


def _days(text: str) -> list[int]:
    """The days (0 = Monday) `mon`, `mon-fri`, `sat,sun` name."""
    return sorted(weekdays(text))


class Burst(Strict):
    """A window in which the rate is multiplied: once (`at`) or every `every` (from
    `first`); overlapping bursts multiply. `at`, `every` and `first` count elapsed time
    from the start (UTC), not the profile's local clock: a daily burst beside a profile in
    a zone with daylight saving moves an hour against its local hours at each change
    (give the profile UTC, or one `at` burst a day, to pin it)."""

    at: Duration | None = Field(default=None, description="once, this long after the start")
    every: PositiveDuration | None = Field(
        default=None, description="recurring: the period (a minute at least)"
    )
    first: Duration = Field(default=0.0, description="with `every`: the first burst's start")
    duration: PositiveDuration
    multiplier: float = Field(ge=0)

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.at is None) == (self.every is None):
            raise ValueError("give exactly one of `at` and `every`")
        if self.every is not None and self.every < 60:  # a window each: bounded per minute
            raise ValueError(f"every: {self.every:g} s is shorter than a minute")
        if self.every is not None and self.duration > self.every:
            raise ValueError(
                f"duration: {self.duration:g} s is longer than every ({self.every:g} s)"
            )
        return self


class Popularity(Strict):
    """How a group's `total` (or a replay's group counts) splits across its models:
    `equal`; `zipf` (the model numbered i from 0 gets a share proportional to
    (i + 1)^-s); or `lognormal` (shares drawn, lognormal with `sigma`, on the group's
    demand stream): a few models called constantly, most rarely."""

    kind: Literal["equal", "zipf", "lognormal"] = "equal"
    s: float | None = Field(default=None, gt=0, description="zipf's exponent (default 1)")
    sigma: float | None = Field(default=None, gt=0, description="lognormal's (default 1)")

    @model_validator(mode="after")
    def _fits(self) -> Self:
        if self.s is not None and self.kind != "zipf":
            raise ValueError("`s` goes with kind: zipf")
        if self.sigma is not None and self.kind != "lognormal":
            raise ValueError("`sigma` goes with kind: lognormal")
        return self


class Serving(Strict):
    """How a model answers: up to `capacity_per_unit` requests per second per inference
    unit while RUNNING (Rekognition) or HOSTED (Lookout for Vision), the service's
    throttling error beyond; otherwise the service's error for a model not running, at
    once (`fail`) or after waiting up to `max_wait` for it to run (`wait`: a model that
    runs serves those that waited first, in the order they came, at its capacity)."""

    capacity_per_unit: float = Field(
        default=5.0,
        gt=0,
        description="requests per second one inference unit serves (ASSUMED: AWS publishes "
        "none; it depends on the model and the image)",
    )
    on_not_running: Literal["fail", "wait"] = Field(
        default="fail", description="`fail` at once, or `wait` for the model to run"
    )
    max_wait: PositiveDuration = Field(
        default=300.0, description="with `wait`: how long a requester waits before giving up"
    )


class Counts(TraceFile):
    """Per-minute request counts (CSV or Parquet): a `group` or a `resource` column, `minute`
    (minutes from the start, or an ISO timestamp within the minute) and `count`; the shape
    of public function-invocation traces and of a CloudWatch export of a model's count."""

    @staticmethod
    def read_file(path: Path) -> pd.DataFrame:
        return read_counts(path)


class Demand(Strict):
    """Inference requests to one group's models: `rate` per model, or a group `total`
    split by `popularity`, shaped by `profile` and `bursts`; or a `replay` of counts."""

    group: str
    rate: Rate | None = Field(default=None, description="per model, at multiplier 1")
    total: Rate | None = Field(default=None, description="the group's, split by popularity")
    profile: Profile = Profile()
    bursts: tuple[Burst, ...] = ()
    popularity: Popularity = Popularity()
    replay: Counts | None = None
    serving: Serving = Serving()

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [k for k in ("rate", "total", "replay") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of `rate`, `total`, `replay`"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.replay is not None:
            # as given, not as written: a sweep's variant writes every default out
            shaped = [k for k in ("profile", "bursts") if getattr(self, k) != _UNSHAPED[k]]
            if shaped:
                raise ValueError(
                    f"with `replay`, the counts say when: {shaped[0]} would be ignored"
                )
        if self.rate is not None and self.popularity != Popularity():
            raise ValueError("`popularity` splits a `total` (or a replay's group counts)")
        return self


_UNSHAPED: Final = {"profile": Profile(), "bursts": ()}
"""A demand's shape where none is given."""


def hosted_models(scenario: Scenario) -> dict[str, list[tuple[str, str, float]]]:
    """By group, its hosted models as (service, resource_id, units), numbered as
    `SingleStep.populate` numbers them (on from the last entry of the same numbering)."""
    numbered: dict[tuple[str, str], int] = {}
    groups: dict[str, list[tuple[str, str, float]]] = {}
    for fleet in scenario.fleet:
        if not isinstance(fleet, SingleStepFleet):
            continue
        first = numbered.get((fleet.service, fleet.numbering), 0)
        numbered[fleet.service, fleet.numbering] = first + fleet.count
        if fleet.service in HOSTED:
            models = groups.setdefault(fleet.group_name, [])
            models += [
                (fleet.service, fleet.resource_id(i), fleet.units)
                for i in range(first, first + fleet.count)
            ]
    return groups


def hosted_sizes(scenario: Scenario) -> dict[str, int]:
    """By group, how many hosted models it has, without listing them: a fleet's count may
    be huge, and the checks that ask run before the estimate refuses it."""
    sizes: dict[str, int] = {}
    for fleet in scenario.fleet:
        if isinstance(fleet, SingleStepFleet) and fleet.service in HOSTED:
            sizes[fleet.group_name] = sizes.get(fleet.group_name, 0) + fleet.count
    return sizes


def check_demand(scenario: Scenario) -> None:
    """Raise ValueError, naming `demand[i]` and the field (or the replay's file and line),
    for a group no hosted fleet entry has, a group given twice, or a replay row naming
    another group or model, or a minute outside the run."""
    if not scenario.demand:
        return
    groups = hosted_sizes(scenario)
    seen: set[str] = set()
    for index, demand in enumerate(scenario.demand):
        if demand.group not in groups:
            raise ValueError(
                f"demand[{index}].group: no rekognition or lookoutvision fleet entry has group "
                f"{demand.group!r}; groups are {', '.join(sorted(groups)) or 'none'}"
            )
        if demand.group in seen:
            raise ValueError(f"demand[{index}].group: {demand.group!r} has demand already")
        seen.add(demand.group)
        if demand.replay is not None:
            models = hosted_models(scenario)[demand.group]
            ids = {resource_id for _, resource_id, _ in models}
            problem = check_rows(
                demand.replay.trace,
                demand.replay.path,
                demand.group,
                ids,
                scenario.start,
                scenario.horizon,
            )
            if problem is not None:
                raise ValueError(f"demand[{index}].replay: {problem}")
