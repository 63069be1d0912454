"""What a run gives back: its tables, what it came from, and the answers drawn from them.

`simulator.run(...)` returns a `Results`; `Results.save(directory)` writes a run directory
(see `simulator.output`) and `load_results(directory)` reads one back, equal table for
table to what the run returned, so a notebook or `simulate report` can work from a saved
run without running it again.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from simulator.analysis.summary import billed, savings, summarize
from simulator.errors import ResultsError
from simulator.output import Format, write_run
from simulator.run_reading import read_meta, read_table
from simulator.runner import TABLES, Progress, run_tables
from simulator.scenario import load_scenario
from simulator.scenario.model import Scenario
from simulator.vector.choice import Choice, Engine, choose

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass
class Results:
    """A run's tables (each a DataFrame with `replication` first) and where they came from."""

    scenario: Scenario
    seed: int
    replications: int
    tables: dict[str, pd.DataFrame] = field(repr=False)
    engine: str = "events"
    """What made the tables: `events` (simulated) or `vector` (drawn: `simulator.vector`)."""

    @property
    def transitions(self) -> pd.DataFrame:
        return self.tables["transitions"]

    @property
    def calls(self) -> pd.DataFrame:
        return self.tables["calls"]

    @property
    def stops(self) -> pd.DataFrame:
        return self.tables["stops"]

    @property
    def costs(self) -> pd.DataFrame:
        return self.tables["costs"]

    @property
    def invocations(self) -> pd.DataFrame:
        """Every invocation of a `handler:` stream's code; empty if the scenario has none."""
        return self.tables["invocations"]

    @property
    def demand(self) -> pd.DataFrame:
        """Inference requests per model and minute, by what they met; empty without `demand:`."""
        return self.tables["demand"]

    @property
    def waits(self) -> pd.DataFrame:
        """Each request that waited for its model to start; empty if none waited."""
        return self.tables["waits"]

    @property
    def baseline_costs(self) -> pd.DataFrame:
        """`costs` had nothing been stopped: the same run without its stop requests."""
        return self.tables["baseline_costs"]

    # -- answers -------------------------------------------------------------------------

    def summary(self) -> pd.DataFrame:
        """Per service and outcome: count, share, latencies and cost, with 95% intervals."""
        return summarize(self.stops, self.replications)

    def billed(self) -> pd.DataFrame:
        """Per service, group and price item: USD over the horizon, with 95% intervals."""
        return billed(self.costs, self.replications)

    def savings(self) -> pd.DataFrame:
        """Per service and group: billed, billed without the stops, and the saving."""
        return savings(self.costs, self.baseline_costs, self.replications)

    def hosting(self) -> pd.DataFrame:
        """Per service and fleet group with demand or a hosting policy: cost, saving against
        always-on, cold and warm starts, requests served, throttled, failed and delayed, the wait
        added to delayed ones (p50, p95, p99) and the share of time available, each with
        its 95% interval (`analysis.hosting`)."""
        from simulator.analysis.hosting import hosting
        from simulator.scenario.demand import hosted_models

        models = hosted_models(self.scenario)
        named = [d.group for d in self.scenario.demand]
        named += [g for policy in self.scenario.policies.values() for g in policy.groups]
        groups = [
            (service, group)
            for group in dict.fromkeys(named)
            for service in dict.fromkeys(service for service, _, _ in models[group])
        ]
        return hosting(self.tables, self.replications, self.scenario.horizon, groups)

    def replayed(self) -> pd.DataFrame:
        """Per log replay (`replay: {cloudtrail: ...}`) and service: the stops the log
        holds, how many failed in it and how many the simulation rejected."""
        from simulator.analysis.replayed import compare_stops
        from simulator.scenario.logs import sent_stops

        return compare_stops(self.stops, sent_stops(self.scenario), self.replications)

    # -- pictures ------------------------------------------------------------------------

    # Each imports the plots (and matplotlib) when asked for a picture, not with the package.
    # A group is a fleet group: where a scenario's fleet has several, the figures compare them.

    def plot_latency(self) -> Figure:
        """How long stops took, per service and fleet group (or outcome)."""
        from simulator.analysis import plots

        return plots.latency_ecdf(self.stops)

    def plot_cost(self) -> Figure:
        """Cumulative cost per service and group, with the stops and without."""
        from simulator.analysis import plots

        return plots.cost_over_time(
            self.costs, self.baseline_costs, self.scenario.horizon, self.replications
        )

    def plot_timeline(self, sample: int = 20, replication: int = 0) -> Figure:
        """A sample of `sample` resources of one replication, a bar per status held."""
        from simulator.analysis import plots

        return plots.status_timeline(
            self.transitions,
            self.stops,
            sample=sample,
            replication=replication,
            seed=self.seed,
            horizon=self.scenario.horizon,
            groups=plots.resource_groups([self.costs, self.stops]),
            costs=self.costs,
        )

    def plot_outcomes(self) -> Figure:
        """How the stops ended, per service and fleet group."""
        from simulator.analysis import plots

        return plots.outcome_shares(self.stops)

    def plot_calls(self) -> Figure:
        """API attempts over the horizon, by result, per service and fleet group."""
        from simulator.analysis import plots

        return plots.api_calls(
            self.calls,
            horizon=self.scenario.horizon,
            groups=plots.resource_groups([self.costs, self.stops]),
        )

    def plot_demand(self, replication: int = 0, day: int | None = None) -> Figure:
        """One day of one replication (default: its day with the most requests): requests
        per minute, by what they met, against the inference units running, per group."""
        from simulator.analysis import plots

        groups = plots.resource_groups([self.baseline_costs, self.costs, self.tables["demand"]])
        return plots.demand_and_units(
            self.tables["demand"], self.transitions, groups, replication=replication, day=day
        )

    def figures(self) -> dict[str, Figure]:
        """Every plot, by the name its PNG gets in a report (`demand` where there is)."""
        figures = {
            "latency": self.plot_latency(),
            "cost": self.plot_cost(),
            "timeline": self.plot_timeline(),
            "outcomes": self.plot_outcomes(),
            "calls": self.plot_calls(),
        }
        if self.scenario.demand:
            figures["demand"] = self.plot_demand()
        return figures

    # -- files ---------------------------------------------------------------------------

    def save(self, directory: Path | str, fmt: Format = "parquet") -> Path:
        directory = Path(directory)
        write_run(
            directory,
            self.tables,
            {"summary": self.summary(), "billed": self.billed(), "savings": self.savings()},
            self.scenario,
            seed=self.seed,
            replications=self.replications,
            fmt=fmt,
            engine=self.engine,
        )
        return directory


