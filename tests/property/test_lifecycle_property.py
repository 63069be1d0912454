"""Any sequence of operations and waits: no illegal move, a consistent log, money adds up.

One state machine per service, all of one shape (`ServiceOperations`): a replication built
from a small scenario with a seed hypothesis picks, then random operations on random
resources (now and then on a resource that does not exist) between random waits. After each
step that changed something, two invariants hold:

- the transitions log of each resource is a chain of the service's declared moves;
- the costs `derive_costs` makes of the log equal the billable unit-hours times the price,
  worked out here from the log alone: a price applies to a resource whose kind is among
  its `kinds` (all, if unset), per unit unless `per_unit` is false, and each continuous
  billable span (one still open at now included) is rounded up to the price's granularity
  and minimum, the rounding billed at the units of the span's last interval (a per-second
  price with no minimum bills float seconds as they are, frames.py's convention: see
  test_costs_property.py for where that convention breaks); a price per entry bills each
  move into one of its statuses once, at the units of that move, whatever it lasts.

And every API error an operation raises is one its service declares (`ERRORS.all()`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from itertools import pairwise
from typing import Any, ClassVar, NamedTuple

import pandas as pd
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from simulator.analysis.frames import derive_costs
from simulator.api.errors import AwsError
from simulator.api.operations import Price
from simulator.api.plane import Response
from simulator.build import build
from simulator.scenario.model import Scenario
from simulator.services import sagemaker
from simulator.services.base import ManagedService
from tests.kit import scenario

# A resource by its index in the service's resources (modulo their number); -1 is one that
# does not exist: the real request with its resource member altered (a valid, unknown name).
TARGETS = st.integers(-1, 15)
GHOST_SUFFIX = "0000"
SETTINGS = settings(max_examples=10, stateful_step_count=15, deadline=None)


def billed_seconds(span: float, price: Price) -> float:
    """A continuous billable span of `span` seconds as billed. Per-second prices with no
    minimum bill float seconds as they are (frames.py: "nothing to round")."""
    if price.granularity == 1.0 and price.minimum == 0.0:
        return span
    return max(math.ceil(span / price.granularity) * price.granularity, price.minimum)


class Move(NamedTuple):
    time: float
    source: str | None
    status: str
    cause: str
    units: float


def resource_logs(moves: pd.DataFrame) -> dict[str, list[Move]]:
    """Each resource's moves in the order recorded (which is time order), as plain data."""
    columns = [moves[c].tolist() for c in ("resource_id", "time", "from_status")]
    columns += [moves[c].tolist() for c in ("to_status", "cause", "units")]
    by_resource: dict[str, list[Move]] = defaultdict(list)
    for resource_id, time, source, status, cause, units in zip(*columns, strict=True):
        source = None if pd.isna(source) else str(source)
        by_resource[str(resource_id)].append(Move(time, source, str(status), str(cause), units))
    return by_resource


def expected_costs(
    logs: Mapping[str, list[Move]],
    prices: Mapping[str, Price],
    kinds: Mapping[str, str],
    now: float,
) -> dict[str, float]:
    """USD per resource from the log alone (see the module docstring for the rules)."""
    usd: dict[str, float] = defaultdict(float)
    for resource_id, log in logs.items():
        ends = [move.time for move in log[1:]] + [now]
        for price in prices.values():
            if price.kinds is not None and kinds[resource_id] not in price.kinds:
                continue
            if price.usd_per_entry > 0:
                entries = [
                    m.units if price.per_unit else 1.0 for m in log if m.status in price.statuses
                ]
                usd[resource_id] += sum(entries) * price.usd_per_entry
                continue
            unit_seconds = 0.0
            span, span_units = None, 0.0  # the open billable span's seconds and last units
            for move, end in [*zip(log, ends, strict=True), (None, now)]:
                if move is not None and move.status in price.statuses:
                    units = move.units if price.per_unit else 1.0
                    span = (span or 0.0) + (end - move.time)
                    span_units = units
                    unit_seconds += (end - move.time) * units
                elif span is not None:  # the span ends: bill its rounding
                    unit_seconds += (billed_seconds(span, price) - span) * span_units
                    span = None
            usd[resource_id] += unit_seconds / 3600 * price.usd_per_hour
    return usd


