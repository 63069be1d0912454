"""What the figures read from the tables besides the numbers they draw: the names present,
in order, the replications a mean is over, and the fleet group of each resource."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import pandas as pd

from simulator.analysis.order import natural

OTHER: Final = "(no group)"


def names(values: pd.Series) -> list[str]:
    """The distinct values present (not merely among a categorical's categories), in
    natural order (`export-2m` before `export-10m`)."""
    return sorted({str(v) for v in values.dropna().unique()}, key=natural)


def latest(table: pd.DataFrame, column: str) -> float:
    return float(table[column].max()) if len(table) else 0.0


def runs(table: pd.DataFrame) -> int:
    return max(1, table["replication"].nunique())


def mean_of(count: int) -> str:
    return "1 replication" if count == 1 else f"mean of {count} replications"


def pooled(table: pd.DataFrame) -> str:
    count = runs(table)
    return "1 replication" if count == 1 else f"{count} replications pooled"


def groups(table: pd.DataFrame) -> list[str]:
    """The fleet groups of a table's rows (none when it has no `group` column)."""
    return names(table["group"]) if "group" in table else []


def resource_groups(tables: Iterable[pd.DataFrame]) -> dict[str, str]:
    """Each resource's fleet group, from the tables that have both columns (the costs
    list every billed resource and part, the stops every stopped one). A resource that
    bills only through its parts (a pipeline execution through its steps) takes theirs:
    a part is named `<resource>/<part>`."""
    found: dict[str, str] = {}
    for table in tables:
        if {"resource_id", "group"} <= set(table.columns):
            pairs = table[["resource_id", "group"]].dropna().astype(str).drop_duplicates()
            found.update(zip(pairs["resource_id"], pairs["group"], strict=True))
    for resource, group in list(found.items()):
        found.setdefault(resource.rpartition("/")[0], group)
    return found


def group_column(ids: pd.Series, owners: Mapping[str, str] | None) -> pd.Series | None:
    """The group of each of `ids` by `owners` (OTHER where it has none), or None when the
    ids span fewer than two groups: nothing to compare, one panel says it all."""
    if not owners:
        return None
    found = ids.astype(str).map(owners)
    if found.dropna().nunique() < 2:
        return None
    return found.fillna(OTHER)


def in_order(owner: pd.Series) -> list[str]:
    """The groups of `group_column` in natural order, OTHER last."""
    return names(owner[owner != OTHER]) + [OTHER] * bool((owner == OTHER).any())
