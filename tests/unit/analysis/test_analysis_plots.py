"""The figures on hand-built tables with round numbers, and once on a real run."""

from __future__ import annotations

import ast
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle, StepPatch

from simulator.analysis import plots
from simulator.analysis.plots.calls import _call_kind
from simulator.runner import simulate
from simulator.scenario import load_scenario

NAN = float("nan")
StopRow = tuple[int, str, str, float, bool | None, float, float, str]
CostRow = tuple[int, str, str, float, float, float]
MoveRow = tuple[str, float, str]
CallRow = tuple[int, str, float, int, int, str | None]


def stops_table(rows: Sequence[StopRow]) -> pd.DataFrame:
    """(replication, service, resource_id, requested_at, accepted, terminal_at, observed_at,
    outcome) rows; the other columns follow from them as derive_stops makes them."""
    rep, service, resource, requested, accepted, terminal, observed, outcome = zip(
        *rows, strict=True
    )
    requested_at, terminal_at = np.array(requested), np.array(terminal)
    return pd.DataFrame(
        {
            "replication": list(rep),
            "service": pd.Categorical(service),
            "resource_id": pd.Categorical(resource),
            "requested_at": requested_at,
            "accepted": pd.array(accepted, dtype="boolean"),
            "error_code": pd.Categorical([None] * len(rows)),
            "attempts": pd.array([1] * len(rows), dtype="Int64"),
            "terminal_status": pd.Categorical([o if o.isupper() else None for o in outcome]),
            "terminal_at": terminal_at,
            "stop_latency_s": terminal_at - requested_at,
            "observed_at": np.array(observed),
            "cost_after_request_usd": np.zeros(len(rows)),
            "outcome": pd.Categorical(outcome),
        }
    )


STOPS = stops_table(
    [
        (0, "rekognition", "m0", 100.0, True, 160.0, 190.0, "STOPPED"),
        (0, "rekognition", "m1", 100.0, True, 220.0, 250.0, "STOPPED"),
        (0, "rekognition", "m2", 100.0, False, NAN, NAN, "rejected"),
        (1, "rekognition", "m0", 100.0, True, 190.0, 190.0, "STOPPED"),
        (0, "comprehend", "c0", 50.0, True, 350.0, 380.0, "STOPPED"),
        (0, "comprehend", "c1", 50.0, True, 110.0, NAN, "TRAINED"),
        (0, "comprehend", "c2", 50.0, True, NAN, NAN, "stuck"),
    ]
)


def costs_table(rows: Sequence[CostRow]) -> pd.DataFrame:
    """(replication, service, resource_id, start, end, usd) rows."""
    rep, service, resource, start, end, usd = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "replication": list(rep),
            "service": pd.Categorical(service),
            "resource_id": pd.Categorical(resource),
            "group": pd.Categorical(["g"] * len(rows)),
            "item": pd.Categorical(["inference"] * len(rows)),
            "status": pd.Categorical(["RUNNING"] * len(rows)),
            "start": np.array(start, dtype=float),
            "end": np.array(end, dtype=float),
            "quantity": np.array(usd, dtype=float) / 4.0,
            "usd": np.array(usd, dtype=float),
        }
    )


# Replication 0: m0 bills $4 over the first hour, then a $1 rounding step at 3600 s; m1
# bills $2 from 1800 to 5400 s. Replication 1: m0 bills $6 over the first two hours.
COSTS = costs_table(
    [
        (0, "rekognition", "m0", 0.0, 3600.0, 4.0),
        (0, "rekognition", "m0", 3600.0, 3600.0, 1.0),
        (0, "rekognition", "m1", 1800.0, 5400.0, 2.0),
        (1, "rekognition", "m0", 0.0, 7200.0, 6.0),
        (0, "comprehend", "c0", 0.0, 600.0, 0.5),
    ]
)
BASELINE = costs_table(
    [
        (0, "rekognition", "m0", 0.0, 7200.0, 8.0),
        (0, "rekognition", "m1", 1800.0, 7200.0, 6.0),
        (1, "rekognition", "m0", 0.0, 7200.0, 9.0),
        (0, "comprehend", "c0", 0.0, 7200.0, 6.0),
    ]
)


