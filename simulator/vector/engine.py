"""The vector engine: one replication's tables drawn as arrays, where requests do not meet.

For a scenario `simulator.vector.eligibility` accepts, each stop is independent of every
other: its trip, its resource's stop latency and its caller's polls can be drawn for all
stops at once with numpy, without an event loop. The fleet is registered at once (`fleet`:
the same resource keys, ids, groups, units and first statuses as the event engine's), the
stops are drawn (`requests`, `follow`), the recorder's tables are put together from them
(`frames`), and `costs`, `stops` and `baseline_costs` are derived and every table cast by
the tail the event engine's runner calls too (`derive`).

The tables are statistically equal to the event engine's, not bit-identical: the draws
come from the same named streams, in another order (the event engine draws as events
happen; this engine a stream's values for all stops at once). The same seed and
replication give identical tables every time, on any executor.
"""

from __future__ import annotations

import pandas as pd

from simulator.engine.rng import Streams
from simulator.hosting.demand import draw_arrivals
from simulator.scenario.model import Scenario
from simulator.vector import frames
from simulator.vector.derive import replication_tables, scenario_costs
from simulator.vector.fleet import Fleet
from simulator.vector.follow import follow
from simulator.vector.requests import sent


def simulate(
    scenario: Scenario, seed: int, replication: int, *, baseline: bool = True
) -> dict[str, pd.DataFrame]:
    """Replication `replication` of an eligible `scenario`, as `runner.simulate` gives it:
    each table with its `replication` column, cast to its schema; `baseline_costs` (the run
    with no stop sent: every resource in its first status to the horizon) with `baseline`.

    Raises `CannotDraw` in the one case eligibility cannot rule out beforehand (a stop of an
    `every` stream still on its way when the stream fires again, at odds below 1e-12)."""
    streams = Streams(seed, replication)
    fleet = Fleet(scenario)
    first, registry, ids = fleet.first(), fleet.registry(), fleet.ids
    followed = follow(scenario, streams, list(sent(scenario, fleet, streams)))
    unstopped = scenario_costs(scenario, first, registry) if baseline else None
    return replication_tables(
        scenario,
        replication,
        frames.transitions(first, followed.moves, ids),
        frames.calls(followed.calls, ids),
        frames.records(followed.stops, ids),
        registry,
        unstopped,
        arrivals=draw_arrivals(scenario, streams),
    )
