"""Figures of a run's tables: what a person looks at before reading the numbers.

    latency_ecdf     how long stops take, per service and fleet group (or outcome)
    cost_over_time   cumulative dollars with the stops, and without them (the saving)
    status_timeline  a sample of resources, one bar per status, stop requests marked
    outcome_shares   the share of stops per outcome, per service and fleet group
    api_calls        API attempts over time: first tries, retries, throttles, errors
    sweep_metric     one metric across a sweep's variants, paired against the baseline
    demand_and_units a day's requests per minute against the inference units running
    hosting_frontier a sweep's variants: cost against requests not served at once

Each is a pure function of the tables `simulate` returns (and plain numbers) that returns a
`Figure` (`figure`): a matplotlib Figure built with the object API, no pyplot state, so it
renders headless, saves with `fig.savefig`, and shows itself as a picture in a notebook.
Where a scenario's fleet has several groups (the timeouts or settings it compares), the
figures compare the groups; a colour means one thing within a figure (`palette`). Time
axes run from the scenario's start to its horizon (`axes`).
"""

from simulator.analysis.plots.calls import CALL_KINDS, api_calls
from simulator.analysis.plots.cost import cost_over_time
from simulator.analysis.plots.data import resource_groups
from simulator.analysis.plots.figure import Figure
from simulator.analysis.plots.hosting import demand_and_units, hosting_frontier
from simulator.analysis.plots.latency import UNENDED, latency_ecdf
from simulator.analysis.plots.outcomes import outcome_shares
from simulator.analysis.plots.palette import GROUP_COLOURS, STATUS_COLOURS, Palette
from simulator.analysis.plots.sweep import sweep_metric
from simulator.analysis.plots.timeline import status_timeline

__all__ = [
    "CALL_KINDS",
    "GROUP_COLOURS",
    "STATUS_COLOURS",
    "UNENDED",
    "Figure",
    "Palette",
    "api_calls",
    "cost_over_time",
    "demand_and_units",
    "hosting_frontier",
    "latency_ecdf",
    "outcome_shares",
    "resource_groups",
    "status_timeline",
    "sweep_metric",
]
