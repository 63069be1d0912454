"""Replayed request traces: read once, checked against the services, kept with the scenario.

Every problem names the trace file (its whole path) and, where one row is at fault, the row:
a CSV's line number (the header is line 1), a Parquet file's row from 0. A row before the
scenario's start, at or after its horizon, or at no finite time is refused by row: it would
be sent at t=0, dropped, or never, and the replay would not be the trace.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

from pydantic import PrivateAttr, ValidationInfo, field_validator, model_validator

from simulator.engine.schema import Strict, relative_to_scenario
from simulator.services import SERVICES

if TYPE_CHECKING:  # pandas is imported when a trace is read: validating a scenario is fast
    import pandas as pd

REQUIRED = ("time", "service", "resource", "operation")
OPTIONAL = ("parameters", "caller")
ROW = "row"
"""The column holding each row's number as its file shows it (for messages); a log
replay's holds each record's place in the log instead (`<file> Records[2]`)."""


class TraceFile(Strict):
    """A replay's trace: its file (relative to the scenario's), read once as the scenario
    loads by the kind's `read_file`."""

    path: Path
    _trace: pd.DataFrame = PrivateAttr()

    @property
    def trace(self) -> pd.DataFrame:
        return self._trace

    @staticmethod
    def read_file(path: Path) -> pd.DataFrame:
        """The kind's reader: its columns and checks."""
        raise NotImplementedError

    def contents(self) -> bytes:
        """The trace's bytes, for a run directory to keep and a sweep to fingerprint."""
        return self.path.read_bytes()

    @model_validator(mode="after")
    def _read(self) -> Self:
        self._trace = self.read_file(self.path)
        return self

    @field_validator("path")
    @classmethod
    def _relative_to_scenario(cls, path: Path, info: ValidationInfo) -> Path:
        return _regular(relative_to_scenario(path, info))


def _regular(path: Path) -> Path:
    """A trace's path; ValueError unless it is a regular .csv or .parquet file."""
    if not path.exists():
        raise ValueError(f"no such file: {path}")
    if not path.is_file():  # a directory, a pipe, a device: /dev/zero reads for ever
        raise ValueError(f"not a regular file: {path}")
    if path.suffix.lower() not in {".csv", ".parquet"}:
        raise ValueError(f"expected a .csv or .parquet file, got {path.name}")
    return path


def read_trace(path: Path) -> pd.DataFrame:
    """The trace's rows sorted by time, `parameters` parsed; ValueError names the file, the
    row and the column.

    `time` stays as given (seconds, or timestamps) until the scenario's start is known.
    """
    frame = _table(path, REQUIRED, OPTIONAL)
    for row in frame.to_dict("records"):
        where = f"{path} row {row[ROW]}"
        service = SERVICES.get(str(row["service"]))
        if service is None:
            raise ValueError(f"{where}: unknown service {row['service']!r}")
        if row["operation"] not in service.OPERATIONS:
            raise ValueError(f"{where}: {row['service']} has no operation {row['operation']!r}")
    _objects(frame, "parameters", path, empty={})
    if "caller" not in frame.columns:
        frame["caller"] = None
    return _timed(frame, path)


def read_invocations(path: Path) -> pd.DataFrame:
    """A trace of a handler's invocations: `time`, and optionally `event` (a JSON object:
    the event to invoke with, such as an exported EventBridge event; default the scheduled
    event), sorted by time; ValueError names the file, the row and the column."""
    frame = _table(path, ("time",), ("event",))
    _objects(frame, "event", path, empty=None)
    return _timed(frame, path)


def _table(path: Path, required: tuple[str, ...], optional: tuple[str, ...]) -> pd.DataFrame:
    """The file's rows, with exactly the columns allowed and each row's number."""
    frame = _read(path)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} lacks column(s) {', '.join(missing)}")
    extra = [c for c in frame.columns if c not in required + optional]
    if extra:
        raise ValueError(f"{path} has unknown column(s) {', '.join(map(str, extra))}")
    first_row = 2 if path.suffix.lower() == ".csv" else 0  # a CSV's line number
    frame[ROW] = frame.index + first_row
    return frame


