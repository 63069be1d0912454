"""When requests arrive and whom they target."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simulator.build import build
from simulator.errors import ScenarioError
from simulator.runner import simulate
from simulator.scenario import load_scenario
from simulator.workload.arrivals import occurrences
from tests.kit import scenario

BASE = """
name: arrivals
horizon: 3d
start: 2026-01-05T09:30:00+01:00
services:
  rekognition: {latency: {stop: 5m, start: 1m}}
fleet:
  - {service: rekognition, count: 10, project: a}
  - {service: rekognition, count: 10, project: b, group: other}
callers:
  default: {network: 0}
"""


def test_every_day_at_a_time_of_day_counts_from_the_start_in_its_zone() -> None:
    s = scenario(BASE + "requests: [{service: rekognition, every: 1d, time_of_day: '20:00'}]")
    hours = [t / 3600 for t in occurrences(s.requests[0], s.start, s.horizon)]
    assert hours == [10.5, 34.5, 58.5]  # 20:00 local on each of three days from 09:30


def test_an_unquoted_time_of_day_is_not_read_as_a_base_60_number() -> None:
    s = scenario(BASE + "requests: [{service: rekognition, every: 1d, time_of_day: 08:15}]")
    assert s.requests[0].time_of_day == "08:15"


def test_at_a_timestamp_is_measured_from_the_start() -> None:
    s = scenario(BASE + "requests: [{service: rekognition, at: 2026-01-05T10:30:00+01:00}]")
    assert occurrences(s.requests[0], s.start, s.horizon) == [3600.0]


def test_at_a_timestamp_before_the_start_is_an_error() -> None:
    with pytest.raises(ScenarioError, match="before start"):
        scenario(BASE + "requests: [{service: rekognition, at: 2026-01-01T00:00:00Z}]")


@pytest.mark.parametrize(("selector", "stopped"), [("count: 3", 3), ("fraction: 0.25", 5)])
def test_count_and_fraction_stop_a_random_subset(selector: str, stopped: int) -> None:
    text = BASE + f"requests: [{{service: rekognition, at: 1h, {selector}}}]"
    stops = simulate(scenario(text), 0, 0)["stops"]
    assert len(stops) == stopped
    assert stops["resource_id"].nunique() == stopped


def test_where_selects_a_group_and_statuses_at_that_moment() -> None:
    text = (
        BASE
        + """
requests:
  - {service: rekognition, at: 1h, where: {group: other}}
  - {service: rekognition, at: 2h, where: {status: [RUNNING]}}
"""
    )
    stops = simulate(scenario(text), 0, 0)["stops"]
    first = stops[stops["requested_at"] == 3600]
    arns = first["resource_id"].astype(str).tolist()
    assert all(":project/b/" in arn for arn in arns), arns
    assert len(first) == 10
    assert len(stops[stops["requested_at"] == 7200]) == 10  # only the a-project still runs


def test_poisson_arrivals_each_stop_a_different_resource_until_none_is_left() -> None:
    text = BASE + "requests: [{service: rekognition, poisson: {rate: 0.01}}]"
    stops = simulate(scenario(text), 0, 0)["stops"]
    assert len(stops) == 20
    assert stops["resource_id"].nunique() == 20
    assert (stops["outcome"] == "STOPPED").all()


def test_replay_sends_the_trace_as_written(tmp_path: Path) -> None:
    arn = "arn:aws:rekognition:us-east-1:123456789012:project/a/version/v{}/1"
    pd.DataFrame(
        {
            "time": [60.0, 120.0, 180.0],
            "service": ["rekognition"] * 3,
            "resource": [arn.format(1), arn.format(1), arn.format(99)],
            "operation": ["StopProjectVersion"] * 3,
            "parameters": ["", "{}", ""],
        }
    ).to_csv(tmp_path / "trace.csv", index=False)
    (tmp_path / "s.yaml").write_text(
        BASE + "requests: [{service: rekognition, replay: {path: trace.csv}}]"
    )
    tables = simulate(load_scenario(tmp_path / "s.yaml"), 0, 0)
    stops = tables["stops"]
    assert stops["requested_at"].tolist() == [60.0, 120.0, 180.0]
    assert stops["outcome"].astype(str).tolist() == ["STOPPED", "STOPPED", "rejected"]
    # The second stop found the model STOPPING: accepted again, no second STOPPING move.
    assert (tables["transitions"]["to_status"] == "STOPPING").sum() == 1
    assert stops["error_code"].astype(str).tolist()[2] == "ResourceNotFoundException"


def test_a_trace_naming_an_unknown_operation_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "trace.csv").write_text("time,service,resource,operation\n0,rekognition,x,Oops\n")
    (tmp_path / "s.yaml").write_text(
        BASE + "requests:\n  - service: rekognition\n    replay: {path: trace.csv}\n"
    )
    with pytest.raises(ScenarioError) as raised:
        load_scenario(tmp_path / "s.yaml")
    message = str(raised.value)
    assert "s.yaml:14: requests[0].replay" in message
    assert "trace.csv row 2: rekognition has no operation 'Oops'" in message


def test_a_small_fraction_still_stops_one_model() -> None:
    stops = simulate(
        scenario(BASE + "requests: [{service: rekognition, at: 1h, fraction: 0.01}]"), 0, 0
    )
    assert len(stops["stops"]) == 1


def test_poisson_takes_a_fraction_and_skips_models_no_longer_running() -> None:
    text = (
        BASE
        + """
