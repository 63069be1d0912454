"""The figures of real runs answer their scenario's question: they compare its fleet groups,
their time axes end at the horizon, a colour means one thing, and they show in a notebook."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

import simulator
from simulator.analysis import plots
from simulator.analysis.plots.palette import STATUS_COLOURS
from simulator.results import Results
from tests.unit.analysis.test_analysis_plots_palette import FAR, delta_e

SCENARIOS = Path(__file__).parents[3] / "scenarios"
TIMEOUTS = ["export-2m", "export-5m", "export-10m"]


@pytest.fixture(scope="module")
def timeouts() -> Results:
    return simulator.run(SCENARIOS / "sagemaker-lambda-timeout.yaml", replications=1)


@pytest.fixture(scope="module")
def neptune() -> Results:
    return simulator.run(SCENARIOS / "neptune-cancel-clean.yaml", replications=1)


def legends(fig: Figure) -> list[Legend]:
    return list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]


def legend_colours(fig: Figure) -> dict[str, str]:
    """Each coloured legend entry's text and colour (the black line-style keys aside)."""
    found: dict[str, str] = {}
    for legend in legends(fig):
        for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=False):
            if isinstance(handle, Rectangle):
                hue = to_hex(handle.get_facecolor())
            elif isinstance(handle, Line2D) and handle.get_linestyle() == "None":
                hue = to_hex(handle.get_markerfacecolor())  # a marker alone: its fill
            elif isinstance(handle, Line2D):
                hue = to_hex(handle.get_color())
            else:
                continue
            if hue not in ("#000000", "#ffffff"):
                found[text.get_text()] = hue
    return found


def solid_curves(fig: Figure) -> list[str]:
    """The colours of the latency ECDFs drawn solid (request to terminal status)."""
    return [
        to_hex(line.get_color())
        for ax in fig.axes
        for line in ax.lines
        if line.get_drawstyle() == "steps-post" and line.get_linestyle() == "-"
    ]


def test_the_timeout_latency_has_a_curve_per_group_named_in_the_legend(timeouts: Results) -> None:
    fig = timeouts.plot_latency()
    assert len(fig.axes) == 1  # one service
    entries = legend_colours(fig)
    named = [next(t for t in entries if t.startswith(f"{g} (n=")) for g in TIMEOUTS]
    assert len(named) == 3  # in natural order: 2, 5, 10 minutes
    assert solid_curves(fig) == [entries[t] for t in named]
    assert len(set(solid_curves(fig))) == 3
    # the 2-minute timeout ends its stops soonest: its p99 is the smallest
    p99 = [float(t.split("p99 ")[1].split()[0]) for t in named]
    assert p99[0] < p99[2]


def test_one_group_colours_the_latency_by_outcome() -> None:
    results = simulator.run(SCENARIOS / "rekognition-throttled-burst.yaml", replications=1)
    entries = legend_colours(results.plot_latency())
    assert [t.split(" (")[0] for t in entries] == ["STOPPED"]
    assert entries[next(iter(entries))] == STATUS_COLOURS["STOPPED"]


def test_the_outcomes_have_a_bar_per_group(timeouts: Results) -> None:
    (ax,) = timeouts.plot_outcomes().axes
    rows = [t.get_text().split("\n") for t in ax.get_yticklabels()]
    assert [row[:2] for row in rows] == [["sagemaker", g] for g in TIMEOUTS]
    failed = timeouts.stops.groupby("group", observed=True)["outcome"].apply(
        lambda o: (o == "Failed").mean()
    )
    assert failed["export-2m"] > failed["export-10m"]  # what the bars are there to show


def test_the_cost_has_a_curve_per_group_with_its_saving(neptune: Results) -> None:
    fig = neptune.plot_cost()
    (ax, *_) = fig.axes
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [t.split(":")[0] for t in texts] == ["cleaned", "kept"]
    assert all(", saved \\$" in t for t in texts)  # escaped: two $ would be mathtext
    spent = neptune.costs.groupby("group", observed=True)["usd"].sum()
    ends = [float(np.asarray(line.get_ydata())[-1]) for line in ax.lines[0::2]]
    assert ends == pytest.approx([spent["cleaned"], spent["kept"]])
    assert ax.get_xlim()[1] == 30.0  # days: the horizon


