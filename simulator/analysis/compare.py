"""What a sweep compares: a few figures per replication, and per variant their means and
their paired differences against the baseline.

    unit_metrics   one replication's tables -> {"rekognition.latency_p95_s": 412.0, ...}
    compare        every variant's per-replication figures -> per variant and metric: the
                   mean and its 95% interval; the difference from the baseline, paired,
                   with its interval; and the unpaired interval of that difference
    summary_table  the same, one row per variant: what a sweep's `summary.csv` holds

Variants run on common random numbers: replication k of every variant draws from the same
named streams. So a variant's difference from the baseline is measured replication by
replication, d_k = x_k(variant) - x_k(baseline), and its interval is Student's t over the
d_k: the noise the two runs share cancels. Two identical variants differ by exactly zero;
a real change gets an interval much narrower than the unpaired one (Welch's, from the two
means and their spreads as if the runs were independent), which is reported beside it.

A figure may be missing from a replication: a latency where no stop ended, the shares where
no stop was sent. The difference and both its intervals are then taken over the
replications where both variants have the figure (`pairs` of them), so the unpaired
interval is centred on the paired difference; a variant's mean is over the replications
where it has the figure (`replications` of them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: a second more to import, for one quantile

from simulator.analysis.frames import throttles
from simulator.analysis.hosting import hosting_metrics
from simulator.analysis.summary import mean_ci

PER_SERVICE: Final = {
    "stops": "stop requests",
    "latency_mean_s": "stop latency, request to terminal status: mean",
    "latency_p95_s": "stop latency: p95",
    "latency_p99_s": "stop latency: p99",
    "cost_after_request_usd": "USD billed from the stop requests until the stops took effect",
    "share_<outcome>": "share of the stop requests that ended in <outcome>",
    "attempts": "API attempts, every operation, retries included",
    "throttled": "API attempts throttled",
    "billed_usd": "USD billed over the horizon",
    "saved_usd": "USD saved against the same run with no stop sent",
}
"""Each metric, named `<service>.<metric>`, per replication; with several services,
`all.attempts`, `all.throttled`, `all.billed_usd` and `all.saved_usd` add them up. A
service with demand has `analysis.hosting.UNIT_METRICS` besides."""
_TOTALS: Final = ("attempts", "throttled", "billed_usd", "saved_usd")
COLUMNS: Final = (
    "variant", "metric", "replications", "mean", "ci_low", "ci_high",
    "pairs", "diff", "diff_ci_low", "diff_ci_high", "unpaired_ci_low", "unpaired_ci_high",
)  # fmt: skip


def unit_metrics(tables: Mapping[str, pd.DataFrame], services: Sequence[str]) -> dict[str, float]:
    """The figures of one replication, for each of `services` (those in the fleet: a
    service with no stop in this replication still has its zeros)."""
    stops, calls = tables["stops"], tables["calls"]
    costs, baseline = tables["costs"], tables["baseline_costs"]
    metrics: dict[str, float] = {}
    for service in services:
        mine = stops[stops["service"] == service]
        latency = mine["stop_latency_s"].dropna().to_numpy(float)
        p95, p99 = np.percentile(latency, [95, 99]) if len(latency) else (np.nan, np.nan)
        attempts = calls[calls["service"] == service]
        billed = float(costs.loc[costs["service"] == service, "usd"].sum())
        unstopped = float(baseline.loc[baseline["service"] == service, "usd"].sum())
        figures = {
            "stops": float(len(mine)),
            "latency_mean_s": float(latency.mean()) if len(latency) else np.nan,
            "latency_p95_s": float(p95),
            "latency_p99_s": float(p99),
            "cost_after_request_usd": float(mine["cost_after_request_usd"].sum()),
        }
        shares = mine["outcome"].astype(str).value_counts(normalize=True).sort_index()
        figures |= {f"share_{outcome}": float(share) for outcome, share in shares.items()}
        figures |= {
            "attempts": float(len(attempts)),
            "throttled": float(throttles(attempts).sum()),
            "billed_usd": billed,
            "saved_usd": unstopped - billed,
        }
        metrics |= {f"{service}.{name}": value for name, value in figures.items()}
    if len(services) > 1:
        for name in _TOTALS:
            metrics[f"all.{name}"] = sum(metrics[f"{service}.{name}"] for service in services)
    return metrics | hosting_metrics(tables)  # inference requests, where there is demand


def ordered(names: Iterable[str]) -> list[str]:
    """Metric names without repeats, in the order of PER_SERVICE per service (the services
    in the order met, then `all`), outcome shares by outcome."""
    unique = list(dict.fromkeys(names))
    scopes = list(dict.fromkeys(name.partition(".")[0] for name in unique))
    scopes = [s for s in scopes if s != "all"] + ["all"] * ("all" in scopes)
    known = [m.removesuffix("<outcome>") for m in PER_SERVICE]

    def key(name: str) -> tuple[int, int, str]:
        scope, _, metric = name.partition(".")
        rank = next((i for i, m in enumerate(known) if metric == m or (
            m.endswith("_") and metric.startswith(m))), len(known))  # fmt: skip
        return scopes.index(scope), rank, metric

    return sorted(unique, key=key)


def compare(metrics: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Per variant (in the order given) and metric: the mean over replications and its 95%
    interval, and how many replications have the figure; the mean paired difference from
    `baseline`, its interval, and how many pairs it is over; the unpaired interval of the
    same difference over the same pairs (none for the baseline itself).

    `metrics` has a row per variant and replication: columns `variant`, `replication`,
    then one per metric. A share of an outcome a replication did not have is zero if it
    had stops, missing if it had none; a latency of a replication whose stops never
    ended is missing. A missing figure is left out, and so is its pair.
    """
    table = _filled(metrics)
    names = [c for c in table.columns if c not in ("variant", "replication")]
    by_variant = {
        variant: rows.set_index("replication")[names]
        for variant, rows in table.groupby("variant", sort=False)
    }
    reference = by_variant[baseline]
    rows = []
    for variant, values in by_variant.items():
        for name in names:
            mine = values[name]
            both = pd.DataFrame({"mine": mine, "theirs": reference[name]}).dropna()
            paired = both["mine"] - both["theirs"]
            unpaired = (
                _welch(both["mine"], both["theirs"]) if variant != baseline else (np.nan, np.nan)
            )
            rows.append((
                variant, name, int(mine.notna().sum()), *mean_ci(mine),
                len(both), *mean_ci(paired), *unpaired,
            ))  # fmt: skip
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _filled(metrics: pd.DataFrame) -> pd.DataFrame:
    """The shares of outcomes a replication's stops did not end in, as zeros; where a
    service had no stop at all, its shares stay missing (a share of nothing)."""
    filled = {}
    for column in (c for c in metrics.columns if ".share_" in c):
        stops = metrics[f"{column.partition('.')[0]}.stops"]
        filled[column] = metrics[column].mask(metrics[column].isna() & (stops > 0), 0.0)
    return metrics.assign(**filled)


