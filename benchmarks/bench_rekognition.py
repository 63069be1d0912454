"""Benchmark: N Rekognition StopProjectVersion requests, simulator vs. a plain SimPy model.

One invocation runs the same workload two ways, each run in its own child process (so each
has its own peak RSS), in interleaved pairs (plain, sim, plain, sim, ...: a change in the
machine's load falls on both of a pair), and prints each pair's ratio of speeds, then the
median and range over the pairs, in wall-clock and CPU time, with the CPU model, Python
version and load average they were measured at:

    sim     a scenario written here as YAML (N RUNNING models, a Poisson stream of
            StopProjectVersion, a token-bucket throttle on it, a lognormal network, the default
            stop latency Uniform(60 s, 300 s), the caller's waiter polling
            DescribeProjectVersions every 30 s until STOPPED), run by `simulator.runner.simulate`
            (build, event loop and the derived `stops` and `costs` tables all timed).
    plain   the same workload written directly on SimPy: same N, same arrivals, same
            distributions drawn with numpy in blocks, a token bucket, botocore's standard
            retries on throttling, the same polling; every call, transition and stop recorded
            as rows in `array.array` columns, turned into DataFrames at the end.

Usage (from the repository root):

    .venv/bin/python benchmarks/bench_rekognition.py                 # N = 30,000, 5 pairs
    .venv/bin/python benchmarks/bench_rekognition.py --n 100000 --pairs 3
    .venv/bin/python benchmarks/bench_rekognition.py --only sim --million --pairs 1  # memory
    .venv/bin/python benchmarks/bench_rekognition.py --profile sim   # cProfile, in-process

Targets (issue 17): the simulator at least 0.6 of the plain model's speed at 30k and 100k
stops; 1,000,000 stops in one replication under 1.5 GB peak RSS. The ratio depends on the
CPU and the Python version: quote it with both, as the output does.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# -- the workload, shared by both variants ---------------------------------------------------

ARRIVAL_WINDOW_S = 3600.0  # all N stops arrive, on average, within the first hour
NETWORK_MEDIAN_S = 0.040  # lognormal round trip, as in scenarios/rekognition-throttled-burst
NETWORK_P95_S = 0.150
STOP_LOW_S, STOP_HIGH_S = 60.0, 300.0  # the simulator's default Rekognition stop latency
POLL_DELAY_S = 30.0  # the default waiter
POLL_MAX = 40
MAX_ATTEMPTS = 3  # botocore standard mode
THROTTLE_BURST = 10
Z95 = 1.6448536269514722
BLOCK = 1024
TARGET_RATIO = 0.6  # issue 17: the simulator at least 0.6 of the plain model's speed
TARGET_PEAK_MB = 1536  # and 1,000,000 stops in one replication under 1.5 GB


class Workload:
    """The parameters both variants are built from."""

    def __init__(
        self, n: int, seed: int, throttle_factor: float, rate: float | None = None
    ) -> None:
        self.n = n
        self.seed = seed
        # By default the N stops arrive within an hour: the stops in flight grow with N.
        # At a given `rate` (stops a second) they grow with N only in number of models.
        self.arrival_rate = n / ARRIVAL_WINDOW_S if rate is None else rate
        window = n / self.arrival_rate
        # The last of N exponential gaps lands at ~window +- window/sqrt(N): leave 6 sigma,
        # then the longest stop (300 s) and a poll after it, with room for retries.
        self.horizon = math.ceil(window * (1 + 6 / math.sqrt(n)) + 900)
        self.throttle_rate = throttle_factor * self.arrival_rate
        self.throttle_burst = THROTTLE_BURST

    def scenario_yaml(self) -> str:
        return f"""\
name: bench-rekognition-stop
seed: {self.seed}
replications: 1
horizon: {self.horizon}
services:
  rekognition:
    throttle:
      StopProjectVersion: {{rate: {self.throttle_rate!r}, burst: {self.throttle_burst}}}
fleet:
  - service: rekognition
    project: bench
    count: {self.n}
callers:
  ops:
    retry: {{mode: standard}}
    network: {{kind: lognormal, median: {NETWORK_MEDIAN_S}, p95: {NETWORK_P95_S}}}
    waiter: {{delay: {POLL_DELAY_S}, max_attempts: {POLL_MAX}}}
requests:
  - name: stops
    service: rekognition
    operation: StopProjectVersion
    caller: ops
    poisson: {{rate: {self.arrival_rate!r}}}
    wait: true
