"""Our retry decisions (`simulator.workload.retries`) against botocore's own retry classes.

botocore is the reference: every expected value below comes from running botocore's
classes (`botocore.retries.*`, `botocore.retryhandler`, `_retry.json`) on the same input,
never from constants copied by hand. The grids of error codes and statuses are built from
botocore's own lists too, so a code botocore adds is covered without editing this file.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from itertools import product
from typing import Any

import botocore.session
import pytest
from botocore import retryhandler, translate
from botocore.awsrequest import AWSResponse
from botocore.exceptions import CapacityNotAvailableError
from botocore.model import OperationModel, ServiceModel
from botocore.retries import adaptive, bucket, quota, standard, throttling

from simulator.api.errors import AwsError, ErrorSpec, Retryable
from simulator.services import rekognition
from simulator.workload.retries import AdaptiveLimiter, RetryMode, RetryPolicy, is_throttling

# -- botocore objects ------------------------------------------------------------------


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def real_operation(service: str, operation: str) -> OperationModel:
    return _session().get_service_model(service).operation_model(operation)


@functools.cache
def _retry_data() -> dict[str, Any]:
    data: dict[str, Any] = _session().get_component("data_loader").load_data("_retry")
    return data


@functools.cache
def legacy_handler(endpoint_prefix: str) -> retryhandler.RetryHandler:
    """The handler botocore's ClientCreator._register_legacy_retries builds for a service."""
    data = _retry_data()
    config = translate.build_retry_config(
        endpoint_prefix, data["retry"], data.get("definitions", {})
    )
    return retryhandler.create_retry_handler(config, endpoint_prefix)


def _legacy_codes() -> set[str]:
    definitions = _retry_data()["definitions"].values()
    return {
        d["applies_when"]["response"]["service_error_code"]
        for d in definitions
        if "service_error_code" in d["applies_when"].get("response", {})
    }


def _legacy_statuses() -> set[int]:
    definitions = _retry_data()["definitions"].values()
    return {
        d["applies_when"]["response"]["http_status_code"]
        for d in definitions
        if "http_status_code" in d["applies_when"].get("response", {})
    }


GRID_CODES: tuple[str, ...] = tuple(
    sorted(
        {
            *standard.ThrottledRetryableChecker._THROTTLED_ERROR_CODES,
            *standard.TransientRetryableChecker._TRANSIENT_ERROR_CODES,
            *_legacy_codes(),
            # Rekognition's and Comprehend's errors that no retry list names
            "AccessDeniedException",
            "InternalServerError",
            "InvalidParameterException",
            "ResourceInUseException",
            "ResourceNotFoundException",
            "InternalServerException",
        }
    )
)
GRID_STATUSES: tuple[int, ...] = tuple(
    sorted(
        {
            *standard.TransientRetryableChecker._TRANSIENT_STATUS_CODES,
            *standard.ThrottlingStatusCodeChecker._THROTTLING_STATUS_CODES,
            *_legacy_statuses(),
            400,
            403,
            404,
            408,
            501,
        }
    )
)
TRAITS: tuple[Retryable, ...] = (None, "transient", "throttling")
UNIFORMS: tuple[float, ...] = (0.0, 0.37, 0.999)


@functools.cache
def grid_operation(trait: Retryable) -> OperationModel:
    """An operation whose error shapes are every grid code, each carrying `trait`.

    Our errors are always modeled errors of their operation (the service declares them), so
    the grid models every code; `trait` is the `retryable` metadata on its shape.
    """
    shapes: dict[str, Any] = {"Request": {"type": "structure", "members": {}}}
    for code in GRID_CODES:
        shape: dict[str, Any] = {"type": "structure", "members": {}, "exception": True}
        if trait is not None:
            shape["retryable"] = {"throttling": trait == "throttling"}
        shapes[code] = shape
    model = {
        "metadata": {
            "apiVersion": "2024-01-01",
            "endpointPrefix": "conformance",
            "jsonVersion": "1.1",
            "protocol": "json",
            "serviceFullName": "Conformance",
            "serviceId": "Conformance",
            "signatureVersion": "v4",
            "targetPrefix": "Conformance",
        },
        "operations": {
            "Op": {
                "name": "Op",
                "http": {"method": "POST", "requestUri": "/"},
                "input": {"shape": "Request"},
                "errors": [{"shape": code} for code in GRID_CODES],
            }
        },
        "shapes": shapes,
    }
    return ServiceModel(model, service_name="conformance").operation_model("Op")


def http(status: int) -> AWSResponse:
    return AWSResponse("https://rekognition.us-east-1.amazonaws.com/", status, {}, None)


def parsed(error: AwsError) -> dict[str, Any]:
    return {
        "Error": {"Code": error.code, "Message": error.message},
        "ResponseMetadata": {"HTTPStatusCode": error.http_status},
    }


