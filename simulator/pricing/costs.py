"""`costs` derived region by region: each resource billed at its region's prices.

A resource's region is its fleet entry's: its group's where the group lies in one region,
else the one its ARN (its owner's: a pipeline step's execution) names. One region, the
whole scenario: the costs are exactly those `analysis.frames.derive_costs` makes at that
region's prices. Several: each region's transitions are derived at its prices and the rows
merged in the order one derivation would give (by start, then resource, each resource's
items in their order).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from simulator.analysis.frames import derive_costs
from simulator.api.operations import Price
from simulator.services.regions import arn_place

Prices = Mapping[str, Mapping[str, Mapping[str, Price]]]
"""region -> service -> item -> Price."""


def regional_costs(
    transitions: pd.DataFrame,
    prices: Prices,
    regions: Mapping[tuple[str, str], str | None],
    horizon: float,
    resources: pd.DataFrame,
) -> pd.DataFrame:
    """The `costs` of `transitions`, each resource at the prices of its (service, group)'s
    region in `regions`."""
    billed = sorted(prices)
    if len(billed) <= 1:
        return derive_costs(transitions, prices[billed[0]] if billed else {}, horizon, resources)
    region = _regions(transitions, regions, resources)
    parts = [
        derive_costs(transitions[region == name], prices[name], horizon, resources)
        for name in billed
    ]
    costs = pd.concat(parts, ignore_index=True)
    costs = costs.sort_values(["start", "resource_id"], kind="stable").reset_index(drop=True)
    for column in ("service", "group", "item", "status"):
        costs[column] = costs[column].astype(str).astype("category")
    return costs


def _regions(
    transitions: pd.DataFrame,
    regions: Mapping[tuple[str, str], str | None],
    resources: pd.DataFrame,
) -> np.ndarray:
    """Each transition's region: its resource's group's, within its service; for a group in
    several regions, the one its resource's owner's ARN names."""
    codes = transitions["resource_id"].cat.codes.to_numpy()
    groups = resources["group"].astype(str).to_numpy()[codes]
    keys = transitions["service"].astype(str).to_numpy() + "\x1f" + groups  # numpy drops a NUL
    named = {f"{service}\x1f{group}": region for (service, group), region in regions.items()}
    found = pd.Series(keys).map(named)
    spread = found.isna().to_numpy() & pd.Series(keys).isin(named).to_numpy()
    if spread.any():
        owners = pd.Series(resources["owner_id"].astype(str).to_numpy()[codes[spread]])
        found[spread] = owners.map({o: arn_place(o)[0] for o in owners.unique()}).to_numpy()
    return found.fillna("").to_numpy()
