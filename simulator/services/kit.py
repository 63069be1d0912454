"""The skeleton services share, written once: fleet entries, and how a single-step
service's fleet entry becomes resources.

A service module keeps what makes it its AWS page (statuses, transitions, progressions,
operations, errors, its settings' latencies and prices, the members that name its
resources); what is the same logic in every service lives here:

    FleetEntry        `count` resources of one `service`, selected by `group` (by default
                      the entry's own name: the field `NAMED_BY` names)
    AccountFleet      the same, in one AWS account and region (the resources' ARNs)
    SingleStepFleet   the same, all in one `status` at t=0, `elapsed` into it: the entries
                      of services whose resources move by PROGRESSIONS alone
    SingleStep        such a service: `populate` numbers an entry's resources on from the
                      last of the same numbering and adds each in the entry's status
    by_name           a service's OPERATIONS from its `Operation`s, each under its name

Like `base`, this module imports no simpy: the scenario's schema imports fleet entries.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from pydantic import Field

from simulator.api.operations import Operation
from simulator.engine.schema import Strict
from simulator.services.base import Elapsed, ManagedService, Resource
from simulator.services.regions import REGIONS, Region, inherited_region


def by_name(*operations: Operation) -> dict[str, Operation]:
    """A service's OPERATIONS: each operation under its name, in the order declared; an
    operation declared twice is an error, not the first silently replaced."""
    named: dict[str, Operation] = {}
    for operation in operations:
        if operation.name in named:
            raise ValueError(f"{operation.name} is declared twice")
        named[operation.name] = operation
    return named


class FleetEntry(Strict):
    """`count` resources of one service, which request streams select by `group`."""

    NAMED_BY: ClassVar[str]
    """The field whose value is the entry's group when it names none (its project, its
    name, its pipeline)."""

    service: str
    count: int = Field(ge=1)
    group: str | None = Field(
        default=None,
        description="name to select by; default: the entry's project, name or pipeline",
    )

    @property
    def group_name(self) -> str:
        return self.group or str(getattr(self, self.NAMED_BY))


class AccountFleet(FleetEntry):
    """A fleet entry whose resources' ARNs name an account and a region."""

    account: str = Field(default="123456789012", pattern=r"^\d{12}$")
    region: Region = inherited_region()

    def arn(self, service: str) -> str:
        """The start of the ARNs of `service`'s resources in the entry's account and region,
        in the region's partition (`arn:aws-cn:...` in China)."""
        return f"arn:{REGIONS[self.region]}:{service}:{self.region}:{self.account}"


class SingleStepFleet(AccountFleet):
    """`count` resources, all in `status` at t=0 and `elapsed` into it, numbered on from
    the last resource of the same `numbering` (two entries of one project continue it)."""

    status: str
    elapsed: Elapsed = 0.0

    @property
    def numbering(self) -> str:
        """What the entry's resources are numbered within (a project's ARN, a name's): in
        its account and region, as the same name in another region is another resource."""
        raise NotImplementedError

    @property
    def units(self) -> float:
        """What each resource bills by (inference units; 1 for a training job)."""
        raise NotImplementedError

    def resource_id(self, index: int) -> str:
        """The id (ARN) of the resource numbered `index` from 0 within `numbering`."""
        raise NotImplementedError


FleetT = TypeVar("FleetT", bound=SingleStepFleet)


class SingleStep(ManagedService, Generic[FleetT]):
    """A service whose resources move by their PROGRESSIONS alone (Rekognition, Lookout for
    Vision, Comprehend): its fleet entries are resources in one status at the start."""

    def populate(self, fleet: FleetT) -> None:
        group, status, units = fleet.group_name, self.Status(fleet.status), fleet.units
        added = [
            self.add(
                fleet.resource_id(index),
                group,
                status,
                units,
                elapsed=fleet.elapsed,
                region=fleet.region,
            )
            for index in self.numbered(fleet.numbering, fleet.count)
        ]
        self.listed(fleet, added)

    def listed(self, fleet: FleetT, added: list[Resource]) -> None:
        """The resources `populate` has added for `fleet`, in order: a service that finds
        its resources by more than their id (a project's versions) indexes them here; by
        default, nothing to do."""