def context(
    error: AwsError,
    attempt: int,
    operation: OperationModel,
    request_context: dict[str, Any] | None = None,
) -> standard.RetryContext:
    return standard.RetryContext(
        attempt_number=attempt,
        operation_model=operation,
        parsed_response=parsed(error),
        http_response=http(error.http_status),
        caught_exception=None,
        request_context={} if request_context is None else request_context,
    )


def throttling_detector() -> standard.ThrottlingErrorDetector:
    return standard.ThrottlingErrorDetector(standard.RetryEventAdapter())


def grid() -> Iterator[tuple[Retryable, int]]:
    return product(TRAITS, GRID_STATUSES)


def test_grid_covers_both_outcomes() -> None:
    """The grid is not degenerate: botocore retries some of it and refuses some of it."""
    conditions = standard.StandardRetryConditions(max_attempts=3)
    outcomes = {
        conditions.is_retryable(context(ErrorSpec(code, status)("m"), 1, grid_operation(None)))
        for code in GRID_CODES
        for status in GRID_STATUSES
    }
    assert outcomes == {True, False}
    assert {"ThrottlingException", "TooManyRequestsException"} <= set(GRID_CODES)


# -- standard (and adaptive, which registers the standard handler) -----------------------


@pytest.mark.parametrize("mode", [RetryMode.STANDARD, RetryMode.ADAPTIVE])
@pytest.mark.parametrize("code", GRID_CODES)
def test_standard_retries_exactly_when_botocore_does(code: str, mode: RetryMode) -> None:
    conditions = standard.StandardRetryConditions(max_attempts=3)
    mismatches = []
    for (trait, status), attempt in product(grid(), (1, 2, 3, 4)):
        error = ErrorSpec(code, status, trait)("m")
        expected = conditions.is_retryable(context(error, attempt, grid_operation(trait)))
        ours = RetryPolicy(mode).delay(attempt, error, 0.5) is not None
        if ours != expected:
            mismatches.append((trait, status, attempt, ours, expected))
    assert mismatches == []


@pytest.mark.parametrize("code", GRID_CODES)
def test_standard_backoff_and_cost_equal_botocore(code: str) -> None:
    """Delay: ExponentialBackoff with the same uniform draw; cost: RetryQuotaChecker's."""
    mismatches = []
    for (trait, status), attempt, u in product(grid(), range(1, 9), UNIFORMS):
        error = ErrorSpec(code, status, trait)("m")
        ours = RetryPolicy(RetryMode.STANDARD, max_attempts=10).delay(attempt, error, u)
        if ours is None:
            continue
        ctx = context(error, attempt, grid_operation(trait))
        backoff = standard.ExponentialBackoff(
            random=lambda u=u: u,
            service_name="rekognition",
            throttling_detector=throttling_detector(),
        )
        checker = standard.RetryQuotaChecker(quota.RetryQuota(), throttling_detector())
        assert checker.acquire_retry_quota(ctx)
        expected = (backoff.delay_amount(ctx), ctx.request_context["retry_quota_capacity"])
        if ours != expected:
            mismatches.append((trait, status, attempt, u, ours, expected))
    assert mismatches == []


def test_standard_backoff_reaches_the_cap() -> None:
    """The grid above reaches botocore's 20 s cap (2**5 s for a throttle at attempt 6)."""
    error = rekognition.ERRORS.throttling("Rate exceeded")
    ctx = context(error, 6, real_operation("rekognition", "StopProjectVersion"))
    backoff = standard.ExponentialBackoff(
        random=lambda: 1.0, throttling_detector=throttling_detector()
    )
    ours = RetryPolicy(RetryMode.STANDARD, max_attempts=10).delay(6, error, 1.0)
    assert ours is not None
    assert ours[0] == backoff.delay_amount(ctx) < 2**5