"""


def peak_rss_mb() -> float:
    """This process's peak resident set size (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float | None:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return None


# -- (a) the simulator -----------------------------------------------------------------------


def run_simulator(work: Workload) -> dict[str, Any]:
    started = time.perf_counter()
    from simulator.runner import simulate
    from simulator.scenario import parse_scenario

    import_s = time.perf_counter() - started
    baseline_mb = current_rss_mb()
    started = time.perf_counter()
    scenario = parse_scenario(work.scenario_yaml(), source="<bench>")
    parse_s = time.perf_counter() - started

    started, cpu = time.perf_counter(), time.process_time()
    tables = simulate(scenario, work.seed, 0, baseline=False)  # the simulation alone
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu

    calls, stops, transitions = tables["calls"], tables["stops"], tables["transitions"]
    operation = calls["operation"]  # compared as categoricals: strings of 8.5 million
    error = calls["error_code"]  # rows would cost more memory than the simulation
    stop_calls = operation == "StopProjectVersion"
    stats = {
        "stops": len(stops),
        "accepted": int(stops["accepted"].fillna(False).sum()),
        "observed": int(stops["observed_at"].notna().sum()),
        "calls": len(calls),
        "stop_attempts": int(stop_calls.sum()),
        "throttled": int((error == "ThrottlingException").sum()),
        "polls": int((operation == "DescribeProjectVersions").sum()),
        "transitions": len(transitions),
        "mean_stop_latency_s": float(stops["stop_latency_s"].mean()),
        "mean_observed_after_s": float((stops["observed_at"] - stops["requested_at"]).mean()),
    }
    del calls, stops, transitions, operation, error, stop_calls
    run_peak_mb = peak_rss_mb()
    write_s, parquet_mb = write_parquet(tables)  # as simulate run writes them: not timed above
    return {
        "variant": "sim",
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "import_s": import_s,
        "parse_s": parse_s,
        "baseline_rss_mb": baseline_mb,
        "run_peak_rss_mb": run_peak_mb,
        "write_s": write_s,
        "parquet_mb": parquet_mb,
        "stats": stats,
    }


def write_parquet(tables: dict[str, Any]) -> tuple[float, float]:
    """Write every table to Parquet in a scratch folder, as `simulate run` writes a run's
    tables (`simulator.output.write_table`): the wall seconds it took and the files' MB."""
    from simulator.output import write_table
    from simulator.tables import arrow_schema

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for name in list(tables):
            write_table(Path(folder) / f"{name}.parquet", tables[name], arrow_schema(name))
        size = sum(path.stat().st_size for path in Path(folder).iterdir())
    return time.perf_counter() - started, size / 2**20


# -- (b) the plain SimPy model ---------------------------------------------------------------

RUNNING, STOPPING, STOPPED = 0, 1, 2
OP_STOP, OP_DESCRIBE = 0, 1
OK, THROTTLED, IN_USE = 0, 1, 2
HTTP = {OK: 200, THROTTLED: 500, IN_USE: 400}
QUOTA, THROTTLE_COST = 500, 5  # botocore standard mode's retry quota


def _sampler(draw: Callable[[int], Any]) -> Callable[[], float]:
    """Numpy draws in blocks, handed out one at a time."""

    def blocks() -> Iterator[float]:
        while True:
            yield from draw(BLOCK).tolist()

    return blocks().__next__


