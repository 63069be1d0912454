"""Benchmark: one sweep of 16 replications of a medium scenario, run one unit after another,
on a local pool of 2 processes, and on a Dask LocalCluster of 2 worker processes.

The scenario (written here as YAML): 400 Rekognition models and 150 Lookout for Vision
models, stopped every evening at 20:00 and started at 08:00 for a week, each stop followed
by the SDK waiter's polls; about 1.5 s per replication with its counterfactual. Each run
goes to a fresh directory (a sweep skips the units it finds done) and is timed end to end
with `time.perf_counter`, as a user waits for it: starting the pool or the cluster, the
units writing their tables, the summary. The Dask figure is also given on a cluster
started beforehand. The summaries of all runs are checked to be identical.

Usage (from the repository root):

    .venv/bin/python benchmarks/bench_sweep.py                     # 16 replications, ~2 min
    .venv/bin/python benchmarks/bench_sweep.py --repeat 3          # the best of 3 of each
    .venv/bin/python benchmarks/bench_sweep.py --replications 8 --workers 2 --no-dask

Target: 2 workers at least 1.7 times faster than one after another. Two workers need two
idle cores: the script prints the load average, and on a shared machine the best of a few
repeats (`--repeat`) is the figure to trust.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

import pandas as pd

from simulator.executors import open_executor
from simulator.scenario import parse_scenario
from simulator.sweeps import SweepResults, sweep

SCENARIO = """\
name: bench-sweep
seed: 1
horizon: 7d
fleet:
  - {service: rekognition, project: storefront, count: 400}
  - {service: lookoutvision, project: welds, count: 150, inference_units: 2}
callers:
  scheduler: {retry: {mode: standard}}
requests:
  - {service: rekognition, operation: StopProjectVersion, caller: scheduler, every: 1d,
     time_of_day: "20:00", where: {status: [RUNNING]}}
  - {service: rekognition, operation: StartProjectVersion, caller: scheduler, every: 1d,
     time_of_day: "08:00", where: {status: [STOPPED]}}
  - {service: lookoutvision, operation: StopModel, caller: scheduler, every: 1d,
     time_of_day: "20:00", where: {status: [HOSTED]}}
  - {service: lookoutvision, operation: StartModel, caller: scheduler, every: 1d,
     time_of_day: "08:00", where: {status: [TRAINED]}}
"""


def timed(run: Callable[[str], SweepResults]) -> tuple[float, pd.DataFrame]:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        results = run(out)
        return time.perf_counter() - started, results.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true", help="leave the Dask runs out")
    parser.add_argument("--repeat", type=int, default=1, help="keep the best of this many")
    args = parser.parse_args()
    scenario = parse_scenario(SCENARIO, "<bench>")
    count, workers = args.replications, args.workers
    common: dict[str, Any] = {"replications": count}

    def on(executor: Executor) -> Callable[[str], SweepResults]:
        return lambda out: sweep(scenario, out=out, executor=executor, **common)

    runs: dict[str, Callable[[str], SweepResults]] = {
        "one after another": lambda out: sweep(scenario, out=out, workers=1, **common),
        f"process pool of {workers}": lambda out: sweep(
            scenario, out=out, workers=workers, **common
        ),
    }
    if not args.no_dask:
        runs[f"Dask LocalCluster of {workers}"] = lambda out: sweep(
            scenario, out=out, workers=workers, dask="local", **common
        )
    print(f"{count} replications of {scenario.name}; {os.cpu_count()} cores", flush=True)
    times: dict[str, float] = {}
    summaries = []

    def measure(name: str, run: Callable[[str], SweepResults]) -> None:
        seconds, summary = timed(run)
        times[name] = min(seconds, times.get(name, seconds))
        summaries.append(summary)
        load = os.getloadavg()[0]
        print(f"  {name:36s} {seconds:7.2f} s  (load average after: {load:.1f})", flush=True)

    for _ in range(args.repeat):
        for name, run in runs.items():
            measure(name, run)
        if not args.no_dask:
            with open_executor(workers, "local") as executor:
                measure(f"Dask LocalCluster of {workers}, started beforehand", on(executor))
    for other in summaries[1:]:
        pd.testing.assert_frame_equal(summaries[0], other)
    print("the summaries are identical")
    sequential = times["one after another"]
    print()
    for name, seconds in times.items():
        print(f"{name:36s} {seconds:7.2f} s   {sequential / seconds:4.2f}x")
    pool = sequential / times[f"process pool of {workers}"]
    verdict = "meets" if pool >= 1.7 else "misses"
    print(f"\npool of {workers} against one after another: {pool:.2f}x ({verdict} the 1.7x target)")


if __name__ == "__main__":  # Dask's worker processes import this module again
    main()
