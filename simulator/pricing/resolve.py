"""The prices a scenario bills at, region by region, and where each figure came from.

Each service's `Settings.prices` says *how* an item bills (statuses, kinds, per unit,
rounding); the figure comes, for each region the service's fleet entries are in, from the
first of:

    scenario    the scenario's own rate for the item (`services.S.prices.ITEM.usd_per_hour`
                and so on: `ServiceSettings.rated`), in every region
    file        the scenario's `prices:` files, the last that prices it
    catalogue   the package's catalogue (`catalogue.csv`)
    built-in    the figure written in the service's code: us-east-1 only, and shown as
                uncited (`simulate prices` says so), for an item the catalogue has no row of

A SageMaker ML instance type (a pipeline's step, a Neptune ML job's part) is priced at its
`training` row, else its `processing` row, else its `hosting` row: the simulator bills an
instance type at one rate per service. An item that a fleet entry can bill (of a kind it
bills, in a status its resources can reach) and that none of these prices is a
`MissingPrice` naming the item, the instance type and the region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Final, Protocol

from simulator.api.operations import HOURS_PER_MONTH, Price, ServiceSettings
from simulator.pricing.catalogue import Row, catalogue
from simulator.services import SERVICES

ITEMS: Final[dict[tuple[str, str], tuple[str, str]]] = {
    ("rekognition", "inference"): ("rekognition", "inference"),
    ("rekognition", "training"): ("rekognition", "training"),
    ("lookoutvision", "inference"): ("lookoutvision", "inference"),
    ("comprehend", "training"): ("comprehend", "training"),
    ("comprehend", "model_management"): ("comprehend", "model_management"),
    ("neptune", "s3"): ("s3", "storage"),
    ("sagemaker", "lambda"): ("lambda", "duration"),
    ("sagemaker", "lambda_requests"): ("lambda", "requests"),
    ("sagemaker", "sqs"): ("sqs", "requests"),
}
"""A service's price item -> the catalogue's (service, item) of its figure."""
INSTANCE_ITEMS: Final = ("training", "processing", "hosting")
"""The catalogue items an ML instance type is priced at, in order of preference."""
INSTANCE_SERVICES: Final = frozenset({"neptune", "sagemaker"})
BUILT_IN_REGION: Final = "us-east-1"
"""The region the figures written in the services' code are list prices of."""


class MissingPrice(ValueError):
    """An item a scenario bills has no price in a region it is billed in."""


class Entry(Protocol):
    """A fleet entry, as pricing reads it."""

    @property
    def service(self) -> str: ...

    @property
    def group_name(self) -> str: ...


@dataclass(frozen=True)
class Quote:
    """One price a scenario bills at: the item, in a region, with the figure as its source
    gives it and as the simulator bills it."""

    region: str
    service: str
    item: str
    instance_type: str
    unit: str
    usd: float
    """Per `unit`, as the source gives it."""
    price: Price
    """The item as billed (its hourly rate or its rate per entry)."""
    origin: str
    """scenario, file, catalogue or built-in."""
    effective_date: str
    source: str


@dataclass(frozen=True)
class ScenarioPrices:
    quotes: tuple[Quote, ...]
    regions: Mapping[tuple[str, str], str | None]
    """(service, group) -> the region its fleet entries are in; None for a group in several
    (each of its resources is in its ARN's)."""

    def by_region(self) -> dict[str, dict[str, dict[str, Price]]]:
        """region -> service -> item -> the Price billed there."""
        found: dict[str, dict[str, dict[str, Price]]] = {}
        for quote in self.quotes:
            found.setdefault(quote.region, {}).setdefault(quote.service, {})[quote.item] = (
                quote.price
            )
        return found


def entry_region(entry: object, default: str) -> str:
    """A fleet entry's region: its own (an ARN's), else the scenario's (a Neptune cluster)."""
    region = getattr(entry, "region", None)
    return region if isinstance(region, str) else default


def group_regions(fleet: Sequence[Entry], default: str) -> dict[tuple[str, str], str | None]:
    """(service, group) -> the region of its entries, or None where they are in several
    (one project name in two regions: two resources, each billed in its ARN's region; an
    entry without a region of its own, a Neptune cluster's, is in the scenario's)."""
    regions: dict[tuple[str, str], str | None] = {}
    for entry in fleet:
        key, region = (entry.service, entry.group_name), entry_region(entry, default)
        if regions.setdefault(key, region) != region:
            regions[key] = None
    return regions