class Bucket:
    __slots__ = ("burst", "last", "rate", "tokens")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.tokens, self.last = rate, burst, float(burst), None

    def take(self, now: float) -> bool:
        if self.last is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def plain_model(work: Workload) -> dict[str, Any]:
    import numpy as np
    import pandas as pd
    import simpy

    n = work.n
    env = simpy.Environment()
    timeout = env.timeout
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(work.seed).spawn(6)]
    mu = math.log(NETWORK_MEDIAN_S)
    sigma = (math.log(NETWORK_P95_S) - mu) / Z95
    network = _sampler(lambda k: streams[0].lognormal(mu, sigma, k))
    stop_latency = _sampler(lambda k: streams[1].uniform(STOP_LOW_S, STOP_HIGH_S, k))
    jitter = _sampler(lambda k: streams[2].random(k))
    gaps = _sampler(lambda k: streams[3].exponential(1 / work.arrival_rate, k))
    order = streams[4].permutation(n).tolist()
    bucket = Bucket(work.throttle_rate, work.throttle_burst)
    quota = [QUOTA]

    status = bytearray(n)  # all RUNNING
    units = 1.0
    # transitions: time, model, from, to (-1: initial), units
    tr_time, tr_model, tr_from, tr_to = array("d"), array("i"), array("b"), array("b")
    tr_units = array("d")
    for model in range(n):
        tr_time.append(0.0), tr_model.append(model), tr_from.append(-1)
        tr_to.append(RUNNING), tr_units.append(units)
    # calls: time, operation, model, attempt, http status, error, latency
    c_time, c_op, c_model = array("d"), array("b"), array("i")
    c_attempt, c_http, c_error, c_latency = array("b"), array("h"), array("b"), array("d")
    # stops: request (time, model), response (time, accepted, attempts), observation time
    s_time, s_model = array("d"), array("i")
    r_request, r_time, r_ok, r_attempts = array("i"), array("d"), array("b"), array("b")
    o_request, o_time = array("i"), array("d")

    def move(model: int, to: int) -> None:
        tr_time.append(env.now), tr_model.append(model), tr_from.append(status[model])
        tr_to.append(to), tr_units.append(units)
        status[model] = to

    def stopped(model: int) -> None:
        if status[model] == STOPPING:
            move(model, STOPPED)

    def call(op: int, model: int):  # type: ignore[no-untyped-def]
        attempt, last_cost = 0, 0
        while True:
            attempt += 1
            sent = env.now
            half = network() / 2
            yield timeout(half)
            # the server, at the moment the request arrives
            seen, outcome = -1, OK
            if op == OP_STOP:
                if not bucket.take(env.now):
                    outcome = THROTTLED
                elif status[model] == RUNNING:
                    move(model, STOPPING)
                    timeout(stop_latency()).callbacks.append(lambda _e, m=model: stopped(m))
                elif status[model] != STOPPING:
                    outcome = IN_USE
            else:
                seen = status[model]
            yield timeout(half)
            c_time.append(sent), c_op.append(op), c_model.append(model)
            c_attempt.append(attempt), c_http.append(HTTP[outcome]), c_error.append(outcome)
            c_latency.append(env.now - sent)
            if outcome == OK:
                quota[0] = min(QUOTA, quota[0] + (last_cost or 1))
                return True, attempt, seen
            if outcome != THROTTLED or attempt >= MAX_ATTEMPTS or quota[0] < THROTTLE_COST:
                return False, attempt, seen
            quota[0] -= THROTTLE_COST
            last_cost = THROTTLE_COST
            yield timeout(jitter() * min(2.0 ** (attempt - 1), 20.0))

    def stop(model: int):  # type: ignore[no-untyped-def]
        request = len(s_time)
        s_time.append(env.now), s_model.append(model)
        ok, attempts, _ = yield from call(OP_STOP, model)
        r_request.append(request), r_time.append(env.now), r_ok.append(ok)
        r_attempts.append(attempts)
        if not ok:
            return
        for poll in range(POLL_MAX):
            if poll:  # like botocore's Waiter.wait: the first poll at once, then every delay
                yield timeout(POLL_DELAY_S)
            ok, _, seen = yield from call(OP_DESCRIBE, model)
            if not ok:
                return
            if seen == STOPPED:
                o_request.append(request), o_time.append(env.now)
                return

    def arrivals():  # type: ignore[no-untyped-def]
        for model in order:
            yield timeout(gaps())
            if env.now >= work.horizon:
                return
            env.process(stop(model))

    env.process(arrivals())
    env.run(until=work.horizon)

    def col(a: array) -> np.ndarray:
        return np.frombuffer(a, dtype=a.typecode).copy()

    return {
        "transitions": pd.DataFrame(
            {
                "time": col(tr_time),
                "model": col(tr_model),
                "from_status": col(tr_from),
                "to_status": col(tr_to),
                "units": col(tr_units),
            }
        ),
        "calls": pd.DataFrame(
            {
                "time": col(c_time),
                "operation": col(c_op),
                "model": col(c_model),
                "attempt": col(c_attempt),
                "http_status": col(c_http),
                "error": col(c_error),
                "latency_s": col(c_latency),
            }
        ),
        "requests": pd.DataFrame({"time": col(s_time), "model": col(s_model)}),
        "responses": pd.DataFrame(
            {
                "request": col(r_request),
                "time": col(r_time),
                "accepted": col(r_ok).astype(bool),
                "attempts": col(r_attempts),
            }
        ),
        "observations": pd.DataFrame({"request": col(o_request), "time": col(o_time)}),
    }


