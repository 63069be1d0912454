"""What a run will ask of this machine, estimated from the scenario before anything is
built: resources, requests, calls, table rows, memory and time; and the refusal of a run
it cannot do.

A scenario that says `every: 1d` over a 1,000-year horizon, or ten million resources,
validates (each value is allowed) and then runs for days or until the memory is gone. The
estimate counts what the scenario asks for (resources from the fleet, requests from each
stream's schedule and targets, calls as requests and the polls of their waiters, rows as
the tables keep them) and prices them at rates measured on this simulator: `BYTES_PER_*`
and `SECONDS_PER_*`. It is an order of magnitude, meant to tell a run of minutes from one of
weeks, not to predict a run's seconds: a refusal says the estimate and the limit, and
`--force` runs it anyway.

Memory: one replication's model and tables live in each worker at once, and a run keeps
every replication's tables until they are written (a sweep writes each unit's and keeps
none). Limits: `MEMORY_SHARE` of the memory available now, and `TIME_LIMIT_S` of work.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from simulator import humanize
from simulator.errors import SimulatorError
from simulator.scenario import policies
from simulator.scenario.demand import Demand, hosted_sizes
from simulator.scenario.demand_size import demand_rows, entry_requests, expected_requests
from simulator.scenario.model import Requests, Scenario
from simulator.scenario.schedule import Schedule
from simulator.scenario.zones import weekdays
from simulator.services import SERVICES

BYTES_PER_RESOURCE: Final = 1_000
"""A live resource and its processes (measured on 2026-12-05: 452 MB for a million
Rekognition models as built; 0.4 to 1.3 kB for 100,000 idle resources of each service)."""
BYTES_PER_ROW: Final = 120
"""A table row at a replication's peak, as recorded, derived and written to Parquet
(measured: a million stops, 14.5 million rows, peaked at 1.84 GB with 452 MB of model)."""
BYTES_PER_KEPT_ROW: Final = 80
"""A row of a finished replication's tables, kept until the run writes them (measured:
1.13 GB for those 14.5 million rows)."""
SECONDS_PER_RESOURCE: Final = 25e-6
SECONDS_PER_ROW: Final = 20e-6
"""One core's time per resource (built twice: with and without stops) and per table row
(measured: a million stops, 14.5 million rows, in about 200 s on a shared core; 100,000
idle resources in 0.5 to 2.3 s)."""
SECONDS_PER_BOTO3_CALL: Final = 330e-6
"""One core's time per call of a handler's boto3 code, over a built-in row's (measured with
benchmarks/bench_automation.py: 328 µs a call, most of it botocore's own work)."""
VECTOR_SECONDS_PER_STOP: Final = 5e-6
VECTOR_BYTES_PER_STOP: Final = 1_800
"""The vector engine's core time and peak memory per stop (or per resource, where there are
more resources than stops): every resource's first transition, costs and baseline are
tables it makes too. Measured on 2026-12-05 with `benchmarks/bench_vector.py --child vector`
(each model stopped once, about 8.5 calls a stop) on the 2-core AMD EPYC at load 3: 0.45
to 0.57 s of CPU at 100,000 stops, and a peak RSS of 307 MB against 133 MB at 1,000 stops:
(307 - 133) MB / 99,000 stops = 1.76 kB a stop. A hundredth of the event engine's time."""
SECONDS_PER_INFERENCE: Final = 1e-6
BYTES_PER_INFERENCE: Final = 160
"""An inference request of `demand:`, drawn and served as arrays: measured on 2026-12-05 on
the 2-core AMD EPYC at load 1.9, a month of 200 models at 5/s in business hours (3.6
million requests) took 2.7 s and peaked 425 MB above an empty run's; at 10/s (7.1 million)
4.4 s and 917 MB: 0.6 to 0.75 us and 120 to 130 bytes each."""
BYTES_PER_DEMAND_ROW: Final = 50
"""A row of `demand` (or `waits`) kept: 47 to 48 bytes and its labels' categories
(benchmarks/bench_hosting.py: 1,846,435 rows of demand in 88.7 MB)."""
MEMORY_SHARE: Final = 0.8
TIME_LIMIT_S: Final = 6 * 3600.0
"""A run estimated longer than this is refused without --force: six hours."""
POLLS: Final = 10
"""Polls of a waiter counted per request (at most its max_attempts)."""


