"""A replayed log's stops beside the simulation's: what failed in each.

A log replay sends each logged stop at its record's time to the resource it was matched to,
so a stop of the `stops` table is the log's record that was sent to the same resource at
the same moment (to the microsecond: the simulated clock adds the gaps between records).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pandas as pd

COLUMNS = (
    "stream",
    "service",
    "stops",
    "failed_in_log",
    "rejected_in_simulation",
    "same_outcome",
    "log_error_codes",
    "simulated_error_codes",
)


def compare_stops(stops: pd.DataFrame, sent: pd.DataFrame, replications: int) -> pd.DataFrame:
    """Per stream and service of `sent` (a row per logged stop a replay sent: `stream`,
    `service`, `resource_id`, `requested_at`, `recorded_error_code`): the log's stops, how
    many failed in the log, how many the simulation rejected and how many ended alike
    (means over replications), and the error codes of each (the simulation's as means per
    replication)."""
    if sent.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    key = ["service", "resource_id", "moment", "nth"]
    logged = _keyed(sent)
    rows = []
    for (stream, service), records in logged.groupby(["stream", "service"], sort=False):
        failed_in_log = records["recorded_error_code"].notna()
        rejected = same = 0.0
        codes: Counter[str] = Counter()
        for replication in range(replications):
            mine = _keyed(stops[stops["replication"] == replication])
            joined = records.merge(
                mine[[*key, "accepted", "error_code"]], on=key, how="left", validate="one_to_one"
            )
            was_rejected = joined["accepted"].eq(False).fillna(False).to_numpy(bool)
            rejected += was_rejected.sum()
            same += (was_rejected == failed_in_log.to_numpy(bool)).sum()
            codes.update(str(c) for c in joined.loc[was_rejected, "error_code"])
        rows.append(
            {
                "stream": stream,
                "service": service,
                "stops": len(records),
                "failed_in_log": int(failed_in_log.sum()),
                "rejected_in_simulation": rejected / replications,
                "same_outcome": same / replications,
                "log_error_codes": _codes(Counter(records["recorded_error_code"].dropna())),
                "simulated_error_codes": _codes(
                    Counter({c: n / replications for c, n in codes.items()})
                ),
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the columns a stop is matched by: its service, resource and moment, and
    which of the stops sent to one resource at one moment it is (a log may repeat one)."""
    keyed = frame.assign(
        service=frame["service"].astype(str),
        resource_id=frame["resource_id"].astype(str),
        moment=frame["requested_at"].round(6),
    )
    keyed["nth"] = keyed.groupby(["service", "resource_id", "moment"]).cumcount()
    return keyed


def _codes(counts: Mapping[str, float]) -> str:
    return ", ".join(f"{code} {count:g}" for code, count in sorted(counts.items())) or "none"
