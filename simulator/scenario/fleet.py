"""A scenario's fleet entries: one service's `Fleet` each, and what an entry must agree on
with its service's settings (a price for every kind it bills, an `elapsed` its status can
have), which the scenario checks once both are read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field

from simulator.engine.schema import Strict
from simulator.services import SERVICES, comprehend, lookoutvision, neptune, rekognition, sagemaker

if TYPE_CHECKING:
    from simulator.scenario.model import Services

_WHOLE_STAGES: dict[str, type[Strict]] = {"neptune": neptune.Fleet, "sagemaker": sagemaker.Fleet}


def _part_way(entry: Any) -> Any:
    """`elapsed` on a fleet whose resources go through stages (processes) is refused by
    name: their start part-way is not written yet."""
    if isinstance(entry, dict) and "elapsed" in entry:
        service = entry.get("service")  # any value: the union says what is wrong with it
        kind = _WHOLE_STAGES.get(service) if isinstance(service, str) else None
        if kind is not None and "elapsed" not in kind.model_fields:
            raise ValueError(
                f"elapsed: {entry['service']} resources cannot start part-way through a status "
                "yet (they go through stages); rekognition, lookoutvision and comprehend can"
            )
    return entry


Fleet = Annotated[
    rekognition.Fleet | lookoutvision.Fleet | comprehend.Fleet | neptune.Fleet | sagemaker.Fleet,
    Field(discriminator="service"),
    BeforeValidator(_part_way),
]


def check_fleet(index: int, fleet: Fleet, services: Services) -> None:
    """Raise ValueError, naming `fleet[index]`, if the entry asks what its service's
    settings cannot give: an `elapsed` no resource can have been in its status (its
    latency never lasts that long, or the status does not end by itself), or a billed
    kind with no price item (an ML instance type's comes from `simulator.pricing`, which
    says in which region a figure is missing)."""
    settings = getattr(services, fleet.service)
    elapsed = getattr(fleet, "elapsed", 0.0)
    if elapsed > 0:
        status = SERVICES[fleet.service].Status(fleet.status)  # type: ignore[union-attr]
        problem = SERVICES[fleet.service].cannot_have_lasted(settings, status, elapsed)
        if problem is not None:
            raise ValueError(f"fleet[{index}].elapsed: {problem}")
    prices = settings.prices.values()
    for kind in getattr(fleet, "billed_kinds", ()):
        if kind.startswith("ml."):
            continue
        if not any(p.kinds is None or kind in p.kinds for p in prices):
            raise ValueError(
                f"fleet[{index}]: no price for {kind!r}; add one under "
                f"services.{fleet.service}.prices, e.g. {kind}: {{usd_per_hour: ..., "
                f"statuses: [...], kinds: [{kind}]}}"
            )


def where_problem(
    service: str, group: str | None, region: str | None, fleet: Sequence[Fleet], default: str
) -> str | None:
    """What is wrong with a stream's `where` that selects no fleet entry of `service`: the
    field (`group`, `region`) and why, naming what there is; None if some entry matches.
    A group and a region must be met by one entry, not each by another."""
    entries = [(f.group_name, getattr(f, "region", default)) for f in fleet if f.service == service]
    groups = sorted({g for g, _ in entries})
    if group is not None and group not in groups:
        return (
            f"group: no {service} fleet entry has group {group!r}; groups are "
            f"{', '.join(groups) or 'none'}"
        )
    if region is None:
        return None
    regions = sorted({r for g, r in entries if group is None or g == group})
    if region in regions:
        return None
    of = "" if group is None else f" of group {group!r}"
    return (
        f"region: no {service} fleet entry{of} is in {region}; its entries{of} are in "
        f"{', '.join(regions) or 'no region'}"
    )
