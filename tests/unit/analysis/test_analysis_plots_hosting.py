"""The demand figure draws what the hand-made tables of test_hosting hold (requests per
minute, running units step by step), and the frontier of a sweep keeps on its Pareto front
exactly the variants no other beats on both cost and requests not served at once."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import StepPatch
from test_hosting import tables

from simulator.analysis import plots
from simulator.analysis.plots.hosting import demand_and_units, hosting_frontier
from simulator.errors import UnknownName
from simulator.scenario import load_scenario
from simulator.scenario.variants import Variant
from simulator.sweeps import SweepResults


def test_the_units_running_step_as_the_models_move() -> None:
    t = tables()
    fig = demand_and_units(t["demand"], t["transitions"], plots.resource_groups([t["costs"]]))
    fig.savefig(io.BytesIO(), format="png", dpi=30)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == [
        "lookoutvision, b: 4 requests this day",
        "rekognition, a: 117 requests this day",
    ]
    units = [ax.lines[0] for ax in fig.axes if ax.get_ylabel() == "inference units running"]
    b, a = ([np.asarray(line.get_xdata()), np.asarray(line.get_ydata())] for line in units)
    # group a, in hours: m0 (1 unit) runs from 0, m1 from 1600 s; m0 stops at 3600 s and
    # runs again from 7800 s; the moves that change nothing (STARTING, STOPPED) are flat
    hours = np.array([0, 1000, 1600, 3600, 3700, 7200, 7800, 86_400]) / 3600
    assert a[0] == pytest.approx(hours)
    assert a[1].tolist() == [1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 2.0, 2.0]
    assert b[1].tolist() == [1.0, 0.0, 0.0, 0.0, 1.0, 1.0]
    # a's requests stacked per minute: minute 5 holds 80 served and 20 throttled on them;
    # minute 599's 2 still waiting at the horizon are stacked with those not served
    requests = [ax for ax in fig.axes if ax.get_ylabel() == "requests per minute"][1]
    steps = [p for p in requests.patches if isinstance(p, StepPatch)]
    served, delayed, failed = (p.get_data().values for p in steps)
    assert (served[5], served[125], delayed[125], failed[5], failed[125], failed[599]) == (
        80.0, 0.0, 3.0, 100.0, 5.0, 2.0,
    )  # fmt: skip


def test_a_day_without_requests_in_the_replication_says_so() -> None:
    t = tables()
    fig = demand_and_units(t["demand"], t["transitions"], {}, replication=5)
    assert "no requests in replication 5" in [text.get_text() for text in fig.axes[0].texts]


def sweep_metrics() -> pd.DataFrame:
    """Four variants over three replications of 10,000 requests: always-on costs $1,000
    and serves all at once; nightly $400 with 3% failed; idle-15m $300 with 2.5% failed
    or delayed; idle-60m $500 with 1.2%. Nightly is beaten by idle-15m on both."""
    rows = []
    for k, noise in enumerate((0.0, 5.0, -5.0)):
        rows.append(("always-on", k, 1000 + noise, 0.0, 0.0, 0.0))
        rows.append(("nightly", k, 400 + noise, 300 + noise, 0.0, 0.0))
        rows.append(("idle-15m", k, 300 + noise, 50.0, 0.0, 200 + noise))
        rows.append(("idle-60m", k, 500 + noise, 20.0, 0.0, 100 + noise))
    names = ["billed_usd", "requests_failed", "requests_throttled", "requests_delayed"]
    table = pd.DataFrame(
        rows, columns=["variant", "replication", *(f"rekognition.{n}" for n in names)]
    )
    return table.assign(**{"rekognition.requests": 10_000.0})


def test_the_front_joins_the_variants_nothing_beats_on_both() -> None:
    fig = hosting_frontier(sweep_metrics(), baseline="always-on")
    ax = fig.axes[0]
    front = next(line for line in ax.lines if line.get_linestyle() == "--")
    assert np.asarray(front.get_xdata()).tolist() == [300.0, 500.0, 1000.0]
    assert np.asarray(front.get_ydata()) == pytest.approx([0.025, 0.012, 0.0])
    # the variants of the front are named beside their points; every variant in the legend
    labels = {text.get_text(): text.xy for text in ax.texts}
    assert labels == {
        "idle-15m": pytest.approx((300.0, 0.025)),
        "idle-60m": pytest.approx((500.0, 0.012)),
        "always-on": pytest.approx((1000.0, 0.0)),
    }
    legend = [text.get_text() for text in fig.legends[0].get_texts()]
    assert {"always-on", "nightly", "idle-15m", "idle-60m"} <= set(legend)
    ring = next(line for line in ax.lines if line.get_label() == "the baseline (always-on)")
    assert (ring.get_xdata()[0], ring.get_ydata()[0]) == (1000.0, 0.0)


def test_a_service_without_demand_lists_those_with_it() -> None:
    with pytest.raises(UnknownName, match=r"no demand on 'lookoutvision'.*: rekognition"):
        hosting_frontier(sweep_metrics(), service="lookoutvision")
    without = sweep_metrics().drop(columns=["rekognition.requests"])
    texts = [t.get_text() for t in hosting_frontier(without).axes[0].texts]
    assert texts == ["no demand in this sweep"]


def test_a_sweep_with_demand_draws_its_frontier_among_its_figures(tmp_path: Path) -> None:
    scenario = load_scenario(Path(__file__).parents[3] / "scenarios" / "whatif-retry-modes.yaml")
    metrics = sweep_metrics()
    variants = [Variant(name, {}, scenario) for name in dict.fromkeys(metrics["variant"])]
    study = SweepResults(tmp_path, variants, "always-on", 0, 3, metrics, 0)
    fig = study.plot_frontier()
    assert fig.axes[0].get_xlabel() == "billed over the horizon (USD)"
    assert "frontier" in study.figures()
    without = metrics.drop(columns=["rekognition.requests"])
    assert (
        "frontier" not in SweepResults(tmp_path, variants, "always-on", 0, 3, without, 0).figures()
    )


def test_the_day_is_named_by_its_date_where_the_table_has_its_utc_minutes() -> None:
    t = tables()
    demand = t["demand"]
    demand["minute_utc"] = pd.Timestamp("2026-01-05", tz="UTC") + pd.to_timedelta(
        demand["minute"], unit="min"
    )
    fig = demand_and_units(demand, t["transitions"], {}, replication=1)
    assert fig.get_suptitle().endswith(": day 1 (Mon 2026-01-05 UTC), replication 1")
