"""Benchmark: a month of inference requests to a 200-model fleet under an idle-stop policy.

Each replication runs in a fresh child process through `simulator.runner.simulate(scenario,
seed, k)`, as `simulate run` runs one: the demand drawn, the policy's stops and starts
simulated, the counterfactual (always-on) run, every table derived and cast to its schema.
The output gives the CPU model, Python and load average first, then per replication its
CPU and wall seconds, peak RSS, the rows of each table and their size in MB, in memory
(pandas, deep) and as the Parquet files a run directory holds, and the inference requests
drawn.

The workload: `--models` Rekognition Custom Labels models of one inference unit from Monday
2026-01-05 for `--days` days; `--rate` requests a second fleet-wide, 09:00-18:00 UTC Monday
to Friday, split equally across the models (the issue's plain reading: the headline), then
one replication split by a Zipf popularity (s = 1.1: a few models called constantly, most
rarely, so fewer models have requests in a minute and the `demand` table is smaller); a
requester waits up to 5 minutes for a stopped model's start; an
idle_stop policy stops a model after 15 minutes without a request and starts it on the next.

Usage (from the repository root):

    .venv/bin/python benchmarks/bench_hosting.py                    # 30 days, 200 models, 5/s
    .venv/bin/python benchmarks/bench_hosting.py --replications 1 --days 7 --no-zipf

Targets (issue 16): under a minute of CPU per replication on this machine, and its tables
under 100 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_rekognition import _load, _revision, machine, peak_rss_mb  # noqa: E402

TARGET_CPU_S = 60.0
TARGET_MB = 100.0


POPULARITY = {"equal": "{kind: equal}", "zipf": "{kind: zipf, s: 1.1}"}


def scenario_yaml(days: int, models: int, rate: float, seed: int, popularity: str) -> str:
    return f"""\
name: bench-hosting
seed: {seed}
horizon: {days}d
start: 2026-01-05T00:00:00Z
fleet:
  - {{service: rekognition, project: fleet, count: {models}}}
demand:
  - group: fleet
    total: {rate}/s
    popularity: {POPULARITY[popularity]}
    profile: {{hours: {{"09:00-18:00": 1.0}}, weekdays: {{mon-fri: 1}}}}
    serving: {{on_not_running: wait, max_wait: 5m}}
policies:
  idle: {{kind: idle_stop, groups: [fleet], after: 15m}}
"""


def child(
    days: int, models: int, rate: float, seed: int, replication: int, popularity: str
) -> None:
    sys.path.insert(0, str(ROOT))
    from simulator.results import Results
    from simulator.runner import simulate
    from simulator.scenario import parse_scenario

    scenario = parse_scenario(scenario_yaml(days, models, rate, seed, popularity))
    wall, cpu = time.perf_counter(), time.process_time()
    tables = simulate(scenario, seed, replication)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = peak_rss_mb()
    memory = {name: float(t.memory_usage(deep=True).sum()) / 1e6 for name, t in tables.items()}
    with tempfile.TemporaryDirectory() as folder:
        Results(scenario, seed, 1, tables).save(Path(folder) / "run")
        files = {
            path.stem: path.stat().st_size / 1e6
            for path in (Path(folder) / "run").glob("*.parquet")
        }
    demand = tables["demand"]
    result = {
        "seconds": wall,
        "cpu_seconds": cpu,
        "peak_rss_mb": peak,
        "rows": {name: len(t) for name, t in tables.items()},
        "memory_mb": memory,
        "parquet_mb": files,
        "requests": int(demand["requests"].sum()),
        "not_served_at_once": int(
            (demand["requests"] - demand["served"] + demand["delayed"]).sum()
        ),
        "cold_starts": int(
            (
                tables["transitions"]["cause"].astype(str).str.startswith("policy:")
                & (tables["transitions"]["to_status"] == "STARTING")
            ).sum()
        ),
    }
    print(json.dumps(result), flush=True)


def spawn(args: argparse.Namespace, replication: int, popularity: str) -> dict[str, Any]:
    command = [
        sys.executable, __file__, "--child", str(replication), "--days", str(args.days),
        "--models", str(args.models), "--rate", str(args.rate), "--seed", str(args.seed),
        "--popularity", popularity,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"replication {replication} failed with status {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--models", type=int, default=200)
    parser.add_argument("--rate", type=float, default=5.0, help="requests/s, fleet-wide")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replications", type=int, default=3, help="each in a fresh process")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--popularity", default="equal", help=argparse.SUPPRESS)
    parser.add_argument("--no-zipf", action="store_true", help="skip the Zipf row")
    args = parser.parse_args()
    if args.child is not None:
        child(args.days, args.models, args.rate, args.seed, args.child, args.popularity)
        return
    print(machine())
    print(
        f"commit {_revision()}  {args.days} days, {args.models} models, {args.rate:g} requests/s "
        "fleet-wide 09:00-18:00 Mon-Fri, idle_stop after 15 min; each replication in a fresh "
        "process, its counterfactual included"
    )
    runs = [run(args, k, "equal") for k in range(args.replications)]
    zipf = [] if args.no_zipf else [run(args, 0, "zipf")]
    print(f"  load after {_load():4.2f}")
    for label, first in [("equal", runs[0]), *[("zipf", z) for z in zipf]]:
        print(f"\n{f'table ({label}, replication 0)':30s}{'rows':>12s}{'MB memory':>12s}"
              f"{'MB Parquet':>12s}")  # fmt: skip
        for name, rows in first["rows"].items():
            print(
                f"  {name:28s}{rows:>12,d}{first['memory_mb'][name]:>12.2f}"
                f"{first['parquet_mb'].get(name, 0.0):>12.2f}"
            )
    cpu = sorted(r["cpu_seconds"] for r in runs)
    memory = sorted(sum(r["memory_mb"].values()) for r in runs)
    print(
        f"equal split, CPU per replication: median {statistics.median(cpu):.2f} s, range "
        f"{cpu[0]:.2f}-{cpu[-1]:.2f} s (target < {TARGET_CPU_S:g} s); tables in memory: median "
        f"{statistics.median(memory):.1f} MB (target < {TARGET_MB:g} MB)"
    )


def run(args: argparse.Namespace, k: int, popularity: str) -> dict[str, Any]:
    """Replication `k` in a fresh process, and its line."""
    before = _load()
    result = spawn(args, k, popularity)
    memory, files = sum(result["memory_mb"].values()), sum(result["parquet_mb"].values())
    print(
        f"  {popularity:5s} replication {k}  load {before:4.2f}  {result['cpu_seconds']:6.2f} s "
        f"CPU {result['seconds']:6.2f} s wall  peak RSS {result['peak_rss_mb']:5.0f} MB  "
        f"tables {memory:6.1f} MB in memory, {files:5.1f} MB Parquet  "
        f"{result['requests']:,} requests, {result['cold_starts']:,} cold starts, "
        f"{result['not_served_at_once']:,} not served at once",
        flush=True,
    )
    return result


if __name__ == "__main__":
    main()