@pytest.mark.parametrize("mode", [RetryMode.STANDARD, RetryMode.ADAPTIVE])
def test_retry_quota_follows_botocore_through_exhaustion(mode: RetryMode) -> None:
    """Costs, refunds and exhaustion, driven through botocore's RetryQuotaChecker."""
    operation = real_operation("rekognition", "StopProjectVersion")
    throttle, server = rekognition.ERRORS.throttling, rekognition.ERRORS.internal
    calls: list[tuple[list[ErrorSpec], bool]] = [
        ([server], True),  # a retry, then success: the cost comes back
        ([], True),  # success at full capacity: nothing to give back
        ([throttle, server, server], False),
        ([throttle], True),
        ([], True),  # success without retry: +1
        *[([server] * 3, False)] * 18,  # two non-throttling retries a call until exhausted
        *[([throttle] * 3, False)] * 2,
        *[([], True)] * 4,
        ([throttle], True),
        ([server], False),
    ]
    conditions = standard.StandardRetryConditions(max_attempts=3)
    capacity = quota.RetryQuota()
    checker = standard.RetryQuotaChecker(capacity, throttling_detector())
    policy = RetryPolicy(mode)
    steps, refused_for_quota = [], 0
    for errors, succeeds in calls:
        request_context: dict[str, Any] = {}
        last_cost = 0
        for attempt, spec in enumerate(errors, start=1):
            error = spec("m")
            ctx = context(error, attempt, operation, request_context)
            retryable = conditions.is_retryable(ctx)
            expected = retryable and checker.acquire_retry_quota(ctx)
            refused_for_quota += retryable and not expected
            ours = policy.delay(attempt, error, 0.5)
            if ours is not None:
                last_cost = ours[1]
            steps.append((ours is not None, policy.quota, expected, capacity.available_capacity))
        if succeeds:
            checker.release_retry_quota(request_context, http(200))
            policy.succeeded(last_cost)
            steps.append((True, policy.quota, True, capacity.available_capacity))
    assert [(s[0], s[1]) for s in steps] == [(s[2], s[3]) for s in steps]
    assert refused_for_quota >= 2
    capacities = [s[3] for s in steps]
    assert max(capacities) == quota.RetryQuota.INITIAL_CAPACITY
    assert min(capacities) < standard.RetryQuotaChecker._THROTTLING_RETRY_COST


