"""One replication's tables from its transitions, calls and stop records, as both engines
make them: the event engine (`runner.simulate`) from what its recorder kept, the vector
engine (`vector.engine`) from what it drew.

One function, so that a table or a column added to a run is added to both: `costs` and
`stops` derived by `analysis.frames` at the scenario's prices (each resource at its
region's, `simulator.pricing`), the counterfactual's costs
beside them, each table with its `replication` column first, cast to its schema.

The counterfactual in which no stop is sent is, where nothing in it moves (`unmoved`),
every resource in its first status to the horizon: both engines bill it from the fleet's
first transitions (`vector.fleet.Fleet`) rather than build and run a model that does
nothing.
"""

from __future__ import annotations

import pandas as pd

from simulator.analysis.frames import derive_stops
from simulator.hosting.demand import Arrivals
from simulator.hosting.serving import serve
from simulator.pricing.costs import regional_costs
from simulator.pricing.resolve import scenario_prices
from simulator.scenario.model import Scenario
from simulator.services import SERVICES
from simulator.services.kit import SingleStepFleet
from simulator.tables import conform, empty
from simulator.vector.paths import PATHS


def scenario_costs(
    scenario: Scenario, transitions: pd.DataFrame, resources: pd.DataFrame
) -> pd.DataFrame:
    """The `costs` of `transitions` to the horizon, each resource at its region's prices."""
    found = scenario_prices(scenario)
    return regional_costs(
        transitions, found.by_region(), found.regions, scenario.horizon, resources
    )


def unmoved(scenario: Scenario) -> bool:
    """Whether nothing moves in the event engine's counterfactual (the replication with no
    stop sent, `build(..., stops=False)`), so that its `costs` are those of the fleet's
    first transitions (`Fleet.first`, as the vector engine bills its counterfactual): no
    callback consumer; every request stream a stop of its service that is not replayed
    (the counterfactual leaves those out; handlers, policies and demand it has none of);
    every fleet entry of a service the vector engine's `Fleet` registers as the event
    engine does (`PATHS`), in a status no progression runs from, or one whose latency is
    off (a maintenance window). Anything else is run, since it may move."""
    if scenario.consumers:
        return False
    for _, requests in scenario.operation_streams:
        stop = SERVICES[requests.service].STOP.operation
        if requests.replay is not None or requests.operation_name != stop:
            return False
    for entry in scenario.fleet:
        if entry.service not in PATHS or not isinstance(entry, SingleStepFleet):
            return False
        kind = SERVICES[entry.service]
        progression = kind.PROGRESSIONS.get(kind.Status(entry.status))
        latency = getattr(scenario.services, entry.service).latency
        if progression is not None and getattr(latency, progression.latency) is not None:
            return False
    return True


def replication_tables(
    scenario: Scenario,
    replication: int,
    transitions: pd.DataFrame,
    calls: pd.DataFrame,
    records: pd.DataFrame,
    resources: pd.DataFrame,
    baseline_costs: pd.DataFrame | None,
    invocations: pd.DataFrame | None = None,
    arrivals: Arrivals | None = None,
) -> dict[str, pd.DataFrame]:
    """`transitions`, `calls`, the `stops` derived from the stop `records`, the `costs`
    derived from the transitions, `baseline_costs` where given, `invocations` (empty
    but for a scenario with `handler:` streams, which only the event engine runs), and
    `demand` and `waits`, what the hosted models' `arrivals` met (empty without), each with
    its `replication` column, cast to its schema (which adds the UTC columns)."""
    horizon = scenario.horizon
    costs = scenario_costs(scenario, transitions, resources)
    stops = derive_stops(
        records, costs, horizon, resources, transitions["to_status"].cat.categories
    )
    del records, resources  # a million stops' records: freed here where no caller holds them
    tables = {"transitions": transitions, "calls": calls, "stops": stops, "costs": costs}
    if baseline_costs is not None:
        tables["baseline_costs"] = baseline_costs
    if invocations is None:  # a run without handler streams has the table, empty
        invocations = empty("invocations")
    tables["invocations"] = invocations
    if arrivals is not None:
        tables["demand"], tables["waits"] = serve(arrivals, transitions, scenario.start, horizon)
    else:
        tables["demand"], tables["waits"] = empty("demand"), empty("waits")
    for name, table in tables.items():
        table.insert(0, "replication", replication)  # in place: no copy of the other columns
        tables[name] = conform(name, table, scenario.start)
    return tables
