"""Comprehend document classifier training in tiny simulations with fixed latencies.

Every attempt crosses a fixed network of 0.2 s round trip: a request sent at t reaches the
service at t + 0.1 and its answer is back at t + 0.2.
"""

from __future__ import annotations

from typing import Any

import pytest

from simulator.api.errors import AwsError
from simulator.build import Model
from simulator.errors import ScenarioError
from simulator.services.comprehend import Status
from tests.kit import Service, build_model, codes, run, scenario, statuses_and_times, usd

ONE_CLASSIFIER = """
name: unit
horizon: 2h
services:
  comprehend:
    latency: {queue: 5m, training: 1h, stop: 10m}
fleet:
  - {service: comprehend, count: 1}
callers:
  default:
    network: 0.2
    waiter: {delay: 30s}
"""
ARN = "arn:aws:comprehend:us-east-1:123456789012:document-classifier/classifier-0"
STOP = "StopTrainingDocumentClassifier"
TRAINING_USD_PER_HOUR = 3.0
MANAGEMENT_USD_PER_HOUR = 0.5 / 730
COMPREHEND = Service("comprehend", stop=STOP)


# -- the race -----------------------------------------------------------------------------


def test_a_stop_in_training_takes_the_stop_latency() -> None:
    tables = run(ONE_CLASSIFIER + "requests: [{service: comprehend, at: 20m}]")
    statuses, times = statuses_and_times(tables)
    assert statuses == ["TRAINING", "STOP_REQUESTED", "STOPPED"]
    assert times == pytest.approx([0.0, 1200.1, 1800.1], abs=1e-9)
    stop_calls = COMPREHEND.calls(tables)
    assert stop_calls["http_status"].tolist() == [200]
    assert codes(stop_calls) == ["-"]
    stop = tables["stops"].iloc[0]
    assert stop["outcome"] == "STOPPED"
    assert stop["stop_latency_s"] == pytest.approx(600.1, abs=1e-9)
    # the waiter polls from 1200.2 every 30.2 s: the poll sent at 1804.2 sees STOPPED
    assert stop["observed_at"] == pytest.approx(1804.4, abs=1e-9)
    # billed per second from 0 to STOPPED, and nothing trained: no model management
    assert tables["costs"]["item"].astype(str).unique().tolist() == ["training"]
    assert usd(tables, "training") == pytest.approx(1800.1 / 3600 * 3.0, rel=1e-12)
    assert stop["cost_after_request_usd"] == pytest.approx(600.1 / 3600 * 3.0, rel=1e-12)


def test_training_that_ends_before_the_stop_takes_effect_wins_the_race() -> None:
    text = ONE_CLASSIFIER.replace("stop: 10m", "stop: 30m")
    tables = run(text + "requests: [{service: comprehend, at: 45m}]")
    statuses, times = statuses_and_times(tables)
    assert statuses == ["TRAINING", "STOP_REQUESTED", "TRAINED"]
    assert times == pytest.approx([0.0, 2700.1, 3600.0], abs=1e-9)
    stop = tables["stops"].iloc[0]
    assert stop["outcome"] == "TRAINED"
    assert stop["terminal_at"] == pytest.approx(3600.0, abs=1e-9)
    assert stop["stop_latency_s"] == pytest.approx(900.0, abs=1e-9)
    assert usd(tables, "training") == pytest.approx(3600 / 3600 * 3.0, rel=1e-12)
    # a trained model costs $0.50 per model-month (730 h), from 1h to the 2h horizon
    assert usd(tables, "model_management") == pytest.approx(0.5 / 730, rel=1e-12)
    management = tables["costs"][tables["costs"]["item"].astype(str) == "model_management"]
    assert management[["start", "end"]].values.tolist() == [[3600.0, 7200.0]]
    assert management["status"].astype(str).tolist() == ["TRAINED"]
    # the stop's cost: training from the request to TRAINED, nothing of the management after
    assert stop["cost_after_request_usd"] == pytest.approx(900 / 3600 * 3.0, rel=1e-12)


