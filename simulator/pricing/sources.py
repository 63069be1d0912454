"""A scenario's own price files (`prices:`): each a CSV in the catalogue's format or an AWS
Price List file (an offer file, or `aws pricing get-products` output), its path relative to
the scenario's, read once as the scenario loads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import (
    BeforeValidator,
    PrivateAttr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)

from simulator.engine.schema import Strict, relative_to_scenario
from simulator.pricing.catalogue import Row, read_csv
from simulator.pricing.offers import read_offers


def read_prices(path: Path) -> list[Row]:
    """The rows of a price file: a .csv in the catalogue's format, or a .json Price List
    file; ValueError names the file and what is wrong with it."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix == ".json":
        reading = read_offers(path)
        if not reading.rows:
            ignored = ", ".join(f"{n} of {name}" for name, n in sorted(reading.ignored.items()))
            raise ValueError(
                f"{path}: no price of anything simulated (SageMaker ML instances, Lambda, "
                f"SQS, S3 Standard); it holds {ignored or 'no products'}"
            )
        return reading.rows
    raise ValueError(
        f"{path}: expected a .csv (the catalogue's columns) or a .json Price List file"
    )


class PriceFile(Strict):
    """Prices that override the catalogue's for the regions and items they give."""

    path: Path
    _rows: tuple[Row, ...] = PrivateAttr(default=())

    @property
    def rows(self) -> tuple[Row, ...]:
        return self._rows

    @field_validator("path")
    @classmethod
    def _relative_to_scenario(cls, path: Path, info: ValidationInfo) -> Path:
        path = relative_to_scenario(path, info)
        if not path.is_file():
            raise ValueError(f"no such file: {path}")
        return path

    @model_validator(mode="after")
    def _read(self) -> Self:
        self._rows = tuple(read_prices(self.path))
        return self

    @model_serializer
    def _as_path(self) -> str:
        """Written back (a run's resolved scenario) as the path it was given as."""
        return str(self.path)


def _as_files(value: Any) -> Any:
    """`prices: a.csv` or `prices: [a.csv, b.json]`: each path a PriceFile."""
    if value is None:
        return ()
    paths = [value] if isinstance(value, str | Path | dict) else value
    if not isinstance(paths, list | tuple):
        return value  # the field's own check names what it expected
    return tuple({"path": p} if isinstance(p, str | Path) else p for p in paths)


PriceFiles = Annotated[
    tuple[PriceFile, ...],
    BeforeValidator(_as_files),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "price files overriding the catalogue, relative to the scenario: "
            "CSV in the catalogue's columns, or AWS Price List JSON (an offer file, or "
            "`aws pricing get-products` output); a later file wins",
        }
    ),
]
"""A scenario's `prices:`: one path or a list, each read as it loads."""
