"""Scenario -> a live simulation: the one place that knows both the data and the model."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.api.iam import Permissions
from simulator.api.plane import ControlPlane, Identity, Route
from simulator.engine.env import Simulation
from simulator.engine.rng import Streams
from simulator.hosting.demand import Arrivals, draw_arrivals
from simulator.hosting.policies import start_policies
from simulator.scenario.model import Scenario
from simulator.services import SERVICES
from simulator.services.base import ManagedService
from simulator.workload.arrivals import Workload
from simulator.workload.clients import Client, Waiter

if TYPE_CHECKING:
    from collections.abc import Callable

    from simulator.aws.automation import Automation

    Routes = Callable[[str, str], Route]


@dataclass
class Model:
    sim: Simulation
    plane: ControlPlane
    services: dict[str, ManagedService]
    clients: dict[str, Client]
    arrivals: Arrivals
    """Every hosted model's inference requests (`demand:`), drawn before the run (none in
    the counterfactual, which gives its costs alone)."""
    automation: Automation | None = None
    """The user's code of a scenario with `handler:` streams (`simulator.aws`)."""

    def running(self) -> AbstractContextManager[None]:
        """What the event loop runs inside: user code's surroundings, if it has any."""
        return nullcontext() if self.automation is None else self.automation.running()


def build(scenario: Scenario, seed: int, replication: int, stops: bool = True) -> Model:
    """Replication `replication` of `scenario`, ready to run from t=0; with `stops` False,
    its counterfactual: the same draws, no stop request sent."""
    sim = Simulation(Streams(seed, replication))
    plane = ControlPlane(sim)
    services = {
        name: kind(sim, getattr(scenario.services, name)) for name, kind in SERVICES.items()
    }
    for service in services.values():
        plane.register(service)
    for fleet in scenario.fleet:
        services[fleet.service].populate(fleet)

    def client(name: str, streams: str | None = None, routes: Routes | None = None) -> Client:
        caller = scenario.callers[name]
        return Client(
            sim,
            plane,
            Identity(name, caller.account, Permissions(caller.permissions), caller.region),
            (caller.retry.mode, caller.retry.max_attempts),
            caller.network,
            Waiter(caller.waiter.delay, caller.waiter.max_attempts),
            streams,
            routes,
        )

    clients = {name: client(name) for name in scenario.callers}
    Workload(sim, scenario, services, clients, stops).start()
    # the counterfactual's costs are all it gives: its demand would be drawn for nothing
    arrivals = draw_arrivals(scenario, sim.streams) if stops else Arrivals.none()
    model = Model(sim, plane, services, clients, arrivals)
    if stops:  # the counterfactual is always-on: no policy stops a model
        start_policies(sim, scenario, plane, services, model.arrivals, client)
    if stops and scenario.handler_streams:  # the counterfactual runs no handler
        from simulator.aws.automation import Automation  # boto3 only where it is needed

        model.automation = Automation(model, scenario)
        model.automation.start()
    return model
