"""`simulate diff`'s figures, against values worked out by hand on tables of three
replications, and its `--fail-if` gates as read and as tripped."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulator.analysis.diff import COLUMNS, Run, diff, paired
from simulator.cli.diff_command import _where
from simulator.cli.gates import GateError, parse_gate

T_2 = 4.302652729911275
"""Student's t, 97.5% quantile, 2 degrees of freedom: three replications' interval."""


def _stops(rows: list[tuple[int, str, float, float]]) -> pd.DataFrame:
    """One stop per (replication, outcome, latency, cost) of rekognition/g, requested at 0."""
    replication, outcome, latency, usd = zip(*rows, strict=True)
    return pd.DataFrame({
        "replication": replication, "service": "rekognition", "group": "g",
        "outcome": outcome, "requested_at": 0.0, "stop_latency_s": latency,
        "observed_at": np.array(latency) + 5.0, "cost_after_request_usd": usd,
    })  # fmt: skip


def _costs(per_group: dict[str, list[float]]) -> pd.DataFrame:
    """USD per replication (the list) of rekognition's groups (the keys)."""
    rows = [
        {"replication": r, "service": "rekognition", "group": group, "item": "inference",
         "usd": usd}
        for group, values in per_group.items() for r, usd in enumerate(values)
    ]  # fmt: skip
    return pd.DataFrame(rows)


BASELINE = _costs({"g": [200.0] * 3, "h": [10.0] * 3})
A_STOPS = _stops([(0, "STOPPED", 10.0, 1.0), (1, "STOPPED", 20.0, 2.0), (2, "STOPPED", 30.0, 3.0)])
B_STOPS = _stops([
    (0, "STOPPED", 12.0, 1.5), (0, "rejected", np.nan, 5.0),
    (1, "STOPPED", 25.0, 2.0), (2, "STOPPED", 29.0, 4.0),
])  # fmt: skip
A_COSTS = _costs({"g": [100.0, 110.0, 120.0], "h": [10.0] * 3})
B_COSTS = _costs({"g": [90.0, 100.0, 130.0], "h": [10.0] * 3})


def _run(stops: pd.DataFrame, costs: pd.DataFrame, seed: int) -> Run:
    return Run(stops, costs, BASELINE, seed=seed, replications=3)


def _row(table: pd.DataFrame, group: str, outcome: str, metric: str) -> pd.Series:
    chosen = table[
        (table["group"] == group) & (table["outcome"] == outcome) & (table["metric"] == metric)
    ]
    assert len(chosen) == 1, chosen
    return chosen.iloc[0]


def _paired_half(differences: list[float]) -> float:
    return T_2 * statistics.stdev(differences) / math.sqrt(len(differences))


def test_runs_of_one_seed_and_count_are_paired_replication_by_replication() -> None:
    a, b = _run(A_STOPS, A_COSTS, seed=1), _run(B_STOPS, B_COSTS, seed=1)
    assert paired(a, b)
    table = diff(a, b)
    assert list(table.columns) == list(COLUMNS)
    latency = _row(table, "g", "STOPPED", "latency_p95_s")  # one stop each: its latency
    assert (latency["a"], latency["b"]) == pytest.approx((20.0, 22.0))
    assert latency["change"] == pytest.approx(2.0)  # differences 2, 5, -1
    half = _paired_half([2.0, 5.0, -1.0])
    assert half == pytest.approx(T_2 * 3 / math.sqrt(3))
    assert (latency["change_ci_low"], latency["change_ci_high"]) == pytest.approx(
        (2.0 - half, 2.0 + half)
    )
    assert latency["relative"] == pytest.approx(0.1)
    assert latency["pairs"] == 3
    cost = _row(table, "g", "STOPPED", "cost_after_request_usd")  # 0.5, 0, 1
    assert cost["change"] == pytest.approx(0.5)
    assert cost["change_ci_high"] - cost["change"] == pytest.approx(_paired_half([0.5, 0, 1]))
    billed = _row(table, "g", "", "billed_usd")  # -10, -10, +10
    assert billed["change"] == pytest.approx(-10 / 3)
    assert billed["change_ci_high"] - billed["change"] == pytest.approx(
        _paired_half([-10.0, -10.0, 10.0])
    )
    assert billed["relative"] == pytest.approx((-10 / 3) / 110)
    saved = _row(table, "g", "", "saved_usd")  # the baseline is the same: minus the bill's
    assert saved["change"] == pytest.approx(10 / 3)
    total = table[(table["service"] == "all") & (table["metric"] == "billed_usd")].iloc[0]
    assert (total["a"], total["b"], total["change"]) == pytest.approx(
        (120.0, 320 / 3 + 10, -10 / 3)
    )


def test_an_outcome_one_run_never_had_is_zero_stops_and_no_latency_there() -> None:
    table = diff(_run(A_STOPS, A_COSTS, seed=1), _run(B_STOPS, B_COSTS, seed=1))
    stops = _row(table, "g", "rejected", "stops")  # B: 1, 0, 0; A: none
    assert (stops["a"], stops["b"], stops["change"]) == pytest.approx((0.0, 1 / 3, 1 / 3))
    assert stops["relative"] == math.inf
    assert stops["change_ci_high"] - stops["change"] == pytest.approx(_paired_half([1, 0, 0]))
    latency = _row(table, "g", "rejected", "latency_p95_s")
    assert math.isnan(latency["change"])
    assert (latency["a_replications"], latency["b_replications"]) == (0, 0)


