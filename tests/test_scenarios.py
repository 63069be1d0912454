"""Every example scenario loads, runs briefly, and shows what its comment says it shows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simulator.runner import simulate
from simulator.scenario import load_scenario

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("**/*.yaml"))


def test_there_are_example_scenarios() -> None:
    assert len(SCENARIOS) >= 2


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_each_scenario_says_what_it_answers_and_runs(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.description.endswith("?"), "a scenario's description asks its question"
    short = scenario.model_copy(update={"horizon": min(scenario.horizon, 86400.0)})
    tables = simulate(short, scenario.seed, 0)
    # a hosting policy's stops are no stop requests: such a scenario answers with its demand
    assert len(tables["stops"]) > 0 or (scenario.policies and len(tables["demand"]) > 0)


def test_the_throttled_burst_shows_throttles_retries_and_lost_stops() -> None:
    scenario = load_scenario(Path(__file__).parent.parent / "scenarios" /
                             "rekognition-throttled-burst.yaml")  # fmt: skip
    tables = simulate(scenario, scenario.seed, 0)
    calls = tables["calls"]
    assert (calls["error_code"] == "ThrottlingException").sum() > 0
    assert (calls["attempt"] > 1).sum() > 0
    outcomes = set(tables["stops"]["outcome"])
    assert {"STOPPED", "rejected"} <= outcomes


def _run(name: str) -> dict[str, pd.DataFrame]:
    scenario = load_scenario(Path(__file__).parent.parent / "scenarios" / f"{name}.yaml")
    return simulate(scenario, scenario.seed, 0)


def test_the_comprehend_race_ends_some_stops_trained() -> None:
    tables = _run("comprehend-stop-race")
    outcomes = tables["stops"]["outcome"].value_counts()
    assert outcomes["STOPPED"] > outcomes["TRAINED"] > 0
    trained = tables["stops"].query("outcome == 'TRAINED'")
    assert (trained["cost_after_request_usd"] > 0).all()  # training billed until it won
    assert (tables["costs"]["item"] == "model_management").any()


def test_lookout_retries_stop_each_model_once_and_token_reuse_conflicts() -> None:
    tables = _run("lookoutvision-idempotent-retries")
    stops, moves = tables["stops"], tables["transitions"]
    assert (tables["calls"]["error_code"] == "InternalServerException").any()  # retried
    stopping = moves[moves["to_status"] == "STOPPING_HOSTING"]
    fleet = stopping[stopping["resource_id"].astype(str).str.contains("model/fleet/")]
    days = (fleet["time"] // 86400).astype(int)
    assert fleet.groupby([fleet["resource_id"].astype(str), days]).size().max() == 1
    scripted = stops[stops["resource_id"].astype(str).str.contains("model/scripted/")]
    assert (scripted["error_code"] == "ConflictException").sum() == 3  # 6's token, 3, 4
    replayed = scripted[(scripted["requested_at"] == 19 * 3600 + 20 * 60) & scripted["accepted"]]
    assert len(replayed) == 2
    assert (replayed["stop_latency_s"] == 0).all()  # the first answer, nothing stopped again
    model1 = stopping[stopping["resource_id"].astype(str).str.endswith("model/scripted/1")]
    assert len(model1) == 2  # the next evening its old token has expired


def test_neptune_cancel_without_clean_leaves_storage_billing() -> None:
    tables = _run("neptune-cancel-clean")
    assert set(tables["stops"]["outcome"]) == {"Stopped"}
    s3 = tables["costs"].query("item == 's3'").groupby("group", observed=True)["usd"].sum()
    assert s3["kept"] > 20 * s3["cleaned"] > 0
    moves = tables["transitions"]
    deleted = moves[moves["to_status"] == "Deleted"]["resource_id"].astype(str)
    assert deleted.str.startswith("cleaned-").all()
    assert len(deleted) == 25


def test_a_lossy_callback_consumer_leaves_stuck_executions_that_bill_on() -> None:
    tables = _run("sagemaker-callback-blocks-stop")
    stops = tables["stops"]
    by_group = stops.groupby(["group", "outcome"], observed=True).size()
    assert by_group["reliable"].index.tolist() == ["Stopped"]
    assert by_group["lossy", "Stopped"] > by_group["lossy", "stuck"] > 0
    stuck = stops[stops["outcome"] == "stuck"]
    assert (stuck["cost_after_request_usd"] > 0).all()  # the step's cluster runs to the horizon
    answers = tables["calls"]["operation"] == "SendPipelineExecutionStepSuccess"
    assert answers.any()  # consumers answer through the API


def test_a_shorter_lambda_step_timeout_fails_more_stops() -> None:
    stops = _run("sagemaker-lambda-timeout")["stops"]
    failed = (stops["outcome"] == "Failed").groupby(stops["group"], observed=True).mean()
    assert failed["export-2m"] > failed["export-5m"] > failed["export-10m"]
    assert set(stops["outcome"]) == {"Stopped", "Failed"}
