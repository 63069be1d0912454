"""Probability distributions of latencies and other quantities, each with `draw` and `mean`.

A distribution is frozen data (a pydantic model, so the scenario schema uses it as it is)
plus two pieces of behaviour: `draw(generator, size)` for a block of values and `mean` for
the closed form that statistical tests compare simulations against. In a scenario file a
bare number or duration ("2m") is a fixed value; otherwise `kind` names the distribution:

    {kind: lognormal, median: 2m, p95: 5m}
    {kind: mixture, components: [{weight: 0.9, of: 30s},
                                 {weight: 0.1, of: {kind: exponential, mean: 10m}}]}

Parameters that are times accept durations; a bare number is seconds (or the quantity's unit).
The JSON Schema of a `Duration` and of a `Distribution` says so: a number, or text matching
the duration grammar, or (a distribution) a mapping with `kind`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from simulator.engine.durations import DURATION_PATTERN, parse_duration
from simulator.engine.schema import Strict


def duration_json_schema(number: JsonSchemaValue) -> JsonSchemaValue:
    """A duration's JSON Schema: `number` (seconds, with the field's bounds), or text."""
    return {"anyOf": [number, {"type": "string", "pattern": DURATION_PATTERN}]}


class _DurationJsonSchema:
    """The validator reads text too, which the float's own schema does not say."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return duration_json_schema(handler(core_schema))


# The bound comes before the validator, so that pydantic applies it, and a field's own
# bounds (`Field(gt=0)`), to the float the text became, and says them in the JSON Schema;
# a bound added after (to a union with None, or in an outer Annotated) reaches the schema
# as pydantic's own `gt`, which JSON Schema does not know.
Duration = Annotated[float, Field(ge=0), BeforeValidator(parse_duration), _DurationJsonSchema()]
"""Seconds; accepts a number or a human duration. Used across the scenario schema."""
PositiveDuration = Annotated[
    float, Field(gt=0), BeforeValidator(parse_duration), _DurationJsonSchema()
]
"""A duration longer than zero: what `PositiveDuration | None` needs, as the bound cannot be
given on the union."""

Z95 = 1.6448536269514722  # standard normal quantile at 0.95


class _Distribution(Strict):
    def draw(self, generator: np.random.Generator, size: int) -> np.ndarray:
        raise NotImplementedError

    @property
    def mean(self) -> float:
        raise NotImplementedError


class Fixed(_Distribution):
    kind: Literal["fixed"] = "fixed"
    value: Duration

    def draw(self, generator: np.random.Generator, size: int) -> np.ndarray:
        return np.full(size, self.value)

    @property
    def mean(self) -> float:
        return self.value


class Uniform(_Distribution):
    kind: Literal["uniform"] = "uniform"
    low: Duration
    high: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low <= self.high:
            raise ValueError(f"low(={self.low}) must be <= high(={self.high})")
        return self

    def draw(self, generator: np.random.Generator, size: int) -> np.ndarray:
        return generator.uniform(self.low, self.high, size)

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2


class Exponential(_Distribution):
    kind: Literal["exponential"] = "exponential"
    mean_: Duration = Field(alias="mean", gt=0)

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    def draw(self, generator: np.random.Generator, size: int) -> np.ndarray:
        return generator.exponential(self.mean_, size)

    @property
    def mean(self) -> float:
        return self.mean_


class Lognormal(_Distribution):
    """Given by its median and 95th percentile, the two figures people actually know."""

    kind: Literal["lognormal"] = "lognormal"
    median: Duration = Field(gt=0)
    p95: Duration

    @model_validator(mode="after")
    def _spread(self) -> Lognormal:
        if not self.p95 > self.median:
            raise ValueError(f"p95(={self.p95}) must be > median(={self.median})")
        return self

    @property
    def mu(self) -> float:
        return math.log(self.median)

    @property
    def sigma(self) -> float:
        return (math.log(self.p95) - self.mu) / Z95

    def draw(self, generator: np.random.Generator, size: int) -> np.ndarray:
        return generator.lognormal(self.mu, self.sigma, size)

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma**2 / 2)


class Gamma(_Distribution):
    """Given by mean and shape (shape 1 is exponential; larger is more regular)."""

    kind: Literal["gamma"] = "gamma"
    mean_: Duration = Field(alias="mean", gt=0)
    shape: float = Field(gt=0)

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    def draw(self, generator: np.random.Generator, size: int) -> np.ndarray:
        return generator.gamma(self.shape, self.mean_ / self.shape, size)

    @property
    def mean(self) -> float:
        return self.mean_


