"""The figure of a fit: the data's estimate, every family's CDF, the legend's AIC."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from simulator.analysis.plots.figure import Figure
from simulator.analysis.plots.fit import plot_fit
from simulator.fit.goodness import fit_all
from simulator.fit.sample import Sample

PNG = b"\x89PNG\r\n\x1a\n"


def lines(ax: object) -> dict[str, Line2D]:
    return {str(line.get_label()): line for line in ax.get_lines()}  # type: ignore[attr-defined]


def censored_sample() -> Sample:
    rng = np.random.default_rng(11)
    t = rng.lognormal(np.log(90), 0.5, 80)
    until = np.where(np.arange(80) % 4 == 0, 100.0, np.inf)
    ended = t <= until
    return Sample(np.where(ended, t, until), np.where(ended, t, np.inf), np.zeros(80), until)


def test_the_figure_draws_the_estimate_and_each_family_with_its_aic() -> None:
    sample = censored_sample()
    report = fit_all(sample, bootstrap=10)
    fig = plot_fit(sample, report, title="rekognition stop")
    assert isinstance(fig, Figure)
    assert fig._repr_png_().startswith(PNG)  # a notebook shows it
    cdf_ax, tail_ax = fig.axes
    assert fig.get_suptitle().startswith("rekognition stop: 80 durations: ")
    drawn = lines(cdf_ax)
    data = drawn["data: Kaplan-Meier"]
    assert data.get_ydata()[0] == 0.0
    assert f"censored ({sample.right_count})" in drawn
    table = report.table
    for rank, row in enumerate(table.to_dict("records")):
        (label,) = [k for k in drawn if k.startswith(f"{row['family']} {row['parameters']}:")]
        rating = "best AIC" if rank == 0 else f"ΔAIC {row['delta_aic']:.1f}"
        assert rating in label
        assert f"GoF p={row['gof_p']:.2g}" in label
        curve = drawn[label]
        x = np.asarray(curve.get_xdata(), dtype=float)  # seconds: the durations are short
        fitted = report.fit(row["family"]).frozen.cdf(x)
        assert np.asarray(curve.get_ydata()) == pytest.approx(fitted)
    assert cdf_ax.get_xlabel() == "duration (s)"
    assert tail_ax.get_yscale() == "log"
    assert len(tail_ax.get_lines()) == 1 + len(table)
    median = report.best.median
    assert any(t.get_text().startswith(f"median {median:.3g} s (95%: ") for t in cdf_ax.texts)


def test_polled_durations_draw_turnbulls_estimate_with_its_boxes_in_minutes() -> None:
    rng = np.random.default_rng(3)
    t = rng.gamma(4.0, 300.0, 60)  # twenty minutes or so
    high = np.ceil(t / 120.0) * 120.0
    sample = Sample(high - 120.0, high, np.full(60, 120.0), np.full(60, np.inf))
    fig = plot_fit(sample, fit_all(sample, bootstrap=5))
    cdf_ax = fig.axes[0]
    assert "data: Turnbull (polled)" in lines(cdf_ax)
    assert cdf_ax.get_xlabel() == "duration (min)"
    boxes = [p for p in cdf_ax.patches if isinstance(p, Rectangle)]
    assert boxes
    assert all(b.get_width() == pytest.approx(2.0) for b in boxes)  # 120 s polls, in minutes


def test_a_sample_alone_draws_only_its_estimate() -> None:
    fig = plot_fit(Sample.exact([10.0, 20.0, 30.0, 40.0]))
    drawn = lines(fig.axes[0])
    assert list(drawn) == ["data: Kaplan-Meier"]
    assert drawn["data: Kaplan-Meier"].get_ydata()[-1] == pytest.approx(1.0)
    fig.savefig("/dev/null", format="png", dpi=30)
