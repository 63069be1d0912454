"""Billing rounding in `derive_costs`, span by span, on hand-made logs.

A price rounds each continuous billable span up to its `granularity`, then to at least its
`minimum`; per-second billing (1 s) bills continuous time unrounded. A minimum no longer
than any span can therefore change no bill (a 90.5 s span at $1/s is $90.50 with or
without `minimum: 1s`). A price per entry (a Lambda request, an SQS message) bills each
entry into its statuses once: neither how long the status lasts nor any rounding matters.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from simulator.analysis.frames import derive_costs
from simulator.api.operations import Price

DOLLAR_A_SECOND = 3600.0  # USD per hour


def billed(ons: list[float], price: Price, units: float = 1.0) -> float:
    """The bill of one model of `units` RUNNING for each of `ons` seconds, stopped 10 s in
    between."""
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
            "units": units,
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


@settings(max_examples=50, deadline=None)
@given(
    ons=st.lists(st.floats(0, 10_000), min_size=1, max_size=4),
    units=st.sampled_from([1.0, 3.0]),
    per_unit=st.booleans(),
)
def test_a_price_per_entry_bills_each_entry_once(
    ons: list[float], units: float, per_unit: bool
) -> None:
    price = Price(usd_per_entry=0.5, statuses=("RUNNING",), per_unit=per_unit)
    per_entry = 0.5 * (units if per_unit else 1.0)
    assert billed(ons, price, units) == pytest.approx(len(ons) * per_entry, rel=1e-12)


@pytest.mark.parametrize("rounding", [{"granularity": 60.0}, {"minimum": 60.0}])
def test_a_price_per_entry_takes_no_time_rounding(rounding: dict[str, float]) -> None:
    """Rounding is of time: with a price per entry it would be silently ignored."""
    with pytest.raises(ValidationError, match="not with usd_per_entry"):
        Price(usd_per_entry=0.5, statuses=("RUNNING",), **rounding)