def test_runs_of_other_seeds_get_welchs_interval_on_the_difference_of_means() -> None:
    a, b = _run(A_STOPS, A_COSTS, seed=1), _run(B_STOPS, B_COSTS, seed=2)
    assert not paired(a, b)
    billed = _row(diff(a, b), "g", "", "billed_usd")
    mine, theirs = [90.0, 100.0, 130.0], [100.0, 110.0, 120.0]
    va, vb = statistics.variance(mine) / 3, statistics.variance(theirs) / 3
    freedom = (va + vb) ** 2 / (va**2 / 2 + vb**2 / 2)
    half = stats.t.ppf(0.975, freedom) * math.sqrt(va + vb)
    change = statistics.mean(mine) - statistics.mean(theirs)
    assert billed["change"] == pytest.approx(change)
    assert (billed["change_ci_low"], billed["change_ci_high"]) == pytest.approx(
        (change - half, change + half)
    )
    assert billed["pairs"] == 0
    assert half > _paired_half([-10.0, -10.0, 10.0]) / 2  # no shared noise cancels


def test_a_gate_reads_selector_metric_operator_and_value() -> None:
    gate = parse_gate("billed_usd > +5%")
    assert (gate.selector, gate.metric, gate.op, gate.limit, gate.relative) == (
        ("*", "*", ""), "billed_usd", ">", pytest.approx(0.05), True,
    )  # fmt: skip
    gate = parse_gate("rekognition/*/STOPPED latency_p95_s >= -1m30s")
    assert (gate.selector, gate.op, gate.limit, gate.relative) == (
        ("rekognition", "*", "STOPPED"), ">=", -90.0, False,
    )  # fmt: skip
    assert parse_gate("stops<=2").limit == 2.0
    assert parse_gate("all/all saved_usd < -100").selector == ("all", "all", "")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("billed_usd >> 5", "expected '[SERVICE/GROUP/OUTCOME] METRIC OP VALUE'"),
        ("billed > 5%", "unknown metric 'billed'"),
        ("billed_usd > five", "cannot read the value 'five'"),
        ("latency_p95_s > 30 parsecs", "expected '[SERVICE/GROUP/OUTCOME] METRIC OP VALUE'"),
        ("latency_p95_s > 30x", "latency_p95_s's value is a duration such as 30s or 2m"),
        ("billed_usd > 5s", "billed_usd's value is a plain number"),
        ("a/b/STOPPED billed_usd > 5", "billed_usd is selected by SERVICE/GROUP"),
        ("a//b stops > 5", "stops is selected by SERVICE/GROUP/OUTCOME"),
        ("billed_usd > 1e400", "'1e400' is not a finite number"),
        ("stops < -1e400%", "'-1e400%' is not a finite number"),
    ],
)
def test_a_gate_that_cannot_be_read_names_itself_and_what_was_expected(
    text: str, says: str
) -> None:
    with pytest.raises(GateError) as raised:
        parse_gate(text)
    assert str(raised.value).startswith(f"--fail-if {text!r}: ")
    assert says in str(raised.value)


def test_a_gate_trips_where_the_change_passes_its_limit_in_a_row_it_selects() -> None:
    table = diff(_run(A_STOPS, A_COSTS, seed=1), _run(B_STOPS, B_COSTS, seed=1))

    def tripped(text: str) -> list[tuple[str, str]]:
        rows = parse_gate(text).tripped(table)
        return list(zip(rows["service"], rows["group"], strict=True))

    assert tripped("billed_usd > +5%") == []  # -3.0% in g, 0 in h and -2.8% in all
    assert tripped("billed_usd < -3%") == [("rekognition", "g")]  # -3.03%
    assert tripped("billed_usd < -3.1%") == []
    assert tripped("*/g billed_usd <= -3.3") == [("rekognition", "g")]  # -3.33 USD
    assert tripped("*/h billed_usd <= -3.3") == []
    assert tripped("rekognition/*/STOPPED latency_p95_s > +1s") == [("rekognition", "g")]
    assert tripped("rekognition/*/STOPPED latency_p95_s > +2s") == []  # +2 s, not more
    assert tripped("*/*/rejected stops > +0%") == [("rekognition", "g")]  # from none: +inf
    assert tripped("*/*/rejected latency_p95_s > 0") == []  # no latency either side


def test_a_tripped_gate_names_a_change_from_zero_as_the_table_does() -> None:
    row = {"service": "rekognition", "group": "g", "outcome": "STOPPED", "change": 2.0}
    relative = parse_gate("stops > +5%")
    assert _where({**row, "relative": math.inf}, relative) == "rekognition/g/STOPPED (from 0)"
    assert _where({**row, "relative": 0.25}, relative) == "rekognition/g/STOPPED (+25.0%)"
    assert _where({**row, "relative": math.inf}, parse_gate("stops > 1")) == (
        "rekognition/g/STOPPED (+2.0)"
    )
