"""Benchmark: a nightly stop as the user's own boto3 code against the built-in callers.

One invocation runs the same 30-day workload two ways, each run in a fresh child process,
in interleaved pairs (builtin, boto3, builtin, boto3, ...: a change in the machine's load
falls on both runs of a pair), and prints the CPU model, Python and load average beside
every figure, then the median and range over the pairs of API calls per wall second and
simulated seconds per wall second, for both. Then one cProfile run of the boto3 variant,
its self time grouped by where it goes (botocore's serialising, parsing, signing and
events; our wire and hooks; greenlet switching; SimPy; the control plane), as a table.

    builtin  `automation/nightly-stop-builtin.yaml`: request streams stop every RUNNING
             Rekognition model at 20:00 (the caller's waiter polls each every 30 s until
             STOPPED) and start every STOPPED one at 08:00 with the units it had.
    boto3    `automation/nightly-stop-boto3.yaml`: the same fleet, caller and schedule, the
             requests made by `automation/nightly_stop.py`, Lambda functions as a platform
             team writes them: page through DescribeProjects and DescribeProjectVersions,
             stop each RUNNING model, describe each one not yet STOPPED every 30 s; in the
             morning, start each STOPPED one.

Each run is `simulator.runner.simulate(scenario, seed, 0, baseline=False)` (building the
model, the event loop, the derived `stops` and `costs`); importing the simulator (and
boto3) is timed apart. Both variants draw the stop latencies from the same named streams,
so their stops agree; the boto3 function polls in rounds rather than one waiter per model,
and lists before it acts, so its call counts differ a little: the output lists both.

Usage (from the repository root):

    .venv/bin/python benchmarks/bench_automation.py                # 100 models, 5 pairs
    .venv/bin/python benchmarks/bench_automation.py --n 300 --pairs 3
    .venv/bin/python benchmarks/bench_automation.py --pairs 0       # the profile alone

Aim (issue 14): at least 2,000 boto3 API calls per wall second on this machine.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_rekognition import (  # noqa: E402
    _fmt,
    _load,
    _revision,
    machine,
    peak_rss_mb,
    print_row,
)

VARIANTS = ("builtin", "boto3")
SCENARIOS = {v: HERE / "automation" / f"nightly-stop-{v}.yaml" for v in VARIANTS}
AIM = 2000  # boto3 API calls per wall second (issue 14)
SHARES = (0.6, 0.4)  # the models of each fleet entry (two projects)
PROFILE_OUT = "profile.pstats"


def load(variant: str, n: int, days: int) -> Any:
    """The variant's scenario with `n` models split over its two projects, `days` long."""
    from simulator.scenario.loader import validate_scenario

    path = SCENARIOS[variant]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    first = round(n * SHARES[0])
    for entry, count in zip(data["fleet"], (first, n - first), strict=True):
        entry["count"] = count
    data["horizon"] = f"{days}d"
    return validate_scenario(data, str(path), path.parent)


def run(variant: str, n: int, days: int, seed: int) -> dict[str, Any]:
    """One run, timed; its counts, for checking the two variants simulate the same."""
    started = time.perf_counter()
    from simulator.runner import simulate

    if variant == "boto3":
        import boto3  # noqa: F401

        import simulator.aws.hooks  # noqa: F401
    import_s = time.perf_counter() - started
    scenario = load(variant, n, days)
    wall, cpu = time.perf_counter(), time.process_time()
    tables = simulate(scenario, seed, 0, baseline=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    calls, stops = tables["calls"], tables["stops"]
    operations = calls["operation"].astype(str).value_counts()
    invocations = tables.get("invocations")
    stats: dict[str, float] = {
        "API calls": len(calls),
        "  StopProjectVersion": int(operations.get("StopProjectVersion", 0)),
        "  StartProjectVersion": int(operations.get("StartProjectVersion", 0)),
        "  DescribeProjectVersions": int(operations.get("DescribeProjectVersions", 0)),
        "  DescribeProjects": int(operations.get("DescribeProjects", 0)),
        "  errors": int(calls["error_code"].notna().sum()),
        "stops": len(stops),
        "stops accepted": int(stops["accepted"].fillna(False).sum()),
        "stops seen STOPPED": int(stops["observed_at"].notna().sum()),
        "mean stop latency s": float(stops["stop_latency_s"].mean()),
        "mean seen after s": float((stops["observed_at"] - stops["requested_at"]).mean()),
        "billed USD": float(tables["costs"]["usd"].sum()),
        "invocations": 0 if invocations is None else len(invocations),
        "invocations not ok": 0
        if invocations is None
        else int((invocations["outcome"].astype(str) != "ok").sum()),
    }
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "import_s": import_s,
        "simulated_s": float(scenario.horizon),
        "calls": len(calls),
        "peak_rss_mb": peak_rss_mb(),
        "stats": stats,
    }