# -- legacy ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", GRID_CODES)
def test_legacy_retries_and_sleeps_as_botocore(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    handler = legacy_handler("rekognition")
    mismatches = []
    for (trait, status), attempt, u in product(grid(), range(1, 7), UNIFORMS[1:]):
        monkeypatch.setattr("botocore.retryhandler.random.random", lambda u=u: u)
        error = ErrorSpec(code, status, trait)("m")
        expected = handler(
            attempts=attempt,
            response=(http(status), parsed(error)),
            caught_exception=None,
            request_dict={"context": {}},
        )
        decision = RetryPolicy(RetryMode.LEGACY).delay(attempt, error, u)
        ours = None if decision is None else decision[0]
        if ours != expected or (decision is not None and decision[1] != 0):
            mismatches.append((trait, status, attempt, u, decision, expected))
    assert mismatches == []


# -- the errors these services really return ---------------------------------------------


@pytest.mark.parametrize(
    ("spec", "service", "operation", "legacy", "standard_"),
    [
        pytest.param(
            rekognition.ERRORS.throttling,
            "rekognition",
            "StopProjectVersion",
            True,
            True,
            id="rekognition-ThrottlingException-500",
        ),
        pytest.param(
            rekognition.ProvisionedThroughputExceeded,
            "rekognition",
            "StopProjectVersion",
            True,
            True,
            id="rekognition-ProvisionedThroughputExceededException-400",
        ),
        pytest.param(
            ErrorSpec("TooManyRequestsException", 400),
            "comprehend",
            "StopTrainingDocumentClassifier",
            False,
            True,
            id="comprehend-TooManyRequestsException-400",
        ),
    ],
)
def test_real_errors(
    spec: ErrorSpec, service: str, operation: str, legacy: bool, standard_: bool
) -> None:
    error = spec("Rate exceeded")
    model = real_operation(service, operation)
    assert error.code in {shape.name for shape in model.error_shapes}
    prefix = _session().get_service_model(service).endpoint_prefix
    botocore_legacy = legacy_handler(prefix)(
        attempts=1,
        response=(http(error.http_status), parsed(error)),
        caught_exception=None,
        request_dict={"context": {}},
    )
    botocore_standard = standard.StandardRetryConditions().is_retryable(context(error, 1, model))
    assert (botocore_legacy is not None, botocore_standard) == (legacy, standard_)
    ours_legacy = RetryPolicy(RetryMode.LEGACY).delay(1, error, 0.5) is not None
    ours_standard = RetryPolicy(RetryMode.STANDARD).delay(1, error, 0.5) is not None
    assert (ours_legacy, ours_standard) == (legacy, standard_)
    assert is_throttling(error) == throttling_detector().is_throttling_error_from_context(
        context(error, 1, model)
    )


def test_rekognition_throttling_is_http_500() -> None:
    """Why legacy retries it: as a server error, not by its code (that rule wants 400)."""
    assert rekognition.ERRORS.throttling == ErrorSpec("ThrottlingException", 500)
    assert rekognition.ProvisionedThroughputExceeded == ErrorSpec(
        "ProvisionedThroughputExceededException", 400
    )


# -- adaptive ----------------------------------------------------------------------------


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def current_time(self) -> float:
        return self.now

    def sleep(self, amount: float) -> None:
        self.now += amount


class Botocore:
    """What botocore.retries.adaptive.register_retry_handler builds, on a fake clock."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        cubic = throttling.CubicCalculator(starting_max_rate=0, start_time=clock.current_time())
        self.bucket = bucket.TokenBucket(max_rate=1, clock=clock)
        self.clocker = adaptive.RateClocker(clock)
        self.limiter = adaptive.ClientRateLimiter(
            rate_adjustor=cubic,
            rate_clocker=self.clocker,
            token_bucket=self.bucket,
            throttling_detector=throttling_detector(),
            clock=clock,
        )

    def respond(self, now: float, error: AwsError | None, operation: OperationModel) -> None:
        self.clock.now = now
        if error is None:
            response = (http(200), {"ResponseMetadata": {"HTTPStatusCode": 200}})
        else:
            response = (http(error.http_status), parsed(error))
        self.limiter.on_receiving_response(
            response=response,
            attempts=1,
            operation=operation,
            caught_exception=None,
            request_dict={"context": {}},
        )

    def wait(self, now: float) -> float:
        """The wait of the next send: 0 if a token is there, else until one is."""
        self.clock.now = now
        try:
            self.bucket.acquire(block=False)
        except CapacityNotAvailableError:
            return float((1 - self.bucket.available_capacity) / self.bucket.max_rate)
        return 0.0


def responses() -> list[tuple[float, ErrorSpec | None]]:
    """20 responses a second with a 3 s silence every 50; throttles and server errors."""
    throttled = {12, 13, 40, 41, 42, 95, 150, 151, 230, 231, 232, 233}
    server_errors = {60, 61, 180}
    out: list[tuple[float, ErrorSpec | None]] = []
    for i in range(300):
        now = 100.0 + 0.05 * i + 3.0 * (i // 50)
        spec = rekognition.ERRORS.throttling if i in throttled else None
        out.append((now, rekognition.ERRORS.internal if i in server_errors else spec))
    return out


def test_adaptive_limiter_follows_botocore() -> None:
    operation = real_operation("rekognition", "StopProjectVersion")
    sequence = responses()
    reference = Botocore(FakeClock(sequence[0][0]))
    ours = AdaptiveLimiter(sequence[0][0])
    mismatches, rates = [], set()
    for step, (now, spec) in enumerate(sequence):
        error = None if spec is None else spec("m")
        reference.respond(now, error, operation)
        ours.response(now, error is not None and is_throttling(error))
        theirs = (reference.bucket.max_rate, reference.clocker.measured_rate)
        enabled = reference.limiter._enabled
        if (ours.max_rate, ours.measured_rate, ours.enabled) != (*theirs, enabled):
            mismatches.append((step, now, (ours.max_rate, ours.measured_rate, ours.enabled)))
        rates.add(ours.max_rate)
    assert mismatches == []
    assert ours.enabled
    assert len(rates) > 50  # the rate really moved: CUBIC growth, throttle cuts, the floor
    assert min(rates) == bucket.TokenBucket._MIN_RATE


def test_adaptive_limiter_stays_off_until_a_throttle() -> None:
    operation = real_operation("rekognition", "StopProjectVersion")
    reference, ours = Botocore(FakeClock(0.0)), AdaptiveLimiter(0.0)
    for now, error in [(0.5, None), (1.0, rekognition.ERRORS.internal("m")), (1.5, None)]:
        reference.respond(now, error, operation)
        ours.response(now, error is not None and is_throttling(error))
    assert (ours.enabled, ours.take(2.0)) == (reference.limiter._enabled, 0.0) == (False, 0.0)


def test_adaptive_first_wait_after_a_sequence_equals_botocore() -> None:
    """Once the limiter is on, the next send waits as long as for botocore's bucket."""
    operation = real_operation("rekognition", "StopProjectVersion")
    sequence = responses()
    reference = Botocore(FakeClock(sequence[0][0]))
    ours = AdaptiveLimiter(sequence[0][0])
    for now, spec in sequence:
        error = None if spec is None else spec("m")
        reference.respond(now, error, operation)
        ours.response(now, error is not None and is_throttling(error))
    send_at = sequence[-1][0] + 0.01
    assert ours.take(send_at) == pytest.approx(reference.wait(send_at), abs=1e-12)


def test_adaptive_first_wait_when_the_first_response_is_a_throttle() -> None:
    """The client is created at t=0; its first response, at t=5, is a throttle."""
    operation = real_operation("rekognition", "StopProjectVersion")
    reference, ours = Botocore(FakeClock(0.0)), AdaptiveLimiter(0.0)
    error = rekognition.ERRORS.throttling("Rate exceeded")
    reference.respond(5.0, error, operation)
    ours.response(5.0, is_throttling(error))
    assert ours.take(5.0) == reference.wait(5.0)
