"""The steps of an execution, each a SimPy process: what a step does, and what a stop does
to it while it runs.

Every step waits the orchestration's gap once its dependencies have succeeded, then starts
(`Starting`) and runs its course. StopPipelineExecution, when it finds a step running, does
at once what the StopPipelineExecution page says for the step's kind (`stop`), and
interrupts the step's course where that course changes:

- **Training, Processing** (DOC): Starting while the job's instances come up, then
  Executing for the job's duration. Stopped while Starting: Stopped at once, never billed.
  Stopped while Executing: SIGTERM, then up to 120 s before the job is killed: Stopping for
  a draw of `latency.stop`, then Stopped; billed per instance-second until Stopped.
- **Lambda** (DOC): the function cannot be stopped. The step waits for the function to end
  or for its timeout, whichever comes first, stop or no stop; the function runs and bills
  its full duration either way.
- **Plain** (ASSUMED): a condition, a model registration: Stopped at once.
- **Callback** (DOC): see `callbacks`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulator.services.sagemaker.model import RUNNING, FunctionStatus, StepStatus
from simulator.services.sagemaker.settings import (
    CallbackStep,
    JobStep,
    LambdaStep,
    PlainStep,
    StepSpec,
)

if TYPE_CHECKING:
    import simpy

    from simulator.services.base import Resource
    from simulator.services.sagemaker.dag import Execution

St, F = StepStatus, FunctionStatus
Course = Generator["simpy.Event", Any, None]
"""A step's process, or the part of it that a stop can interrupt."""


@dataclass(frozen=True)
class Draws:
    """What chance decides for one step of one execution. All of an execution's draws are
    made when it starts, whether its steps run or not, so they are the same whatever a stop
    changes elsewhere: common random numbers between a run, its counterfactual without
    stops, and the variants of a sweep."""

    orchestration: float
    provisioning: float = 0.0
    duration: float = 0.0
    failed: bool = False
    stop: float = 0.0
    token: str | None = None


class StepRun:
    """One step of one execution, from its dependencies met until it ends; its `part` (the
    step's resource, `<execution>/<step>`) exists once it has started."""

    spec: StepSpec
    part: Resource
    process: simpy.Process

    def __init__(self, execution: Execution, spec: StepSpec, draws: Draws) -> None:
        self.execution = execution
        self.spec = spec
        self.draws = draws
        self.sim = execution.service.sim
        self.started_at = 0.0
        self.ended_at: float | None = None

    def start(self) -> None:
        """The step's process begins: its dependencies have just been met."""
        self.process = self.sim.process(self._run())

    # -- its course ----------------------------------------------------------------------

    def _run(self) -> Course:
        """Wait the orchestration's gap, start unless the execution has been stopped or has
        failed meanwhile, then run the course of the step's kind; a stop interrupts the
        course, and `stopped` runs what the stop leaves to happen."""
        from simpy import Interrupt  # here: the scenario schema imports services, not simpy

        yield self.sim.timeout(self.draws.orchestration)
        if not self.execution.gap_ended():
            return  # stopped or failed in the gap: the step never starts
        self._begin()
        try:
            yield from self.course()
        except Interrupt:
            yield from self.stopped()

    def _begin(self) -> None:
        execution, spec = self.execution, self.spec
        kind, units = "step", 0.0  # what it bills as: its instances, if it has any
        if isinstance(spec, JobStep | CallbackStep) and spec.instance_type is not None:
            kind, units = spec.instance_type, float(spec.instance_count)
        self.part = execution.service.add(
            f"{execution.resource.id}/{spec.name}",
            execution.shape.group_name,
            St.Starting,
            units,
            kind,
            execution.resource,
        )
        self.started_at = self.sim.now
        execution.started(self)

    def course(self) -> Course:
        """What the step does once started: a plain step's, by default."""
        yield from self.executes("start")

    def executes(self, cause: str) -> Course:
        """Executing for the drawn duration, then Succeeded, or Failed as drawn."""
        self.move(St.Executing, cause)
        yield self.sim.timeout(self.draws.duration)
        self.end(St.Failed if self.draws.failed else St.Succeeded)

    def stopped(self) -> Course:
        """What happens after a stop interrupted the course: nothing more, by default."""
        yield from ()

    # -- what a stop does ------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.part.status in RUNNING

    def stop(self) -> None:
        """A stop found the step running: by default (a step still Starting, or a plain
        step: ASSUMED) it is Stopped at once and its course ends."""
        self.cancel()

    def cancel(self) -> None:
        """Stopped at once: its course is interrupted and does nothing more."""
        self.part_ends(St.Stopped)
        self.process.interrupt("stop")

    # -- moves -----------------------------------------------------------------------------

    def move(self, to: StepStatus, cause: str) -> None:
        self.execution.service.move(self.part, to, cause)

    def part_ends(self, to: StepStatus, cause: str = "stop") -> None:
        """The step's resource ends; the execution hears of it from `end`, or the stop."""
        self.move(to, cause)
        self.ended_at = self.sim.now

    def end(self, to: StepStatus, cause: str = "step") -> None:
        """The step ends by itself (or by its timeout, or an answer): the execution goes on."""
        self.part_ends(to, cause)
        self.execution.ended(self, to, cause)