class ServiceOperations(RuleBasedStateMachine):
    """The shared shape: subclasses name the service, its scenario and its operations."""

    SERVICE: ClassVar[str]
    SCENARIO: ClassVar[Scenario]

    @initialize(seed=st.integers(0, 2**32 - 1))
    def replication(self, seed: int) -> None:
        self.model = build(self.SCENARIO, seed=seed, replication=0)
        self.service: ManagedService = self.model.services[self.SERVICE]
        self.ids = list(self.service.resources)
        self.caller = self.model.clients["default"].identity
        self.declared = self.service.ERRORS.all()
        self.legal: dict[str, set[str]] = {}  # by status word: kinds that share one, merged
        for edges in self.service.TRANSITIONS.values():
            for a, bs in edges.items():
                self.legal.setdefault(a.value, set()).update(b.value for b in bs)
        self.checked: tuple[float, int] | None = None

    def call(self, operation: str, index: int, **extra: Any) -> Response | None:
        """One attempt at `operation` on resource `index`: its response, None if refused."""
        resource = self.service.resources[self.ids[index % len(self.ids)]]
        params = self.service.request(operation, resource, **extra)
        if index < 0:
            member = self.service.OPERATIONS[operation].resource_param
            params[member] += GHOST_SUFFIX
        try:
            return self.model.plane.handle(self.caller, self.SERVICE, operation, params)
        except AwsError as error:
            refused = error
        assert refused.spec in self.declared, (operation, refused)
        return None

    @rule(index=TARGETS)
    def describe(self, index: int) -> None:
        """The service's describe operation tells the status the resource is in."""
        stop = self.service.STOP
        response = self.call(stop.describe, index)
        if response is not None:
            resource = self.service.resources[self.ids[index % len(self.ids)]]
            assert stop.describe_status(response) == resource.status.value, response

    @precondition(lambda self: self.model.sim.now < 20 * 86400)
    @rule(seconds=st.floats(1, 4 * 3600))
    def wait(self, seconds: float) -> None:
        self.model.sim.env.run(until=self.model.sim.now + seconds)

    @invariant()
    def log_is_a_chain_and_money_adds_up(self) -> None:
        recorder = self.model.sim.recorder
        state = (self.model.sim.now, len(recorder.tables["transitions"]))
        if state == self.checked:
            return  # the log and the clock are as last checked: so are both invariants
        self.checked = state
        moves = recorder.frames()["transitions"]
        by_resource = resource_logs(moves)
        self.check_chains(by_resource)
        self.check_costs(moves, by_resource, recorder.resources())

    def check_chains(self, logs: Mapping[str, list[Move]]) -> None:
        for resource_id, log in logs.items():
            first = log[0]
            assert (first.source, first.cause) == (None, "initial"), (resource_id, first)
            for before, after in pairwise(log):
                assert after.source == before.status, (resource_id, before, after)
                assert after.status in self.legal.get(before.status, ()), (resource_id, after)

    def check_costs(
        self, moves: pd.DataFrame, logs: Mapping[str, list[Move]], resources: pd.DataFrame
    ) -> None:
        now = self.model.sim.now
        prices = self.service.settings.prices
        costs = derive_costs(moves, {self.SERVICE: prices}, now, resources)
        ids, kinds = resources["resource_id"].tolist(), resources["kind"].tolist()
        kind_of = dict(zip(ids, kinds, strict=True))
        expected = expected_costs(logs, prices, kind_of, now)
        derived = costs.groupby(costs["resource_id"].astype(str))["usd"].sum()
        for resource_id in set(expected) | set(derived.index):
            want, got = expected.get(resource_id, 0.0), float(derived.get(resource_id, 0.0))
            assert abs(got - want) <= 1e-9 * max(1.0, want), (resource_id, got, want, now)