def transitions_table(rows: Sequence[MoveRow], replication: int = 0) -> pd.DataFrame:
    """(resource_id, time, to_status) rows of one replication, all Neptune's."""
    resource, time, status = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "replication": replication,
            "time": np.array(time, dtype=float),
            "service": pd.Categorical(["neptune"] * len(rows)),
            "resource_id": pd.Categorical(resource),
            "from_status": pd.Categorical([None] * len(rows)),
            "to_status": pd.Categorical(status),
            "cause": pd.Categorical(["test"] * len(rows)),
            "units": np.ones(len(rows)),
        }
    )


MOVES = transitions_table(
    [(f"job-{i}", 0.0, "InProgress") for i in range(6)]
    + [("job-0", 3600.0, "Stopping"), ("job-0", 3700.0, "Stopped")]
    + [("job-1", 3600.0, "Stopping"), ("job-1", 3650.0, "Stopped")]
    + [("job-0/artifacts", 0.0, "Stored"), ("job-2", 5000.0, "Completed")]
)
MOVE_STOPS = stops_table(
    [
        (0, "neptune", "job-0", 3600.0, True, 3700.0, 3710.0, "Stopped"),
        (0, "neptune", "job-1", 3600.0, True, 3650.0, 3660.0, "Stopped"),
    ]
)


def calls_table(rows: Sequence[CallRow]) -> pd.DataFrame:
    """(replication, service, time, attempt, http_status, error_code) rows."""
    rep, service, time, attempt, status, error = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "replication": list(rep),
            "time": np.array(time, dtype=float),
            "caller": pd.Categorical(["ops"] * len(rows)),
            "service": pd.Categorical(service),
            "operation": pd.Categorical(["Stop"] * len(rows)),
            "resource_id": pd.Categorical(["r"] * len(rows)),
            "attempt": np.array(attempt, dtype=np.int16),
            "http_status": np.array(status, dtype=np.int16),
            "error_code": pd.Categorical(error),
            "latency_s": np.full(len(rows), 0.01),
        }
    )


CALLS = calls_table(
    [
        (0, "rekognition", 10.0, 1, 200, None),
        (0, "rekognition", 20.0, 1, 500, "ThrottlingException"),
        (0, "rekognition", 21.0, 2, 200, None),
        (1, "rekognition", 30.0, 1, 500, "InternalServerException"),
        (0, "comprehend", 40.0, 1, 400, "TooManyRequestsException"),
        (1, "comprehend", 50.0, 1, 429, "SlowDown"),
        (0, "comprehend", 70.0, 2, 200, None),
    ]
)


def legend_texts(fig: Figure) -> list[str]:
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    return [text.get_text() for legend in legends for text in legend.get_texts()]


def titles(fig: Figure) -> str:
    suptitle = fig.get_suptitle()
    return " | ".join([suptitle, *(ax.get_title() for ax in fig.axes)])


# -- latency_ecdf ----------------------------------------------------------------------------


def test_latency_has_one_panel_per_service_with_units_and_the_outcomes() -> None:
    fig = plots.latency_ecdf(STOPS)
    assert isinstance(fig, Figure)
    assert [ax.get_title().split(":")[0] for ax in fig.axes] == ["comprehend", "rekognition"]
    assert "Stop latency" in fig.get_suptitle()
    assert all(ax.get_xlabel() == "time since stop request (s)" for ax in fig.axes)
    texts = legend_texts(fig)
    assert any(t.startswith("STOPPED (n=3)") for t in texts)
    assert any(t.startswith("TRAINED (n=1): p50 60") for t in texts)
    assert not any("rejected" in t or "stuck" in t for t in texts)


