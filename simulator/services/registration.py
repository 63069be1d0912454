"""What a service declares, checked when its class is defined, not when a run reaches it.

A service's data names things by string: a progression its latency setting ("copying") and
the probability of each other outcome ("copy_failure"), a price the statuses it bills. A
misspelt name would otherwise pass every test that does not reach it and fail mid-run as
an `AttributeError`, or silently bill nothing. `check_definition` runs as the class is
created (`ManagedService.__init_subclass__`) and raises `ServiceDefinitionError`, naming
the service, the attribute and the nearest valid names, for:

- a progression (of `PROGRESSIONS`, or of `STAGES`, which processes run by name) whose
  latency is not a field of the service's `Latencies`, whose outcome probability is not a
  field of its `Settings`, or whose moves its `TRANSITIONS` do not declare (an
  `IllegalTransition` waiting to happen);
- a latency in `DRAWS` (what processes draw by name) that is not a field of `Latencies`;
- a default price billing a status none of the service's status enums has;
- a STOP whose operations the service does not have, or whose terminal statuses are not
  of the service's enums;
- an operation without its handler method.

Intermediate bases (a class without `name`) are not checked: only what can be registered.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable
from difflib import get_close_matches
from enum import StrEnum
from typing import TYPE_CHECKING, NoReturn

from pydantic import BaseModel

from simulator.api.operations import ServiceSettings

if TYPE_CHECKING:
    from simulator.services.base import ManagedService, Progression

_DECLARES = ("name", "Status", "TRANSITIONS", "PROGRESSIONS", "OPERATIONS", "ERRORS", "STOP")


class ServiceDefinitionError(TypeError):
    """A service class names a setting, status or operation it does not have."""


def _nearest(name: str, valid: Iterable[str]) -> str:
    names = sorted(set(valid))
    close = get_close_matches(name, names, n=3, cutoff=0.6)
    if close:
        return f"did you mean {' or '.join(repr(c) for c in close)}?"
    return f"expected one of {', '.join(names) or 'none'}"


def _settings_class(cls: type[ManagedService]) -> type[ServiceSettings]:
    """The class of the service's `settings` (its annotation, resolved in its module)."""
    for klass in cls.__mro__:
        annotation = vars(klass).get("__annotations__", {}).get("settings")
        if annotation is None:
            continue
        if isinstance(annotation, str):
            # postponed annotations are text: resolved among the names of its module
            annotation = eval(annotation, vars(sys.modules[klass.__module__]))
        if isinstance(annotation, type) and issubclass(annotation, ServiceSettings):
            return annotation
        break
    raise ServiceDefinitionError(
        f"{cls.name}: declare its settings' class, as `settings: Settings` in the class body"
    )


class _Definition:
    """One service class and the names it may use."""

    def __init__(self, cls: type[ManagedService]) -> None:
        self.cls = cls
        self.settings = _settings_class(cls)
        latency = self.settings.model_fields.get("latency")
        annotation = None if latency is None else latency.annotation
        self.latencies: Collection[str] = ()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            self.latencies = annotation.model_fields
        self.enums = {*cls.TRANSITIONS, cls.Status, *getattr(self.settings, "STATUSES", ())}
        self.statuses = {s.value for enum in self.enums for s in enum}

    def fail(self, attribute: str, problem: str) -> NoReturn:
        raise ServiceDefinitionError(f"{self.cls.name}: {attribute}: {problem}")

    def declared(self, attribute: str, status: StrEnum) -> None:
        if type(status) not in self.enums:
            names = ", ".join(sorted(e.__name__ for e in self.enums))
            self.fail(attribute, f"{status!r} is not a status of the service's enums ({names})")

    def latency(self, where: str, latency: str) -> None:
        if latency not in self.latencies:
            self.fail(
                where, f"{latency!r} is not a latency setting; {_nearest(latency, self.latencies)}"
            )

    def outcomes(self, where: str, progression: Progression) -> None:
        """A progression's latency and outcome probabilities are settings; its ends are
        statuses of the service's enums."""
        settings = self.settings.model_fields
        self.latency(f"{where}.latency", progression.latency)
        for outcome, chance in progression.otherwise.items():
            if chance not in settings:
                self.fail(
                    f"{where}.otherwise[{outcome}]",
                    f"{chance!r} is not a setting; {_nearest(chance, settings)}",
                )
        for to in (progression.to, *progression.otherwise):
            self.declared(where, to)

    def progressions(self) -> None:
        cls = self.cls
        for status, progression in cls.PROGRESSIONS.items():
            where = f"PROGRESSIONS[{status}]"
            self.outcomes(where, progression)
            for source in (status, *progression.also_from):
                self.declared(where, source)
                for to in (progression.to, *progression.otherwise):
                    if to not in cls.TRANSITIONS.get(type(source), {}).get(source, ()):
                        self.fail(where, f"{source} -> {to} is not a move its TRANSITIONS declare")

    def stages(self) -> None:
        """What processes draw by name: each stage's progression, whose ends some move of
        TRANSITIONS reaches, and each latency of DRAWS."""
        cls = self.cls
        for stage, progression in cls.STAGES.items():
            where = f"STAGES[{stage!r}]"
            self.outcomes(where, progression)
            for to in (progression.to, *progression.otherwise):
                edges = cls.TRANSITIONS.get(type(to), {})
                if not any(to in targets for targets in edges.values()):
                    self.fail(where, f"no move its TRANSITIONS declare ends in {to}")
        for latency in sorted(cls.DRAWS):
            self.latency("DRAWS", latency)

    def prices(self) -> None:
        prices = self.settings.model_fields["prices"].get_default(call_default_factory=True)
        for item, price in prices.items():
            for status in price.statuses:
                if status not in self.statuses:
                    self.fail(
                        f"{self.settings.__name__}.prices[{item!r}].statuses",
                        f"{status!r} is not a status; {_nearest(status, self.statuses)}",
                    )

    def operations(self) -> None:
        from simulator.services.base import snake_case  # the base imports this module

        cls = self.cls
        for operation in (cls.STOP.operation, cls.STOP.describe):
            if operation not in cls.OPERATIONS:
                self.fail(
                    "STOP", f"no operation {operation!r}; {_nearest(operation, cls.OPERATIONS)}"
                )
        for status in cls.STOP.terminal:
            self.declared("STOP.terminal", status)
        for operation in cls.OPERATIONS:
            if not callable(getattr(cls, snake_case(operation), None)):
                self.fail("OPERATIONS", f"{operation} has no handler {snake_case(operation)}()")


def check_definition(cls: type[ManagedService]) -> None:
    """Raise ServiceDefinitionError if `cls` names what it does not have (see above)."""
    if not all(hasattr(cls, name) for name in _DECLARES):
        return
    definition = _Definition(cls)
    definition.progressions()
    definition.stages()
    definition.prices()
    definition.operations()
