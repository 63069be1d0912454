"""Benchmark: the event engine against the vector engine on a 100,000-stop fleet workload.

One invocation runs the same scenario through `simulator.runner.simulate(scenario, seed, 0,
engine=...)` with `events` and with `vector`, each in a fresh child process, in
interleaved pairs (events vector events vector ...), and prints the CPU model, Python and
load average beside every figure, then the median and range of the speed ratio (events
time / vector time) in wall and CPU time. Each run is timed as `simulate run` runs a
replication: the model (or the draws), its counterfactual without stops, the derived
`costs` and `stops`, every table cast to its schema.

The workload: N Rekognition models, all RUNNING; a Poisson stream of StopProjectVersion at
N / 3600 per second, each arrival stopping a model not yet stopped (all N within about an
hour); a lognormal network round trip (median 40 ms, p95 150 ms); the default stop latency
Uniform(60 s, 300 s); the caller's waiter polling DescribeProjectVersions every 30 s until
STOPPED: about 8.5 API calls and 3 transitions a stop. It is `bench_rekognition.py`'s
workload without its throttle (a bucket that can refuse is not the vector engine's).

Usage (from the repository root):

    .venv/bin/python benchmarks/bench_vector.py                 # N = 100,000, 3 pairs
    .venv/bin/python benchmarks/bench_vector.py --n 30000 --pairs 5

Target: the vector engine at least 20x the event engine (CPU time, median of the pairs).
The two engines draw in different orders, so their counts agree in distribution, not
exactly: the output lists both.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_rekognition import _load, _revision, machine, peak_rss_mb  # noqa: E402

ENGINES = ("events", "vector")
TARGET = 20.0


def scenario_yaml(n: int, seed: int) -> str:
    # the last of N exponential gaps lands at ~1 h +- 1 h/sqrt(N): leave 6 sigma, then the
    # longest stop and a poll after it
    horizon = math.ceil(3600 * (1 + 6 / math.sqrt(n)) + 900)
    return f"""\
name: bench-vector
seed: {seed}
horizon: {horizon}
fleet:
  - {{service: rekognition, project: fleet, count: {n}}}
callers:
  default:
    network: {{kind: lognormal, median: 40ms, p95: 150ms}}
    waiter: {{delay: 30s, max_attempts: 40}}
requests:
  - {{name: stops, service: rekognition, poisson: {{rate: {n / 3600}}}}}
"""


def child(engine: str, n: int, seed: int) -> None:
    sys.path.insert(0, str(ROOT))
    from simulator.runner import simulate
    from simulator.scenario import parse_scenario

    scenario = parse_scenario(scenario_yaml(n, seed))
    wall, cpu = time.perf_counter(), time.process_time()
    tables = simulate(scenario, seed, 0, engine=engine)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stops, calls = tables["stops"], tables["calls"]
    stats = {
        "stops": len(stops),
        "accepted": int(stops["accepted"].sum()),
        "calls": len(calls),
        "polls": int((calls["operation"] == "DescribeProjectVersions").sum()),
        "transitions": len(tables["transitions"]),
        "mean stop latency s": float(stops["stop_latency_s"].mean()),
        "mean seen after s": float((stops["observed_at"] - stops["requested_at"]).mean()),
        "billed USD": float(tables["costs"]["usd"].sum()),
    }
    result = {"seconds": wall, "cpu_seconds": cpu, "peak_rss_mb": peak_rss_mb(), "stats": stats}
    print(json.dumps(result), flush=True)


def spawn(engine: str, n: int, seed: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", engine, "--n", str(n), "--seed", str(seed)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{engine} child failed with status {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="stops (= models)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=3, help="interleaved pairs")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.n, args.seed)
        return
    print(machine())
    print(f"commit {_revision()}  N={args.n:,} stops, each engine in a fresh process")
    runs: dict[str, list[dict[str, Any]]] = {engine: [] for engine in ENGINES}
    for pair in range(1, args.pairs + 1):
        line = [f"  pair {pair}  load {_load():4.2f}"]
        for engine in ENGINES:
            result = spawn(engine, args.n, args.seed)
            runs[engine].append(result)
            line.append(
                f"{engine} {result['seconds']:6.2f} s wall {result['cpu_seconds']:6.2f} s CPU "
                f"{result['peak_rss_mb']:5.0f} MB"
            )
        events, vector = runs["events"][-1], runs["vector"][-1]
        line.append(
            f"ratio {events['seconds'] / vector['seconds']:5.1f} wall "
            f"{events['cpu_seconds'] / vector['cpu_seconds']:5.1f} CPU"
        )
        print("  ".join(line), flush=True)
    print(f"  load after {_load():4.2f}")
    print(f"\n{'counts (first run)':26s}" + "".join(f"{e:>18s}" for e in ENGINES))
    for key in runs["events"][0]["stats"]:
        cells = [runs[e][0]["stats"][key] for e in ENGINES]
        print(f"  {key:24s}" + "".join(f"{c:>18,.2f}" for c in cells))
    for unit, key in (("wall", "seconds"), ("CPU", "cpu_seconds")):
        ratios = sorted(
            e[key] / v[key] for e, v in zip(runs["events"], runs["vector"], strict=True)
        )
        print(
            f"speed vector / events, {unit:4s}: median {statistics.median(ratios):.1f}x  "
            f"range {ratios[0]:.1f}-{ratios[-1]:.1f}x  ({len(ratios)} pairs; target >= "
            f"{TARGET:g}x)"
        )


if __name__ == "__main__":
    main()