def test_latency_counts_the_stops_it_cannot_draw() -> None:
    fig = plots.latency_ecdf(STOPS)
    comprehend, rekognition = fig.axes
    assert comprehend.get_title() == "comprehend: 3 stops; not shown (no latency): 1 stuck"
    assert rekognition.get_title() == "rekognition: 4 stops; not shown (no latency): 1 rejected"


def test_latency_curves_end_at_one_and_the_median_is_marked() -> None:
    rekognition = plots.latency_ecdf(STOPS).axes[1]
    curves = [line for line in rekognition.lines if line.get_drawstyle() == "steps-post"]
    assert len(curves) == 2  # to the terminal status, to the caller seeing it
    stop, seen = (np.asarray(line.get_xdata(), dtype=float) for line in curves)
    assert stop.tolist() == [0.0, 60.0, 90.0, 120.0]  # 60, 90 and 120 s after the request
    assert seen.tolist() == [0.0, 90.0, 90.0, 150.0]
    assert all(np.asarray(line.get_ydata())[-1] == 1.0 for line in curves)
    medians = [line for line in rekognition.lines if line.get_marker() == "o"]
    assert [float(np.asarray(m.get_xdata())[0]) for m in medians] == [90.0]


def test_long_latencies_are_shown_in_minutes() -> None:
    slow = stops_table([(0, "comprehend", "c0", 0.0, True, 1800.0, 1830.0, "STOPPED")])
    assert plots.latency_ecdf(slow).axes[0].get_xlabel() == "time since stop request (min)"


# -- cost_over_time --------------------------------------------------------------------------


def curves(fig: Figure, service: str) -> tuple[Line2D, ...]:
    (ax,) = (ax for ax in fig.axes if ax.get_title().startswith(service))
    return tuple(ax.lines)


def test_cost_curves_end_at_the_total_over_replications() -> None:
    fig = plots.cost_over_time(COSTS, BASELINE, horizon=7200.0)
    assert len(fig.axes) == 2
    for service in ("rekognition", "comprehend"):
        spent, without = curves(fig, service)
        assert (spent.get_linestyle(), without.get_linestyle()) == ("-", "--")
        total = COSTS.loc[COSTS["service"] == service, "usd"].sum() / 2
        base = BASELINE.loc[BASELINE["service"] == service, "usd"].sum() / 2
        assert np.asarray(spent.get_ydata())[-1] == pytest.approx(total, rel=1e-12)
        assert np.asarray(without.get_ydata())[-1] == pytest.approx(base, rel=1e-12)
        assert np.asarray(spent.get_xdata())[-1] == 2.0  # the horizon, in hours
    assert legend_texts(fig) == ["with stops", "without stops"]
    # rekognition: (4 + 1 + 2 + 6) / 2 = 6.5 spent, (8 + 6 + 9) / 2 = 11.5 without
    assert "saved $5.00 (43%)" in [t.get_text() for t in fig.axes[1].texts]


def test_the_cost_curve_accrues_linearly_and_steps_at_rounding() -> None:
    fig = plots.cost_over_time(COSTS[COSTS["replication"] == 0], horizon=7200.0)
    (line,) = curves(fig, "rekognition")
    x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    # knots (h): 0, 0.5, 1 (twice: before and after the $1 step), 1.5, 2
    assert x.tolist() == [0.0, 0.5, 1.0, 1.0, 1.5, 2.0]
    assert y == pytest.approx([0.0, 2.0, 5.0, 6.0, 7.0, 7.0])
    assert np.interp(0.75, x, y) == pytest.approx(3.0 + 0.5)  # m0 at $4/h, m1 at $2/h


def test_cost_axes_say_usd_and_hours_or_days() -> None:
    fig = plots.cost_over_time(COSTS)
    assert "Cumulative cost" in fig.get_suptitle()
    assert {ax.get_ylabel() for ax in fig.axes} == {"cumulative cost (USD)"}
    assert {ax.get_xlabel() for ax in fig.axes} == {"time since start (hours)"}
    week = plots.cost_over_time(COSTS, horizon=7 * 86400.0)
    assert {ax.get_xlabel() for ax in week.axes} == {"time since start (days)"}