def test_the_stop_wins_when_it_takes_effect_first_by_a_hair() -> None:
    text = ONE_CLASSIFIER.replace("stop: 10m", "stop: 599.8")
    statuses, times = statuses_and_times(run(text + "requests: [{service: comprehend, at: 50m}]"))
    assert statuses == ["TRAINING", "STOP_REQUESTED", "STOPPED"]
    assert times == pytest.approx([0.0, 3000.1, 3599.9], abs=1e-9)


def test_a_stop_in_submitted_stops_with_no_training_billed() -> None:
    text = ONE_CLASSIFIER.replace("count: 1}", "count: 1, status: SUBMITTED}")
    tables = run(text + "requests: [{service: comprehend, at: 1m}]")
    statuses, times = statuses_and_times(tables)
    assert statuses == ["SUBMITTED", "STOP_REQUESTED", "STOPPED"]
    assert times == pytest.approx([0.0, 60.1, 660.1], abs=1e-9)
    assert tables["transitions"]["units"].tolist() == [1.0, 0.0, 0.0]
    assert tables["costs"]["usd"].sum() == 0.0
    stop = tables["stops"].iloc[0]
    assert (stop["outcome"], stop["cost_after_request_usd"]) == ("STOPPED", 0.0)


def test_a_submitted_classifier_trains_after_the_queue() -> None:
    text = ONE_CLASSIFIER.replace("count: 1}", "count: 1, status: SUBMITTED}")
    tables = run(text)
    statuses, times = statuses_and_times(tables)
    assert statuses == ["SUBMITTED", "TRAINING", "TRAINED"]
    assert times == pytest.approx([0.0, 300.0, 3900.0], abs=1e-9)
    assert usd(tables, "training") == pytest.approx(3.0, rel=1e-12)  # 300 s to 3900 s
    assert usd(tables, "model_management") == pytest.approx(
        3300 / 3600 * MANAGEMENT_USD_PER_HOUR, rel=1e-12
    )


def test_a_stop_after_the_queue_bills_training_from_its_start() -> None:
    text = ONE_CLASSIFIER.replace("count: 1}", "count: 1, status: SUBMITTED}")
    tables = run(text + "requests: [{service: comprehend, at: 20m}]")
    statuses, times = statuses_and_times(tables)
    assert statuses == ["SUBMITTED", "TRAINING", "STOP_REQUESTED", "STOPPED"]
    assert times == pytest.approx([0.0, 300.0, 1200.1, 1800.1], abs=1e-9)
    assert usd(tables, "training") == pytest.approx(1500.1 / 3600 * 3.0, rel=1e-12)


# -- a stop in each status ----------------------------------------------------------------


TWO_STOPS = """
requests:
  - {service: comprehend, at: 20m}
  - {service: comprehend, at: 25m}
"""


def test_a_second_stop_while_stop_requested_is_a_no_op() -> None:
    tables = run(ONE_CLASSIFIER + TWO_STOPS)
    statuses, times = statuses_and_times(tables)
    assert statuses == ["TRAINING", "STOP_REQUESTED", "STOPPED"]
    assert times == pytest.approx([0.0, 1200.1, 1800.1], abs=1e-9)
    assert COMPREHEND.calls(tables)["http_status"].tolist() == [200, 200]
    stops = tables["stops"]
    assert stops["outcome"].astype(str).tolist() == ["STOPPED", "STOPPED"]
    assert stops["stop_latency_s"].tolist() == pytest.approx([600.1, 300.1], abs=1e-9)


def test_a_stop_after_training_ended_is_an_invalid_request() -> None:
    text = ONE_CLASSIFIER.replace("training: 1h", "training: 30m")
    tables = run(text + "requests: [{service: comprehend, at: 45m}]")
    assert statuses_and_times(tables)[0] == ["TRAINING", "TRAINED"]
    stop_calls = COMPREHEND.calls(tables)
    assert stop_calls["http_status"].tolist() == [400]
    assert codes(stop_calls) == ["InvalidRequestException"]
    assert tables["stops"]["outcome"].astype(str).tolist() == ["rejected"]