class TooBig(SimulatorError):
    """A run the estimate says this machine cannot do (or not within the time limit)."""


@dataclass(frozen=True)
class Estimate:
    """One replication's counts, and what the whole run asks of the machine."""

    resources: int
    requests: float
    calls: float
    rows: float
    replications: int
    workers: int
    keeps_tables: bool
    engine: str = "events"
    """`events` or `vector`: the vector engine is priced per stop, at its own rates."""
    boto3_calls: float = 0.0
    """Of `calls`, those a handler's code makes: each costs botocore's own work too."""
    inference: float = 0.0
    """Inference requests of `demand:`, on average: drawn and served as arrays, by either
    engine."""
    inference_rows: float = 0.0
    """Rows of the `demand` and `waits` tables: made as arrays (their time and peak memory
    are the requests'), but kept with the other tables until the run writes them."""

    @property
    def _drawn(self) -> float:
        """What the vector engine's time and memory grow with: its stops, or its resources
        where there are more of those."""
        return max(float(self.resources), self.requests)

    @property
    def seconds(self) -> float:
        """Core-seconds of the whole run over the workers: each replication builds its
        resources twice (with and without stops), and makes its rows once (the
        counterfactual sends no stop); or draws its stops, with the vector engine."""
        if self.engine == "vector":
            one = self._drawn * VECTOR_SECONDS_PER_STOP
        else:
            one = 2 * self.resources * SECONDS_PER_RESOURCE + self.rows * SECONDS_PER_ROW
            one += self.boto3_calls * SECONDS_PER_BOTO3_CALL
        one += self.inference * SECONDS_PER_INFERENCE
        return one * self.replications / max(1, min(self.workers, self.replications))

    @property
    def memory(self) -> float:
        """Bytes at the peak: a live replication per worker, and the tables of the others
        where the run keeps them until it writes them."""
        if self.engine == "vector":
            live = self._drawn * VECTOR_BYTES_PER_STOP
        else:
            live = self.resources * BYTES_PER_RESOURCE + self.rows * BYTES_PER_ROW
        live += self.inference * BYTES_PER_INFERENCE
        finished = self.replications - 1 if self.keeps_tables else 0
        kept = self.rows * BYTES_PER_KEPT_ROW + self.inference_rows * BYTES_PER_DEMAND_ROW
        return live * min(self.workers, self.replications) + kept * finished

    def describe(self) -> str:
        return (
            f"{self.resources:,} resources, about {_count(self.requests)} stop requests, "
            + (f"{_count(self.inference)} inference requests, " if self.inference else "")
            + f"{_count(self.calls)} calls and {_count(self.rows + self.inference_rows)} table "
            "rows per replication, "
            f"{_count(self.replications)} replication(s) on {self.workers} worker(s): about "
            f"{_bytes(self.memory)} of memory and {_seconds(self.seconds)} of work"
        )


def estimate(
    scenario: Scenario,
    replications: int,
    workers: int = 1,
    *,
    keeps_tables: bool = True,
    engine: str = "events",
) -> Estimate:
    """What running `replications` of `scenario` on `workers` processes, with `engine`
    (`events` or `vector`), asks for."""
    resources = sum(_resources(entry) for entry in scenario.fleet)
    streams = [stream for _, stream in scenario.operation_streams]
    sent = [_requests(scenario, stream) for stream in streams]
    calls = sum(n * (2 + _polls(scenario, s)) for n, s in zip(sent, streams, strict=True))
    # A handler's calls are its code's: counted as a list, a stop and a poll per resource
    invoked = sum(_occurrences(scenario, s) for _, s in scenario.handler_streams)
    boto3_calls = invoked * 3.0 * resources
    requests = sum(sent) + invoked
    cycles = policy_cycles(scenario)
    calls += 2.0 * cycles  # a stop and a start
    rows = calls + boto3_calls + 4.0 * resources + 4.0 * requests + ROWS_PER_CYCLE * cycles
    inference_rows = demand_rows(scenario) + waiting_requests(
        scenario, sum(sent) / max(resources, 1)
    )
    return Estimate(
        resources, requests, calls + boto3_calls, rows, replications, workers, keeps_tables,
        engine, boto3_calls, expected_requests(scenario), inference_rows,
    )  # fmt: skip


