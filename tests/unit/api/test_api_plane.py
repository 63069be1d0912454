"""ControlPlane: throttle -> IAM -> validation -> injected fault -> idempotency -> handler."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar

import pytest

from simulator.api.errors import AwsError, ErrorSpec
from simulator.api.iam import Permissions
from simulator.api.operations import Operation, ServiceErrors, ServiceSettings, Throttle
from simulator.api.plane import ControlPlane, Handler, Identity
from simulator.api.validation import Param
from simulator.engine.env import Simulation
from simulator.engine.rng import Streams


class Status(StrEnum):
    ON = "ON"
    OFF = "OFF"


class FakeSettings(ServiceSettings):
    STATUSES: ClassVar[tuple[type[StrEnum], ...]] = (Status,)
    OPERATIONS: ClassVar[tuple[str, ...]] = ("Stop", "Describe")


ERRORS = ServiceErrors(
    validation=ErrorSpec("ValidationException", 400),
    throttling=ErrorSpec("ThrottlingException", 429, "throttling"),
    internal=ErrorSpec("InternalServerError", 500, "transient"),
    access_denied=ErrorSpec("AccessDeniedException", 403),
    not_found=ErrorSpec("ResourceNotFoundException", 404),
    token_conflict=ErrorSpec("ConflictException", 409),
)
OPERATIONS = {
    "Stop": Operation(
        name="Stop",
        action="svc:StopThing",
        params={"Id": Param(str, required=True, min=1), "ClientToken": Param(str)},
        resource_param="Id",
        idempotency_token="ClientToken",
    ),
    "Describe": Operation(
        name="Describe",
        action="svc:DescribeThing",
        params={"Id": Param(str, required=True, min=1)},
        resource_param="Id",
    ),
}


class FakeService:
    name = "svc"
    errors = ERRORS
    operations: Mapping[str, Operation] = OPERATIONS
    token_lifetime_s = 100.0

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def handler(self, operation: str) -> Handler:
        def handle(params: Mapping[str, Any]) -> Mapping[str, Any]:
            self.calls.append((operation, dict(params)))
            return {"Call": len(self.calls)}

        return handle


ALICE = Identity("alice", "111111111111", Permissions(["svc:*"]))


def plane(**settings: Any) -> tuple[Simulation, ControlPlane, FakeService]:
    sim = Simulation(Streams(0))
    control = ControlPlane(sim)
    service = FakeService(FakeSettings(**settings))
    control.register(service)
    return sim, control, service


def error_of(control: ControlPlane, caller: Identity, operation: str, params: Any) -> AwsError:
    with pytest.raises(AwsError) as caught:
        control.handle(caller, "svc", operation, params)
    return caught.value


def test_handler_is_called_with_the_params() -> None:
    _, control, service = plane()
    assert control.handle(ALICE, "svc", "Describe", {"Id": "a"}) == {"Call": 1}
    assert control.handle(ALICE, "svc", "Describe", {"Id": "a"}) == {"Call": 2}
    assert service.calls == [("Describe", {"Id": "a"}), ("Describe", {"Id": "a"})]
    assert control.operation("svc", "Stop") is OPERATIONS["Stop"]


# -- throttling ----------------------------------------------------------------------------


def test_throttle_rejects_the_second_call_at_the_same_instant() -> None:
    sim, control, service = plane(throttle={"Stop": Throttle(rate=1, burst=1)})
    assert control.handle(ALICE, "svc", "Stop", {"Id": "a"}) == {"Call": 1}
    error = error_of(control, ALICE, "Stop", {"Id": "a"})
    assert error.spec is ERRORS.throttling
    assert (error.code, error.http_status) == ("ThrottlingException", 429)
    assert len(service.calls) == 1
    sim.env.run(until=0.5)
    assert error_of(control, ALICE, "Stop", {"Id": "a"}).spec is ERRORS.throttling
    sim.env.run(until=1.0)
    assert control.handle(ALICE, "svc", "Stop", {"Id": "a"}) == {"Call": 2}


def test_throttle_is_per_account_and_operation() -> None:
    _, control, service = plane(throttle={"Stop": Throttle(rate=1, burst=1)})
    bob = Identity("bob", "222222222222", Permissions(["*"]))
    carol = Identity("carol", "111111111111", Permissions(["*"]))  # alice's account
    control.handle(ALICE, "svc", "Stop", {"Id": "a"})
    control.handle(bob, "svc", "Stop", {"Id": "a"})
    assert error_of(control, carol, "Stop", {"Id": "a"}).spec is ERRORS.throttling
    for _ in range(5):
        control.handle(ALICE, "svc", "Describe", {"Id": "a"})  # unthrottled
    assert len(service.calls) == 7


def test_bucket_starts_full_when_first_used() -> None:
    sim, control, _ = plane(throttle={"Stop": Throttle(rate=1, burst=2)})
    sim.env.run(until=50)
    control.handle(ALICE, "svc", "Stop", {"Id": "a"})
    control.handle(ALICE, "svc", "Stop", {"Id": "a"})
    assert error_of(control, ALICE, "Stop", {"Id": "a"}).spec is ERRORS.throttling


def test_throttle_comes_before_iam() -> None:
    _, control, service = plane(throttle={"Stop": Throttle(rate=1, burst=1)})
    denied = Identity("mallory", "111111111111", Permissions(["other:*"]))
    assert error_of(control, denied, "Stop", {"Id": "a"}).spec is ERRORS.access_denied
    # the denied call took the token: the next one is throttled, not denied
    assert error_of(control, denied, "Stop", {"Id": "a"}).spec is ERRORS.throttling
    assert error_of(control, ALICE, "Stop", {"Id": "a"}).spec is ERRORS.throttling
    assert service.calls == []


# -- IAM -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patterns", "stop_allowed", "describe_allowed"),
    [
        (["*"], True, True),
        (["svc:*"], True, True),
        (["svc:Stop*"], True, False),
        (["svc:DescribeThing"], False, True),
        (["other:*"], False, False),
        (["svc:stopthing"], False, False),
        ([], False, False),
    ],
)
def test_iam(patterns: list[str], stop_allowed: bool, describe_allowed: bool) -> None:
    _, control, service = plane()
    caller = Identity("u", "111111111111", Permissions(patterns))
    for operation, allowed in (("Stop", stop_allowed), ("Describe", describe_allowed)):
        if allowed:
            control.handle(caller, "svc", operation, {"Id": "a"})
            assert service.calls[-1] == (operation, {"Id": "a"})
        else:
            error = error_of(control, caller, operation, {"Id": "a"})
            assert error.spec is ERRORS.access_denied
            assert error.message == (
                f"User: u is not authorized to perform: {OPERATIONS[operation].action}"
            )
    assert len(service.calls) == stop_allowed + describe_allowed


def test_iam_comes_before_validation() -> None:
    _, control, _ = plane()
    denied = Identity("mallory", "111111111111", Permissions(["other:*"]))
    assert error_of(control, denied, "Stop", {"Bogus": 1}).spec is ERRORS.access_denied


# -- validation and faults -----------------------------------------------------------------


def test_validation_error_names_the_member() -> None:
    _, control, service = plane()
    error = error_of(control, ALICE, "Stop", {"Id": ""})
    assert error.spec is ERRORS.validation
    assert (error.code, error.http_status) == ("ValidationException", 400)
    assert "Id" in error.message
    assert error_of(control, ALICE, "Stop", {}).message == "Missing required parameter Id"
    assert service.calls == []


def test_validation_comes_before_the_injected_fault() -> None:
    _, control, service = plane(faults={"Stop": 1.0})
    assert error_of(control, ALICE, "Stop", {"Id": ""}).spec is ERRORS.validation
    error = error_of(control, ALICE, "Stop", {"Id": "a"})
    assert error.spec is ERRORS.internal
    assert (error.code, error.http_status) == ("InternalServerError", 500)
    assert service.calls == []


def test_fault_probability_one_always_fails_zero_never() -> None:
    _, control, service = plane(faults={"Stop": 1.0, "Describe": 0.0})
    for _ in range(50):
        assert error_of(control, ALICE, "Stop", {"Id": "a"}).spec is ERRORS.internal
        control.handle(ALICE, "svc", "Describe", {"Id": "a"})
    assert [op for op, _ in service.calls] == ["Describe"] * 50


def test_faults_are_draws_of_their_own_stream() -> None:
    _, control, service = plane(faults={"Stop": 0.5})
    draws = Streams(0).generator("faults.svc.Stop").random(30)
    codes: list[str | None] = []
    for _ in range(30):
        try:
            control.handle(ALICE, "svc", "Stop", {"Id": "a"})
            codes.append(None)
        except AwsError as error:
            codes.append(error.code)
    failed = [code is not None for code in codes]
    assert set(codes) == {None, "InternalServerError"}
    assert failed == (draws < 0.5).tolist()
    assert 0 < sum(failed) < 30
    assert len(service.calls) == 30 - sum(failed)


def test_fault_comes_before_idempotency() -> None:
    _, control, service = plane(faults={"Stop": 1.0})
    for params in ({"Id": "a", "ClientToken": "t"}, {"Id": "b", "ClientToken": "t"}):
        # a conflicting token would be ConflictException if the token were looked at first
        assert error_of(control, ALICE, "Stop", params).spec is ERRORS.internal
    assert service.calls == []


# -- idempotency ---------------------------------------------------------------------------


def test_same_token_replays_without_calling_the_handler_again() -> None:
    sim, control, service = plane()
    first = control.handle(ALICE, "svc", "Stop", {"Id": "a", "ClientToken": "t"})
    sim.env.run(until=99.0)
    again = control.handle(ALICE, "svc", "Stop", {"ClientToken": "t", "Id": "a"})
    assert first == again == {"Call": 1}
    assert again is first
    assert len(service.calls) == 1


def test_same_token_other_params_is_a_conflict() -> None:
    _, control, service = plane()
    control.handle(ALICE, "svc", "Stop", {"Id": "a", "ClientToken": "t"})
    error = error_of(control, ALICE, "Stop", {"Id": "b", "ClientToken": "t"})
    assert error.spec is ERRORS.token_conflict
    assert (error.code, error.http_status) == ("ConflictException", 409)
    assert len(service.calls) == 1


def test_other_token_or_no_token_calls_the_handler() -> None:
    _, control, service = plane()
    control.handle(ALICE, "svc", "Stop", {"Id": "a", "ClientToken": "t"})
    assert control.handle(ALICE, "svc", "Stop", {"Id": "a", "ClientToken": "u"}) == {"Call": 2}
    assert control.handle(ALICE, "svc", "Stop", {"Id": "a"}) == {"Call": 3}
    assert control.handle(ALICE, "svc", "Stop", {"Id": "a"}) == {"Call": 4}
    tokens = [params.get("ClientToken") for _, params in service.calls]
    assert tokens == ["t", "u", None, None]


def test_token_is_new_after_its_lifetime() -> None:
    sim, control, service = plane()
    control.handle(ALICE, "svc", "Stop", {"Id": "a", "ClientToken": "t"})
    sim.env.run(until=100.0)
    assert control.handle(ALICE, "svc", "Stop", {"Id": "b", "ClientToken": "t"}) == {"Call": 2}
    assert len(service.calls) == 2


def test_a_failed_handler_call_is_not_remembered() -> None:
    sim = Simulation(Streams(0))
    control = ControlPlane(sim)
    service = FakeService(FakeSettings())
    outcomes: list[Any] = [ERRORS.not_found("no such thing"), {"Call": "ok"}]

    def handler(operation: str) -> Handler:
        def handle(params: Mapping[str, Any]) -> Mapping[str, Any]:
            outcome = outcomes.pop(0)
            if isinstance(outcome, AwsError):
                raise outcome
            return outcome  # type: ignore[no-any-return]

        return handle

    service.handler = handler  # type: ignore[method-assign]
    control.register(service)
    params = {"Id": "a", "ClientToken": "t"}
    assert error_of(control, ALICE, "Stop", params).spec is ERRORS.not_found
    assert control.handle(ALICE, "svc", "Stop", params) == {"Call": "ok"}
