"""What changed from one run (A) to another (B): `simulate diff`.

Per service, fleet group and outcome: the stop count, the latency percentiles and the cost
after the stop requests; per service and group (and for all of them, `all`/`all`): the
USD billed and saved. Each figure is taken per replication, as the summary does, and the
change is B's mean minus A's, with its 95% interval, absolute and relative to A.

Two runs of the same seed, replication count and engine drew the same random numbers for
everything their scenarios share (common random numbers), so replication k of B is
compared with replication k of A: the interval is Student's t over the per-replication
differences (`summary.mean_ci`), and the noise the two share cancels. Otherwise the runs
are independent samples, and the interval is Welch's (`compare._welch`): so are an event
run and a vector run of one seed, since the vector engine takes a stream's values in
another order.

A figure a run lacks in a replication (a latency where no stop ended) is left out, and,
paired, so is its pair. An outcome or group a run never had counts as zero stops, cost and
dollars in every replication of it, and as no latency at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, cast

import numpy as np
import pandas as pd

from simulator.analysis.compare import _welch
from simulator.analysis.order import natural_rows
from simulator.analysis.summary import mean_ci, per_replication, usd_per_replication

STOP_METRICS: Final = {
    "stops": "count",
    "latency_p50_s": "latency_p50_s",
    "latency_p95_s": "latency_p95_s",
    "latency_p99_s": "latency_p99_s",
    "cost_after_request_usd": "cost_after_request_usd",
}
"""Per service, group and outcome: a diff's metric and the summary's column it is."""
BILL_METRICS: Final = ("billed_usd", "saved_usd")
"""Per service and group; their `outcome` is empty."""
METRICS: Final = (*STOP_METRICS, *BILL_METRICS)
ZERO_WHEN_ABSENT: Final = frozenset({"stops", "cost_after_request_usd", *BILL_METRICS})
ALL: Final = "all"
"""The service and group of the totals over every service and group."""
NAMES: Final = ["service", "group", "outcome", "metric"]
COLUMNS: Final = (
    *NAMES, "a", "b", "change", "change_ci_low", "change_ci_high", "relative",
    "a_replications", "b_replications", "pairs",
)  # fmt: skip


@dataclass(frozen=True)
class Run:
    """What a diff needs of a run: its stops and costs tables, and how it was drawn."""

    stops: pd.DataFrame
    costs: pd.DataFrame
    baseline_costs: pd.DataFrame
    seed: int
    replications: int
    engine: str = "events"
    """`events` or `vector`: which engine made the tables."""


def paired(a: Run, b: Run) -> bool:
    """Whether replication k of `b` drew what replication k of `a` did."""
    return a.seed == b.seed and a.replications == b.replications and a.engine == b.engine


def figures(run: Run) -> pd.DataFrame:
    """Each metric per replication, long: replication, service, group, outcome, metric,
    value; every replication of the run has a row for every name it has anywhere."""
    stops = per_replication(run.stops, run.replications) if len(run.stops) else None
    parts = []
    if stops is not None:
        for metric, column in STOP_METRICS.items():
            parts.append(
                stops[["replication", "service", "group", "outcome"]].assign(
                    metric=metric, value=stops[column].to_numpy(float)
                )
            )
    keys = ["service", "group"]
    billed = usd_per_replication(run.costs, keys, run.replications)
    unstopped = usd_per_replication(run.baseline_costs, keys, run.replications)
    columns = billed.columns.union(unstopped.columns)
    billed = billed.reindex(columns=columns, fill_value=0.0)
    unstopped = unstopped.reindex(columns=columns, fill_value=0.0)
    for metric, per in (("billed_usd", billed), ("saved_usd", unstopped - billed)):
        every = [*per.items(), ((ALL, ALL), per.sum(axis=1))]
        for name, values in every:
            service, group = cast(tuple[str, str], name)
            parts.append(pd.DataFrame({
                "replication": values.index, "service": service, "group": group,
                "outcome": "", "metric": metric, "value": values.to_numpy(float),
            }))  # fmt: skip
    table = pd.concat(parts, ignore_index=True)
    return table[["replication", *NAMES, "value"]]


def diff(a: Run, b: Run) -> pd.DataFrame:
    """Per service, group, outcome and metric (COLUMNS): A's and B's means, the change
    from A to B with its 95% interval (paired when `paired(a, b)`, else Welch's), the
    change relative to A's mean (infinite where A's is zero and B's is not), and how many
    replications each mean and the paired change are over."""
    wide_a = _wide(figures(a), a.replications)
    wide_b = _wide(figures(b), b.replications)
    names = wide_a.columns.union(wide_b.columns)
    wide_a, wide_b = _complete(wide_a, names), _complete(wide_b, names)
    pairing = paired(a, b)
    rows = []
    for name in names:
        mine, theirs = wide_b[name].dropna(), wide_a[name].dropna()
        mean_a, mean_b = mean_ci(theirs)[0], mean_ci(mine)[0]
        if pairing:
            both = pd.DataFrame({"a": wide_a[name], "b": wide_b[name]}).dropna()
            change, low, high = mean_ci(both["b"] - both["a"])
            pairs = len(both)
        else:
            change = mean_b - mean_a
            low, high = _welch(mine, theirs)
            pairs = 0
        rows.append((
            *name, mean_a, mean_b, change, low, high, _relative(change, mean_a),
            len(theirs), len(mine), pairs,
        ))  # fmt: skip
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table = table.iloc[table["metric"].map(METRICS.index).argsort(kind="stable")]
    return natural_rows(table, ["service", "group", "outcome"], lambda r: r["service"] == ALL)


def _wide(long: pd.DataFrame, replications: int) -> pd.DataFrame:
    """One row per replication, one column per (service, group, outcome, metric) the run
    has."""
    columns = {
        name: rows.set_index("replication")["value"]
        for name, rows in long.groupby(NAMES, sort=True)
    }
    wide = pd.DataFrame(columns, index=pd.RangeIndex(replications, name="replication"))
    wide.columns = pd.MultiIndex.from_tuples(list(columns), names=NAMES)
    return wide


def _complete(wide: pd.DataFrame, names: pd.Index) -> pd.DataFrame:
    """`wide` with a column for each of `names`: a metric that counts (stops, dollars) is
    zero where the run never had the name, a latency is missing."""
    wide = wide.reindex(columns=names)
    for name in names:
        if name[-1] in ZERO_WHEN_ABSENT:
            wide[name] = wide[name].fillna(0.0)
    return wide


def _relative(change: float, base: float) -> float:
    if np.isnan(change) or np.isnan(base):
        return np.nan
    if base == 0:
        return 0.0 if change == 0 else float(np.copysign(np.inf, change))
    return change / abs(base)
