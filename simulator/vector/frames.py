"""The drawn stops as the recorder's tables: `transitions`, `calls` and the stop records.

Each is the frame the event engine's recorder hands over (`Recorder.hand_over`): the same
columns and dtypes, categorical text, `resource_id` of the registry's dtype (every resource
id, by key), rows in the order the event engine appends them (by the time each happened).
From here the runner's own derivations (`analysis.frames`) make `costs` and `stops`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from simulator.engine.resource_ids import ResourceIds
from simulator.engine.stops import RECORD_COLUMNS
from simulator.vector.follow import Calls, Moves, Stops


class _Text:
    """A categorical column put together from parts: codes into one list of categories, in
    order of first use, as the recorder interns its text."""

    def __init__(self) -> None:
        self.categories: list[str] = []
        self._codes: dict[str, int] = {}

    def code(self, text: str) -> int:
        code = self._codes.get(text)
        if code is None:
            code = self._codes[text] = len(self.categories)
            self.categories.append(text)
        return code

    def recode(self, codes: np.ndarray, categories: Sequence[object]) -> np.ndarray:
        """`codes` into `categories` as codes here (-1, missing, stays -1)."""
        remap = np.array([self.code(str(c)) for c in categories] + [-1], dtype=np.int32)
        recoded: np.ndarray = remap[codes]
        return recoded

    def of(self, values: pd.Series) -> np.ndarray:
        """A categorical column's values as codes here."""
        return self.recode(values.cat.codes.to_numpy(), list(values.cat.categories))

    def column(self, codes: np.ndarray) -> pd.Categorical:
        """The codes as a categorical holding only the categories they use, in order."""
        codes = codes.astype(np.int32, copy=False)
        used = np.flatnonzero(np.bincount(codes + 1, minlength=len(self.categories) + 1)[1:])
        if len(used) < len(self.categories):
            remap = np.full(len(self.categories) + 1, -1, dtype=np.int32)
            remap[used] = np.arange(len(used), dtype=np.int32)
            codes = remap[codes]  # -1 reads the last: missing stays missing
        categories = pd.Index([self.categories[i] for i in used], dtype=object)
        return pd.Categorical.from_codes(codes, categories=categories)


def transitions(first: pd.DataFrame, moves: Sequence[Moves], ids: ResourceIds) -> pd.DataFrame:
    """`first` (every resource's first status, at time 0) and the stops' moves after it,
    by time; `ids` is every resource id, each key's code among them."""
    service, before, after, cause = _Text(), _Text(), _Text(), _Text()
    keys = ids.order[first["resource_id"].cat.codes.to_numpy()]
    started = after.of(first["to_status"])
    status_of = np.full(len(ids.codes), -1, dtype=np.int32)
    status_of[keys] = started
    units_of = np.zeros(len(status_of))
    units_of[keys] = first["units"].to_numpy()
    parts: dict[str, list[np.ndarray]] = {
        "time": [first["time"].to_numpy()],
        "service": [service.of(first["service"])],
        "resource_id": [keys],
        "from_status": [before.of(first["from_status"])],
        "to_status": [started],
        "cause": [cause.of(first["cause"])],
        "units": [first["units"].to_numpy()],
    }
    for move in moves:
        count = len(move.keys)
        came = (
            status_of[move.keys] if move.after is None else np.full(count, after.code(move.after))
        )
        parts["time"].append(move.times)
        parts["service"].append(np.full(count, service.code(move.service)))
        parts["resource_id"].append(move.keys)
        parts["from_status"].append(before.recode(came, list(after.categories)))
        parts["to_status"].append(np.full(count, after.code(move.to)))
        parts["cause"].append(np.full(count, cause.code("stop")))
        parts["units"].append(units_of[move.keys])
    columns = {name: np.concatenate(values) for name, values in parts.items()}
    order = np.argsort(columns["time"], kind="stable")
    return pd.DataFrame(
        {
            "time": columns["time"][order],
            "service": service.column(columns["service"][order]),
            "resource_id": ids.named(columns["resource_id"][order]),
            "from_status": before.column(columns["from_status"][order]),
            "to_status": after.column(columns["to_status"][order]),
            "cause": cause.column(columns["cause"][order]),
            "units": columns["units"][order],
        }
    )


def calls(parts: Sequence[Calls], ids: ResourceIds) -> pd.DataFrame:
    """Every attempt, in the order they reached the service."""
    sizes = [len(p.keys) for p in parts]

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts]) if parts else np.zeros(0)

    def text(name: str) -> pd.Categorical:
        names = _Text()
        codes = np.repeat([names.code(getattr(p, name)) for p in parts], sizes)
        return names.column(codes.astype(np.int32)[order])

    order = np.argsort(joined("moment"), kind="stable")
    return pd.DataFrame(
        {
            "time": joined("sent")[order],
            "caller": text("caller"),
            "service": text("service"),
            "operation": text("operation"),
            "resource_id": ids.named(joined("keys").astype(np.int32)[order]),
            "attempt": np.ones(len(order), dtype=np.int16),
            "http_status": np.repeat([p.http_status for p in parts], sizes)[order].astype(np.int16),
            "error_code": _Text().column(np.full(len(order), -1)),
            "latency_s": joined("latency")[order],
        }
    )


def records(parts: Sequence[Stops], ids: ResourceIds) -> pd.DataFrame:
    """The stops' records (`simulator.engine.stops.RECORD_COLUMNS`), in the order sent."""
    sizes = [len(p.keys) for p in parts]

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts]) if parts else np.zeros(0)

    order = np.argsort(joined("requested"), kind="stable")
    services, statuses = _Text(), _Text()
    service = np.repeat([services.code(p.service) for p in parts], sizes).astype(np.int32)
    stopped = np.repeat([statuses.code(p.stopped) for p in parts], sizes).astype(np.int32)
    answered_at, ended_at = joined("answered_at")[order], joined("ended_at")[order]
    accepted = ~np.isnan(answered_at)
    frame = pd.DataFrame(
        {
            "service": services.column(service[order]),
            "resource_id": ids.named(joined("keys").astype(np.int32)[order]),
            "requested_at": joined("requested")[order],
            "answered_at": answered_at,
            "accepted": accepted,
            "error_code": _Text().column(np.full(len(order), -1)),
            "attempts": accepted.astype(np.int64),
            "ended_at": ended_at,
            "ended_as": statuses.column(np.where(np.isnan(ended_at), -1, stopped[order])),
            "observed_at": joined("observed_at")[order],
        }
    )
    return frame[list(RECORD_COLUMNS)]
