"""simulate fit's round trip: run a scenario whose latencies are known, export its
transitions, fit them, and find each true median and p95 inside the fit's 95% bootstrap
interval, for durations seen exactly, right-censored by a short horizon, seen by polls
every 30 s, and censored by Comprehend's race (a stop that training beat, a training that
a stop ended).

The data are fitted as a user would: the run saved as a directory (its transitions table,
run.json and scenario.yaml, whose horizon ends the censored durations), or a polling log
made from its transitions by a script that asks each resource's status every 30 s.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simulator
from simulator.engine.distributions import Lognormal
from simulator.fit.calibrate import Calibration, fit_latencies

STOP = Lognormal(median=300, p95=1200)
TRAINING = Lognormal(median=45 * 60, p95=3 * 3600)
RACE_STOP = Lognormal(median=8 * 60, p95=25 * 60)
BOOTSTRAP = 100


def _rekognition(horizon: str) -> str:
    return f"""
name: fit-round-trip
seed: 7
horizon: {horizon}
services:
  rekognition:
    latency:
      stop: {{kind: lognormal, median: {STOP.median}, p95: {STOP.p95}}}
fleet:
  - {{service: rekognition, project: shop, count: 300, status: RUNNING}}
requests:
  - {{service: rekognition, at: 5m}}
"""


def _saved(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    run = tmp_path / "run"
    simulator.run(path).save(run)
    return run


def polled(transitions: pd.DataFrame, period: float, horizon: float) -> pd.DataFrame:
    """What a script asking every resource's status every `period` seconds logs: each
    resource's polls at its own phase (the script goes through them in turn)."""
    rows = []
    for index, (resource, moves) in enumerate(transitions.groupby("resource_id", observed=True)):
        moves = moves.sort_values("time", kind="stable")
        times = np.arange((index * 0.37) % period, horizon, period)
        at = np.searchsorted(moves["time"].to_numpy(), times, side="right") - 1
        statuses = moves["to_status"].astype(str).to_numpy()[at]
        rows.append(pd.DataFrame({"resource_id": resource, "status": statuses, "time": times}))
    return pd.concat(rows, ignore_index=True)


def _covers(calibration: Calibration, latency: str, truth: Lognormal) -> None:
    table = calibration.reports[latency].table.set_index("family")
    row = table.loc["lognormal"]  # the true family's fit
    assert row["median_low"] <= truth.median <= row["median_high"], row
    assert row["p95_low"] <= truth.p95 <= row["p95_high"], row


@pytest.mark.slow
def test_exact_durations_round_trip(tmp_path: Path) -> None:
    run = _saved(tmp_path, _rekognition("6h"))
    calibration = fit_latencies([run], bootstrap=BOOTSTRAP)
    sample = calibration.durations.samples["stop"]
    assert (sample.n, sample.exact_count) == (300, 300)
    _covers(calibration, "stop", STOP)
    assert calibration.reports["stop"].best.family == "lognormal"


@pytest.mark.slow
def test_right_censored_durations_round_trip(tmp_path: Path) -> None:
    run = _saved(tmp_path, _rekognition("13m"))  # the stops are sent at 5 min
    calibration = fit_latencies([run], bootstrap=BOOTSTRAP)
    sample = calibration.durations.samples["stop"]
    assert 60 < sample.right_count < 120  # P(stop > 8 min) = 0.29
    assert np.allclose(sample.low[sample.is_right], 480, atol=1)  # watched until the horizon
    _covers(calibration, "stop", STOP)


@pytest.mark.slow
def test_durations_between_30_second_polls_round_trip(tmp_path: Path) -> None:
    run = _saved(tmp_path, _rekognition("6h"))
    transitions = pd.read_parquet(run / "transitions.parquet")
    log = tmp_path / "polls.csv"
    polled(transitions, 30.0, 6 * 3600).to_csv(log, index=False)
    calibration = fit_latencies([log], "rekognition", bootstrap=BOOTSTRAP)
    sample = calibration.durations.samples["stop"]
    assert sample.interval_count >= 295  # a stop under 30 s may fall between two polls
    assert set(sample.period.tolist()) == {30.0}
    _covers(calibration, "stop", STOP)


@pytest.mark.slow
def test_the_comprehend_race_round_trips_both_clocks(tmp_path: Path) -> None:
    run = _saved(
        tmp_path,
        f"""
name: fit-race
seed: 1
horizon: 1d
services:
  comprehend:
    latency:
      training: {{kind: lognormal, median: {TRAINING.median}, p95: {TRAINING.p95}}}
      stop: {{kind: lognormal, median: {RACE_STOP.median}, p95: {RACE_STOP.p95}}}
fleet:
  - {{service: comprehend, count: 300, status: TRAINING}}
requests:
  - {{service: comprehend, at: 20m, where: {{status: [TRAINING]}}}}
""",
    )
    calibration = fit_latencies([run], bootstrap=BOOTSTRAP)
    stop, training = (calibration.durations.samples[n] for n in ("stop", "training"))
    assert stop.right_count > 20  # stops training beat: censored, not dropped
    assert training.right_count > 100  # trainings the stop ended
    said = "\n".join(calibration.notes)
    assert "comprehend stop:" in said
    assert "ended TRAINED, not STOPPED" in said
    _covers(calibration, "stop", RACE_STOP)
    _covers(calibration, "training", TRAINING)