def _objects(frame: pd.DataFrame, column: str, path: Path, empty: dict[str, object] | None) -> None:
    """Parse `column`'s JSON objects in place (`empty` where a row has none)."""
    import pandas as pd

    parsed_rows: list[object] = []
    for number, raw in zip(frame[ROW], frame.get(column, [None] * len(frame)), strict=True):
        try:
            parsed = json.loads(raw) if isinstance(raw, str) and raw.strip() else empty
        except json.JSONDecodeError as error:
            raise ValueError(
                f"{path} row {number}: {column} is not a JSON object: {error}"
            ) from None
        if parsed is not empty and not isinstance(parsed, dict):
            raise ValueError(f"{path} row {number}: {column} is not a JSON object")
        parsed_rows.append(parsed)
    frame[column] = pd.Series(parsed_rows, index=frame.index, dtype=object)


def _timed(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """`time` checked (present, finite, not before the start) and the rows sorted by it."""
    import pandas as pd

    if frame["time"].isna().any():
        raise ValueError(f"{path} row {_first(frame, frame['time'].isna())}: time is empty")
    if pd.api.types.is_bool_dtype(frame["time"]):
        raise ValueError(f"{path}: time must be seconds or timestamps, not true or false")
    if pd.api.types.is_numeric_dtype(frame["time"]):
        frame["time"] = frame["time"].astype(float)
        infinite = ~frame["time"].map(math.isfinite)
        if infinite.any():
            raise ValueError(f"{path} row {_first(frame, infinite)}: time is not a finite number")
        if (frame["time"] < 0).any():
            line = _first(frame, frame["time"] < 0)
            raise ValueError(f"{path} row {line}: time is before the start (negative)")
    else:
        try:
            frame["time"] = pd.to_datetime(frame["time"], utc=True, format="ISO8601")
        except (ValueError, TypeError, OverflowError) as error:
            raise ValueError(f"{path}: time must be seconds or timestamps: {error}") from None
    return frame.sort_values("time", kind="stable").reset_index(drop=True)


def _read(path: Path) -> pd.DataFrame:
    """The file as a table; ValueError naming it when it cannot be read as one."""
    import pandas as pd

    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except OSError as error:
        raise ValueError(f"{path}: cannot read it ({error.strerror or error})") from None
    except Exception as error:  # pandas' and Arrow's parsers raise many kinds
        kind = "Parquet" if path.suffix.lower() == ".parquet" else "CSV"
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"{path}: cannot read it as {kind} ({reason})") from None


def _first(frame: pd.DataFrame, mask: pd.Series) -> int | str:
    """The first masked row's number, or its place in a log (`<file> Records[2]`)."""
    row = frame.loc[mask, ROW].iloc[0]
    return row if isinstance(row, str) else int(row)


def seconds(frame: pd.DataFrame, start: datetime) -> pd.Series:
    """The trace's times as seconds from `start` (timestamps converted, seconds as given)."""
    import pandas as pd

    times = frame["time"]
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        return (times - pd.Timestamp(start)).dt.total_seconds()
    return times


def check_window(frame: pd.DataFrame, path: Path, start: datetime, horizon: float) -> str | None:
    """What is wrong with the trace's times for a run from `start` for `horizon` seconds:
    the first row before the start or at or after the horizon (None if every row fits)."""
    times = seconds(frame, start)
    before, after = times < 0, times >= horizon
    if before.any():
        row = _first(frame, before)
        return (
            f"{path} row {row}: time {frame.loc[before, 'time'].iloc[0]} is before the scenario's "
            f"start ({start.isoformat()}); it cannot be sent"
        )
    if after.any():
        row, count = _first(frame, after), int(after.sum())
        return (
            f"{path} row {row}: time {times[after].iloc[0]:g} s is at or after the horizon "
            f"({horizon:g} s), as are {count} row(s) in all; they would never be sent: lengthen "
            "the horizon or cut the trace"
        )
    return None
