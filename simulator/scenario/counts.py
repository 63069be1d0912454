"""Replayed per-minute request counts (`demand[i].replay`): read once, checked row by row.

A CSV's rows are named by their line (the header is line 1), a Parquet file's by row from
0, with the field at fault: a count that is not a whole number >= 0, a minute that is
neither a whole number of minutes from the start nor an ISO timestamp, a minute outside
the run, a group or model that is not the entry's.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from simulator.scenario.trace import ROW, _table

if TYPE_CHECKING:
    import pandas as pd

KEYS: Final = ("group", "resource")


def _where(path: Path, row: object) -> str:
    return f"{path} {'line' if path.suffix.lower() == '.csv' else 'row'} {row}"


def _shown(value: object) -> str:
    """A cell as the file has it: a number as a number (not numpy's repr), text quoted."""
    item = getattr(value, "item", None)
    return repr(item() if callable(item) else value)


def read_counts(path: Path) -> pd.DataFrame:
    """The file's rows: `group` or `resource` (text), `minute` (whole minutes from the start
    as float, or UTC timestamps), `count` (int64), and each row's number; ValueError names
    the file, the line and the field."""
    import numpy as np
    import pandas as pd

    frame = _table(path, ("minute", "count"), KEYS)
    keys = [k for k in KEYS if k in frame.columns]
    if len(keys) != 1:
        raise ValueError(
            f"{path}: expected one column naming whom each count is for, `group` or "
            f"`resource`; got {' and '.join(keys) or 'neither'}"
        )
    key = keys[0]
    missing = frame[key].isna() | (frame[key].astype(str).str.strip() == "")
    if missing.any():
        raise ValueError(f"{_where(path, frame.loc[missing, ROW].iloc[0])}: {key} is empty")
    frame[key] = frame[key].astype(str).str.strip()
    counts = pd.to_numeric(frame["count"], errors="coerce")
    bad = counts.isna() | (counts < 0) | (counts != np.floor(counts))
    if bad.any():
        first = bad.idxmax()
        raise ValueError(
            f"{_where(path, frame.at[first, ROW])}: count: expected a whole number >= 0, got "
            f"{_shown(frame.at[first, 'count'])}"
        )
    frame["count"] = counts.astype(np.int64)
    frame["minute"] = _minutes(frame, path)
    return frame


def _minutes(frame: pd.DataFrame, path: Path) -> pd.Series:
    """`minute` as whole minutes (float) or as UTC timestamps, every row the kind of the
    first."""
    import numpy as np
    import pandas as pd

    raw = frame["minute"]
    numbers = pd.to_numeric(raw, errors="coerce")
    if len(numbers) and not pd.isna(numbers.iloc[0]):
        bad = numbers.isna() | (numbers != np.floor(numbers)) | ~np.isfinite(numbers)
        if bad.any():
            first = bad.idxmax()
            raise ValueError(
                f"{_where(path, frame.at[first, ROW])}: minute: expected a whole number of "
                f"minutes from the start (as the first row's), got {_shown(raw.at[first])}"
            )
        return numbers.astype(float)
    moments = pd.to_datetime(raw.astype(str), utc=True, format="ISO8601", errors="coerce")
    bad = moments.isna()
    if bad.any():
        first = bad.idxmax()
        raise ValueError(
            f"{_where(path, frame.at[first, ROW])}: minute: expected minutes from the start or "
            f"an ISO timestamp such as 2026-01-05T09:30:00Z, got {_shown(raw.at[first])}"
        )
    return moments


def minutes_from(frame: pd.DataFrame, start: datetime) -> pd.Series:
    """When each row's minute begins, in minutes from `start`: a number as given; a
    timestamp's UTC minute (the one it falls in, as CloudWatch names its periods) where it
    is, so against a start that is not on a whole minute it is a fraction of a minute off
    the start's count, and the minute holding the start begins before it (above -1)."""
    import pandas as pd

    minutes = frame["minute"]
    if isinstance(minutes.dtype, pd.DatetimeTZDtype):
        seconds: pd.Series = (minutes.dt.floor("min") - pd.Timestamp(start)).dt.total_seconds()
        return (seconds / 60.0).astype(float)
    return minutes


def check_rows(
    frame: pd.DataFrame,
    path: Path,
    group: str,
    ids: set[str],
    start: datetime,
    horizon: float,
) -> str | None:
    """What is wrong with `path`'s replay for `group` (whose models are `ids`) in a run
    from `start` for `horizon` seconds: its first row at fault, or None."""
    key = "group" if "group" in frame.columns else "resource"
    foreign = frame[key] != group if key == "group" else ~frame[key].isin(ids)
    if foreign.any():
        first = foreign.idxmax()
        named = frame.at[first, key]
        expected = f"{group!r}" if key == "group" else f"a model of group {group!r}"
        return f"{_where(path, frame.at[first, ROW])}: {key}: {named!r} is not {expected}"
    minutes = minutes_from(frame, start)
    outside = (minutes <= -1) | (minutes * 60.0 >= horizon)  # -1 < m < 0: holds the start
    if outside.any():
        first = outside.idxmax()
        minute = _minute(frame.at[first, "minute"])
        return (
            f"{_where(path, frame.at[first, ROW])}: minute: {minute} is outside the run "
            f"(minutes 0 to {int(-(-horizon // 60)) - 1} from {start.isoformat()})"
        )
    return None


def _minute(value: object) -> str:
    """A minute as read: whole minutes without a decimal point, or the timestamp."""
    return f"{value:g}" if isinstance(value, float) else str(value)
