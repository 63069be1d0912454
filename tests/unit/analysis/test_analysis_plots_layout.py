"""The latency figure's parts do not cover one another: each panel's legend sits clear of
its x-axis label (as drawn for report.html and in a notebook), for the shipped scenarios
whose legends are longest."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import simulator

SCENARIOS = Path(__file__).parents[3] / "scenarios"


@pytest.mark.slow
@pytest.mark.parametrize(
    "scenario",
    ["rekognition-nightly-stop", "sagemaker-lambda-timeout", "comprehend-stop-race"],
)
def test_the_latency_legend_never_covers_the_x_label(scenario: str) -> None:
    fig = simulator.run(SCENARIOS / f"{scenario}.yaml", replications=1).plot_latency()
    FigureCanvasAgg(fig).draw()  # lay the figure out as savefig does
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    panels = [ax for ax in fig.axes if ax.get_legend() is not None]
    assert panels
    for ax in panels:
        legend = ax.get_legend().get_window_extent(renderer)
        label = ax.xaxis.label.get_window_extent(renderer)
        ticks = ax.xaxis.get_tightbbox(renderer)
        assert ax.xaxis.label.get_text().startswith("time since stop request")
        assert not legend.overlaps(label), f"{scenario}: legend {legend} covers label {label}"
        assert ticks is not None
        assert not legend.overlaps(ticks)
        assert legend.y1 <= label.y0  # below the label, not beside it