class RekognitionOperations(ServiceOperations):
    SERVICE = "rekognition"
    SCENARIO = scenario(
        """
        name: prop-rekognition
        horizon: 30d
        services:
          rekognition:
            start_failure: 0.2
            latency:
              start: {kind: exponential, mean: 5m}
              stop: {kind: uniform, low: 1m, high: 5m}
              training: {kind: exponential, mean: 1h}
        fleet:
          - {service: rekognition, count: 2, project: a}
          - {service: rekognition, count: 2, project: b, status: TRAINING_IN_PROGRESS}
          - {service: rekognition, count: 1, project: c, status: STOPPED, inference_units: 3}
        """
    )

    @rule(index=TARGETS)
    def stop(self, index: int) -> None:
        self.call("StopProjectVersion", index)

    @rule(index=TARGETS, units=st.integers(1, 4))
    def start(self, index: int, units: int) -> None:
        self.call("StartProjectVersion", index, MinInferenceUnits=units)


# Lookout's idempotency tokens: a token reused with the same request replays the answer,
# with another request it is a ConflictException; None leaves it out.
TOKENS = st.sampled_from([None, "token-a", "token-b"])


class LookoutVisionOperations(ServiceOperations):
    """Hosting with maintenance windows on, per-minute billing, tokens, faults, a throttle."""

    SERVICE = "lookoutvision"
    SCENARIO = scenario(
        """
        name: prop-lookoutvision
        horizon: 30d
        services:
          lookoutvision:
            start_failure: 0.2
            training_failure: 0.2
            faults: {StopModel: 0.1}
            throttle: {StartModel: {rate: 0.1, burst: 5}}
            latency:
              training: {kind: exponential, mean: 1h}
              start: {kind: exponential, mean: 10m}
              stop: {kind: uniform, low: 1m, high: 5m}
              maintenance_gap: {kind: exponential, mean: 3h}
              maintenance: {kind: exponential, mean: 15m}
        fleet:
          - {service: lookoutvision, count: 2, project: a}
          - {service: lookoutvision, count: 1, project: a, status: TRAINING}
          - {service: lookoutvision, count: 1, project: b, status: TRAINED, inference_units: 3}
          - {service: lookoutvision, count: 1, project: c, status: SYSTEM_UPDATING}
          - {service: lookoutvision, count: 1, project: c, status: HOSTING_FAILED}
        """
    )

    @staticmethod
    def token(token: str | None) -> dict[str, str]:
        return {} if token is None else {"ClientToken": token}

    @rule(index=TARGETS, token=TOKENS)
    def stop(self, index: int, token: str | None) -> None:
        self.call("StopModel", index, **self.token(token))

    @rule(index=TARGETS, units=st.integers(0, 4), token=TOKENS)
    def start(self, index: int, units: int, token: str | None) -> None:
        self.call("StartModel", index, MinInferenceUnits=units, **self.token(token))


class ComprehendOperations(ServiceOperations):
    """Stops racing training, before and during it; warnings and errors on completion."""

    SERVICE = "comprehend"
    SCENARIO = scenario(
        """
        name: prop-comprehend
        horizon: 30d
        services:
          comprehend:
            warning: 0.2
            error: 0.1
            faults: {DescribeDocumentClassifier: 0.1}
            throttle: {StopTrainingDocumentClassifier: {rate: 0.1, burst: 5}}
            latency:
              queue: {kind: exponential, mean: 30m}
              training: {kind: exponential, mean: 3h}
              stop: {kind: exponential, mean: 30m}
        fleet:
          - {service: comprehend, count: 3, name: queued, status: SUBMITTED}
          - {service: comprehend, count: 3, name: training}
        """
    )

    @rule(index=TARGETS)
    def stop(self, index: int) -> None:
        self.call("StopTrainingDocumentClassifier", index)


ROLES = st.sampled_from(
    [None, "arn:aws:iam::123456789012:role/NeptuneMLRole", "arn:aws:iam::123456789012:role/Other"]
)


