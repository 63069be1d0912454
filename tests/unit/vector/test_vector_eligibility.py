"""Which scenarios the vector engine draws, and the sentence naming each field that stops it."""

from __future__ import annotations

import pytest

from simulator.vector.choice import Engine, choose
from simulator.vector.eligibility import CannotDraw, check
from tests.kit import scenario

BASE = """
name: eligible
horizon: 2d
fleet:
  - {service: rekognition, project: a, count: 3}
  - {service: rekognition, project: x, count: 1}
  - {service: lookoutvision, project: b, count: 2}
callers:
  ops: {network: {kind: lognormal, median: 50ms, p95: 200ms}}
requests:
  - {name: nightly, service: rekognition, caller: ops, every: 1d, time_of_day: "20:00",
     where: {group: a, status: [RUNNING]}}
  - {name: guard, service: lookoutvision, caller: ops, poisson: {rate: 0.01}}
"""
FLEET_ONLY = "name: alone\nhorizon: 1d\nfleet:\n"
STREAM = "  - {service: rekognition, caller: ops, at: 1h, where: {group: x}"
SETTINGS = "services:\n  {service}:\n    {block}\n"


def test_a_scenario_of_independent_stops_is_eligible() -> None:
    decision = check(scenario(BASE))
    assert decision.reasons == ()
    assert decision.eligible
    assert choose(scenario(BASE), "auto").engine is Engine.VECTOR
    assert choose(scenario(BASE), "auto").why == "no request can meet another"
    assert choose(scenario(BASE), "vector").why == "asked for"
    assert choose(scenario(BASE), "events").engine is Engine.EVENTS


def _settings(service: str, block: str) -> str:
    return BASE + SETTINGS.format(service=service, block=block)


REFUSED = {
    "comprehend": (
        FLEET_ONLY + "  - {service: comprehend, name: c, count: 2}\n"
        "  - {service: comprehend, name: d, count: 2}\n",
        "fleet[0].service: comprehend: a stop races the classifier's training (it may end "
        "TRAINED), and whether a classifier is still SUBMITTED or TRAINING when a stop comes "
        "depends on its draws\n"
        "fleet[1].service: comprehend, as above",
    ),
    "a status that moves by itself": (
        FLEET_ONLY + "  - {service: rekognition, project: a, count: 2, status: STARTING}\n",
        "fleet[0].status: STARTING is not a status rekognition stops start from (RUNNING): "
        "its resources move by themselves, or refuse the stop",
    ),
    "maintenance windows": (
        _settings("lookoutvision", "latency: {maintenance_gap: {kind: exponential, mean: 7d}}"),
        "services.lookoutvision.latency.maintenance_gap: set, so HOSTED resources leave it "
        "by themselves (maintenance windows), and a stop then is refused",
    ),
    "a start": (
        BASE + STREAM.replace("at: 1h", "at: 1h, operation: StartProjectVersion") + "}\n",
        "requests[2].operation: StartProjectVersion is not rekognition's stop "
        "(StopProjectVersion): it changes what the stops find",
    ),
    "parameters": (
        BASE + STREAM + ", parameters: {Extra: 1}}\n",
        "requests[2].parameters: request members of the scenario's own may fail validation "
        "or replay an idempotency token",
    ),
    "adaptive retries": (
        BASE.replace("  ops: {", "  slow: {retry: {mode: adaptive}}\n  ops: {")
        + STREAM.replace("ops", "slow")
        + "}\n",
        "callers.slow.retry.mode: adaptive: its client-side rate limiter delays each request "
        "by what the caller sent before",
    ),
    "a denied caller": (
        BASE.replace("  ops: {", "  ops: {permissions: ['rekognition:*'], "),
        "callers.ops.permissions: do not allow lookoutvision:StopModel: its calls are denied\n"
        "callers.ops.permissions: do not allow lookoutvision:DescribeModel: its calls are "
        "denied",
    ),
    "two streams on one group": (
        BASE + STREAM.replace("at: 1h, where: {group: x}", "poisson: {rate: 1}") + "}\n",
        "requests[0] and requests[2]: both may stop rekognition group 'a': a second stop "
        "finds what the first left",
    ),
    "a fault": (
        _settings("rekognition", "faults: {DescribeProjectVersions: 0.01}"),
        "services.rekognition.faults.DescribeProjectVersions: 0.01: a call may fail and be retried",
    ),
    "a throttle that can bind": (
        _settings("lookoutvision", "throttle: {StopModel: {rate: 1, burst: 1}}"),
        "services.lookoutvision.throttle.StopModel: a token bucket of 1/s, burst 1, may "
        "refuse some of the up to 2 requests the stops make to it",
    ),
    "polls a throttle's burst cannot hold": (
        _settings("rekognition", "throttle: {DescribeProjectVersions: {rate: 1, burst: 159}}"),
        "services.rekognition.throttle.DescribeProjectVersions: a token bucket of 1/s, burst "
        "159, may refuse some of the up to 160 requests the stops make to it",  # 4 x 40 polls
    ),
    "an every stream that selects what it stopped": (
        BASE.replace("where: {group: a, status: [RUNNING]}", "where: {group: a}"),
        "requests[0].where.status: the stream fires 2 times and selects STOPPED, STOPPING: "
        "it would stop again what it stopped",
    ),
    "an every stream faster than a slow trip": (
        BASE.replace('every: 1d, time_of_day: "20:00"', "every: 1s"),
        "requests[0].every: a stop may still be on its way 1 s later, when the stream fires "
        "again (probability 6e-06 of the caller's network): the two would meet",
    ),
}


