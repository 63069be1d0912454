"""Observed statuses -> the durations of each latency setting a service declares.

A latency is a clock (`Clock`): it starts when a resource enters a status, runs while the
resource stays in that status (or in one a race moved it to), and ends when it reaches the
status the latency leads to. The clocks come from the service itself: each of its
`PROGRESSIONS` (Rekognition's `{STOPPING: Progression("stop", to=STOPPED)}` is the clock
`stop`, STOPPING -> STOPPED) and, for the latencies its processes draw by name (`STAGES`,
`DRAWS`), where the parts that draw them are (`_PARTS`).

Each time a clock started, its duration is one of three kinds:

- complete: the clock ended (exact with exact times; between polls with a polling log);
- right-censored where the data ends: the resource was still in the status;
- right-censored by a race: the resource left for a status the clock does not end in.
  Comprehend's training races its stop: a stop that ended TRAINED (training won) is a stop
  latency longer than it was watched, and a training that was stopped is a training latency
  longer than it ran. Dropping them would keep only the races each clock won: too short.

With polls the moment a status was entered lies between the last poll before and the first
poll in it, and the moment it was left between the last poll in it and the first after, so
the duration lies between the inner and the outer difference; a stop request's time (from
CloudTrail) replaces the first pair. A status first seen at a resource's first poll began
at an unknown time (left-truncated): not used. A status skipped between two polls (RUNNING,
then STOPPED) lasted at most the gap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from simulator.fit.observations import LEFT_TRUNCATED, Observations, ObservationsError
from simulator.fit.sample import Sample
from simulator.services import SERVICES


@dataclass(frozen=True)
class Clock:
    """One latency setting as status changes: entering a status of `starts` starts it, it
    runs on while the status is one of `through`, and reaching one of `ends` ends it."""

    latency: str
    starts: frozenset[str]
    through: frozenset[str]
    ends: frozenset[str]
    parts: str | None = None
    """A pattern the resource id must end with: the parts of a resource that draw it."""
    step_types: frozenset[str] | None = None
    """SageMaker: the step types that draw it (an event says its step's type)."""
    cause: str | None = None
    """The `cause` a transitions table gives the move that ends it (tells a job step's
    provisioning from a step that starts at once)."""

    def counts(self, resource_id: str, step_type: object, ended_by: object) -> bool:
        """Whether a duration of this resource (a step of `step_type`), which a move of
        cause `ended_by` ended, is one of this latency's."""
        if self.parts is not None and re.search(f"/{self.parts}$", resource_id) is None:
            return False
        if self.step_types is not None and isinstance(step_type, str):
            return step_type in self.step_types
        if self.cause is not None and isinstance(ended_by, str):
            return ended_by == self.cause
        return True


_JOB_STEPS: Final = frozenset({"Training", "Processing"})
_STEP: Final = r"execution/[^/]+/[^/]+"
_PARTS: Final = {
    "sagemaker": (
        Clock("provisioning", frozenset({"Starting"}), frozenset({"Starting"}),
              frozenset({"Executing"}), _STEP, _JOB_STEPS, "provisioning"),
        Clock("stop", frozenset({"Stopping"}), frozenset({"Stopping"}), frozenset({"Stopped"}),
              _STEP, _JOB_STEPS),
    ),
    "neptune": (
        Clock("processing", frozenset({"InProgress"}), frozenset({"InProgress"}),
              frozenset({"Completed", "Failed"}), "processing"),
        Clock("training", frozenset({"InProgress"}), frozenset({"InProgress"}),
              frozenset({"Completed", "Failed"}), r"hpo-\d+"),
        Clock("transform", frozenset({"InProgress"}), frozenset({"InProgress"}),
              frozenset({"Completed", "Failed"}), "transform"),
        Clock("stop", frozenset({"Stopping"}), frozenset({"Stopping"}), frozenset({"Stopped"}),
              r"(processing|hpo-\d+|transform)"),
    ),
}  # fmt: skip
"""The latencies drawn by processes (STAGES, DRAWS), which no status table says: where each
is drawn, as `simulator/services/sagemaker/steps.py` and `neptune/jobs.py` draw them (a
SageMaker step is `<execution>/<step>`, a Neptune part `<job>/<part>`)."""
UNOBSERVABLE: Final = {
    "sagemaker": {
        "orchestration": "a step's dependencies met until it starts: status changes do not "
        "say when its dependencies were met (that needs the pipeline's DAG)"
    },
}


def clocks(service: str) -> list[Clock]:
    """The clocks of every latency `service` declares that status changes can time."""
    kind = SERVICES[service]
    found = [
        Clock(
            progression.latency,
            frozenset({status.value}),
            frozenset({status.value, *(s.value for s in progression.also_from)}),
            frozenset({progression.to.value, *(s.value for s in progression.otherwise)}),
        )
        for status, progression in kind.PROGRESSIONS.items()
    ]
    return found + list(_PARTS.get(service, ()))


def moves(service: str) -> dict[str, set[str]]:
    """Every status's next statuses, over all the kinds of the service's resources."""
    table: dict[str, set[str]] = {}
    for edges in SERVICES[service].TRANSITIONS.values():
        for source, targets in edges.items():
            table.setdefault(source.value, set()).update(t.value for t in targets)
    return table


@dataclass
class Durations:
    """Each latency's durations, and what was noted building them."""

    service: str
    samples: dict[str, Sample]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Run:
    """A stretch of one status: first and last moment known in it, and whether its entry
    is known (at `first` for exact times, a change or a resource's initial status; between
    the poll before and `first` for polls; never for a resource's first poll)."""

    status: str
    first: float
    last: float
    exact: bool
    entry_known: bool
    cause: object = None
    """What moved it into this status (a transitions table's `cause`)."""


def durations(observations: Observations, service: str) -> Durations:
    """The durations of each latency of `service` in `observations`; an ObservationsError
    where the files hold no status change of the service."""
    if service not in SERVICES:
        raise ObservationsError(
            f"unknown service {service!r}; expected one of {', '.join(SERVICES)}"
        )
    statuses = observations.statuses
    mine = statuses[statuses["service"] == service]
    if mine.empty:
        found = ", ".join(observations.services) or "none"
        unnamed = int(statuses["service"].isna().sum())
        hint = (
            f"; {unnamed} rows name no service: --service {service} takes them as its"
            if unnamed
            else ""
        )
        raise ObservationsError(
            f"{', '.join(observations.sources)}: no status of a {service} resource "
            f"(expected rows whose service, or resource ARN, is {service}; the files have "
            f"{found}{hint})"
        )
    requests = observations.requests
    stop_times = _stop_requests(requests[requests["service"] == service])
    clock_list = clocks(service)
    found_moves = moves(service)
    collected: dict[str, list[tuple[float, float, float, float, bool]]] = {
        c.latency: [] for c in clock_list
    }
    raced: dict[str, dict[str, int]] = {c.latency: {} for c in clock_list}
    truncated = {c.latency: 0 for c in clock_list}
    paired = 0
    for _, unit in mine.sort_values(["unit", "time"], kind="stable").groupby("unit", sort=False):
        runs = list(_runs(unit))
        step_type = unit["step_type"].dropna().iloc[0] if unit["step_type"].notna().any() else None
        exact = bool(unit["exact"].iloc[0])
        end = float(unit["end"].iloc[0]) if exact else runs[-1].last
        period = 0.0 if exact else _period(unit["time"].to_numpy(dtype=float))
        requested = [] if exact else _requests_of(str(unit["resource_id"].iloc[0]), stop_times)
        for clock in clock_list:
            for timed in _clock_durations(clock, runs, end, requested, found_moves):
                kind, low, high, until, other, ended_by = timed
                ended = ended_by if kind in ("complete", "paired") else None
                if not clock.counts(str(unit["resource_id"].iloc[0]), step_type, ended):
                    continue
                if kind == "truncated":
                    truncated[clock.latency] += 1
                    continue
                if kind == "raced":
                    raced[clock.latency][other] = raced[clock.latency].get(other, 0) + 1
                if kind == "paired":
                    paired += 1
                collected[clock.latency].append((low, high, period, until, kind == "raced"))
    notes = _notes(service, clock_list, raced, truncated, paired, len(stop_times))
    samples = {
        latency: Sample(*(np.array(column) for column in zip(*rows, strict=True)))
        if rows
        else Sample.exact(())
        for latency, rows in collected.items()
    }
    if all(s.n == 0 for s in samples.values()):
        raise ObservationsError(
            f"{', '.join(observations.sources)}: no {service} duration of any latency "
            f"({', '.join(c.latency for c in clock_list)}): no resource was seen entering "
            f"{', '.join(sorted({s for c in clock_list for s in c.starts}))}"
        )
    return Durations(service, samples, notes)


def _runs(unit: pd.DataFrame) -> Iterator[_Run]:
    """The unit's stretches of one status, in time order."""
    times = unit["time"].to_numpy(dtype=float)
    statuses = unit["status"].astype(str).to_numpy()
    causes = unit["cause"].to_numpy(dtype=object)
    exact = bool(unit["exact"].iloc[0])
    end = float(unit["end"].iloc[0]) if exact else math.nan
    start = 0
    for index in range(1, len(times) + 1):
        if index < len(times) and statuses[index] == statuses[start]:
            continue  # the same status again: one stretch
        first = times[start]
        last = (times[index] if index < len(times) else end) if exact else times[index - 1]
        entry_known = start > 0 or (exact and causes[0] != LEFT_TRUNCATED)
        yield _Run(statuses[start], first, last, exact, entry_known, causes[start])
        start = index


_Found = tuple[str, float, float, float, str, object]
"""kind (complete, censored, raced, paired, truncated), low, high, until, the status that
ended a raced clock, the cause of the move that ended the clock."""


def _clock_durations(
    clock: Clock, runs: list[_Run], end: float, requested: list[float], table: dict[str, set[str]]
) -> Iterator[_Found]:
    for index, run in enumerate(runs):
        before = runs[index - 1] if index else None
        if before is not None and before.status in clock.through:
            continue  # the clock runs on (or has just ended)
        if run.status in clock.starts:
            yield _timed(clock, runs, index, end, requested)
        elif not run.exact and run.status in clock.ends:
            yield from _unseen(run, before, end, requested, clock, table)


def _unseen(
    run: _Run, before: _Run | None, end: float, requested: list[float], clock: Clock,
    table: dict[str, set[str]],
) -> Iterator[_Found]:  # fmt: skip
    """A clock's status no poll saw: it came and went between the last poll before and the
    first in the status that ends it (or since a stop request): at most that gap."""
    since = before.last if before is not None else -math.inf
    entered = _request_between(requested, since, run.first)
    if entered is not None:
        yield "paired", 0.0, run.first - entered, max(end - entered, 0.0), "", None
        return
    if before is None:
        return
    after = table.get(before.status, set())
    if clock.starts & after and run.status not in after:
        yield "complete", 0.0, run.first - since, max(end - since, run.first - since), "", None


def _timed(
    clock: Clock, runs: list[_Run], index: int, end: float, requested: list[float]
) -> _Found:
    run = runs[index]
    since = runs[index - 1].last if index else -math.inf
    entered = _request_between(requested, since, run.first)
    if entered is not None:
        entry_low = entry_high = entered
    elif run.entry_known:
        entry_low, entry_high = (
            (run.first, run.first) if run.exact or index == 0 else (runs[index - 1].last, run.first)
        )
    else:
        return "truncated", 0.0, 0.0, 0.0, "", None
    last = index
    while last + 1 < len(runs) and runs[last + 1].status in clock.through:
        last += 1
    stayed = max(runs[last].last - entry_high, 0.0)
    if last + 1 == len(runs):  # still in it when the data ends
        return "censored", stayed, math.inf, max(end - entry_high, stayed), "", None
    after = runs[last + 1]
    if after.status not in clock.ends:  # another move won the race
        return "raced", stayed, math.inf, stayed, after.status, after.cause
    high = max(after.first - entry_low, stayed)
    kind = "paired" if entered is not None else "complete"
    return kind, stayed, high, max(end - entry_high, high), "", after.cause


def _stop_requests(requests: pd.DataFrame) -> dict[str, list[float]]:
    by_resource: dict[str, list[float]] = {}
    for resource, time in zip(requests["resource_id"], requests["time"], strict=True):
        by_resource.setdefault(str(resource), []).append(float(time))
    return {resource: sorted(times) for resource, times in by_resource.items()}


def _requests_of(resource_id: str, stop_times: dict[str, list[float]]) -> list[float]:
    """The stop requests sent to the resource, or to the resource it is a part of (a stopped
    SageMaker execution stops its steps). A request names its resource by ARN (Lookout for
    Vision's by the ARN its project, version, region and account make): a model of the
    same name in another region or account is another resource."""
    found: list[float] = []
    for named, times in stop_times.items():
        if resource_id == named or resource_id.startswith(named + "/"):
            found += times
    return sorted(found)


def _request_between(requested: list[float], after: float, until: float) -> float | None:
    """The first accepted stop request in (after, until]: the moment the status was
    entered. A later one in the window is a retry (or a second caller's stop) that found
    the resource already stopping; its time would make the duration too short."""
    inside = [t for t in requested if after < t <= until]
    return inside[0] if inside else None


def _period(times: np.ndarray) -> float:
    """The polling period: the median gap between a resource's polls."""
    gaps = np.diff(np.unique(times))
    return float(np.median(gaps)) if len(gaps) else 0.0


def _notes(
    service: str,
    clock_list: list[Clock],
    raced: dict[str, dict[str, int]],
    truncated: dict[str, int],
    paired: int,
    requests: int,
) -> list[str]:
    notes = []
    for clock in clock_list:
        for status, count in sorted(raced[clock.latency].items()):
            notes.append(
                f"{service} {clock.latency}: {count} ended {status}, not "
                f"{' or '.join(sorted(clock.ends))}: another move won the race, so each is a "
                f"right-censored {clock.latency} latency (it lasted at least until then)"
            )
        if truncated[clock.latency]:
            notes.append(
                f"{service} {clock.latency}: {truncated[clock.latency]} first seen already in "
                f"{' or '.join(sorted(clock.starts))}, begun at an unknown time: not used"
            )
    if requests:
        notes.append(
            f"{service}: {paired} stop durations start at a CloudTrail request's time "
            f"(requests for {requests} resources)"
        )
    for latency, why in UNOBSERVABLE.get(service, {}).items():
        notes.append(f"{service} {latency}: not fitted: {why}")
    return notes
