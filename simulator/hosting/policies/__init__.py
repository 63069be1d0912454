"""Hosting policies (`policies:`): processes that stop and start hosted models through the
control plane, one module per kind on the shared `base`.

`start_policies` starts, for each policy, a process per model of its groups (`idle_stop`,
`keep_alive_histogram`), one per group (`budget`: each group's spend has its own cap) or
one over them all (`schedule`). `simulator.build` calls it in a replication, never in its
counterfactual: `baseline_costs` is always-on, with the same demand (drawn on its own
streams) and every other caller's same draws.
"""

from __future__ import annotations

from collections.abc import Mapping

from simulator.api.plane import ControlPlane
from simulator.engine.env import Simulation
from simulator.hosting.policies.base import (
    HOSTING,
    Arrivals,
    ClientFor,
    Control,
    Watch,
    acting_routes,
)
from simulator.hosting.policies.budget import budget, rate_of
from simulator.hosting.policies.histogram import keep_alive_histogram
from simulator.hosting.policies.idle import idle_stop
from simulator.hosting.policies.schedule import edges, schedule, spans
from simulator.pricing.resolve import scenario_prices
from simulator.scenario.model import Scenario
from simulator.scenario.policies import Budget, IdleStop, Schedule
from simulator.services.base import ManagedService, Resource


def start_policies(
    sim: Simulation,
    scenario: Scenario,
    plane: ControlPlane,
    services: Mapping[str, ManagedService],
    arrivals: Arrivals,
    client_for: ClientFor,
) -> None:
    """Start every policy of `scenario` on the models its groups hold now."""
    if not scenario.policies:
        return
    watches = {name: Watch(sim, services[name]) for name in HOSTING}
    horizon = scenario.horizon
    for name, policy in scenario.policies.items():
        routes = acting_routes(plane, services, f"policy:{name}")
        client = client_for(policy.caller, f"policies.{name}", routes)
        units = getattr(policy, "min_inference_units", None)
        controls: list[tuple[Control, Resource]] = []
        for service_name in HOSTING:
            service = services[service_name]
            attempts = None if isinstance(policy, Schedule) else policy.attempts  # never gives up
            control = Control(
                sim, service, watches[service_name], client, policy.retry, attempts, units
            )
            controls += [
                (control, model)
                for model in service.resources.values()
                if model.group in policy.groups
            ]
        if isinstance(policy, Schedule):
            moments = edges(spans(policy, scenario.start, horizon), horizon)
            sim.process(schedule(sim, controls, moments))
        elif isinstance(policy, Budget):  # a cap per group, each on its own spend
            rate = rate_of(scenario_prices(scenario).by_region(), scenario.region)
            for group in policy.groups:
                mine = [(control, model) for control, model in controls if model.group == group]
                sim.process(budget(sim, mine, rate, policy, horizon))
        elif isinstance(policy, IdleStop):
            for control, model in controls:
                times = arrivals.of(model.id)
                sim.process(idle_stop(sim, control, model, times, policy, horizon))
        else:
            for control, model in controls:
                times = arrivals.of(model.id)
                sim.process(keep_alive_histogram(sim, control, model, times, policy, horizon))