@pytest.mark.parametrize("feature", REFUSED)
def test_each_refused_feature_is_named_with_its_field(feature: str) -> None:
    text, reasons = REFUSED[feature]
    assert "\n".join(check(scenario(text)).reasons) == reasons


def test_what_cannot_bind_or_meet_is_eligible() -> None:
    holds = _settings("rekognition", "throttle: {StopProjectVersion: {rate: 1, burst: 4}}")
    assert check(scenario(holds)).reasons == ()  # 4 models: the bucket holds every stop
    once = BASE.replace('every: 1d, time_of_day: "20:00"', "every: 3d")
    assert check(scenario(once)).reasons == ()  # fires once in the horizon
    other = BASE.replace("  ops: {", "  ops: {permissions: ['rekognition:*', 'lookout*'], ")
    assert check(scenario(other)).reasons == ()


def test_auto_says_why_it_runs_the_event_engine_and_vector_refuses() -> None:
    text = _settings("rekognition", "faults: {StopProjectVersion: 0.5}")
    choice = choose(scenario(text), "auto")
    assert choice.engine is Engine.EVENTS
    assert choice.why == (
        "the vector engine cannot draw it: services.rekognition.faults.StopProjectVersion: "
        "0.5: a call may fail and be retried"
    )
    with pytest.raises(CannotDraw) as refused:
        choose(scenario(text), "vector")
    assert str(refused.value) == (
        "eligible: the vector engine cannot draw this scenario: "
        "services.rekognition.faults.StopProjectVersion: 0.5: a call may fail and be retried"
    )


TIE = """
name: tie
horizon: 10s
fleet:
  - {service: rekognition, project: p, count: 5}
callers:
  default: {network: NETWORK}
requests:
  - {service: rekognition, every: 1s, count: 1, where: {status: [RUNNING]}, wait: false}
"""
"""An `every` stream whose round trip can equal twice its period: at the tie the event
engine fires the stream before the request lands, and may stop the same model twice."""


@pytest.mark.parametrize(
    "network",
    [
        "2s",
        "{kind: empirical, values: [0.5s, 2s]}",
        "{kind: mixture, components: [{weight: 0.99, of: 10ms}, {weight: 0.01, of: 2s}]}",
    ],
)
def test_a_round_trip_that_can_equal_twice_the_period_is_refused(network: str) -> None:
    decision = check(scenario(TIE.replace("NETWORK", network)))
    assert decision.reasons[-1].startswith(
        "requests[0].every: a stop may still be on its way 1 s later"
    ), decision.reasons
    assert choose(scenario(TIE.replace("NETWORK", network)), "auto").engine is Engine.EVENTS


def test_a_round_trip_just_under_twice_the_period_is_drawn() -> None:
    assert check(scenario(TIE.replace("NETWORK", "1999ms"))).eligible


def test_an_unknown_engine_is_a_simulator_error_naming_the_engines() -> None:
    from simulator import run
    from simulator.errors import SimulatorError

    with pytest.raises(
        SimulatorError, match=r"^engine: expected one of 'auto', 'events', 'vector', got 'fast'$"
    ):
        run(scenario(BASE), engine="fast")


def test_a_run_checks_eligibility_once_and_logs_the_choice(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from simulator import run
    from simulator.vector import choice

    checked = []

    def counted(scenario):  # type: ignore[no-untyped-def]
        checked.append(scenario.name)
        return check(scenario)

    monkeypatch.setattr(choice, "check", counted)
    small = scenario(BASE.replace("horizon: 2d", "horizon: 2d\nreplications: 3"))
    with caplog.at_level("INFO", logger="simulator.vector.choice"):
        results = run(small, engine="auto")
    assert results.engine == "vector"
    assert checked == ["eligible"]
    assert [r.getMessage() for r in caplog.records] == [
        "eligible: engine vector (no request can meet another)"
    ]
