"""Neptune ML model-training jobs in tiny simulations with fixed latencies: exact times, dollars.

Every attempt crosses a fixed network of 0.2 s round trip: a request sent at t reaches the
service at t + 0.1 and its answer is back at t + 0.2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest

from simulator.build import Model
from simulator.errors import ScenarioError
from tests.kit import Service, build_model, run, scenario, usd

ONE_JOB = """
name: unit
horizon: 3h
services:
  neptune:
    latency: {processing: 10m, training: 1h, transform: 20m, stop: 60s, clean: 5m}
fleet:
  - {service: neptune, count: 1, name: job}
callers:
  default:
    network: 0.2
    waiter: {delay: 30s}
"""
PROCESSING_USD_PER_HOUR = 0.23  # ml.m5.xlarge
TRAINING_USD_PER_HOUR = 3.825  # ml.p3.2xlarge
TRANSFORM_USD_PER_HOUR = 0.461  # ml.m5.2xlarge
S3_USD_PER_GB_HOUR = 0.023 / 730
GB = 20.0  # the default artifacts_gb
CANCEL = "CancelMLModelTrainingJob"
GET = "GetMLModelTrainingJob"
NEPTUNE = Service("neptune", stop=CANCEL)
_run, _usd = run, usd
_moves, _assert_moves, _calls = NEPTUNE.moves, NEPTUNE.assert_moves, NEPTUNE.calls


STARTED = [
    (0.0, "job-0", "InProgress"),
    (0.0, "job-0/artifacts", "Stored"),
    (0.0, "job-0/processing", "InProgress"),
    (600.0, "job-0/processing", "Completed"),
    (600.0, "job-0/hpo-1", "InProgress"),
    (600.0, "job-0/hpo-2", "InProgress"),
]


# -- a job that runs to its end -----------------------------------------------------------


def test_a_job_runs_processing_then_hpo_then_transform() -> None:
    tables = _run(ONE_JOB)
    _assert_moves(
        tables,
        [
            *STARTED,
            (4200.0, "job-0/hpo-1", "Completed"),
            (4200.0, "job-0/hpo-2", "Completed"),
            (4200.0, "job-0/transform", "InProgress"),
            (5400.0, "job-0/transform", "Completed"),
            (5400.0, "job-0", "Completed"),  # 10m + 1h + 20m
        ],
    )
    assert _usd(tables, "ml.m5.xlarge") == pytest.approx(600 / 3600 * 0.23, rel=1e-12)
    assert _usd(tables, "ml.p3.2xlarge") == pytest.approx(2 * 1.0 * 3.825, rel=1e-12)
    assert _usd(tables, "ml.m5.2xlarge") == pytest.approx(1200 / 3600 * 0.461, rel=1e-12)
    # artifacts: 20 GB from t=0 to the 3 h horizon at $0.023 per GB-month of 730 h
    assert _usd(tables, "s3") == pytest.approx(GB * 3 * 0.023 / 730, rel=1e-12)
    costs = tables["costs"]
    per_part = costs.groupby(costs["resource_id"].astype(str))["item"].agg(
        lambda items: sorted(set(items.astype(str)))
    )
    assert per_part.to_dict() == {
        "job-0/artifacts": ["s3"],
        "job-0/hpo-1": ["ml.p3.2xlarge"],
        "job-0/hpo-2": ["ml.p3.2xlarge"],
        "job-0/processing": ["ml.m5.xlarge"],
        "job-0/transform": ["ml.m5.2xlarge"],
    }  # the job itself is not billed: its parts are


def test_hpo_training_jobs_run_one_after_another_with_parallelism_one() -> None:
    text = ONE_JOB.replace("horizon: 3h", "horizon: 4h").replace(
        "name: job}", "name: job, max_hpo_training_jobs: 3, max_hpo_parallel_training_jobs: 1}"
    )
    tables = _run(text)
    _assert_moves(
        tables,
        [
            *STARTED[:5],
            (4200.0, "job-0/hpo-1", "Completed"),
            (4200.0, "job-0/hpo-2", "InProgress"),
            (7800.0, "job-0/hpo-2", "Completed"),
            (7800.0, "job-0/hpo-3", "InProgress"),
            (11400.0, "job-0/hpo-3", "Completed"),
            (11400.0, "job-0/transform", "InProgress"),
            (12600.0, "job-0/transform", "Completed"),
            (12600.0, "job-0", "Completed"),
        ],
    )
    assert _usd(tables, "ml.p3.2xlarge") == pytest.approx(3 * 3.825, rel=1e-12)


def test_hpo_parallelism_above_the_job_count_runs_them_all_at_once() -> None:
    text = ONE_JOB.replace("name: job}", "name: job, max_hpo_training_jobs: 3, "
                           "max_hpo_parallel_training_jobs: 5}")  # fmt: skip
    moves = _moves(_run(text))
    started = [(t, r) for t, r, s in moves if r.startswith("job-0/hpo") and s == "InProgress"]
    assert started == [(600.0, "job-0/hpo-1"), (600.0, "job-0/hpo-2"), (600.0, "job-0/hpo-3")]


def test_a_training_timeout_stops_the_training_job_and_fails_the_job() -> None:
    text = ONE_JOB.replace("name: job}", "name: job, training_timeout: 30m}")
    tables = _run(text)
    _assert_moves(
        tables,
        [
            *STARTED,
            (2400.0, "job-0/hpo-1", "Stopped"),
            (2400.0, "job-0/hpo-2", "Stopped"),
            (2400.0, "job-0", "Failed"),  # no training job produced a model
        ],
    )
    moves = tables["transitions"]
    stopped = moves[moves["to_status"].astype(str) == "Stopped"]
    assert stopped["cause"].astype(str).tolist() == ["timeout", "timeout"]
    # billed up to the timeout, and no transform ran
    assert _usd(tables, "ml.p3.2xlarge") == pytest.approx(2 * 1800 / 3600 * 3.825, rel=1e-12)
    assert _usd(tables, "ml.m5.2xlarge") == 0.0


def test_one_training_job_past_its_timeout_does_not_fail_the_job() -> None:
    mixture = "{kind: mixture, components: [{weight: 1, of: 10m}, {weight: 1, of: 2h}]}"
    text = ONE_JOB.replace("training: 1h", f"training: {mixture}").replace(
        "name: job}", "name: job, training_timeout: 1h}"
    )
    tables = _run(text, seed=4)  # seed 4 draws 10 m for hpo-1 and 2 h for hpo-2
    _assert_moves(
        tables,
        [
            *STARTED,
            (1200.0, "job-0/hpo-1", "Completed"),
            (4200.0, "job-0/hpo-2", "Stopped"),
            (4200.0, "job-0/transform", "InProgress"),
            (5400.0, "job-0/transform", "Completed"),
            (5400.0, "job-0", "Completed"),
        ],
    )
    assert _usd(tables, "ml.p3.2xlarge") == pytest.approx((600 + 3600) / 3600 * 3.825, rel=1e-12)


@pytest.mark.parametrize(
    ("failure", "ends"),
    [
        ("processing_failure", [(600.0, "job-0/processing", "Failed"), (600.0, "job-0", "Failed")]),
        (
            "training_failure",
            [
                *STARTED[3:],
                (4200.0, "job-0/hpo-1", "Failed"),
                (4200.0, "job-0/hpo-2", "Failed"),
                (4200.0, "job-0", "Failed"),
            ],
        ),
        (
            "transform_failure",
            [
                *STARTED[3:],
                (4200.0, "job-0/hpo-1", "Completed"),
                (4200.0, "job-0/hpo-2", "Completed"),
                (4200.0, "job-0/transform", "InProgress"),
                (5400.0, "job-0/transform", "Failed"),
                (5400.0, "job-0", "Failed"),
            ],
        ),
    ],
)
def test_a_failing_stage_fails_the_job(failure: str, ends: list[tuple[float, str, str]]) -> None:
    text = ONE_JOB.replace("    latency:", f"    {failure}: 1.0\n    latency:")
    _assert_moves(_run(text), [*STARTED[:3], *ends])


def test_an_instance_type_without_a_price_is_rejected_by_name() -> None:
    text = ONE_JOB.replace("name: job}", "name: job, training_instance_type: ml.c5.large}")
    with pytest.raises(ScenarioError, match=r"no price for 'ml\.c5\.large'"):
        scenario(text)


# -- a cancel during HPO ------------------------------------------------------------------

CANCELLED = [
    *STARTED,
    (1800.1, "job-0", "Stopping"),
    (1800.1, "job-0/hpo-1", "Stopping"),
    (1800.1, "job-0/hpo-2", "Stopping"),
    (1860.1, "job-0/hpo-1", "Stopped"),
    (1860.1, "job-0/hpo-2", "Stopped"),
    (1860.1, "job-0", "Stopped"),
]
# what the stop costs from the request (1800 s) to Stopped (1860.1 s): both training
# instances, and the artifacts' storage meanwhile
STOP_COST = 2 * 60.1 / 3600 * TRAINING_USD_PER_HOUR + GB * 60.1 / 3600 * S3_USD_PER_GB_HOUR
BEFORE_STOP = 600 / 3600 * PROCESSING_USD_PER_HOUR + 2 * 1260.1 / 3600 * TRAINING_USD_PER_HOUR


def _check_the_stop(tables: Mapping[str, pd.DataFrame]) -> None:
    assert _calls(tables)["http_status"].tolist() == [200]
    stop = tables["stops"].iloc[0]
    assert stop["outcome"] == "Stopped"
    assert stop["terminal_at"] == pytest.approx(1860.1, abs=1e-9)
    assert stop["stop_latency_s"] == pytest.approx(60.1, abs=1e-9)
    # polls at 1800.2, 1830.4, 1860.6: the last reaches the job at 1860.7, back at 1860.8
    assert stop["observed_at"] == pytest.approx(1860.8, abs=1e-9)
    assert stop["cost_after_request_usd"] == pytest.approx(STOP_COST, rel=1e-12)
    assert _usd(tables, "ml.p3.2xlarge") == pytest.approx(
        2 * 1260.1 / 3600 * TRAINING_USD_PER_HOUR, rel=1e-12
    )
    assert _usd(tables, "ml.m5.2xlarge") == 0.0  # no transform after a cancel


def test_a_cancel_without_clean_keeps_the_artifacts_to_the_horizon() -> None:
    tables = _run(ONE_JOB + "requests: [{service: neptune, at: 30m, parameters: {clean: false}}]")
    _assert_moves(tables, CANCELLED)
    _check_the_stop(tables)
    assert _usd(tables, "s3") == pytest.approx(GB * 3 * S3_USD_PER_GB_HOUR, rel=1e-12)
    assert tables["costs"]["usd"].sum() == pytest.approx(
        BEFORE_STOP + GB * 3 * S3_USD_PER_GB_HOUR, rel=1e-12
    )


def test_a_cancel_leaves_the_artifacts_by_default() -> None:
    tables = _run(ONE_JOB + "requests: [{service: neptune, at: 30m}]")
    _assert_moves(tables, CANCELLED)
    assert _usd(tables, "s3") == pytest.approx(GB * 3 * S3_USD_PER_GB_HOUR, rel=1e-12)


def test_a_cancel_with_clean_deletes_the_artifacts_once_stopped() -> None:
    tables = _run(ONE_JOB + "requests: [{service: neptune, at: 30m, parameters: {clean: true}}]")
    _assert_moves(
        tables,
        [
            *CANCELLED,
            (1860.1, "job-0/artifacts", "Deleting"),
            (2160.1, "job-0/artifacts", "Deleted"),
        ],
    )
    _check_the_stop(tables)
    # storage billed while Stored and Deleting: 0 to 2160.1 s
    assert _usd(tables, "s3") == pytest.approx(GB * 2160.1 / 3600 * S3_USD_PER_GB_HOUR, rel=1e-12)
    assert tables["costs"]["usd"].sum() == pytest.approx(
        BEFORE_STOP + GB * 2160.1 / 3600 * S3_USD_PER_GB_HOUR, rel=1e-12
    )


def test_a_cancel_during_processing_stops_the_processing_instance() -> None:
    tables = _run(ONE_JOB + "requests: [{service: neptune, at: 5m}]")
    _assert_moves(
        tables,
        [
            *STARTED[:3],
            (300.1, "job-0", "Stopping"),
            (300.1, "job-0/processing", "Stopping"),
            (360.1, "job-0/processing", "Stopped"),
            (360.1, "job-0", "Stopped"),
        ],
    )
    assert _usd(tables, "ml.m5.xlarge") == pytest.approx(360.1 / 3600 * 0.23, rel=1e-12)
    assert _usd(tables, "ml.p3.2xlarge") == 0.0


def test_a_cancel_during_transform_stops_the_transform_instance() -> None:
    tables = _run(ONE_JOB + "requests: [{service: neptune, at: 80m}]")
    _assert_moves(
        tables,
        [
            *STARTED,
            (4200.0, "job-0/hpo-1", "Completed"),
            (4200.0, "job-0/hpo-2", "Completed"),
            (4200.0, "job-0/transform", "InProgress"),
            (4800.1, "job-0", "Stopping"),
            (4800.1, "job-0/transform", "Stopping"),
            (4860.1, "job-0/transform", "Stopped"),
            (4860.1, "job-0", "Stopped"),
        ],
    )
    assert _usd(tables, "ml.m5.2xlarge") == pytest.approx(660.1 / 3600 * 0.461, rel=1e-12)
    stop = tables["stops"].iloc[0]
    assert stop["cost_after_request_usd"] == pytest.approx(
        60.1 / 3600 * TRANSFORM_USD_PER_HOUR + GB * 60.1 / 3600 * S3_USD_PER_GB_HOUR, rel=1e-12
    )


# -- a cancel in each status, straight to the control plane -------------------------------


def _model(text: str = ONE_JOB, until: float = 0.0) -> Model:
    return build_model(text, until)


_handle, _error = NEPTUNE.handle, NEPTUNE.error


def _status(model: Model, part: str = "") -> str:
    """The last status the job, or its part `part`, entered."""
    return NEPTUNE.status(model, f"job-0/{part}" if part else "job-0")


def test_a_cancel_answers_stopping() -> None:
    model = _model(until=1800.0)
    assert _handle(model, CANCEL, {"id": "job-0"}) == {"status": "Stopping"}
    assert (_status(model, "hpo-1"), _status(model, "hpo-2")) == ("Stopping", "Stopping")


def test_a_cancel_of_a_stopping_job_answers_stopping_and_changes_nothing() -> None:
    model = _model(until=1800.0)
    _handle(model, CANCEL, {"id": "job-0"})
    moves = len(model.sim.recorder.tables["transitions"])
    model.sim.env.run(until=1830.0)
    assert _handle(model, CANCEL, {"id": "job-0"}) == {"status": "Stopping"}
    assert len(model.sim.recorder.tables["transitions"]) == moves
    model.sim.env.run(until=1861.0)
    assert _status(model) == "Stopped"  # 60 s after the first cancel, not the second
    assert _status(model, "artifacts") == "Stored"


def test_clean_on_a_second_cancel_while_stopping_cleans_once_stopped() -> None:
    model = _model(until=1800.0)
    _handle(model, CANCEL, {"id": "job-0"})
    assert _handle(model, CANCEL, {"id": "job-0", "clean": True}) == {"status": "Stopping"}
    model.sim.env.run(until=1801.0)
    assert _status(model, "artifacts") == "Stored"
    model.sim.env.run(until=1861.0)
    assert _status(model, "artifacts") == "Deleting"
    model.sim.env.run(until=2161.0)
    assert _status(model, "artifacts") == "Deleted"


def test_a_cancel_of_a_stopped_job_answers_stopped_and_cleans_if_asked() -> None:
    model = _model(until=1800.0)
    _handle(model, CANCEL, {"id": "job-0"})
    model.sim.env.run(until=1900.0)
    assert _handle(model, CANCEL, {"id": "job-0"}) == {"status": "Stopped"}
    assert _status(model, "artifacts") == "Stored"
    assert _handle(model, CANCEL, {"id": "job-0", "clean": True}) == {"status": "Stopped"}
    assert _status(model, "artifacts") == "Deleting"
    assert _handle(model, CANCEL, {"id": "job-0", "clean": True}) == {"status": "Stopped"}
    model.sim.env.run(until=2199.0)
    assert _status(model, "artifacts") == "Deleting"
    model.sim.env.run(until=2201.0)  # 5 min after the clean at 1900 s
    assert _status(model, "artifacts") == "Deleted"


@pytest.mark.parametrize(
    ("text", "until", "status"),
    [
        (ONE_JOB, 5401.0, "Completed"),
        (ONE_JOB.replace("name: job}", "name: job, training_timeout: 30m}"), 2401.0, "Failed"),
    ],
)
def test_a_cancel_of_an_ended_job_is_a_failed_precondition(
    text: str, until: float, status: str
) -> None:
    model = _model(text, until)
    assert _status(model) == status
    for params in ({"id": "job-0"}, {"id": "job-0", "clean": True}):
        assert _error(model, CANCEL, params) == ("PreconditionsFailedException", 400)
    assert _status(model, "artifacts") == "Stored"  # a refused cancel cleans nothing


def test_a_cancel_of_a_completed_job_in_a_simulation_is_rejected() -> None:
    tables = _run(ONE_JOB + "requests: [{service: neptune, at: 2h}]")
    calls = _calls(tables)
    assert calls["http_status"].tolist() == [400]
    assert calls["error_code"].astype(str).tolist() == ["PreconditionsFailedException"]
    assert tables["stops"]["outcome"].astype(str).tolist() == ["rejected"]


@pytest.mark.parametrize(
    ("params", "answer"),
    [
        ({"id": "job-9"}, ("MLResourceNotFoundException", 404)),
        ({"id": "nope"}, ("MLResourceNotFoundException", 404)),
        (
            {"id": "job-0", "neptuneIamRoleArn": "arn:aws:iam::123456789012:role/Other"},
            ("BadRequestException", 400),
        ),
        ({}, ("MissingParameterException", 400)),
        ({"clean": True}, ("MissingParameterException", 400)),
        ({"id": "job-0", "clean": "yes"}, ("InvalidParameterException", 400)),
        ({"id": "job-0", "clean": "true"}, ("InvalidParameterException", 400)),
        ({"id": "job-0", "clean": 1}, ("InvalidParameterException", 400)),
        ({"id": 7}, ("InvalidParameterException", 400)),
        ({"id": "job-0", "force": True}, ("InvalidParameterException", 400)),
    ],
)
def test_bad_cancels(params: dict[str, Any], answer: tuple[str, int]) -> None:
    model = _model(until=1800.0)
    assert _error(model, CANCEL, params) == answer
    assert _status(model) == "InProgress"


def test_a_cluster_role_is_accepted() -> None:
    model = _model(until=1800.0)
    role = "arn:aws:iam::123456789012:role/NeptuneMLRole"
    assert _handle(model, CANCEL, {"id": "job-0", "neptuneIamRoleArn": role}) == {
        "status": "Stopping"
    }


def test_roles_come_from_the_cluster_settings() -> None:
    role = "arn:aws:iam::123456789012:role/Mine"
    text = ONE_JOB.replace("    latency:", f"    cluster_roles: ['{role}']\n    latency:")
    model = _model(text, until=1800.0)
    default_role = "arn:aws:iam::123456789012:role/NeptuneMLRole"
    params = {"id": "job-0", "neptuneIamRoleArn": default_role}
    assert _error(model, CANCEL, params) == ("BadRequestException", 400)
    assert _handle(model, CANCEL, {"id": "job-0", "neptuneIamRoleArn": role})["status"]


# -- GetMLModelTrainingJob ----------------------------------------------------------------


def _processing(status: str) -> dict[str, str]:
    return {"name": "job-0-processing", "status": status}


def _hpo(status: str) -> dict[str, str]:
    return {"name": "job-0-training", "status": status}


def _transform(status: str) -> dict[str, str]:
    return {"name": "job-0-transform", "status": status}


def test_get_reports_each_stage_as_it_progresses() -> None:
    model = _model()
    get = {"id": "job-0"}
    assert _handle(model, GET, get) == {
        "id": "job-0",
        "status": "InProgress",
        "processingJob": _processing("InProgress"),
    }
    model.sim.env.run(until=1800.0)
    assert _handle(model, GET, get) == {
        "id": "job-0",
        "status": "InProgress",
        "processingJob": _processing("Completed"),
        "hpoJob": _hpo("InProgress"),
    }
    model.sim.env.run(until=4800.0)
    assert _handle(model, GET, get) == {
        "id": "job-0",
        "status": "InProgress",
        "processingJob": _processing("Completed"),
        "hpoJob": _hpo("Completed"),
        "modelTransformJob": _transform("InProgress"),
    }
    model.sim.env.run(until=6000.0)
    assert _handle(model, GET, get) == {
        "id": "job-0",
        "status": "Completed",
        "processingJob": _processing("Completed"),
        "hpoJob": _hpo("Completed"),
        "modelTransformJob": _transform("Completed"),
    }


def test_get_after_a_cancel_reports_the_stage_stopped() -> None:
    model = _model(until=1800.0)
    _handle(model, CANCEL, {"id": "job-0"})
    assert _handle(model, GET, {"id": "job-0"}) == {
        "id": "job-0",
        "status": "Stopping",
        "processingJob": _processing("Completed"),
        "hpoJob": _hpo("Stopping"),
    }
    model.sim.env.run(until=1900.0)
    assert _handle(model, GET, {"id": "job-0"}) == {
        "id": "job-0",
        "status": "Stopped",
        "processingJob": _processing("Completed"),
        "hpoJob": _hpo("Stopped"),
    }


def test_get_of_a_job_whose_training_jobs_all_timed_out_reports_the_stage_failed() -> None:
    text = ONE_JOB.replace("name: job}", "name: job, training_timeout: 30m}")
    model = _model(text, until=86400.0)
    assert _handle(model, GET, {"id": "job-0"}) == {
        "id": "job-0",
        "status": "Failed",
        "processingJob": _processing("Completed"),
        "hpoJob": _hpo("Failed"),
    }
    job_end = model.sim.recorder.frames()["transitions"].query("resource_id == 'job-0'")
    assert job_end["cause"].astype(str).tolist()[-1] == "training"  # the stage that failed


def test_get_of_an_unknown_job_is_not_found() -> None:
    assert _error(_model(), GET, {"id": "job-1"}) == ("MLResourceNotFoundException", 404)


def test_jobs_of_two_fleet_entries_with_one_name_get_distinct_ids() -> None:
    text = ONE_JOB.replace(
        "  - {service: neptune, count: 1, name: job}",
        "  - {service: neptune, count: 2, name: job}\n"
        "  - {service: neptune, count: 1, name: job, group: other}",
    )
    model = _model(text)
    assert sorted(model.services["neptune"].resources) == ["job-0", "job-1", "job-2"]


# -- prices given in a scenario -------------------------------------------------------------


def test_adding_the_price_the_error_asks_for_is_enough() -> None:
    """Price items given join the defaults: the other instance types and S3 stay billed."""
    text = ONE_JOB.replace("name: job}", "name: job, training_instance_type: ml.c5.large}")
    text = text.replace(
        "    latency:",
        "    prices:\n"
        "      ml.c5.large: {usd_per_hour: 0.1, statuses: [InProgress, Stopping],"
        " kinds: [ml.c5.large]}\n"
        "    latency:",
    )
    tables = _run(text)
    assert _usd(tables, "ml.c5.large") == pytest.approx(2 * 0.1, rel=1e-12)
    assert _usd(tables, "ml.m5.xlarge") == pytest.approx(600 / 3600 * 0.23, rel=1e-12)
    assert _usd(tables, "s3") == pytest.approx(GB * 3 * S3_USD_PER_GB_HOUR, rel=1e-12)
