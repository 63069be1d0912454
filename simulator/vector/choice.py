"""`--engine auto|events|vector`: which engine runs a scenario, and why.

`events` is the discrete-event simulation, which runs anything. `vector` draws the stops
as arrays (`simulator.vector.engine`), and only for a scenario its eligibility accepts: asked
for one it refuses, the error listing every reason. `auto` takes `vector` where it is
eligible and `events` otherwise, and says which and why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from simulator.errors import SimulatorError
from simulator.scenario.model import Scenario
from simulator.vector.eligibility import CannotDraw, check

_log = logging.getLogger(__name__)


class Engine(StrEnum):
    AUTO = "auto"
    EVENTS = "events"
    VECTOR = "vector"


@dataclass(frozen=True)
class Choice:
    """The engine that runs (`events` or `vector`), and why, in a sentence: made once per
    run, then handed down to what runs it."""

    engine: Engine
    why: str


def choose(scenario: Scenario, asked: Engine | str | Choice) -> Choice:
    """The engine that runs `scenario` when `asked` is asked for, logged (INFO) with its
    reason; a `Choice` already made is returned as it is, so a run checks eligibility once
    however many layers it passes through. Raises CannotDraw for `vector` and a scenario it
    cannot draw, naming every reason, and SimulatorError for a name that is no engine."""
    if isinstance(asked, Choice):
        return asked
    choice = _choice(scenario, _engine(asked))
    _log.info("%s: engine %s (%s)", scenario.name, choice.engine, choice.why)
    return choice


def _engine(asked: Engine | str) -> Engine:
    try:
        return Engine(asked)
    except ValueError:
        allowed = ", ".join(repr(e.value) for e in Engine)
        raise SimulatorError(f"engine: expected one of {allowed}, got {asked!r}") from None


def _choice(scenario: Scenario, asked: Engine) -> Choice:
    if asked is Engine.EVENTS:
        return Choice(Engine.EVENTS, "asked for")
    decision = check(scenario)
    if decision.eligible:
        why = "asked for" if asked is Engine.VECTOR else "no request can meet another"
        return Choice(Engine.VECTOR, why)
    reasons = "; ".join(decision.reasons)
    if asked is Engine.VECTOR:
        raise CannotDraw(f"{scenario.name}: the vector engine cannot draw this scenario: {reasons}")
    return Choice(Engine.EVENTS, f"the vector engine cannot draw it: {reasons}")