requests:
  - {service: rekognition, at: 0s, where: {group: other}}
  - {service: rekognition, poisson: {rate: 0.01}, fraction: 0.5, where: {status: [RUNNING]}}
"""
    )
    stops = simulate(scenario(text), 0, 0)["stops"]
    later = stops[stops["requested_at"] > 0]
    assert len(later) == 10  # half of the 20 matching at the start
    assert all(":project/a/" in arn for arn in later["resource_id"].astype(str))


def test_a_poisson_stream_targets_classifiers_that_enter_training_after_it_starts() -> None:
    """Every classifier is SUBMITTED when the stream starts and enters TRAINING at 10 min:
    the arrivals before then find nothing, those after stop each classifier once."""
    text = """
name: late-training
horizon: 1d
services:
  comprehend: {latency: {queue: 10m, training: 10h, stop: 1m}}
fleet:
  - {service: comprehend, count: 5, status: SUBMITTED}
callers:
  default: {network: 0}
requests:
  - {service: comprehend, poisson: {rate: 0.01}, where: {status: [TRAINING]}}
"""
    stops = simulate(scenario(text), 0, 0)["stops"]
    assert len(stops) == 5
    assert stops["resource_id"].nunique() == 5
    assert (stops["requested_at"] > 600).all()
    assert (stops["outcome"] == "STOPPED").all()


PIPELINES = """
name: listed-later
horizon: 1d
fleet:
  - service: sagemaker
    pipeline: nightly
    count: 4
    first: 1h
    every: 3h
    steps: [{name: train, type: Training, duration: 10h}]
callers:
  default: {network: 0}
requests:
  - {service: sagemaker, poisson: {rate: 0.01}, where: {status: [Executing]}}
"""


def test_a_poisson_stream_that_asked_everyone_waits_for_the_next_resource_listed() -> None:
    """Executions start at 1 h, 4 h, 7 h and 10 h; between them every listed one has been
    asked, and the stream sleeps until the next is listed instead of waking at each of its
    arrivals: each execution is stopped a gap (mean 100 s) after it starts, not sooner."""
    model = build(scenario(PIPELINES), seed=0, replication=0)
    service = model.services["sagemaker"]
    model.sim.env.run(until=2 * 3600)
    waiting = service.listing()
    assert waiting.callbacks, "the stream waits on the next listing"
    stops = simulate(scenario(PIPELINES), 0, 0)["stops"].sort_values("requested_at")
    started = [3600.0, 4 * 3600.0, 7 * 3600.0, 10 * 3600.0]
    delays = stops["requested_at"].to_numpy() - started
    assert len(stops) == 4
    assert ((delays > 0) & (delays < 1200)).all(), delays