ROWS_PER_CYCLE: Final = 6.0
"""A policy's stop and start of a model, besides its two calls: four transitions and two
billed intervals (measured: rekognition-idle-stop.yaml's replication 0, 12,553 rows of
transitions, calls and costs for 1,533 starts, 8.2 a start)."""


def waiting_requests(scenario: Scenario, stopped: float) -> float:
    """The `waits` table's rows, roughly: the requests of `on_not_running: wait` groups that
    find their model not running. Where policies stop and start the group's models, each
    start ends a wait of at most `max_wait` at the model's rate; elsewhere a share
    `stopped` (the stop requests per resource, at most 1) of the group's requests."""
    sizes = hosted_sizes(scenario)
    cycles = _group_cycles(scenario)
    total = 0.0
    for demand in scenario.demand:
        if demand.serving.on_not_running != "wait":
            continue
        requests = entry_requests(scenario, demand)
        if demand.group in cycles:
            per_model = requests / max(sizes[demand.group], 1) / scenario.horizon
            total += min(requests, cycles[demand.group] * per_model * demand.serving.max_wait)
        else:
            total += requests * min(1.0, stopped)
    return total


def policy_cycles(scenario: Scenario) -> float:
    """How often the hosting policies stop and start a model in a replication, roughly (see
    `_group_cycles`)."""
    return sum(_group_cycles(scenario).values())


def _group_cycles(scenario: Scenario) -> dict[str, float]:
    """By group its policies act on: how often they stop and start its models in a
    replication, roughly: a
    schedule once per model and period a day; a budget once per model and window; an idle
    stop (a keep-alive histogram at its shortest keep-alive, a bin) once per model each
    time its demand rises from nothing and for each gap between its requests longer than
    the timeout (a share exp(-rate x timeout) of them, at each minute's Poisson rate)."""
    sizes = hosted_sizes(scenario)
    demand = {entry.group: entry for entry in scenario.demand}
    days = scenario.horizon / 86400
    cycles: dict[str, float] = {}
    for policy in scenario.policies.values():
        for group in policy.groups:
            models = sizes.get(group, 0)
            if isinstance(policy, policies.Schedule):
                daily = sum(len(weekdays(p.weekdays)) / 7 for p in policy.periods)
                more = models * days * daily
            elif isinstance(policy, policies.Budget):
                more = models * scenario.horizon / policy.window
            elif group in demand:
                timeout = policy.after if isinstance(policy, policies.IdleStop) else policy.bin
                more = models * days / 7 * _weekly_gaps(demand[group], models, timeout)
            else:
                more = 0.0
            cycles[group] = cycles.get(group, 0.0) + more
    return cycles


def _weekly_gaps(demand: Demand, models: int, timeout: float) -> float:
    """A model's rises from no demand and gaps longer than `timeout` in a week of its
    profile (none for a replay: its counts are not a rate)."""
    rate = demand.rate if demand.rate is not None else (demand.total or 0.0) / max(models, 1)
    gaps, before = 0.0, 0.0
    for day in demand.profile.day_factors():
        for factor in demand.profile.minute_factors():
            now = rate * factor * day
            if now > 0:
                gaps += now * 60 * math.exp(-now * timeout) + (before == 0)
            before = now
    return gaps


def _polls(scenario: Scenario, stream: Requests) -> int:
    """Polls counted for a request of `stream`: its waiter's, up to `POLLS`."""
    return min(scenario.callers[stream.caller].waiter.max_attempts, POLLS) if stream.wait else 0


