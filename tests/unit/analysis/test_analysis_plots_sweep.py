"""A sweep's figure names its metric in words with its unit, writes money as `-$50`, and
refuses a metric it does not have by listing those it has; and colours keep one meaning
in figures of hand-built tables."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from test_analysis_plots import stops_table, transitions_table

from simulator.analysis import plots
from simulator.analysis.compare import compare, label
from simulator.analysis.plots.axes import Dollars
from simulator.errors import SimulatorError, UnknownName
from simulator.scenario import load_scenario
from simulator.scenario.variants import Variant
from simulator.sweeps import SweepResults

P99, BILLED = "rekognition.latency_p99_s", "all.billed_usd"


def metrics() -> pd.DataFrame:
    """Two variants over three replications: `later` bills $50 less than `early` in each,
    and its p99 is 20 minutes longer."""
    rows = []
    for k, noise in enumerate((0.0, 30.0, -30.0)):
        rows.append(("early", k, 1200.0 + noise, 1000.0 + noise))
        rows.append(("later", k, 2400.0 + noise, 950.0 + noise))
    return pd.DataFrame(rows, columns=["variant", "replication", P99, BILLED])


PARAMETERS = pd.DataFrame({"variant": ["early", "later"], "requests.0.at": ["5m", "10m"]})


def tick_texts(fig: Figure) -> list[list[str]]:
    fig.savefig(io.BytesIO(), format="png", dpi=30)  # lays out and labels the ticks
    return [[t.get_text() for t in ax.get_yticklabels()] for ax in fig.axes]


def test_a_metric_is_labelled_in_words_with_its_unit() -> None:
    assert label(P99) == "Rekognition stop latency p99"
    assert label("neptune.share_in_flight") == "Neptune ML share of stops in flight"
    fig = plots.sweep_metric(compare(metrics(), "early"), PARAMETERS, P99, "early")
    left, right = fig.axes
    assert left.get_ylabel() == "Rekognition stop latency p99 (min)"
    assert right.get_ylabel() == "difference (min)"
    assert fig.get_suptitle().startswith("Rekognition stop latency p99\n")
    share = "rekognition.share_rejected"
    shares = metrics().assign(**{share: [0.4, 0.1, 0.5, 0.2, 0.45, 0.15], "rekognition.stops": 9.0})
    fig = plots.sweep_metric(compare(shares, "early"), PARAMETERS, share, "early")
    assert [ax.get_ylabel() for ax in fig.axes] == [
        "Rekognition share of stops rejected (%)",
        "difference (percentage points)",
    ]


def test_negative_money_reads_minus_dollars() -> None:
    fig = plots.sweep_metric(compare(metrics(), "early"), PARAMETERS, BILLED, "early")
    assert fig.axes[0].get_ylabel() == "All services billed over the horizon (USD)"
    _, right = tick_texts(fig)  # the difference: -$50 in every replication
    assert "-$40" in right
    assert "-$60" in right
    assert all(re.fullmatch(r"-?\$\d[\d,]*", t) for t in right), right
    assert Dollars().format_ticks([-50.0, 0.0, 50.0]) == ["-$50", "$0", "$50"]
    assert Dollars().format_ticks([0.0, 0.25, 0.5]) == ["$0.00", "$0.25", "$0.50"]
    assert Dollars().format_ticks([-1500.0, 0.0]) == ["-$1,500", "$0"]


def test_an_unknown_metric_lists_the_metrics() -> None:
    comparison = compare(metrics(), "early")
    with pytest.raises(UnknownName, match=r"no metric 'all\.billed'.*all\.billed_usd") as error:
        plots.sweep_metric(comparison, PARAMETERS, "all.billed", "early")
    assert isinstance(error.value, KeyError)
    assert isinstance(error.value, SimulatorError)
    assert str(error.value).startswith("no metric")  # not KeyError's quoted repr
    with pytest.raises(UnknownName, match=r"no swept parameter 'at'.*requests\.0\.at"):
        plots.sweep_metric(comparison, PARAMETERS, BILLED, "early", parameter="at")


def test_study_plot_of_an_unknown_metric_lists_the_metrics(tmp_path: Path) -> None:
    scenario = load_scenario(Path(__file__).parents[3] / "scenarios" / "whatif-retry-modes.yaml")
    variants = [Variant(name, {"requests.0.at": at}, scenario) for name, at in (
        ("early", "5m"), ("later", "10m"))]  # fmt: skip
    study = SweepResults(tmp_path, variants, "early", 0, 3, metrics(), 0)
    assert study.plot(BILLED).axes[0].get_ylabel() == "All services billed over the horizon (USD)"
    with pytest.raises(KeyError, match=r"its metrics: rekognition\.latency_p99_s, all\.billed"):
        study.plot("rekognition.billed")


def test_two_services_working_statuses_get_two_colours() -> None:
    """Neptune's InProgress and SageMaker's Executing are both 'working' orange by habit:
    in one figure they are two legend entries, so two colours."""
    moves = transitions_table([("job", 0.0, "InProgress"), ("exec", 0.0, "Executing")])
    moves["service"] = pd.Categorical(["neptune", "sagemaker"])
    fig = plots.status_timeline(moves)
    handles = fig.legends[0].legend_handles
    colours = {str(h.get_label()): to_hex(h.get_facecolor()) for h in handles}  # type: ignore[union-attr]
    assert set(colours) == {"InProgress", "Executing"}
    assert colours["InProgress"] != colours["Executing"]


def test_outcome_and_group_colours_do_not_collide_in_one_latency_figure() -> None:
    """Comprehend's stops coloured by outcome (TRAINED, blue by habit) beside Rekognition's
    coloured by group (the first group takes blue): each colour one meaning."""
    stops = stops_table(
        [
            (0, "comprehend", "c0", 0.0, True, 60.0, 70.0, "TRAINED"),
            (0, "rekognition", "m0", 0.0, True, 60.0, 70.0, "STOPPED"),
            (0, "rekognition", "m1", 0.0, True, 90.0, 95.0, "STOPPED"),
        ]
    )
    stops["group"] = pd.Categorical(["tickets", "a", "b"])
    fig = plots.latency_ecdf(stops)
    curves = {
        ax.get_title().split(":")[0]: [
            to_hex(line.get_color())
            for line in ax.lines
            if line.get_drawstyle() == "steps-post" and line.get_linestyle() == "-"
        ]
        for ax in fig.axes
    }
    assert len(curves["rekognition"]) == 2  # a curve per group
    assert len({*curves["comprehend"], *curves["rekognition"]}) == 3
