"""Lookout for Vision model hosting in tiny simulations with fixed latencies: exact times, dollars.

Every attempt crosses a fixed network of 0.2 s round trip: a request sent at t reaches the
service at t + 0.1 and its answer is back at t + 0.2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest

from simulator.api.iam import Permissions
from simulator.api.plane import ControlPlane, Identity, Response, Route
from simulator.build import Model
from simulator.services.lookoutvision import Status
from tests.kit import Service, build_model, calls, codes, in_pure_python, run, statuses_and_times

ONE_MODEL = """
name: unit
horizon: 1h
services:
  lookoutvision:
    latency: {stop: 2m, start: 5m, training: 1h}
fleet:
  - {service: lookoutvision, count: 1, project: p, inference_units: 2}
callers:
  default:
    network: 0.2
    waiter: {delay: 30s}
"""
ARN = "arn:aws:lookoutvision:us-east-1:123456789012:model/p/1"
USD_PER_IU_HOUR = 4.0
STOP = {"ProjectName": "p", "ModelVersion": "1"}
LOOKOUT = Service("lookoutvision", stop="StopModel")


# -- a stop of a hosted model ------------------------------------------------------------


def test_a_stop_moves_hosted_through_stopping_hosting_to_trained() -> None:
    tables = run(ONE_MODEL + "requests: [{service: lookoutvision, at: 10m}]")
    statuses, times = statuses_and_times(tables)
    assert statuses == ["HOSTED", "STOPPING_HOSTING", "TRAINED"]
    assert times == pytest.approx([0.0, 600.1, 720.1], abs=1e-9)
    stop_calls = calls(tables, "StopModel")
    assert stop_calls["http_status"].tolist() == [202]
    assert stop_calls["error_code"].isna().all()
    stop = tables["stops"].iloc[0]
    assert stop["outcome"] == "TRAINED"
    assert stop["stop_latency_s"] == pytest.approx(120.1, abs=1e-9)
    # the waiter polls at 600.2, 630.4, 660.6, 690.8, 721.0: that answer is back at 721.2
    assert stop["observed_at"] == pytest.approx(721.2, abs=1e-9)


def test_hosting_is_billed_per_inference_unit_rounded_up_to_the_minute() -> None:
    tables = run(ONE_MODEL + "requests: [{service: lookoutvision, at: 10m}]")
    costs = tables["costs"]
    assert list(costs["status"].astype(str)) == ["HOSTED", "STOPPING_HOSTING"]
    # one continuous billable span, 0 to 720.1 s, rounded up to 13 whole minutes
    assert costs["usd"].sum() == pytest.approx(780 / 3600 * 2 * USD_PER_IU_HOUR, rel=1e-12)
    assert costs["quantity"].sum() == pytest.approx(780 / 3600 * 2, rel=1e-12)
    # the rounding is charged on the span's last interval
    assert costs["usd"].tolist() == pytest.approx(
        [600.1 / 3600 * 8, (120.0 + 59.9) / 3600 * 8], rel=1e-12
    )


def test_each_continuous_billable_span_is_rounded_up_on_its_own() -> None:
    text = ONE_MODEL.replace("1h\n", "2h\n", 1)
    text += """
requests:
  - {service: lookoutvision, at: 30m}
  - {service: lookoutvision, operation: StartModel, at: 40m}
