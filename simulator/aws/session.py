"""`simulated_aws`: boto3 against a simulation from a notebook or a test, like moto's
`mock_aws`, with time, lifecycles and cost.

    with simulator.simulated_aws("scenarios/rekognition-nightly-stop.yaml", seed=1) as aws:
        rekognition = boto3.client("rekognition")
        rekognition.stop_project_version(ProjectVersionArn=arn)
        time.sleep(600)                      # ten simulated minutes, at once
        aws.now, aws.results().stops

The code inside the block is the `Driver`: the simulation advances only while it waits (a
call's network trip, `time.sleep`, a waiter's delay), and everything the scenario itself
runs (its request streams, its handlers, the services' lifecycles) runs meanwhile. The
block's calls are those of the scenario's caller `caller` (identity, network, retry mode).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from simulator.aws.actors import Driver
from simulator.aws.automation import Automation
from simulator.build import Model, build
from simulator.errors import SimulatorError
from simulator.results import Results
from simulator.scenario import load_scenario
from simulator.scenario.model import Scenario
from simulator.vector.derive import replication_tables


class SimulatedAWS:
    """The simulation behind a `simulated_aws` block."""

    def __init__(self, model: Model, scenario: Scenario, seed: int, replication: int) -> None:
        self.model = model
        self.scenario = scenario
        self.seed = seed
        self.replication = replication

    @property
    def now(self) -> float:
        """Simulated seconds since the scenario's start."""
        return self.model.sim.now

    @property
    def unsimulated(self) -> dict[str, int]:
        """'service:Operation' -> attempts the code sent to what is not simulated."""
        assert self.model.automation is not None
        return dict(self.model.automation.account.unsimulated)

    def results(self) -> Results:
        """The tables so far, as if the horizon were now (no counterfactual is run, so
        there are no `baseline_costs` and no savings)."""
        recorder = self.model.sim.recorder
        ids = recorder.ids()
        frames = recorder.frames(ids)
        records = recorder.stops.to_frame(ids)
        resources = recorder.resources(ids)
        # what happened at this very moment counts: the tables keep what precedes the horizon
        horizon = math.nextafter(self.now, math.inf)
        so_far = self.scenario.model_copy(update={"horizon": horizon})
        tables = replication_tables(
            so_far,
            self.replication,
            frames["transitions"],
            frames["calls"],
            records,
            resources,
            None,
            frames.get("invocations"),
        )
        return Results(self.scenario, self.seed, 1, tables)


@contextmanager
def simulated_aws(
    scenario: Scenario | Path | str,
    *,
    seed: int | None = None,
    replication: int = 0,
    caller: str | None = None,
) -> Iterator[SimulatedAWS]:
    """A simulation of `scenario` (a file or a loaded `Scenario`) that boto3 clients made
    inside the block talk to (see the module's docstring), as `caller` (default: the
    scenario's first)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(Path(scenario))
    caller = next(iter(scenario.callers)) if caller is None else caller
    if caller not in scenario.callers:
        raise SimulatorError(
            f"simulated_aws: no caller {caller!r}; the scenario's callers are "
            f"{', '.join(scenario.callers)}"
        )
    seed = scenario.seed if seed is None else seed
    model = build(scenario, seed, replication)
    if model.automation is None:
        model.automation = Automation(model, scenario)
    account = model.automation.account
    with model.running():
        driver_seed = model.sim.streams.generator("simulated_aws.driver").integers(2**63)
        driver = Driver(account, caller, int(driver_seed))
        try:
            yield SimulatedAWS(model, scenario, seed, replication)
        finally:
            driver.close()