def test_a_long_cost_table_is_summed_exactly_and_drawn_thinned() -> None:
    rng = np.random.default_rng(0)
    start = rng.uniform(0, 86400, 30_000)
    length, usd = rng.exponential(600, 30_000), rng.uniform(0, 1, 30_000)
    costs = costs_table(
        [(0, "rekognition", "m", s, s + d, u) for s, d, u in zip(start, length, usd, strict=True)]
    )
    (line,) = curves(plots.cost_over_time(costs), "rekognition")
    assert len(line.get_xdata()) <= 20_000
    assert np.asarray(line.get_ydata())[-1] == pytest.approx(costs["usd"].sum(), rel=1e-9)


# -- status_timeline -------------------------------------------------------------------------


def test_the_timeline_prefers_stopped_resources_and_skips_parts() -> None:
    fig = plots.status_timeline(MOVES, MOVE_STOPS, sample=3, seed=1)
    (ax,) = fig.axes
    names = [label.get_text() for label in ax.get_yticklabels()]
    assert len(names) == 3
    assert {"job-0", "job-1"} < set(names)
    assert "job-0/artifacts" not in names
    assert "3 of 6 neptune resources" in ax.get_title()
    (again,) = plots.status_timeline(MOVES, MOVE_STOPS, sample=3, seed=1).axes
    assert [label.get_text() for label in again.get_yticklabels()] == names


def test_the_timeline_draws_a_bar_per_status_and_marks_stops() -> None:
    fig = plots.status_timeline(MOVES, MOVE_STOPS, sample=6, horizon=86400.0)
    ax = fig.axes[0]
    bars = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bars) == 6
    texts = legend_texts(fig)
    assert texts[-2:] == ["stop accepted", "stop rejected or unanswered"]
    assert set(texts[:-2]) == {"InProgress", "Stopping", "Stopped", "Completed"}
    marks = [line for line in ax.lines if line.get_marker() == "v"]
    assert sum(len(line.get_xdata()) for line in marks) == 2
    assert ax.get_xlabel() == "time since start (hours)"
    assert ax.get_xlim() == (0.0, 24.0)  # to the horizon, where the last statuses still hold


def test_a_slash_makes_a_part_only_under_a_resource_of_the_run() -> None:
    parts = transitions_table([("job-0", 0.0, "Stopped"), ("job-0/a", 0.0, "Stored")])
    (ax,) = plots.status_timeline(parts).axes
    assert [label.get_text() for label in ax.get_yticklabels()] == ["job-0"]
    (ax,) = plots.status_timeline(parts[parts["resource_id"] == "job-0/a"]).axes
    assert [label.get_text() for label in ax.get_yticklabels()] == ["job-0/a"]
    arns = [f"arn:aws:rekognition:us-east-1:1:project/p/version/v{i}/1" for i in (2, 10)]
    fig = plots.status_timeline(transitions_table([(a, 0.0, "RUNNING") for a in arns]))
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["v2/1", "v10/1"]


# -- outcome_shares --------------------------------------------------------------------------


def test_outcome_bars_stack_to_one_with_counts() -> None:
    fig = plots.outcome_shares(STOPS)
    (ax,) = fig.axes
    assert legend_texts(fig) == ["STOPPED", "TRAINED", "rejected", "stuck"]
    widths: dict[float, float] = {}
    for bar in ax.patches:
        assert isinstance(bar, Rectangle)
        widths[bar.get_y()] = widths.get(bar.get_y(), 0.0) + bar.get_width()
    assert list(widths.values()) == pytest.approx([1.0, 1.0])
    labels = {t.get_text() for t in ax.texts}
    assert {"3\n75%", "1\n25%", "1\n33%"} <= labels
    assert ax.get_xlabel() == "share of stop requests (%); counts over 2 replications pooled"
    assert ax.get_title() == "Stop outcomes by service"