"""
    tables = run(text)
    statuses, times = statuses_and_times(tables)
    assert statuses == [
        "HOSTED", "STOPPING_HOSTING", "TRAINED", "STARTING_HOSTING", "HOSTED"
    ]  # fmt: skip
    assert times == pytest.approx([0.0, 1800.1, 1920.1, 2400.1, 2700.1], abs=1e-9)
    # 0 to 1920.1 s -> 1980 s; 2700.1 s to the horizon (4499.9 s) -> 4500 s; STARTING_HOSTING free
    assert tables["costs"]["usd"].sum() == pytest.approx(
        (1980 + 4500) / 3600 * 2 * USD_PER_IU_HOUR, rel=1e-12
    )


# -- a stop in each status, straight to the control plane ---------------------------------


def _model(text: str = ONE_MODEL, status: str = "HOSTED") -> Model:
    """The model of `text`, built in `status`."""
    return build_model(text.replace("project: p,", f"project: p, status: {status},"))


@pytest.mark.parametrize(
    ("status", "after"),
    [
        ("HOSTED", "STOPPING_HOSTING"),
        ("HOSTING_FAILED", "STOPPING_HOSTING"),
        ("STOPPING_HOSTING", "STOPPING_HOSTING"),
        *[
            (s.value, "ConflictException")
            for s in Status
            if s not in {Status.HOSTED, Status.HOSTING_FAILED, Status.STOPPING_HOSTING}
        ],
    ],
)
def test_a_stop_in_each_status(status: str, after: str) -> None:
    model = _model(status=status)
    if after == "ConflictException":
        assert LOOKOUT.error(model, "StopModel", STOP) == ("ConflictException", 409)
        assert LOOKOUT.status(model, ARN) == status  # left as it was
        return
    assert LOOKOUT.handle(model, "StopModel", STOP) == {"Status": "STOPPING_HOSTING"}
    assert LOOKOUT.status(model, ARN) == after


def test_lookout_has_the_nine_statuses_of_its_page() -> None:
    assert len(Status) == 9  # the parametrization above takes every one


def test_a_failed_hosting_is_cleaned_up_to_trained() -> None:
    model = _model(status="HOSTING_FAILED")
    assert LOOKOUT.handle(model, "StopModel", STOP) == {"Status": "STOPPING_HOSTING"}
    model.sim.env.run(until=119.0)
    assert LOOKOUT.status(model, ARN) == "STOPPING_HOSTING"
    model.sim.env.run(until=121.0)
    assert LOOKOUT.status(model, ARN) == "TRAINED"


def test_a_stop_while_stopping_does_not_restart_the_stop() -> None:
    model = _model()
    LOOKOUT.handle(model, "StopModel", STOP)
    model.sim.env.run(until=60.0)
    assert LOOKOUT.handle(model, "StopModel", STOP) == {"Status": "STOPPING_HOSTING"}
    model.sim.env.run(until=121.0)
    assert LOOKOUT.status(model, ARN) == "TRAINED"  # 2 min after the first stop, not the second


@pytest.mark.parametrize(
    "params",
    [
        {"ProjectName": "q", "ModelVersion": "1"},
        {"ProjectName": "p", "ModelVersion": "2"},
        {"ProjectName": "p", "ModelVersion": "999"},
    ],
)
def test_an_unknown_project_or_version_is_not_found(params: dict[str, str]) -> None:
    assert LOOKOUT.error(_model(), "StopModel", params) == ("ResourceNotFoundException", 404)


def test_latest_resolves_to_the_highest_version() -> None:
    model = _model(ONE_MODEL.replace("count: 1", "count: 3"))
    answer = LOOKOUT.handle(model, "StopModel", {"ProjectName": "p", "ModelVersion": "latest"})
    assert answer == {"Status": "STOPPING_HOSTING"}
    statuses = [LOOKOUT.status(model, ARN[:-1] + str(v)) for v in (1, 2, 3)]
    assert statuses == ["HOSTED", "HOSTED", "STOPPING_HOSTING"]


def test_latest_continues_across_fleet_entries_of_one_project() -> None:
    text = ONE_MODEL.replace(
        "  - {service: lookoutvision, count: 1, project: p, inference_units: 2}",
        "  - {service: lookoutvision, count: 2, project: p}\n"
        "  - {service: lookoutvision, count: 1, project: p, group: late}",
    )
    model = build_model(text)
    LOOKOUT.handle(model, "StopModel", {"ProjectName": "p", "ModelVersion": "latest"})
    statuses = [LOOKOUT.status(model, ARN[:-1] + str(v)) for v in (1, 2, 3)]
    assert statuses == ["HOSTED", "HOSTED", "STOPPING_HOSTING"]


@pytest.mark.parametrize(
    "params",
    [
        {"ProjectName": "-p", "ModelVersion": "1"},  # must start with a letter or digit
        {"ProjectName": "p q", "ModelVersion": "1"},
        {"ProjectName": "", "ModelVersion": "1"},
        {"ProjectName": "p" * 256, "ModelVersion": "1"},
        {"ProjectName": "p", "ModelVersion": "0"},
        {"ProjectName": "p", "ModelVersion": "01"},
        {"ProjectName": "p", "ModelVersion": "v1"},
        {"ProjectName": "p", "ModelVersion": "LATEST"},
        {"ProjectName": "p", "ModelVersion": "latest\n"},  # `$` as ECMA reads it: no newline
        {"ProjectName": "p\n", "ModelVersion": "1"},
        {"ProjectName": "p", "ModelVersion": "1" * 11},
        {"ProjectName": "p", "ModelVersion": 1},
        {"ProjectName": "p"},
        {"ModelVersion": "1"},
        {**STOP, "ClientToken": ""},
        {**STOP, "ClientToken": "a b"},
        {**STOP, "ClientToken": "tok_1"},
        {**STOP, "ClientToken": "tok\n"},
        {**STOP, "ClientToken": "t" * 65},
        {**STOP, "Unknown": "x"},
    ],
)
def test_a_bad_parameter_is_a_validation_error(params: dict[str, Any]) -> None:
    model = _model()
    assert LOOKOUT.error(model, "StopModel", params) == ("ValidationException", 400)
    assert LOOKOUT.status(model, ARN) == "HOSTED"


def test_the_longest_valid_members_are_accepted() -> None:
    params = {**STOP, "ClientToken": "t" * 64}
    assert LOOKOUT.handle(_model(), "StopModel", params) == {"Status": "STOPPING_HOSTING"}


# -- idempotency --------------------------------------------------------------------------

LONG = """
name: unit
horizon: 10h
services:
  lookoutvision:
    latency: {stop: 2m, start: 5m}
