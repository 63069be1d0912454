"""`budget`: stop a group's models once the group's spend in a window passes a cap.

The spend is what the run bills (`simulator.pricing`: each model's hourly items in its
region, times its units where the item is per unit, while its status is billed), accrued
continuously: it changes rate only when one of the group's models moves, so the policy
computes the moment the cap is crossed at the present rate and sleeps until then or until
a model moves (`Watch.listen`), whichever comes first: the stop is sent at the exact
crossing, with no polling. (Rounding of billed spans to a price's granularity is not
counted: the spend is the rate's integral.)

Windows follow one another from the start, each `window` long. Once the cap is passed,
every model of the group that is up is sent a stop (once it serves, if it is starting or
updating), and so is any that starts again (another policy's, a caller's) before the
window ends: a model still stopping bills on, so the spend passes the cap by what the
stops cost. With `restart`, the next window starts the models the budget stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import simpy

from simulator.api.operations import Price
from simulator.engine.env import Simulation
from simulator.hosting.policies.base import Control, Process
from simulator.scenario.policies import Budget
from simulator.services.base import Resource

Rate = Callable[[str, Resource], float]
"""A model of a service: its spend per second now."""


def rate_of(prices: Mapping[str, Mapping[str, Mapping[str, Price]]], region: str) -> Rate:
    """A model's spend per second, from its service's hourly items in its region
    (`prices`: region -> service -> item, as `ScenarioPrices.by_region`)."""

    def rate(service: str, model: Resource) -> float:
        usd = 0.0
        for price in prices[model.region or region][service].values():
            if model.status in price.statuses and price.usd_per_hour:
                usd += price.usd_per_hour * (model.units if price.per_unit else 1.0)
        return usd / 3600

    return rate


def budget(
    sim: Simulation,
    controls: Sequence[tuple[Control, Resource]],
    rate: Rate,
    policy: Budget,
    horizon: float,
) -> Process:
    """The budget's process over one group's models (`controls`): its spend, its cap."""
    moved: list[simpy.Event] = [sim.env.event()]

    def wake(_: Resource) -> None:
        if not moved[0].triggered:
            moved[0].succeed()

    for control, model in controls:
        control.watch.listen(model, wake)
    spent, since, window_end, over = 0.0, float(sim.now), policy.window, False
    stopped: dict[int, tuple[Control, Resource]] = {}
    while True:
        now_rate = sum(rate(control.service.name, model) for control, model in controls)
        crossing = float("inf")
        if not over and now_rate > 0:
            crossing = since + (policy.usd - spent) / now_rate
        moved[0] = sim.env.event()
        yield moved[0] | sim.timeout(max(0.0, min(crossing, window_end, horizon) - sim.now))
        if sim.now >= horizon:
            return
        spent += now_rate * (sim.now - since)
        since = float(sim.now)
        if sim.now >= window_end:  # a new window
            spent, window_end, over = 0.0, window_end + policy.window, False
            if policy.restart:
                for control, model in stopped.values():
                    sim.process(control.start(model))
            stopped = {}
            continue
        over = over or sim.now >= crossing
        if over:  # every model of the group that is up is stopped (once it can be)
            for control, model in controls:
                if control.up(model):
                    stopped[model.key] = (control, model)
                    sim.process(control.stop(model))
