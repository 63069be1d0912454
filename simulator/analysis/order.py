"""The one order names are shown in: natural, so `export-2m`, `export-5m`, `export-10m`
read in the order a person counts, in the terminal, the report, a diff and the figures
alike (sorted as text, `export-10m` came first in the tables and last in the figures)."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import pandas as pd


def natural(name: str) -> list[int | str]:
    """Sort key that puts `model-2` before `model-10`: the text split into its runs of
    digits, compared as numbers, and the text between them."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def natural_rows(
    frame: pd.DataFrame,
    keys: Sequence[Hashable],
    first: Callable[[dict[Hashable, Any]], Any] | None = None,
) -> pd.DataFrame:
    """`frame`'s rows in natural order of `keys` (after `first(row)`, if given), ties in
    their order; the index renumbered."""
    records = frame.to_dict("records")

    def key(i: int) -> tuple[Any, ...]:
        row = records[i]
        names = tuple(natural(str(row[k])) for k in keys)
        return (first(row), *names) if first else names

    return frame.iloc[sorted(range(len(frame)), key=key)].reset_index(drop=True)