fleet:
  - {service: lookoutvision, count: 1, project: p}
callers:
  default:
    network: 0.2
    waiter: {delay: 30s}
"""


Handled = list[tuple[float, str, dict[str, Any]]]


def handled_run(text: str, seed: int) -> tuple[dict[str, pd.DataFrame], Handled]:
    """Replication 0's tables (without the counterfactual, so the plane sees this run only)
    and every attempt the control plane handled: (time, operation, params). Run through
    `in_pure_python`: the compiled build's ControlPlane.answer, the way every attempt
    takes, cannot be patched."""
    seen: Handled = []
    original = ControlPlane.answer

    def answer(
        self: ControlPlane, route: Route, caller: Identity, params: Mapping[str, Any]
    ) -> Response:
        seen.append((self.sim.now, route.operation.name, dict(params)))
        return original(self, route, caller, params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ControlPlane, "answer", answer)
        return run(text, seed, baseline=False), seen


def test_a_token_replays_within_8_hours_and_stops_again_after() -> None:
    text = (
        LONG
        + """
requests:
  - {service: lookoutvision, at: 1h, parameters: {ClientToken: tok-1}}
  - {service: lookoutvision, operation: StartModel, at: 2h}
  - {service: lookoutvision, at: 3h, parameters: {ClientToken: tok-1}}
  - {service: lookoutvision, at: 8h59m, parameters: {ClientToken: tok-1}}
  - {service: lookoutvision, at: 9h1m, parameters: {ClientToken: tok-1}}
"""
    )
    tables = run(text)
    statuses, times = statuses_and_times(tables)
    # the stops at 3h and 8h59m (the token first seen at 1h + 0.1 s) replay and do nothing;
    # the one at 9h1m is past the token's 8 hours and stops the model again
    assert statuses == [
        "HOSTED", "STOPPING_HOSTING", "TRAINED", "STARTING_HOSTING", "HOSTED",
        "STOPPING_HOSTING", "TRAINED",
    ]  # fmt: skip
    assert times == pytest.approx([0.0, 3600.1, 3720.1, 7200.1, 7500.1, 32460.1, 32580.1], abs=1e-9)
    stop_calls = calls(tables, "StopModel")
    assert stop_calls["time"].tolist() == pytest.approx([3600, 10800, 32340, 32460], abs=1e-9)
    assert stop_calls["http_status"].tolist() == [202, 202, 202, 202]
    assert stop_calls["attempt"].tolist() == [1, 1, 1, 1]


def test_a_replay_answers_the_first_response() -> None:
    model = _model()
    params = {**STOP, "ClientToken": "tok-1"}
    first = LOOKOUT.handle(model, "StopModel", params)
    model.sim.env.run(until=3600.0)
    assert LOOKOUT.status(model, ARN) == "TRAINED"
    assert LOOKOUT.handle(model, "StopModel", params) == first == {"Status": "STOPPING_HOSTING"}
    # not a ConflictException: the first answer again
    assert LOOKOUT.status(model, ARN) == "TRAINED"


def test_a_token_is_scoped_to_its_account_and_operation() -> None:
    """Another account's caller, or another operation, with the same token is a new call."""
    model = _model(ONE_MODEL.replace("count: 1", "count: 2"))
    assert LOOKOUT.handle(model, "StopModel", {**STOP, "ClientToken": "tok-1"})["Status"]
    stranger = Identity("stranger", "999999999999", Permissions(("*",)))
    other = {"ProjectName": "p", "ModelVersion": "2", "ClientToken": "tok-1"}
    assert model.plane.handle(stranger, "lookoutvision", "StopModel", other)["Status"]
    # not a replay, nor a conflict
    assert LOOKOUT.status(model, ARN[:-1] + "2") == "STOPPING_HOSTING"
    model.sim.env.run(until=3600.0)
    start = {**STOP, "MinInferenceUnits": 1, "ClientToken": "tok-1"}
    assert LOOKOUT.handle(model, "StartModel", start) == {"Status": "STARTING_HOSTING"}


