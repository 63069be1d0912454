"""The simulator's own exceptions (AWS errors are `simulator.api.errors.AwsError`).

    SimulatorError           what a user can cause and fix
     ├── ScenarioError        a scenario file is wrong: file, line, field, what was expected
     ├── ResultsError         a run directory is missing or incomplete
     ├── SweepError           a sweep's directory holds another study, or cannot be used
     └── UnknownName          (also a KeyError) a metric or parameter a study does not have

    RuntimeError
     └── IllegalTransition    (engine.lifecycle) a model made an undeclared move: a bug

The command line prints a SimulatorError as it is and exits with status 2;
IllegalTransition, like anything else, is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Sequence


class SimulatorError(Exception):
    """Base of the errors a user can cause and fix."""


class ResultsError(SimulatorError):
    """A results directory cannot be read."""


class SweepError(SimulatorError):
    """A sweep cannot run as asked: its output directory holds results of another scenario,
    seed or code version, or an executor it needs is not installed."""


class UnknownName(SimulatorError, KeyError):
    """A name asked of a study that it does not have (a metric to plot, a parameter); the
    message lists the names it has."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""  # not KeyError's quoted repr


class ScenarioError(SimulatorError):
    def __init__(
        self,
        problem: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
        problems: Sequence[ScenarioError] = (),
    ) -> None:
        self.problem = problem
        self.source = source
        self.line = line
        self.field = field
        self.problems = tuple(problems)
        super().__init__(str(self))

    def located(self, source: str) -> ScenarioError:
        return ScenarioError(self.problem, source=source, line=self.line, field=self.field)

    @classmethod
    def several(cls, source: str, problems: Sequence[ScenarioError]) -> ScenarioError:
        located = [p.located(source) for p in problems]
        if len(located) == 1:
            return located[0]
        return cls(f"{len(located)} problems", source=source, problems=located)

    def __str__(self) -> str:
        if self.problems:
            return "\n".join(str(p) for p in self.problems)
        where = ":".join(str(p) for p in (self.source, self.line) if p is not None)
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.problem}" if where else f"{field} {self.problem}".strip()