def _welch(a: pd.Series, b: pd.Series) -> tuple[float, float]:
    """The 95% interval of mean(a) - mean(b) as if a and b were independent samples."""
    if len(a) < 2 or len(b) < 2:
        return np.nan, np.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    diff, spread = a.mean() - b.mean(), np.sqrt(va + vb)
    if spread == 0:
        return diff, diff
    freedom = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(special.stdtrit(freedom, 0.975) * spread)
    return diff - half, diff + half


def varying(metrics: pd.DataFrame) -> list[str]:
    """The metrics some variant changes: in some replication, not every variant has the
    same value (to 1e-9 of it: times of day shifted and shifted back differ in the last
    bits) or some have one and others none. A metric that varies only from replication to
    replication is one the variants leave alone."""
    table = _filled(metrics)
    names = [c for c in table.columns if c not in ("variant", "replication")]
    grouped = table.groupby("replication")[names]
    width = (grouped.max() - grouped.min()).max()
    scale = table[names].abs().max().fillna(0.0) + 1.0
    given = table[names].notna().groupby(table["replication"]).nunique().max()
    return [name for name in names if width[name] > 1e-9 * scale[name] or given[name] > 1]


def summary_table(comparison: pd.DataFrame, parameters: pd.DataFrame) -> pd.DataFrame:
    """One row per variant: `variant`, the swept parameters, `replications`, then for each
    metric its mean, `_ci_low`, `_ci_high`, `_diff`, `_diff_ci_low`, `_diff_ci_high`."""
    wide = comparison.pivot(index="variant", columns="metric")
    columns = {}
    for metric in comparison["metric"].unique():
        for field, suffix in (
            ("mean", ""), ("ci_low", "_ci_low"), ("ci_high", "_ci_high"), ("diff", "_diff"),
            ("diff_ci_low", "_diff_ci_low"), ("diff_ci_high", "_diff_ci_high"),
        ):  # fmt: skip
            columns[f"{metric}{suffix}"] = wide[(field, metric)]
    # the replications a variant ran: those of its most complete metric (stops: always there)
    counts = comparison.groupby("variant", sort=False)["replications"].max()
    figures = pd.DataFrame({"replications": counts, **columns})
    return parameters.join(figures, on="variant")