def resolve(
    services: object,
    fleet: Sequence[Entry],
    region: str,
    files: Iterable[Row] = (),
) -> ScenarioPrices:
    """Every price the scenario's fleet bills, per region; MissingPrice for one that no
    source gives. `services` holds each service's settings as an attribute."""
    regions = group_regions(fleet, region)
    given = _index(files)
    listed = _index(catalogue())
    quotes: list[Quote] = []
    wanted: dict[tuple[str, str], list[tuple[int, Entry]]] = {}
    for index, entry in enumerate(fleet):
        key = (entry.service, entry_region(entry, region))
        wanted.setdefault(key, []).append((index, entry))
    for (service, where), entries in wanted.items():
        settings: ServiceSettings = getattr(services, service)
        billed = {kind for _, entry in entries for kind in getattr(entry, "billed_kinds", ())}
        for item, price in _items(service, settings, billed).items():
            needing = [i for i, entry in entries if _billed(price, service, entry)]
            if not needing:
                continue
            try:
                quotes.append(_quote(service, item, price, where, settings, given, listed))
            except MissingPrice as missing:
                raise MissingPrice(f"fleet[{needing[0]}]: {missing}") from None
    return ScenarioPrices(tuple(quotes), regions)


class PricedScenario(Protocol):
    """A scenario, as pricing reads it."""

    @property
    def services(self) -> object: ...

    @property
    def fleet(self) -> Sequence[Entry]: ...

    @property
    def region(self) -> str: ...

    @property
    def prices(self) -> Sequence[HasRows]: ...


class HasRows(Protocol):
    @property
    def rows(self) -> tuple[Row, ...]: ...


def scenario_prices(scenario: PricedScenario) -> ScenarioPrices:
    """The prices `scenario` bills at: its fleet's, its `prices:` files over the catalogue."""
    files = [row for price_file in scenario.prices for row in price_file.rows]
    return resolve(scenario.services, scenario.fleet, scenario.region, files)


def built_in_quotes(services: object, region: str) -> list[Quote]:
    """The figures written in the services' code that no catalogue row of `region` gives
    (us-east-1 only: none elsewhere), each as a scenario would bill it, uncited: what
    `simulate prices` lists beside the catalogue's rows (Lookout for Vision's inference)."""
    listed = _index(catalogue())
    found: list[Quote] = []
    for service in SERVICES:
        settings: ServiceSettings = getattr(services, service)
        for item, price in defaults(settings).items():
            try:
                quote = _quote(service, item, price, region, settings, {}, listed)
            except MissingPrice:
                continue
            if quote.origin == "built-in":
                found.append(quote)
    return found


def defaults(settings: ServiceSettings) -> Mapping[str, Price]:
    """The service's built-in price items."""
    return _built_in(type(settings))


@cache
def _built_in(kind: type[ServiceSettings]) -> Mapping[str, Price]:
    """Made once per settings class: a replication resolves its prices twice."""
    found: dict[str, Price] = kind.model_fields["prices"].get_default(call_default_factory=True)
    return MappingProxyType(found)


def _items(service: str, settings: ServiceSettings, billed: set[str]) -> dict[str, Price]:
    """The service's price items, and one per ML instance type a fleet entry bills that
    none names (billed as the service's instance items are, its figure from the rows: the
    0.0 is never billed, since an item the scenario does not rate takes a row's or fails).
    An item the scenario names after the type is that type's (settings give it `kinds`)."""
    items = dict(settings.prices)
    if service not in INSTANCE_SERVICES:
        return items
    shape = next((p for k, p in defaults(settings).items() if k.startswith("ml.")), None)
    for kind in sorted(billed):
        named = kind in items or any(
            p.kinds is not None and kind in p.kinds for p in items.values()
        )
        if kind.startswith("ml.") and not named and shape is not None:
            items[kind] = shape.model_copy(update={"kinds": (kind,), "usd_per_hour": 0.0})
    return items


def _billed(price: Price, service: str, entry: Entry) -> bool:
    """Whether an item can bill anything of the entry: one for every resource or of a kind
    it bills, in a status its resources can reach (a RUNNING model never trains, so a
    region without a training price still bills it)."""
    kinds = getattr(entry, "billed_kinds", ())
    if price.kinds is not None and not set(kinds).intersection(price.kinds):
        return False
    first = getattr(entry, "status", None)
    return not isinstance(first, str) or bool(_reachable(service, first) & set(price.statuses))


@cache
def _reachable(service: str, first: str) -> frozenset[str]:
    """Every status a resource that starts in `first` can be in: the moves the service's
    TRANSITIONS declare lead there, whether a progression or an operation makes them (more
    than a run may reach, never less)."""
    moves: dict[str, set[str]] = {}
    for edges in SERVICES[service].TRANSITIONS.values():
        for source, targets in edges.items():
            moves.setdefault(str(source), set()).update(str(t) for t in targets)
    seen, waiting = {first}, [first]
    while waiting:
        for status in moves.get(waiting.pop(), ()):
            if status not in seen:
                seen.add(status)
                waiting.append(status)
    return frozenset(seen)