def run(
    scenario: Scenario | Path | str,
    *,
    seed: int | None = None,
    replications: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    progress: Progress | None = None,
    engine: Engine | str | Choice = Engine.EVENTS,
) -> Results:
    """Run a scenario (or the scenario file at that path): every replication, with its
    counterfactual, on `workers` local processes or on `executor`; with `engine` `vector`
    (or `auto`, where it can) drawn instead of simulated (`simulator.vector`)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(Path(scenario))
    choice = choose(scenario, engine)
    seed = scenario.seed if seed is None else seed
    count = scenario.replications if replications is None else replications
    tables = run_tables(
        scenario,
        seed=seed,
        replications=count,
        workers=workers,
        executor=executor,
        progress=progress,
        engine=choice,
    )
    return Results(scenario, seed, count, tables, choice.engine.value)


def load_results(directory: Path | str) -> Results:
    """A run directory read back: the same tables, dtypes and scenario as the run's.

    Raises ResultsError naming the file and what is wrong with it: no run.json (not a run
    directory, or an interrupted run), a damaged run.json, a missing or unreadable table,
    or one whose rows or SHA-256 differ from what run.json recorded when it was written."""
    directory = Path(directory)
    meta = read_meta(directory)
    path = directory / "scenario.yaml"
    if not path.is_file():
        raise ResultsError(f"{path}: missing, though run.json says the run is whole")
    scenario = load_scenario(path)
    tables = {
        name: read_table(
            directory, name, meta.format, scenario.start, meta.files.get(f"{name}.{meta.format}")
        )
        for name in TABLES
    }
    return Results(scenario, meta.seed, meta.replications, tables, meta.engine)


__all__ = ["TABLES", "Results", "load_results", "run"]
