"""Price rows: the catalogue shipped as package data, and a user's CSV in its format.

A row is one figure AWS (or a source quoting AWS) publishes for one region: a service's
item (`inference`, `training`, an instance type's `training`/`processing`/`hosting` hour,
Lambda's `duration`, ...), its unit, the US dollars per unit, the date it applies from and
where it was read. A figure whose value for a region could not be cited has no row: the
catalogue says which regions each item covers, and a region without its row is an error
where a scenario needs it, never a copy of another region's figure.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

from simulator.services.regions import REGIONS

COLUMNS: Final = (
    "region", "service", "item", "instance_type", "unit", "usd", "effective_date", "source",
)  # fmt: skip
UNITS: Final = ("hour", "month", "GB-month", "GB-second", "request")
"""What a row's `usd` is per: an hour (per inference unit or instance), a month of 730
hours, a GB stored for a month, a GB-second of Lambda duration, one request."""
CATALOGUE: Final = "catalogue.csv"
HOURLY: Final = ("hour", "month")
ITEMS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "comprehend": {"training": HOURLY, "model_management": HOURLY},
    "lambda": {"duration": ("GB-second",), "requests": ("request",)},
    "lookoutvision": {"inference": HOURLY},
    "rekognition": {"inference": HOURLY, "training": HOURLY},
    "s3": {"storage": ("GB-month",)},
    "sagemaker": {"training": HOURLY, "processing": HOURLY, "hosting": HOURLY},
    "sqs": {"requests": ("request",)},
}
"""service -> each item a row may price -> the units it may be given in: what the
simulator bills (a row of anything else would be read and never used)."""
INSTANCE_SERVICE: Final = "sagemaker"
"""The service whose items are an ML instance type's hour (a row names its type)."""


@dataclass(frozen=True)
class Row:
    region: str
    service: str
    item: str
    instance_type: str
    """The `ml.*` instance type the item is an hour of; empty for other items."""
    unit: str
    usd: float
    effective_date: str
    """ISO date the figure applies from, or was published; empty where its source gives none."""
    source: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.region, self.service, self.item, self.instance_type)


def read_rows(text: str, origin: str) -> list[Row]:
    """The rows of a CSV in the catalogue's format; ValueError names `origin`, the line
    and the column of the first problem (a duplicate row, an unknown region or unit, a
    figure that is no non-negative number, a date that is none)."""
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValueError(
            f"{origin}: lacks column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"
        )
    extra = [c for c in header if c not in COLUMNS]
    if extra:
        raise ValueError(f"{origin}: unknown column(s) {', '.join(extra)}")
    rows: list[Row] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for number, raw in enumerate(reader, start=2):
        row = _row(raw, f"{origin} line {number}")
        if row.key in seen:
            raise ValueError(
                f"{origin} line {number}: {_name(row)} in {row.region} is given twice "
                f"(first on line {seen[row.key]})"
            )
        seen[row.key] = number
        rows.append(row)
    return rows


def _row(raw: dict[str, str | None], where: str) -> Row:
    values = {column: (raw.get(column) or "").strip() for column in COLUMNS}
    for column in ("region", "service", "item", "unit", "usd", "source"):
        if not values[column]:
            raise ValueError(f"{where}: column {column} is empty")
    if values["region"] not in REGIONS:
        raise ValueError(f"{where}: column region: unknown AWS region {values['region']!r}")
    if values["unit"] not in UNITS:
        raise ValueError(
            f"{where}: column unit: {values['unit']!r} is not a unit; expected one of "
            f"{', '.join(UNITS)}"
        )
    try:
        usd = float(values["usd"])
    except ValueError:
        raise ValueError(f"{where}: column usd: expected a number, got {values['usd']!r}") from None
    if not math.isfinite(usd) or usd < 0:
        raise ValueError(f"{where}: column usd: expected a non-negative number, got {usd}")
    if values["effective_date"]:
        try:
            date.fromisoformat(values["effective_date"])
        except ValueError:
            raise ValueError(
                f"{where}: column effective_date: expected an ISO date such as 2026-03-14, "
                f"got {values['effective_date']!r}"
            ) from None
    _check_item(values, where)
    return Row(
        values["region"], values["service"], values["item"], values["instance_type"],
        values["unit"], usd, values["effective_date"], values["source"],
    )  # fmt: skip


def _check_item(values: dict[str, str], where: str) -> None:
    """The row's service, item, unit and instance type are ones the simulator bills."""
    service, item, unit, kind = (values[c] for c in ("service", "item", "unit", "instance_type"))
    items = ITEMS.get(service)
    if items is None:
        raise ValueError(
            f"{where}: column service: {service!r} has no price item; expected one of "
            f"{', '.join(ITEMS)}"
        )
    units = items.get(item)
    if units is None:
        raise ValueError(
            f"{where}: column item: {service} has no item {item!r}; expected one of "
            f"{', '.join(items)}"
        )
    if unit not in units:
        raise ValueError(
            f"{where}: column unit: {service} {item} is priced per {' or '.join(units)}, not "
            f"per {unit}"
        )
    if service == INSTANCE_SERVICE and not kind.startswith("ml."):
        raise ValueError(
            f"{where}: column instance_type: {service} {item} is an instance type's hour; "
            f"expected an ml.* type, got {kind!r}"
        )
    if service != INSTANCE_SERVICE and kind:
        raise ValueError(
            f"{where}: column instance_type: {service} {item} has none; expected it empty"
        )


def _name(row: Row) -> str:
    on = f" on {row.instance_type}" if row.instance_type else ""
    return f"{row.service} {row.item}{on}"


def read_csv(path: Path) -> list[Row]:
    """A user's price CSV, in the catalogue's format."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot be read as UTF-8 text ({error})") from None
    return read_rows(text, str(path))


@cache
def catalogue() -> tuple[Row, ...]:
    """The catalogue shipped with the package, read once."""
    text = resources.files("simulator.pricing").joinpath(CATALOGUE).read_text(encoding="utf-8")
    return tuple(read_rows(text, f"simulator/pricing/{CATALOGUE}"))
