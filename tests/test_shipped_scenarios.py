"""The shipped scenarios say what they answer, and their comments say what their runs show.

Each scenario's `description` is its question (the report and `simulate run` show it), and
its comments explain the setup and what to look for, with numbers. Those numbers were read
off runs at the scenario's own seed and replications; the slow tests below run them again
and fail when a number in a comment stops being true, so a change to the simulator that
moves them sends its author to the comment too.
"""

from __future__ import annotations

import math
import re
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pytest
from scipy import integrate, stats

import simulator
from simulator.results import Results
from simulator.runner import TABLES
from tests.statistical._bounds import binomial_half_width

ROOT = Path(__file__).parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("**/*.yaml"))  # automation/ too
RUN_FILES = {f"{name}.parquet" for name in TABLES} | {
    "summary.csv", "summary.json", "billed.csv", "savings.csv", "scenario.yaml", "run.json",
    "report.html",
}  # fmt: skip
"""What a run directory holds (`simulator.output`): a comment may name these."""
_MENTION = re.compile(
    r"(?<![\w./-])(?:[\w.-]+/)+[\w-]+\.\w+"  # a path: traces/lookoutvision-duplicate-stops.csv
    r"|(?<![\w./-])[\w-]+\.(?:yaml|yml|csv|md|ipynb|parquet|json|html|py|png)\b"  # a file name
)


def comments(path: Path) -> str:
    return "\n".join(
        line.strip().lstrip("#").strip()
        for line in path.read_text().splitlines()
        if line.strip().startswith("#")
    )


def mentioned(text: str) -> list[str]:
    """The file names and paths a text mentions."""
    return _MENTION.findall(text)


@cache
def run(name: str) -> Results:
    """The scenario as shipped: its own seed and replications."""
    return simulator.run(ROOT / "scenarios" / f"{name}.yaml")


def test_the_mention_pattern_finds_paths_and_file_names_only() -> None:
    text = (
        "see SERVICES.md and `simulate sweep scenarios/whatif-retry-modes.yaml`; "
        "(traces/lookoutvision-duplicate-stops.csv): billed.csv on ml.m5.xlarge, $0.50, 0.2^3"
    )
    assert mentioned(text) == [
        "SERVICES.md",
        "scenarios/whatif-retry-modes.yaml",
        "traces/lookoutvision-duplicate-stops.csv",
        "billed.csv",
    ]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_each_scenario_asks_its_question_and_explains_it(path: Path) -> None:
    scenario = simulator.load_scenario(path)
    assert scenario.description.strip().endswith("?"), f"{path.name}: no question"
    assert len(scenario.description) > 40
    assert len(comments(path).splitlines()) >= 5, f"{path.name}: the setup is not explained"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_file_a_scenario_mentions_exists(path: Path) -> None:
    text = comments(path) + "\n" + simulator.load_scenario(path).description
    for name in mentioned(text):
        where = [ROOT / name, path.parent / name]
        assert name in RUN_FILES or any(p.exists() for p in where), f"{path.name}: no {name}"


def _per_replication(stops: pd.DataFrame, replications: int) -> pd.Series:
    return stops.groupby("outcome", observed=True).size() / replications


class Rejections(NamedTuple):
    """What the Lookout scenario's comment says of its rejected stops."""

    expected: float
    per_replication: float
    replications: int
    total: int


def lookout_rejections(comment: str) -> Rejections:
    """The figures of the comment's sentence on rejected stops, which the run must bear out."""
    text = " ".join(comment.split())
    found = re.search(
        r"([\d.]+) of the 60 stops per replication expected \(60 x 0\.2\^3\), and ([\d.]+) "
        r"per replication in these (\d+) replications \((\d+) stops in all\)",
        text,
    )
    assert found, "the Lookout comment no longer states its rejected stops per replication"
    return Rejections(float(found[1]), float(found[2]), int(found[3]), int(found[4]))


def test_the_lookout_comment_states_a_per_replication_figure_its_total_bears_out() -> None:
    """Fast: the comment's own arithmetic (its run is checked in the slow test below)."""
    stated = lookout_rejections(comments(ROOT / "scenarios/lookoutvision-idempotent-retries.yaml"))
    assert stated.per_replication == pytest.approx(stated.total / stated.replications)
    assert stated.expected == pytest.approx(60 * 0.2**3)


