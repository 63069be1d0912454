"""The automation examples in scenarios/automation/: a team's own boto3 code, run as Lambda
functions on the simulated clock, does what each file's comment says, call by call.

Each test reads the tables of one replication at the scenario's seed: the stops each
invocation sent, against what the services' transitions say was there to stop when the
code listed it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import simulator
from simulator.results import Results

AUTOMATION = Path(__file__).parent.parent / "scenarios" / "automation"
DAY = 86400.0
EIGHT_PM = 20 * 3600.0


@cache
def run(name: str) -> Results:
    """The scenario as shipped (its seed), one replication."""
    return simulator.run(AUTOMATION / f"{name}.yaml", replications=1)


def reports(results: Results) -> list[dict[str, Any]]:
    """The JSON report each invocation printed last, in the order they started."""
    invocations = results.invocations.sort_values("started")
    return [json.loads(str(log).strip().splitlines()[-1]) for log in invocations["log"]]


def status_at(transitions: pd.DataFrame, moment: float) -> dict[str, str]:
    """Each resource's status at `moment`: its last transition at or before it."""
    before = transitions[transitions["time"] <= moment].sort_values("time", kind="stable")
    last = before.groupby(before["resource_id"].astype(str)).tail(1)
    return dict(zip(last["resource_id"].astype(str), last["to_status"].astype(str), strict=True))


def answered_at(calls: pd.DataFrame) -> pd.Series:
    """When the service answered each attempt: half its round trip after it was sent."""
    return calls["time"] + calls["latency_s"] / 2


def within(calls: pd.DataFrame, invocation: pd.Series) -> pd.DataFrame:
    """The calls an invocation sent: between its start and its end."""
    sent = calls["time"]
    return calls[(sent >= invocation["started"]) & (sent <= invocation["ended"])]


# -- the nightly stop (stop_models.py) ------------------------------------------------------