# -- api_calls -------------------------------------------------------------------------------


def test_calls_are_stacked_by_result_per_service() -> None:
    fig = plots.api_calls(CALLS)
    assert [ax.get_title() for ax in fig.axes] == [
        "comprehend: 3 attempts over 2 replications",
        "rekognition: 4 attempts over 2 replications",
    ]
    assert legend_texts(fig) == [
        "first attempt succeeded", "retry succeeded", "throttled", "other error"
    ]  # fmt: skip
    assert fig.axes[0].get_ylabel() == "attempts per 5 s"
    assert fig.axes[-1].get_xlabel() == "time since start (minutes)"
    kinds = _call_kind(CALLS)
    assert kinds.tolist() == [0, 2, 1, 3, 2, 2, 1]
    for ax, count in zip(fig.axes, (3, 4), strict=True):
        top = [p for p in ax.patches if isinstance(p, StepPatch)][-1]
        assert top.get_data().values.sum() == count / 2  # the mean of 2 replications


# -- empty tables ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "draw",
    [
        lambda: plots.latency_ecdf(STOPS.iloc[:0]),
        lambda: plots.cost_over_time(COSTS.iloc[:0], BASELINE.iloc[:0]),
        lambda: plots.cost_over_time(COSTS.iloc[:0]),
        lambda: plots.status_timeline(MOVES.iloc[:0], MOVE_STOPS.iloc[:0]),
        lambda: plots.status_timeline(MOVES, replication=3),
        lambda: plots.outcome_shares(STOPS.iloc[:0]),
        lambda: plots.api_calls(CALLS.iloc[:0]),
    ],
)
def test_empty_tables_say_so(draw: Callable[[], Figure]) -> None:
    fig = draw()
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.texts[0].get_text().startswith("no ")


def test_stops_that_never_ended_leave_an_empty_panel_that_says_so() -> None:
    rejected = STOPS[STOPS["outcome"] == "rejected"]
    (ax,) = plots.latency_ecdf(rejected).axes
    assert [t.get_text() for t in ax.texts] == ["no stop ended"]


# -- a real run ------------------------------------------------------------------------------

SCENARIO = Path(__file__).parents[3] / "scenarios" / "rekognition-throttled-burst.yaml"


@pytest.mark.slow
def test_every_figure_renders_a_real_run() -> None:
    scenario = load_scenario(SCENARIO)
    tables = simulate(scenario, 0, 0)
    baseline = tables.get("baseline_costs")
    if baseline is None:  # a runner that does not derive the counterfactual itself
        baseline = simulate(scenario.model_copy(update={"requests": []}), 0, 0)["costs"]
    figures = [
        plots.latency_ecdf(tables["stops"]),
        plots.cost_over_time(tables["costs"], baseline, horizon=scenario.horizon),
        plots.status_timeline(tables["transitions"], tables["stops"], horizon=scenario.horizon),
        plots.outcome_shares(tables["stops"]),
        plots.api_calls(tables["calls"], horizon=scenario.horizon),
    ]
    for fig in figures:
        fig.savefig(io.BytesIO(), format="png", dpi=30)
    (spent, without) = figures[1].axes[0].lines
    assert np.asarray(spent.get_ydata())[-1] == pytest.approx(tables["costs"]["usd"].sum())
    assert np.asarray(without.get_ydata())[-1] == pytest.approx(baseline["usd"].sum())
    assert {"STOPPED", "rejected"} <= set(legend_texts(figures[3]))


def test_the_package_never_touches_pyplot() -> None:
    """pyplot's global figure manager opens windows and leaks figures; the object API does
    neither, in a notebook, a test or a headless report job."""
    modules = set()
    sources = list(Path(plots.__file__).parent.glob("*.py"))
    assert len(sources) > 5
    nodes = [node for path in sources for node in ast.walk(ast.parse(path.read_text()))]
    for node in nodes:
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    assert not {m for m in modules if m.startswith(("matplotlib.pyplot", "pylab"))}