def test_a_token_with_other_parameters_conflicts_within_8_hours_only() -> None:
    model = _model(ONE_MODEL.replace("count: 1", "count: 2").replace("1h\n", "10h\n", 1))
    assert LOOKOUT.handle(model, "StopModel", {**STOP, "ClientToken": "tok-1"})["Status"]
    other = {"ProjectName": "p", "ModelVersion": "2", "ClientToken": "tok-1"}
    assert LOOKOUT.error(model, "StopModel", other) == ("ConflictException", 409)
    model.sim.env.run(until=8 * 3600 - 1)
    assert LOOKOUT.error(model, "StopModel", other) == ("ConflictException", 409)
    assert LOOKOUT.status(model, ARN[:-1] + "2") == "HOSTED"
    model.sim.env.run(until=8 * 3600)
    assert LOOKOUT.handle(model, "StopModel", other) == {"Status": "STOPPING_HOSTING"}
    assert LOOKOUT.status(model, ARN[:-1] + "2") == "STOPPING_HOSTING"


def test_a_token_with_other_parameters_in_a_simulation_is_a_409() -> None:
    text = LONG.replace(
        "  - {service: lookoutvision, count: 1, project: p}",
        "  - {service: lookoutvision, count: 1, project: p, group: a}\n"
        "  - {service: lookoutvision, count: 1, project: p, group: b}",
    )
    text += """
requests:
  - {service: lookoutvision, at: 1h, where: {group: a}, parameters: {ClientToken: tok-1}}
  - {service: lookoutvision, at: 3h, where: {group: b}, parameters: {ClientToken: tok-1}}
"""
    tables = run(text)
    stop_calls = calls(tables, "StopModel")
    assert stop_calls["http_status"].tolist() == [202, 409]
    assert codes(stop_calls) == ["-", "ConflictException"]
    assert tables["stops"]["outcome"].astype(str).tolist() == ["TRAINED", "rejected"]
    moves = tables["transitions"]
    stopped = moves[moves["to_status"].astype(str) == "STOPPING_HOSTING"]
    assert stopped["resource_id"].astype(str).tolist() == [ARN]


def test_a_caller_without_a_token_gets_a_fresh_one_per_call() -> None:
    text = (
        LONG
        + """
requests:
  - {service: lookoutvision, at: 1h, wait: false}
  - {service: lookoutvision, operation: StartModel, at: 2h, wait: false}
  - {service: lookoutvision, at: 3h, wait: false}
"""
    )
    tables, handled = in_pure_python(handled_run, text, 0)
    statuses, times = statuses_and_times(tables)
    assert statuses == [
        "HOSTED", "STOPPING_HOSTING", "TRAINED", "STARTING_HOSTING", "HOSTED",
        "STOPPING_HOSTING", "TRAINED",
    ]  # fmt: skip
    assert times == pytest.approx([0.0, 3600.1, 3720.1, 7200.1, 7500.1, 10800.1, 10920.1], abs=1e-9)
    tokens = [params["ClientToken"] for _, operation, params in handled]
    assert [operation for _, operation, _ in handled] == ["StopModel", "StartModel", "StopModel"]
    assert len(set(tokens)) == 3
    assert all(len(t) == 36 and t[14] == "4" for t in tokens)  # UUID4 strings, as the SDK's


def test_an_sdk_retry_reuses_its_calls_token_and_stops_once() -> None:
    text = LONG.replace("latency:", "faults: {StopModel: 0.5}\n    latency:")
    text += "requests: [{service: lookoutvision, at: 1h, wait: false}]"
    tables, handled = in_pure_python(handled_run, text, 3)  # seed 3: two faults, a success
    stop_calls = calls(tables, "StopModel")
    assert stop_calls["attempt"].tolist() == [1, 2, 3]
    assert stop_calls["http_status"].tolist() == [500, 500, 202]
    assert codes(stop_calls) == ["InternalServerException", "InternalServerException", "-"]
    tokens = {params["ClientToken"] for _, operation, params in handled if operation == "StopModel"}
    assert len(tokens) == 1
    statuses, times = statuses_and_times(tables)
    assert statuses.count("STOPPING_HOSTING") == 1
    assert times[statuses.index("STOPPING_HOSTING")] == pytest.approx(
        stop_calls["time"].iloc[2] + 0.1, abs=1e-9
    )
    assert tables["stops"]["attempts"].tolist() == [3]


