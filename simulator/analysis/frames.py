"""The result tables derived from what the recorder saw: `costs` and `stops`.

    costs   one row per resource per interval spent in a billable status: the resource's
            group, the interval's unit-hours and dollars. Each continuous billable span is
            rounded up to the price's granularity and minimum; the rounding is charged on
            the span's last interval. Intervals still open at the horizon end there. A
            price per entry charges each entry when it happens: a row with start == end,
            the entries as its quantity.
    stops   one row per stop request: its resource's fleet group, when it was sent,
            whether it was accepted and after how many attempts, when the resource reached
            a status that ends a stop (at once if it was in one already: a duplicate
            stop), when the caller saw it, what the resource and the parts it owns (a
            training job's instances) cost from the request until then (for a rejected
            stop, until the resource ended by other means, or the horizon: the price of a
            lost stop), and the outcome: the terminal status, `rejected` (the call
            failed), `stuck` (accepted, not ended by the horizon) or `in_flight`
            (unanswered at the horizon).

All the inputs are plain tables and plain data (prices, terminal statuses by service); the
`resources` registry (resource_id, group, kind, owner_id per recorder key) says what each
resource is billed as and whom it belongs to.
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
    parts = []
    for service, items in prices.items():
        mine = intervals[intervals["service"] == service]
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
                        "service": rows["service"].astype(str).to_numpy(),
                        "resource_id": rows["resource_id"].array,
                        "group": pd.Categorical.from_codes(
                            groups[rows["resource_id"].cat.codes.to_numpy()],
                            categories=group.cat.categories,
                        ),
                        "item": item,
                        "status": rows["status"].astype(str).to_numpy(),
                        "start": rows["start"].to_numpy(),
                        "end": end,
                        "quantity": quantity,
                        "usd": quantity * rate,
                    }
                )
            )
    if not parts:
        return _empty_costs(transitions)
    costs = pd.concat(parts, ignore_index=True)
    costs = costs[(costs["end"] > costs["start"]) | (costs["usd"] > 0)]
    costs = costs.sort_values(["start", "resource_id"], kind="stable").reset_index(drop=True)
    for column in ("service", "group", "item", "status"):
        costs[column] = costs[column].astype("category")
    return costs


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
    raw: Mapping[str, pd.DataFrame],
    transitions: pd.DataFrame,
    costs: pd.DataFrame,
    terminal: Mapping[str, frozenset[str]],
    horizon: float,
    resources: pd.DataFrame,
) -> pd.DataFrame:
    """The `stops` table from the stop_requests/responses/observations the recorder holds."""
    requests = raw["stop_requests"].reset_index(names="request")
    # A response or observation due at or after the horizon has not happened yet.
    responses = raw["stop_responses"].query("time < @horizon")
    observed = raw["stop_observations"].query("time < @horizon")
    responses = responses.rename(columns={"time": "answered_at"})
    observed = observed.rename(columns={"time": "observed_at"})
    stops = requests.rename(columns={"time": "requested_at"}).merge(
        responses[["request", "accepted", "error_code", "attempts"]], on="request", how="left"
    )
    stops = stops.merge(observed[["request", "observed_at"]], on="request", how="left")
    ends = _terminal_after(stops, transitions, terminal)
    stops["terminal_status"] = ends["status"]
    stops["terminal_at"] = ends["time"]
    stops["stop_latency_s"] = stops["terminal_at"] - stops["requested_at"]
    until = ends["ended_at"].fillna(horizon).to_numpy()
    owners = resources["owner_id"].cat.codes.to_numpy()
    stops["cost_after_request_usd"] = _cost_between(stops, until, costs, owners)
    stops["outcome"] = _outcome(stops)
    group = resources["group"]
    stops["group"] = pd.Categorical.from_codes(
        group.cat.codes.to_numpy()[stops["resource_id"].cat.codes.to_numpy()],
        categories=group.cat.categories,
    )
    stops["accepted"] = stops["accepted"].astype("boolean")
    stops["error_code"] = stops["error_code"].astype("category")
    stops["attempts"] = stops["attempts"].astype("Int64")
    return stops[list(STOP_COLUMNS)]


def _terminal_after(
    stops: pd.DataFrame, transitions: pd.DataFrame, terminal: Mapping[str, frozenset[str]]
) -> pd.DataFrame:
    """For each stop, when its resource ended (`ended_at`): at once if it was already in a
    status that ends a stop when the request was sent (a duplicate stop answered after the
    first took effect), else at its first move into one after the request; and, for an
    accepted stop, that time and status as the stop's own (`time`, `status`). A rejected
    stop ended nothing, but its resource may have ended by another's stop: that end bounds
    what the rejected stop is said to have cost."""
    to_status, service = transitions["to_status"], transitions["service"]
    is_end = np.zeros(len(transitions), dtype=bool)
    for name, statuses in terminal.items():
        is_end |= ((service == name) & to_status.isin(statuses)).to_numpy()
    left = pd.DataFrame(
        {
            "row": np.arange(len(stops)),
            "key": stops["resource_id"].cat.codes.to_numpy(),
            "requested_at": stops["requested_at"].to_numpy(),
        }
    ).sort_values("requested_at", kind="stable")
    ends = pd.DataFrame(
        {
            "seq": np.flatnonzero(is_end),  # the move's place in the log: ties keep order
            "key": transitions["resource_id"].cat.codes.to_numpy()[is_end],
            "time": transitions["time"].to_numpy()[is_end],
            "status": to_status.cat.codes.to_numpy()[is_end],
        }
    ).sort_values("time", kind="stable")
    after = pd.merge_asof(
        left, ends, left_on="requested_at", right_on="time", by="key", direction="forward"
    )
    # Already ended when the request was sent? Only a resource that ended before it can be:
    # look at those few resources' last move, not at every transition of the run.
    ended = pd.merge_asof(
        left, ends.rename(columns={"seq": "end_seq", "time": "ended_at", "status": "ended_as"}),
        left_on="requested_at", right_on="ended_at", by="key", direction="backward",
    )  # fmt: skip
    already = np.zeros(len(left), dtype=bool)
    prior = ended["ended_at"].notna().to_numpy()
    if prior.any():
        codes = transitions["resource_id"].cat.codes.to_numpy()
        mine = np.isin(codes, left["key"].to_numpy()[prior])
        last = pd.merge_asof(
            left[prior],
            pd.DataFrame(
                {
                    "seq": np.flatnonzero(mine),
                    "key": codes[mine],
                    "time": transitions["time"].to_numpy()[mine],
                }
            ).sort_values("time", kind="stable"),
            left_on="requested_at", right_on="time", by="key", direction="backward",
        )  # fmt: skip
        already[prior] = last["seq"].to_numpy() == ended["end_seq"].to_numpy()[prior]
    ended_as = ended["ended_as"].to_numpy()
    accepted = stops["accepted"].fillna(False).astype(bool).to_numpy()
    order = np.argsort(left["row"].to_numpy(), kind="stable")  # back to the stops' order
    time = np.where(already, left["requested_at"], after["time"])[order]
    code = np.where(already, ended_as, after["status"].fillna(-1))[order]
    code = np.where(accepted, code, -1).astype(np.int64)
    return pd.DataFrame(
        {
            "ended_at": time,
            "time": np.where(accepted, time, np.nan),
            "status": pd.Categorical.from_codes(
                code, categories=to_status.cat.categories
            ).remove_unused_categories(),
        }
    )


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
