"""One replication's tables from its transitions, calls and stop records, as both engines
make them: the event engine (`runner.simulate`) from what its recorder kept, the vector
engine (`vector.engine`) from what it drew.

One function, so that a table or a column added to a run is added to both: `costs` and
`stops` derived by `analysis.frames` at the scenario's prices, the counterfactual's costs
beside them, each table with its `replication` column first, cast to its schema.
"""

from __future__ import annotations

import pandas as pd

from simulator.analysis.frames import derive_costs, derive_stops
from simulator.api.operations import Price
from simulator.scenario.model import Scenario
from simulator.services import SERVICES
from simulator.tables import SCHEMAS, conform


def prices(scenario: Scenario) -> dict[str, dict[str, Price]]:
    """Each service's prices, as the scenario sets them."""
    return {name: getattr(scenario.services, name).prices for name in SERVICES}


def replication_tables(
    scenario: Scenario,
    replication: int,
    transitions: pd.DataFrame,
    calls: pd.DataFrame,
    records: pd.DataFrame,
    resources: pd.DataFrame,
    baseline_costs: pd.DataFrame | None,
    invocations: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """`transitions`, `calls`, the `stops` derived from the stop `records`, the `costs`
    derived from the transitions, `baseline_costs` where given, and `invocations` (empty
    but for a scenario with `handler:` streams, which only the event engine runs), each with
    its `replication` column, cast to its schema (which adds the UTC columns)."""
    horizon = scenario.horizon
    costs = derive_costs(transitions, prices(scenario), horizon, resources)
    stops = derive_stops(
        records, costs, horizon, resources, transitions["to_status"].cat.categories
    )
    tables = {"transitions": transitions, "calls": calls, "stops": stops, "costs": costs}
    if baseline_costs is not None:
        tables["baseline_costs"] = baseline_costs
    if invocations is None:  # a run without handler streams has the table, empty
        base = SCHEMAS["invocations"].base
        invocations = pd.DataFrame({name: pd.Series([], dtype=object) for name in base})
    tables["invocations"] = invocations
    for name, table in tables.items():
        table.insert(0, "replication", replication)  # in place: no copy of the other columns
        tables[name] = conform(name, table, scenario.start)
    return tables
