"""The sweep comparison where figures are missing: the difference and both its intervals
over the same complete pairs, the counts actually used, and no share of no stops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulator.analysis.compare import compare, varying

NAN = np.nan


def _metrics(columns: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    """{metric: {variant: per-replication values}} as compare() takes them."""
    variants = next(iter(columns.values()))
    rows = [
        {"variant": variant, "replication": k}
        | {metric: columns[metric][variant][k] for metric in columns}
        for variant, values in variants.items()
        for k in range(len(values))
    ]
    return pd.DataFrame(rows)


def test_a_missing_figure_leaves_out_its_pair_from_both_intervals() -> None:
    latency = {"a": [10.0, 14.0, NAN, 13.0, 11.0, 30.0], "b": [12.0, 16.5, 9.0, NAN, 13.0, 32.5]}
    row = compare(_metrics({"rekognition.latency_mean_s": latency}), "a").iloc[1]
    a, b = np.array([10.0, 14.0, 11.0, 30.0]), np.array([12.0, 16.5, 13.0, 32.5])  # complete
    paired = stats.ttest_rel(b, a).confidence_interval(0.95)
    welch = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert (row["replications"], row["pairs"]) == (5, 4)
    assert row["mean"] == pytest.approx(np.nanmean(latency["b"]))
    assert row["diff"] == pytest.approx(2.25)
    assert (row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx(tuple(paired))
    assert (row["unpaired_ci_low"], row["unpaired_ci_high"]) == pytest.approx(tuple(welch))
    centre = (row["unpaired_ci_low"] + row["unpaired_ci_high"]) / 2
    assert centre == pytest.approx(row["diff"])  # both intervals about the same point


def test_a_share_is_zero_where_there_were_stops_and_missing_where_there_were_none() -> None:
    metrics = _metrics({
        "rekognition.stops": {"a": [4.0, 0.0, 5.0], "b": [4.0, 0.0, 5.0]},
        "rekognition.share_rejected": {"a": [0.25, NAN, NAN], "b": [0.5, NAN, 0.2]},
    })  # fmt: skip
    table = compare(metrics, "a").set_index(["variant", "metric"])
    a = table.loc[("a", "rekognition.share_rejected")]
    b = table.loc[("b", "rekognition.share_rejected")]
    assert (a["replications"], a["mean"]) == (2, pytest.approx(0.125))  # 0.25 and 0
    assert (b["pairs"], b["diff"]) == (2, pytest.approx((0.25 + 0.2) / 2))
    assert varying(metrics) == ["rekognition.share_rejected"]
