"""The report of a fit: how the bootstrap observes its draws, the table, the warnings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator.fit.bootstrap import Bootstrap, midpoints, observe, race_watch
from simulator.fit.goodness import COLUMNS, fit_all, seconds, span
from simulator.fit.sample import Sample

INF = np.inf


def polled(durations: np.ndarray, period: float, two_ended: bool) -> Sample:
    n = len(durations)
    width = 2 * period if two_ended else period
    return Sample(np.zeros(n), np.full(n, width), np.full(n, period), np.full(n, INF))


@pytest.mark.parametrize("two_ended", [False, True])
def test_a_polled_duration_lies_in_the_interval_it_is_seen_as(two_ended: bool) -> None:
    rng = np.random.default_rng(1)
    t = rng.exponential(70.0, 5000)
    seen = observe(t, polled(t, 30.0, two_ended), rng)
    assert ((seen.low < t) | (seen.low == 0)).all()
    assert (t <= seen.high).all()
    width = seen.high - seen.low
    assert width.max() == pytest.approx(60.0 if two_ended else 30.0)
    if two_ended:  # past a period, both ends' uncertainty adds up
        assert width[t > 60.0] == pytest.approx(60.0)
    else:
        assert (width <= 30.0 + 1e-9).all()
    # the phase is uniform: the first poll after a one-ended start is anywhere in a period
    if not two_ended:
        assert np.mean(seen.high % 30.0 < 15.0) == pytest.approx(0.5, abs=0.03)


def test_an_exact_duration_stays_exact_until_its_watch_ends() -> None:
    t = np.array([5.0, 50.0, 500.0])
    scheme = Sample(np.array([1.0, 1.0, 100.0]), np.array([1.0, 1.0, INF]), np.zeros(3),
                    np.array([INF, 100.0, 100.0]))  # fmt: skip
    seen = observe(t, scheme, np.random.default_rng(0))
    assert seen.low.tolist() == [5.0, 50.0, 100.0]
    assert seen.high.tolist() == [5.0, 50.0, INF]


def test_midpoints_keep_exact_and_censored_durations() -> None:
    data = Sample(np.array([3.0, 10.0, 20.0]), np.array([3.0, 40.0, INF]), np.array([0, 30, 0.0]),
                  np.full(3, INF))  # fmt: skip
    middle = midpoints(data)
    assert middle.low.tolist() == [3.0, 25.0, 20.0]
    assert middle.high.tolist() == [3.0, 25.0, INF]


def test_the_p_value_counts_the_data_as_a_replicate() -> None:
    boot = Bootstrap(0.1, np.array([0.05, 0.1, 0.2, 0.01]), np.ones(4), np.ones(4), 0)
    assert boot.p_value == pytest.approx(3 / 5)


def data(seed: int = 4, n: int = 60) -> Sample:
    return Sample.exact(np.random.default_rng(seed).gamma(3.0, 20.0, n))


def test_the_table_ranks_by_aic_and_its_columns_are_the_reports() -> None:
    report = fit_all(data(), bootstrap=20)
    table = report.table
    assert tuple(table.columns) == COLUMNS
    assert list(table["aic"]) == sorted(table["aic"])
    assert table["delta_aic"].iloc[0] == 0
    assert table["family"].iloc[0] == report.best.family
    for row, fit in zip(table.to_dict("records"), report.fits, strict=True):
        boot = report.bootstraps[fit.family]
        assert row["aic"] == pytest.approx(2 * fit.k - 2 * fit.log_likelihood)
        assert row["median_low"] <= row["median"] <= row["median_high"]
        assert (row["p95_low"], row["p95_high"]) == boot.p95_interval
        assert row["gof_p"] == boot.p_value
    assert report.distribution() == report.best.distribution()
    assert report.distribution("exponential")["kind"] == "exponential"


def test_near_ties_are_flagged_and_named() -> None:
    """Exponential durations: the gamma and Weibull, with the exponential as their shape-1
    case, come within 2 of its AIC or beat it by little."""
    report = fit_all(Sample.exact(np.random.default_rng(8).exponential(40.0, 80)), bootstrap=5)
    table = report.table
    within = table["delta_aic"] < 2
    assert within.sum() >= 2
    assert table["near_tie"].tolist() == within.tolist()
    names = list(table.loc[within, "family"])
    tied = ", ".join(names[:-1]) + " and " + names[-1]
    assert any(w.startswith(f"{tied} are within 2 of AIC") for w in report.warnings)


def test_the_same_seed_gives_the_same_table_and_another_seed_another() -> None:
    sample = data()
    first = fit_all(sample, seed=3, bootstrap=15).table
    pd.testing.assert_frame_equal(first, fit_all(sample, seed=3, bootstrap=15).table)
    other = fit_all(sample, seed=4, bootstrap=15).table
    assert not np.array_equal(first["median_low"], other["median_low"])
    assert np.array_equal(first["aic"], other["aic"])  # the fit itself draws nothing


def test_few_durations_say_how_wide_the_median_interval_is() -> None:
    report = fit_all(data(n=12), bootstrap=40)
    row = report.table.iloc[0]
    expected = (
        f"only 12 observations: the median's 95% interval spans"
        f" {row['median_low']:,.0f}-{row['median_high']:,.0f} s and the p95's"
        f" {row['p95_low']:,.0f}-{row['p95_high']:,.0f} s ({row['family']})"
    )
    assert expected in report.warnings
    assert row["median_high"] - row["median_low"] > 10  # 12 durations: a wide interval
    assert not any("only" in w for w in fit_all(data(n=20), bootstrap=5).warnings)


def test_durations_that_say_nothing_are_left_out_and_counted() -> None:
    nothing = Sample(np.zeros(2), np.full(2, INF), np.zeros(2), np.zeros(2))
    report = fit_all(Sample.concat(data(n=30), nothing), bootstrap=5)
    assert report.sample.n == 30
    said = "2 of 32 durations were censored before any time passed"
    assert any(w.startswith(said) for w in report.warnings)


def test_no_usable_duration_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="none of the 2 durations can be fitted"):
        fit_all(Sample(np.zeros(2), np.full(2, INF), np.zeros(2), np.zeros(2)))
    with pytest.raises(ValueError, match="at least 1 replicate"):
        fit_all(data(), bootstrap=0)


def test_seconds_read_as_a_person_writes_them() -> None:
    assert [seconds(v) for v in (0.4213, 61.4, 1204.0)] == ["0.42 s", "61 s", "1,204 s"]
    assert span(61.2, 190.4) == "61-190 s"


def test_a_family_that_did_not_converge_is_left_out_and_said() -> None:
    report = fit_all(Sample.exact(np.r_[np.full(30, 30.0), 31.0]), bootstrap=5)
    assert "gamma" not in set(report.table["family"])
    said = "the gamma fit did not converge (the durations pull the shape to 2,981 or 1/2,981"
    assert any(w.startswith(said) for w in report.warnings)
    with pytest.raises(ValueError, match="no 'gamma' fit: the fitted families are lognormal"):
        report.distribution("gamma")


def test_a_race_redraws_the_watch_of_a_completed_duration_past_its_end() -> None:
    """Raced durations keep their race's moment; a completed one was at risk of the race,
    whose moment is drawn from the races' Kaplan-Meier estimate, later than its end."""
    sample = Sample(
        np.array([10.0, 20.0, 30.0, 40.0, 50.0]),
        np.array([10.0, INF, 30.0, INF, 50.0]),
        np.zeros(5),
        np.array([1000.0, 20.0, 1000.0, 40.0, 1000.0]),
        raced=np.array([False, True, False, True, False]),
    )
    rng = np.random.default_rng(3)
    watches = np.array([race_watch(sample, rng) for _ in range(2000)])
    assert (watches[:, 1] == 20.0).all()
    assert (watches[:, 3] == 40.0).all()
    first, third, fifth = watches[:, 0], watches[:, 2], watches[:, 4]
    # after 10 s: a race at 20 (1 of 4 at risk), else at 40 (1 of 2 at risk) or never
    assert set(np.unique(first)) == {20.0, 40.0, 1000.0}
    assert np.mean(first == 20.0) == pytest.approx(0.25, abs=0.03)
    assert np.mean(first == 40.0) == pytest.approx(0.375, abs=0.03)
    assert set(np.unique(third)) == {40.0, 1000.0}  # after 30 s: no race at 20
    assert (fifth == 1000.0).all()  # past the last race: none comes; watched until `until`
    assert race_watch(Sample.exact([1.0, 2.0]), rng) is None  # no race: nothing drawn


