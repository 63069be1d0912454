"""What a service declares about each operation, and the settings every service shares.

A service lists its operations as `Operation` data (IAM action, request members with their
constraints, success status, idempotency token member) and its errors as `ServiceErrors`;
the control plane (`api.plane`) does the rest the same way for every service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Final, Self

from pydantic import (
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pydantic.config import JsonDict

from simulator.api.errors import ErrorSpec
from simulator.api.validation import Param, Schema
from simulator.engine.distributions import Duration
from simulator.engine.schema import Strict


@dataclass(frozen=True)
class Operation:
    name: str
    action: str
    params: Mapping[str, Param]
    resource_param: str
    """The request member that names the resource, for the calls table."""
    success_status: int = 200
    idempotency_token: str | None = None
    """The member holding a client token the SDK fills in when the caller leaves it out."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", Schema(self.params))


@dataclass(frozen=True)
class ServiceErrors:
    """The errors the control plane itself raises, as this service names them."""

    validation: ErrorSpec
    throttling: ErrorSpec
    internal: ErrorSpec
    access_denied: ErrorSpec
    not_found: ErrorSpec
    token_conflict: ErrorSpec | None = None
    missing_parameter: ErrorSpec | None = None
    """A required member left out, where the service names it apart from `validation`."""
    others: tuple[ErrorSpec, ...] = field(default=())

    def all(self) -> tuple[ErrorSpec, ...]:
        specs: list[ErrorSpec | None] = [self.validation, self.throttling, self.internal]
        specs += [self.access_denied, self.not_found, self.token_conflict, self.missing_parameter]
        return tuple(dict.fromkeys(s for s in [*specs, *self.others] if s is not None))


class Throttle(Strict):
    """A token bucket: `rate` requests per second, `burst` at once. Over it: throttled."""

    rate: float = Field(gt=0, description="sustained requests per second")
    burst: float = Field(default=1, ge=1, description="bucket size: requests admitted at once")


HOURS_PER_MONTH: Final = 730.0
"""AWS's billing month (S3 storage, Comprehend model management)."""


def _monthly_json_schema(schema: JsonDict) -> None:
    """`usd_per_month`, which `Price._monthly` reads, is no field: the schema says it."""
    properties = schema["properties"]
    assert isinstance(properties, dict)
    properties["usd_per_month"] = {
        "type": "number",
        "minimum": 0,
        "description": "instead of usd_per_hour: USD per month of 730 hours",
    }
    schema["not"] = {"required": ["usd_per_hour", "usd_per_month"]}


class Price(Strict):
    """USD per unit-hour while a resource is in one of `statuses`, or USD each time it
    enters one (`usd_per_entry`: a Lambda invocation, an SQS request).

    Each continuous billable span is rounded up to `granularity` and to at least `minimum`;
    per-second billing (1 s, the default) bills the clock's continuous time unrounded.
    A monthly list price may be given as `usd_per_month` (a month is 730 hours, as AWS
    bills); it is kept as the hourly rate.
    """

    model_config = ConfigDict(json_schema_extra=_monthly_json_schema)

    usd_per_hour: float = Field(default=0.0, ge=0)
    usd_per_entry: float = Field(
        default=0.0,
        ge=0,
        description="instead of an hourly rate: per entry into a billed status, times units",
    )
    statuses: tuple[str, ...] = Field(min_length=1)
    granularity: Duration = Field(default=1.0, gt=0)
    minimum: Duration = 0.0
    per_unit: bool = Field(
        default=True, description="multiply by the resource's units (inference units, GB)"
    )
    kinds: tuple[str, ...] | None = Field(
        default=None,
        description="only resources of these kinds (an instance type, s3); default: all",
    )

    @model_validator(mode="before")
    @classmethod
    def _monthly(cls, data: Any) -> Any:
        if isinstance(data, dict) and "usd_per_month" in data:
            data = dict(data)
            if "usd_per_hour" in data:
                raise ValueError("give usd_per_hour or usd_per_month, not both")
            monthly = data.pop("usd_per_month")
            if isinstance(monthly, int | float) and not isinstance(monthly, bool):
                data["usd_per_hour"] = monthly / HOURS_PER_MONTH
            else:
                data["usd_per_hour"] = monthly  # let the field's own check name the problem
        return data

    @model_validator(mode="after")
    def _one_rate(self) -> Price:
        if self.usd_per_entry > 0:
            if self.usd_per_hour > 0:
                raise ValueError("give an hourly rate or usd_per_entry, not both")
            if self.granularity != 1.0 or self.minimum != 0.0:
                raise ValueError("granularity and minimum round time: not with usd_per_entry")
        return self


