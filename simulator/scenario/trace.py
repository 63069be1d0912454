"""Replayed request traces: read once, checked against the services, kept with the scenario."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.services import SERVICES

if TYPE_CHECKING:  # pandas is imported when a trace is read: validating a scenario is fast
    import pandas as pd

REQUIRED = ("time", "service", "resource", "operation")
OPTIONAL = ("parameters", "caller")


def read_trace(path: Path) -> pd.DataFrame:
    """The trace's rows sorted by time, `parameters` parsed; ValueError names row and column.

    `time` stays as given (seconds, or timestamps) until the scenario's start is known.
    """
    import pandas as pd

    frame = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ValueError(f"{path.name} lacks column(s) {', '.join(missing)}")
    extra = [c for c in frame.columns if c not in REQUIRED + OPTIONAL]
    if extra:
        raise ValueError(f"{path.name} has unknown column(s) {', '.join(extra)}")
    first_row = 2 if path.suffix.lower() == ".csv" else 0  # a CSV's line number
    parameters = []
    for index, row in frame.iterrows():
        where = f"{path.name} row {int(str(index)) + first_row}"
        service = SERVICES.get(str(row["service"]))
        if service is None:
            raise ValueError(f"{where}: unknown service {row['service']!r}")
        if row["operation"] not in service.OPERATIONS:
            raise ValueError(f"{where}: {row['service']} has no operation {row['operation']!r}")
        raw = row.get("parameters")
        try:
            parsed = json.loads(raw) if isinstance(raw, str) and raw.strip() else {}
        except json.JSONDecodeError as error:
            raise ValueError(f"{where}: parameters is not a JSON object: {error}") from None
        if not isinstance(parsed, dict):
            raise ValueError(f"{where}: parameters is not a JSON object")
        parameters.append(parsed)
    frame["parameters"] = pd.Series(parameters, index=frame.index, dtype=object)
    if "caller" not in frame.columns:
        frame["caller"] = None
    if frame["time"].isna().any():
        line = int(frame.index[frame["time"].isna()][0]) + first_row
        raise ValueError(f"{path.name} row {line}: time is empty")
    if pd.api.types.is_numeric_dtype(frame["time"]):
        frame["time"] = frame["time"].astype(float)
        if (frame["time"] < 0).any():
            line = int(frame.index[frame["time"] < 0][0]) + first_row
            raise ValueError(f"{path.name} row {line}: time is before the start (negative)")
    else:
        try:
            frame["time"] = pd.to_datetime(frame["time"], utc=True)
        except (ValueError, TypeError) as error:
            raise ValueError(f"{path.name}: time must be seconds or timestamps: {error}") from None
    return frame.sort_values("time", kind="stable").reset_index(drop=True)
