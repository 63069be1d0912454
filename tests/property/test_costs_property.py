"""Billing rounding in `derive_costs`, span by span, on hand-made logs.

A price rounds each continuous billable span up to its `granularity`, then to at least its
`minimum`; per-second billing (1 s) bills continuous time unrounded. A minimum no longer
than any span can therefore change no bill (a 90.5 s span at $1/s is $90.50 with or
without `minimum: 1s`).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from simulator.analysis.frames import derive_costs
from simulator.api.operations import Price

DOLLAR_A_SECOND = 3600.0  # USD per hour


def billed(ons: list[float], price: Price) -> float:
    """The bill of one model RUNNING for each of `ons` seconds, stopped 10 s in between."""
    times, statuses, now = [], [], 0.0
    for on in ons:
        times += [now, now + on]
        statuses += ["RUNNING", "STOPPED"]
        now += on + 10.0
    moves = pd.DataFrame(
        {
            "time": times,
            "service": pd.Categorical(["rekognition"] * len(times)),
            "resource_id": pd.Categorical(["m"] * len(times)),
            "to_status": pd.Categorical(statuses),
            "units": 1.0,
        }
    )
    resources = pd.DataFrame(
        {
            "resource_id": pd.Categorical(["m"]),
            "group": pd.Categorical(["g"]),
            "kind": pd.Categorical([""]),
            "owner_id": pd.Categorical(["m"]),
        }
    )
    costs = derive_costs(moves, {"rekognition": {"inference": price}}, now, resources)
    return float(costs["usd"].sum())


@settings(max_examples=50, deadline=None)
@example(ons=[90.5])
@given(ons=st.lists(st.floats(1, 10_000), min_size=1, max_size=4))
def test_a_minimum_no_span_falls_below_changes_no_bill(ons: list[float]) -> None:
    plain = Price(usd_per_hour=DOLLAR_A_SECOND, statuses=("RUNNING",))
    with_minimum = Price(usd_per_hour=DOLLAR_A_SECOND, statuses=("RUNNING",), minimum=min(ons))
    assert billed(ons, with_minimum) == pytest.approx(billed(ons, plain), rel=1e-12)