def _model(text: str = ONE_CLASSIFIER, status: str | None = None) -> Model:
    """The classifier of `text`, put in `status` (which a fleet entry cannot start in)."""
    model = build_model(text)
    if status is not None:
        model.services["comprehend"].resources[ARN].status = Status(status)
    return model


ANSWERS = {
    "SUBMITTED": "STOP_REQUESTED",
    "TRAINING": "STOP_REQUESTED",
    "STOP_REQUESTED": "STOP_REQUESTED",
    "TRAINED": "InvalidRequestException",
    "TRAINED_WITH_WARNING": "InvalidRequestException",
    "IN_ERROR": "InvalidRequestException",
    "STOPPED": "InvalidRequestException",
    "DELETING": "ResourceNotFoundException",
}


@pytest.mark.parametrize(("status", "answer"), ANSWERS.items())
def test_a_stop_in_each_status(status: str, answer: str) -> None:
    model = _model(status=status)
    transitions = len(model.sim.recorder.tables["transitions"])
    params = {"DocumentClassifierArn": ARN}
    if answer == "STOP_REQUESTED":
        assert COMPREHEND.handle(model, STOP, params) == {}  # HTTP 200, an empty body
        moved = status != "STOP_REQUESTED"
        assert len(model.sim.recorder.tables["transitions"]) == transitions + moved
    else:
        with pytest.raises(AwsError) as raised:
            COMPREHEND.handle(model, STOP, params)
        assert (raised.value.code, raised.value.http_status) == (answer, 400)
        assert len(model.sim.recorder.tables["transitions"]) == transitions
    now = "STOP_REQUESTED" if answer == "STOP_REQUESTED" else status
    assert str(model.services["comprehend"].resources[ARN].status) == now


def test_every_status_has_an_answer() -> None:
    assert set(ANSWERS) == {s.value for s in Status}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"DocumentClassifierArn": ARN.replace("-0", "-9")}, "ResourceNotFoundException"),
        ({"DocumentClassifierArn": ARN + "/version/v2"}, "ResourceNotFoundException"),
        ({"DocumentClassifierArn": ARN.replace("document-classifier", "entity-recognizer")},
         "InvalidRequestException"),
        ({"DocumentClassifierArn": ARN.replace("123456789012", "1234")},
         "InvalidRequestException"),
        ({"DocumentClassifierArn": ARN[:-11] + "c" * 256}, "InvalidRequestException"),
        ({"DocumentClassifierArn": ARN + "-"}, "InvalidRequestException"),
        ({}, "InvalidRequestException"),
        ({"DocumentClassifierArn": ARN, "Other": 1}, "InvalidRequestException"),
    ],
)  # fmt: skip
def test_unknown_and_malformed_arns(params: dict[str, Any], code: str) -> None:
    with pytest.raises(AwsError) as raised:
        COMPREHEND.handle(_model(), STOP, params)
    assert (raised.value.code, raised.value.http_status) == (code, 400)


def test_describe_reports_the_status() -> None:
    model = _model()
    describe = {"DocumentClassifierArn": ARN}
    response = COMPREHEND.handle(model, "DescribeDocumentClassifier", describe)
    assert response == {
        "DocumentClassifierProperties": {"DocumentClassifierArn": ARN, "Status": "TRAINING"}
    }