def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))  # this checkout's simulator, before an installed one
    if args.profile_to is None:
        print(json.dumps(run(args.child, args.n, args.days, args.seed)), flush=True)
        return
    import boto3  # noqa: F401  imported before profiling, as the timed runs import it

    import simulator.aws.hooks
    import simulator.runner  # noqa: F401

    profiler = cProfile.Profile()
    profiler.enable()
    result = run(args.child, args.n, args.days, args.seed)
    profiler.disable()
    profiler.dump_stats(args.profile_to)
    print(json.dumps(result), flush=True)


def spawn(variant: str, args: argparse.Namespace, profile_to: str | None = None) -> Any:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", variant]
    command += ["--n", str(args.n), "--days", str(args.days), "--seed", str(args.seed)]
    command += [] if profile_to is None else ["--profile-to", profile_to]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{variant} child failed with status {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- where the time goes ---------------------------------------------------------------------

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("botocore: serialise + validate", ("botocore/serialize.py", "botocore/validate.py")),
    ("botocore: parse responses", ("botocore/parsers.py", "botocore/response.py")),
    ("botocore: sign (SigV4)", ("botocore/auth.py", "botocore/signers.py", "botocore/crede")),
    ("botocore: events (emit)", ("botocore/hooks.py", "botocore/handlers.py")),
    ("botocore: request objects, endpoint", ("botocore/awsrequest.py", "botocore/endpoint.py")),
    ("botocore: endpoint rules", ("botocore/regions.py", "botocore/endpoint_provider.py")),
    ("botocore: client, retries, other", ("botocore/", "boto3/")),
    ("our wire (decode, encode)", ("simulator/aws/wire.py",)),
    ("our hooks, account, clock, Lambda", ("simulator/aws/",)),
    ("greenlet switching, actors", ("greenlet", "simulator/aws/actors.py")),
    ("SimPy", ("simpy/",)),
    (
        "control plane, recorder",
        ("simulator/api/", "simulator/services/", "simulator/engine/", "simulator/workload/"),
    ),
    ("user code (nightly_stop.py)", ("benchmarks/automation/",)),
    ("model build, derived tables", ("simulator/",)),
)
"""Files (path fragments) -> group, first match wins; actors.py is tested before aws/."""
OTHER = "other (unattributed)"


def group_of(key: tuple[str, int, str]) -> str | None:
    """The group a profiled function belongs to; None for the standard library, builtins
    and other packages, whose time goes to their callers."""
    path, _, name = key
    path = path.replace("\\", "/")
    if path == "~":  # a builtin: greenlet's switch is a group, the rest go to their callers
        return "greenlet switching, actors" if "greenlet" in name else None
    if "simulator/aws/actors.py" in path:
        return "greenlet switching, actors"
    for group, fragments in GROUPS:
        if any(f"/{fragment}" in path or path.startswith(fragment) for fragment in fragments):
            return group
    return None


def grouped(stats: pstats.Stats) -> dict[str, float]:
    """Self seconds per group; a function of no group passes its self time to its callers
    in proportion to the time each call site spent in it, up to the first with a group."""
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    memo: dict[Any, dict[str, float]] = {}

    def owners(key: Any, seen: frozenset[Any]) -> dict[str, float]:
        """Fractions of `key`'s time owed to each group."""
        group = group_of(key)
        if group is not None:
            return {group: 1.0}
        if key in memo:
            return memo[key]
        callers = table[key][4]
        weights = {c: edge[3] or edge[2] for c, edge in callers.items() if c not in seen}
        total = sum(weights.values())
        if not total:
            return {OTHER: 1.0}
        shares: dict[str, float] = {}
        for caller, weight in weights.items():
            for owner, part in owners(caller, seen | {key}).items():
                shares[owner] = shares.get(owner, 0.0) + part * weight / total
        memo[key] = shares  # within a cycle, an approximation: cycles are rare and short
        return shares

    seconds: dict[str, float] = {}
    for key, (_, _, self_s, _, _) in table.items():
        for owner, part in owners(key, frozenset()).items():
            seconds[owner] = seconds.get(owner, 0.0) + part * self_s
    return seconds