class NeptuneOperations(ServiceOperations):
    """Jobs of parts on several instance types (a price for every kind, one for all kinds)."""

    SERVICE = "neptune"
    SCENARIO = scenario(
        """
        name: prop-neptune
        horizon: 30d
        services:
          neptune:
            processing_failure: 0.1
            training_failure: 0.2
            transform_failure: 0.1
            faults: {GetMLModelTrainingJob: 0.1}
            throttle: {CancelMLModelTrainingJob: {rate: 0.1, burst: 5}}
            latency:
              processing: {kind: exponential, mean: 20m}
              training: {kind: exponential, mean: 2h}
              transform: {kind: exponential, mean: 20m}
              stop: {kind: uniform, low: 30s, high: 2m}
              clean: {kind: exponential, mean: 5m}
            prices:
              ml.m5.xlarge: {usd_per_hour: 0.23, statuses: [InProgress, Stopping],
                             kinds: [ml.m5.xlarge]}
              ml.m5.2xlarge: {usd_per_hour: 0.461, statuses: [InProgress, Stopping],
                              kinds: [ml.m5.2xlarge]}
              ml.g5.xlarge: {usd_per_hour: 1.408, statuses: [InProgress, Stopping],
                             kinds: [ml.g5.xlarge]}
              ml.p3.2xlarge: {usd_per_hour: 3.825, statuses: [InProgress, Stopping],
                              kinds: [ml.p3.2xlarge]}
              s3: {usd_per_month: 0.023, statuses: [Stored, Deleting], kinds: [s3]}
              tracking: {usd_per_hour: 0.01, statuses: [InProgress, Stopping, Stored],
                         per_unit: false}
        fleet:
          - {service: neptune, count: 3, name: small, max_hpo_training_jobs: 3,
             training_timeout: 2h}
          - {service: neptune, count: 2, name: gpu, training_instance_type: ml.g5.xlarge,
             artifacts_gb: 5}
        """
    )

    @rule(index=TARGETS, clean=st.sampled_from([None, False, True]), role=ROLES)
    def cancel(self, index: int, clean: bool | None, role: str | None) -> None:
        extra = {"clean": clean, "neptuneIamRoleArn": role}
        self.call(
            "CancelMLModelTrainingJob", index, **{k: v for k, v in extra.items() if v is not None}
        )


# ClientRequestToken: reused with the same execution it replays, with another it conflicts;
# None sends a fresh one, as the SDK would.
REQUEST_TOKENS = st.sampled_from([None, "a" * 32, "b" * 128])
GHOST_CALLBACK = "Z" * 10