class Plain(StepRun):
    """Anything else: it takes time and bills nothing. Stopped at once (ASSUMED)."""

    spec: PlainStep


class Job(StepRun):
    """A Training or Processing job: instances billed per second while it runs."""

    spec: JobStep

    def course(self) -> Course:
        """Starting while its instances come up, then Executing for the job's duration."""
        yield self.sim.timeout(self.draws.provisioning)
        yield from self.executes("provisioning")

    def stop(self) -> None:
        """SIGTERM: Stopping at once, then Stopped when the job has exited or been killed
        (up to 120 s later: DOC); a job still Starting never runs: Stopped at once."""
        if self.part.status is St.Starting:
            self.cancel()
        else:
            self.move(St.Stopping, "stop")
            self.process.interrupt("stop")

    def stopped(self) -> Course:
        if self.part.status is St.Stopping:
            yield self.sim.timeout(self.draws.stop)
            self.end(St.Stopped, "stop")


class Lambda(StepRun):
    """A Lambda function: the step waits for it up to its `timeout`; the function itself
    runs (and bills) until it finishes or reaches its own `function_timeout`."""

    spec: LambdaStep

    def course(self) -> Course:
        """The function's end against the step's timeout, whichever comes first (DOC):
        the function's outcome, or Failed at the timeout while the function runs on."""
        self.move(St.Executing, "start")
        execution, spec = self.execution, self.spec
        function = execution.service.add(
            f"{self.part.id}/function",
            execution.shape.group_name,
            F.Running,
            spec.memory_mb / 1024,
            "lambda",
            execution.resource,
        )
        invocation = self.sim.process(self._invoke(function))
        timeout = self.sim.timeout(self.spec.timeout)
        first = yield invocation | timeout
        if timeout in first:  # also when the function ended at that moment: it had not said
            self.end(St.Failed, "timeout")
        else:
            self.end(St.Failed if invocation.value else St.Succeeded)

    def _invoke(self, function: Resource) -> Generator[simpy.Event, Any, bool]:
        """The function's run: Finished after its drawn duration, or TimedOut when Lambda
        ends it at `function_timeout`; whether it reported an error."""
        execution, spec = self.execution, self.spec
        if self.draws.duration <= spec.function_timeout:
            yield self.sim.timeout(self.draws.duration)
            execution.service.move(function, F.Finished, "function")
            return self.draws.failed
        yield self.sim.timeout(spec.function_timeout)  # an error the step reports
        execution.service.move(function, F.TimedOut, "timeout")
        return True

    def stop(self) -> None:
        """Nothing: the function cannot be stopped, and the step waits for it (DOC)."""
