"""SageMaker Pipelines: pipeline executions (StopPipelineExecution), as SimPy processes.

A pipeline is a DAG of steps declared in the scenario. An execution is a process that
runs its steps as their dependencies succeed, at most `max_parallel_steps` at once
(MaxParallelExecutionSteps); each step is a process of its own:

    execution:  Executing -> Succeeded | Failed (a step failed; running steps finish first)
                Executing --stop--> Stopping -> Stopped | Failed
    step:       (ready) -orchestration-> Starting -> Executing -> Succeeded | Failed
                Starting --stop--> Stopped
                Executing --stop--> Stopping -> Stopped     (Training, Processing: DOC)
                Executing --stop--> Stopped                 (a plain step: ASSUMED)
    function:   Running -> Finished | TimedOut              (a Lambda step's invocation)
    message:    Sent                                        (an SQS message SageMaker sent)

What a stop does to each running step (DOC, the StopPipelineExecution page):

- **Training, Processing**: the job is stopped: SIGTERM, then up to 120 s before it is
  killed (`latency.stop`); billed per instance-second until Stopped.
- **Callback**: the execution does not stop. SageMaker sends the step's queue another
  message, with `"status": "Stopping"`, and the execution stops only when the consumer
  answers (SendPipelineExecutionStepSuccess or ...Failure) for the step. No wait limit is
  documented: by default (ASSUMED) an execution whose consumer never answers stays
  Stopping, reported as stuck at the horizon; `callback_stop_wait` sets one, after which
  the step and the execution are Failed (ASSUMED).
- **Lambda**: the function cannot be stopped. If it finishes before the step's timeout
  (default 120 s, at most 10 min: DOC) the execution ends Stopped; if the timeout comes
  first, Failed. The function runs and bills its full duration either way.
- A step still Starting, or only ready (between steps), never runs: Stopped at once
  (ASSUMED). With nothing left running, the execution is Stopped at once.

The modules: `model` (statuses, transitions, errors, operations, as data), `settings` (the
scenario's pipelines and settings), `dag` (the execution's process), `steps` (the step
kinds' processes), `callbacks` (tokens, queues, callback steps and their answers),
`listing` (what ListPipelines and ListPipelineExecutions answer), `service` (the API).
"""

from simulator.services.sagemaker.callbacks import NO_TOKEN
from simulator.services.sagemaker.model import (
    ENDED,
    ERRORS,
    EXECUTION,
    EXECUTION_ARN,
    FUNCTION,
    LIST_PAGE,
    OPERATIONS,
    PROGRESSIONS,
    RUNNING,
    STEP,
    TRANSITIONS,
    Conflict,
    FunctionStatus,
    MessageStatus,
    PipelineExecutionStatus,
    ResourceNotFound,
    StepStatus,
)
from simulator.services.sagemaker.service import Pipelines
from simulator.services.sagemaker.settings import (
    CallbackStep,
    Fleet,
    JobStep,
    LambdaStep,
    Latencies,
    PlainStep,
    Settings,
    Step,
    StepSpec,
)

__all__ = [
    "ENDED",
    "ERRORS",
    "EXECUTION",
    "EXECUTION_ARN",
    "FUNCTION",
    "LIST_PAGE",
    "NO_TOKEN",
    "OPERATIONS",
    "PROGRESSIONS",
    "RUNNING",
    "STEP",
    "TRANSITIONS",
    "CallbackStep",
    "Conflict",
    "Fleet",
    "FunctionStatus",
    "JobStep",
    "LambdaStep",
    "Latencies",
    "MessageStatus",
    "PipelineExecutionStatus",
    "Pipelines",
    "PlainStep",
    "ResourceNotFound",
    "Settings",
    "Step",
    "StepSpec",
    "StepStatus",
]
