"""Neptune ML jobs as processes: the races and the waits the fixed-latency tests cannot show.

A training part races the job's training_timeout (a tie is no timeout); the HPO stage
launches the next training part as each ends, never more than its parallelism at once; a
cancel's parts stop each in its own time, and the job is Stopped when the last one is.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from simulator.runner import simulate
from simulator.scenario import parse_scenario

JOB = """
name: processes
horizon: 8h
services:
  neptune:
    latency: {processing: 10m, training: TRAINING, transform: 20m, stop: STOP, clean: 5m}
fleet:
  - {service: neptune, count: 1, name: job, SHAPE}
callers:
  default:
    network: 0.2
    waiter: {delay: 30s}
"""


def _moves(
    training: str, shape: str, stop: str = "60s", requests: str = "", seed: int = 0
) -> pd.DataFrame:
    text = JOB.replace("TRAINING", training).replace("STOP", stop).replace("SHAPE", shape)
    tables = simulate(parse_scenario(textwrap.dedent(text + requests)), seed, 0)
    moves = tables["transitions"]
    return pd.DataFrame(
        {
            "time": moves["time"],
            "resource": moves["resource_id"].astype(str),
            "to": moves["to_status"].astype(str),
            "cause": moves["cause"].astype(str),
        }
    )


def _entered(moves: pd.DataFrame, resource: str, status: str) -> float:
    rows = moves[(moves["resource"] == resource) & (moves["to"] == status)]
    assert len(rows) == 1, (resource, status, rows)
    return float(rows["time"].iloc[0])


def test_a_training_part_that_ends_at_its_timeout_completes() -> None:
    moves = _moves("1h", "training_timeout: 1h")
    for part in ("job-0/hpo-1", "job-0/hpo-2"):
        assert _entered(moves, part, "Completed") == pytest.approx(4200.0)
    assert "timeout" not in set(moves["cause"])
    assert _entered(moves, "job-0", "Completed") == pytest.approx(5400.0)


def test_a_training_part_past_its_timeout_is_stopped_at_the_timeout() -> None:
    moves = _moves("{kind: uniform, low: 61m, high: 2h}", "training_timeout: 1h")
    for part in ("job-0/hpo-1", "job-0/hpo-2"):
        assert _entered(moves, part, "Stopped") == pytest.approx(600.0 + 3600.0)
    assert moves.loc[moves["to"] == "Stopped", "cause"].tolist() == ["timeout", "timeout"]
    assert _entered(moves, "job-0", "Failed") == pytest.approx(4200.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hpo_launches_the_next_training_part_as_each_ends(seed: int) -> None:
    """Five training parts of random durations, two at a time: each launch after the first
    two is at the moment a part ended, and never more than two run at once."""
    shape = "max_hpo_training_jobs: 5, max_hpo_parallel_training_jobs: 2"
    moves = _moves("{kind: exponential, mean: 30m}", shape, seed=seed)
    hpo = moves[moves["resource"].str.startswith("job-0/hpo-")]
    starts = hpo[hpo["to"] == "InProgress"]
    ends = hpo[hpo["to"] != "InProgress"].sort_values("time", kind="stable")
    assert starts["resource"].tolist() == [f"job-0/hpo-{n}" for n in range(1, 6)]
    assert starts["time"].tolist()[:2] == [600.0, 600.0]
    assert starts["time"].tolist()[2:] == ends["time"].tolist()[:3]
    running = 0
    for _, move in hpo.iterrows():
        running += 1 if move["to"] == "InProgress" else -1
        assert 0 <= running <= 2
    assert _entered(moves, "job-0/transform", "InProgress") == ends["time"].max()


def test_a_cancel_stops_each_part_in_its_own_time_and_the_job_after_the_last() -> None:
    cancel = "requests: [{service: neptune, at: 30m, parameters: {clean: true}}]"
    moves = _moves(
        "1h", "max_hpo_parallel_training_jobs: 2", "{kind: uniform, low: 30s, high: 2m}", cancel
    )
    stopping = moves[moves["to"] == "Stopping"]
    assert stopping["resource"].tolist() == ["job-0", "job-0/hpo-1", "job-0/hpo-2"]
    assert stopping["time"].tolist() == pytest.approx([1800.1] * 3, abs=1e-9)
    stopped = {part: _entered(moves, part, "Stopped") for part in ("job-0/hpo-1", "job-0/hpo-2")}
    for time in stopped.values():
        assert 1800.1 + 30 <= time <= 1800.1 + 120
    assert stopped["job-0/hpo-1"] != stopped["job-0/hpo-2"]  # two draws, not one
    last = max(stopped.values())
    assert _entered(moves, "job-0", "Stopped") == last
    assert _entered(moves, "job-0/artifacts", "Deleting") == last
    assert _entered(moves, "job-0/artifacts", "Deleted") == pytest.approx(last + 300.0)
    assert "job-0/transform" not in set(moves["resource"])