@pytest.mark.parametrize("name", ["plot_timeline", "plot_calls", "plot_cost"])
def test_time_axes_end_at_the_horizon(timeouts: Results, name: str) -> None:
    fig = getattr(timeouts, name)()
    assert fig.axes[-1].get_xlabel() == "time since start (hours)"
    assert all(ax.get_xlim() == (0.0, 24.0) for ax in fig.axes)


def test_the_timeline_and_calls_have_a_panel_per_group(timeouts: Results) -> None:
    timeline = timeouts.plot_timeline(sample=9)
    assert [ax.get_title() for ax in timeline.axes] == [
        f"fleet group {g}: 3 of 144" for g in TIMEOUTS
    ]
    calls = timeouts.plot_calls()
    titles = [ax.get_title().split(":")[0] for ax in calls.axes]
    assert titles == [f"sagemaker, fleet group {g}" for g in TIMEOUTS]


@pytest.mark.parametrize(
    "scenario",
    ["sagemaker-lambda-timeout", "neptune-cancel-clean", "comprehend-stop-race"],
)
def test_no_colour_means_two_things_in_a_figure(scenario: str) -> None:
    results = simulator.run(SCENARIOS / f"{scenario}.yaml", replications=1)
    for name, fig in results.figures().items():
        entries = legend_colours(fig)
        meaning: dict[str, str] = {}
        for text, hue in entries.items():
            key = text.split(" (n=")[0].split(":")[0]  # the name, not its numbers
            assert meaning.setdefault(hue, key) == key, f"{name}: {hue} is {meaning[hue]}, {key}"
        hues = sorted(set(entries.values()))
        near = [(a, b) for i, a in enumerate(hues) for b in hues[i + 1 :] if delta_e(a, b) <= FAR]
        assert not near, f"{name}: colours that pass for each other: {near}"


def test_a_palette_never_gives_one_colour_twice() -> None:
    palette = plots.Palette()
    assert palette.status("InProgress") == STATUS_COLOURS["InProgress"]
    assert palette.status("Executing") != palette.status("InProgress")  # both usually orange
    assert palette.group("g1") == plots.GROUP_COLOURS[0]
    assert palette.status("TRAINED") != palette.group("g1")  # both usually blue
    many = [palette.group(f"g{i}") for i in range(40)]
    assert len(set(palette.given.values())) == len(palette.given) == 43
    assert many[1] == palette.group("g1")  # asked again, the same colour


def test_a_figure_shows_itself_as_one_png_in_ipython(timeouts: Results) -> None:
    fig = timeouts.plot_outcomes()
    data, _ = DisplayFormatter().format(fig)
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert data["text/plain"].startswith("<Figure size")  # beside it, as for any object
    assert isinstance(fig, plots.Figure)


def test_the_timeline_shows_the_parts_a_stop_left_billing(neptune: Results) -> None:
    """Cancelled with clean=false, a job's S3 artifacts bill to the horizon: the row under
    each kept job shows them Stored, and under each cleaned job, Deleted."""
    fig = neptune.plot_timeline(sample=4)
    cleaned, kept = fig.axes
    for ax in (cleaned, kept):
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels[1::2] == ["\u21b3 artifacts"] * 2
        assert all(label.startswith(("cleaned-", "kept-")) for label in labels[0::2])
    last = {  # the colour each row ends in, at the horizon
        ax.get_title(): [to_hex(bars.get_facecolor()[-1]) for bars in ax.collections]
        for ax in (cleaned, kept)
    }
    colours = legend_colours(fig)
    assert last[kept.get_title()][1::2] == [colours["Stored"]] * 2
    assert last[cleaned.get_title()][1::2] == [colours["Deleted"]] * 2
