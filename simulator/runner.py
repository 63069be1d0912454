"""Replications of a scenario, one after another or on any `concurrent.futures.Executor`.

A replication depends only on (scenario, seed, replication number): its streams are spawned
from those alone, so the tables are identical whichever executor runs it and in whatever
order replications finish. Each replication returns its tables, cast to their schemas
(`simulator.tables`); they are put together in replication order.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Final

import pandas as pd

from simulator.build import build
from simulator.engine.heap import give_back, settled
from simulator.engine.resource_ids import in_order, unindexed
from simulator.executors import process_pool
from simulator.hosting.demand import Arrivals
from simulator.scenario.model import Scenario
from simulator.tables import SCHEMAS, conform
from simulator.vector.choice import Choice, Engine, choose
from simulator.vector.derive import replication_tables, scenario_costs, unmoved
from simulator.vector.engine import simulate as draw
from simulator.vector.fleet import Fleet

TABLES: Final = tuple(SCHEMAS)
"""`baseline_costs` is `costs` in the counterfactual where no stop is sent: same seed, same
streams, so the difference between the two is what the stops saved, not noise."""
Progress = Callable[[float], None]
"""Told the fraction of the work done, from 0 to 1."""

_STEPS: Final = 50
FREED_AT: Final = 100_000
"""Resources from which a replication's model is collected before its tables are made."""
_log = logging.getLogger(__name__)


def simulate(
    scenario: Scenario,
    seed: int,
    replication: int,
    progress: Progress | None = None,
    *,
    baseline: bool = True,
    engine: Engine | str = Engine.EVENTS,
) -> dict[str, pd.DataFrame]:
    """Run one replication to the horizon and derive its tables; with `baseline`, run its
    counterfactual too (without it, `baseline_costs` is left out: benchmarks time the
    simulation alone). `engine` `vector` draws them instead (`simulator.vector`), for a
    scenario it can draw (unchecked: the caller has chosen it), equal in distribution, not
    bit for bit; `auto` chooses here, and any other name is a SimulatorError."""
    if engine not in (Engine.EVENTS, Engine.VECTOR):
        engine = choose(scenario, engine).engine
    if engine == Engine.VECTOR:
        tables = draw(scenario, seed, replication, baseline=baseline)
        if progress is not None:
            progress(1.0)
        return tables
    still = baseline and unmoved(scenario)
    unstopped = None
    if baseline and not still:  # first, so its model is gone before the replication's exists
        unstopped = counterfactual(scenario, seed, replication)
    raw, arrivals = _recorded(scenario, seed, replication, progress)
    if still:  # after the run: nothing of it is held through the run's peak
        fleet = Fleet(scenario)
        unstopped = scenario_costs(scenario, fleet.first(), fleet.registry())
        del fleet
    return replication_tables(  # handed over, not held here: they are freed as they are used
        scenario,
        replication,
        raw.pop("transitions"),
        raw.pop("calls"),
        raw.pop("stop_records"),
        raw.pop("resources"),
        unstopped,
        raw.pop("invocations", None),
        arrivals,
    )


def counterfactual(scenario: Scenario, seed: int, replication: int) -> pd.DataFrame:
    """The `costs` of the replication with no stop sent, run by the event engine. Where
    nothing in it moves (`unmoved`), `simulate` bills the fleet as it starts instead:
    building a million models to do nothing took 6 s and left 270 MB held through the
    replication's run (measured)."""
    recorded, _ = _recorded(scenario, seed, replication, None, stops=False)
    costs = scenario_costs(scenario, recorded["transitions"], recorded["resources"])
    del recorded
    give_back()  # its tables, before the replication's model is built
    return costs


def _recorded(
    scenario: Scenario,
    seed: int,
    replication: int,
    progress: Progress | None,
    stops: bool = True,
) -> tuple[dict[str, pd.DataFrame], Arrivals]:
    """The recorder's tables, and the model's inference requests (`Arrivals`). A large
    model (resources, processes, events) is freed before they are made: at a million stops
    it is a third of the memory, and the tables' columns are copied as they are made, so
    the two would otherwise peak together. A small one is left to the collector: a full
    collection walks every object of the process (about 70 ms with the simulator
    imported), more than a small replication takes."""
    model = build(scenario, seed, replication, stops)
    env, horizon = model.sim.env, scenario.horizon
    with settled(), model.running():
        for step in range(1, _STEPS + 1):
            env.run(until=horizon * step / _STEPS)
            if progress is not None:
                progress(step / _STEPS)
    recorder, arrivals = model.sim.recorder, model.arrivals
    del model, env
    if len(recorder.resource_ids) >= FREED_AT:
        gc.collect()  # the model's processes and events form cycles
    give_back()  # a hundredth of a millisecond for a small model's heap
    tables = recorder.hand_over()
    give_back()  # the recorder's columns, now copied into the tables
    return tables, arrivals


