"""The sweep comparison: paired differences on common random numbers, Welch's unpaired
interval as scipy computes it, and which metrics a variant changes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulator.analysis.compare import compare, ordered, varying


def _metrics(values: dict[str, list[float]]) -> pd.DataFrame:
    rows = [
        {"variant": variant, "replication": k, "rekognition.billed_usd": value}
        for variant, series in values.items()
        for k, value in enumerate(series)
    ]
    return pd.DataFrame(rows)


def test_the_paired_difference_is_students_t_on_the_differences_and_welch_beside_it() -> None:
    base = np.array([10.0, 14.0, 9.0, 13.0, 11.0])
    shifted = base + np.array([2.0, 2.5, 1.5, 2.0, 2.0])
    row = compare(_metrics({"a": list(base), "b": list(shifted)}), "a").iloc[1]
    paired = stats.ttest_rel(shifted, base).confidence_interval(0.95)
    welch = stats.ttest_ind(shifted, base, equal_var=False).confidence_interval(0.95)
    assert row["diff"] == pytest.approx(2.0)
    assert (row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx(tuple(paired))
    assert (row["unpaired_ci_low"], row["unpaired_ci_high"]) == pytest.approx(tuple(welch))


def test_the_baseline_differs_from_itself_by_exactly_zero_with_no_unpaired_interval() -> None:
    table = compare(_metrics({"a": [1.0, 2.0, 4.0], "b": [1.0, 2.0, 4.0]}), "a")
    assert (table[["diff", "diff_ci_low", "diff_ci_high"]] == 0.0).all().all()
    assert table["unpaired_ci_low"].isna().tolist() == [True, False]


def test_a_metric_is_varying_only_if_some_variant_changes_it() -> None:
    metrics = _metrics({"a": [1.0, 2.0], "b": [1.0, 2.0 + 1e-12]}).assign(
        **{
            "rekognition.stops": [5.0, 5.0, 5.0, 6.0],
            "rekognition.share_rejected": [0.1, np.nan, 0.1, np.nan],
        }
    )
    assert varying(metrics) == ["rekognition.stops"]


def test_metrics_are_ordered_by_service_then_as_listed_with_totals_last() -> None:
    names = [
        "all.billed_usd", "lookoutvision.stops", "rekognition.share_rejected",
        "rekognition.stops", "rekognition.share_STOPPED", "rekognition.billed_usd",
    ]  # fmt: skip
    assert ordered(names) == [
        "lookoutvision.stops", "rekognition.stops", "rekognition.share_STOPPED",
        "rekognition.share_rejected", "rekognition.billed_usd", "all.billed_usd",
    ]  # fmt: skip