@pytest.mark.slow
def test_lookout_stops_no_model_twice_and_loses_only_stops_out_of_attempts() -> None:
    results = run("lookoutvision-idempotent-retries")
    moves, stops = results.transitions, results.stops
    stopping = moves[moves["to_status"] == "STOPPING_HOSTING"]
    evening = (stopping["time"] // 86400).astype(int)
    per_evening = stopping.groupby(
        [stopping["replication"], stopping["resource_id"].astype(str), evening]
    ).size()
    assert per_evening.max() == 1  # no model stopped twice, in any replication
    fleet = stops[stops["group"] == "fleet"]
    assert len(fleet) == 5 * 60
    lost = fleet[fleet["outcome"] == "rejected"]
    stated = lookout_rejections(comments(ROOT / "scenarios/lookoutvision-idempotent-retries.yaml"))
    assert stated.expected == pytest.approx(60 * 0.2**3)  # each of 60 stops: 3 attempts fail
    assert stated.replications == results.replications
    assert len(lost) == stated.total
    assert len(lost) / results.replications == pytest.approx(stated.per_replication)
    assert (lost["error_code"] == "InternalServerException").all()
    assert (lost["attempts"] == 3).all()  # three 500s: standard mode's attempts ran out
    scripted = stops[stops["resource_id"].astype(str).str.endswith("model/scripted/6")]
    assert scripted["error_code"].eq("ConflictException").all()
    assert scripted["cost_after_request_usd"].to_numpy() == pytest.approx(
        (2 * 86400 - (19 * 3600 + 5)) / 3600 * 4
    )  # 29 h x $4: hosted to the horizon


@pytest.mark.slow
def test_the_throttled_burst_loses_most_stops_to_the_retry_quota() -> None:
    results = run("rekognition-throttled-burst")
    stops, calls, n = results.stops, results.calls, results.replications
    count = _per_replication(stops, n)
    assert 10 <= count["STOPPED"] <= 20  # "about 14 of the 500"
    lost = stops[stops["outcome"] == "rejected"]
    attempts = lost["attempts"].value_counts() / n
    assert 360 <= attempts[1] <= 420  # "about 390 after their first attempt"
    assert 75 <= attempts[2] <= 105  # "and 90 after their second"
    stop_calls = calls[(calls["operation"] == "StopProjectVersion") & (calls["http_status"] == 200)]
    accepted = stop_calls.groupby(["replication", "resource_id"], observed=True)["time"].min()
    added = accepted - 600  # the burst is sent at 10 minutes
    assert added.max() <= 3.1
    assert 0.5 <= added.mean() <= 1.1
    assert lost["cost_after_request_usd"].sum() / n == pytest.approx(3560, abs=40)


@pytest.mark.slow
def test_the_nightly_stop_costs_and_savings_are_the_comments() -> None:
    results = run("rekognition-nightly-stop")
    summary = results.summary().set_index("group")
    assert summary["cost_after_request_usd"].to_numpy() == pytest.approx([112, 112], abs=5)
    assert summary["latency_mean_s"].to_numpy() == pytest.approx([180, 180], abs=10)
    savings = results.savings()
    assert savings["baseline_usd"].sum() == pytest.approx(107_520)
    assert savings["saved_usd"].sum() == pytest.approx(48_800, abs=300)


@pytest.mark.slow
def test_the_comprehend_race_numbers_are_the_comments() -> None:
    results = run("comprehend-stop-race")
    stops, n = results.stops, results.replications
    assert 180 <= len(stops) / n <= 200  # "about 190 of the 300 get one"
    lost = stops[stops["outcome"] == "TRAINED"]
    assert 0.15 <= len(lost) / len(stops) <= 0.20  # "about 17% of the stops"
    assert lost["cost_after_request_usd"].mean() == pytest.approx(0.40, abs=0.05)
    keep = results.costs[results.costs["item"] == "model_management"]
    assert keep["usd"].sum() / n == pytest.approx(2.30, abs=0.2)
    lost_ids = set(zip(lost["replication"], lost["resource_id"].astype(str), strict=True))
    of_lost = [
        (r, str(i)) in lost_ids
        for r, i in zip(keep["replication"], keep["resource_id"], strict=True)
    ]
    assert 0.15 <= keep[of_lost]["usd"].sum() / keep["usd"].sum() <= 0.3  # "a fifth of it"


@pytest.mark.slow
def test_the_neptune_cancel_numbers_are_the_comments() -> None:
    results = run("neptune-cancel-clean")
    s3 = results.billed().query("item == 's3'").set_index("group")["usd"]
    assert s3["kept"] == pytest.approx(142, abs=1)
    assert s3["cleaned"] == pytest.approx(0.62, abs=0.1)
    latency = results.stops["stop_latency_s"]
    assert latency.between(30, 120).all()
    assert latency.mean() == pytest.approx(90, abs=10)


@pytest.mark.slow
def test_the_callback_consumer_numbers_are_the_comments() -> None:
    results = run("sagemaker-callback-blocks-stop")
    stops, n = results.stops, results.replications
    by_group = stops.groupby("group", observed=True).size() / n
    assert by_group.to_numpy() == pytest.approx([100, 100], abs=8)  # "about 100 of 144"
    assert set(stops[stops["group"] == "reliable"]["outcome"]) == {"Stopped"}
    stuck = stops[stops["outcome"] == "stuck"]
    assert 4 <= len(stuck) / n <= 5  # "about 4 to 5 a replication"
    assert stuck["cost_after_request_usd"].sum() / n == pytest.approx(48, abs=6)
    stopped = stops[stops["outcome"] == "Stopped"]["stop_latency_s"]
    assert 50 <= stopped.mean() <= 90
    assert 150 <= stopped.quantile(0.95) <= 200


@pytest.mark.slow
def test_the_lambda_timeout_numbers_are_the_comments() -> None:
    stops = run("sagemaker-lambda-timeout").stops
    failed = stops["outcome"].eq("Failed").groupby(stops["group"], observed=True).mean()
    assert 0.28 <= failed["export-2m"] <= 0.38  # "a third of all stops"
    assert 0.02 <= failed["export-5m"] <= 0.05  # "3.5% of stops"
    assert failed["export-10m"] < 0.015  # "under 1%"
    latency = stops[stops["outcome"] == "Failed"].groupby("group", observed=True)["stop_latency_s"]
    assert (
        latency.min().to_dict()
        == latency.max().to_dict()
        == pytest.approx({"export-2m": 62, "export-5m": 242, "export-10m": 542})
    )


@pytest.mark.slow
def test_the_retry_mode_numbers_are_the_comments(tmp_path: Path) -> None:
    study = simulator.sweep(ROOT / "scenarios" / "whatif-retry-modes.yaml", out=tmp_path, workers=1)
    table = study.comparison().set_index(["variant", "metric"])
    mean, diff = table["mean"], table["diff"]
    assert mean["mode=standard", "rekognition.share_STOPPED"] == pytest.approx(0.61, abs=0.03)
    assert mean["mode=legacy", "rekognition.share_STOPPED"] == pytest.approx(0.66, abs=0.03)
    assert mean["mode=adaptive", "rekognition.share_rejected"] <= 0.006  # "one in 250"
    assert diff["mode=adaptive", "rekognition.saved_usd"] == pytest.approx(260, abs=25)
    assert mean["mode=adaptive", "rekognition.latency_p99_s"] / 60 == pytest.approx(5.7, abs=0.3)
    assert mean["mode=standard", "rekognition.latency_p99_s"] / 60 == pytest.approx(5, abs=0.2)


def _lognormal(median: float, p95: float) -> stats.rv_continuous:
    return stats.lognorm(math.log(p95 / median) / stats.norm.ppf(0.95), scale=median)


@pytest.mark.slow
def test_the_midway_stops_lose_the_race_as_the_residual_training_time_says() -> None:
    """P(TRAINED) = P(T - e < L | T > e) for training T, stop latency L, e the time trained
    when the stop is sent: held within a 99% binomial bound of the pooled replications."""
    results = run("comprehend-stop-midway")
    training, stop = _lognormal(45 * 60, 3 * 3600), _lognormal(8 * 60, 25 * 60)
    for group, trained_for in (("just-started", 60.0), ("an-hour-in", 3660.0)):

        def finishes_first(latency: float, e: float = trained_for) -> float:
            return float((training.cdf(e + latency) - training.cdf(e)) * stop.pdf(latency))

        expected = integrate.quad(finishes_first, 0, math.inf, limit=200)[0]
        expected /= training.sf(trained_for)
        stated = {"just-started": 0.065, "an-hour-in": 0.173}[group]  # the comment's
        assert expected == pytest.approx(stated, abs=0.0005), group
        stops = results.stops[results.stops["group"] == group]
        share = float((stops["outcome"] == "TRAINED").mean())
        assert abs(share - expected) < binomial_half_width(expected, len(stops), 0.99), group
    shares = results.summary().set_index(["group", "outcome"])["share"]
    assert shares["an-hour-in", "TRAINED"] > 2 * shares["just-started", "TRAINED"]


@pytest.mark.slow
def test_the_idle_stop_numbers_are_the_comments(tmp_path: Path) -> None:
    study = simulator.sweep(ROOT / "scenarios" / "rekognition-idle-stop.yaml", out=tmp_path)
    mean = study.comparison().set_index(["variant", "metric"])["mean"]
    assert mean["always-on", "rekognition.billed_usd"] == pytest.approx(60 * 168 * 4)
    assert mean["always-on", "rekognition.requests"] == pytest.approx(219_500, rel=0.01)
    assert mean["business-hours", "rekognition.billed_usd"] == pytest.approx(11_960, abs=40)
    assert mean["idle-15m", "rekognition.billed_usd"] == pytest.approx(9_640, abs=100)
    assert mean["idle-15m", "rekognition.cold_starts"] == pytest.approx(1_380, abs=50)
    assert mean["idle-15m", "rekognition.warm_starts"] == 0  # every start is a request's
    for lost in ("requests_failed", "requests_throttled", "requests_delayed", "cold_starts"):
        assert mean["business-hours", f"rekognition.{lost}"] == 0
    assert mean["business-hours", "rekognition.warm_starts"] == 60 * 5  # each weekday
    hosting = study.results("idle-15m").hosting().set_index("group")
    back, shop = hosting.loc["back-office"], hosting.loc["storefront"]
    assert shop["cold_starts"] == 40 * 5  # once per model and weekday morning
    assert back["cold_starts"] == pytest.approx(1_180, abs=50)
    assert back["requests"] == pytest.approx(3_570, rel=0.03)
    assert (back["failed"], back["delayed"]) == (
        pytest.approx(770, abs=100),
        pytest.approx(880, abs=100),
    )
    assert back["added_p50_s"] / 60 == pytest.approx(3.2, abs=0.3)
    assert (shop["failed"], shop["delayed"]) == (
        pytest.approx(720, abs=100),
        pytest.approx(1_760, abs=100),
    )
    assert shop["added_p50_s"] / 60 == pytest.approx(2.2, abs=0.3)
    stops = study.results("idle-15m").stops  # a policy's stops are stops
    assert len(stops) / 5 == pytest.approx(1_440, abs=50)
    assert (stops["outcome"].astype(str) == "STOPPED").all()


@pytest.mark.slow
def test_the_idle_timeout_numbers_are_the_comments(tmp_path: Path) -> None:
    study = simulator.sweep(ROOT / "scenarios" / "whatif-idle-timeout.yaml", out=tmp_path)
    mean = study.comparison().set_index(["variant", "metric"])["mean"]

    def of(after: str, units: int, metric: str) -> float:
        return float(mean[f"after={after},inference_units={units}", f"rekognition.{metric}"])

    assert of("15m", 1, "requests") == pytest.approx(953_000, rel=0.01)
    for after in ("5m", "15m", "30m", "60m"):
        assert of(after, 1, "requests_throttled") == pytest.approx(44_400, rel=0.03)
        assert of(after, 2, "requests_throttled") == pytest.approx(1_550, rel=0.1)
        extra = of(after, 2, "billed_usd") - of(after, 1, "billed_usd")
        assert 425 <= extra <= 505
        assert of(after, 2, "requests_delayed") == of(after, 1, "requests_delayed")
    reports = {
        after: study.results(f"after={after},inference_units=1").hosting().set_index("group")
        for after in ("5m", "60m")
    }
    five, hour = reports["5m"].loc["reports"], reports["60m"].loc["reports"]
    assert reports["5m"].loc["checkout", "delayed"] == pytest.approx(6_000, rel=0.15)
    assert five["cold_starts"] == pytest.approx(980, abs=60)
    assert (five["failed"], five["delayed"]) == (
        pytest.approx(910, abs=100),
        pytest.approx(1_070, abs=100),
    )
    assert five["usd"] == pytest.approx(710, abs=30)
    # no stop meets a model still starting (41% of them did, refused, when the idle clock
    # ran from the start's acceptance)
    assert study.results("after=5m,inference_units=1").stops["accepted"].all()
    assert hour["cold_starts"] == 12 * 3
    assert hour["failed"] == pytest.approx(30, abs=15)
    assert hour["usd"] == pytest.approx(1_455, abs=30)
    figure = study.plot_frontier()
    front = next(line for line in figure.axes[0].lines if line.get_linestyle() == "--")
    assert len(front.get_xdata()) == 5  # 5 minutes with one unit, then each T with two
