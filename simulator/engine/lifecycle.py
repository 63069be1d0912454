"""Statuses and legal transitions as data; one mechanism checks and records every move.

A service declares one table of moves per kind of resource it has, keyed by that kind's
status enum: `{Status: {from: {to, ...}}}`. Kinds may share status words (a SageMaker
execution and its steps are both `Executing`, and equal as strings), so a move is looked
up in the table of the resource's own enum, and a move into another enum is refused.
`Lifecycle.move` refuses any undeclared edge by raising `IllegalTransition`: that is a bug
in the model, never an outcome of a simulation, so nothing catches it. Every move is
appended to the `transitions` table with the time and a cause ("stop", "training",
"initial").
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


Edges = Mapping[StrEnum, Collection[StrEnum]]
"""One kind's moves: `{from: {to, ...}}`."""
Transitions = Mapping[type[StrEnum], Edges]
"""Every kind's moves, by the kind's status enum."""


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
        transitions: Transitions,
        recorder: Recorder,
        clock: Callable[[], float],
    ) -> None:
        self.service = service
        self.transitions: dict[type[StrEnum], dict[StrEnum, frozenset[StrEnum]]] = {
            kind: {s: frozenset(t) for s, t in edges.items()} for kind, edges in transitions.items()
        }
        self._moves: dict[int, frozenset[int]] = {
            id(status): frozenset(map(id, targets))
            for edges in self.transitions.values()
            for status, targets in edges.items()
        }
        """The same moves by the members' identities: an enum member is one object, so a
        look-up by identity is a look-up in its own kind's table, whatever its word."""
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
        if id(to) not in self._moves.get(id(current), ()):
            allowed = sorted(self.transitions.get(type(current), {}).get(current, ()))
            raise IllegalTransition(
                f"{self.service}: {type(current).__name__} {current} -> {to} is not a "
                f"declared transition (from {current}: {allowed})"
            )
        resource.status = to
        self._append(
            self._clock(),
            self.service,
            resource.key,
            current._value_,  # `.value` is a property: this runs on every move of millions
            to._value_,
            cause,
            resource.units,
        )
