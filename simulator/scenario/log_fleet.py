"""Which of the fleet's resources a log's resources are, and the ones it lacks.

A log names the user's own resources (`...:project/shelf/version/shelf.2026-01-02T09.00.00/
1767344400000`); a scenario's fleet makes its own ids (`...:project/shelf/version/v0/1`). So
a log's resource is matched to the fleet's first by id, then by the name the fleet numbers
it within (a project, a classifier's name, a pipeline) in the region its ARN names: the
log's resources, in the order the log first names them, take that name's fleet resources in
that region in the fleet's order. Those left
over are missing: `add_missing` appends fleet entries for them (group `from-log`, in the
status the log implies, one entry per run of one status, so that the scenario written to a
run directory, which holds the entries, matches the log in the same way when read back);
otherwise each is reported, and requests to it are answered as AWS answers for a resource
it does not know.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from simulator.scenario.log_records import LogRequest
from simulator.services import comprehend, lookoutvision, rekognition, sagemaker
from simulator.services.kit import SingleStepFleet
from simulator.services.regions import arn_place

if TYPE_CHECKING:
    from simulator.scenario.fleet import Fleet

FROM_LOG = "from-log"
"""The group of the fleet entries `add_missing` appends."""
_ADDABLE = ("rekognition", "lookoutvision", "comprehend")


@dataclass(frozen=True)
class Slot:
    """A resource of the fleet a log's resource may be matched to."""

    id: str
    name: str
    region: str
    group: str


@dataclass
class Matched:
    """Each log resource's id in the simulation, how it was found, and what is missing."""

    ids: dict[str, str]
    how: dict[str, str]
    """`id`, `name` or `added` (matched to an entry of the `from-log` group)."""
    missing: list[LogRequest]
    """The first request that succeeded (else the first) to each resource the fleet lacks,
    in the order the log first names them: the status its operation needs is the one the
    resource was in, which a refused request does not say."""


MATCHED_AT_MOST: Final = 10_000_000
"""The most resources of one service a replayed log is matched against. Matching lists
them all as the scenario loads, so a larger fleet would fill memory before any estimate of
the run could refuse it (a count of 10**20 did, in a test): it is refused instead. A fleet
that replays nothing is never listed at load, and any size loads."""


def slots(fleet: Sequence[Fleet], service: str) -> list[Slot]:
    """The service's fleet resources, with the ids the service gives them (numbered on
    within a project or name across entries, as `ManagedService.numbered` does).
    ValueError if there are more than `MATCHED_AT_MOST`."""
    total = sum(entry.count for entry in fleet if entry.service == service)
    if total > MATCHED_AT_MOST:
        raise ValueError(
            f"the fleet holds {total:,} {service} resources; a replayed log is matched "
            f"against each of them as the scenario loads, so at most {MATCHED_AT_MOST:,}"
        )
    found: list[Slot] = []
    numbered: dict[str, int] = {}
    for entry in fleet:
        if entry.service != service:
            continue
        if isinstance(entry, sagemaker.Fleet):
            found += [
                Slot(
                    f"{entry.pipeline_arn()}/execution/{i}",
                    entry.pipeline,
                    entry.region,
                    entry.group_name,
                )
                for i in range(entry.count)
            ]
            continue
        if not isinstance(entry, SingleStepFleet):
            continue
        first = numbered.get(entry.numbering, 0)
        numbered[entry.numbering] = first + entry.count
        name = str(getattr(entry, entry.NAMED_BY))
        found += [
            Slot(entry.resource_id(i), name, entry.region, entry.group_name)
            for i in range(first, first + entry.count)
        ]
    return found


def match(requests: Sequence[LogRequest], fleet_slots: Sequence[Slot]) -> Matched:
    """Each log resource's fleet resource: by id, else by name in order (see the module)."""
    firsts: dict[str, LogRequest] = {}
    for request in requests:
        first = firsts.setdefault(request.log_resource, request)
        if first.recorded_error_code is not None and request.recorded_error_code is None:
            firsts[request.log_resource] = request  # what a refused request implies is wrong
    by_id = {slot.id for slot in fleet_slots}
    matched = Matched({}, {}, [])
    for resource in firsts:
        if resource in by_id:
            matched.ids[resource], matched.how[resource] = resource, "id"
    by_name: dict[tuple[str, str], deque[Slot]] = {}
    for slot in fleet_slots:
        if slot.id not in matched.ids:
            by_name.setdefault((slot.name, slot.region), deque()).append(slot)
    for resource, request in firsts.items():
        if resource in matched.ids:
            continue
        free = by_name.get((request.name, arn_place(resource)[0]))
        if not free:
            matched.missing.append(request)
            continue
        slot = free.popleft()
        matched.ids[resource] = slot.id
        matched.how[resource] = "added" if slot.group == FROM_LOG else "name"
    return matched


def addable(service: str) -> bool:
    """Whether `add_missing` can add the service's resources: those in one status at the
    start; a SageMaker execution is made by its pipeline's entry, with its steps."""
    return service in _ADDABLE


def additions(service: str, missing: Sequence[LogRequest]) -> list[Fleet]:
    """Fleet entries for the resources the fleet lacks: one per run of requests of one name
    and status, in the log's order, in the account and region their ARN names."""
    entries: list[Fleet] = []
    runs: list[tuple[LogRequest, int]] = []
    for request in missing:
        if runs and _key(runs[-1][0]) == _key(request):
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((request, 1))
    for request, count in runs:
        region, account = arn_place(request.log_resource)
        common = {
            "service": service,
            "count": count,
            "status": request.before,
            "group": FROM_LOG,
            "region": region,
            "account": account,
        }
        if service == "rekognition":
            entries.append(rekognition.Fleet.model_validate({"project": request.name, **common}))
        elif service == "lookoutvision":
            entries.append(lookoutvision.Fleet.model_validate({"project": request.name, **common}))
        else:
            entries.append(comprehend.Fleet.model_validate({"name": request.name, **common}))
    return entries


def _key(request: LogRequest) -> tuple[str, str, str]:
    return request.name, request.before, arn_place(request.log_resource)[0]