def comparison_text(
    comparison: pd.DataFrame, metrics: Sequence[str], baseline: str
) -> pd.DataFrame:
    """The comparison of `metrics` as text, as the terminal shows it: per metric and
    variant, the mean, the paired difference from the baseline and the unpaired interval it
    would have, each as 'value ±half-width'. Every row names its metric: a table shown
    whole may write it once per metric, a table split per metric needs it on each row."""
    rows = []
    for metric in metrics:
        fmt = number_format(metric)
        mine = comparison[comparison["metric"] == metric]
        for row in mine.to_dict("records"):
            other = row["variant"] != baseline
            rows.append({
                "metric": metric,
                "variant": row["variant"],
                "mean": _interval(row["mean"], row["ci_low"], row["ci_high"], fmt),
                f"difference from {baseline}, paired": _interval(
                    row["diff"], row["diff_ci_low"], row["diff_ci_high"], f"+{fmt}"
                ) if other else "baseline",
                "unpaired": _interval(
                    row["diff"], row["unpaired_ci_low"], row["unpaired_ci_high"], f"+{fmt}"
                ) if other else "",
            })  # fmt: skip
    return pd.DataFrame(rows)


def _interval(value: float, low: float, high: float, fmt: str) -> str:
    if pd.isna(value):
        return "-"
    half = "" if pd.isna(low) else f" ±{(high - low) / 2:{fmt.lstrip('+')}}"
    return f"{value:{fmt}}{half}"


SERVICE_NAMES: Final = {
    "rekognition": "Rekognition",
    "lookoutvision": "Lookout for Vision",
    "comprehend": "Comprehend",
    "neptune": "Neptune ML",
    "sagemaker": "SageMaker Pipelines",
    "all": "All services",
}
_WORDS: Final = {
    "stops": "stop requests",
    "latency_mean_s": "stop latency mean",
    "latency_p95_s": "stop latency p95",
    "latency_p99_s": "stop latency p99",
    "cost_after_request_usd": "cost from stop request to stop",
    "attempts": "API attempts",
    "throttled": "API attempts throttled",
    "billed_usd": "billed over the horizon",
    "saved_usd": "saved by the stops",
}
"""PER_SERVICE's metrics in the few words of an axis label."""


def label(metric: str) -> str:
    """What a metric measures, in words, without its unit: `rekognition.latency_p99_s` ->
    'Rekognition stop latency p99', `all.share_in_flight` -> 'All services share of stops
    in flight'."""
    scope, _, name = metric.partition(".")
    if name.startswith("share_"):
        words = f"share of stops {name.removeprefix('share_').replace('_', ' ')}"
    else:
        words = _WORDS.get(name, name.replace("_", " "))
    return f"{SERVICE_NAMES.get(scope, scope)} {words}"


def number_format(metric: str) -> str:
    """How a metric's values read: dollars to the cent, shares in percent, the rest whole
    (a p99 of 3.7 s reads 3.7)."""
    if metric.endswith("_usd"):
        return ",.2f"
    if ".share_" in metric:
        return ".1%"
    return ",.1f"
