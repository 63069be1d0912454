"""Kaplan-Meier and Turnbull's NPMLE against small examples worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulator.fit.bootstrap import distance
from simulator.fit.families import fit_family
from simulator.fit.nonparametric import estimate, kaplan_meier, turnbull
from simulator.fit.sample import Sample

INF = np.inf


def sample(low: list[float], high: list[float]) -> Sample:
    n = len(low)
    return Sample(np.array(low), np.array(high), np.zeros(n), np.full(n, INF))


def test_kaplan_meier_by_hand() -> None:
    """1, 2+, 3, 3, 3+, 5: S(1) = 5/6; at 3, four at risk (the 3+ among them), two end:
    S(3) = 5/6 * 2/4; at 5 the last ends."""
    found = kaplan_meier(sample([1, 2, 3, 3, 3, 5], [1, INF, 3, 3, INF, 5]))
    assert list(found.left) == [1, 3, 5]
    assert list(found.right) == [1, 3, 5]
    assert found.mass == pytest.approx([1 / 6, 5 / 6 - 5 / 12, 5 / 12])
    assert found.after == pytest.approx([1 / 6, 7 / 12, 1.0])


def test_kaplan_meier_leaves_the_mass_past_the_longest_watch_unplaced() -> None:
    found = kaplan_meier(sample([2, 4, 6], [2, INF, INF]))
    assert list(found.right) == [2, INF]
    assert list(found.left) == [2, 6]
    assert found.mass == pytest.approx([1 / 3, 2 / 3])


def test_turnbull_by_hand_on_overlapping_polls() -> None:
    """(0, 2], (1, 3], (2, 4]: the innermost intervals are (1, 2] and (2, 3] ((0, 2] and
    (2, 4] do not meet); L = p1 (p1 + p2) p2 is largest at p1 = p2 = 1/2."""
    found = turnbull(sample([0, 1, 2], [2, 3, 4]))
    assert list(found.left) == [1, 2]
    assert list(found.right) == [2, 3]
    assert found.mass == pytest.approx([0.5, 0.5], abs=1e-6)
    assert found.converged


def test_turnbull_by_hand_with_an_exact_and_a_censored_duration() -> None:
    """1 exactly, (0, 2], and (2, inf): the first two can only be the point 1, the third
    only (2, inf): L = p1^2 p2, largest at p1 = 2/3."""
    found = turnbull(sample([1, 0, 2], [1, 2, INF]))
    assert list(found.left) == [1, 2]
    assert list(found.right) == [1, INF]
    assert found.mass == pytest.approx([2 / 3, 1 / 3], abs=1e-6)


def test_turnbull_is_kaplan_meier_where_nothing_was_polled() -> None:
    rng = np.random.default_rng(5)
    t = np.round(rng.exponential(60, 200))  # whole seconds: ties
    until = np.round(rng.uniform(20, 200, 200))
    ended = t <= until
    data = sample(list(np.where(ended, t, until)), list(np.where(ended, t, INF)))
    km, npmle = kaplan_meier(data), turnbull(data)
    assert np.array_equal(km.left, npmle.left)
    assert np.array_equal(km.right, npmle.right)
    assert npmle.mass == pytest.approx(km.mass, abs=1e-6)


def test_the_estimate_takes_turnbull_only_where_a_duration_was_polled() -> None:
    assert estimate(sample([1, 0], [1, 2])).left.tolist() == [1]
    assert estimate(sample([1, 5], [1, 5])).mass.tolist() == [0.5, 0.5]


def test_the_distance_of_complete_data_is_kolmogorov_smirnovs() -> None:
    values = np.random.default_rng(2).gamma(2.0, 30.0, 150)
    data = Sample.exact(values)
    fit = fit_family(data, "weibull")
    assert distance(fit, data) == pytest.approx(stats.kstest(values, fit.frozen.cdf).statistic)


def test_the_steps_split_points_from_boxes() -> None:
    found = turnbull(sample([1, 0, 2], [1, 2, INF]))
    x, y, boxes, levels = found.steps()
    assert x.tolist() == [1]
    assert y == pytest.approx([2 / 3], abs=1e-6)
    assert boxes.tolist() == [[2, INF]]
    assert levels.ravel() == pytest.approx([2 / 3, 1.0], abs=1e-6)