@pytest.mark.slow
def test_the_nightly_lambda_stops_every_running_model_once_a_night_and_sees_it_stopped() -> None:
    results = run("nightly-stop-lambda")
    stops, moves = results.stops, results.transitions
    night = (stops["requested_at"] // DAY).astype(int)
    model = stops["resource_id"].astype(str)
    assert len(stops) == 120 * 7
    assert stops.groupby([night, model]).size().eq(1).all()  # one stop per model per night
    for k in range(7):
        running = {r for r, s in status_at(moves, k * DAY + EIGHT_PM).items() if s == "RUNNING"}
        assert len(running) == 120  # started again at 08:00
        assert set(model[night == k]) == running
    assert stops["accepted"].astype(bool).all()
    assert (stops["outcome"] == "STOPPED").all()
    assert stops["observed_at"].notna().all()  # the function's own poll saw each STOPPED
    assert (stops["observed_at"] >= stops["terminal_at"]).all()
    invocations = results.invocations.sort_values("started").reset_index(drop=True)
    ended = invocations["ended"].to_numpy()[night]
    assert (stops["requested_at"] >= night * DAY + EIGHT_PM).all()
    assert (stops["observed_at"] <= ended).all()  # seen before the invocation returned


@pytest.mark.slow
def test_the_nightly_lambdas_stops_meet_throttles_that_botocore_retries_through() -> None:
    results = run("nightly-stop-lambda")
    calls, stops = results.calls, results.stops
    mine = calls[calls["caller"] == "nightly"]
    sent = mine[mine["operation"] == "StopProjectVersion"]
    assert set(sent["error_code"].dropna()) == {"ThrottlingException"}
    first = sent[sent["attempt"] == 1]
    assert len(first) == 120 * 7
    assert 0.55 <= (first["error_code"] == "ThrottlingException").mean() <= 0.72  # "63%"
    polls = mine[(mine["operation"] == "DescribeProjectVersions") & (mine["attempt"] == 1)]
    assert 0.1 <= (polls["error_code"] == "ThrottlingException").mean() <= 0.26  # "18%"
    # each stop's attempts are its rows: throttled ones, then one answered 200
    night = (sent["time"] // DAY).astype(int).rename("night")
    per_stop = sent.groupby([night, sent["resource_id"].astype(str)])
    assert per_stop["attempt"].max().eq(per_stop.size()).all()
    last = sent.loc[per_stop["attempt"].idxmax()]
    assert (last["http_status"] == 200).all()
    attempts = stops.set_index([(stops["requested_at"] // DAY).astype(int),
                                stops["resource_id"].astype(str)])["attempts"]  # fmt: skip
    assert attempts.sort_index().to_numpy().tolist() == per_stop.size().sort_index().tolist()
    assert (attempts > 1).sum() > 300  # "retries them all through"
    assert len(mine) / 7 == pytest.approx(370, rel=0.1)  # "some 370 API calls a night"


@pytest.mark.slow
def test_the_nightly_lambdas_invocations_end_ok_within_their_timeout_and_report() -> None:
    results = run("nightly-stop-lambda")
    invocations = results.invocations.sort_values("started")
    assert invocations["started"].tolist() == [k * DAY + EIGHT_PM for k in range(7)]
    assert (invocations["outcome"] == "ok").all()
    assert invocations["cold_start"].tolist() == [True] + [False] * 6  # one environment reused
    took = invocations["ended"] - invocations["started"]
    assert took.max() < 7 * 60  # "none over 7 minutes" of the 900 s timeout
    assert took.mean() == pytest.approx(372, abs=30)
    for k, report in enumerate(reports(results)):
        assert report["scheduled"] == f"2026-01-{5 + k:02d}T20:00:00Z"
        assert (report["running"], report["stopped"]) == (120, 120)
        assert report["failed"] == report["unconfirmed"] == []
    listed = results.calls[results.calls["operation"] == "DescribeProjects"]
    assert len(listed) == 7  # one page of projects a night


@pytest.mark.slow
def test_the_builtin_stream_of_the_same_workload_loses_most_stops_the_lambda_gets_through() -> None:
    lambda_, builtin = run("nightly-stop-lambda"), run("nightly-stop-builtin")
    assert builtin.scenario.fleet == lambda_.scenario.fleet
    assert builtin.scenario.services == lambda_.scenario.services
    stops = builtin.stops
    assert len(stops) == 120 * 7
    assert 0.9 <= (stops["outcome"] == "rejected").mean() < 1  # "about 810 of its 840"
    assert set(stops.loc[stops["outcome"] == "rejected", "error_code"]) == {"ThrottlingException"}
    sent = builtin.calls[builtin.calls["operation"] == "StopProjectVersion"]
    first = sent[sent["attempt"] == 1]
    assert (first["error_code"] == "ThrottlingException").mean() >= 0.95  # "98%"
    saved = {
        name: r.savings()["saved_usd"].sum()
        for name, r in (("lambda", lambda_), ("builtin", builtin))
    }
    assert saved["lambda"] == pytest.approx(48_700, rel=0.02)
    assert saved["builtin"] == pytest.approx(1_760, rel=0.3)


# -- the cost guard (comprehend_cost_guard.py) ----------------------------------------------

BUDGET = 4 * 3600.0


def test_the_cost_guard_stops_exactly_the_classifiers_training_past_the_budget() -> None:
    results = run("comprehend-cost-guard")
    calls, moves = results.calls, results.transitions
    stopped_any = 0
    for _, invocation in results.invocations.sort_values("started").iterrows():
        sent = within(calls, invocation)
        listings = sent[sent["operation"] == "ListDocumentClassifiers"]
        listed_at = answered_at(listings).iloc[0]
        training = {r for r, s in status_at(moves, listed_at).items() if s == "TRAINING"}
        stops = sent[sent["operation"] == "StopTrainingDocumentClassifier"]
        stopped = set(stops["resource_id"].astype(str))
        submitted = 0.0  # every classifier's SubmitTime: its fleet entry's, the start
        expected = training if invocation["started"] - submitted > BUDGET else set()
        assert stopped == expected, invocation["started"]
        assert len(listings) == 1 + len(training) // 100  # pages of 100
        stopped_any += len(stopped)
    assert 15 <= stopped_any <= 35  # "about 24 a replication"
    assert results.invocations["outcome"].eq("ok").all()
    first_to_stop = [r for r in reports(results) if r["stopped"]]
    assert [r["at"] for r in first_to_stop] == ["2026-01-05T04:30:00+00:00"]


def test_the_cost_guards_stops_end_training_and_save_money() -> None:
    results = run("comprehend-cost-guard")
    stops = results.stops
    assert (stops["requested_at"] > BUDGET).all()
    assert set(stops["outcome"]) <= {"STOPPED", "TRAINED"}  # a stop can lose the race
    assert (stops["outcome"] == "STOPPED").mean() > 0.9
    saved = results.savings()["saved_usd"].sum()
    assert 100 < saved < 400  # "about $227" (one replication of ten)


# -- stale executions (stop_stale_executions.py) --------------------------------------------

STALE = 3 * 3600.0
EXECUTION = r"/execution/\d+$"


def test_only_executions_executing_past_the_threshold_are_stopped_and_all_of_them() -> None:
    results = run("sagemaker-stale-executions")
    calls, moves = results.calls, results.transitions
    executions = moves[moves["resource_id"].astype(str).str.contains(EXECUTION)]
    started = executions.groupby(executions["resource_id"].astype(str))["time"].min()
    stopped_in_all = 0
    for _, invocation in results.invocations.sort_values("started").iterrows():
        sent = within(calls, invocation)
        listings = sent[sent["operation"] == "ListPipelineExecutions"]
        assert set(listings["resource_id"].astype(str)) == {"nightly-retrain", "feature-backfill"}
        status = status_at(moves, answered_at(listings).max())
        stale = {
            arn for arn, at in started.items()
            if at < invocation["started"] - STALE and status[arn] == "Executing"
        }  # fmt: skip
        stops = sent[(sent["operation"] == "StopPipelineExecution") & (sent["attempt"] == 1)]
        assert set(stops["resource_id"].astype(str)) == stale, invocation["started"]
        assert stops["resource_id"].astype(str).is_unique  # one stop each: none retried
        order = started[stops["resource_id"].astype(str)].to_numpy()
        assert (order[1:] >= order[:-1]).all()  # oldest first
        stopped_in_all += len(stops)
    assert 20 <= stopped_in_all <= 35  # "about 27 executions a day"
    assert results.invocations["outcome"].eq("ok").all()


def test_an_execution_that_ends_before_its_stop_answers_conflict_and_is_let_be() -> None:
    results = run("sagemaker-stale-executions")
    calls, moves, stops = results.calls, results.transitions, results.stops
    conflicts = calls[calls["error_code"] == "ConflictException"]
    assert len(conflicts) >= 1  # at this seed, replication 0 has two
    logs = "".join(results.invocations["log"])
    for _, conflict in conflicts.iterrows():
        arn = str(conflict["resource_id"])
        own = moves[moves["resource_id"].astype(str) == arn]
        ended = own[own["to_status"] == "Succeeded"]
        assert len(ended) == 1
        assert ended["time"].iloc[0] <= answered_at(conflicts.loc[[conflict.name]]).iloc[0]
        about = calls[calls["resource_id"].astype(str) == arn]
        later = about[about["time"] > conflict["time"]]
        assert later["operation"].tolist() == ["DescribePipelineExecution"]  # no stop again
        assert f"ConflictException stopping {arn}: it is Succeeded" in logs
        (stop,) = stops[stops["resource_id"].astype(str) == arn].itertuples()
        assert (stop.outcome, stop.error_code, stop.cost_after_request_usd) == (
            "rejected", "ConflictException", 0.0,
        )  # fmt: skip
    accepted = stops[stops["outcome"] != "rejected"]
    assert set(accepted["outcome"]) == {"Stopped"}
    assert accepted["stop_latency_s"].between(30, 125).all()  # the training job's stop
    savings = results.savings()
    assert savings["baseline_usd"].sum() == pytest.approx(571, rel=0.1)
    assert savings["saved_usd"].sum() == pytest.approx(92, rel=0.35)  # "about $92"
