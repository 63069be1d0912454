"""Inference requests drawn as arrays: rates and profiles within Poisson bounds, time zones
across daylight saving, bursts, replayed counts to the request, and the same requests for
the same seed whatever the policies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from simulator.engine.rng import Streams
from simulator.hosting.demand import Arrivals, draw_arrivals
from tests.kit import scenario

HOUR = 3600.0
NINE = '{"09:00-10:00": 1}'


def draw(text: str, seed: int = 0, replication: int = 0) -> Arrivals:
    return draw_arrivals(scenario(text), Streams(seed, replication))


def inside(observed: np.ndarray, expected: np.ndarray, alpha: float = 0.01) -> bool:
    """Every observed count within its Poisson interval, at `alpha` over all of them
    (Bonferroni); a count expected 0 must be 0."""
    level = alpha / len(expected)
    low = stats.poisson.ppf(level / 2, expected)
    high = stats.poisson.isf(level / 2, expected)
    return bool(np.all((observed >= low) & (observed <= high)))


def test_counts_per_hour_follow_rate_times_the_profile() -> None:
    """A week from Monday in UTC: 3 models at 0.5/s, x1 09-12, x0.5 12-18, 0 otherwise;
    weekdays x1, Saturday x0.2, Sunday 0. Each hour's count of each model is within its
    Poisson interval, and hours at 0 have none."""
    arrivals = draw(
        """
        name: profile
        horizon: 7d
        fleet: [{service: rekognition, project: p, count: 3}]
        demand:
          - group: p
            rate: 30/min
            profile:
              hours: {"09:00-12:00": 1.0, "12:00-18:00": 0.5}
              weekdays: {mon-fri: 1, sat: 0.2}
        """
    )
    hour_factor = np.zeros(24)
    hour_factor[9:12], hour_factor[12:18] = 1.0, 0.5
    day_factor = np.array([1, 1, 1, 1, 1, 0.2, 0])
    expected = 0.5 * HOUR * np.outer(day_factor, hour_factor).ravel()
    assert len(arrivals.models) == 3
    for _, times in arrivals:
        assert np.all(np.diff(times) >= 0)
        assert times.min() >= 0
        assert times.max() < 7 * 24 * HOUR
        observed = np.bincount((times // HOUR).astype(int), minlength=7 * 24)
        assert inside(observed, expected)
        assert observed[expected == 0].sum() == 0


@pytest.mark.parametrize(
    ("start", "dublin", "new_york"),
    [
        ("2026-03-02T00:00:00Z", 9, 14),  # winter in both: UTC+0 and UTC-5
        ("2026-03-09T00:00:00Z", 9, 13),  # New York on daylight time (from March 8)
        ("2026-03-30T00:00:00Z", 8, 13),  # Dublin too (from March 29)
    ],
)
def test_the_time_zone_moves_business_hours_with_its_daylight_saving(
    start: str, dublin: int, new_york: int
) -> None:
    """09:00-10:00 local is a UTC hour that depends on the zone and the date."""
    text = f"""
        name: zones
        start: {start}
        horizon: 1d
        fleet:
          - {{service: rekognition, project: d, count: 1}}
          - {{service: rekognition, project: n, count: 1}}
        demand:
          - {{group: d, rate: 1/s, profile: {{time_zone: Europe/Dublin, hours: {NINE}}}}}
          - {{group: n, rate: 1/s, profile: {{time_zone: America/New_York, hours: {NINE}}}}}
        """
    for (model, times), hour in zip(draw(text), (dublin, new_york), strict=True):
        assert len(times) > 3000, model.group
        assert set((times // HOUR).astype(int)) == {hour}, model.group


def test_24_hourly_multipliers_are_the_hours_from_local_midnight() -> None:
    hours = [0.0] * 24
    hours[3] = 1.0
    arrivals = draw(
        f"""
        name: hourly
        horizon: 2d
        fleet: [{{service: lookoutvision, project: p, count: 1}}]
        demand: [{{group: p, rate: 1/s, profile: {{time_zone: Asia/Kolkata, hours: {hours}}}}}]
        """
    )
    times = arrivals.times  # 03:00-04:00 in India is 21:30-22:30 UTC the day before
    assert set(((times - 21.5 * HOUR) % (24 * HOUR) // HOUR).astype(int)) == {0}
    assert arrivals.models[0].service == "lookoutvision"


def test_bursts_multiply_the_rate_in_their_windows_to_the_second() -> None:
    """1/s, x10 from 3630 s for 90 s (not on a minute), and x0 for the first 5 minutes of
    every 2 hours: counts in each window within Poisson bounds; none in the silences."""
    arrivals = draw(
        """
        name: bursts
        horizon: 6h
        fleet: [{service: rekognition, project: p, count: 1}]
        demand:
          - group: p
            rate: 1/s
            bursts:
              - {at: 3630, duration: 90, multiplier: 10}
              - {every: 2h, duration: 5m, multiplier: 0}
        """
    )
    times = arrivals.times
    edges = np.array([3600.0, 3630.0, 3720.0, 3780.0])
    observed = np.histogram(times, edges)[0]
    assert inside(observed, np.array([30.0, 900.0, 60.0]))
    silent = np.mod(times, 2 * HOUR) < 300
    assert not silent.any()
    assert inside(np.array([len(times)]), np.array([6 * HOUR - 3 * 300 + 90 * 9]))


def test_a_group_total_splits_by_zipf_popularity() -> None:
    """A total of 10/s over 4 models with Zipf s=1: shares 1, 1/2, 1/3, 1/4 of 25/12."""
    arrivals = draw(
        """
        name: zipf
        horizon: 1h
        fleet: [{service: rekognition, project: p, count: 4}]
        demand: [{group: p, total: 10/s, popularity: {kind: zipf, s: 1}}]
        """
    )
    counts = np.diff(arrivals.offsets)
    shares = np.array([1, 1 / 2, 1 / 3, 1 / 4]) / (25 / 12)
    assert inside(counts, 10 * HOUR * shares)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_a_replay_reproduces_each_minute_s_count(tmp_path: Path) -> None:
    """Per-model rows (minutes from the start) and per-group rows (timestamps) give exactly
    their counts in their minutes; a group's count is split across its models."""
    arn = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v{}/1"
    models = write(
        tmp_path / "models.csv",
        f"resource,minute,count\n{arn.format(0)},0,5\n{arn.format(1)},0,2\n"
        f"{arn.format(0)},59,7\n{arn.format(1)},3,0\n",
    )
    group = write(
        tmp_path / "group.csv",
        "group,minute,count\nq,2026-01-05T00:10:30Z,40\nq,2026-01-05T00:11:00Z,3\n",
    )
    arrivals = draw(
        f"""
        name: replay
        horizon: 1h
        fleet:
          - {{service: rekognition, project: p, count: 2}}
          - {{service: rekognition, project: q, count: 3}}
        demand:
          - {{group: p, replay: {{path: {models}}}}}
          - {{group: q, replay: {{path: {group}}}}}
        """
    )
    per_minute = {
        model.resource_id: np.bincount((times // 60).astype(int), minlength=60).tolist()
        for model, times in arrivals
    }
    assert per_minute[arn.format(0)][0] == 5
    assert per_minute[arn.format(0)][59] == 7
    assert per_minute[arn.format(1)][0] == 2
    assert sum(map(sum, per_minute.values())) == 5 + 2 + 7 + 40 + 3
    group_q = [m.resource_id for m in arrivals.models if m.group == "q"]
    assert len(group_q) == 3
    total = np.sum([per_minute[r] for r in group_q], axis=0)
    assert total[10] == 40
    assert total[11] == 3
    assert total.sum() == 43


def test_the_same_seed_draws_the_same_requests_and_another_seed_others() -> None:
    text = """
        name: seeds
        horizon: 1d
        fleet: [{service: rekognition, project: p, count: 5}]
        demand: [{group: p, total: 2/s, popularity: {kind: lognormal, sigma: 2}}]
        """
    first, again, other = draw(text), draw(text), draw(text, seed=1)
    np.testing.assert_array_equal(first.times, again.times)
    np.testing.assert_array_equal(first.offsets, again.offsets)
    assert len(first.times) != len(other.times) or not np.array_equal(first.times, other.times)
    assert not np.array_equal(first.times, draw(text, replication=1).times)


def test_policies_and_other_groups_do_not_change_a_group_s_requests() -> None:
    """Group p's requests come from its own stream: an idle-stop policy of 5 or 60 minutes,
    or another group's demand, leaves them as they are."""
    base = """
        name: crn
        horizon: 1d
        fleet:
          - {service: rekognition, project: p, count: 3}
          - {service: rekognition, project: q, count: 2}
        demand:
          - {group: p, rate: 1/min}
        """
    variants = [
        base,
        base + "  - {group: q, rate: 5/s}\n",
        base + "policies: {idle: {kind: idle_stop, groups: [p], after: 5m}}\n",
        base + "policies: {idle: {kind: idle_stop, groups: [p], after: 60m}}\n",
    ]
    drawn = [draw(v) for v in variants]
    ids = [m.resource_id for m in drawn[0].models]
    for arrivals in drawn[1:]:
        for resource_id in ids:
            np.testing.assert_array_equal(arrivals.of(resource_id), drawn[0].of(resource_id))
    assert len(drawn[0].of("no such model")) == 0


def test_a_sweep_knows_replayed_counts_by_their_contents_not_their_place(tmp_path: Path) -> None:
    """Moved, the study is the same one; edited, its counts make another scenario."""
    from simulator.scenario import load_scenario
    from simulator.scenario.digest import scenario_digest

    digests = []
    for place in ("here", "there"):
        folder = tmp_path / place
        folder.mkdir()
        write(folder / "counts.csv", "group,minute,count\np,0,5\n")
        write(
            folder / "s.yaml",
            "name: counts\nhorizon: 1h\nfleet: [{service: rekognition, project: p, count: 1}]\n"
            "demand: [{group: p, replay: {path: counts.csv}}]\n",
        )
        digests.append(scenario_digest(load_scenario(folder / "s.yaml")))
    assert digests[0] == digests[1]
    write(tmp_path / "there" / "counts.csv", "group,minute,count\np,0,6\n")
    assert scenario_digest(load_scenario(tmp_path / "there" / "s.yaml")) != digests[0]


def test_a_run_directory_keeps_its_replayed_counts(tmp_path: Path) -> None:
    """The run's scenario.yaml names its own copy of the counts: it loads, and replays the
    same requests, wherever the original has gone since."""
    import simulator
    from simulator.scenario import load_scenario

    write(tmp_path / "counts.csv", "group,minute,count\np,0,5\np,3,2\n")
    source = write(
        tmp_path / "s.yaml",
        "name: kept\nhorizon: 1h\nfleet: [{service: rekognition, project: p, count: 2}]\n"
        "demand: [{group: p, replay: {path: counts.csv}}]\n",
    )
    simulator.run(load_scenario(source), replications=1).save(tmp_path / "run")
    (tmp_path / "counts.csv").unlink()
    kept = load_scenario(tmp_path / "run" / "scenario.yaml")
    assert kept.demand[0].replay is not None
    assert kept.demand[0].replay.path == tmp_path / "run" / "counts" / "0-counts.csv"
    assert list(kept.demand[0].replay.trace["count"]) == [5, 2]


def test_a_replayed_timestamp_s_minute_is_its_utc_minute_against_any_start(
    tmp_path: Path,
) -> None:
    """A start at 09:00:30: the count of 09:05 (CloudWatch's period 09:05:00-09:06:00) lands
    270 to 330 s from the start, not floored to 240-300 s; the minute holding the start,
    09:00, lands in its 30 s within the run (it was refused as before the start)."""
    arn = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v0/1"
    counts = write(
        tmp_path / "counts.csv",
        f"resource,minute,count\n{arn},2026-01-05T09:00:00Z,50\n{arn},2026-01-05T09:05:00Z,80\n",
    )
    arrivals = draw(
        f"""
        name: unaligned
        horizon: 1h
        start: 2026-01-05T09:00:30Z
        fleet: [{{service: rekognition, project: p, count: 1}}]
        demand: [{{group: p, replay: {{path: {counts}}}}}]
        """
    )
    times = arrivals.of(arn)
    first, later = times[:50], times[50:]
    assert len(later) == 80
    assert first.min() >= 0.0
    assert first.max() < 30.0
    assert later.min() >= 270.0
    assert later.max() < 330.0
    assert (later >= 300.0).any()  # the old floor put every one before 300