def _quote(
    service: str,
    item: str,
    price: Price,
    region: str,
    settings: ServiceSettings,
    given: dict[tuple[str, str, str, str], Row],
    listed: dict[tuple[str, str, str, str], Row],
) -> Quote:
    built_in = defaults(settings).get(item)
    kind = _instance_type(service, item, price)
    if item in settings.rated:
        where = f"scenario: services.{service}.prices.{item}"
        return Quote(region, service, item, kind, *_rate(price), price, "scenario", "", where)
    for rows, origin in ((given, "file"), (listed, "catalogue")):
        row = _row(rows, service, item, kind, region)
        if row is not None:
            return Quote(
                region, service, item, kind, row.unit, row.usd, _billing(price, row, item),
                origin, row.effective_date, row.source,
            )  # fmt: skip
    if built_in is not None and region == BUILT_IN_REGION:
        source = f"uncited: the figure in the {service} service's code"
        return Quote(region, service, item, kind, *_rate(price), price, "built-in", "", source)
    known = [*given.values(), *listed.values()]
    raise MissingPrice(_missing(service, item, price, kind, region, known))


def _rate(price: Price) -> tuple[str, float]:
    """(unit, USD per unit) of a price the simulator holds: per request or per hour."""
    if price.usd_per_entry > 0:
        return "request", price.usd_per_entry
    return "hour", price.usd_per_hour


def _instance_type(service: str, item: str, price: Price) -> str:
    if service in INSTANCE_SERVICES and price.kinds is not None and len(price.kinds) == 1:
        kind = price.kinds[0]
        if kind.startswith("ml."):
            return kind
    return ""


def _row(
    rows: dict[tuple[str, str, str, str], Row], service: str, item: str, kind: str, region: str
) -> Row | None:
    if kind:
        for component in INSTANCE_ITEMS:
            row = rows.get((region, "sagemaker", component, kind))
            if row is not None:
                return row
        return None
    target = ITEMS.get((service, item))
    return None if target is None else rows.get((region, *target, ""))


def catalogue_billing(row: Row) -> tuple[float, float]:
    """A row's figure as the simulator bills it: (USD per hour, USD per entry). A month is
    AWS's 730 hours; the arithmetic is the one the services' own figures are written with
    (`0.5 / 730`, `0.0000166667 * 3600`), so equal figures bill to the bit."""
    if row.unit == "request":
        return 0.0, row.usd
    if row.unit in ("month", "GB-month"):
        return row.usd / HOURS_PER_MONTH, 0.0
    if row.unit == "GB-second":
        return row.usd * 3600, 0.0
    return row.usd, 0.0


def _billing(price: Price, row: Row, item: str) -> Price:
    """The item billed at the row's figure; ValueError if the row's unit is not the
    item's kind of rate (a request for an hourly item, or the reverse)."""
    hourly, per_entry = catalogue_billing(row)
    if (per_entry > 0) != (price.usd_per_entry > 0) and (hourly > 0 or per_entry > 0):
        kind = "per entry" if price.usd_per_entry > 0 else "by the hour"
        raise ValueError(f"{row.source}: {item} bills {kind}, not per {row.unit}")
    return price.model_copy(update={"usd_per_hour": hourly, "usd_per_entry": per_entry})


def _missing(
    service: str, item: str, price: Price, kind: str, region: str, rows: Iterable[Row]
) -> str:
    """What is missing, the regions whose rows have it, and how to give it."""
    target = ITEMS.get((service, item))
    regions = sorted(
        {
            r.region
            for r in rows
            if (kind and r.instance_type == kind) or (not kind and target == (r.service, r.item))
        }
    )
    covered = f"rows price it in {', '.join(regions)} only" if regions else "no row prices it"
    rate = "usd_per_entry" if price.usd_per_entry > 0 else "usd_per_hour"
    if kind:
        example = f"{kind}: {{{rate}: ...}}"
        return (
            f"no price for {kind!r} in {region} ({service} instance hours; {covered}); give "
            f"one under services.{service}.prices, e.g. {example}, or a `prices:` file with "
            f"its {region} row"
        )
    return (
        f"no price for {service} {item!r} in {region} ({covered}); give "
        f"services.{service}.prices.{item}.{rate} in the scenario, or a `prices:` file with "
        f"its {region} row"
    )


def _index(rows: Iterable[Row]) -> dict[tuple[str, str, str, str], Row]:
    """Rows by (region, service, item, instance type); a later row replaces an earlier."""
    return {row.key: row for row in rows}