class Weibull(_Distribution):
    """Given by shape and scale, as `scipy.stats.weibull_min(shape, scale=scale)`: shape
    below 1, most ends come early and the tail is long; 1 is exponential (mean `scale`);
    above 1, the longer it has lasted, the sooner it ends. Survival: exp(-(x/scale)^shape)."""

    kind: Literal["weibull"] = "weibull"
    shape: float = Field(gt=0)
    scale: Duration = Field(gt=0)

    def draw(self, generator: np.random.Generator, size: int) -> np.ndarray:
        return self.scale * generator.weibull(self.shape, size)

    @property
    def mean(self) -> float:
        return self.scale * math.gamma(1 + 1 / self.shape)


class Triangular(_Distribution):
    kind: Literal["triangular"] = "triangular"
    low: Duration
    mode: Duration
    high: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"need low(={self.low}) <= mode(={self.mode}) <= high(={self.high}), low < high"
            )
        return self

    def draw(self, generator: np.random.Generator, size: int) -> np.ndarray:
        return generator.triangular(self.low, self.mode, self.high, size)

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3


class Empirical(_Distribution):
    """Resamples observed values: given inline, or as a column of a CSV file.

    A relative `csv` path is read relative to the scenario file that names it.
    """

    kind: Literal["empirical"] = "empirical"
    values: tuple[Duration, ...] = ()
    # Once read, the values stand for the file: a resolved scenario carries them, not it.
    csv: Path | None = Field(default=None, exclude=True)
    column: str | None = Field(default=None, exclude=True)

    @field_validator("csv")
    @classmethod
    def _relative_to_scenario(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        base = (info.context or {}).get("base_dir")
        if path is not None and not path.is_absolute() and base is not None:
            return Path(base) / path
        return path

    @model_validator(mode="after")
    def _load(self) -> Empirical:
        if (self.csv is None) == (not self.values):
            raise ValueError("give either `values` or `csv` (with `column`), not both")
        if self.csv is not None:
            if self.column is None:
                raise ValueError("`csv` needs `column`: the name of the column to resample")
            object.__setattr__(self, "values", _read_column(self.csv, self.column))
        if not all(v >= 0 for v in self.values):
            raise ValueError("values must be non-negative numbers")
        return self

    def draw(self, generator: np.random.Generator, size: int) -> np.ndarray:
        return np.asarray(generator.choice(np.asarray(self.values, dtype=float), size))

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))


def _read_column(path: Path, column: str) -> tuple[float, ...]:
    import pandas as pd  # only when a scenario names a file

    try:
        frame = pd.read_csv(path, usecols=[column])
    except FileNotFoundError:
        raise ValueError(f"no such file: {path}") from None
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from None
    except ValueError:
        raise ValueError(f"{path} has no column {column!r}") from None
    values = frame[column].dropna()
    if values.empty:
        raise ValueError(f"column {column!r} of {path} has no values")
    try:
        return tuple(float(v) for v in values.map(parse_duration))
    except ValueError as error:
        raise ValueError(f"column {column!r} of {path}: {error}") from None


class Component(Strict):
    weight: float = Field(gt=0)
    of: Distribution


class Mixture(_Distribution):
    """With probability weight/sum(weights), a draw comes from that component."""

    kind: Literal["mixture"] = "mixture"
    components: tuple[Component, ...] = Field(min_length=1)

    @property
    def probabilities(self) -> np.ndarray:
        weights = np.array([c.weight for c in self.components])
        return np.asarray(weights / weights.sum())

    def draw(self, generator: np.random.Generator, size: int) -> np.ndarray:
        chosen = generator.choice(len(self.components), size, p=self.probabilities)
        out = np.empty(size)
        for index, component in enumerate(self.components):
            where = chosen == index
            out[where] = component.of.draw(generator, int(where.sum()))
        return out

    @property
    def mean(self) -> float:
        return float(
            sum(p * c.of.mean for p, c in zip(self.probabilities, self.components, strict=True))
        )


def _fixed_shorthand(value: Any) -> Any:
    """A bare number or duration string is a fixed value."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return {"kind": "fixed", "value": value}
    return value


class _ShorthandJsonSchema:
    """A bare duration is a `fixed` distribution: the schema offers it beside the kinds."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        fixed = duration_json_schema({"type": "number", "minimum": 0})
        return {"anyOf": [fixed, handler(core_schema)]}


Distribution = Annotated[
    Annotated[
        Fixed
        | Uniform
        | Exponential
        | Lognormal
        | Gamma
        | Weibull
        | Triangular
        | Empirical
        | Mixture,
        Field(discriminator="kind"),
    ],
    BeforeValidator(_fixed_shorthand),
    _ShorthandJsonSchema(),
]
"""Any distribution; in a scenario, a mapping with `kind`, or a bare value for `fixed`."""

Component.model_rebuild()
Mixture.model_rebuild()