def test_a_raced_replicate_is_censored_at_its_watch() -> None:
    sample = Sample(np.array([5.0]), np.array([INF]), np.zeros(1), np.array([5.0]), [True])
    seen = observe(np.array([8.0]), sample, np.random.default_rng(0), np.array([5.0]))
    assert (seen.low[0], seen.high[0], bool(seen.raced[0])) == (5.0, INF, True)
    seen = observe(np.array([8.0]), Sample.exact([8.0]), np.random.default_rng(0), np.array([6.0]))
    assert (seen.low[0], seen.high[0], bool(seen.raced[0])) == (6.0, INF, True)


def test_a_rejected_choice_is_a_warning_that_suggests_empirical() -> None:
    """Uniform(60, 300) stop latencies (rekognition-nightly-stop): every family is rejected,
    and the chosen one was written without a word."""
    sample = Sample.exact(np.random.default_rng(6).uniform(60.0, 300.0, 400))
    report = fit_all(sample, bootstrap=20)
    assert (report.table["gof_p"] < 0.05).all()
    said = [w for w in report.warnings if "rejected by the goodness of fit" in w]
    assert len(said) == 1
    assert said[0].startswith(f"the chosen {report.best.family} fit is rejected")
    assert "the data look like none of the families" in said[0]
    assert "`kind: empirical`" in said[0]
    assert "`mixture`" in said[0]
    assert not any("rejected" in w for w in fit_all(data(), bootstrap=20).warnings)


def test_intervals_from_a_minority_of_replicates_are_not_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """30 of 40 replicates failed: the 10 survivors spanned 4.9e-14 to 7.9e+08 s, printed as
    an interval; now NaN, with the count in the table and a warning that says why."""
    spread = np.array([4.9e-14, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6, 1e7, 7.9e8])
    few = Bootstrap(0.1, np.linspace(0.0, 0.2, 10), spread, spread, failed=30)
    assert few.mostly_failed
    assert np.isnan(few.median_interval).all()
    assert np.isnan(few.p95_interval).all()
    half = Bootstrap(0.1, np.linspace(0.0, 0.2, 20), np.ones(20), np.ones(20), failed=20)
    assert not half.mostly_failed
    assert half.median_interval == (1.0, 1.0)
    monkeypatch.setattr("simulator.fit.goodness.replicate", lambda *_, **__: few)
    report = fit_all(data(), bootstrap=40)
    table = report.table
    assert table["median_low"].isna().all()
    assert (table["replicates_failed"] == 30).all()
    said = f"30 of 40 {report.best.family} replicates could not be refitted: more than half"
    assert any(w.startswith(said) and "intervals are not given (NaN" in w for w in report.warnings)