# -- how training ends --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "ends"),
    [
        ("warning: 1.0", "TRAINED_WITH_WARNING"),
        ("error: 1.0", "IN_ERROR"),
        ("warning: 0.0\n    error: 0.0", "TRAINED"),
    ],
)
def test_warning_and_error_probabilities(settings: str, ends: str) -> None:
    text = ONE_CLASSIFIER.replace("    latency:", f"    {settings}\n    latency:")
    tables = run(text)
    statuses, times = statuses_and_times(tables)
    assert statuses == ["TRAINING", ends]
    assert times == pytest.approx([0.0, 3600.0], abs=1e-9)
    assert usd(tables, "training") == pytest.approx(3.0, rel=1e-12)
    managed = 0.0 if ends == "IN_ERROR" else 3600 / 3600 * MANAGEMENT_USD_PER_HOUR
    assert usd(tables, "model_management") == pytest.approx(managed, rel=1e-12)


def test_a_race_lost_to_a_training_with_warnings_ends_with_warnings() -> None:
    text = ONE_CLASSIFIER.replace("stop: 10m", "stop: 30m").replace(
        "    latency:", "    warning: 1.0\n    latency:"
    )
    tables = run(text + "requests: [{service: comprehend, at: 45m}]")
    assert statuses_and_times(tables)[0] == ["TRAINING", "STOP_REQUESTED", "TRAINED_WITH_WARNING"]
    assert tables["stops"]["outcome"].astype(str).tolist() == ["TRAINED_WITH_WARNING"]


def test_warning_and_error_together_may_be_at_most_one() -> None:
    text = ONE_CLASSIFIER.replace("    latency:", "    warning: 0.6\n    error: 0.5\n    latency:")
    with pytest.raises(ScenarioError, match=r"warning \+ error"):
        scenario(text)
    scenario(text.replace("error: 0.5", "error: 0.4"))  # exactly 1 is fine


# -- throttling: TooManyRequestsException is HTTP 400 -------------------------------------

THROTTLE = "    throttle: {StopTrainingDocumentClassifier: {rate: 1, burst: 1}}\n"
THROTTLED = ONE_CLASSIFIER.replace("    latency:", THROTTLE + "    latency:").replace(
    "count: 1}", "count: 2}"
)


def test_legacy_retry_mode_does_not_retry_a_400_throttle() -> None:
    text = THROTTLED.replace("network: 0.2", "network: 0.2\n    retry: {mode: legacy}")
    tables = run(text + "requests: [{service: comprehend, at: 20m, wait: false}]")
    stop_calls = COMPREHEND.calls(tables)
    assert stop_calls["attempt"].tolist() == [1, 1]
    assert stop_calls["http_status"].tolist() == [200, 400]
    assert codes(stop_calls) == ["-", "TooManyRequestsException"]
    stops = tables["stops"]
    assert stops["outcome"].astype(str).tolist() == ["STOPPED", "rejected"]
    assert stops["attempts"].tolist() == [1, 1]
    assert statuses_and_times(tables)[0].count("STOP_REQUESTED") == 1


def test_standard_retry_mode_retries_the_throttle() -> None:
    text = THROTTLED.replace("network: 0.2", "network: 0.2\n    retry: {mode: standard}")
    # seed 8: the retry waits long enough for the bucket to hold a token again
    tables = run(text + "requests: [{service: comprehend, at: 20m, wait: false}]", seed=8)
    stop_calls = COMPREHEND.calls(tables)
    assert stop_calls["attempt"].tolist() == [1, 1, 2]
    assert stop_calls["http_status"].tolist() == [200, 400, 200]
    assert codes(stop_calls) == ["-", "TooManyRequestsException", "-"]
    retried_at = stop_calls["time"].iloc[2]
    # standard mode's backoff after a throttle: U(0,1) * 1 s, after the answer came back
    assert 1200.2 <= retried_at <= 1201.2
    assert retried_at + 0.1 - 1200.1 >= 1.0  # the bucket refilled: 1 token per second
    stops = tables["stops"]
    assert stops["outcome"].astype(str).tolist() == ["STOPPED", "STOPPED"]
    assert stops["attempts"].tolist() == [1, 2]
    moves = tables["transitions"]
    requested = moves[moves["to_status"].astype(str) == "STOP_REQUESTED"]
    assert requested["time"].tolist() == pytest.approx([1200.1, retried_at + 0.1], abs=1e-9)
