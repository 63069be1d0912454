"""Per service and outcome: how many stops, how long they took, what they cost.

Each figure is computed per replication, then averaged over replications with a 95%
confidence interval from Student's t (none with a single replication: one run says nothing
about its own spread).
"""

from __future__ import annotations

from typing import Final, cast

import numpy as np
import pandas as pd
from scipy import stats

METRICS: Final = (
    "count",
    "latency_mean_s",
    "latency_p50_s",
    "latency_p95_s",
    "latency_p99_s",
    "cost_after_request_usd",
)
KEYS: Final = ["service", "outcome"]


def per_replication(stops: pd.DataFrame, replications: int) -> pd.DataFrame:
    """One row per replication, service and outcome: zero counts and costs where an outcome
    is absent from a replication, even from one with no stop at all."""
    frame = stops.assign(service=stops["service"].astype(str), outcome=stops["outcome"].astype(str))
    grouped = frame.groupby(["replication", *KEYS], observed=True)
    latency = grouped["stop_latency_s"]
    table = pd.DataFrame(
        {
            "count": grouped.size().astype(float),
            "latency_mean_s": latency.mean(),
            "latency_p50_s": latency.quantile(0.50),
            "latency_p95_s": latency.quantile(0.95),
            "latency_p99_s": latency.quantile(0.99),
            "cost_after_request_usd": grouped["cost_after_request_usd"].sum(),
        }
    )
    pairs = table.reset_index()[KEYS].drop_duplicates()
    full = pd.MultiIndex.from_tuples(
        [(r, *pair) for r in range(replications) for pair in pairs.itertuples(index=False)],
        names=["replication", *KEYS],
    )
    table = table.reindex(full)
    table[["count", "cost_after_request_usd"]] = table[["count", "cost_after_request_usd"]].fillna(
        0.0
    )
    return table.reset_index()


def _mean_ci(values: pd.Series) -> tuple[float, float, float]:
    values = values.dropna()
    n = len(values)
    if n == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if n < 2:
        return mean, np.nan, np.nan
    half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


def billed(costs: pd.DataFrame, replications: int) -> pd.DataFrame:
    """What each service's resources cost over the horizon, per fleet group and price item,
    per replication averaged.

    Columns: service, group, item, usd, usd_ci_low, usd_ci_high. A replication that billed
    nothing for one of them counts as zero, not as missing.
    """
    keys = ["service", "group", "item"]
    frame = costs.assign(**{key: costs[key].astype(str) for key in keys})
    per = frame.pivot_table(index="replication", columns=keys, values="usd", aggfunc="sum")
    per = per.reindex(range(replications)).fillna(0.0)
    rows = []
    for key in per.columns:
        usd, low, high = _mean_ci(per[key])
        names = dict(zip(keys, cast(tuple[str, str, str], key), strict=True))
        rows.append({**names, "usd": usd, "usd_ci_low": low, "usd_ci_high": high})
    return pd.DataFrame(rows, columns=[*keys, "usd", "usd_ci_low", "usd_ci_high"])


def summarize(stops: pd.DataFrame, replications: int) -> pd.DataFrame:
    """Columns: service, outcome, replications, then each metric with `_ci_low`/`_ci_high`."""
    columns = [*KEYS, "replications"]
    for metric in METRICS:
        columns += [metric, f"{metric}_ci_low", f"{metric}_ci_high"]
    if stops.empty:
        return pd.DataFrame(columns=columns)
    table = per_replication(stops, replications)
    rows = []
    for key, group in table.groupby(KEYS, sort=True):
        row: dict[str, object] = dict(zip(KEYS, key, strict=True))
        row["replications"] = len(group)
        for metric in METRICS:
            row[metric], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"] = _mean_ci(group[metric])
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)
