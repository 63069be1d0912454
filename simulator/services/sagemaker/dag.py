"""A pipeline execution: a SimPy process that runs its pipeline's DAG of steps.

An execution starts its steps as their dependencies succeed, at most `max_parallel_steps`
at once (MaxParallelExecutionSteps); each step is a process of its own (`steps`):

    execution:  Executing -> Succeeded | Failed (a step failed; running steps finish first)
                Executing --stop--> Stopping -> Stopped | Failed

Outside a stop, a step that fails stops new steps from starting; the execution is Failed
once its running steps end (ASSUMED). A stop (StopPipelineExecution) starts no new step:
a step only ready, or in the orchestration's gap before it starts, never runs (ASSUMED).
Each running step is told what the stop does to its kind (`steps`, `callbacks`), and the
execution ends when the last of them has: Stopped, or Failed if a Lambda step hit its
timeout or a callback step its `callback_stop_wait` meanwhile (DOC for Lambda). With
nothing left running, the execution is Stopped at once (ASSUMED).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from simulator.services.sagemaker.callbacks import Callback
from simulator.services.sagemaker.model import PipelineExecutionStatus, StepStatus
from simulator.services.sagemaker.settings import (
    CallbackStep,
    Fleet,
    JobStep,
    LambdaStep,
    PlainStep,
    StepSpec,
)
from simulator.services.sagemaker.steps import Course, Draws, Job, Lambda, Plain, StepRun

if TYPE_CHECKING:
    from simulator.services.base import Resource
    from simulator.services.sagemaker.service import Pipelines

E, St = PipelineExecutionStatus, StepStatus
KINDS: dict[type[StepSpec], type[StepRun]] = {
    JobStep: Job,
    LambdaStep: Lambda,
    CallbackStep: Callback,
    PlainStep: Plain,
}
"""The process each type of step runs as."""


class Execution:
    """One execution of a pipeline: its resource, its draws, and the state of its DAG."""

    def __init__(
        self, service: Pipelines, resource: Resource, shape: Fleet, draws: dict[str, Draws]
    ) -> None:
        self.service = service
        self.resource = resource
        self.shape = shape
        self.draws = draws
        self.waiting = {step.name: set(step.depends_on) for step in shape.steps}
        """Steps not yet ready, with the steps they still wait for."""
        self.ready: deque[str] = deque()
        self.launching = 0
        """Steps whose dependencies are met, in the orchestration's gap before they start."""
        self.runs: dict[str, StepRun] = {}
        """The steps that have started, in the order they started."""
        self.failed: str | None = None
        """Why the execution is to end Failed, once nothing runs (None: it is not)."""
        self._release(None)
        self._progress = service.sim.env.event()
        self.process = service.sim.process(self._orchestrate())

    # -- the process -----------------------------------------------------------------------

    def _orchestrate(self) -> Course:
        """Start the ready steps, no more than `max_parallel_steps` running at once, and
        again each time a step ends, until no step is left to start or the execution
        starts no more (it was stopped, or a step failed)."""
        specs = {step.name: step for step in self.shape.steps}
        limit = self.shape.max_parallel_steps
        while True:
            while self.ready and self.starts_steps() and self._active() < limit:
                spec = specs[self.ready.popleft()]
                self.launching += 1
                KINDS[type(spec)](self, spec, self.draws[spec.name]).start()
            if not (self.ready or self.waiting) or not self.starts_steps():
                return
            yield self._progress
            self._progress = self.service.sim.env.event()

    def _wake(self) -> None:
        if self.process.is_alive and not self._progress.triggered:
            self._progress.succeed()

    def _active(self) -> int:
        return self.launching + sum(1 for run in self.runs.values() if run.running)

    def _release(self, succeeded: str | None) -> None:
        """Make ready the steps that waited only for `succeeded` (all roots when None)."""
        for name, needs in list(self.waiting.items()):
            needs.discard(succeeded or "")
            if not needs:
                del self.waiting[name]
                self.ready.append(name)

    # -- what its steps tell it --------------------------------------------------------------

    def starts_steps(self) -> bool:
        return self.resource.status is E.Executing and self.failed is None

    def gap_ended(self) -> bool:
        """A step's orchestration gap has ended: whether it starts (not once the execution
        has been stopped, or has failed meanwhile)."""
        self.launching -= 1
        if self.starts_steps():
            return True
        self.settle()
        return False

    def started(self, step: StepRun) -> None:
        self.runs[step.spec.name] = step

    def ended(self, step: StepRun, to: StepStatus, cause: str) -> None:
        """A step has ended (by itself, by its timeout, by an answer, or stopped): a
        failure fails the execution, unless it was stopped and the failure is not a
        timeout's; a success makes its dependents ready, unless no step starts any more."""
        if to is St.Failed:
            stopping = self.resource.status is E.Stopping
            if self.failed is None and (not stopping or cause == "timeout"):
                timeout = " (timeout)" if cause == "timeout" else ""
                self.failed = f"Step {step.spec.name} failed{timeout}"
        if to is St.Succeeded and self.starts_steps():
            self._release(step.spec.name)
        self.settle()
        self._wake()

    # -- its end -----------------------------------------------------------------------------

    def stop(self) -> None:
        """StopPipelineExecution: Stopping; no step starts any more; each running step is
        told what the stop does to its kind."""
        self.service.move(self.resource, E.Stopping, "stop")
        self.ready.clear()
        self.waiting.clear()
        for run in [run for run in self.runs.values() if run.running]:
            run.stop()
        self.settle()
        self._wake()

    def settle(self) -> None:
        """End the execution once nothing runs or is about to."""
        status = self.resource.status
        if status is E.Executing and self.launching:
            return
        if any(run.running for run in self.runs.values()):
            return
        if status is E.Stopping:
            self.service.move(self.resource, E.Failed if self.failed else E.Stopped, "stop")
        elif status is E.Executing:
            if self.failed is not None:
                self.service.move(self.resource, E.Failed, "step")
            elif not self.ready and not self.waiting:
                self.service.move(self.resource, E.Succeeded, "step")