def _unit(
    scenario: Scenario, seed: int, replication: int, baseline: bool, engine: Engine
) -> dict[str, pd.DataFrame]:
    return simulate(scenario, seed, replication, baseline=baseline, engine=engine)


def concat(parts: list[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """The tables of several replications as one, each cast to its schema (parts read back
    from files written without it may hold an all-missing column as plain objects), with
    the categories of each column unified, in order.

    Takes the tables out of `parts` as it goes, so each replication's copy is freed once
    its table is made; one replication's tables are not copied at all. Columns whose
    categories are equal (a run's resource ids, in every table, and the counterfactual's,
    which are its own) share the unified ones: made once, not once per table (at a million
    stops each was a million ids)."""
    unified: dict[tuple[int, ...], tuple[list[pd.Index], pd.CategoricalDtype]] = {}
    tables: dict[str, pd.DataFrame] = {}
    for name in (name for name in TABLES if name in parts[0]):
        frames = [conform(name, part.pop(name)) for part in parts]
        categorical = [
            c for c in frames[0].columns if isinstance(frames[0][c].dtype, pd.CategoricalDtype)
        ]
        for column in categorical:
            columns = [f[column] for f in frames]
            sources = [c.cat.categories for c in columns]
            key = tuple(map(id, sources))  # the sources are kept alive beside: ids stay theirs
            if key not in unified:
                unified[key] = (sources, _unified(columns, [d for _, d in unified.values()]))
            dtype = unified[key][1]
            if all(source is dtype.categories for source in sources):
                continue  # one replication's resource ids (`ResourceIds`): nothing to do
            frames = [f.assign(**{column: _recoded(f[column], dtype)}) for f in frames]
            unindexed(dtype.categories)  # looked up to recode: not kept with the tables
        tables[name] = (
            frames[0].reset_index(drop=True)
            if len(frames) == 1
            else pd.concat(frames, ignore_index=True)
        )
    return tables


def _unified(columns: list[pd.Series], made: list[pd.CategoricalDtype]) -> pd.CategoricalDtype:
    """The dtype of `columns` put together: the union of their categories in order, as
    text; an equal one `made` before for another column where there is one."""
    dtype = columns[0].dtype
    assert isinstance(dtype, pd.CategoricalDtype)  # `concat` unifies categorical columns
    categories = dtype.categories
    if len(columns) > 1 or not _unified_already(categories):
        union = sorted(set().union(*(c.cat.categories for c in columns)), key=str)
        dtype = pd.CategoricalDtype(
            pd.Index(union) if union else pd.Index([], dtype=object), dtype.ordered
        )
        categories = dtype.categories
        unindexed(categories)  # made checking them unique
    for other in made:
        if (
            other.ordered == dtype.ordered
            and other.categories.dtype == categories.dtype
            and other.categories.equals(categories)
        ):
            return other
    return dtype


def _recoded(values: pd.Series, dtype: pd.CategoricalDtype) -> pd.Series:
    """`values` on `dtype`: their own codes where its categories equal theirs (no look-up)."""
    if values.cat.categories.equals(dtype.categories):
        codes = values.cat.codes.to_numpy()
        return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=values.index)
    return values.cat.set_categories(dtype.categories)


def _unified_already(categories: pd.Index) -> bool:
    """Whether `categories` are what unifying them alone would give: text (`str`), in order
    (they are unique), as `concat` makes them."""
    return len(categories) > 0 and categories.dtype == "str" and in_order(categories)


def run_tables(
    scenario: Scenario,
    *,
    seed: int | None = None,
    replications: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    progress: Progress | None = None,
    baseline: bool = True,
    engine: Engine | str | Choice = Engine.EVENTS,
) -> dict[str, pd.DataFrame]:
    """All replications' tables (`baseline_costs` with `baseline`). `workers` > 1 runs them
    on a local process pool. `engine` is `events`, `vector` or `auto` (`simulator.vector`:
    `vector` for a scenario it cannot draw raises CannotDraw).

    `simulator.run` wraps this in a `Results`."""
    engine = choose(scenario, engine).engine
    seed = scenario.seed if seed is None else seed
    count = scenario.replications if replications is None else replications
    if executor is None and workers <= 1:
        parts = []
        for replication in range(count):

            def step(fraction: float, done: int = replication) -> None:
                if progress is not None:
                    progress((done + fraction) / count)

            parts.append(
                simulate(scenario, seed, replication, step, baseline=baseline, engine=engine)
            )
            _log.info("replication %d of %d done", replication + 1, count)
        return concat(parts)
    own = executor is None
    pool = executor or process_pool(workers)  # its workers end with this process
    try:
        futures = [pool.submit(_unit, scenario, seed, r, baseline, engine) for r in range(count)]
        results = []
        for done, future in enumerate(futures, start=1):
            results.append(future.result())
            _log.info("replication %d of %d done", done, count)
            if progress is not None:
                progress(done / count)
        return concat(results)
    finally:
        if own:
            pool.shutdown(cancel_futures=True)
