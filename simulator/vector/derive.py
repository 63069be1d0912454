"""One replication's tables from its transitions, calls and stop records, as both engines
make them: the event engine (`runner.simulate`) from what its recorder kept, the vector
engine (`vector.engine`) from what it drew.

One function, so that a table or a column added to a run is added to both: `costs` and
`stops` derived by `analysis.frames` at the scenario's prices (each resource at its
region's, `simulator.pricing`), the counterfactual's costs
beside them, each table with its `replication` column first, cast to its schema.
"""

from __future__ import annotations

import pandas as pd

from simulator.analysis.frames import derive_stops
from simulator.hosting.demand import Arrivals
from simulator.hosting.serving import serve
from simulator.pricing.costs import regional_costs
from simulator.pricing.resolve import scenario_prices
from simulator.scenario.model import Scenario
from simulator.tables import conform, empty


def scenario_costs(
    scenario: Scenario, transitions: pd.DataFrame, resources: pd.DataFrame
) -> pd.DataFrame:
    """The `costs` of `transitions` to the horizon, each resource at its region's prices."""
    found = scenario_prices(scenario)
    return regional_costs(
        transitions, found.by_region(), found.regions, scenario.horizon, resources
    )


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