class SageMakerOperations(ServiceOperations):
    """Executions of DAGs with every step type, started over time; consumers that answer,
    fail or never answer; stops with replayed and conflicting tokens; answers by hand. Each
    resource's moves are also checked against its own kind's edges (an execution's, a
    step's, a function's), not only the union the lifecycle shares between them."""

    SERVICE = "sagemaker"
    SCENARIO = scenario(
        """
        name: prop-sagemaker
        horizon: 30d
        services:
          sagemaker:
            callback_stop_wait: 2h
            faults: {DescribePipelineExecution: 0.1}
            throttle: {StopPipelineExecution: {rate: 0.1, burst: 5}}
            latency:
              orchestration: {kind: exponential, mean: 10s}
              provisioning: {kind: exponential, mean: 3m}
              stop: {kind: uniform, low: 30s, high: 2m}
        fleet:
          - service: sagemaker
            pipeline: train
            count: 3
            every: 1h
            max_parallel_steps: 2
            steps:
              - {name: prep, type: Processing, failure: 0.1,
                 duration: {kind: exponential, mean: 20m}}
              - {name: check, type: Lambda, timeout: 3m, memory_mb: 2048, failure: 0.1,
                 duration: {kind: uniform, low: 10s, high: 5m}, depends_on: [prep]}
              - {name: fit, type: Training, instance_type: ml.g5.xlarge, instance_count: 2,
                 duration: {kind: exponential, mean: 1h}, depends_on: [prep]}
              - {name: approve, type: Callback, queue: approvals, instance_type: ml.m5.xlarge,
                 depends_on: [fit, check]}
              - {name: register, type: Plain, depends_on: [approve]}
          - service: sagemaker
            pipeline: quick
            count: 2
            steps:
              - {name: fn, type: Lambda, duration: {kind: uniform, low: 1s, high: 3m}}
              - {name: review, type: Callback, queue: reviews}
        consumers:
          approvals: {handle: {kind: exponential, mean: 30m}, never_answers: 0.3, failure: 0.2}
          reviews: {handle: {kind: exponential, mean: 2h}, never_answers: 0.5}
        """
    )
    EDGES: ClassVar[Mapping[str, Mapping[Any, frozenset[Any]]]] = {
        "execution": sagemaker.EXECUTION,
        "lambda": sagemaker.FUNCTION,
        "sqs": {},
    }

    def call(self, operation: str, index: int, **extra: Any) -> Response | None:
        self.ids = list(self.service.resources)  # executions started since
        return super().call(operation, index, **extra)

    @rule(index=TARGETS, token=REQUEST_TOKENS)
    def stop(self, index: int, token: str | None) -> None:
        fresh = f"{len(self.model.sim.recorder.tables['transitions']):032d}"
        self.call("StopPipelineExecution", index, ClientRequestToken=token or fresh)

    @rule(index=TARGETS, order=st.sampled_from(["Ascending", "Descending"]), size=st.integers(1, 4))
    def list_steps(self, index: int, order: str, size: int) -> None:
        response = self.call("ListPipelineExecutionSteps", index, SortOrder=order, MaxResults=size)
        if response is not None:
            steps = response["PipelineExecutionSteps"]
            assert len(steps) <= size
            assert {s["StepStatus"] for s in steps} <= {s.value for s in sagemaker.StepStatus}

    @rule(index=st.integers(0, 15), choice=st.integers(0, 3), success=st.booleans())
    def answer(self, index: int, choice: int, success: bool) -> None:
        """Answer one of the execution's callback steps by hand (ended ones too), or a token
        no step has."""
        self.ids = list(self.service.resources)
        arn = self.ids[index % len(self.ids)]
        caller, plane = self.caller, self.model.plane
        listed = plane.handle(
            caller, self.SERVICE, "ListPipelineExecutionSteps", {"PipelineExecutionArn": arn}
        )
        tokens = [
            s["Metadata"]["Callback"]["CallbackToken"]
            for s in listed["PipelineExecutionSteps"]
            if "Callback" in s.get("Metadata", {})
        ]
        token = tokens[choice % len(tokens)] if tokens else GHOST_CALLBACK
        operation = (
            "SendPipelineExecutionStepSuccess" if success else "SendPipelineExecutionStepFailure"
        )
        try:
            plane.handle(caller, self.SERVICE, operation, {"CallbackToken": token})
        except AwsError as error:
            refused = error
        else:
            return
        assert refused.spec in self.declared, (operation, refused)

    def check_chains(self, logs: Mapping[str, list[Move]]) -> None:
        super().check_chains(logs)
        resources = self.model.sim.recorder.resources()
        kind_of = dict(zip(resources["resource_id"], resources["kind"].astype(str), strict=True))
        for resource_id, log in logs.items():
            edges = self.EDGES.get(kind_of[resource_id], sagemaker.STEP)
            legal = {a.value: {b.value for b in bs} for a, bs in edges.items()}
            for before, after in pairwise(log):
                assert after.status in legal.get(before.status, ()), (resource_id, before, after)


TestRekognitionOperations = RekognitionOperations.TestCase
TestLookoutVisionOperations = LookoutVisionOperations.TestCase
TestComprehendOperations = ComprehendOperations.TestCase
TestNeptuneOperations = NeptuneOperations.TestCase
TestSageMakerOperations = SageMakerOperations.TestCase
TestRekognitionOperations.settings = SETTINGS
TestLookoutVisionOperations.settings = SETTINGS
TestComprehendOperations.settings = SETTINGS
TestNeptuneOperations.settings = SETTINGS
TestSageMakerOperations.settings = SETTINGS
