"""An eligible scenario's fleet as arrays: every resource's key, id, group, units and first
status, registered as the event engine registers them.

The event engine adds resources one by one (`SingleStep.populate`: ids numbered on within
their project, a key each from the recorder, a first transition each); for a 100,000-model
fleet that is most of the vector engine's time. Here the same come from the fleet entries
at once: the same keys in the same order (fleet entries in the scenario's order, each
numbered on from the last of its numbering), ids from the entry's own `resource_id`, the
recorder's registry (`resources`: resource_id, group, kind, owner_id) and first
transitions (`initial`, at time 0, in the entry's status). A test holds both to those of a
populated event model, column for column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.engine.resource_ids import ResourceIds
from simulator.scenario.model import Scenario, Where
from simulator.services.kit import SingleStepFleet


def _text(values: list[str], codes: np.ndarray) -> pd.Categorical:
    """A text column as the recorder makes it: a categorical of `values` (object dtype,
    as the recorder's categories are) by `codes` (-1: missing)."""
    return pd.Categorical.from_codes(
        codes.astype(np.int32), categories=pd.Index(values, dtype=object)
    )


@dataclass(frozen=True)
class Entry:
    """One fleet entry's resources: keys `keys.start` to `keys.stop - 1`."""

    entry: SingleStepFleet
    keys: range


class Fleet:
    """Every resource of the scenario's fleet, by key."""

    def __init__(self, scenario: Scenario) -> None:
        self.entries: list[Entry] = []
        numbered: dict[tuple[str, str], int] = {}  # (service, numbering) -> next number
        ids: list[str] = []
        for fleet in scenario.fleet:
            assert isinstance(fleet, SingleStepFleet), fleet  # eligibility sees to it
            first = numbered.get((fleet.service, fleet.numbering), 0)
            numbered[fleet.service, fleet.numbering] = first + fleet.count
            self.entries.append(Entry(fleet, range(len(ids), len(ids) + fleet.count)))
            ids += [fleet.resource_id(index) for index in range(first, first + fleet.count)]
        self.ids = ResourceIds.of(ids)
        """Every resource id, each key's code among them: the `resource_id` columns'."""

    def _per_entry(self, value: list[str]) -> pd.Categorical:
        """A text per entry, repeated for each of its resources, categories in first use."""
        names = list(dict.fromkeys(value))
        codes = np.repeat([names.index(v) for v in value], [len(e.keys) for e in self.entries])
        return _text(names, codes)

    def registry(self) -> pd.DataFrame:
        """The recorder's `resources`, a row per code: resource_id, group, kind (none),
        owner_id (itself)."""
        codes = np.arange(len(self.ids.codes), dtype=np.int32)
        return pd.DataFrame(
            {
                "resource_id": pd.Categorical.from_codes(codes, dtype=self.ids.dtype),
                "group": self._per_entry([e.entry.group_name for e in self.entries])[
                    self.ids.order
                ],
                "kind": _text([""], np.zeros(len(codes))),
                "owner_id": pd.Categorical.from_codes(codes, dtype=self.ids.dtype),
            }
        )

    def first(self) -> pd.DataFrame:
        """The first transitions: each resource entering its entry's status at time 0."""
        keys = np.arange(len(self.ids.codes), dtype=np.int32)
        sizes = [len(e.keys) for e in self.entries]
        return pd.DataFrame(
            {
                "time": np.zeros(len(keys)),
                "service": self._per_entry([e.entry.service for e in self.entries]),
                "resource_id": self.ids.named(keys),
                "from_status": _text([], np.full(len(keys), -1)),
                "to_status": self._per_entry([str(e.entry.status) for e in self.entries]),
                "cause": _text(["initial"], np.zeros(len(keys))),
                "units": np.repeat([float(e.entry.units) for e in self.entries], sizes),
            }
        )

    def selected(self, service: str, where: Where) -> np.ndarray:
        """The keys a stream of `service` selecting `where` may target at the start, in the
        order the service lists them (`ManagedService.targets`): of the group, in one of
        the statuses, in the region."""
        keys = [
            np.arange(e.keys.start, e.keys.stop)
            for e in self.entries
            if e.entry.service == service
            and (where.group is None or e.entry.group_name == where.group)
            and (where.status is None or str(e.entry.status) in where.status)
            and (where.region is None or e.entry.region == where.region)
        ]
        return np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