_RATES: Final = frozenset({"usd_per_hour", "usd_per_month", "usd_per_entry"})
"""The fields that give a price's rate: one of them given replaces the default's rate."""


def _instance_item(defaults: dict[str, Price], item: str) -> Price | None:
    """An item named like an ML instance type (`ml.c5.xlarge`) is that type's: billed as
    the service's instance items are (their statuses and rounding), for that type only, so
    that a rate alone prices a type the defaults lack. None for other names, or a service
    without instance items."""
    if not item.startswith("ml."):
        return None
    for price in defaults.values():
        if price.kinds is not None and len(price.kinds) == 1 and price.kinds[0].startswith("ml."):
            return price.model_copy(update={"kinds": (item,)})
    return None


class ServiceSettings(Strict):
    """Settings every service has; a service's own `Settings` subclass adds its behaviour.

    `STATUSES` (every status a price may name) and `OPERATIONS`, set by the subclass, let
    the schema check names early.
    """

    STATUSES: ClassVar[tuple[type[StrEnum], ...]]
    OPERATIONS: ClassVar[tuple[str, ...]]

    throttle: dict[str, Throttle] = Field(
        default_factory=dict, description="per operation; absent means unthrottled (ASSUMED)"
    )
    faults: dict[str, float] = Field(
        default_factory=dict, description="per operation: probability of an internal error"
    )
    prices: dict[str, Price] = Field(default_factory=dict)

    _rated: frozenset[str] = PrivateAttr(default=frozenset())

    @property
    def rated(self) -> frozenset[str]:
        """The price items whose rate the scenario gives (a rate key of its own, or an item
        of its own); the others take their figure from the price catalogue by region."""
        return self._rated

    @model_validator(mode="wrap")
    @classmethod
    def _merge_prices(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """Price items a scenario gives are merged onto the defaults of the same name, field
        by field (`inference: {usd_per_hour: 3.5}` keeps the billed statuses; a rate given
        replaces the default's rate, whichever its kind); the other defaults stay (adding an
        instance type must not make the rest free)."""
        rated: set[str] = set()
        if isinstance(data, dict) and isinstance(data.get("prices"), dict):
            defaults = cls.model_fields["prices"].get_default(call_default_factory=True)
            merged = dict(defaults)
            for item, given in data["prices"].items():
                base = defaults.get(item, _instance_item(defaults, item))
                if isinstance(given, Price) or (
                    isinstance(given, dict) and _RATES.intersection(given)
                ):
                    rated.add(item)
                if isinstance(given, dict) and isinstance(base, Price):
                    kept = base.model_dump(exclude_unset=True)
                    if _RATES.intersection(given):
                        kept = {k: v for k, v in kept.items() if k not in _RATES}
                    given = {**kept, **given}
                merged[item] = given
            data = {**data, "prices": merged}
        settings = handler(data)
        if isinstance(data, dict):  # not a model revalidated as itself: its rates stand
            settings._rated = frozenset(rated)
        return settings

    @model_serializer(mode="wrap")
    def _rates_given(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Written back without the rates the scenario did not give, so that what is read
        again takes them from the catalogue again (a sweep's variant, a run's scenario)."""
        dumped = handler(self)
        prices = dumped.get("prices") if isinstance(dumped, dict) else None
        if isinstance(prices, dict):
            for item, price in prices.items():
                if item not in self._rated and isinstance(price, dict):
                    for rate in ("usd_per_hour", "usd_per_entry"):
                        price.pop(rate, None)
        return dumped

    @model_validator(mode="after")
    def _known_names(self) -> ServiceSettings:
        for block in ("throttle", "faults"):
            for name in getattr(self, block):
                if name not in self.OPERATIONS:
                    raise ValueError(
                        f"{block}: unknown operation {name!r}; expected one of "
                        f"{', '.join(self.OPERATIONS)}"
                    )
        for name, probability in self.faults.items():
            if not 0 <= probability <= 1:
                raise ValueError(f"faults.{name}: expected a probability in [0, 1]")
        statuses = sorted({s.value for enum in self.STATUSES for s in enum})
        for item, price in self.prices.items():
            unknown = [s for s in price.statuses if s not in statuses]
            if unknown:
                raise ValueError(
                    f"prices.{item}.statuses: unknown status {unknown[0]!r}; expected one of "
                    f"{', '.join(statuses)}"
                )
        return self
