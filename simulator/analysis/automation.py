"""What the user's own code did: its invocations, and its calls to what is not simulated.

Pure functions of the `invocations` and `calls` tables (`simulator.aws` records them).
"""

from __future__ import annotations

import pandas as pd

UNKNOWN_OPERATION = "UnknownOperationException"


def invocation_outcomes(invocations: pd.DataFrame, replications: int) -> pd.DataFrame:
    """Per stream and outcome: invocations per replication, the share of the stream's,
    cold starts per replication and the mean duration in seconds."""
    columns = ["stream", "outcome", "invocations", "share", "cold starts", "mean (s)"]
    if invocations.empty:
        return pd.DataFrame(columns=columns)
    frame = invocations.assign(duration=invocations["ended"] - invocations["started"])
    grouped = frame.groupby(["stream", "outcome"], observed=True)
    table = grouped.agg(
        count=("started", "size"), cold=("cold_start", "sum"), mean=("duration", "mean")
    ).reset_index()
    totals = table.groupby("stream", observed=True)["count"].transform("sum")
    return pd.DataFrame(
        {
            "stream": table["stream"].astype(str),
            "outcome": table["outcome"].astype(str),
            "invocations": table["count"] / replications,
            "share": table["count"] / totals,
            "cold starts": table["cold"] / replications,
            "mean (s)": table["mean"],
        }
    )[columns]


def unsimulated(calls: pd.DataFrame) -> pd.DataFrame:
    """Each `service:Operation` user code called that the simulator does not model, with
    its attempts (all replications): answered as AWS answers an unknown operation."""
    rows = calls[calls["error_code"] == UNKNOWN_OPERATION]
    names = rows["service"].astype(str) + ":" + rows["operation"].astype(str)
    counts = names.value_counts().sort_index()
    return pd.DataFrame({"operation": counts.index, "attempts": counts.to_numpy()})