def run_plain(work: Workload) -> dict[str, Any]:
    started = time.perf_counter()
    import numpy as np
    import pandas as pd
    import simpy  # noqa: F401

    import_s = time.perf_counter() - started
    baseline_mb = current_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    tables = plain_model(work)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu

    calls, tr = tables["calls"], tables["transitions"]
    requests = tables["requests"]
    responses = tables["responses"].set_index("request")
    observed = tables["observations"].set_index("request")["time"]
    stopped = tr[tr["to_status"] == STOPPED].set_index("model")["time"]
    accepted = responses["accepted"].reindex(requests.index, fill_value=False)
    ends = pd.Series(stopped.reindex(requests["model"]).to_numpy(), index=requests.index)
    latency = (ends - requests["time"]).where(accepted)
    stats = {
        "stops": len(requests),
        "accepted": int(accepted.sum()),
        "observed": len(observed),
        "calls": len(calls),
        "stop_attempts": int((calls["operation"] == OP_STOP).sum()),
        "throttled": int((calls["error"] == THROTTLED).sum()),
        "polls": int((calls["operation"] == OP_DESCRIBE).sum()),
        "transitions": len(tr),
        "mean_stop_latency_s": float(np.nanmean(latency.to_numpy())),
        "mean_observed_after_s": float(
            (observed - requests["time"].reindex(observed.index)).mean()
        ),
    }
    return {
        "variant": "plain",
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "import_s": import_s,
        "parse_s": 0.0,
        "baseline_rss_mb": baseline_mb,
        "stats": stats,
    }


# -- driver ----------------------------------------------------------------------------------


def child(variant: str, work: Workload) -> None:
    sys.path.append(str(ROOT))  # after site-packages: an installed build, compiled or not, wins
    result = run_simulator(work) if variant == "sim" else run_plain(work)
    if variant == "sim":
        from simulator.version import build

        result["build"] = build()
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result), flush=True)