def check(found: Estimate, available: float | None = None) -> None:
    """Raise TooBig, with the estimate and the limit, if the run needs more memory than
    `MEMORY_SHARE` of what is available (default: now, on this machine) or more time than
    `TIME_LIMIT_S`."""
    limit = MEMORY_SHARE * (available_memory() if available is None else available)
    if found.memory > limit:
        raise TooBig(
            f"this run would need about {_bytes(found.memory)} of memory, more than this "
            f"machine can give it ({_bytes(limit)}, {MEMORY_SHARE:.0%} of what is free): "
            f"{found.describe()}. Run fewer resources, replications or workers, or pass "
            "--force to run it anyway"
        )
    if found.seconds > TIME_LIMIT_S:
        raise TooBig(
            f"this run would take about {_seconds(found.seconds)}, more than the limit of "
            f"{_seconds(TIME_LIMIT_S)}: {found.describe()}. Shorten the horizon, send fewer "
            "requests or run fewer replications, or pass --force to run it anyway"
        )


def check_study(source: str, variants: Sequence[Scenario], count: int, workers: int) -> None:
    """`check` for a sweep of `count` replications of each variant, naming `source`: its
    largest variant's units, as many as the study has (a unit's tables go to disk, so none
    are kept in memory)."""
    units = count * len(variants)
    found = max(
        (estimate(v, units, workers, keeps_tables=False) for v in variants),
        key=lambda e: e.seconds + e.memory,
    )
    try:
        check(found)
    except TooBig as error:
        raise TooBig(f"{source}: {error}") from None


def available_memory() -> float:
    """Bytes of memory available now (Linux's MemAvailable), else the machine's total."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def _resources(entry: object) -> int:
    """An entry's resources in memory: its count, times the parts each has (a pipeline
    execution's steps, a Neptune job's training jobs)."""
    parts = 1 + len(getattr(entry, "steps", ())) + int(getattr(entry, "max_hpo_training_jobs", 0))
    return int(getattr(entry, "count", 1)) * parts


def _requests(scenario: Scenario, stream: Requests) -> float:
    """Requests a stream sends in one replication: its occurrences times its targets. A
    stop stream that selects by status finds a resource it stopped again only after
    something started it: at most once per target, and once more per request of the
    service's other streams."""
    if stream.replay is not None:
        return float(len(stream.replay.trace))
    occurrences = _occurrences(scenario, stream)
    targets = _targets(scenario, stream)
    sent = occurrences * targets
    if stream.poisson is not None:
        sent = min(occurrences, targets)
    stops = stream.operation_name == SERVICES[stream.service].STOP.operation
    if stops and stream.where.status is not None:
        others = sum(
            _occurrences(scenario, other) * _targets(scenario, other)
            for _, other in scenario.operation_streams
            if other.service == stream.service and other.replay is None and other is not stream
            and other.operation_name != stream.operation_name
        )  # fmt: skip
        sent = min(sent, targets + others)
    return sent


def _targets(scenario: Scenario, stream: Requests) -> float:
    """The resources a stream may send each of its requests to: the resources (not their
    parts) of its service's fleet entries its group selects, as many as it asks for."""
    targets = float(
        sum(
            int(getattr(entry, "count", 1))
            for entry in scenario.fleet
            if entry.service == stream.service
            and stream.where.group in (None, getattr(entry, "group_name", None))
        )
    )
    if stream.count is not None:
        return min(targets, stream.count)
    if stream.fraction is not None:
        return targets * stream.fraction
    return targets


def _occurrences(scenario: Scenario, stream: Schedule) -> float:
    """How often a stream fires: each arrival of a Poisson stream, each time of an `every`
    stream, once for `at`."""
    if isinstance(stream, Requests) and stream.replay is not None:
        return float(len(stream.replay.trace))
    if stream.poisson is not None:
        end = scenario.horizon if stream.poisson.end is None else stream.poisson.end
        return stream.poisson.rate * max(0.0, end - stream.poisson.start)
    if stream.every is not None:
        return math.floor(max(0.0, scenario.horizon - stream.first) / stream.every) + 1.0
    return 1.0


def _count(value: float) -> str:
    return f"{value:,.0f}" if value < 1e15 else f"{value:.1e}"


def _bytes(value: float) -> str:
    if value >= 1e18:
        return f"{value:.1e} B"
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def _seconds(value: float) -> str:
    return humanize.duration(value) if value < 1e12 else f"{value / 3.15e7:.1e} years"