# -- maintenance windows ------------------------------------------------------------------

MAINTAINED = LONG.replace("horizon: 10h", "horizon: 3h").replace(
    "latency: {stop: 2m, start: 5m}",
    "latency: {stop: 2m, start: 5m, maintenance_gap: 1h, maintenance: 10m}",
)


def test_a_hosted_model_enters_and_leaves_maintenance_windows() -> None:
    tables = run(MAINTAINED)
    statuses, times = statuses_and_times(tables)
    assert statuses == ["HOSTED", "SYSTEM_UPDATING", "HOSTED", "SYSTEM_UPDATING", "HOSTED"]
    assert times == pytest.approx([0.0, 3600.0, 4200.0, 7800.0, 8400.0], abs=1e-9)
    # SYSTEM_UPDATING is billed: one unbroken span of 3 h at 1 IU
    assert tables["costs"]["usd"].sum() == pytest.approx(3 * USD_PER_IU_HOUR, rel=1e-12)


def test_a_stop_during_maintenance_is_a_conflict() -> None:
    tables = run(MAINTAINED + "requests: [{service: lookoutvision, at: 65m}]")
    stop_calls = calls(tables, "StopModel")
    assert stop_calls["http_status"].tolist() == [409]
    assert codes(stop_calls) == ["ConflictException"]
    assert tables["stops"]["outcome"].astype(str).tolist() == ["rejected"]
    statuses, _ = statuses_and_times(tables)
    assert "STOPPING_HOSTING" not in statuses


def test_no_maintenance_window_by_default() -> None:
    text = LONG.replace("horizon: 10h", "horizon: 30d")
    statuses, _ = statuses_and_times(run(text))
    assert statuses == ["HOSTED"]


def test_a_restart_restarts_the_maintenance_clock() -> None:
    text = (
        MAINTAINED
        + """
requests:
  - {service: lookoutvision, at: 30m, wait: false}
  - {service: lookoutvision, operation: StartModel, at: 40m, wait: false}
"""
    )
    statuses, times = statuses_and_times(run(text))
    # the timer set on entering HOSTED at t=0 (due at 1h) finds the model moved on since;
    # the window comes 1 h after HOSTED is entered again, at 45m + 0.1 s
    assert statuses == [
        "HOSTED", "STOPPING_HOSTING", "TRAINED", "STARTING_HOSTING", "HOSTED",
        "SYSTEM_UPDATING", "HOSTED", "SYSTEM_UPDATING",
    ]  # fmt: skip
    assert times == pytest.approx(
        [0.0, 1800.1, 1920.1, 2400.1, 2700.1, 6300.1, 6900.1, 10500.1], abs=1e-9
    )


def test_a_stop_after_maintenance_clears_the_pending_window() -> None:
    # HOSTED again at 1h10m; stopped at 1h30m: the window due at 2h10m never comes
    text = MAINTAINED + "requests: [{service: lookoutvision, at: 90m, wait: false}]"
    statuses, times = statuses_and_times(run(text))
    assert statuses == ["HOSTED", "SYSTEM_UPDATING", "HOSTED", "STOPPING_HOSTING", "TRAINED"]
    assert times == pytest.approx([0.0, 3600.0, 4200.0, 5400.1, 5520.1], abs=1e-9)


def test_a_caller_without_the_action_is_denied_with_a_403() -> None:
    text = ONE_MODEL.replace(
        "network: 0.2", "network: 0.2\n    permissions: ['lookoutvision:Describe*']"
    )
    tables = run(text + "requests: [{service: lookoutvision, at: 10m}]")
    stop_calls = calls(tables, "StopModel")
    assert stop_calls["http_status"].tolist() == [403]
    assert codes(stop_calls) == ["AccessDeniedException"]
    assert statuses_and_times(tables)[0] == ["HOSTED"]


# -- known problems -----------------------------------------------------------------------


def test_a_model_hosted_for_exactly_one_minute_is_billed_one_minute() -> None:
    text = ONE_MODEL.replace("stop: 2m", "stop: 7.7")
    tables = run(text + "requests: [{service: lookoutvision, at: 52.2, wait: false}]")
    _, times = statuses_and_times(tables)
    assert times == pytest.approx([0.0, 52.3, 60.0], abs=1e-9)
    assert tables["costs"]["usd"].sum() == pytest.approx(60 / 3600 * 2 * 4.0, rel=1e-12)