def spawn(variant: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        variant,
        "--n",
        str(args.n),
        "--seed",
        str(args.seed),
        "--throttle-factor",
        str(args.throttle_factor),
        *(["--rate", str(args.rate)] if args.rate is not None else []),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{variant} child failed with status {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def profile(variant: str, work: Workload, limit: int) -> None:
    import cProfile
    import pstats

    sys.path.append(str(ROOT))
    profiler = cProfile.Profile()
    profiler.enable()
    if variant == "sim":
        run_simulator(work)
    else:
        run_plain(work)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30_000, help="stop requests (= models)")
    parser.add_argument("--million", action="store_true", help="shorthand for --n 1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--rate",
        type=float,
        help="stops a second (default: N an hour, so that the stops in flight grow with N)",
    )
    parser.add_argument(
        "--throttle-factor",
        type=float,
        default=1.3,
        help="StopProjectVersion throttle rate as a multiple of the arrival rate (burst 10)",
    )
    parser.add_argument(
        "--pairs", type=int, default=5, help="interleaved pairs (plain, sim), each a ratio"
    )
    parser.add_argument("--only", choices=("sim", "plain"), help="run one variant only")
    parser.add_argument("--profile", choices=("sim", "plain"), help="cProfile one variant")
    parser.add_argument("--child", choices=("sim", "plain"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.million:
        args.n = 1_000_000
    work = Workload(args.n, args.seed, args.throttle_factor, args.rate)
    if args.child:
        child(args.child, work)
        return
    if args.profile:
        profile(args.profile, work, 40)
        return

    print(machine())
    print(
        f"commit {_revision()}  N={work.n:,} stops  arrivals poisson {work.arrival_rate:.2f}/s"
        f"  horizon {work.horizon} s  throttle {work.throttle_rate:.2f}/s burst "
        f"{work.throttle_burst}"
    )
    variants = [args.only] if args.only else ["plain", "sim"]
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    for pair in range(1, args.pairs + 1):
        line = [f"  pair {pair}  load {_load():4.2f}"]
        for variant in variants:  # interleaved: plain sim plain sim ...
            result = spawn(variant, args)
            runs[variant].append(result)
            line.append(
                f"{variant} {result['seconds']:6.2f} s wall {result['cpu_seconds']:6.2f} s CPU"
                f" {result['peak_rss_mb']:6.0f} MB"
            )
        if len(variants) == 2:
            plain, sim = runs["plain"][-1], runs["sim"][-1]
            line.append(
                f"ratio {plain['seconds'] / sim['seconds']:.3f} wall "
                f"{plain['cpu_seconds'] / sim['cpu_seconds']:.3f} CPU"
            )
        print("  ".join(line), flush=True)
    print(f"  load after {_load():4.2f}")
    report(work, runs)


def report(work: Workload, runs: dict[str, list[dict[str, Any]]]) -> None:
    """Medians and ranges over the pairs: per variant, then of the per-pair ratios."""
    variants = list(runs)
    print()
    print(f"{'median (range) of ' + str(len(runs[variants[0]])) + ' runs':32s}", end="")
    print("".join(f"{v:>30s}" for v in variants))

    def row(label: str, value: Callable[[dict[str, Any]], float], spec: str) -> None:
        print_row(runs, label, value, spec, (32, 30))

    row("wall seconds", lambda r: r["seconds"], ".2f")
    row("CPU seconds", lambda r: r["cpu_seconds"], ".2f")
    row("stop requests / CPU s", lambda r: work.n / r["cpu_seconds"], ",.0f")
    row("CPU µs per stop", lambda r: 1e6 * r["cpu_seconds"] / work.n, ".0f")
    row("peak RSS MB", lambda r: r["peak_rss_mb"], ".0f")
    if "sim" in runs:
        print_row(
            {"sim": runs["sim"]}, "  of which the run and tables", lambda r: r["run_peak_rss_mb"],
            ".0f", (32, 30 * len(variants)),
        )  # fmt: skip
        for label, key in (
            ("Parquet writing, wall s", "write_s"),
            ("Parquet files MB", "parquet_mb"),
        ):
            print_row(
                {"sim": runs["sim"]}, label, lambda r, k=key: r[k], ".1f", (32, 30 * len(variants))
            )
    first = runs[variants[0]][0]["stats"]
    print(f"{'counts (first run)':32s}")
    for key in first:
        print(f"  {key:30s}" + "".join(f"{_fmt(runs[v][0]['stats'][key]):>30s}" for v in variants))
    if len(variants) == 2:
        for unit, key in (("wall", "seconds"), ("CPU", "cpu_seconds")):
            ratios = sorted(
                p[key] / s[key] for p, s in zip(runs["plain"], runs["sim"], strict=True)
            )
            print(
                f"ratio simulator / plain, {unit:4s} (speed): median "
                f"{statistics.median(ratios):.3f}  range {ratios[0]:.3f}-{ratios[-1]:.3f}"
                f"  ({len(ratios)} pairs; target >= {TARGET_RATIO})"
            )
    if "sim" in runs:
        peak = max(r["peak_rss_mb"] for r in runs["sim"])
        verdict = "under" if peak < TARGET_PEAK_MB else "over"
        print(
            f"simulator peak RSS at N={work.n:,}, its tables written to Parquet: {peak:.0f} MB "
            f"({verdict} the {TARGET_PEAK_MB:,} MB target)"
        )
        print(f"simulator build: {runs['sim'][0]['build']} (README: A compiled build)")


def print_row(
    runs: dict[str, list[dict[str, Any]]],
    label: str,
    value: Callable[[dict[str, Any]], float],
    spec: str,
    widths: tuple[int, int],
) -> None:
    """One line of a report: for each variant, the median (range) of `value` over its runs,
    in columns of `widths` (label, cell); the other benchmarks print theirs with it."""
    cells = []
    for variant_runs in runs.values():
        values = sorted(value(r) for r in variant_runs)
        low, mid, high = values[0], statistics.median(values), values[-1]
        cells.append(f"{mid:{spec}} ({low:{spec}}-{high:{spec}})")
    print(f"{label:{widths[0]}s}" + "".join(f"{c:>{widths[1]}s}" for c in cells))


def machine() -> str:
    """What every figure depends on: CPU model, cores, Python, date, load."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            names = [line.split(":", 1)[1] for line in info if line.startswith("model name")]
        model = names[0].strip() if names else model
    except OSError:
        pass
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return (
        f"{when}  CPU {model} ({os.cpu_count()} logical)  "
        f"{platform.python_implementation()} {platform.python_version()}  load {_load():.2f}"
    )


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def _revision() -> str:
    """The commit measured, '+dirty' if simulator/ has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "simulator"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return (head or "unknown") + ("+dirty" if dirty else "")


def _fmt(value: float) -> str:
    return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"


if __name__ == "__main__":
    main()