def profile_table(path: str, calls: int, unprofiled_us: float | None) -> None:
    seconds = grouped(pstats.Stats(path))
    total = sum(seconds.values())
    order = [g for g, _ in GROUPS] + [OTHER]
    print(
        f"\nwhere the time goes, boto3 variant: one cProfile run, {total:.1f} s of self time "
        f"({1e6 * total / calls:.0f} µs a call under the profiler"
        + (f"; {unprofiled_us:.0f} µs unprofiled, median of the pairs" if unprofiled_us else "")
        + ")"
    )
    print(f"  {'group':38s} {'seconds':>8s} {'share':>7s} {'µs/call':>8s}")
    for group in dict.fromkeys(order):
        if group in seconds:
            s = seconds[group]
            print(f"  {group:38s} {s:8.2f} {100 * s / total:6.1f}% {1e6 * s / calls:8.1f}")
    print(
        "  (standard library and builtins counted in their callers' groups; the profiler's "
        "own cost per function call inflates small, frequent functions)"
    )


# -- driver ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="models (60%% / 40%% in 2 projects)")
    parser.add_argument("--days", type=int, default=30, help="simulated days")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=5, help="interleaved pairs (0: none)")
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    print(machine())
    print(
        f"commit {_revision()}  {args.n} Rekognition models, {args.days} simulated days, stop "
        "at 20:00 and start at 08:00, each run in a fresh process"
    )
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
    for pair in range(1, args.pairs + 1):
        line = [f"  pair {pair}  load {_load():4.2f}"]
        for variant in VARIANTS:
            result = spawn(variant, args)
            runs[variant].append(result)
            line.append(
                f"{variant} {result['seconds']:6.2f} s wall {result['cpu_seconds']:6.2f} s CPU"
                f" {result['calls'] / result['seconds']:8,.0f} calls/s"
            )
        print("  ".join(line), flush=True)
    if args.pairs:
        print(f"  load after {_load():4.2f}")
        report(runs)
    if args.profile:
        with tempfile.TemporaryDirectory() as directory:
            out = str(Path(directory) / PROFILE_OUT)
            print(f"\nprofiling one boto3 run (load {_load():.2f}) ...", flush=True)
            result = spawn("boto3", args, profile_to=out)
            unprofiled = (
                statistics.median(1e6 * r["seconds"] / r["calls"] for r in runs["boto3"])
                if runs["boto3"]
                else None
            )
            profile_table(out, result["calls"], unprofiled)


def report(runs: dict[str, list[dict[str, Any]]]) -> None:
    """Medians and ranges over the pairs, per variant; the counts of the first runs."""
    pairs = len(runs[VARIANTS[0]])
    print(f"\n{'median (range) of ' + str(pairs) + ' runs':34s}", end="")
    print("".join(f"{v:>28s}" for v in VARIANTS))

    def row(label: str, value: Callable[[dict[str, Any]], float], spec: str) -> None:
        print_row(runs, label, value, spec, (34, 28))

    row("wall seconds", lambda r: r["seconds"], ".2f")
    row("CPU seconds", lambda r: r["cpu_seconds"], ".2f")
    row("API calls / wall second", lambda r: r["calls"] / r["seconds"], ",.0f")
    row("API calls / CPU second", lambda r: r["calls"] / r["cpu_seconds"], ",.0f")
    row("simulated s / wall second", lambda r: r["simulated_s"] / r["seconds"], ",.0f")
    row("µs of wall time per API call", lambda r: 1e6 * r["seconds"] / r["calls"], ",.0f")
    row("import seconds (not timed above)", lambda r: r["import_s"], ".2f")
    row("peak RSS MB", lambda r: r["peak_rss_mb"], ".0f")
    print(f"{'counts (first run of each)':34s}")
    for key in runs[VARIANTS[0]][0]["stats"]:
        cells = [_fmt(runs[v][0]["stats"][key]) for v in VARIANTS]
        print(f"  {key:32s}" + "".join(f"{c:>28s}" for c in cells))
    boto3 = sorted(r["calls"] / r["seconds"] for r in runs["boto3"])
    median = statistics.median(boto3)
    verdict = "meets" if median >= AIM else "misses"
    print(
        f"boto3 API calls per wall second: median {median:,.0f} (range {boto3[0]:,.0f}-"
        f"{boto3[-1]:,.0f}, {pairs} runs): {verdict} the aim of {AIM:,} (issue 14)"
    )
    ratios = sorted(
        (b["calls"] / b["seconds"]) / (o["calls"] / o["seconds"])
        for b, o in zip(runs["builtin"], runs["boto3"], strict=True)
    )
    print(
        f"API calls per wall second, builtin / boto3, pair by pair: median "
        f"{statistics.median(ratios):.1f}x (range {ratios[0]:.1f}-{ratios[-1]:.1f}x)"
    )


if __name__ == "__main__":
    main()
