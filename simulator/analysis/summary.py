"""Per service, fleet group and outcome: how many stops, how long they took, what they
cost; per service and group: what was billed, what would have been without the stops, and
the saving.

Rows are in natural order of their names (`export-2m` before `export-10m`). Each figure
is computed per replication, then averaged over replications with a 95%
confidence interval from Student's t (none with a single replication: one run says nothing
about its own spread). The saving is the mean of per-replication differences between the
counterfactual and the run, which share their random draws: its interval is that of the
paired differences, narrower than the two totals' intervals would suggest.
"""

from __future__ import annotations

from typing import Final, cast

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: a second more to import, for one quantile

from simulator.analysis.order import natural_rows

METRICS: Final = (
    "count",
    "share",
    "latency_mean_s",
    "latency_p50_s",
    "latency_p95_s",
    "latency_p99_s",
    "observed_mean_s",
    "observed_p50_s",
    "observed_p95_s",
    "observed_p99_s",
    "cost_after_request_usd",
)
"""`latency` runs from the request to the terminal status, `observed` to the moment the
caller's waiter saw it; `share` is the outcome's share of the group's stops."""
KEYS: Final = ["service", "group", "outcome"]


def per_replication(stops: pd.DataFrame, replications: int) -> pd.DataFrame:
    """One row per replication, service, group and outcome: zero counts and costs where an
    outcome is absent from a replication, even from one with no stop at all."""
    frame = stops.assign(
        service=stops["service"].astype(str),
        group=stops["group"].astype(str),
        outcome=stops["outcome"].astype(str),
        observed_s=stops["observed_at"] - stops["requested_at"],
    )
    grouped = frame.groupby(["replication", *KEYS], observed=True)
    latency, observed = grouped["stop_latency_s"], grouped["observed_s"]
    count = grouped.size().astype(float)
    of_group = count.groupby(level=["replication", "service", "group"]).transform("sum")
    table = pd.DataFrame(
        {
            "count": count,
            "share": count / of_group,
            "latency_mean_s": latency.mean(),
            "latency_p50_s": latency.quantile(0.50),
            "latency_p95_s": latency.quantile(0.95),
            "latency_p99_s": latency.quantile(0.99),
            "observed_mean_s": observed.mean(),
            "observed_p50_s": observed.quantile(0.50),
            "observed_p95_s": observed.quantile(0.95),
            "observed_p99_s": observed.quantile(0.99),
            "cost_after_request_usd": grouped["cost_after_request_usd"].sum(),
        }
    )
    pairs = table.reset_index()[KEYS].drop_duplicates()
    full = pd.MultiIndex.from_tuples(
        [(r, *pair) for r in range(replications) for pair in pairs.itertuples(index=False)],
        names=["replication", *KEYS],
    )
    table = table.reindex(full)
    zeros = ["count", "share", "cost_after_request_usd"]
    table[zeros] = table[zeros].fillna(0.0)
    return table.reset_index()


def mean_ci(values: pd.Series) -> tuple[float, float, float]:
    """The mean of the values given (NaN left out) and its 95% interval, Student's t."""
    values = values.dropna()
    n = len(values)
    if n == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if n < 2:
        return mean, np.nan, np.nan
    half = float(special.stdtrit(n - 1, 0.975) * values.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


def usd_per_replication(costs: pd.DataFrame, keys: list[str], replications: int) -> pd.DataFrame:
    """USD per replication (rows) and key (columns); a replication without any is zero."""
    frame = costs.assign(**{key: costs[key].astype(str) for key in keys})
    per = frame.pivot_table(index="replication", columns=keys, values="usd", aggfunc="sum")
    return per.reindex(range(replications)).fillna(0.0)


def billed(costs: pd.DataFrame, replications: int) -> pd.DataFrame:
    """What each service's resources cost over the horizon, per fleet group and price item,
    per replication averaged.

    Columns: service, group, item, usd, usd_ci_low, usd_ci_high. A replication that billed
    nothing for one of them counts as zero, not as missing.
    """
    keys = ["service", "group", "item"]
    per = usd_per_replication(costs, keys, replications)
    rows = []
    for key in per.columns:
        usd, low, high = mean_ci(per[key])
        names = dict(zip(keys, cast(tuple[str, str, str], key), strict=True))
        rows.append({**names, "usd": usd, "usd_ci_low": low, "usd_ci_high": high})
    return natural_rows(
        pd.DataFrame(rows, columns=[*keys, "usd", "usd_ci_low", "usd_ci_high"]), keys
    )


SAVINGS: Final = ("billed_usd", "baseline_usd", "saved_usd")


def savings(costs: pd.DataFrame, baseline: pd.DataFrame, replications: int) -> pd.DataFrame:
    """Per service and group: billed with the stops, billed without them (the counterfactual
    on the same draws), and the saving, each with its 95% interval; the saving's interval
    is that of the paired per-replication differences."""
    keys = ["service", "group"]
    actual = usd_per_replication(costs, keys, replications)
    unstopped = usd_per_replication(baseline, keys, replications)
    columns = actual.columns.union(unstopped.columns)
    actual = actual.reindex(columns=columns, fill_value=0.0)
    unstopped = unstopped.reindex(columns=columns, fill_value=0.0)
    rows = []
    for key in columns:
        row: dict[str, object] = dict(zip(keys, cast(tuple[str, str], key), strict=True))
        figures = (actual[key], unstopped[key], unstopped[key] - actual[key])
        for metric, values in zip(SAVINGS, figures, strict=True):
            row[metric], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"] = mean_ci(values)
        rows.append(row)
    header = [*keys] + [f"{m}{end}" for m in SAVINGS for end in ("", "_ci_low", "_ci_high")]
    return natural_rows(pd.DataFrame(rows, columns=header), keys)


def summarize(stops: pd.DataFrame, replications: int) -> pd.DataFrame:
    """Columns: service, group, outcome, replications, then each metric with `_ci_low` and
    `_ci_high`."""
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
            row[metric], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"] = mean_ci(group[metric])
        rows.append(row)
    return natural_rows(pd.DataFrame(rows, columns=columns), KEYS)
