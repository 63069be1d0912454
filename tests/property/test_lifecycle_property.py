"""Any sequence of operations and waits: no illegal move, a consistent log, money adds up."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from simulator.analysis.frames import derive_costs
from simulator.api.errors import AwsError
from simulator.build import build
from simulator.services.rekognition import Status
from tests.conftest import scenario

SCENARIO = scenario(
    """
    name: prop
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


class RekognitionOperations(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.model = build(SCENARIO, seed=0, replication=0)
        self.service = self.model.services["rekognition"]
        self.arns = list(self.service.resources)
        self.caller = self.model.clients["default"].identity

    def _call(self, operation: str, index: int, **extra: object) -> None:
        resource = self.service.resources[self.arns[index % len(self.arns)]]
        params = self.service.request(operation, resource, **extra)
        refused = None
        try:
            self.model.plane.handle(self.caller, "rekognition", operation, params)
        except AwsError as error:
            refused = error.code
        assert refused in {None, "ResourceInUseException"}

    @rule(index=st.integers(0, 4))
    def stop(self, index: int) -> None:
        self._call("StopProjectVersion", index)

    @rule(index=st.integers(0, 4), units=st.integers(1, 4))
    def start(self, index: int, units: int) -> None:
        self._call("StartProjectVersion", index, MinInferenceUnits=units)

    @rule(index=st.integers(0, 4))
    def describe(self, index: int) -> None:
        self._call("DescribeProjectVersions", index)

    @precondition(lambda self: self.model.sim.now < 20 * 86400)
    @rule(seconds=st.floats(1, 4 * 3600))
    def wait(self, seconds: float) -> None:
        self.model.sim.env.run(until=self.model.sim.now + seconds)

    @invariant()
    def log_is_a_chain_of_declared_moves(self) -> None:
        moves = self.model.sim.recorder.frames()["transitions"]
        for _, log in moves.groupby("resource_id", observed=True):
            statuses = log["to_status"].astype(str).tolist()
            previous = log["from_status"].astype(str).tolist()[1:]
            assert previous == statuses[:-1]
            for a, b in pairwise(statuses):
                assert Status(b) in self.service.TRANSITIONS[Status(a)]

    @invariant()
    def costs_equal_billable_unit_hours_times_price(self) -> None:
        now = self.model.sim.now
        moves = self.model.sim.recorder.frames()["transitions"]
        prices = self.service.settings.prices
        costs = derive_costs(
            moves, {"rekognition": prices}, now, self.model.sim.recorder.resources()
        )
        expected = 0.0
        for _, log in moves.groupby("resource_id", observed=True):
            ends = [*log["time"].tolist()[1:], now]
            for status, units, start, end in zip(
                log["to_status"].astype(str), log["units"], log["time"], ends, strict=True
            ):
                for price in prices.values():
                    if status in price.statuses:
                        expected += (end - start) / 3600 * units * price.usd_per_hour
        assert abs(costs["usd"].sum() - expected) <= 1e-9 * max(1.0, expected)


TestRekognitionOperations = RekognitionOperations.TestCase
TestRekognitionOperations.settings = settings(
    max_examples=25, stateful_step_count=20, deadline=None
)
