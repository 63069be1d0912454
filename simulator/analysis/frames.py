"""The result tables derived from what the recorder saw: `costs` and `stops`.

    costs   one row per resource per interval spent in a billable status: the resource's
            group, the interval's unit-hours and dollars. Each continuous billable span is
            rounded up to the price's granularity and minimum; the rounding is charged on
            the span's last interval. Intervals still open at the horizon end there. A
            price per entry charges each entry when it happens: a row with start == end,
            the entries as its quantity.
    stops   one row per stop request, read off the record the simulation kept of it as
            it happened (`simulator.engine.stops`): its resource's fleet group, when it was
            sent, whether it was accepted and after how many attempts, when the resource
            reached a status that ends a stop (at once if it was in one already: a
            duplicate stop), when the caller saw it, what the resource and the parts it
            owns (a training job's instances) cost from the request until then (for a
            rejected stop, until the resource ended by other means, or the horizon: the
            price of a lost stop), and the outcome: the terminal status, `rejected` (the
            call failed), `stuck` (accepted, not ended by the horizon) or `in_flight`
            (unanswered at the horizon). The cost is the one part computed here, from the
            costs table between the recorded times.

All the inputs are plain tables and plain data (prices); the `resources` registry
(resource_id, group, kind, owner_id per recorder key) says what each resource is billed as
and whom it belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from simulator.api.operations import Price
from simulator.tables import COSTS, STOPS

COST_COLUMNS: Final = COSTS.base
"""The columns made here, in order; the runner adds `replication` and the UTC columns."""
THROTTLES: Final = frozenset({"ThrottlingException", "TooManyRequestsException"})
"""The error codes of a throttled attempt, besides any answered with HTTP 429."""
STOP_COLUMNS: Final = STOPS.base


def _intervals(transitions: pd.DataFrame, horizon: float) -> pd.DataFrame:
    """Each transition's status held from its time until the resource's next transition."""
    frame = transitions[["time", "service", "resource_id", "to_status", "units"]]
    frame = frame.sort_values(["resource_id", "time"], kind="stable")
    codes = frame["resource_id"].cat.codes.to_numpy()
    following = np.append(frame["time"].to_numpy()[1:], horizon)
    last = np.append(codes[1:] != codes[:-1], True)
    end = np.where(last, horizon, following)
    return frame.assign(start=frame["time"], end=end).rename(columns={"to_status": "status"})


def derive_costs(
    transitions: pd.DataFrame,
    prices: Mapping[str, Mapping[str, Price]],
    horizon: float,
    resources: pd.DataFrame,
) -> pd.DataFrame:
    intervals = _intervals(transitions, horizon)
    kind, group = resources["kind"], resources["group"]  # categoricals, read by their codes
    kinds, groups = kind.cat.codes.to_numpy(), group.cat.codes.to_numpy()
    names = sorted({item for priced in prices.values() for item in priced})  # every part's
    parts = []
    for service, items in prices.items():
        of_service = (intervals["service"] == service).to_numpy()
        mine = intervals if of_service.all() else intervals[of_service]  # often one service
        for item, price in items.items():
            billable = mine["status"].isin(price.statuses).to_numpy()
            if price.kinds is not None:
                wanted = np.flatnonzero(kind.cat.categories.isin(price.kinds))
                of_kind = np.isin(kinds[mine["resource_id"].cat.codes.to_numpy()], wanted)
                billable = billable & of_kind
            if not billable.any():
                continue
            codes = mine["resource_id"].cat.codes.to_numpy()
            breaks = np.ones(len(mine), dtype=bool)
            breaks[1:] = (~billable[:-1]) | (codes[1:] != codes[:-1])
            span = np.cumsum(breaks)[billable]
            rows = mine[billable]
            end = rows["end"].to_numpy()
            if price.usd_per_entry > 0:  # each interval is one entry: charged at its start
                quantity = rows["units"].to_numpy() if price.per_unit else np.ones(len(rows))
                rate, end = price.usd_per_entry, rows["start"].to_numpy()
            else:
                seconds = (rows["end"] - rows["start"]).to_numpy()
                hours = (seconds + _rounding(span, seconds, price)) / 3600.0
                quantity = hours * rows["units"].to_numpy() if price.per_unit else hours
                rate = price.usd_per_hour
            parts.append(
                pd.DataFrame(
                    {
                        "service": rows["service"].array,
                        "resource_id": rows["resource_id"].array,
                        "group": pd.Categorical.from_codes(
                            groups[rows["resource_id"].cat.codes.to_numpy()],
                            categories=group.cat.categories,
                        ),
                        "item": pd.Categorical.from_codes(
                            np.full(len(rows), names.index(item), dtype=np.int8),
                            categories=pd.Index(names),
                        ),
                        "status": rows["status"].array,
                        "start": rows["start"].to_numpy(),
                        "end": end,
                        "quantity": quantity,
                        "usd": quantity * rate,
                    }
                )
            )
    if not parts:
        return _empty_costs(transitions)
    del intervals, mine, rows  # a million stops' intervals: not held beside the costs
    costs = pd.concat(parts, ignore_index=True)
    del parts
    start, end = costs["start"].to_numpy(), costs["end"].to_numpy()
    kept = np.flatnonzero((end > start) | (costs["usd"].to_numpy() > 0))
    # by start, then resource (its category order), stably: one copy of the rows kept
    order = np.lexsort((costs["resource_id"].cat.codes.to_numpy()[kept], start[kept]))
    costs = costs.take(kept[order]).reset_index(drop=True)
    for column in ("service", "item", "status"):
        costs[column] = _held(costs[column])
    return costs


def _held(values: pd.Series) -> pd.Series:
    """A categorical column on the values it holds, in order, as text: what the column's
    text made categorical gives, without the text (two million rows of it in Python strings
    took 270 MB at a million stops)."""
    held = values.cat.remove_unused_categories()
    return held.cat.set_categories(pd.Index(sorted(map(str, held.cat.categories)), dtype="str"))


_NOISE: Final = 1e-9
"""Relative tolerance, in billing increments, for spans summed from float clock times."""


def _rounding(span: np.ndarray, seconds: np.ndarray, price: Price) -> np.ndarray:
    """Seconds added to each interval: a span's rounding, on its last interval.

    Per-second billing (a granularity of 1 s) bills the clock's continuous time as it is:
    whole seconds would add a fraction of a second per span, noise to every closed form.
    """
    extra = np.zeros(len(seconds))
    per_second = price.granularity == 1.0
    if (per_second and price.minimum == 0.0) or len(seconds) == 0:
        return extra
    starts = np.flatnonzero(np.append(True, span[1:] != span[:-1]))
    totals = np.add.reduceat(seconds, starts)
    billed = totals
    if not per_second:
        # A span of exactly one minute can reach the clock as 60.00000000000001 s: float
        # noise far below a microsecond does not start another billing increment.
        billed = np.ceil(totals / price.granularity - _NOISE) * price.granularity
    ends = np.append(starts[1:], len(seconds)) - 1
    extra[ends] = np.maximum(billed, price.minimum) - totals
    return extra


def _empty_costs(transitions: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "service": pd.Categorical([]),
            "resource_id": pd.Categorical([], categories=transitions["resource_id"].cat.categories),
            "group": pd.Categorical([]),
            "item": pd.Categorical([]),
            "status": pd.Categorical([]),
            "start": np.array([], dtype=float),
            "end": np.array([], dtype=float),
            "quantity": np.array([], dtype=float),
            "usd": np.array([], dtype=float),
        }
    )


def derive_stops(
    records: pd.DataFrame,
    costs: pd.DataFrame,
    horizon: float,
    resources: pd.DataFrame,
    statuses: pd.Index | None = None,
) -> pd.DataFrame:
    """The `stops` table from the stops' records, as the simulation wrote them (see
    `simulator.engine.stops`), read at the horizon: an answer or an observation due then or
    later has not happened yet. A stop's end is its own (`terminal_status`, `terminal_at`)
    only if it was accepted; `terminal_status` lists its categories in the order of
    `statuses` (the transitions table's), else in the order of first use."""
    answered = (records["answered_at"] < horizon).to_numpy()
    accepted = answered & records["accepted"].to_numpy()
    observed_at = records["observed_at"].to_numpy()
    ended_at = records["ended_at"].to_numpy()
    terminal_at = np.where(accepted, ended_at, np.nan)
    stops = pd.DataFrame(
        {
            "service": records["service"],
            "resource_id": records["resource_id"],
            "requested_at": records["requested_at"],
            "accepted": pd.arrays.BooleanArray(records["accepted"].to_numpy(), ~answered),
            "error_code": records["error_code"].where(answered),
            "attempts": pd.arrays.IntegerArray(records["attempts"].to_numpy(np.int64), ~answered),
            "terminal_status": _statuses(records["ended_as"].where(accepted), statuses),
            "terminal_at": terminal_at,
            "stop_latency_s": terminal_at - records["requested_at"].to_numpy(),
            "observed_at": np.where(observed_at < horizon, observed_at, np.nan),
        }
    )
    # until the resource ended, whether or not by this stop: else to the horizon
    until = np.where(np.isnan(ended_at), horizon, ended_at)
    owners = resources["owner_id"].cat.codes.to_numpy()
    stops["cost_after_request_usd"] = _cost_between(stops, until, costs, owners)
    stops["outcome"] = _outcome(stops)
    group = resources["group"]
    stops["group"] = pd.Categorical.from_codes(
        group.cat.codes.to_numpy()[stops["resource_id"].cat.codes.to_numpy()],
        categories=group.cat.categories,
    )
    return stops[list(STOP_COLUMNS)]


def _statuses(ended_as: pd.Series, order: pd.Index | None) -> pd.Series:
    """`ended_as` with only the categories it uses, in `order` where given."""
    used = ended_as.cat.remove_unused_categories()
    if order is None:
        return used
    return used.cat.reorder_categories(order[order.isin(used.cat.categories)])


def _cost_between(
    stops: pd.DataFrame, until: np.ndarray, costs: pd.DataFrame, owners: np.ndarray
) -> np.ndarray:
    """Dollars each stop's resource and its parts accrued from the request to `until`, pro
    rata. `owners[key]` is the key of the resource that `key` belongs to."""
    if stops.empty:
        return np.zeros(0)
    left = pd.DataFrame(
        {
            "row": np.arange(len(stops)),
            "key": stops["resource_id"].cat.codes.to_numpy(),
            "requested_at": stops["requested_at"].to_numpy(),
            "until": until,
        }
    )
    right = pd.DataFrame(
        {
            "key": owners[costs["resource_id"].cat.codes.to_numpy()],
            "start": costs["start"].to_numpy(),
            "end": costs["end"].to_numpy(),
            "usd": costs["usd"].to_numpy(),
        }
    )
    pairs = left.merge(right, on="key")
    # an instant (a request charged when made, a rounding charge) counts whole if it falls
    # in [request, until); an interval, for the part of it that does
    instant = pairs["end"] == pairs["start"]
    after = pairs["end"] > pairs["requested_at"]
    after |= instant & (pairs["start"] >= pairs["requested_at"])
    pairs = pairs[after & (pairs["start"] < pairs["until"])]
    length = (pairs["end"] - pairs["start"]).to_numpy()
    inside = np.minimum(pairs["end"].to_numpy(), pairs["until"].to_numpy()) - np.maximum(
        pairs["start"].to_numpy(), pairs["requested_at"].to_numpy()
    )
    share = np.divide(inside, length, out=np.ones_like(inside), where=length > 0)
    spent = pd.Series(pairs["usd"].to_numpy() * share).groupby(pairs["row"].to_numpy()).sum()
    return spent.reindex(np.arange(len(stops)), fill_value=0.0).to_numpy()


def _outcome(stops: pd.DataFrame) -> pd.Series:
    accepted = stops["accepted"]
    outcome = np.where(
        accepted.isna(),
        "in_flight",
        np.where(
            ~accepted.fillna(False).astype(bool),
            "rejected",
            np.where(
                stops["terminal_status"].isna(), "stuck", stops["terminal_status"].astype(str)
            ),
        ),
    )
    return pd.Series(outcome, index=stops.index, dtype="category")


def throttles(calls: pd.DataFrame) -> np.ndarray:
    """Which API attempts were throttled: a throttling error code, or HTTP 429."""
    coded = calls["error_code"].astype(object).isin(THROTTLES)
    return (coded | (calls["http_status"] == 429)).to_numpy(bool)
