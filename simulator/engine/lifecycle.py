"""Statuses and legal transitions as data; one mechanism checks and records every move.

A service declares its transitions as a mapping `from -> {to, ...}`. `Lifecycle.move`
refuses any other edge by raising `IllegalTransition`: that is a bug in the model, never an
outcome of a simulation, so nothing catches it. Every move is appended to the
`transitions` table with the time and a cause ("stop", "training", "initial").

`move_if` is the guard for races: two scheduled moves (training finishing, a stop taking
effect) both fire; the first moves the resource, the second finds its status no longer among
those it may leave from and does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:  # the recorder imports pandas: loading a scenario does not need it
    from simulator.engine.recorder import Columns, Recorder

TRANSITION_COLUMNS: Final[Columns] = {
    "time": "float",
    "service": "category",
    "resource_id": "resource",
    "from_status": "category",
    "to_status": "category",
    "cause": "category",
    "units": "float",
}


class IllegalTransition(RuntimeError):
    """A model tried an edge its service does not declare."""


class Stateful(Protocol):
    """A resource as the lifecycle sees it; `units` is what it bills by from now on."""

    key: int
    status: StrEnum
    units: float


class Lifecycle:
    """The legal moves of one service's resources, recorded as they happen."""

    def __init__(
        self,
        service: str,
        transitions: Mapping[StrEnum, Collection[StrEnum]],
        recorder: Recorder,
        clock: Callable[[], float],
    ) -> None:
        self.service = service
        self.transitions = {s: frozenset(t) for s, t in transitions.items()}
        self._recorder = recorder
        self._clock = clock
        self._append = recorder.table("transitions", TRANSITION_COLUMNS).append

    def register(
        self, resource_id: str, group: str = "", kind: str = "", owner: int | None = None
    ) -> int:
        return self._recorder.register(resource_id, group, kind, owner)

    def begin(self, resource: Stateful, status: StrEnum) -> None:
        """Record the status a resource has when the simulation first sees it."""
        resource.status = status
        self._append(
            self._clock(), self.service, resource.key, None, status.value, "initial", resource.units
        )

    def move(self, resource: Stateful, to: StrEnum, cause: str) -> None:
        current = resource.status
        if to not in self.transitions.get(current, ()):
            raise IllegalTransition(
                f"{self.service}: {current} -> {to} is not a declared transition "
                f"(from {current}: {sorted(self.transitions.get(current, ()))})"
            )
        resource.status = to
        self._append(
            self._clock(),
            self.service,
            resource.key,
            current.value,
            to.value,
            cause,
            resource.units,
        )

    def move_if(
        self, resource: Stateful, allowed_from: Collection[StrEnum], to: StrEnum, cause: str
    ) -> bool:
        """Move only if the resource is still in one of `allowed_from`; say whether it moved."""
        if resource.status not in allowed_from:
            return False
        self.move(resource, to, cause)
        return True
